//! Bounded Levenberg–Marquardt on the variable-projection residual, in the unit box.
//! Steps are clamped to the box; a parameter sitting on a bound whose gradient points
//! outwards is held fixed for that iteration. Damping is Marquardt's (scaled by the
//! diagonal of JᵀJ) with Nielsen's update of μ (Madsen, Nielsen & Tingleff 2004, §3.2).
//! An optional quadratic penalty `Σ w_j (z_j − c_j)²` joins the SSE as extra residuals
//! `√w_j (z_j − c_j)`.

use super::linear::cholesky_solve;
use super::model::{Eval, Problem};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub max_iter: usize,
    /// Stop when an accepted step lowers the objective by less than this share.
    pub tol: f64,
}

/// `Σ weight_j (z_j − centre_j)²`; empty vectors mean no penalty.
#[derive(Debug, Clone, Default)]
pub(crate) struct Penalty {
    pub centre: Vec<f64>,
    pub weight: Vec<f64>,
}

impl Penalty {
    pub fn value(&self, z: &[f64]) -> f64 {
        self.weight
            .iter()
            .zip(&self.centre)
            .zip(z)
            .map(|((w, c), v)| w * (v - c) * (v - c))
            .sum()
    }
}

pub(crate) struct Solution {
    pub z: Vec<f64>,
    pub eval: Eval,
}

/// Minimises SSE + penalty from `z0`; `hint` as for [`Problem::evaluate`].
pub(crate) fn minimise(
    problem: &Problem,
    y: &[f64],
    z0: &[f64],
    hint: &[f64],
    penalty: &Penalty,
    settings: Settings,
) -> Solution {
    let (m, n) = (z0.len(), y.len());
    let weight = |j: usize| penalty.weight.get(j).copied().unwrap_or(0.0);
    let mut z: Vec<f64> = z0.iter().map(|v| v.clamp(0.0, 1.0)).collect();
    let mut cur = problem.evaluate(y, &z, hint);
    let mut objective = cur.sse + penalty.value(&z);
    // An exact fit (up to rounding) cannot be improved.
    let floor = 1e-24 * y.iter().map(|v| v * v).sum::<f64>();
    let mut jac = vec![0.0; m * n];
    let (mut mu, mut nu) = (1e-3, 2.0);
    for _ in 0..settings.max_iter {
        if objective.is_nan() || objective <= floor {
            break;
        }
        problem.jacobian(y, &z, &cur, &mut jac);
        let col = |j: usize| &jac[j * n..(j + 1) * n];
        let g: Vec<f64> = (0..m)
            .map(|j| {
                let data: f64 = col(j).iter().zip(&cur.resid).map(|(a, b)| a * b).sum();
                let prior = penalty
                    .centre
                    .get(j)
                    .map_or(0.0, |c| weight(j) * (z[j] - c));
                data + prior
            })
            .collect();
        let free: Vec<usize> = (0..m)
            .filter(|&j| !((z[j] <= 0.0 && g[j] > 0.0) || (z[j] >= 1.0 && g[j] < 0.0)))
            .collect();
        let f = free.len();
        let mut a = vec![0.0; f * f];
        for (r, &i) in free.iter().enumerate() {
            for (c, &j) in free.iter().enumerate().take(r + 1) {
                let d: f64 = col(i).iter().zip(col(j)).map(|(u, v)| u * v).sum();
                a[r * f + c] = d;
                a[c * f + r] = d;
            }
            a[r * f + r] += weight(i);
        }
        let max_diag = (0..f).map(|r| a[r * f + r]).fold(0.0, f64::max);
        if f == 0 || max_diag.is_nan() || max_diag <= 0.0 {
            break;
        }
        let mut accepted = None;
        for _ in 0..20 {
            let mut lhs = a.clone();
            for r in 0..f {
                lhs[r * f + r] += mu * (a[r * f + r] + 1e-9 * max_diag);
            }
            let mut step: Vec<f64> = free.iter().map(|&j| -g[j]).collect();
            if !cholesky_solve(&mut lhs, f, &mut step) {
                mu *= nu;
                nu *= 2.0;
                continue;
            }
            let mut trial_z = z.clone();
            for (&j, s) in free.iter().zip(&step) {
                trial_z[j] = (z[j] + s).clamp(0.0, 1.0);
            }
            let delta: Vec<f64> = (0..m).map(|j| trial_z[j] - z[j]).collect();
            let trial = problem.evaluate(y, &trial_z, &cur.coef);
            let trial_objective = trial.sse + penalty.value(&trial_z);
            if trial_objective < objective {
                // Predicted decrease of the linear model: −2gᵀδ − δᵀ(JᵀJ + W)δ.
                let jd: f64 = (0..n)
                    .map(|t| {
                        (0..m)
                            .map(|j| jac[j * n + t] * delta[j])
                            .sum::<f64>()
                            .powi(2)
                    })
                    .sum();
                let wd: f64 = (0..m).map(|j| weight(j) * delta[j] * delta[j]).sum();
                let predicted = -2.0 * (0..m).map(|j| g[j] * delta[j]).sum::<f64>() - jd - wd;
                let rho = if predicted > 0.0 {
                    (objective - trial_objective) / predicted
                } else {
                    0.0
                };
                mu *= f64::max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0).powi(3));
                nu = 2.0;
                let gain = (objective - trial_objective) / objective;
                let moved = delta.iter().fold(0.0, |acc: f64, d| acc.max(d.abs()));
                z = trial_z;
                cur = trial;
                objective = trial_objective;
                accepted = Some(gain < settings.tol || moved < 1e-10);
                break;
            }
            mu *= nu;
            nu *= 2.0;
        }
        match accepted {
            Some(false) => {}
            _ => break,
        }
    }
    Solution { z, eval: cur }
}
