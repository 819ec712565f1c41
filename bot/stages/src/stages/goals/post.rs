//! Stage 7's post: the requirement chain from revenue to leads with the flags a lead
//! should see (targets above last quarter or above any quarter on record, the gap to the
//! stated MQL and pipeline targets), monthly milestones, channel targets, the KPI list
//! with owners from the roster, and a chart of the monthly milestones.

use std::fmt::Write as _;

use super::GoalsFindings;
use crate::charts::{self, BarSeries, GroupedBars, Orientation, Size, ValueFormat};
use crate::chat::{Message, Table};
use crate::report::{DisplayNames, whole};
use crate::report::{count, money};
use crate::sources::Objectives;
use crate::stages::handoff::Kpi;
use crate::stages::{OutputFile, stage_title};

/// The KPIs the team tracks: (name, definition, source, cadence, owner's role).
const KPIS: [(&str, &str, &str, &str, &str); 9] = [
    (
        "Revenue won",
        "sum of the amounts of deals won in the period (by their won date), against the monthly revenue milestone",
        "leads.csv (CRM export)",
        "weekly",
        "demand gen",
    ),
    (
        "Pipeline opened",
        "opportunities opened in the period (by their opportunity date) × average deal, against the pipeline milestone",
        "leads.csv",
        "weekly",
        "demand gen",
    ),
    (
        "MQLs",
        "leads that became MQLs in the period (by their MQL date), against the monthly MQL milestone",
        "leads.csv",
        "weekly",
        "lifecycle",
    ),
    (
        "Lead → MQL rate",
        "MQLs ÷ leads created, over leads at least 30 days old",
        "leads.csv",
        "monthly",
        "lifecycle",
    ),
    (
        "MQL → SQL rate",
        "SQLs ÷ MQLs, over MQLs at least 30 days old; with sales' rejection reasons",
        "leads.csv, sales_feedback.csv",
        "monthly",
        "ops",
    ),
    (
        "Opportunity → won rate and days to close",
        "won ÷ opportunities, median days from opportunity to won",
        "leads.csv",
        "monthly",
        "ops",
    ),
    (
        "Spend pacing and ROAS by channel",
        "spend to date ÷ the channel's allocation; attributed revenue ÷ spend",
        "spend.csv, touchpoints.csv",
        "weekly",
        "paid media",
    ),
    (
        "Event and webinar MQLs",
        "MQLs whose source is events or webinars",
        "leads.csv",
        "monthly",
        "events",
    ),
    (
        "Organic conversions and brand share of search",
        "conversions from content.csv; the brand objective's measure",
        "content.csv, trends.csv",
        "monthly",
        "content",
    ),
];

/// The KPI list with owners: the first roster member whose role names the KPI's role.
pub fn kpis(o: &Objectives) -> Vec<Kpi> {
    KPIS.iter()
        .map(|(name, definition, source, cadence, role)| Kpi {
            name: (*name).to_owned(),
            definition: (*definition).to_owned(),
            source: (*source).to_owned(),
            cadence: (*cadence).to_owned(),
            owner: o.members_with_role(role).next().map(|m| m.name.clone()),
        })
        .collect()
}

fn value(g: &GoalsFindings, metric: &str) -> f64 {
    g.goals
        .requirements
        .iter()
        .find(|r| r.metric == metric)
        .map_or(0.0, |r| r.quarter)
}

/// Why the volumes grow faster than revenue, in a sentence: the steps whose rate the
/// targets use is below last quarter's own ratio (`None` when none is). Stage 10's
/// stretch risk quotes the same sentence.
pub(crate) fn rate_gaps(gaps: &[quarterdeck_analyses::goals::RateGap]) -> Option<String> {
    if gaps.is_empty() {
        return None;
    }
    let steps: Vec<String> = gaps
        .iter()
        .map(|g| {
            format!(
                "{} {:.1}% against last quarter's {:.1}% ({} of {})",
                g.step,
                g.used * 100.0,
                g.last_quarter * 100.0,
                count(g.converted.round() as usize),
                count(g.entered.round() as usize),
            )
        })
        .collect();
    Some(format!(
        "Volumes grow faster than revenue because the targets use stage 2's mature {} \
         below last quarter's own: {}.",
        if gaps.len() == 1 { "rate" } else { "rates" },
        steps.join("; ")
    ))
}

/// The post and its headline.
pub fn message(g: &GoalsFindings, names: &DisplayNames) -> (Message, String) {
    let o = &g.objectives;
    let r = &g.rates;
    let mut headline = format!(
        "To reach {} of revenue the quarter needs ≈{} won deals at an average deal of {}: {} opportunities (pipeline {}), {} SQLs, {} MQLs and {} leads.",
        money(value(g, "revenue")),
        whole(value(g, "won")),
        money(r.average_deal),
        whole(value(g, "opportunities")),
        money(g.goals.implied_pipeline),
        whole(value(g, "sqls")),
        whole(value(g, "mqls")),
        whole(value(g, "leads")),
    );
    if let Some(p) = o.pipeline_target {
        let _ = write!(
            headline,
            " The stated pipeline target is {} ({:+.0}% against the implied pipeline).",
            money(p),
            (p / g.goals.implied_pipeline - 1.0) * 100.0
        );
    }
    let mqls = &g.mqls;
    if let Some(m) = mqls.stated {
        let _ = write!(
            headline,
            " The MQL target of {} is {} the {} MQLs the revenue needs{}.",
            whole(m),
            if mqls.stated_short {
                "short of"
            } else {
                "enough for"
            },
            whole(mqls.needed),
            if g.scoring_rate {
                " at stage 4's proposed threshold"
            } else {
                ""
            }
        );
    }
    if let Some(expected) = mqls.expected {
        let _ = write!(
            headline,
            " At last quarter's lead volume stage 4's threshold yields ≈{} MQLs a quarter{}.",
            whole(expected),
            if mqls.expected_short {
                ": lead volume has to grow to close the gap"
            } else {
                ""
            }
        );
    }
    let in_flight = g
        .goals
        .requirements
        .iter()
        .find(|q| q.metric == "opportunities")
        .map_or(0.0, |q| q.in_flight);
    if in_flight > 0.0
        && let Some(open) = g.open_opportunities
    {
        let _ = write!(
            headline,
            " {} opportunities must already be open when the quarter starts (they close in its first months); leads.csv shows {} open{}.",
            whole(in_flight),
            count(open as usize),
            if (open as f64) < in_flight {
                ", a shortfall the first month will feel"
            } else {
                ""
            }
        );
    }
    let above: Vec<&str> = g
        .goals
        .requirements
        .iter()
        .filter(|q| q.above_history)
        .map(|q| q.metric.as_str())
        .collect();
    if !above.is_empty() {
        let _ = write!(
            headline,
            " Above every quarter in leads.csv: {}.",
            above.join(", ")
        );
    }

    let mut body = headline.clone();
    let _ = write!(
        body,
        "\n\n**How it was worked back:** rates from stage 2's measured funnel (lead → MQL {:.1}%, MQL → SQL {:.1}%{}, SQL → opportunity {:.1}%, opportunity → won {:.1}%). Each stage is due before the revenue it serves by its cumulative median lag in whole months (MQL → won {:.0} days); volume due before the quarter starts is in flight: it must be in the pipeline on day one. Monthly milestones: {}.",
        r.lead_to_mql * 100.0,
        r.mql_to_sql * 100.0,
        if g.scoring_rate {
            ", stage 4's proposed threshold"
        } else {
            ""
        },
        r.sql_to_opportunity * 100.0,
        r.opportunity_to_won * 100.0,
        r.lag_days[1..].iter().sum::<f64>(),
        g.seasonality,
    );
    let stretched: Vec<String> =
        g.goals
            .requirements
            .iter()
            .filter(|q| q.stretch || q.above_history)
            .map(|q| {
                format!(
                    "{} {} against {} last quarter{}",
                    q.metric,
                    fmt(&q.metric, q.quarter),
                    q.last_quarter
                        .map_or_else(|| "—".into(), |l| fmt(&q.metric, l)),
                    q.best_quarter.filter(|_| q.above_history).map_or_else(
                        String::new,
                        |b| format!(" (best quarter {})", fmt(&q.metric, b))
                    )
                )
            })
            .collect();
    if !stretched.is_empty() {
        let _ = write!(
            body,
            "\n\n**Stretch targets** (more than 20% above last quarter or above the best quarter): {}. Either the rates must improve (stage 2's priorities) or the revenue objective is at risk; stage 10 lists these as risks.",
            stretched.join("; ")
        );
        if let Some(why) = rate_gaps(&g.handoff.rate_gaps) {
            let _ = write!(body, " {why}");
        }
    }
    if let Some(f) = &g.handoff.forecast {
        let _ = write!(body, "\n\n{}", super::forecast::paragraph(f));
    }
    if let Some(note) = &g.channel_note {
        let _ = write!(body, "\n\n**Channel targets:** none, {note}.");
    } else {
        let revenue: f64 = g.channel_targets.iter().map(|c| c.revenue).sum();
        let _ = write!(
            body,
            "\n\n**Channel targets:** stage 6's allocation expects {} from paid channels; each channel's MQL target is its share of last quarter's MQLs.",
            money(revenue)
        );
    }
    body.push_str("\n\n**Tracking:** weekly KPIs are read at the Monday check-in against the month's milestone ÷ its weeks; monthly KPIs at the first check-in of the next month; a KPI two weeks behind pace goes to the owner with a recovery action.");

    let mut req = Table::new(
        "What the revenue target needs",
        &[
            "Metric",
            "Quarter",
            "Due (months before close)",
            "In flight at start",
            "Last quarter",
            "Flag",
        ],
    );
    for q in &g.goals.requirements {
        req = req.row(vec![
            q.metric.clone(),
            fmt(&q.metric, q.quarter),
            q.lead_months.to_string(),
            fmt(&q.metric, q.in_flight),
            q.last_quarter
                .map_or_else(|| "—".into(), |l| fmt(&q.metric, l)),
            match (q.above_history, q.stretch) {
                (true, _) => "above history".into(),
                (false, true) => "stretch".into(),
                _ => "—".into(),
            },
        ]);
    }
    let mut months = Table::new(
        "Monthly milestones",
        &[
            "Month",
            "Revenue",
            "Pipeline opened",
            "Opportunities",
            "SQLs",
            "MQLs",
            "Leads",
        ],
    );
    for m in &g.goals.months {
        months = months.row(vec![
            m.month.clone(),
            money(m.revenue),
            money(m.pipeline),
            whole(m.opportunities),
            whole(m.sqls),
            whole(m.mqls),
            whole(m.leads),
        ]);
    }
    let mut message = Message::new(format!("{} — goals & KPIs", stage_title(7)), body).table(req);
    if let Some(f) = &g.handoff.forecast {
        message = message.table(super::forecast::table(f));
    }
    let mut message = message.table(months);
    if !g.channel_targets.is_empty() {
        let mut t = Table::new(
            "Channel targets",
            &["Channel", "Spend", "Expected revenue", "MQLs"],
        );
        for c in &g.channel_targets {
            t = t.row(vec![
                names.name(&c.channel),
                money(c.spend),
                money(c.revenue),
                whole(c.mqls),
            ]);
        }
        message = message.table(t);
    }
    let mut k = Table::new("KPIs", &["KPI", "Definition", "Source", "Cadence", "Owner"]);
    for kpi in &g.handoff.kpis {
        k = k.row(vec![
            kpi.name.clone(),
            kpi.definition.clone(),
            kpi.source.clone(),
            kpi.cadence.clone(),
            kpi.owner.clone().unwrap_or_else(|| "unassigned".into()),
        ]);
    }
    (message.table(k), headline)
}

fn fmt(metric: &str, v: f64) -> String {
    if metric == "revenue" || metric == "pipeline" {
        money(v)
    } else {
        whole(v)
    }
}

/// MQLs and SQLs due per month of the planned quarter.
pub fn chart(g: &GoalsFindings) -> Option<OutputFile> {
    if g.goals.months.is_empty() {
        return None;
    }
    let spec = GroupedBars {
        title: "Monthly milestones".into(),
        subtitle: Some(
            "MQLs, SQLs and opportunities due each month (lag-shifted, seasonal)".into(),
        ),
        categories: g.goals.months.iter().map(|m| m.month.clone()).collect(),
        series: vec![
            BarSeries {
                name: "MQLs".into(),
                values: g.goals.months.iter().map(|m| m.mqls).collect(),
            },
            BarSeries {
                name: "SQLs".into(),
                values: g.goals.months.iter().map(|m| m.sqls).collect(),
            },
            BarSeries {
                name: "Opportunities".into(),
                values: g.goals.months.iter().map(|m| m.opportunities).collect(),
            },
        ],
        orientation: Orientation::Vertical,
        format: ValueFormat::Number,
        value_axis: "Due in the month".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    };
    match charts::grouped_bars(&spec) {
        Ok(png) => Some(OutputFile::png("monthly-milestones.png", png.bytes)),
        Err(e) => {
            tracing::warn!(chart = "monthly-milestones", error = %e, "chart left out");
            None
        }
    }
}
