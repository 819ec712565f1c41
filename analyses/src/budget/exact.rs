//! Steps 1 and 4: the exact equal-marginal solve of a concave configuration, and the
//! Lagrangian certificate.

use super::problem::*;

impl Problem {
    /// Step 1: maximise `Σ f_i` over `Σ x_i = A`, `x_i ∈ [a_i, b_i]`, each `f_i` concave
    /// there. `None` when the intervals cannot sum to `A`. Returns spends and `λ`.
    pub(super) fn solve(
        &self,
        iv: &[(f64, f64)],
        hint: Option<f64>,
    ) -> Option<(Vec<f64>, Option<f64>)> {
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
        // Safeguarded Newton (Numerical Recipes' `rtsafe`): a Newton step is taken only
        // inside the bracket and while it at least halves the step before last; otherwise
        // the bracket is bisected. S(λ) has a kink wherever a channel reaches a bound, and
        // plain Newton can bounce across one for hundreds of steps without closing in.
        lambda = lambda.clamp(low, high);
        let (mut step, mut step_before) = (high - low, high - low);
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
            let newton_step = (s - a) / ds;
            let newton = lambda - newton_step;
            let last = step_before;
            step_before = step;
            (lambda, step) = if newton.is_finite()
                && newton > low
                && newton < high
                && 2.0 * newton_step.abs() <= last.abs()
            {
                (newton, newton_step)
            } else {
                let mid = (low * high).sqrt();
                (mid, lambda - mid)
            };
        }
        spend(lambda, &mut x);
        spread_residual(&mut x, iv, a);
        Some((x, Some(lambda)))
    }

    /// A starting `λ`: the geometric mean of the marginals at a proportional fill.
    pub(super) fn initial_lambda(&self, iv: &[(f64, f64)], sum_a: f64, sum_b: f64) -> f64 {
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
    pub(super) fn certified(&self, x: &[f64], lambda: Option<f64>) -> bool {
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
}
