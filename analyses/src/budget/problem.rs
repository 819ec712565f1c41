//! The optimisation problem: channels, bounds and curves, the search that combines the
//! grid and the exact solves (module doc of `budget`), baselines and rationales.

use super::*;

/// The optimiser's result: spends, the common marginal ROI, and whether step 4 holds.
pub(super) struct Solution {
    pub(super) x: Vec<f64>,
    pub(super) lambda: Option<f64>,
    pub(super) certified: bool,
}

/// A candidate from one concave sub-problem or the grid.
pub(super) struct Candidate {
    pub(super) x: Vec<f64>,
    pub(super) lambda: Option<f64>,
    pub(super) value: f64,
    pub(super) on: Vec<bool>,
}

pub(super) struct Problem {
    pub(super) curves: Vec<Curve>,
    pub(super) lo: Vec<f64>,
    pub(super) hi: Vec<f64>,
    /// Where each curve turns concave (0 for concave curves).
    pub(super) inflection: Vec<f64>,
    pub(super) total: f64,
}

/// Steps of the grid for `k` S-channels: the convolutions cost `k·G²/2`.
pub(super) fn grid_steps(k: usize) -> usize {
    ((4e7 / k.max(1) as f64).sqrt() as usize).clamp(1000, 3000)
}

/// Rounds of the fine-grid and single-switch search after the coarse grid.
pub(super) const SEARCH_ROUNDS: usize = 4;

/// Steps of the fine grid searched around a solution.
pub(super) const WINDOW_STEPS: usize = 4000;

impl Problem {
    pub(super) fn new(spec: &BudgetSpec, total: f64) -> Self {
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

    pub(super) fn n(&self) -> usize {
        self.curves.len()
    }

    pub(super) fn value(&self, x: &[f64]) -> f64 {
        self.curves.iter().zip(x).map(|(c, x)| c.response(*x)).sum()
    }

    pub(super) fn is_s_channel(&self, i: usize) -> bool {
        self.inflection[i] > self.lo[i] && self.lo[i] < self.hi[i]
    }

    /// Where channel `i`'s concave branch starts inside its bounds.
    pub(super) fn branch_start(&self, i: usize) -> f64 {
        self.lo[i].max(self.inflection[i].min(self.hi[i]))
    }

    /// Intervals of a configuration: S-channels on their concave branch or at `lo`.
    pub(super) fn intervals(&self, on: &[bool]) -> Vec<(f64, f64)> {
        (0..self.n())
            .map(|i| match (self.is_s_channel(i), on[i]) {
                (false, _) => (self.lo[i], self.hi[i]),
                (true, true) => (self.branch_start(i), self.hi[i]),
                (true, false) => (self.lo[i], self.lo[i]),
            })
            .collect()
    }

    pub(super) fn optimise(&self) -> Solution {
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
            let (x, lambda) = self
                .solve(&self.intervals(&on), None)
                .expect("validated bounds admit a feasible allocation");
            // Without a multiplier every channel sits at a bound: the only feasible point.
            let certified = lambda.is_none() || self.certified(&x, lambda);
            return Solution {
                x,
                lambda,
                certified,
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

    pub(super) fn candidate(&self, on: &[bool], hint: Option<f64>) -> Option<Candidate> {
        let (x, lambda) = self.solve(&self.intervals(on), hint)?;
        Some(Candidate {
            value: self.value(&x),
            x,
            lambda,
            on: on.to_vec(),
        })
    }

    pub(super) fn baseline(&self, spec: &BudgetSpec, weights: &[f64]) -> Baseline {
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

    pub(super) fn rationale(&self, i: usize, x: f64, lambda: Option<f64>, has_max: bool) -> String {
        let tol = 1e-9 * self.total;
        let curve = &self.curves[i];
        let m = curve.marginal(x);
        let against =
            |word: &str| lambda.map_or(String::new(), |l| format!(", {word} the {l:.2} elsewhere"));
        if has_max && x >= self.hi[i] - tol && self.hi[i] > self.lo[i] {
            format!(
                "at max bound ({}): the next dollar would still return {m:.2}{}",
                money(x),
                against("above")
            )
        } else if x <= self.lo[i] + tol && self.is_s_channel(i) {
            "below the S-curve threshold: spending here returns less than elsewhere".to_string()
        } else if x <= self.lo[i] + tol && self.lo[i] > 0.0 {
            format!(
                "at min bound ({}): the next dollar returns only {m:.2}{}",
                money(x),
                against("against")
            )
        } else if x <= self.lo[i] + tol {
            format!(
                "not funded: the first dollar returns {m:.2}{}",
                against("against")
            )
        } else if self.is_s_channel(i) && x < self.branch_start(i) - tol {
            format!(
                "takes the remainder on the rising part of its S-curve: the next dollar returns {m:.2} at {}",
                money(x)
            )
        } else {
            format!(
                "the next dollar returns {m:.2} at {}, as in every channel not held at a bound: interior optimum",
                money(x)
            )
        }
    }
}

/// Moves `x` by `A − Σ x` within `[a_i, b_i]`, in proportion to each channel's room.
pub(super) fn spread_residual(x: &mut [f64], bounds: &[(f64, f64)], total: f64) {
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
pub(super) fn proportional(w: &[f64], lo: &[f64], hi: &[f64], total: f64) -> Vec<f64> {
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
pub(super) fn money(x: f64) -> String {
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
