//! The fitted saturation curve of one channel, in the budget spec's shape
//! (`{"kind": "hill", "beta", "alpha", "gamma"}` or `{"kind": "logistic", "beta", "lambda"}`),
//! and its conversion from weekly adstocked spend to money spent over a horizon.

use serde::{Deserialize, Serialize};

/// A response curve `y = f(x)`:
/// - `hill`: `beta·x^alpha / (x^alpha + gamma^alpha)`;
/// - `logistic`: `beta·(1 − e^(−lambda·x)) / (1 + e^(−lambda·x))` (= `beta·tanh(lambda·x/2)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FittedCurve {
    Hill { beta: f64, alpha: f64, gamma: f64 },
    Logistic { beta: f64, lambda: f64 },
}

impl FittedCurve {
    /// The response at `x ≥ 0`.
    pub fn response(&self, x: f64) -> f64 {
        match *self {
            FittedCurve::Hill { beta, alpha, gamma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    beta / (1.0 + (gamma / x).powf(alpha))
                }
            }
            FittedCurve::Logistic { beta, lambda } => beta * (0.5 * lambda * x).tanh(),
        }
    }

    /// The derivative `f'(x)` at `x ≥ 0` (at 0 a Hill curve with `alpha < 1` has an
    /// infinite slope, returned as `f64::INFINITY`).
    pub fn slope(&self, x: f64) -> f64 {
        match *self {
            FittedCurve::Hill { beta, alpha, gamma } => {
                if x <= 0.0 {
                    return if alpha < 1.0 {
                        f64::INFINITY
                    } else if alpha == 1.0 {
                        beta / gamma
                    } else {
                        0.0
                    };
                }
                // With r = (gamma/x)^alpha: f = beta/(1+r), f' = beta·alpha·r / (x·(1+r)²).
                let r = (gamma / x).powf(alpha);
                beta * alpha * r / (x * (1.0 + r) * (1.0 + r))
            }
            FittedCurve::Logistic { beta, lambda } => {
                let t = (0.5 * lambda * x).tanh();
                0.5 * beta * lambda * (1.0 - t * t)
            }
        }
    }

    /// The curve of total response against total money `X` spent evenly over `weeks`
    /// weeks, when `self` is the weekly response to weekly adstocked spend with decay
    /// `adstock_decay` (θ). In steady state a weekly spend `x = X/weeks` builds the
    /// adstock `s = x/(1 − θ)`, so the horizon response is `weeks·f(X/(weeks·(1 − θ)))`;
    /// with `c = weeks·(1 − θ)` that is the same family with
    /// hill: `beta' = weeks·beta`, `alpha' = alpha`, `gamma' = c·gamma`;
    /// logistic: `beta' = weeks·beta`, `lambda' = lambda/c`.
    pub fn over_weeks(&self, adstock_decay: f64, weeks: f64) -> FittedCurve {
        let c = weeks * (1.0 - adstock_decay);
        match *self {
            FittedCurve::Hill { beta, alpha, gamma } => FittedCurve::Hill {
                beta: weeks * beta,
                alpha,
                gamma: c * gamma,
            },
            FittedCurve::Logistic { beta, lambda } => FittedCurve::Logistic {
                beta: weeks * beta,
                lambda: lambda / c,
            },
        }
    }

    /// The same curve with its height multiplied by `factor` (shape unchanged).
    pub fn scaled(&self, factor: f64) -> FittedCurve {
        match *self {
            FittedCurve::Hill { beta, alpha, gamma } => FittedCurve::Hill {
                beta: beta * factor,
                alpha,
                gamma,
            },
            FittedCurve::Logistic { beta, lambda } => FittedCurve::Logistic {
                beta: beta * factor,
                lambda,
            },
        }
    }
}
