//! Sections 2 and 3: the prior-quarter review and the market landscape.

use crate::chat::Table;
use crate::report::{Section, count};
use crate::stages::funnel_health::post::bottleneck;
use crate::stages::plan::{Sources, change, figures, money, pct};

pub(super) fn prior_quarter(s: &Sources) -> Section {
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
                s.inputs.names.name(&c.channel),
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
        if let Some(f) = figures::roas(p, &label, &s.inputs.names) {
            sec = sec.figure(f);
        }
    }
    if let Some(bridge) = revenue_bridge(s) {
        sec = sec.heading("Three measures of last quarter's revenue").table(bridge).para(
            "They count different things, so they differ: attributed revenue is the value of the \
             conversions recorded in the journeys, credited to the paid channels (stage 1; \
             organic's share is left out); modelled revenue is the weekly revenue series the \
             response curves are fitted on, all revenue including the baseline no channel drives \
             (stage 6); closed-won revenue is the amounts of the deals won in the CRM in the \
             quarter, the measure the revenue target uses (stage 7).",
        );
    }
    sec = sec.heading("Funnel health").para(s.line(2));
    if let Some(f) = &s.funnel {
        let names = &s.inputs.names;
        let mut t = Table::new(
            "Funnel steps (mature rates)",
            &[
                "Step",
                "Entered",
                "Converted so far",
                "Mature rate",
                "Median lag",
            ],
        );
        for st in &f.steps {
            t = t.row(vec![
                format!("{} → {}", names.name(&st.from), names.name(&st.to)),
                count(st.entered as usize),
                count(st.converted as usize),
                pct(st.rate),
                st.median_lag_days
                    .map_or("—".into(), |d| format!("{d:.0} days")),
            ]);
        }
        // The two columns measure different things; a reader dividing one by the other
        // must not find a contradiction.
        sec = sec
            .table(t)
            .para(
                "The mature rate is measured on every lead in the data (earlier quarters \
                 included) that reached the step at least its usual time (90th-percentile lag) \
                 before the data ends, so each has had time to convert; *entered* and \
                 *converted so far* count the quarter's leads and the conversions already \
                 recorded, lower where recent leads have not had that time yet.",
            )
            .bullets(
                f.bottlenecks
                    .iter()
                    .map(|b| format!("Bottleneck: {}.", bottleneck(b, names)))
                    .collect(),
            );
    }
    sec.heading("Content and SEO")
        .para(s.line(3))
        .heading("Lead quality")
        .para(s.line(4))
}

/// The bridge between the quarter's revenue figures, each quoted from the handoff that
/// computes it; `None` when fewer than two of them are known.
pub(crate) fn revenue_bridge(s: &Sources) -> Option<Table> {
    let label = s.inputs.review_label();
    let mut rows = Vec::new();
    if let Some(p) = &s.performance {
        let v: f64 = p.channels.iter().map(|c| c.attributed_revenue).sum();
        rows.push((
            "Attributed revenue, paid channels",
            "Stage 1 (journeys, Markov attribution)",
            v,
        ));
    }
    if let Some(o) = s.budget.as_ref().and_then(|b| b.outlook.as_ref()) {
        rows.push((
            "Modelled revenue",
            "Stage 6 (weekly revenue history)",
            o.last_quarter_revenue,
        ));
    }
    if let Some(l) = s
        .goals
        .as_ref()
        .and_then(|g| g.forecast.as_ref())
        .and_then(|f| f.lines.iter().find(|l| l.metric == "revenue"))
    {
        rows.push((
            "Closed-won revenue",
            "Stage 7 (CRM deals won)",
            l.last_quarter,
        ));
    }
    if rows.len() < 2 {
        return None;
    }
    let mut t = Table::new(
        format!("Last quarter's revenue, {label}, by measure"),
        &["Measure", "Source", "Amount"],
    );
    for (name, source, v) in rows {
        t = t.row(vec![name.to_owned(), source.to_owned(), money(v)]);
    }
    Some(t)
}

pub(super) fn market(s: &Sources) -> Section {
    let mut sec = Section::new("Market landscape").para(s.line(5));
    if let Some(m) = &s.market {
        let names = &s.inputs.names;
        if !m.emerging_channels.is_empty() {
            let shown: Vec<String> = m.emerging_channels.iter().map(|c| names.name(c)).collect();
            sec = sec.para(format!("**Emerging channels:** {}.", shown.join(", ")));
        }
        // Stage 5's sentences name channels by identifier; the plan shows their names.
        let ids: Vec<&str> = m
            .emerging_channels
            .iter()
            .chain(&m.channels)
            .map(String::as_str)
            .chain(
                s.performance
                    .iter()
                    .flat_map(|p| p.channels.iter().map(|c| c.channel.as_str())),
            )
            .collect();
        for (title, items) in [("Opportunities", &m.opportunities), ("Threats", &m.threats)] {
            sec = sec.heading(title);
            sec = if items.is_empty() {
                sec.para("None flagged by stage 5's rules.")
            } else {
                sec.bullets(
                    items
                        .iter()
                        .map(|i| names.in_text(i, ids.iter().copied()))
                        .collect(),
                )
            };
        }
        if !m.benchmark_gaps.is_empty() {
            let mut t = Table::new(
                "Our rates against industry benchmarks",
                &["Metric", "Ours", "Benchmark", "Source"],
            );
            for g in &m.benchmark_gaps {
                t = t.row(vec![
                    names.in_text(&g.metric, ids.iter().copied()),
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
