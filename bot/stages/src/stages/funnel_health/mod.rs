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
//!
//! `compute` gathers the typed findings ([`FunnelFindings`]); the post is written from
//! them alone in `post`.

pub(crate) mod post;

use quarterdeck_analyses::funnel::{self, Funnel, Priority, Transition};
use quarterdeck_analyses::roi::Period;
use serde_json::json;

use chrono::{DateTime, Utc};

pub use super::handoff::Bottleneck;
use super::handoff::{self, FunnelHandoff, FunnelStep};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput};
use crate::sources;

/// What stage 2 measured: every figure its post states.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FunnelFindings {
    /// Leads created in the quarter under review.
    pub leads: usize,
    pub funnel: Funnel,
    /// One per transition of `funnel`, in order: its mature rate and benchmark.
    pub steps: Vec<StepCheck>,
    /// Share of leads that become customers at the mature rates (their product; a step
    /// without one counts as 0).
    pub end_to_end: f64,
    /// Steps whose mature rate's whole interval is under the benchmark median.
    pub below_benchmark: Vec<Bottleneck>,
    /// Of those, the steps whose rate last quarter was under the benchmark too.
    pub persistent_bottlenecks: Vec<Persistent>,
    /// The funnel of the quarter before's leads (created on the same days of it).
    pub prior_quarter: Option<Funnel>,
    /// What lifting each step to its target (benchmark, else last quarter's rate) adds.
    pub priorities: Vec<Priority>,
}

/// A transition's mature rate and the published benchmark it is held against.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepCheck {
    pub mature: Option<MatureRate>,
    pub benchmark: Option<Benchmark>,
}

/// A step's rate over the leads that entered it at least `lag_days` (its
/// 90th-percentile lag) before the data ends.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MatureRate {
    pub transition: Transition,
    pub lag_days: f64,
}

/// The median of the published rates for a step, and the first source quoted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Benchmark {
    pub median: f64,
    pub source: String,
}

/// A bottleneck that was under the benchmark last quarter too, at `previous_rate`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Persistent {
    pub from: String,
    pub to: String,
    pub benchmark: f64,
    pub previous_rate: f64,
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let Some((leads_table, table, _)) = sources::read_leads_and_deals(&inputs.data)? else {
        return Ok(super::inventory::unavailable(
            2,
            inputs,
            "leads.csv is not in the data folder".into(),
        ));
    };
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
    let below: Vec<Bottleneck> = f
        .transitions
        .iter()
        .zip(&benchmarks)
        .zip(&mature)
        .filter_map(|((t, b), m)| {
            let (b, m) = (b.as_ref()?, m.as_ref()?);
            let high = m.transition.wilson_high?;
            (high < b.median).then(|| Bottleneck {
                from: t.from.clone(),
                to: t.to.clone(),
                mature_rate: m.transition.rate,
                interval_high: high,
                leads: m.transition.entered,
                lag_days: m.lag_days,
                benchmark: b.median,
                source: b.source.clone(),
            })
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
    let persistent: Vec<Persistent> = f
        .transitions
        .iter()
        .enumerate()
        .filter_map(|(k, t)| {
            let b = benchmarks[k].as_ref()?;
            let m = mature[k].as_ref()?;
            let (now, before) = (m.transition.wilson_high?, prior_rate(k)?);
            (now < b.median && before < b.median).then(|| Persistent {
                from: t.from.clone(),
                to: t.to.clone(),
                benchmark: b.median,
                previous_rate: before,
            })
        })
        .collect();
    // What lifting each step to its benchmark (or, without one, to last quarter's rate)
    // would add at the end of the funnel, rates taken mature where measurable.
    let rates: Vec<Option<f64>> = (0..f.transitions.len())
        .map(|k| {
            mature[k]
                .as_ref()
                .and_then(|m| m.transition.rate)
                .or(f.transitions[k].rate)
        })
        .collect();
    let targets: Vec<Option<f64>> = (0..f.transitions.len())
        .map(|k| {
            benchmarks[k]
                .as_ref()
                .map(|b| b.median)
                .or_else(|| prior_rate(k))
        })
        .collect();
    let priorities = funnel::priorities(&f.transitions, &rates, &targets);
    let end_to_end: f64 = mature
        .iter()
        .map(|m| m.as_ref().and_then(|m| m.transition.rate).unwrap_or(0.0))
        .product();
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
    let findings = FunnelFindings {
        leads: leads.len(),
        funnel: f,
        steps: mature
            .into_iter()
            .zip(benchmarks)
            .map(|(mature, benchmark)| StepCheck { mature, benchmark })
            .collect(),
        end_to_end,
        below_benchmark: below,
        persistent_bottlenecks: persistent,
        prior_quarter: prior,
        priorities,
    };
    let (message, headline) = post::message(&findings, &inputs.names);
    let files = super::charts::funnel(&findings.funnel, &inputs.review_label())
        .into_iter()
        .collect();
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 2, "available": true, "headline": headline,
            "leads": findings.leads, "funnel": findings.funnel, "steps": findings.steps,
            "end_to_end": findings.end_to_end, "below_benchmark": findings.below_benchmark,
            "persistent_bottlenecks": findings.persistent_bottlenecks,
            "prior_quarter": findings.prior_quarter, "priorities": findings.priorities,
            (handoff::KEY): handoff,
        }),
    )
    .with_files(files))
}

/// Each step's rate over leads that entered it at least its 90th-percentile lag before
/// `as_of`, with that lag in days.
fn mature_rates(table: &sources::LeadTable, as_of: i64) -> Vec<Option<MatureRate>> {
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
            f.transitions
                .into_iter()
                .next()
                .map(|transition| MatureRate {
                    transition,
                    lag_days: p90,
                })
        })
        .collect()
}

/// The median of the published rates for each transition (`funnel_<from>_to_<to>`,
/// `opportunity → won` read as `opportunity_to_close`), with the source of the figures.
fn benchmark_medians(
    inputs: &StageInputs,
    transitions: &[Transition],
) -> Result<Vec<Option<Benchmark>>, StageError> {
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
            Some(Benchmark {
                median,
                source: values[0].1.to_owned(),
            })
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
