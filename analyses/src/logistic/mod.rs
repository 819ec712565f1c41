//! Logistic regression for `quarterdeck analyze lead-scoring --features a,b,c [--l2 C]`
//! (docs/contracts/analyses-cli.md): P(y = 1 | x) = σ(b + wᵀx), σ(t) = 1/(1 + e⁻ᵗ),
//! with an intercept b that is never penalised. Pure: no I/O; it borrows the data.
//!
//! Objective, with ηᵢ = b + wᵀxᵢ and log loss ℓᵢ = ln(1 + e^{−ηᵢ}) if yᵢ = 1, ln(1 + e^{ηᵢ})
//! if yᵢ = 0:
//! - no penalty (`l2` absent or 0): maximum likelihood, minimise Σ ℓᵢ;
//! - `l2 = C > 0`: minimise ½‖w‖² + C·Σ ℓᵢ, scikit-learn's `LogisticRegression(C=C)`.
//!
//! Method: Newton–Raphson (IRLS) on Σ ℓᵢ + ‖w‖²/(2C), whose gradient is
//! Σ (pᵢ − yᵢ)·x̃ᵢ + (0, w)/C and Hessian Σ pᵢ(1 − pᵢ)·x̃ᵢx̃ᵢᵀ + diag(0, 1, …, 1)/C, with
//! x̃ = (1, x). Internally each feature is centred and scaled, z = (x − mean)/sd, on the fly
//! (the data is not copied), which keeps the Hessian well conditioned; the penalty is
//! expressed on the raw w = v/sd, so the answer is the raw-scale one, and the result is
//! mapped back: w = v/sd, b = b_z − Σ vⱼ·meanⱼ/sdⱼ. Start: b = logit(ȳ), w = 0, where
//! every weight is ȳ(1 − ȳ), so the first Hessian comes out of the pass that finds the
//! means (one data pass saved). Each step solves H·δ = g by Cholesky and halves the step
//! until the objective falls by at least 1e-4 of the predicted decrease (Armijo). It
//! stops after a step with ‖δ‖∞ ≤ 1e-5·(1 + ‖β‖∞) in standardised units: convergence is
//! quadratic there, so the error left is of order 1e-10. Standard errors (unpenalised
//! fits) are √diag of the inverse Hessian of −log-likelihood, mapped to the raw scale;
//! they use the Hessian before that last step, so they are good to about 1e-5 relative.
//!
//! Failures, beyond malformed input:
//! - a constant feature: confounded with the intercept without a penalty (an error);
//!   with one, its coefficient is exactly 0;
//! - a feature that is a linear combination of the intercept and earlier features: a
//!   Cholesky pivot below 1e-10 of its diagonal at the first step (unpenalised);
//! - separation (unpenalised): when some combination of features splits the outcomes
//!   perfectly (complete) or up to ties on the boundary (quasi-complete), the likelihood
//!   keeps rising as ‖w‖ → ∞ and there is no finite fit. Reported as
//!   [`FitError::Separable`] as soon as an iterate puts every row strictly on its own
//!   side of the boundary (a proof of complete separation). Otherwise (quasi-complete
//!   separation) Newton's steps stay large instead of shrinking quadratically while
//!   fitted probabilities reach 0 or 1: reported when, after 20 steps, the step is
//!   still above 1e-3 (relative) and some |ηᵢ| > ln 1e8 (p within 1e-8 of 0 or 1), or
//!   when the Hessian turns singular with such rows present. A non-separated fit
//!   converges in well under 20 steps; a nearly separated one whose finite optimum has
//!   huge coefficients can be reported as separable too, which is the advice it needs.
//!
//! Speed: each pass streams the row-major data once, split into fixed chunks of 8,192
//! rows across the cores (partial sums added in chunk order, so the result does not
//! depend on the thread count). The Hessian is built by rank-8 updates: eight rows of
//! √(p(1 − p))·z̃ at a time are added into the upper triangle with a column loop the
//! compiler vectorises; the kernels are also compiled for AVX2 and picked at run time
//! (same operations in the same order, no FMA, so the same results).

use std::ops::Range;

use serde::{Deserialize, Serialize};

mod kernel;
mod newton_raphson;

use kernel::*;
use newton_raphson::*;

/// Rows per rank update of the Hessian.
const GROUP: usize = 8;
/// Rows per partial sum; fixed so the sum order does not depend on the thread count.
const CHUNK: usize = 8192;
const STEP_TOL: f64 = 1e-5;
const COLLINEAR_TOL: f64 = 1e-10;
/// |η| beyond which a fitted probability is within 1e-8 of 0 or 1 (ln 1e8).
const SATURATED_ETA: f64 = 18.420_680_743_952_367;
const SEPARATION_MIN_STEPS: usize = 20;
const SEPARATION_STEP: f64 = 1e-3;

/// Row-major n × p feature values, borrowed (row i is `values[i·p..(i + 1)·p]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix<'a> {
    values: &'a [f64],
    cols: usize,
}

impl<'a> Matrix<'a> {
    /// `values` holds the rows one after another, `cols` values each.
    pub fn new(values: &'a [f64], cols: usize) -> Result<Self, FitError> {
        if cols == 0 {
            return Err(FitError::NoFeatures);
        }
        if !values.len().is_multiple_of(cols) {
            return Err(FitError::Ragged {
                values: values.len(),
                cols,
            });
        }
        Ok(Self { values, cols })
    }
    pub fn rows(&self) -> usize {
        self.values.len() / self.cols
    }
    pub fn cols(&self) -> usize {
        self.cols
    }
    fn row(&self, i: usize) -> &'a [f64] {
        &self.values[i * self.cols..(i + 1) * self.cols]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// scikit-learn's `C`; `None` or `Some(0.0)` fits without a penalty.
    pub l2: Option<f64>,
    /// Cap on Newton steps (default 100; fits normally need 4 to 10).
    pub max_iterations: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            l2: None,
            max_iterations: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardErrors {
    pub intercept: f64,
    pub coefficients: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub intercept: f64,
    /// One per feature column, on the raw scale.
    pub coefficients: Vec<f64>,
    /// √diag of the inverse Hessian of −log-likelihood (good to about 1e-5 relative);
    /// unpenalised fits only.
    pub standard_errors: Option<StandardErrors>,
    /// Σ yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ) at the fit (without the penalty).
    pub log_likelihood: f64,
    /// Newton steps taken (Hessians factorised).
    pub iterations: usize,
    /// False when `max_iterations` ran out (or rounding stalled the line search) first.
    pub converged: bool,
}

/// One entry of the contract's `coefficients` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    pub feature: String,
    pub coef: f64,
}

/// What stops a fit. Feature numbers are 0-based column indices of the [`Matrix`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("no rows to fit")]
    Empty,
    #[error("no feature columns")]
    NoFeatures,
    #[error("{values} values do not split into rows of {cols}")]
    Ragged { values: usize, cols: usize },
    #[error("features and targets differ in length ({rows} rows vs {targets} targets)")]
    Length { rows: usize, targets: usize },
    #[error("a row has {found} values, the model has {expected} features")]
    RowLength { expected: usize, found: usize },
    #[error("row {row}, feature {feature}: not a finite number")]
    NotFinite { row: usize, feature: usize },
    #[error("the l2 strength C must be a finite number ≥ 0, found {0}")]
    BadPenalty(f64),
    #[error("feature {feature}: values too large to square (beyond about 1e150)")]
    TooLarge { feature: usize },
    #[error("every target is {0}; a model needs both outcomes")]
    SingleClass(bool),
    #[error(
        "feature {feature} is constant, so it cannot be told apart from the intercept; drop it"
    )]
    ConstantFeature { feature: usize },
    #[error(
        "feature {feature} is a linear combination of the intercept and earlier features; drop it or use --l2"
    )]
    Collinear { feature: usize },
    #[error(
        "the features separate the outcomes (perfectly or almost): fitted probabilities reach 0 or 1 and the coefficients grow without bound, so there is no finite maximum-likelihood fit; use --l2 (e.g. --l2 1) or drop the feature that gives the outcome away"
    )]
    Separable,
    #[error("the Hessian is numerically singular")]
    Singular,
}

impl Fit {
    /// b + wᵀx for one row of raw feature values.
    pub fn linear_predictor(&self, row: &[f64]) -> Result<f64, FitError> {
        if row.len() != self.coefficients.len() {
            return Err(FitError::RowLength {
                expected: self.coefficients.len(),
                found: row.len(),
            });
        }
        Ok(self.intercept
            + row
                .iter()
                .zip(&self.coefficients)
                .map(|(x, w)| x * w)
                .sum::<f64>())
    }
    /// The fitted probability σ(b + wᵀx).
    pub fn predict(&self, row: &[f64]) -> Result<f64, FitError> {
        self.linear_predictor(row).map(sigmoid)
    }
    /// Fitted probabilities for every row of `x`.
    pub fn predict_all(&self, x: &Matrix) -> Result<Vec<f64>, FitError> {
        (0..x.rows()).map(|i| self.predict(x.row(i))).collect()
    }
    /// The contract's `coefficients` list: `intercept` first, then one per feature name.
    pub fn named(&self, names: &[&str]) -> Result<Vec<Coefficient>, FitError> {
        if names.len() != self.coefficients.len() {
            return Err(FitError::RowLength {
                expected: self.coefficients.len(),
                found: names.len(),
            });
        }
        let entry = |feature: &str, coef: f64| Coefficient {
            feature: feature.to_string(),
            coef,
        };
        Ok(std::iter::once(entry("intercept", self.intercept))
            .chain(
                names
                    .iter()
                    .zip(&self.coefficients)
                    .map(|(n, w)| entry(n, *w)),
            )
            .collect())
    }
}

impl FitError {
    /// The feature column an error is about, so a caller can name it.
    pub fn feature(&self) -> Option<usize> {
        match self {
            FitError::NotFinite { feature, .. }
            | FitError::TooLarge { feature }
            | FitError::ConstantFeature { feature }
            | FitError::Collinear { feature } => Some(*feature),
            _ => None,
        }
    }
}

fn sigmoid(t: f64) -> f64 {
    let e = (-t.abs()).exp();
    if t >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

/// Fits the model; row i of `x` goes with `y[i]`.
pub fn fit(x: &Matrix, y: &[bool], options: &FitOptions) -> Result<Fit, FitError> {
    let n = x.rows();
    if n == 0 {
        return Err(FitError::Empty);
    }
    if y.len() != n {
        return Err(FitError::Length {
            rows: n,
            targets: y.len(),
        });
    }
    let inv_c = match options.l2 {
        None => 0.0,
        Some(0.0) => 0.0,
        Some(c) if c.is_finite() && c > 0.0 => 1.0 / c,
        Some(c) => return Err(FitError::BadPenalty(c)),
    };
    let positives = y.iter().filter(|v| **v).count();
    if positives == 0 || positives == n {
        return Err(FitError::SingleClass(positives == n));
    }
    let (model, start) = Model::new(x, y, inv_c > 0.0)?;
    // (1/C)·Σ wⱼ² = (1/C)·Σ vⱼ²/sdⱼ²: a diagonal in standardised units. A constant
    // column (z ≡ 0, penalised fits only) gets 1 so its coefficient is a well-defined 0.
    let penalty: Vec<f64> = std::iter::once(0.0)
        .chain(
            model
                .inv_scale
                .iter()
                .map(|s| if *s == 0.0 { 1.0 } else { inv_c * s * s }),
        )
        .collect();
    let mut beta = vec![0.0; model.q()];
    beta[0] = (positives as f64 / (n - positives) as f64).ln();
    let newton = newton(&model, beta, start, &penalty, options.max_iterations)?;
    Ok(model.to_raw(&newton, inv_c == 0.0))
}
