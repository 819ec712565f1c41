//! Budget allocation across channels with response curves, per `quarterdeck analyze
//! budget` in ../shared/contracts/analyses-cli.md. Owns the spec's validation, the
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// The optimiser's result: spends, the common marginal ROI, and whether step 4 holds.
struct Solution {
    x: Vec<f64>,
    lambda: Option<f64>,
    certified: bool,
}

/// A candidate from one concave sub-problem or the grid.
struct Candidate {
    x: Vec<f64>,
    lambda: Option<f64>,
    value: f64,
    on: Vec<bool>,
}

struct Problem {
    curves: Vec<Curve>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Where each curve turns concave (0 for concave curves).
    inflection: Vec<f64>,
    total: f64,
}

/// Steps of the grid for `k` S-channels: the convolutions cost `k·G²/2`.
fn grid_steps(k: usize) -> usize {
    ((4e7 / k.max(1) as f64).sqrt() as usize).clamp(1000, 3000)
}

/// Rounds of the fine-grid and single-switch search after the coarse grid.
const SEARCH_ROUNDS: usize = 4;

/// Steps of the fine grid searched around a solution.
const WINDOW_STEPS: usize = 4000;

impl Problem {
    fn new(spec: &BudgetSpec, total: f64) -> Self {
        let curves: Vec<Curve> = spec.channels.iter().map(|c| c.curve).collect();
        let lo: Vec<f64> = spec.channels.iter().map(|c| c.min.unwrap_or(0.0)).collect();
        let hi = spec
            .channels
            .iter()
            .map(|c| c.max.unwrap_or(total).min(total))
            .collect();
        let inflection = curves.iter().map(Curve::concave_from).collect();
        Problem {
            curves,
            lo,
            hi,
            inflection,
            total,
        }
    }

    fn n(&self) -> usize {
        self.curves.len()
    }

    fn value(&self, x: &[f64]) -> f64 {
        self.curves.iter().zip(x).map(|(c, x)| c.response(*x)).sum()
    }

    fn is_s_channel(&self, i: usize) -> bool {
        self.inflection[i] > self.lo[i] && self.lo[i] < self.hi[i]
    }

    /// Where channel `i`'s concave branch starts inside its bounds.
    fn branch_start(&self, i: usize) -> f64 {
        self.lo[i].max(self.inflection[i].min(self.hi[i]))
    }

    /// Intervals of a configuration: S-channels on their concave branch or at `lo`.
    fn intervals(&self, on: &[bool]) -> Vec<(f64, f64)> {
        (0..self.n())
            .map(|i| match (self.is_s_channel(i), on[i]) {
                (false, _) => (self.lo[i], self.hi[i]),
                (true, true) => (self.branch_start(i), self.hi[i]),
                (true, false) => (self.lo[i], self.lo[i]),
            })
            .collect()
    }

    fn optimise(&self) -> Solution {
        let a = self.total;
        let tol = 1e-12 * a;
        let (sum_lo, sum_hi): (f64, f64) = (self.lo.iter().sum(), self.hi.iter().sum());
        // A single feasible point: every channel pinned at a bound.
        if a - sum_lo <= tol || sum_hi - a <= tol {
            let x = if a - sum_lo <= tol {
                &self.lo
            } else {
                &self.hi
            };
            return Solution {
                x: x.clone(),
                lambda: None,
                certified: true,
            };
        }
        let s_channels: Vec<usize> = (0..self.n()).filter(|i| self.is_s_channel(*i)).collect();
        if s_channels.is_empty() {
            let on = vec![true; self.n()];
            let best = self
                .solve(&self.intervals(&on), None)
                .expect("validated bounds admit a feasible allocation");
            return Solution {
                x: best.0,
                lambda: best.1,
                certified: true,
            };
        }

        let grid = self.grid_search(&s_channels);
        let mut best: Option<Candidate> = None;
        let consider = |c: Candidate, best: &mut Option<Candidate>| {
            if best.as_ref().is_none_or(|b| c.value > b.value) {
                *best = Some(c);
            }
        };
        if let Some(c) = self.candidate(&grid.on, None) {
            consider(c, &mut best);
        }
        let certified =
            |b: &Option<Candidate>| b.as_ref().is_some_and(|b| self.certified(&b.x, b.lambda));
        for _ in 0..SEARCH_ROUNDS {
            if certified(&best) {
                break;
            }
            let before = best.as_ref().map(|b| b.value);
            // The fine grid around the best so far: many switches at once, priced exactly.
            let around = best
                .as_ref()
                .and_then(|b| Some((b.lambda?, self.window_search(&b.x, b.lambda?)?, &b.on)));
            if let Some((lambda, on, current)) = around
                && &on != current
                && let Some(c) = self.candidate(&on, Some(lambda))
            {
                consider(c, &mut best);
            }
            // Single switches of each S-channel from the best so far.
            let (base_on, hint) = best
                .as_ref()
                .map_or((grid.on.clone(), None), |b| (b.on.clone(), b.lambda));
            for &i in &s_channels {
                let mut on = base_on.clone();
                on[i] = !on[i];
                if let Some(c) = self.candidate(&on, hint) {
                    consider(c, &mut best);
                }
            }
            if best.as_ref().map(|b| b.value) == before {
                break;
            }
        }
        if !certified(&best) {
            for &j in &grid.absorbers {
                if let Some(c) = self.absorber_search(&grid.on, j) {
                    consider(c, &mut best);
                }
            }
            consider(
                Candidate {
                    value: self.value(&grid.x),
                    x: grid.x,
                    lambda: None,
                    on: grid.on,
                },
                &mut best,
            );
        }
        let best = best.expect("the grid point is always a candidate");
        Solution {
            certified: self.certified(&best.x, best.lambda),
            x: best.x,
            lambda: best.lambda,
        }
    }

    fn candidate(&self, on: &[bool], hint: Option<f64>) -> Option<Candidate> {
        let (x, lambda) = self.solve(&self.intervals(on), hint)?;
        Some(Candidate {
            value: self.value(&x),
            x,
            lambda,
            on: on.to_vec(),
        })
    }

    /// Step 1: maximise `Σ f_i` over `Σ x_i = A`, `x_i ∈ [a_i, b_i]`, each `f_i` concave
    /// there. `None` when the intervals cannot sum to `A`. Returns spends and `λ`.
    fn solve(&self, iv: &[(f64, f64)], hint: Option<f64>) -> Option<(Vec<f64>, Option<f64>)> {
        let a = self.total;
        let tol = 1e-12 * a;
        let sum_a: f64 = iv.iter().map(|v| v.0).sum();
        let sum_b: f64 = iv.iter().map(|v| v.1).sum();
        if sum_a > a + tol || sum_b < a - tol {
            return None;
        }
        if a - sum_a <= tol || sum_b - a <= tol {
            let x: Vec<f64> = iv
                .iter()
                .map(|v| if a - sum_a <= tol { v.0 } else { v.1 })
                .collect();
            return Some((x, None));
        }
        // Marginals at the interval ends do not depend on λ.
        let ends: Vec<(f64, f64)> = iv
            .iter()
            .enumerate()
            .map(|(i, (lo, hi))| (self.curves[i].marginal(*lo), self.curves[i].marginal(*hi)))
            .collect();
        let mut x: Vec<f64> = iv.iter().map(|v| 0.5 * (v.0 + v.1)).collect();
        // S(λ) = Σ clamp(g_i(λ)) and S'(λ) = Σ over free channels of 1/f_i''(x_i); the
        // previous spends seed each channel's root search.
        let spend = |lambda: f64, x: &mut [f64]| {
            let (mut s, mut ds) = (0.0, 0.0);
            for (i, (lo, hi)) in iv.iter().enumerate() {
                let xi = if hi <= lo || ends[i].0 <= lambda {
                    *lo
                } else if ends[i].1 >= lambda {
                    *hi
                } else {
                    let xi = self.curves[i].marginal_root(lambda, *lo, *hi, Some(x[i]));
                    ds += 1.0 / self.curves[i].curvature(xi);
                    xi
                };
                x[i] = xi;
                s += xi;
            }
            (s, ds)
        };
        let mut lambda = hint
            .filter(|l| l.is_finite() && *l > 0.0)
            .unwrap_or_else(|| self.initial_lambda(iv, sum_a, sum_b));
        // Bracket: S(low) ≥ A ≥ S(high).
        let (mut low, mut high) = (lambda, lambda);
        let (s0, _) = spend(lambda, &mut x);
        if s0 > a {
            while spend(high, &mut x).0 > a && high < f64::MAX / 4.0 {
                low = high;
                high *= 4.0;
            }
        } else {
            while spend(low, &mut x).0 < a && low > f64::MIN_POSITIVE * 4.0 {
                high = low;
                low /= 4.0;
            }
        }
        for _ in 0..200 {
            let (s, ds) = spend(lambda, &mut x);
            if (s - a).abs() <= tol {
                break;
            }
            if s > a {
                low = lambda;
            } else {
                high = lambda;
            }
            if high / low - 1.0 < 1e-15 {
                break;
            }
            let newton = lambda - (s - a) / ds;
            lambda = if newton.is_finite() && newton > low && newton < high {
                newton
            } else {
                (low * high).sqrt()
            };
        }
        spend(lambda, &mut x);
        spread_residual(&mut x, iv, a);
        Some((x, Some(lambda)))
    }

    /// A starting `λ`: the geometric mean of the marginals at a proportional fill.
    fn initial_lambda(&self, iv: &[(f64, f64)], sum_a: f64, sum_b: f64) -> f64 {
        let share = (self.total - sum_a) / (sum_b - sum_a);
        let (mut log_sum, mut count) = (0.0, 0);
        for (i, (lo, hi)) in iv.iter().enumerate() {
            let m = self.curves[i].marginal(lo + share * (hi - lo));
            if hi > lo && m.is_finite() && m > 0.0 {
                log_sum += m.ln();
                count += 1;
            }
        }
        if count == 0 {
            1.0
        } else {
            (log_sum / count as f64).exp()
        }
    }

    /// Step 4: does every spend maximise `f_i(t) − λ·t` over `[lo_i, hi_i]`?
    fn certified(&self, x: &[f64], lambda: Option<f64>) -> bool {
        let Some(lambda) = lambda else {
            return false;
        };
        let scale = self.value(x).abs() + lambda * self.total;
        let tol = 1e-9 * scale.max(f64::MIN_POSITIVE);
        (0..self.n()).all(|i| {
            let curve = &self.curves[i];
            let phi = |t: f64| curve.response(t) - lambda * t;
            let on = curve.spend_at_marginal(lambda, self.branch_start(i), self.hi[i]);
            phi(x[i]) >= phi(self.lo[i]).max(phi(on)) - tol
        })
    }

    /// Step 2: the grid dynamic programme.
    fn grid_search(&self, s_channels: &[usize]) -> Grid {
        let n = self.n();
        let g = grid_steps(s_channels.len());
        let free = self.total - self.lo.iter().sum::<f64>();
        let h = free / g as f64;
        let cap = |i: usize| {
            (((self.hi[i] - self.lo[i]) / h) * (1.0 + 1e-12))
                .floor()
                .min(g as f64) as usize
        };
        let point = |i: usize, j: usize| self.lo[i] + j as f64 * h;

        // Concave channels merge exactly: the best s steps are the s largest increments.
        let mut increments: Vec<(f64, usize)> = Vec::new();
        for i in (0..n).filter(|i| !self.is_s_channel(*i)) {
            let curve = &self.curves[i];
            let mut previous = curve.response(self.lo[i]);
            for j in 1..=cap(i) {
                let next = curve.response(point(i, j));
                increments.push((next - previous, i));
                previous = next;
            }
        }
        let descending = |p: &(f64, usize), q: &(f64, usize)| q.0.total_cmp(&p.0);
        if increments.len() > g {
            increments.select_nth_unstable_by(g, descending);
            increments.truncate(g);
        }
        increments.sort_by(descending);
        let mut best = vec![f64::NEG_INFINITY; g + 1];
        best[0] = 0.0;
        for (s, inc) in increments.iter().enumerate() {
            best[s + 1] = best[s] + inc.0;
        }

        // One stage per S-channel; stages are kept to trace the optimum back.
        let mut stages = vec![best];
        let mut values: Vec<Vec<f64>> = Vec::with_capacity(s_channels.len());
        for &i in s_channels {
            let v: Vec<f64> = (0..=cap(i))
                .map(|j| self.curves[i].response(point(i, j)))
                .collect();
            let previous = stages.last().expect("stages start with the concave merge");
            let mut next = vec![f64::NEG_INFINITY; g + 1];
            // best'[s] = max_j best[s−j] + v[j], one shifted vector pass per j.
            for (j, vj) in v.iter().enumerate() {
                for (n, p) in next[j..].iter_mut().zip(previous) {
                    let c = p + vj;
                    // A select, not a branch: this form vectorises (twice as fast).
                    *n = if c > *n { c } else { *n };
                }
            }
            stages.push(next);
            values.push(v);
        }

        let last = stages.last().expect("at least the concave stage");
        let mut s = (0..=g).rev().find(|s| last[*s].is_finite()).unwrap_or(0);
        let mut steps = vec![0usize; n];
        for (k, &i) in s_channels.iter().enumerate().rev() {
            let previous = &stages[k];
            let mut arg = 0;
            for (j, vj) in values[k].iter().enumerate().take(s + 1) {
                if previous[s - j] + vj > previous[s - arg] + values[k][arg] {
                    arg = j;
                }
            }
            steps[i] = arg;
            s -= arg;
        }
        for inc in increments.iter().take(s) {
            steps[inc.1] += 1;
        }
        let mut x: Vec<f64> = (0..n).map(|i| point(i, steps[i])).collect();
        let bounds: Vec<(f64, f64)> = (0..n).map(|i| (self.lo[i], self.hi[i])).collect();
        spread_residual(&mut x, &bounds, self.total);
        let on = (0..n).map(|i| steps[i] > 0).collect();
        let absorbers = s_channels
            .iter()
            .copied()
            .filter(|i| x[*i] > self.lo[*i] + h && x[*i] < self.branch_start(*i) - h)
            .collect();
        Grid { x, on, absorbers }
    }

    /// Step 3's fine grid: `WINDOW_STEPS` steps, each channel limited to a window of ±5%
    /// around its spend in `x` (an S-channel at its minimum: around its concave-branch
    /// point at `λ`), S-channels also free to stay at their minimum. Returns the
    /// configuration of the best grid point, or `None` if the windows cannot meet `A`.
    fn window_search(&self, x: &[f64], lambda: f64) -> Option<Vec<bool>> {
        let n = self.n();
        let g = WINDOW_STEPS;
        let h = (self.total - self.lo.iter().sum::<f64>()) / g as f64;
        let options: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let cap = ((self.hi[i] - self.lo[i]) / h * (1.0 + 1e-12))
                    .floor()
                    .min(g as f64) as usize;
                let s_channel = self.is_s_channel(i);
                let centre = if s_channel && x[i] <= self.lo[i] + 0.5 * h {
                    self.curves[i].spend_at_marginal(lambda, self.branch_start(i), self.hi[i])
                } else {
                    x[i]
                };
                let half = 0.05 * (centre - self.lo[i]) + 2.0 * h;
                let from = (((centre - half - self.lo[i]) / h).floor().max(0.0) as usize).min(cap);
                let to = (((centre + half - self.lo[i]) / h).ceil().max(0.0) as usize).min(cap);
                let zero = (s_channel && from > 0).then_some(0);
                zero.into_iter().chain(from..=to).collect()
            })
            .collect();
        // Stage arrays over the reachable sums only; kept to trace the optimum back.
        let mut stages: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        let mut values: Vec<Vec<f64>> = Vec::with_capacity(n);
        let mut best = vec![f64::NEG_INFINITY; g + 1];
        best[0] = 0.0;
        let mut reach = 0;
        for (i, js) in options.iter().enumerate() {
            let v: Vec<f64> = js
                .iter()
                .map(|j| self.curves[i].response(self.lo[i] + *j as f64 * h))
                .collect();
            let mut next = vec![f64::NEG_INFINITY; g + 1];
            for (j, vj) in js.iter().zip(&v) {
                let end = (reach + j).min(g);
                if *j > end {
                    continue;
                }
                for (nx, p) in next[*j..=end].iter_mut().zip(&best) {
                    let c = p + vj;
                    *nx = if c > *nx { c } else { *nx };
                }
            }
            reach = (reach + js.last().copied().unwrap_or(0)).min(g);
            stages.push(std::mem::replace(&mut best, next));
            values.push(v);
        }
        if !best[g].is_finite() {
            return None;
        }
        let mut s = g;
        let mut on = vec![true; n];
        for i in (0..n).rev() {
            let previous = &stages[i];
            let (mut top, mut arg) = (f64::NEG_INFINITY, 0);
            for (j, vj) in options[i].iter().zip(&values[i]) {
                if *j <= s && previous[s - j] + vj > top {
                    (top, arg) = (previous[s - j] + vj, *j);
                }
            }
            on[i] = arg > 0;
            s -= arg;
        }
        Some(on)
    }

    /// Step 3's convex-part search: channel `j` free below its inflection, the rest
    /// re-solved for each of its spends.
    fn absorber_search(&self, on: &[bool], j: usize) -> Option<Candidate> {
        let mut iv = self.intervals(on);
        let (sum_a, sum_b) = iv
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != j)
            .fold((0.0, 0.0), |(p, q), (_, v)| (p + v.0, q + v.1));
        let from = self.lo[j].max(self.total - sum_b);
        let to = self.branch_start(j).min(self.total - sum_a);
        if from >= to {
            return None;
        }
        let mut evaluate = |t: f64, hint: Option<f64>| {
            iv[j] = (t, t);
            self.solve(&iv, hint).map(|(x, lambda)| Candidate {
                value: self.value(&x),
                x,
                lambda,
                on: on.to_vec(),
            })
        };
        const SCAN: usize = 24;
        let ts: Vec<f64> = (0..=SCAN)
            .map(|k| from + (to - from) * k as f64 / SCAN as f64)
            .collect();
        let mut best: Option<(usize, Candidate)> = None;
        for (k, t) in ts.iter().enumerate() {
            if let Some(c) = evaluate(*t, best.as_ref().and_then(|b| b.1.lambda))
                && best.as_ref().is_none_or(|b| c.value > b.1.value)
            {
                best = Some((k, c));
            }
        }
        let (k, mut top) = best?;
        let hint = top.lambda;
        let (mut left, mut right) = (ts[k.saturating_sub(1)], ts[(k + 1).min(SCAN)]);
        let ratio = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..60 {
            let p = right - ratio * (right - left);
            let q = left + ratio * (right - left);
            let (vp, vq) = match (evaluate(p, hint), evaluate(q, hint)) {
                (Some(cp), Some(cq)) => {
                    let values = (cp.value, cq.value);
                    for c in [cp, cq] {
                        if c.value > top.value {
                            top = c;
                        }
                    }
                    values
                }
                _ => break,
            };
            if vp >= vq {
                right = q;
            } else {
                left = p;
            }
            if right - left <= 1e-12 * self.total {
                break;
            }
        }
        Some(top)
    }

    fn baseline(&self, spec: &BudgetSpec, weights: &[f64]) -> Baseline {
        let x = proportional(weights, &self.lo, &self.hi, self.total);
        Baseline {
            total_response: self.value(&x),
            channels: spec
                .channels
                .iter()
                .zip(&x)
                .map(|(c, x)| BaselineChannel {
                    name: c.name.clone(),
                    spend: *x,
                    response: c.curve.response(*x),
                })
                .collect(),
        }
    }

    fn rationale(&self, i: usize, x: f64, lambda: Option<f64>, has_max: bool) -> String {
        let tol = 1e-9 * self.total;
        let curve = &self.curves[i];
        let m = curve.marginal(x);
        let elsewhere = lambda.map_or(String::new(), |l| format!(" (elsewhere {l:.2})"));
        if has_max && x >= self.hi[i] - tol && self.hi[i] > self.lo[i] {
            format!(
                "at max bound: marginal ROI {m:.2} at {}{elsewhere}",
                money(x)
            )
        } else if x <= self.lo[i] + tol && self.is_s_channel(i) {
            "below the S-curve threshold: spending here returns less than elsewhere".to_string()
        } else if x <= self.lo[i] + tol && self.lo[i] > 0.0 {
            format!(
                "at min bound: marginal ROI {m:.2} at {}{elsewhere}",
                money(x)
            )
        } else if x <= self.lo[i] + tol {
            format!("not funded: marginal ROI {m:.2} at 0{elsewhere}")
        } else if self.is_s_channel(i) && x < self.branch_start(i) - tol {
            format!(
                "takes the remainder on the rising part of its S-curve: marginal ROI {m:.2} at {}",
                money(x)
            )
        } else {
            format!("marginal ROI {m:.2} at {}; interior optimum", money(x))
        }
    }
}

struct Grid {
    /// The grid optimum, made to sum to `A` exactly.
    x: Vec<f64>,
    /// Which channels the grid funds past their minimum.
    on: Vec<bool>,
    /// S-channels the grid leaves strictly inside their convex part.
    absorbers: Vec<usize>,
}

/// Moves `x` by `A − Σ x` within `[a_i, b_i]`, in proportion to each channel's room.
fn spread_residual(x: &mut [f64], bounds: &[(f64, f64)], total: f64) {
    for _ in 0..3 {
        let residual = total - x.iter().sum::<f64>();
        if residual == 0.0 {
            return;
        }
        let room: Vec<f64> = (0..x.len())
            .map(|i| {
                if residual > 0.0 {
                    bounds[i].1 - x[i]
                } else {
                    x[i] - bounds[i].0
                }
            })
            .collect();
        let total_room: f64 = room.iter().sum();
        if total_room <= 0.0 {
            return;
        }
        let share = (residual.abs() / total_room).min(1.0);
        for (i, r) in room.iter().enumerate() {
            x[i] = (x[i] + residual.signum() * share * r).clamp(bounds[i].0, bounds[i].1);
        }
    }
}

/// `x_i = clamp(t·w_i, lo_i, hi_i)` with `Σ x_i = total`; channels of weight 0 take equal
/// shares of what the others cannot hold.
fn proportional(w: &[f64], lo: &[f64], hi: &[f64], total: f64) -> Vec<f64> {
    let n = w.len();
    let weighted: Vec<bool> = w.iter().map(|w| w.is_finite() && *w > 0.0).collect();
    let capacity: f64 = (0..n)
        .map(|i| if weighted[i] { hi[i] } else { lo[i] })
        .sum();
    if capacity < total {
        // The weighted channels fill up; the rest share the remainder equally.
        let rest: Vec<usize> = (0..n).filter(|i| !weighted[*i]).collect();
        let filled: f64 = (0..n).filter(|i| weighted[*i]).map(|i| hi[i]).sum();
        let sub = proportional(
            &vec![1.0; rest.len()],
            &rest.iter().map(|i| lo[*i]).collect::<Vec<_>>(),
            &rest.iter().map(|i| hi[*i]).collect::<Vec<_>>(),
            total - filled,
        );
        let mut x: Vec<f64> = (0..n)
            .map(|i| if weighted[i] { hi[i] } else { 0.0 })
            .collect();
        for (k, i) in rest.into_iter().enumerate() {
            x[i] = sub[k];
        }
        return x;
    }
    let weight = |i: usize| if weighted[i] { w[i] } else { 0.0 };
    let at = |t: f64| -> Vec<f64> {
        (0..n)
            .map(|i| (t * weight(i)).clamp(lo[i], hi[i]))
            .collect()
    };
    let (mut low, mut high) = (
        0.0,
        (0..n)
            .filter(|i| weighted[*i])
            .map(|i| hi[i] / w[i])
            .fold(0.0, f64::max),
    );
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if at(mid).iter().sum::<f64>() < total {
            low = mid;
        } else {
            high = mid;
        }
    }
    // Exact on the final linear piece: t = (A − clamped) / Σ free weights.
    let x = at(high);
    let free: Vec<usize> = (0..n)
        .filter(|i| weighted[*i] && x[*i] > lo[*i] && x[*i] < hi[*i])
        .collect();
    let mut x = if free.is_empty() {
        x
    } else {
        let clamped: f64 = (0..n).filter(|i| !free.contains(i)).map(|i| x[i]).sum();
        let t = (total - clamped) / free.iter().map(|i| w[*i]).sum::<f64>();
        let mut y = x.clone();
        for i in free {
            y[i] = (t * w[i]).clamp(lo[i], hi[i]);
        }
        y
    };
    let bounds: Vec<(f64, f64)> = (0..n).map(|i| (lo[i], hi[i])).collect();
    spread_residual(&mut x, &bounds, total);
    x
}

/// `1234567.8` → `"1,234,568"`.
fn money(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if x < -0.5 { format!("-{out}") } else { out }
}
