//! Stage 2, funnel health: the funnel of leads created in the quarter under review,
//! overall and by source, with 95% Wilson intervals, stage velocity, the source
//! differences that survive a Holm-corrected two-proportion test, and each transition
//! against the published benchmark median (`benchmarks.csv`, when present): a
//! transition is flagged below benchmark only when its whole interval is under it.
//!
//! Right censoring: leads that entered a stage shortly before the export have not had
//! time to move on, so a quarter's late steps look worse than they are. Benchmark
//! comparisons therefore use each step's *mature* rate: over every lead in the file that
//! entered the step at least its 90th-percentile lag before the export.

use quarterdeck_analyses::funnel::{self, Funnel, Transition};
use quarterdeck_analyses::roi::Period;
use serde_json::json;

use chrono::{DateTime, Utc};

use super::handoff::{self, FunnelHandoff, FunnelStep};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, stage_title};
use crate::chat::{Message, Table};
use crate::report::count;
use crate::report::percent_or_dash;
use crate::sources;

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let Some((leads_table, table, _)) = sources::read_leads_and_deals(&inputs.data)? else {
        return Ok(super::inventory::unavailable(
            2,
            inputs,
            "leads.csv is not in the data folder".into(),
        ));
    };
    let names = &inputs.names;
    let step = |from: &str, to: &str| format!("{} → {}", names.name(from), names.name(to));
    let (from, to) = inputs.review_window();
    let leads: Vec<_> = table
        .leads
        .iter()
        .zip(&table.first_seen)
        .filter(|(_, first)| first.is_some_and(|t| t >= from && t <= to))
        .map(|(l, _)| l.clone())
        .collect();
    let f = funnel::analyze(&table.stages, &leads, Some("source")).map_err(|e| {
        StageError::BadFile {
            file: leads_table.file.clone(),
            message: e.to_string(),
        }
    })?;
    let benchmarks = benchmark_medians(inputs, &f.transitions)?;
    // Maturity is measured from the day the data runs to, not from a quarter end it
    // has not reached.
    let covered = super::data_notes::covered(inputs);
    let mature = mature_rates(&table, covered.end().timestamp());
    let below: Vec<String> = f
        .transitions
        .iter()
        .zip(&benchmarks)
        .zip(&mature)
        .filter_map(|((t, b), m)| {
            let (b, m) = (b.as_ref()?, m.as_ref()?);
            let high = m.0.wilson_high?;
            (high < b.0).then(|| format!(
                "{}: mature rate {} (interval up to {}, {} leads at least {:.0} days in) is below the benchmark median {} ({})",
                step(&t.from, &t.to), percent_or_dash(m.0.rate), percent_or_dash(Some(high)), count(m.0.entered as usize), m.1, percent_or_dash(Some(b.0)), b.1
            ))
        })
        .collect();
    // The quarter before, for persistence: its leads have had a quarter more to convert,
    // so its rates are compared with benchmarks, not with this quarter's young rates. Its
    // leads are those created on the same days of it as this quarter's data covers.
    let q = covered.quarters();
    let earlier: Vec<_> = table
        .leads
        .iter()
        .zip(&table.first_seen)
        .filter(|(_, first)| {
            first.is_some_and(|t| q.period(t.date_naive()) == Some(Period::Previous))
        })
        .map(|(l, _)| l.clone())
        .collect();
    let prior = (!earlier.is_empty())
        .then(|| funnel::analyze(&table.stages, &earlier, None).ok())
        .flatten();
    let prior_rate = |k: usize| prior.as_ref().and_then(|p| p.transitions.get(k)?.rate);
    let persistent: Vec<String> = f
        .transitions
        .iter()
        .enumerate()
        .filter_map(|(k, t)| {
            let b = benchmarks[k].as_ref()?;
            let m = mature[k].as_ref()?;
            let (now, before) = (m.0.wilson_high?, prior_rate(k)?);
            (now < b.0 && before < b.0).then(|| {
                format!(
                    "{} was below the benchmark {} last quarter too ({})",
                    step(&t.from, &t.to),
                    percent_or_dash(Some(b.0)),
                    percent_or_dash(Some(before))
                )
            })
        })
        .collect();
    // What lifting each step to its benchmark (or, without one, to last quarter's rate)
    // would add at the end of the funnel, rates taken mature where measurable.
    let rates: Vec<Option<f64>> = (0..f.transitions.len())
        .map(|k| {
            mature[k]
                .as_ref()
                .and_then(|m| m.0.rate)
                .or(f.transitions[k].rate)
        })
        .collect();
    let targets: Vec<Option<f64>> = (0..f.transitions.len())
        .map(|k| {
            benchmarks[k]
                .as_ref()
                .map(|b| b.0)
                .or_else(|| prior_rate(k))
        })
        .collect();
    let priorities = funnel::priorities(&f.transitions, &rates, &targets);
    let headline = headline(&f, &mature, leads.len(), &below, names);
    let mut overall = Table::new(
        "Funnel of leads created in the quarter",
        &[
            "Transition",
            "Entered",
            "Converted",
            "Rate (95% interval)",
            "Median days",
            "Mature rate",
            "Benchmark",
        ],
    );
    for ((t, b), m) in f.transitions.iter().zip(&benchmarks).zip(&mature) {
        overall = overall.row(vec![
            format!("{} → {}", names.name(&t.from), names.name(&t.to)),
            count(t.entered as usize),
            count(t.converted as usize),
            rate_cell(t),
            t.median_days
                .map_or_else(|| "—".into(), |d| format!("{d:.1}")),
            m.as_ref().map_or_else(|| "—".into(), |m| rate_cell(&m.0)),
            b.as_ref()
                .map_or_else(|| "—".into(), |b| percent_or_dash(Some(b.0))),
        ]);
    }
    let mut by_source = Table::new("By source", &["Source", "Leads", "Lead → MQL", "MQL → SQL"]);
    for (source, rows) in &f.by {
        by_source = by_source.row(vec![
            names.name(source),
            count(rows.first().map_or(0, |t| t.entered as usize)),
            rows.first().map_or_else(|| "—".into(), rate_cell),
            rows.get(1).map_or_else(|| "—".into(), rate_cell),
        ]);
    }
    let mut body = headline.clone();
    for d in &f.differences {
        body.push_str(&format!(
            "\n- **{}** {} → {}: {} against {} for other sources (Holm-adjusted p {:.4}).",
            names.name(&d.group),
            names.name(&d.from),
            names.name(&d.to),
            percent_or_dash(Some(d.rate)),
            percent_or_dash(Some(d.rest_rate)),
            d.p_adjusted
        ));
    }
    for b in &below {
        body.push_str(&format!("\n- Bottleneck: {b}."));
    }
    for p in &persistent {
        body.push_str(&format!("\n- Persistent: {p}."));
    }
    if !priorities.is_empty() {
        body.push_str("\n\n**Optimisation priorities** (extra customers, i.e. leads reaching the last stage, if the step alone reached its target):");
        for (i, p) in priorities.iter().enumerate() {
            body.push_str(&format!(
                "\n{}. {}: {} to {} adds ≈{:.1}.",
                i + 1,
                step(&p.from, &p.to),
                percent_or_dash(Some(p.rate)),
                percent_or_dash(Some(p.target)),
                p.extra_final
            ));
        }
    }
    body.push_str("\n\nLeads created late in the quarter may still convert after the export; benchmark comparisons use each step's mature rate (leads in the step for at least its 90th-percentile lag).");
    let handoff = FunnelHandoff {
        stages: f.stages.clone(),
        steps: f
            .transitions
            .iter()
            .zip(&rates)
            .filter_map(|(t, rate)| {
                Some(FunnelStep {
                    from: t.from.clone(),
                    to: t.to.clone(),
                    rate: (*rate)?,
                    entered: t.entered,
                    converted: t.converted,
                    median_lag_days: t.median_days,
                })
            })
            .collect(),
        average_deal: average_deal(&table, from, to),
        leads_by_month: leads_by_month(&table, from, to),
        bottlenecks: below.clone(),
    };
    let message = Message::new(format!("{} — funnel", stage_title(2)), body)
        .table(overall)
        .table(by_source);
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 2, "available": true, "headline": headline,
            "funnel": f, "below_benchmark": below, "persistent_bottlenecks": persistent,
            "prior_quarter": prior, "priorities": priorities, (handoff::KEY): handoff,
        }),
    )
    .with_files(
        super::charts::funnel(&f, &inputs.review_label())
            .into_iter()
            .collect(),
    ))
}

/// Each step's rate over leads that entered it at least its 90th-percentile lag before
/// `as_of`, with that lag in days.
fn mature_rates(table: &sources::LeadTable, as_of: i64) -> Vec<Option<(Transition, f64)>> {
    let entry = |l: &funnel::Lead, s: usize| l.stages[s..].iter().flatten().min().copied();
    (0..table.stages.len().saturating_sub(1))
        .map(|a| {
            let mut lags: Vec<f64> = table
                .leads
                .iter()
                .filter_map(|l| Some((l.stages[a + 1]? - l.stages[a]?) as f64 / 86_400.0))
                .collect();
            if lags.is_empty() {
                return None;
            }
            lags.sort_by(f64::total_cmp);
            let p90 = lags[(lags.len() * 9 / 10).min(lags.len() - 1)];
            let cutoff = as_of - (p90 * 86_400.0) as i64;
            let mature: Vec<funnel::Lead> = table
                .leads
                .iter()
                .filter(|l| entry(l, a).is_some_and(|t| t <= cutoff))
                .cloned()
                .collect();
            let pair = [table.stages[a].clone(), table.stages[a + 1].clone()];
            let narrowed: Vec<funnel::Lead> = mature
                .into_iter()
                .map(|l| funnel::Lead {
                    stages: vec![entry(&l, a), entry(&l, a + 1)],
                    ..l
                })
                .collect();
            let f = funnel::analyze(&pair, &narrowed, None).ok()?;
            f.transitions.into_iter().next().map(|t| (t, p90))
        })
        .collect()
}

fn rate_cell(t: &Transition) -> String {
    format!(
        "{} ({}–{})",
        percent_or_dash(t.rate),
        percent_or_dash(t.wilson_low),
        percent_or_dash(t.wilson_high)
    )
}

fn headline(
    f: &Funnel,
    mature: &[Option<(Transition, f64)>],
    leads: usize,
    below: &[String],
    names: &crate::report::DisplayNames,
) -> String {
    let end_to_end: f64 = mature
        .iter()
        .map(|m| m.as_ref().and_then(|m| m.0.rate).unwrap_or(0.0))
        .product();
    let weakest = mature
        .iter()
        .flatten()
        .map(|m| &m.0)
        .filter(|t| t.rate.is_some())
        .min_by(|a, b| a.rate.unwrap_or(1.0).total_cmp(&b.rate.unwrap_or(1.0)));
    let mut s = format!(
        "{} leads created in the quarter under review; at the mature stage rates {} of leads become customers.",
        count(leads),
        percent_or_dash(Some(end_to_end))
    );
    if let Some(w) = weakest {
        s.push_str(&format!(
            " The weakest step is {} → {} at {}.",
            names.name(&w.from),
            names.name(&w.to),
            percent_or_dash(w.rate)
        ));
    }
    if let Some(d) = f.differences.first() {
        let n = f.differences.len();
        s.push_str(&format!(
            " {} between sources {} statistically real after Holm correction{}: {} converts {} → {} at {} against {} for the rest.",
            if n == 1 { "One difference".to_owned() } else { format!("{n} differences") },
            if n == 1 { "is" } else { "are" },
            if n == 1 { "" } else { ", the first" },
            names.name(&d.group),
            names.name(&d.from),
            names.name(&d.to),
            percent_or_dash(Some(d.rate)),
            percent_or_dash(Some(d.rest_rate))
        ));
    }
    if !below.is_empty() {
        let steps: Vec<String> = below
            .iter()
            .filter_map(|b| b.split(':').next().map(str::to_owned))
            .collect();
        s.push_str(&format!(
            " Below the industry benchmark: {}.",
            steps.join(", ")
        ));
    }
    s
}

/// The median of the published rates for each transition (`funnel_<from>_to_<to>`,
/// `opportunity → won` read as `opportunity_to_close`), with the source of the figures.
fn benchmark_medians(
    inputs: &StageInputs,
    transitions: &[Transition],
) -> Result<Vec<Option<(f64, String)>>, StageError> {
    let Some(t) = inputs.data.table("benchmarks.csv")? else {
        return Ok(vec![None; transitions.len()]);
    };
    let (metric, value, unit, source) = (
        t.require("metric", &[])?,
        t.require("value", &[])?,
        t.require("unit", &[])?,
        t.require("source", &[])?,
    );
    let mut rows = Vec::new();
    for r in t.rows() {
        rows.push((
            r.str(metric).to_owned(),
            r.number(value)?,
            r.str(unit).to_owned(),
            r.str(source).to_owned(),
        ));
    }
    Ok(transitions
        .iter()
        .map(|tr| {
            let to = if tr.to == "won" {
                "close"
            } else {
                tr.to.as_str()
            };
            let name = format!("funnel_{}_to_{}", tr.from, to);
            let mut values: Vec<(f64, &str)> = rows
                .iter()
                .filter(|(m, _, u, _)| *m == name && u == "percent")
                .map(|(_, v, _, s)| (v / 100.0, s.split(" (").next().unwrap_or(s)))
                .collect();
            if values.is_empty() {
                return None;
            }
            values.sort_by(|a, b| a.0.total_cmp(&b.0));
            let n = values.len();
            let median = if n % 2 == 1 {
                values[n / 2].0
            } else {
                (values[n / 2 - 1].0 + values[n / 2].0) / 2.0
            };
            Some((median, values[0].1.to_owned()))
        })
        .collect())
}

/// Mean amount of the deals won by leads created in the window.
fn average_deal(table: &sources::LeadTable, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<f64> {
    let won = table.stages.len().checked_sub(1)?;
    let amounts: Vec<f64> = table
        .leads
        .iter()
        .zip(&table.first_seen)
        .zip(&table.amounts)
        .filter(|((l, first), _)| {
            first.is_some_and(|t| t >= from && t <= to) && l.stages[won].is_some()
        })
        .filter_map(|(_, amount)| *amount)
        .collect();
    (!amounts.is_empty()).then(|| amounts.iter().sum::<f64>() / amounts.len() as f64)
}

/// Leads created in each month of the window, oldest first.
fn leads_by_month(
    table: &sources::LeadTable,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(String, u64)> {
    let mut months = std::collections::BTreeMap::<String, u64>::new();
    for t in table.first_seen.iter().flatten() {
        if *t >= from && *t <= to {
            *months.entry(t.format("%Y-%m").to_string()).or_default() += 1;
        }
    }
    months.into_iter().collect()
}
