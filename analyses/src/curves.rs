//! Response curves: expected response (revenue, conversions) as a function of a channel's
//! spend `x ≥ 0`, in the shapes `quarterdeck analyze budget` and `response-curves` share
//! (docs/contracts/analyses-cli.md). Owns the formulas, their analytic derivatives and
//! the inverse of the derivative on the concave branch; knows nothing of budgets.
//!
//! | kind               | response `y(x)`                         | marginal `y'(x)`                          |
//! |--------------------|-----------------------------------------|-------------------------------------------|
//! | `michaelis-menten` | `l·x/(k+x)`                             | `l·k/(k+x)²`                              |
//! | `logistic`         | `β·(1−e^(−λx))/(1+e^(−λx))` = `β·tanh(λx/2)` | `β·(λ/2)·sech²(λx/2)`                |
//! | `hill`             | `β·x^α/(x^α+γ^α)`                       | `β·α·γ^α·x^(α−1)/(x^α+γ^α)²`              |
//! | `power`            | `a·x^b`, `0 < b < 1`                    | `a·b·x^(b−1)`                             |
//!
//! All four rise with `x`. All are concave on `x ≥ 0` except the hill curve with `α > 1`,
//! which is S-shaped: convex up to its inflection `x* = γ·((α−1)/(α+1))^(1/α)` (where
//! `y'' = 0`, from `y'' ∝ (α−1)γ^α − (α+1)x^α`) and concave after it.

use serde::{Deserialize, Serialize};

/// A response curve; serialised with a `kind` tag, e.g.
/// `{ kind = "michaelis-menten", l = 900000, k = 150000 }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Curve {
    /// `l·x/(k+x)`: saturates at `l`, half of it at `x = k`.
    MichaelisMenten { l: f64, k: f64 },
    /// `β·(1−e^(−λx))/(1+e^(−λx))`: saturates at `β`.
    Logistic { beta: f64, lambda: f64 },
    /// `β·x^α/(x^α+γ^α)`: saturates at `β`, half of it at `x = γ`; S-shaped for `α > 1`.
    Hill { beta: f64, alpha: f64, gamma: f64 },
    /// `a·x^b` with `0 < b < 1`: never saturates.
    Power { a: f64, b: f64 },
}

/// What is wrong with a curve's parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CurveError {
    #[error("{kind} curve: `{param}` must be a positive finite number, found {value}")]
    NotPositive {
        kind: &'static str,
        param: &'static str,
        value: f64,
    },
    #[error("power curve: `b` must lie strictly between 0 and 1, found {0}")]
    PowerExponent(f64),
}

impl Curve {
    /// The `kind` tag as written in a spec.
    pub fn kind(&self) -> &'static str {
        match self {
            Curve::MichaelisMenten { .. } => "michaelis-menten",
            Curve::Logistic { .. } => "logistic",
            Curve::Hill { .. } => "hill",
            Curve::Power { .. } => "power",
        }
    }

    /// Checks every parameter is positive and finite (and `0 < b < 1` for `power`).
    pub fn validate(&self) -> Result<(), CurveError> {
        let kind = self.kind();
        let params: &[(&'static str, f64)] = match self {
            Curve::MichaelisMenten { l, k } => &[("l", *l), ("k", *k)],
            Curve::Logistic { beta, lambda } => &[("beta", *beta), ("lambda", *lambda)],
            Curve::Hill { beta, alpha, gamma } => {
                &[("beta", *beta), ("alpha", *alpha), ("gamma", *gamma)]
            }
            Curve::Power { a, b } => &[("a", *a), ("b", *b)],
        };
        for &(param, value) in params {
            if !(value.is_finite() && value > 0.0) {
                return Err(CurveError::NotPositive { kind, param, value });
            }
        }
        if let Curve::Power { b, .. } = self
            && *b >= 1.0
        {
            return Err(CurveError::PowerExponent(*b));
        }
        Ok(())
    }

    /// Expected response at spend `x` (negative spend counts as 0).
    pub fn response(&self, x: f64) -> f64 {
        let x = x.max(0.0);
        match *self {
            Curve::MichaelisMenten { l, k } => l * x / (k + x),
            Curve::Logistic { beta, lambda } => beta * (0.5 * lambda * x).tanh(),
            Curve::Hill { beta, alpha, gamma } => {
                if x == 0.0 {
                    return 0.0;
                }
                // β / (1 + (γ/x)^α) stays finite where x^α alone would overflow.
                beta / (1.0 + (gamma / x).powf(alpha))
            }
            Curve::Power { a, b } => a * x.powf(b),
        }
    }

    /// Marginal response `y'(x)`: the return on the next unit of spend. Infinite at `x = 0`
    /// for `power` and for `hill` with `α < 1`.
    pub fn marginal(&self, x: f64) -> f64 {
        let x = x.max(0.0);
        match *self {
            Curve::MichaelisMenten { l, k } => l * k / ((k + x) * (k + x)),
            Curve::Logistic { beta, lambda } => {
                let c = (0.5 * lambda * x).cosh();
                if c.is_infinite() {
                    0.0
                } else {
                    0.5 * beta * lambda / (c * c)
                }
            }
            Curve::Hill { beta, alpha, gamma } => {
                if x == 0.0 {
                    return match alpha {
                        a if a < 1.0 => f64::INFINITY,
                        1.0 => beta / gamma,
                        _ => 0.0,
                    };
                }
                // With r = (γ/x)^α: y' = β·α·r / (x·(1+r)²), overflow-safe for large x.
                let r = (gamma / x).powf(alpha);
                if r.is_infinite() {
                    return 0.0;
                }
                beta * alpha * r / (x * (1.0 + r) * (1.0 + r))
            }
            Curve::Power { a, b } => {
                if x == 0.0 {
                    f64::INFINITY
                } else {
                    a * b * x.powf(b - 1.0)
                }
            }
        }
    }

    /// Where the curve turns concave: the hill inflection `γ·((α−1)/(α+1))^(1/α)` when
    /// `α > 1`, otherwise 0 (concave everywhere).
    pub fn concave_from(&self) -> f64 {
        match *self {
            Curve::Hill { alpha, gamma, .. } if alpha > 1.0 => {
                gamma * ((alpha - 1.0) / (alpha + 1.0)).powf(1.0 / alpha)
            }
            _ => 0.0,
        }
    }

    /// The spend in `[a, b]` where the marginal equals `m`, with `[a, b]` inside the concave
    /// branch (`a ≥ concave_from()`), so the marginal falls across it: `a` when
    /// `y'(a) ≤ m`, `b` when `y'(b) ≥ m`, else the unique root of `y'(x) = m`.
    pub fn spend_at_marginal(&self, m: f64, a: f64, b: f64) -> f64 {
        if b <= a || self.marginal(a) <= m {
            return a;
        }
        if m.is_nan() || m <= 0.0 || self.marginal(b) >= m {
            return b;
        }
        self.marginal_root(m, a, b, None)
    }

    /// The root of `y'(x) = m` in `(a, b)`, given `y'(a) > m > y'(b)` on a concave stretch;
    /// `guess` (a nearby root) speeds up the hill curve's Newton iteration.
    pub(crate) fn marginal_root(&self, m: f64, a: f64, b: f64, guess: Option<f64>) -> f64 {
        let x = match *self {
            // l·k/(k+x)² = m  ⇒  x = √(l·k/m) − k
            Curve::MichaelisMenten { l, k } => (l * k / m).sqrt() - k,
            // (β·λ/2)·sech²(λx/2) = m  ⇒  x = (2/λ)·acosh(√(β·λ/(2m)))
            Curve::Logistic { beta, lambda } => {
                2.0 / lambda * (0.5 * beta * lambda / m).sqrt().acosh()
            }
            // a·b·x^(b−1) = m  ⇒  x = (m/(a·b))^(1/(b−1))
            Curve::Power { a: pa, b: pb } => (m / (pa * pb)).powf(1.0 / (pb - 1.0)),
            Curve::Hill { beta, alpha, gamma } => hill_root(beta, alpha, gamma, m, a, b, guess),
        };
        x.clamp(a, b)
    }

    /// `y''(x)`, analytic; negative on the concave branch.
    pub fn curvature(&self, x: f64) -> f64 {
        let x = x.max(0.0);
        match *self {
            Curve::MichaelisMenten { l, k } => -2.0 * l * k / (k + x).powi(3),
            Curve::Logistic { beta, lambda } => {
                // y'' = −(β·λ²/2)·sech²(λx/2)·tanh(λx/2)
                let u = 0.5 * lambda * x;
                let c = u.cosh();
                if c.is_infinite() {
                    0.0
                } else {
                    -0.5 * beta * lambda * lambda * u.tanh() / (c * c)
                }
            }
            Curve::Hill { beta, alpha, gamma } => {
                if x == 0.0 {
                    // Limit of β·α·(α−1)·x^(α−2)/γ^α (and −2β/γ² for α = 1).
                    return match alpha {
                        a if a < 1.0 => f64::NEG_INFINITY,
                        1.0 => -2.0 * beta / (gamma * gamma),
                        a if a < 2.0 => f64::INFINITY,
                        2.0 => 2.0 * beta / (gamma * gamma),
                        _ => 0.0,
                    };
                }
                // y'' = β·α·γ^α·x^(α−2)·((α−1)γ^α − (α+1)x^α)/(x^α+γ^α)³, written with
                // r = (γ/x)^α: β·α·r·((α−1)r − (α+1)) / (x²·(1+r)³).
                let r = (gamma / x).powf(alpha);
                if r.is_infinite() {
                    return 0.0;
                }
                beta * alpha * r * ((alpha - 1.0) * r - (alpha + 1.0)) / (x * x * (1.0 + r).powi(3))
            }
            Curve::Power { a, b } => a * b * (b - 1.0) * x.powf(b - 2.0),
        }
    }
}

/// Safeguarded Newton for the hill curve's `y'(x) = m` on `(a, b)`, where `y'` falls from
/// above `m` to below it: Newton steps inside the bracket, bisection otherwise.
fn hill_root(beta: f64, alpha: f64, gamma: f64, m: f64, a: f64, b: f64, guess: Option<f64>) -> f64 {
    let (mut lo, mut hi) = (a, b);
    let mut x = guess.filter(|g| *g > a && *g < b).unwrap_or(0.5 * (a + b));
    for _ in 0..200 {
        // With r = (γ/x)^α: y' = β·α·r/(x·(1+r)²), y'' = y'·((α−1)·r − (α+1))/(x·(1+r)).
        let r = (gamma / x).powf(alpha);
        let slope = beta * alpha * r / (x * (1.0 + r) * (1.0 + r));
        let g = slope - m;
        if g > 0.0 {
            lo = x;
        } else if g < 0.0 {
            hi = x;
        } else {
            return x;
        }
        let curvature = slope * ((alpha - 1.0) * r - (alpha + 1.0)) / (x * (1.0 + r));
        let newton = x - g / curvature;
        if (newton - x).abs() <= 1e-14 * x || hi - lo <= 1e-15 * hi {
            return newton.clamp(lo, hi);
        }
        x = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
    }
    x
}
