//! The nine sections of the plan, each built from the handoffs it names.

use super::risks::Risk;
use super::{Sources, change, figures, money, pct, whole};
use crate::chat::Table;
use crate::report::Section;
use crate::report::count;

pub fn all(s: &Sources, risks: &[Risk]) -> Vec<Section> {
    vec![
        executive_summary(s, risks),
        prior_quarter(s),
        market(s),
        strategy(s),
        budget(s),
        calendar(s),
        goals(s),
        resources(s),
        risk_section(risks),
    ]
}

fn executive_summary(s: &Sources, risks: &[Risk]) -> Section {
    let run = &s.inputs.run;
    let ready = match (1..=9).filter(|n| s.available(*n)).count() {
        9 => "All nine".to_owned(),
        n => format!("{n} of the nine"),
    };
    let mut sec = Section::new("Executive summary").para(format!(
        "This is plan v{} for team **{}**, quarter **{}**, built on the review of {}. {ready} \
         analysis stages produced findings; every figure below traces to the team's data files, to \
         `objectives.toml`, or to one of those stages.",
        s.version,
        run.team,
        run.quarter,
        s.inputs.review_label()
    ));
    let mut key = Table::new("Key figures", &["Item", "Figure", "Source"]);
    let o = s.objectives.as_ref();
    if let Some(b) = &s.budget {
        key = key
            .row(vec![
                "Total budget".into(),
                money(b.total),
                b.total_basis.clone(),
            ])
            .row(vec![
                "Test reserve".into(),
                format!(
                    "{} ({})",
                    money(b.reserve),
                    pct(b.reserve / b.total.max(1.0))
                ),
                "Stage 6".into(),
            ])
            .row(vec![
                "Expected revenue from media".into(),
                money(b.expected_revenue),
                "Stage 6 response curves".into(),
            ]);
    } else if let Some((total, basis)) = o.and_then(|o| o.budget(None)) {
        key = key.row(vec!["Total budget".into(), money(total), basis]);
    }
    if let Some(r) = o.and_then(|o| o.revenue_target) {
        key = key.row(vec![
            "Revenue target".into(),
            money(r),
            "objectives.toml".into(),
        ]);
    }
    if let Some(g) = &s.goals {
        for metric in ["pipeline", "sqls", "mqls"] {
            if let Some(t) = g.targets.iter().find(|t| t.metric == metric) {
                let figure = if metric == "pipeline" {
                    money(t.value)
                } else {
                    whole(t.value)
                };
                key = key.row(vec![
                    format!("Required {}", metric_name(metric)),
                    figure,
                    "Stage 7".into(),
                ]);
            }
        }
    }
    if let Some(sc) = &s.scoring {
        key = key.row(vec![
            "Proposed MQL threshold".into(),
            format!("{:.0} points", sc.threshold),
            "Stage 4".into(),
        ]);
    }
    if let Some(c) = &s.calendar {
        let funded = c.tests.iter().filter(|t| t.funded).count();
        key = key.row(vec![
            "Campaigns / funded tests".into(),
            format!(
                "{} / {funded} (of {} sized)",
                c.campaigns.len(),
                c.tests.len()
            ),
            "Stage 8".into(),
        ]);
    }
    if let Some(p) = &s.content_plan {
        key = key.row(vec![
            "Content pieces".into(),
            p.pieces.len().to_string(),
            "Stage 9".into(),
        ]);
    }
    if !key.rows.is_empty() {
        sec = sec.table(key);
    }
    let mut decisions = Vec::new();
    if let Some(b) = &s.budget {
        let mut shifts: Vec<_> = b.channels.iter().collect();
        shifts.sort_by(|x, y| {
            (y.spend - y.last_quarter_spend)
                .abs()
                .total_cmp(&(x.spend - x.last_quarter_spend).abs())
        });
        for c in shifts.iter().take(2) {
            decisions.push(format!(
                "Move **{}** from {} to {} ({}): {}",
                c.channel,
                money(c.last_quarter_spend),
                money(c.spend),
                change(c.last_quarter_spend, c.spend),
                c.rationale
            ));
        }
    }
    if let Some(sc) = &s.scoring {
        decisions.push(format!(
            "Adopt the refitted lead score with an MQL threshold of {:.0} points: MQL → SQL expected {} (out of time) against {} today.",
            sc.threshold,
            pct(sc.expected_mql_to_sql),
            pct(sc.current_mql_to_sql)
        ));
    }
    if let Some(top) = s.content.as_ref().and_then(|c| c.opportunities.first()) {
        decisions.push(format!(
            "Lead the content plan with “{}” (≈{:.0} extra organic clicks a month).",
            top.title, top.extra_clicks_per_month
        ));
    }
    if let Some(r) = risks.first() {
        decisions.push(format!(
            "Accept the top risk's mitigation — {}: {}",
            r.title, r.mitigation
        ));
    }
    if !decisions.is_empty() {
        sec = sec
            .heading("Decisions this plan asks for")
            .bullets(decisions);
    }
    sec
}

pub(super) fn metric_name(metric: &str) -> &str {
    match metric {
        "sqls" => "SQLs",
        "mqls" => "MQLs",
        "won" => "won deals",
        other => other,
    }
}

fn prior_quarter(s: &Sources) -> Section {
    let label = s.inputs.review_label();
    let mut sec = Section::new("Prior-quarter review").heading("Campaign return and attribution");
    sec = sec.para(s.line(1));
    if let Some(p) = &s.performance {
        let mut t = Table::new(
            format!("Paid channels, {label}"),
            &["Channel", "Spend", "Attributed revenue", "ROAS", "Change"],
        );
        let mut channels = p.channels.clone();
        channels.sort_by(|a, b| b.spend.total_cmp(&a.spend));
        for c in &channels {
            t = t.row(vec![
                c.channel.clone(),
                money(c.spend),
                money(c.attributed_revenue),
                c.roas.map_or("—".into(), |r| format!("{r:.2}")),
                match (c.previous_roas, c.roas) {
                    (Some(b), Some(a)) => change(b, a),
                    _ => "—".into(),
                },
            ]);
        }
        sec = sec.table(t);
        if let Some(f) = figures::roas(p, &label) {
            sec = sec.figure(f);
        }
    }
    sec = sec.heading("Funnel health").para(s.line(2));
    if let Some(f) = &s.funnel {
        let mut t = Table::new(
            "Funnel steps (mature rates)",
            &["Step", "Entered", "Converted", "Rate", "Median lag"],
        );
        for st in &f.steps {
            t = t.row(vec![
                format!("{} → {}", st.from, st.to),
                count(st.entered as usize),
                count(st.converted as usize),
                pct(st.rate),
                st.median_lag_days
                    .map_or("—".into(), |d| format!("{d:.0} days")),
            ]);
        }
        sec = sec.table(t).bullets(
            f.bottlenecks
                .iter()
                .map(|b| format!("Bottleneck: {b}."))
                .collect(),
        );
    }
    sec.heading("Content and SEO")
        .para(s.line(3))
        .heading("Lead quality")
        .para(s.line(4))
}

fn market(s: &Sources) -> Section {
    let mut sec = Section::new("Market landscape").para(s.line(5));
    if let Some(m) = &s.market {
        if !m.emerging_channels.is_empty() {
            sec = sec.para(format!(
                "**Emerging channels:** {}.",
                m.emerging_channels.join(", ")
            ));
        }
        for (title, items) in [("Opportunities", &m.opportunities), ("Threats", &m.threats)] {
            sec = sec.heading(title);
            sec = if items.is_empty() {
                sec.para("None flagged by stage 5's rules.")
            } else {
                sec.bullets(items.clone())
            };
        }
        if !m.benchmark_gaps.is_empty() {
            let mut t = Table::new(
                "Our rates against industry benchmarks",
                &["Metric", "Ours", "Benchmark", "Source"],
            );
            for g in &m.benchmark_gaps {
                t = t.row(vec![
                    g.metric.clone(),
                    pct(g.ours),
                    pct(g.benchmark),
                    g.source.clone(),
                ]);
            }
            sec = sec.table(t);
        }
    }
    sec
}

fn strategy(s: &Sources) -> Section {
    let mut sec = Section::new("Strategy for the quarter: channels, content, lead generation")
        .heading("Channel strategy");
    match &s.budget {
        Some(b) => {
            let mut moves: Vec<_> = b.channels.iter().collect();
            moves.sort_by(|x, y| {
                (y.spend - y.last_quarter_spend).total_cmp(&(x.spend - x.last_quarter_spend))
            });
            sec = sec.bullets(
                moves
                    .iter()
                    .map(|c| {
                        let verb = if c.spend > c.last_quarter_spend * 1.005 {
                            "Grow"
                        } else if c.spend < c.last_quarter_spend * 0.995 {
                            "Trim"
                        } else {
                            "Hold"
                        };
                        format!(
                            "**{verb} {}** to {} ({}): {}",
                            c.channel,
                            money(c.spend),
                            change(c.last_quarter_spend, c.spend),
                            c.rationale
                        )
                    })
                    .collect(),
            );
        }
        None => sec = sec.para(s.missing(6)),
    }
    sec = sec.heading("Content strategy");
    match &s.content {
        Some(c) if !c.opportunities.is_empty() => {
            let mut t = Table::new(
                "Top content opportunities",
                &[
                    "Opportunity",
                    "Kind",
                    "Search volume",
                    "Position now → target",
                    "Extra clicks / month",
                ],
            );
            for o in c.opportunities.iter().take(8) {
                t = t.row(vec![
                    o.title.clone(),
                    o.kind.replace('_', " "),
                    whole(o.search_volume),
                    format!(
                        "{} → {:.0}",
                        o.current_position.map_or("—".into(), |p| format!("{p:.0}")),
                        o.target_position
                    ),
                    whole(o.extra_clicks_per_month),
                ]);
            }
            sec = sec
                .table(t)
                .para(format!("Uplift estimates use {}.", c.ctr_curve));
        }
        Some(_) => sec = sec.para("Stage 3 found no content opportunity above its thresholds."),
        None => sec = sec.para(s.missing(3)),
    }
    sec = sec.heading("Lead generation");
    match &s.scoring {
        Some(sc) => {
            let mut t = Table::new("Proposed lead score", &["Feature", "Points"]);
            for w in &sc.weights {
                t = t.row(vec![w.feature.clone(), format!("{:+.0}", w.points)]);
            }
            sec = sec.para(format!(
                "MQL at **{:.0} points**: ≈{:.0} MQLs a month at last quarter's lead volume, MQL → SQL expected {} \
                 out of time (today {}){}.",
                sc.threshold,
                sc.expected_mqls_per_month,
                pct(sc.expected_mql_to_sql),
                pct(sc.current_mql_to_sql),
                sc.out_of_time_auc
                    .map_or(String::new(), |a| format!("; out-of-time AUC {a:.3}"))
            ))
            .table(t);
        }
        None => sec = sec.para(s.missing(4)),
    }
    sec
}

fn budget(s: &Sources) -> Section {
    let mut sec = Section::new("Budget allocation");
    let Some(b) = &s.budget else {
        if let Some(o) = &s.objectives
            && let Some((total, basis)) = o.budget(None)
        {
            let reserve = total * o.reserve_share;
            sec = sec.table(
                Table::new("Budget envelope (objectives.toml)", &["Item", "Amount"])
                    .row(vec![
                        format!("Total quarter budget ({basis})"),
                        money(total),
                    ])
                    .row(vec![
                        format!("Test reserve ({})", pct(o.reserve_share)),
                        money(reserve),
                    ])
                    .row(vec![
                        "Allocatable to channels".into(),
                        money(total - reserve),
                    ]),
            );
        }
        return sec.para(s.missing(6));
    };
    sec = sec.table(
        Table::new("Envelope", &["Item", "Amount"])
            .row(vec![format!("Total ({})", b.total_basis), money(b.total)])
            .row(vec![
                format!("Test reserve ({})", pct(b.reserve / b.total.max(1.0))),
                money(b.reserve),
            ])
            .row(vec!["Allocated to channels".into(), money(b.allocatable)]),
    );
    let mut t = Table::new(
        "Allocation by channel",
        &[
            "Channel",
            "Last quarter",
            "Proposed",
            "Change",
            "Expected revenue",
            "Expected ROAS",
            "Marginal ROI",
        ],
    );
    let mut channels = b.channels.clone();
    channels.sort_by(|x, y| y.spend.total_cmp(&x.spend));
    for c in &channels {
        t = t.row(vec![
            c.channel.clone(),
            money(c.last_quarter_spend),
            money(c.spend),
            change(c.last_quarter_spend, c.spend),
            money(c.expected_revenue),
            if c.spend > 0.0 {
                format!("{:.2}", c.expected_revenue / c.spend)
            } else {
                "—".into()
            },
            format!("{:.2}", c.marginal_roi),
        ]);
    }
    let spent: f64 = b.channels.iter().map(|c| c.spend).sum();
    t = t.row(vec![
        "**Total**".into(),
        money(b.channels.iter().map(|c| c.last_quarter_spend).sum()),
        money(spent),
        String::new(),
        money(b.expected_revenue),
        if spent > 0.0 {
            format!("{:.2}", b.expected_revenue / spent)
        } else {
            "—".into()
        },
        String::new(),
    ]);
    sec = sec.table(t).para(
        "Spend is set where each channel's next dollar returns the same (marginal ROI equalised within the \
         channels' bounds), from response curves fitted on the weekly history.",
    );
    if let Some(f) = figures::budget(b, &s.inputs.run.quarter) {
        sec = sec.figure(f);
    }
    sec.heading("Rationale by channel").bullets(
        channels
            .iter()
            .map(|c| format!("**{}**: {}", c.channel, c.rationale))
            .collect(),
    )
}

fn calendar(s: &Sources) -> Section {
    let mut sec = Section::new("Campaign calendar and testing roadmap");
    let Some(c) = &s.calendar else {
        return sec.para(s.missing(8));
    };
    let mut t = Table::new(
        "Campaigns",
        &[
            "Campaign",
            "Channel",
            "Dates",
            "Budget",
            "Owner",
            "Objective",
        ],
    );
    for p in &c.campaigns {
        t = t.row(vec![
            p.name.clone(),
            p.channel.clone(),
            format!("{} – {}", p.start.format("%b %-d"), p.end.format("%b %-d")),
            money(p.budget),
            p.owner.clone(),
            p.objective.clone(),
        ]);
    }
    sec = sec
        .para(format!(
            "{} campaigns with {} of media; the calendar is attached to stage 8's post as `campaign-calendar.ics`.",
            c.campaigns.len(),
            money(c.campaigns.iter().map(|p| p.budget).sum())
        ))
        .table(t)
        .heading("Testing roadmap");
    let (funded, unfunded): (Vec<_>, Vec<_>) = c.tests.iter().partition(|x| x.funded);
    if funded.is_empty() {
        sec = sec.para("No test is funded this quarter.");
    } else {
        let mut t = Table::new(
            "Tests funded by the reserve",
            &[
                "Test",
                "Hypothesis",
                "MDE",
                "Sample / arm",
                "Dates",
                "Budget",
            ],
        );
        for x in &funded {
            t = t.row(vec![
                x.name.clone(),
                x.hypothesis.clone(),
                format!(
                    "{} on {}",
                    pct(x.minimum_detectable_effect),
                    pct(x.baseline)
                ),
                whole(x.sample_size_per_arm as f64),
                format!("{} – {}", x.start.format("%b %-d"), x.end.format("%b %-d")),
                money(x.budget),
            ]);
        }
        sec = sec.table(t);
    }
    if let Some(b) = &s.budget {
        let used: f64 = funded.iter().map(|x| x.budget).sum();
        sec = sec.para(format!(
            "Tests use {} of the {} reserve; {} stays uncommitted for opportunities found during the quarter.",
            money(used),
            money(b.reserve),
            money((b.reserve - used).max(0.0))
        ));
    }
    sec.bullets(
        unfunded
            .iter()
            .map(|x| {
                format!(
                    "Not funded: **{}** needs {} per arm, about {} weeks at last quarter's traffic (would end {}).",
                    x.name,
                    whole(x.sample_size_per_arm as f64),
                    x.weeks,
                    x.end
                )
            })
            .collect(),
    )
}

fn goals(s: &Sources) -> Section {
    let mut sec = Section::new("Goals and metrics");
    let Some(g) = &s.goals else {
        if let Some(o) = &s.objectives {
            let stated: Vec<String> = [
                ("Revenue", o.revenue_target.map(money)),
                ("Pipeline", o.pipeline_target.map(money)),
                ("MQLs", o.mql_target.map(|m| format!("{m:.0}"))),
                ("Brand", o.brand.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some(format!("{k}: {}", v?)))
            .collect();
            sec = sec.bullets(stated);
        }
        return sec.para(s.missing(7));
    };
    let mut t = Table::new("Targets", &["Metric", "Target", "How it was set"]);
    for x in &g.targets {
        let value = match x.metric.as_str() {
            "revenue" | "pipeline" => money(x.value),
            "brand" => s
                .objectives
                .as_ref()
                .and_then(|o| o.brand.clone())
                .unwrap_or_else(|| "as stated".into()),
            _ => whole(x.value),
        };
        t = t.row(vec![
            metric_name(&x.metric).to_owned(),
            value,
            x.basis.clone(),
        ]);
    }
    sec = sec.table(t);
    if !g.milestones.is_empty() {
        let mut m = Table::new(
            "Monthly milestones",
            &["Month", "Revenue", "Pipeline", "SQLs", "MQLs"],
        );
        for x in &g.milestones {
            m = m.row(vec![
                x.month.clone(),
                money(x.revenue),
                money(x.pipeline),
                whole(x.sqls),
                whole(x.mqls),
            ]);
        }
        sec = sec.table(m);
        if let Some(f) = figures::milestones(g, &s.inputs.run.quarter) {
            sec = sec.figure(f);
        }
    }
    if !g.channel_targets.is_empty() {
        let mut c = Table::new("Channel targets", &["Channel", "Spend", "Revenue", "MQLs"]);
        for x in &g.channel_targets {
            c = c.row(vec![
                x.channel.clone(),
                money(x.spend),
                money(x.revenue),
                whole(x.mqls),
            ]);
        }
        sec = sec.table(c);
    }
    if !g.kpis.is_empty() {
        let mut k = Table::new(
            "KPIs, tracking and reporting",
            &["KPI", "Definition", "Source", "Cadence", "Owner"],
        );
        for x in &g.kpis {
            k = k.row(vec![
                x.name.clone(),
                x.definition.clone(),
                x.source.clone(),
                x.cadence.clone(),
                x.owner.clone().unwrap_or_else(|| "—".into()),
            ]);
        }
        sec = sec.table(k);
    }
    sec
}

fn resources(s: &Sources) -> Section {
    let mut sec = Section::new("Resource plan").heading("Team");
    let weeks = 13.0;
    match (&s.calendar, &s.objectives) {
        (Some(c), _) if !c.workload.is_empty() => {
            let mut t = Table::new(
                "Planned hours this quarter",
                &["Person", "Role", "Hours", "Capacity", "Load"],
            );
            for w in &c.workload {
                t = t.row(vec![
                    w.person.clone(),
                    w.role.clone(),
                    whole(w.hours),
                    whole(w.capacity_hours),
                    if w.capacity_hours > 0.0 {
                        pct(w.hours / w.capacity_hours)
                    } else {
                        "—".into()
                    },
                ]);
            }
            sec = sec.table(t);
        }
        (_, Some(o)) if !o.roster.is_empty() => {
            let mut t = Table::new(
                "Roster (objectives.toml)",
                &["Person", "Role", "Hours / week"],
            );
            for m in &o.roster {
                t = t.row(vec![
                    m.name.clone(),
                    m.role.clone(),
                    format!("{:.0}", m.capacity_hours_per_week),
                ]);
            }
            sec = sec.table(t).para(s.missing(8));
        }
        _ => sec = sec.para(s.missing(8)),
    }
    sec = sec.heading("Content production");
    match &s.content_plan {
        Some(p) => {
            let hours: f64 = p.pieces.iter().map(|x| x.hours).sum();
            sec = sec.para(format!(
                "{} pieces, {:.0} hours of writing and review ({:.0} a week); schedule in Appendix B.",
                p.pieces.len(),
                hours,
                hours / weeks
            ));
        }
        None => sec = sec.para(s.missing(9)),
    }
    let over: Vec<String> = s
        .calendar
        .iter()
        .flat_map(|c| &c.workload)
        .filter(|w| w.hours > w.capacity_hours && w.capacity_hours > 0.0)
        .map(|w| {
            format!(
                "Buy about {:.0} hours of freelance or agency support for {} work ({}'s overflow).",
                w.hours - w.capacity_hours,
                w.role,
                w.person
            )
        })
        .collect();
    sec = sec.heading("Agencies and freelancers");
    sec = match &s.calendar {
        None => sec.para(
            "Not assessed: without stage 8 there is no planned workload to compare with capacity.",
        ),
        Some(_) if over.is_empty() => {
            sec.para("No external support is needed: everyone's planned hours fit their capacity.")
        }
        Some(_) => sec.bullets(over),
    };
    sec.heading("Tools").para(
        "Quarterdeck runs the planning stages, approvals and weekly check-ins in the team's channel; the \
         figures come from the exports listed in Appendix D.",
    )
}

fn risk_section(risks: &[Risk]) -> Section {
    let sec = Section::new("Risks and mitigation");
    if risks.is_empty() {
        return sec.para("No rule fired: see Appendix D for the rules checked.");
    }
    let mut t = Table::new("Risks", &["Severity", "Risk", "Evidence", "Mitigation"]);
    for r in risks {
        t = t.row(vec![
            r.severity.to_owned(),
            r.title.clone(),
            r.evidence.clone(),
            r.mitigation.clone(),
        ]);
    }
    sec.table(t)
}
