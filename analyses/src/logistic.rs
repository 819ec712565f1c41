//! Logistic regression for `quarterdeck analyze lead-scoring --features a,b,c [--l2 C]`
//! (../shared/contracts/analyses-cli.md): fits P(y = 1 | x) = σ(b + wᵀx), σ(t) = 1/(1+e⁻ᵗ),
//! with an intercept b that is never penalised.
//!
//! Objective, with log loss ℓᵢ = ln(1 + e^{−ηᵢ}) when yᵢ = 1 and ln(1 + e^{ηᵢ}) when yᵢ = 0,
//! ηᵢ = b + wᵀxᵢ:
//! - no penalty (`l2` absent or 0): maximum likelihood, minimise Σ ℓᵢ;
//! - `l2 = C > 0`: minimise ½‖w‖² + C·Σ ℓᵢ, scikit-learn's `LogisticRegression(C=C)`.
//!
//! Method: Newton–Raphson (IRLS) on the equivalent objective Σ ℓᵢ + ‖w‖²/(2C). The
//! gradient is Σ (pᵢ − yᵢ)·x̃ᵢ + w/C and the Hessian Σ pᵢ(1 − pᵢ)·x̃ᵢx̃ᵢᵀ + I/C (no
//! penalty row for the intercept), x̃ = (1, x). Features are centred and scaled to unit
//! variance on the fly (z = (x − mean)/sd, no copy of the data) so the Hessian is well
//! conditioned; the penalty is rescaled to act on the raw w (wⱼ = vⱼ/sdⱼ), so the answer
//! is the raw-scale one, and the result is mapped back: w = v/sd, b = b_z − Σ vⱼ·meanⱼ/sdⱼ.
//! Each step solves H·δ = g by Cholesky and halves the step until the objective drops
//! (Armijo). It stops when ‖δ‖∞ ≤ 1e-7·(1 + ‖β‖∞) in standardised units; Newton
//! converges quadratically there, so the last step leaves an error near 1e-14.
//!
//! Failures: a constant feature (unpenalised: confounded with the intercept; penalised:
//! its coefficient is exactly 0 and it is left out), a feature that is a linear
//! combination of the intercept and earlier features (Cholesky pivot below 1e-10 of its
//! diagonal at the first step, where the Hessian is the scaled correlation matrix), and
//! separation. Under complete or quasi-complete separation the likelihood has no finite
//! maximum: Newton steps stay large while ‖w‖ grows and some fitted probabilities reach
//! 0 or 1. Unpenalised fits report [`FitError::Separable`] when, after 20 steps, the step
//! is still above 1e-3 (relative) and some |ηᵢ| > ln(1e8) (p within 1e-8 of 0 or 1), or
//! when the Hessian collapses to singular with such rows present.
//!
//! Speed: the Hessian is accumulated block by block (64 rows transposed into columns,
//! scaled by √(pᵢ(1−pᵢ)), then column dot products two by two), over fixed chunks of rows
//! split across threads; partial sums are added in chunk order, so results do not depend
//! on the number of threads.

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

/// Row-major n × p feature values, borrowed.
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
        if values.len() % cols != 0 {
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
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.values[i * self.cols..(i + 1) * self.cols]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// scikit-learn's `C`; `None` or `Some(0.0)` fits without a penalty.
    pub l2: Option<f64>,
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
    /// From the inverse Hessian of the log-likelihood; unpenalised fits only.
    pub standard_errors: Option<StandardErrors>,
    /// Σ yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ) at the fit (without the penalty).
    pub log_likelihood: f64,
    /// Newton steps taken (Hessians factorised).
    pub iterations: usize,
    /// False when `max_iterations` ran out first.
    pub converged: bool,
}

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
    #[error("every target is {0}; a model needs both outcomes")]
    SingleClass(bool),
    #[error("feature {feature} is constant, so it cannot be told apart from the intercept")]
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
        Ok(self.intercept + row.iter().zip(&self.coefficients).map(|(x, w)| x * w).sum::<f64>())
    }
    /// The fitted probability σ(b + wᵀx).
    pub fn predict(&self, row: &[f64]) -> Result<f64, FitError> {
        self.linear_predictor(row).map(sigmoid)
    }
    /// Fitted probabilities for every row of `x`.
    pub fn predict_all(&self, x: &Matrix) -> Result<Vec<f64>, FitError> {
        (0..x.rows()).map(|i| self.predict(x.row(i))).collect()
    }
}

fn sigmoid(t: f64) -> f64 {
    let e = (-t.abs()).exp();
    if t >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) }
}

/// Fits the model; `x` rows line up with `y`.
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
        Some(c) if c.is_finite() && c >= 0.0 => {
            if c > 0.0 {
                1.0 / c
            } else {
                0.0
            }
        }
        Some(c) => return Err(FitError::BadPenalty(c)),
    };
    let positives = y.iter().filter(|v| **v).count();
    if positives == 0 || positives == n {
        return Err(FitError::SingleClass(positives == n));
    }
    let (model, mut sums) = Model::new(x, y, inv_c > 0.0)?;
    let q = model.q();
    // Penalty on raw w = v/sd: (1/C)·Σ vⱼ²/sdⱼ², a diagonal in standardised units. A
    // constant column (z ≡ 0) gets 1 so its coefficient has a well-defined 0.
    let penalty: Vec<f64> = std::iter::once(0.0)
        .chain(model.inv_scale.iter().map(|s| if *s == 0.0 { 1.0 } else { inv_c * s * s }))
        .collect();
    let penalty_term =
        |beta: &[f64]| 0.5 * beta.iter().zip(&penalty).map(|(b, d)| d * b * b).sum::<f64>();
    let objective = |s: &Sums, beta: &[f64]| s.loss + penalty_term(beta);

    let mut beta = vec![0.0; q];
    beta[0] = (positives as f64 / (n - positives) as f64).ln();
    let mut f = objective(&sums, &beta);
    let (mut iterations, mut converged) = (0, false);
    let mut chol;
    loop {
        iterations += 1;
        let (grad, hess) = sums.with_penalty(&beta, &penalty);
        let tol = if inv_c > 0.0 { 0.0 } else { COLLINEAR_TOL };
        chol = match cholesky(&hess, q, tol) {
            Ok(l) => l,
            Err(pivot) => {
                return Err(if inv_c > 0.0 {
                    FitError::Singular
                } else if iterations == 1 {
                    FitError::Collinear { feature: pivot - 1 }
                } else if sums.saturated > 0 {
                    FitError::Separable
                } else {
                    FitError::Singular
                });
            }
        };
        let delta = solve(&chol, q, &grad);
        let size = max_abs(&delta) / (1.0 + max_abs(&beta));

        if size <= STEP_TOL {
            // Quadratic convergence: the objective after this step is f − ½gᵀδ to O(δ³).
            f -= 0.5 * dot(&grad, &delta);
            for (b, d) in beta.iter_mut().zip(&delta) {
                *b -= d;
            }
            sums.loss = f - penalty_term(&beta);
            converged = true;
            break;
        }
        if inv_c == 0.0
            && sums.saturated > 0
            && (iterations >= SEPARATION_MIN_STEPS && size > SEPARATION_STEP
                || iterations >= options.max_iterations)
        {
            return Err(FitError::Separable);
        }
        if iterations >= options.max_iterations {
            break;
        }
        let decrease = dot(&grad, &delta);
        let mut t = 1.0;
        let accepted = loop {
            let trial: Vec<f64> = beta.iter().zip(&delta).map(|(b, d)| b - t * d).collect();
            let s = model.sums(&trial, t == 1.0);
            let ft = objective(&s, &trial);
            if ft <= f - 1e-4 * t * decrease {
                break Some((trial, s, ft));
            }
            t *= 0.5;
            if t < 1e-10 {
                break None;
            }
        };
        let Some((trial, s, ft)) = accepted else {
            break;
        };
        beta = trial;
        f = ft;
        sums = if t == 1.0 { s } else { model.sums(&beta, true) };
    }

    // Back to the raw scale: w = v/sd, b = b_z − Σ vⱼ·meanⱼ/sdⱼ.
    let p = x.cols();
    let mut coefficients = vec![0.0; p];
    let mut intercept = beta[0];
    let mut t0 = vec![1.0; q];
    for j in 0..p {
        coefficients[j] = beta[j + 1] * model.inv_scale[j];
        intercept -= beta[j + 1] * model.shift[j] * model.inv_scale[j];
        t0[j + 1] = -model.shift[j] * model.inv_scale[j];
    }
    let standard_errors = (inv_c == 0.0).then(|| {
        // Cov(raw) = T·H⁻¹·Tᵀ with the same map T.
        let mut cov = vec![0.0; q * q];
        for j in 0..q {
            let mut e = vec![0.0; q];
            e[j] = 1.0;
            let col = solve(&chol, q, &e);
            for i in 0..q {
                cov[i * q + j] = col[i];
            }
        }
        let var0: f64 = (0..q)
            .map(|i| (0..q).map(|j| t0[i] * cov[i * q + j] * t0[j]).sum::<f64>())
            .sum();
        let mut se = vec![0.0; p];
        for j in 0..p {
            se[j] = cov[(j + 1) * q + j + 1].sqrt() * model.inv_scale[j];
        }
        StandardErrors {
            intercept: var0.sqrt(),
            coefficients: se,
        }
    });
    Ok(Fit {
        intercept,
        coefficients,
        standard_errors,
        log_likelihood: -sums.loss,
        iterations,
        converged,
    })
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
    saturated: usize,
}

impl Sums {
    fn zero(q: usize) -> Self {
        Self {
            loss: 0.0,
            grad: vec![0.0; q],
            hess: vec![0.0; q * q],
            saturated: 0,
        }
    }
    fn add(mut self, o: &Sums) -> Self {
        self.loss += o.loss;
        self.saturated += o.saturated;
        self.grad.iter_mut().zip(&o.grad).for_each(|(a, b)| *a += b);
        self.hess.iter_mut().zip(&o.hess).for_each(|(a, b)| *a += b);
        self
    }
    /// Gradient and full symmetric Hessian of the penalised objective.
    fn with_penalty(&self, beta: &[f64], penalty: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let q = beta.len();
        let grad = (0..q).map(|j| self.grad[j] + penalty[j] * beta[j]).collect();
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
            sum_pos.iter_mut().zip(&part.sum_pos).for_each(|(a, b)| *a += b);
            cross.iter_mut().zip(&part.cross).for_each(|(a, b)| *a += b);
        }
        let nf = n as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / nf).collect();
        let mut shift = vec![0.0; p];
        let mut inv_scale = vec![0.0; p];
        for j in 0..p {
            let ss = cross[j * ppad + j];
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
// it) and portable. The code is the same and uses no FMA, so both give the same bits.

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
            for (((z, v), m), s) in z[1..].iter_mut().zip(row).zip(&model.shift).zip(&model.inv_scale) {
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
