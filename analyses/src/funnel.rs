//! Funnel health: stage-to-stage conversion with 95% Wilson intervals, stage velocity,
//! and the same by group (source, segment, region) and by monthly cohort, per
//! `quarterdeck analyze funnel` in docs/contracts/analyses-cli.md.
//!
//! Definitions:
//! - A lead *reached* stage S when it has S's timestamp or that of any later stage (CRMs
//!   often skip stamping intermediate stages); so a transition A → B counts the leads that
//!   reached A (`entered`) and, of those, the leads that reached B (`converted`), in any
//!   gap of stages. Transitions are the consecutive pairs of the stage list.
//! - `rate` = converted / entered, with the Wilson score interval at 95%
//!   (z = 1.959963984540054; Wilson 1927, Newcombe 1998).
//! - `median_days` / `mean_days`: days from A's to B's timestamp over converted leads
//!   stamped at both (absent when none).
//! - Differences between groups: each group against all other leads, two-proportion
//!   z-test with pooled variance, two-sided; p-values adjusted by Holm's step-down method
//!   over every comparison made; only adjusted p < 0.05 is reported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const Z95: f64 = 1.959_963_984_540_054;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    /// Timestamps (seconds) aligned with the stage list; `None` when not stamped.
    pub stages: Vec<Option<i64>>,
    /// Grouping values, e.g. {"source": "email"}.
    pub groups: BTreeMap<String, String>,
    /// "YYYY-MM" of the lead's first stamped stage.
    pub cohort: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub entered: u64,
    pub converted: u64,
    pub rate: Option<f64>,
    pub wilson_low: Option<f64>,
    pub wilson_high: Option<f64>,
    pub median_days: Option<f64>,
    pub mean_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    pub month: String,
    pub transitions: Vec<Transition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub from: String,
    pub to: String,
    pub group: String,
    pub rate: f64,
    pub rest_rate: f64,
    pub z: f64,
    pub p_adjusted: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    pub stages: Vec<String>,
    pub transitions: Vec<Transition>,
    pub by: BTreeMap<String, Vec<Transition>>,
    pub cohorts: Vec<Cohort>,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FunnelError {
    #[error("a funnel needs at least two stages, found {0}")]
    TooFewStages(usize),
    #[error("lead {index} has {found} stage timestamps, expected {expected}")]
    Misaligned {
        index: usize,
        found: usize,
        expected: usize,
    },
}

/// The Wilson score interval for `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / d;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Two-sided p-value of a standard normal statistic.
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Holm's step-down adjustment of p-values (same order out as in).
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|a, b| p[*a].total_cmp(&p[*b]));
    let mut out = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, i) in idx.into_iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

fn reached(lead: &Lead, s: usize) -> Option<bool> {
    Some(lead.stages.get(s..)?.iter().any(Option::is_some))
}

fn transitions(stages: &[String], leads: &[&Lead]) -> Vec<Transition> {
    (0..stages.len() - 1)
        .map(|a| {
            let b = a + 1;
            let entered: Vec<&&Lead> = leads
                .iter()
                .filter(|l| reached(l, a) == Some(true))
                .collect();
            let converted = entered
                .iter()
                .filter(|l| reached(l, b) == Some(true))
                .count() as u64;
            let mut days: Vec<f64> = entered
                .iter()
                .filter_map(|l| Some((l.stages[b]? - l.stages[a]?) as f64 / 86_400.0))
                .collect();
            days.sort_by(f64::total_cmp);
            let n = entered.len() as u64;
            let w = wilson(converted, n, Z95);
            Transition {
                from: stages[a].clone(),
                to: stages[b].clone(),
                entered: n,
                converted,
                rate: (n > 0).then(|| converted as f64 / n as f64),
                wilson_low: w.map(|w| w.0),
                wilson_high: w.map(|w| w.1),
                median_days: median(&days),
                mean_days: (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64),
            }
        })
        .collect()
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The funnel of `leads` through `stages`, grouped by the `by` dimension when given.
pub fn analyze(stages: &[String], leads: &[Lead], by: Option<&str>) -> Result<Funnel, FunnelError> {
    if stages.len() < 2 {
        return Err(FunnelError::TooFewStages(stages.len()));
    }
    if let Some((index, l)) = leads
        .iter()
        .enumerate()
        .find(|(_, l)| l.stages.len() != stages.len())
    {
        return Err(FunnelError::Misaligned {
            index,
            found: l.stages.len(),
            expected: stages.len(),
        });
    }
    let all: Vec<&Lead> = leads.iter().collect();
    let mut groups: BTreeMap<String, Vec<&Lead>> = BTreeMap::new();
    if let Some(dim) = by {
        for l in leads {
            groups
                .entry(l.groups.get(dim).cloned().unwrap_or_default())
                .or_default()
                .push(l);
        }
    }
    let mut cohorts: BTreeMap<String, Vec<&Lead>> = BTreeMap::new();
    for l in leads {
        if let Some(c) = &l.cohort {
            cohorts.entry(c.clone()).or_default().push(l);
        }
    }
    let by_group: BTreeMap<String, Vec<Transition>> = groups
        .iter()
        .map(|(g, ls)| (g.clone(), transitions(stages, ls)))
        .collect();
    let overall = transitions(stages, &all);
    Ok(Funnel {
        stages: stages.to_vec(),
        differences: differences(&overall, &by_group),
        transitions: overall,
        by: by_group,
        cohorts: cohorts
            .into_iter()
            .map(|(month, ls)| Cohort {
                transitions: transitions(stages, &ls),
                month,
            })
            .collect(),
    })
}

fn differences(overall: &[Transition], by: &BTreeMap<String, Vec<Transition>>) -> Vec<Difference> {
    let mut tests = Vec::new();
    for (group, rows) in by {
        for (i, t) in rows.iter().enumerate() {
            let (n1, k1) = (t.entered as f64, t.converted as f64);
            let (n2, k2) = (
                overall[i].entered as f64 - n1,
                overall[i].converted as f64 - k1,
            );
            if n1 < 1.0 || n2 < 1.0 {
                continue;
            }
            let pooled = (k1 + k2) / (n1 + n2);
            let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
            if se == 0.0 {
                continue;
            }
            let z = (k1 / n1 - k2 / n2) / se;
            tests.push((
                group.clone(),
                t.from.clone(),
                t.to.clone(),
                k1 / n1,
                k2 / n2,
                z,
                two_sided_p(z),
            ));
        }
    }
    let adjusted = holm(&tests.iter().map(|t| t.6).collect::<Vec<_>>());
    tests
        .into_iter()
        .zip(adjusted)
        .filter(|(_, p)| *p < 0.05)
        .map(|(t, p)| Difference {
            group: t.0,
            from: t.1,
            to: t.2,
            rate: t.3,
            rest_rate: t.4,
            z: t.5,
            p_adjusted: p,
        })
        .collect()
}

/// One step worth improving: what lifting its rate to `target` would add at the end of
/// the funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    pub from: String,
    pub to: String,
    pub rate: f64,
    pub target: f64,
    /// Extra leads reaching the last stage: entered × (target − rate) × the product of
    /// the later steps' rates (each later rate held as measured).
    pub extra_final: f64,
}

/// Steps whose `rates[k]` falls short of `targets[k]` (a benchmark, the prior quarter),
/// ranked by the extra leads that would reach the last stage if the step alone rose to
/// its target. `rates` may differ from the transitions' own (e.g. censoring-corrected).
pub fn priorities(
    transitions: &[Transition],
    rates: &[Option<f64>],
    targets: &[Option<f64>],
) -> Vec<Priority> {
    let mut out: Vec<Priority> = transitions
        .iter()
        .enumerate()
        .filter_map(|(k, t)| {
            let (rate, target) = (rates.get(k).copied()??, targets.get(k).copied()??);
            if target <= rate {
                return None;
            }
            let downstream: f64 = (k + 1..transitions.len())
                .map(|j| rates.get(j).copied().flatten().unwrap_or(0.0))
                .product();
            Some(Priority {
                from: t.from.clone(),
                to: t.to.clone(),
                rate,
                target,
                extra_final: t.entered as f64 * (target - rate) * downstream,
            })
        })
        .collect();
    out.sort_by(|a, b| b.extra_final.total_cmp(&a.extra_final));
    out
}
