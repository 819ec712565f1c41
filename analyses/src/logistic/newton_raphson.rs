//! Newton's method with step-halving on the standardised problem.

use super::*;

/// Where Newton's method stopped, in standardised units.
pub(super) struct Newton {
    pub(super) beta: Vec<f64>,
    pub(super) loss: f64,
    /// Cholesky factor of the last Hessian.
    pub(super) chol: Vec<f64>,
    pub(super) iterations: usize,
    pub(super) converged: bool,
}

pub(super) fn newton(
    model: &Model,
    mut beta: Vec<f64>,
    mut sums: Sums,
    penalty: &[f64],
    max_iterations: usize,
) -> Result<Newton, FitError> {
    let q = beta.len();
    let penalised = penalty[1..].iter().any(|d| *d > 0.0);
    let penalty_term = |beta: &[f64]| {
        0.5 * beta
            .iter()
            .zip(penalty)
            .map(|(b, d)| d * b * b)
            .sum::<f64>()
    };
    let mut f = sums.loss + penalty_term(&beta);
    let mut iterations = 0;
    loop {
        if !penalised && sums.wrong == 0 {
            // Every row is on its own side of the boundary: β itself separates the data
            // completely, so the likelihood rises without bound along it.
            return Err(FitError::Separable);
        }
        iterations += 1;
        let (grad, hess) = sums.with_penalty(&beta, penalty);
        let tol = if penalised { 0.0 } else { COLLINEAR_TOL };
        let chol = cholesky(&hess, q, tol).map_err(|pivot| {
            if penalised {
                FitError::Singular
            } else if iterations == 1 {
                // At the start the Hessian is ȳ(1 − ȳ) × the correlation matrix (its
                // intercept pivot, nȳ(1 − ȳ), is positive).
                pivot
                    .checked_sub(1)
                    .map_or(FitError::Singular, |feature| FitError::Collinear {
                        feature,
                    })
            } else if sums.saturated > 0 {
                FitError::Separable
            } else {
                FitError::Singular
            }
        })?;
        let delta = solve(&chol, q, &grad);
        let size = max_abs(&delta) / (1.0 + max_abs(&beta));
        if size <= STEP_TOL {
            // Quadratic convergence: this step leaves an error of order size², and the
            // objective after it is f − ½gᵀδ up to O(δ³).
            let f = f - 0.5 * dot(&grad, &delta);
            beta.iter_mut().zip(&delta).for_each(|(b, d)| *b -= d);
            let loss = f - penalty_term(&beta);
            return Ok(Newton {
                beta,
                loss,
                chol,
                iterations,
                converged: true,
            });
        }
        let stuck = iterations >= max_iterations;
        if !penalised
            && sums.saturated > 0
            && iterations >= SEPARATION_MIN_STEPS
            && (size > SEPARATION_STEP || stuck)
        {
            return Err(FitError::Separable);
        }
        let unfinished = |beta, chol| Newton {
            beta,
            loss: sums.loss,
            chol,
            iterations,
            converged: false,
        };
        if stuck {
            return Ok(unfinished(beta, chol));
        }
        // Backtracking (Armijo) line search; the full step is tried with the Hessian so
        // an accepted full step costs one pass over the data.
        let decrease = dot(&grad, &delta);
        let mut t = 1.0;
        let accepted = loop {
            let trial: Vec<f64> = beta.iter().zip(&delta).map(|(b, d)| b - t * d).collect();
            let s = model.sums(&trial, t == 1.0);
            let ft = s.loss + penalty_term(&trial);
            if ft <= f - 1e-4 * t * decrease {
                break Some((trial, s, ft));
            }
            t *= 0.5;
            if t < 1e-10 {
                break None;
            }
        };
        let Some((trial, s, ft)) = accepted else {
            // No decrease along a descent direction: rounding noise.
            return Ok(unfinished(beta, chol));
        };
        beta = trial;
        f = ft;
        sums = if t == 1.0 { s } else { model.sums(&beta, true) };
    }
}
