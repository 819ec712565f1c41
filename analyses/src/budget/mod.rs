//! Budget allocation across channels with response curves, per `quarterdeck analyze
//! budget` in docs/contracts/analyses-cli.md. Owns the spec's validation, the
//! optimiser and the two baselines; the curve formulas live in [`crate::curves`].
//!
//! # Problem
//! The allocatable amount is `A = total·(1 − reserve)`; the reserve must lie in the
//! planning rule's [10%, 15%] unless `allow_reserve_outside_range` is set. With channel
//! responses `f_i` and bounds `lo_i = min` (default 0), `hi_i = max` (default `A`):
//!
//! maximise `Σ f_i(x_i)` subject to `Σ x_i = A` exactly and `lo_i ≤ x_i ≤ hi_i`.
//!
//! # Method
//! Every curve rises; all are concave except the hill curve with `α > 1`, convex below its
//! inflection `c_i` and concave above (an "S-channel" when `c_i > lo_i`).
//!
//! 1. **Concave case** (no S-channel): the problem is concave, so the KKT conditions are
//!    sufficient. With `g_i(λ)` the spend where `f_i'(x) = λ`, clamped to the bounds,
//!    `Σ g_i(λ)` falls continuously in `λ`; a safeguarded Newton iteration on `λ`
//!    (bracketed, bisection in `log λ` as fallback) finds `Σ g_i(λ) = A`. Interior
//!    channels then share the marginal ROI `λ`, channels at their max have `f' ≥ λ`, at
//!    their min `f' ≤ λ`. A last, tiny residual is spread over channels with room so the
//!    sum is `A` to rounding.
//! 2. **S-curves: grid dynamic programme.** The free amount `R = A − Σ lo_i` is cut into
//!    `G` steps of `h = R/G` (`G` from 1000 to 3000, fewer for many S-channels). The
//!    concave channels merge exactly on the grid (their increments fall, so the best use
//!    of `s` steps takes the `s` largest increments); each S-channel is then added by an
//!    exact max-plus convolution `best'[s] = max_j best[s−j] + f_i(lo_i + j·h)`. This is
//!    the global optimum over the grid, so its value is within `h·Σ L_i` of the true
//!    optimum (`L_i` the largest slope of `f_i`): it picks the right basin, i.e. which
//!    S-channels are switched on (spend past `lo_i`) and which stay at their minimum.
//! 3. **Exact refinement.** For a configuration (each S-channel on: `x_i ∈ [max(lo_i,
//!    c_i), hi_i]`, its concave branch; or off: `x_i = lo_i`) the problem is concave and
//!    step 1 solves it exactly. At the optimum every S-channel is on or off in this sense,
//!    except at most one left strictly inside its convex part (two there could trade money
//!    and gain, their second derivatives being positive). So the search is over
//!    configurations, each priced exactly: the coarse grid's configuration first; then, a
//!    few rounds while the value rises, (a) a finer grid (4000 steps) restricted to ±5%
//!    windows around the best solution so far, with S-channels also free to drop to their
//!    minimum or to start at their concave-branch point for the current `λ`: this finds
//!    several switches at once (one channel off, two others on) that the coarse grid
//!    cannot tell apart, and (b) each single switch of an S-channel. Where the coarse grid
//!    left an S-channel inside its convex part, that channel is also kept free there while
//!    the rest are re-solved for each of its spends (a scan, then golden section). The
//!    coarse grid point itself is a candidate too, so the result is never worse than the
//!    grid optimum.
//! 4. **Certificate.** With the refined `λ`, if every channel's spend maximises
//!    `f_i(t) − λ·t` over `[lo_i, hi_i]` (for an S-channel: compare its minimum with the
//!    best point of its concave branch, the convex part cannot hold a maximum), then for
//!    any feasible `y`: `Σ f_i(y_i) = Σ (f_i(y_i) − λ·y_i) + λ·A ≤ Σ (f_i(x_i) − λ·x_i) +
//!    λ·A = Σ f_i(x_i)`, so the allocation is the global optimum; `certified_optimal`
//!    reports it. It fails where the Lagrangian dual has a gap (an S-channel worth
//!    funding overall whose average ROI is below the common marginal `λ`, or one whose
//!    switch-on overshoots `A`); then the result rests on the grids: it is at least the
//!    coarse grid optimum, so within `h·Σ L_i` of the global one, and in
//!    examples/budget_bench.rs never below an independent 5000-step grid.
//!
//! # Baselines
//! - `historical_mix`: last quarter's spend shares scaled to `A`, clamped into the bounds
//!   and re-balanced: `x_i = clamp(t·h_i, lo_i, hi_i)` with `t` solving `Σ x_i = A`
//!   (channels without history weigh 0 and take only their minimum unless the others are
//!   full). Absent when no channel has a positive `historical`.
//! - `roi_proportional`: the same with weights `f_i(h_i)/h_i`, the historical average
//!   ROI; a channel without history uses its average ROI at an even split `A/n`.

use serde::{Deserialize, Serialize};

use crate::curves::{Curve, CurveError};

mod exact;
mod grid;
mod problem;
pub mod uncertain;

use problem::Problem;

/// The planning rule for the reserve share.
pub const RESERVE_RULE: (f64, f64) = (0.10, 0.15);

/// The budget spec, shaped like the contract's TOML (`[[channel]]` tables).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetSpec {
    /// Quarter budget, money units.
    pub total: f64,
    /// Share of `total` held back for tests.
    pub reserve: f64,
    /// Accept a reserve outside [`RESERVE_RULE`].
    #[serde(default)]
    pub allow_reserve_outside_range: bool,
    #[serde(rename = "channel", alias = "channels", default)]
    pub channels: Vec<ChannelSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Last quarter's spend, for the baselines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub historical: Option<f64>,
    pub curve: Curve,
}

/// The optimal allocation and the baselines it is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// `total·(1 − reserve)`, the amount the channels share.
    pub allocatable: f64,
    /// The money held back: `total·reserve`.
    pub reserve: f64,
    pub total_response: f64,
    /// True when the Lagrangian certificate (module doc, step 4) proves the optimum global;
    /// false means "not proved this way" (a duality gap), and the grid argument applies.
    pub certified_optimal: bool,
    /// Channels in the spec's order.
    pub channels: Vec<ChannelAllocation>,
    /// `null` when no channel states its `historical` spend (the key is always there).
    #[serde(default)]
    pub historical_mix: Option<Baseline>,
    pub roi_proportional: Baseline,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelAllocation {
    pub name: String,
    pub spend: f64,
    pub response: f64,
    /// `f'(spend)`: the response the next money unit would bring.
    pub marginal_roi: f64,
    /// Why the channel gets this spend, in a sentence for people.
    pub rationale: String,
}

/// A comparison allocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub total_response: f64,
    pub channels: Vec<BaselineChannel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineChannel {
    pub name: String,
    pub spend: f64,
    pub response: f64,
}

/// What is wrong with a spec.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BudgetError {
    #[error("the spec lists no channels")]
    NoChannels,
    #[error("`total` must be a positive finite number, found {0}")]
    Total(f64),
    #[error("`reserve` must be a share in [0, 1), found {0}")]
    Reserve(f64),
    #[error(
        "`reserve` {0} is outside the 10–15% planning rule; set \
         allow_reserve_outside_range = true to keep it"
    )]
    ReserveOutsideRule(f64),
    #[error("channel {0} (1-based) has an empty name")]
    EmptyName(usize),
    #[error("channel \"{0}\" is listed twice")]
    DuplicateName(String),
    #[error("channel \"{channel}\": `{field}` must be a non-negative finite number, found {value}")]
    Negative {
        channel: String,
        field: &'static str,
        value: f64,
    },
    #[error("channel \"{channel}\": min {min} exceeds max {max}")]
    MinAboveMax { channel: String, min: f64, max: f64 },
    #[error("channel \"{channel}\": {source}")]
    Curve { channel: String, source: CurveError },
    #[error("the channel minimums sum to {sum}, more than the allocatable {allocatable}")]
    MinimumsExceedAllocatable { sum: f64, allocatable: f64 },
    #[error("the channel maximums sum to {sum}, less than the allocatable {allocatable}")]
    MaximumsBelowAllocatable { sum: f64, allocatable: f64 },
}

/// Allocates `total·(1 − reserve)` across the channels to maximise total response.
pub fn allocate(spec: &BudgetSpec) -> Result<Allocation, BudgetError> {
    let allocatable = validate(spec)?;
    let problem = Problem::new(spec, allocatable);
    let solution = problem.optimise();

    let channels = spec
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = solution.x[i];
            ChannelAllocation {
                name: c.name.clone(),
                spend: x,
                response: c.curve.response(x),
                marginal_roi: c.curve.marginal(x),
                rationale: problem.rationale(i, x, solution.lambda, c.max.is_some()),
            }
        })
        .collect();
    let historical: Vec<f64> = spec
        .channels
        .iter()
        .map(|c| c.historical.unwrap_or(0.0))
        .collect();
    let historical_mix = historical
        .iter()
        .any(|h| *h > 0.0)
        .then(|| problem.baseline(spec, &historical));
    let even = allocatable / spec.channels.len() as f64;
    let roi: Vec<f64> = spec
        .channels
        .iter()
        .map(|c| {
            let at = c.historical.filter(|h| *h > 0.0).unwrap_or(even);
            c.curve.response(at) / at
        })
        .collect();
    Ok(Allocation {
        allocatable,
        reserve: spec.total * spec.reserve,
        total_response: problem.value(&solution.x),
        certified_optimal: solution.certified,
        channels,
        historical_mix,
        roi_proportional: problem.baseline(spec, &roi),
    })
}

fn validate(spec: &BudgetSpec) -> Result<f64, BudgetError> {
    if !(spec.total.is_finite() && spec.total > 0.0) {
        return Err(BudgetError::Total(spec.total));
    }
    if !(spec.reserve.is_finite() && (0.0..1.0).contains(&spec.reserve)) {
        return Err(BudgetError::Reserve(spec.reserve));
    }
    let (low, high) = RESERVE_RULE;
    if !spec.allow_reserve_outside_range && !(low..=high).contains(&spec.reserve) {
        return Err(BudgetError::ReserveOutsideRule(spec.reserve));
    }
    if spec.channels.is_empty() {
        return Err(BudgetError::NoChannels);
    }
    let allocatable = spec.total * (1.0 - spec.reserve);
    let mut names = std::collections::BTreeSet::new();
    let (mut sum_min, mut sum_max) = (0.0, 0.0);
    for (i, c) in spec.channels.iter().enumerate() {
        if c.name.trim().is_empty() {
            return Err(BudgetError::EmptyName(i + 1));
        }
        if !names.insert(c.name.as_str()) {
            return Err(BudgetError::DuplicateName(c.name.clone()));
        }
        for (field, value) in [("min", c.min), ("max", c.max), ("historical", c.historical)] {
            if let Some(value) = value
                && !(value.is_finite() && value >= 0.0)
            {
                return Err(BudgetError::Negative {
                    channel: c.name.clone(),
                    field,
                    value,
                });
            }
        }
        let (min, max) = (c.min.unwrap_or(0.0), c.max.unwrap_or(allocatable));
        if min > max {
            return Err(BudgetError::MinAboveMax {
                channel: c.name.clone(),
                min,
                max,
            });
        }
        c.curve.validate().map_err(|source| BudgetError::Curve {
            channel: c.name.clone(),
            source,
        })?;
        sum_min += min;
        sum_max += max.min(allocatable);
    }
    if sum_min > allocatable * (1.0 + 1e-12) {
        return Err(BudgetError::MinimumsExceedAllocatable {
            sum: sum_min,
            allocatable,
        });
    }
    if sum_max < allocatable * (1.0 - 1e-12) {
        return Err(BudgetError::MaximumsBelowAllocatable {
            sum: sum_max,
            allocatable,
        });
    }
    Ok(allocatable)
}
