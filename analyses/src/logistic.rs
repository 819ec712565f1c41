//! Logistic regression for `quarterdeck analyze lead-scoring --features a,b,c [--l2 C]`
//! (../shared/contracts/analyses-cli.md): P(y = 1 | x) = σ(b + wᵀx), σ(t) = 1/(1 + e⁻ᵗ),
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

/// Where Newton's method stopped, in standardised units.
struct Newton {
    beta: Vec<f64>,
    loss: f64,
    /// Cholesky factor of the last Hessian.
    chol: Vec<f64>,
    iterations: usize,
    converged: bool,
}

fn newton(
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

/// The data with its standardisation z = (x − shift)·inv_scale; a constant column
/// (penalised fits only) gets inv_scale 0, so z ≡ 0 and its coefficient stays 0.
struct Model<'a> {
    x: Matrix<'a>,
    y: &'a [bool],
    shift: Vec<f64>,
    inv_scale: Vec<f64>,
}

/// Loss, gradient and (optionally) the upper triangle of the Hessian of Σ ℓᵢ, q × q.
struct Sums {
    loss: f64,
    grad: Vec<f64>,
    hess: Vec<f64>,
    /// Rows with |η| > SATURATED_ETA.
    saturated: usize,
    /// Rows on the wrong side of the boundary or on it (margin ±η ≤ 0).
    wrong: usize,
}

impl Sums {
    fn zero(q: usize) -> Self {
        Self {
            loss: 0.0,
            grad: vec![0.0; q],
            hess: vec![0.0; q * q],
            saturated: 0,
            wrong: 0,
        }
    }
    fn add(mut self, o: &Sums) -> Self {
        self.loss += o.loss;
        self.saturated += o.saturated;
        self.wrong += o.wrong;
        self.grad.iter_mut().zip(&o.grad).for_each(|(a, b)| *a += b);
        self.hess.iter_mut().zip(&o.hess).for_each(|(a, b)| *a += b);
        self
    }
    /// Gradient and full symmetric Hessian of the penalised objective.
    fn with_penalty(&self, beta: &[f64], penalty: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let q = beta.len();
        let grad = (0..q)
            .map(|j| self.grad[j] + penalty[j] * beta[j])
            .collect();
        let mut hess = self.hess.clone();
        for j in 0..q {
            hess[j * q + j] += penalty[j];
            for k in 0..j {
                hess[j * q + k] = hess[k * q + j];
            }
        }
        (grad, hess)
    }
}

/// Per-chunk sums of the first pass: d = x − a robust centre, Σd, Σ_{y=1} d, Σ ddᵀ.
struct Moments {
    not_finite: Option<(usize, usize)>,
    sum: Vec<f64>,
    sum_pos: Vec<f64>,
    cross: Vec<f64>,
}

impl<'a> Model<'a> {
    /// One pass over the data gives finiteness, means, standard deviations and the
    /// loss, gradient and Hessian at the start point b = logit(ȳ), w = 0: there every
    /// weight is ȳ(1 − ȳ), so H₀ = ȳ(1 − ȳ)·Σ z̃z̃ᵀ (n in the intercept corner, n × the
    /// correlation matrix elsewhere, 0 between) and g₀ = −Σ_{y=1} z̃.
    fn new(x: &Matrix<'a>, y: &'a [bool], penalised: bool) -> Result<(Self, Sums), FitError> {
        let (n, p) = (x.rows(), x.cols());
        let ppad = p.next_multiple_of(4);
        // Sums of squares are taken about the median of up to 1,001 spread-out rows, so
        // an outlying first row cannot make them cancel.
        let step = n.div_ceil(1001).max(1);
        let centre: Vec<f64> = (0..p)
            .map(|j| {
                let mut v: Vec<f64> = (0..n).step_by(step).map(|i| x.row(i)[j]).collect();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            })
            .collect();
        let parts = par_chunks(n, |rows| moments_chunk(x, y, &centre, rows));
        let mut sum = vec![0.0; p];
        let mut sum_pos = vec![0.0; p];
        let mut cross = vec![0.0; p * ppad];
        for part in &parts {
            if let Some((row, feature)) = part.not_finite {
                return Err(FitError::NotFinite { row, feature });
            }
            sum.iter_mut().zip(&part.sum).for_each(|(a, b)| *a += b);
            sum_pos
                .iter_mut()
                .zip(&part.sum_pos)
                .for_each(|(a, b)| *a += b);
            cross.iter_mut().zip(&part.cross).for_each(|(a, b)| *a += b);
        }
        let nf = n as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / nf).collect();
        let mut shift = vec![0.0; p];
        let mut inv_scale = vec![0.0; p];
        for j in 0..p {
            let ss = cross[j * ppad + j];
            if !ss.is_finite() {
                return Err(FitError::TooLarge { feature: j });
            }
            if ss == 0.0 {
                if !penalised {
                    return Err(FitError::ConstantFeature { feature: j });
                }
                shift[j] = centre[j];
                continue;
            }
            let var = ss / nf - mean[j] * mean[j];
            inv_scale[j] = 1.0 / if var > 0.0 { var } else { ss / nf }.sqrt();
            shift[j] = centre[j] + mean[j];
        }
        let positives = y.iter().filter(|v| **v).count() as f64;
        let rate = positives / nf;
        let q = p + 1;
        let mut start = Sums::zero(q);
        // At w = 0 the smaller class sits on the wrong side (both classes if ȳ = ½).
        start.wrong = positives.min(nf - positives) as usize;
        start.loss = -(positives * rate.ln() + (nf - positives) * (-rate).ln_1p());
        start.hess[0] = nf * rate * (1.0 - rate);
        for j in 0..p {
            start.grad[j + 1] = -(sum_pos[j] - positives * mean[j]) * inv_scale[j];
            for k in j..p {
                let cov = cross[j * ppad + k] / nf - mean[j] * mean[k];
                start.hess[(j + 1) * q + k + 1] =
                    nf * rate * (1.0 - rate) * cov * inv_scale[j] * inv_scale[k];
            }
        }
        let model = Model {
            x: *x,
            y,
            shift,
            inv_scale,
        };
        Ok((model, start))
    }

    fn q(&self) -> usize {
        self.x.cols() + 1
    }

    /// Back to the raw scale: w = v·inv_scale, b = b_z − Σ vⱼ·shiftⱼ·inv_scaleⱼ, that is
    /// β_raw = T·β_z, and (unpenalised) Cov(β_raw) = T·H⁻¹·Tᵀ.
    fn to_raw(&self, newton: &Newton, with_errors: bool) -> Fit {
        let (p, q) = (self.x.cols(), self.q());
        let beta = &newton.beta;
        let coefficients: Vec<f64> = (0..p).map(|j| beta[j + 1] * self.inv_scale[j]).collect();
        let t0: Vec<f64> = std::iter::once(1.0)
            .chain((0..p).map(|j| -self.shift[j] * self.inv_scale[j]))
            .collect();
        let standard_errors = with_errors.then(|| {
            let cov: Vec<Vec<f64>> = (0..q)
                .map(|j| {
                    let mut e = vec![0.0; q];
                    e[j] = 1.0;
                    solve(&newton.chol, q, &e)
                })
                .collect();
            let var0: f64 = (0..q).map(|i| t0[i] * dot(&cov[i], &t0)).sum();
            StandardErrors {
                intercept: var0.sqrt(),
                coefficients: (0..p)
                    .map(|j| cov[j + 1][j + 1].sqrt() * self.inv_scale[j])
                    .collect(),
            }
        });
        Fit {
            intercept: dot(&t0, beta),
            coefficients,
            standard_errors,
            log_likelihood: -newton.loss,
            iterations: newton.iterations,
            converged: newton.converged,
        }
    }

    /// Loss, gradient and (if asked) Hessian of Σ ℓᵢ at β, in standardised units.
    fn sums(&self, beta: &[f64], hessian: bool) -> Sums {
        let parts = par_chunks(self.x.rows(), |rows| sums_chunk(self, beta, hessian, rows));
        parts.iter().fold(Sums::zero(self.q()), Sums::add)
    }
}

/// Runs `f` on fixed chunks of `0..n` across the available cores; results in chunk order.
fn par_chunks<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let chunks: Vec<Range<usize>> = (0..n)
        .step_by(CHUNK)
        .map(|s| s..(s + CHUNK).min(n))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(chunks.len());
    if threads <= 1 {
        return chunks.into_iter().map(f).collect();
    }
    let per = chunks.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .chunks(per)
            .map(|part| scope.spawn(|| part.iter().cloned().map(&f).collect::<Vec<T>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

// The chunk kernels are compiled twice: for AVX2 (picked at run time when the CPU has
// it) and portable. The code is the same and uses no FMA, so both give the same results.

fn moments_chunk(x: &Matrix, y: &[bool], centre: &[f64], rows: Range<usize>) -> Moments {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { moments_chunk_avx2(x, y, centre, rows) };
    }
    moments_chunk_body(x, y, centre, rows)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn moments_chunk_avx2(x: &Matrix, y: &[bool], centre: &[f64], rows: Range<usize>) -> Moments {
    moments_chunk_body(x, y, centre, rows)
}

#[inline(always)]
fn moments_chunk_body(x: &Matrix, y: &[bool], centre: &[f64], rows: Range<usize>) -> Moments {
    let p = x.cols();
    let ppad = p.next_multiple_of(4);
    let mut out = Moments {
        not_finite: None,
        sum: vec![0.0; p],
        sum_pos: vec![0.0; p],
        cross: vec![0.0; p * ppad],
    };
    let mut u = vec![0.0f64; GROUP * ppad];
    let mut start = rows.start;
    while start < rows.end {
        let len = GROUP.min(rows.end - start);
        for (r, d) in u.chunks_exact_mut(ppad).enumerate() {
            if r >= len {
                d.fill(0.0);
                continue;
            }
            let row = x.row(start + r);
            if let Some(feature) = row.iter().position(|v| !v.is_finite()) {
                out.not_finite = Some((start + r, feature));
                return out;
            }
            for ((d, v), c) in d.iter_mut().zip(row).zip(centre) {
                *d = v - c;
            }
            add_to(&mut out.sum, &d[..p], 1.0);
            if y[start + r] {
                add_to(&mut out.sum_pos, &d[..p], 1.0);
            }
        }
        rank_update(&u, p, ppad, &mut out.cross);
        start += len;
    }
    out
}

fn sums_chunk(model: &Model, beta: &[f64], hessian: bool, rows: Range<usize>) -> Sums {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { sums_chunk_avx2(model, beta, hessian, rows) };
    }
    sums_chunk_body(model, beta, hessian, rows)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sums_chunk_avx2(model: &Model, beta: &[f64], hessian: bool, rows: Range<usize>) -> Sums {
    sums_chunk_body(model, beta, hessian, rows)
}

#[inline(always)]
fn sums_chunk_body(model: &Model, beta: &[f64], hessian: bool, rows: Range<usize>) -> Sums {
    let q = model.q();
    // GROUP rows of z̃ = (1, z), each padded with zeros to a multiple of 4, scaled by
    // √(p(1 − p)) for the Hessian, which accumulates as q rows of width qpad.
    let qpad = q.next_multiple_of(4);
    let mut beta_pad = beta.to_vec();
    beta_pad.resize(qpad, 0.0);
    let mut u = vec![0.0f64; GROUP * qpad];
    let mut hess = vec![0.0f64; if hessian { q * qpad } else { 0 }];
    let mut out = Sums::zero(q);
    let mut start = rows.start;
    while start < rows.end {
        let len = GROUP.min(rows.end - start);
        for (r, z) in u.chunks_exact_mut(qpad).enumerate() {
            if r >= len {
                z.fill(0.0);
                continue;
            }
            let row = model.x.row(start + r);
            z[0] = 1.0;
            for (((z, v), m), s) in z[1..]
                .iter_mut()
                .zip(row)
                .zip(&model.shift)
                .zip(&model.inv_scale)
            {
                *z = (v - m) * s;
            }
            let eta = dot4(&beta_pad, z);
            let hit = model.y[start + r];
            // Margin m = ±η: loss ln(1 + e^{−m}), residual p − y, weight p(1 − p), with
            // e = e^{−|m|} so nothing overflows or cancels.
            let m = if hit { eta } else { -eta };
            let half = (-0.5 * m.abs()).exp();
            let e = half * half;
            let inv = 1.0 / (1.0 + e);
            out.loss += e.ln_1p() + (-m).max(0.0);
            let miss = if m > 0.0 { e * inv } else { inv };
            add_to(&mut out.grad, &z[..q], if hit { -miss } else { miss });
            out.saturated += usize::from(m.abs() > SATURATED_ETA);
            out.wrong += usize::from(m <= 0.0);
            if hessian {
                let sw = half * inv;
                z.iter_mut().for_each(|v| *v *= sw);
            }
        }
        if hessian {
            rank_update(&u, q, qpad, &mut hess);
        }
        start += len;
    }
    if hessian {
        for j in 0..q {
            out.hess[j * q + j..(j + 1) * q].copy_from_slice(&hess[j * qpad + j..j * qpad + q]);
        }
    }
    out
}

/// Adds Σᵣ uᵣuᵣᵀ over the GROUP rows of `u` to the upper part of `hess` (rows 0..q of
/// width qpad, columns from j rounded down to a multiple of 4). The loop over columns is
/// element-wise, so it vectorises; the sum over rows is a fixed tree.
#[inline(always)]
fn rank_update(u: &[f64], q: usize, qpad: usize, hess: &mut [f64]) {
    let (r0, rest) = u.split_at(qpad);
    let (r1, rest) = rest.split_at(qpad);
    let (r2, rest) = rest.split_at(qpad);
    let (r3, rest) = rest.split_at(qpad);
    let (r4, rest) = rest.split_at(qpad);
    let (r5, rest) = rest.split_at(qpad);
    let (r6, rest) = rest.split_at(qpad);
    let r7 = &rest[..qpad];
    for j in 0..q {
        let c = [r0[j], r1[j], r2[j], r3[j], r4[j], r5[j], r6[j], r7[j]];
        let from = j & !3;
        let h = &mut hess[j * qpad + from..(j + 1) * qpad];
        let n = h.len();
        let v = [
            &r0[from..from + n],
            &r1[from..from + n],
            &r2[from..from + n],
            &r3[from..from + n],
            &r4[from..from + n],
            &r5[from..from + n],
            &r6[from..from + n],
            &r7[from..from + n],
        ];
        for k in 0..n {
            let t = |r: usize| c[r] * v[r][k];
            h[k] += ((t(0) + t(1)) + (t(2) + t(3))) + ((t(4) + t(5)) + (t(6) + t(7)));
        }
    }
}

/// a += s·b, element-wise.
#[inline(always)]
fn add_to(a: &mut [f64], b: &[f64], s: f64) {
    a.iter_mut().zip(b).for_each(|(a, b)| *a += s * b);
}

/// Dot product of two equal-length slices whose length is a multiple of 4, with four
/// running sums (a fixed order the compiler can vectorise).
#[inline(always)]
fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0f64; 4];
    for (x, y) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for l in 0..4 {
            s[l] += x[l] * y[l];
        }
    }
    (s[0] + s[2]) + (s[1] + s[3])
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Lower Cholesky factor of the symmetric q × q matrix `a`; `Err(j)` when pivot j is not
/// above `rel_tol` times its diagonal entry (or not positive).
fn cholesky(a: &[f64], q: usize, rel_tol: f64) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0f64; q * q];
    for j in 0..q {
        let d = a[j * q + j] - (0..j).map(|k| l[j * q + k].powi(2)).sum::<f64>();
        if !(d > rel_tol * a[j * q + j] && d > 0.0) {
            return Err(j);
        }
        let d = d.sqrt();
        l[j * q + j] = d;
        for i in j + 1..q {
            let s = a[i * q + j] - (0..j).map(|k| l[i * q + k] * l[j * q + k]).sum::<f64>();
            l[i * q + j] = s / d;
        }
    }
    Ok(l)
}

/// Solves L·Lᵀ·x = b.
fn solve(l: &[f64], q: usize, b: &[f64]) -> Vec<f64> {
    let mut x = b.to_vec();
    for i in 0..q {
        x[i] = (x[i] - (0..i).map(|k| l[i * q + k] * x[k]).sum::<f64>()) / l[i * q + i];
    }
    for i in (0..q).rev() {
        x[i] = (x[i] - (i + 1..q).map(|k| l[k * q + i] * x[k]).sum::<f64>()) / l[i * q + i];
    }
    x
}
