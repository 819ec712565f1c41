//! The data passes (moments, loss/gradient/Hessian sums) split over the cores, and the
//! small dense linear algebra (Cholesky) they feed.

use super::*;

/// The data with its standardisation z = (x − shift)·inv_scale; a constant column
/// (penalised fits only) gets inv_scale 0, so z ≡ 0 and its coefficient stays 0.
pub(super) struct Model<'a> {
    pub(super) x: Matrix<'a>,
    pub(super) y: &'a [bool],
    pub(super) shift: Vec<f64>,
    pub(super) inv_scale: Vec<f64>,
}

/// Loss, gradient and (optionally) the upper triangle of the Hessian of Σ ℓᵢ, q × q.
pub(super) struct Sums {
    pub(super) loss: f64,
    pub(super) grad: Vec<f64>,
    pub(super) hess: Vec<f64>,
    /// Rows with |η| > SATURATED_ETA.
    pub(super) saturated: usize,
    /// Rows on the wrong side of the boundary or on it (margin ±η ≤ 0).
    pub(super) wrong: usize,
}

impl Sums {
    pub(super) fn zero(q: usize) -> Self {
        Self {
            loss: 0.0,
            grad: vec![0.0; q],
            hess: vec![0.0; q * q],
            saturated: 0,
            wrong: 0,
        }
    }
    pub(super) fn add(mut self, o: &Sums) -> Self {
        self.loss += o.loss;
        self.saturated += o.saturated;
        self.wrong += o.wrong;
        self.grad.iter_mut().zip(&o.grad).for_each(|(a, b)| *a += b);
        self.hess.iter_mut().zip(&o.hess).for_each(|(a, b)| *a += b);
        self
    }
    /// Gradient and full symmetric Hessian of the penalised objective.
    pub(super) fn with_penalty(&self, beta: &[f64], penalty: &[f64]) -> (Vec<f64>, Vec<f64>) {
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
pub(super) struct Moments {
    pub(super) not_finite: Option<(usize, usize)>,
    pub(super) sum: Vec<f64>,
    pub(super) sum_pos: Vec<f64>,
    pub(super) cross: Vec<f64>,
}

impl<'a> Model<'a> {
    /// One pass over the data gives finiteness, means, standard deviations and the
    /// loss, gradient and Hessian at the start point b = logit(ȳ), w = 0: there every
    /// weight is ȳ(1 − ȳ), so H₀ = ȳ(1 − ȳ)·Σ z̃z̃ᵀ (n in the intercept corner, n × the
    /// correlation matrix elsewhere, 0 between) and g₀ = −Σ_{y=1} z̃.
    pub(super) fn new(
        x: &Matrix<'a>,
        y: &'a [bool],
        penalised: bool,
    ) -> Result<(Self, Sums), FitError> {
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

    pub(super) fn q(&self) -> usize {
        self.x.cols() + 1
    }

    /// Back to the raw scale: w = v·inv_scale, b = b_z − Σ vⱼ·shiftⱼ·inv_scaleⱼ, that is
    /// β_raw = T·β_z, and (unpenalised) Cov(β_raw) = T·H⁻¹·Tᵀ.
    pub(super) fn to_raw(&self, newton: &Newton, with_errors: bool) -> Fit {
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
    pub(super) fn sums(&self, beta: &[f64], hessian: bool) -> Sums {
        let parts = par_chunks(self.x.rows(), |rows| sums_chunk(self, beta, hessian, rows));
        parts.iter().fold(Sums::zero(self.q()), Sums::add)
    }
}

/// Runs `f` on fixed chunks of `0..n` across the available cores; results in chunk order.
pub(super) fn par_chunks<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
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

pub(super) fn moments_chunk(x: &Matrix, y: &[bool], centre: &[f64], rows: Range<usize>) -> Moments {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { moments_chunk_avx2(x, y, centre, rows) };
    }
    moments_chunk_body(x, y, centre, rows)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(super) fn moments_chunk_avx2(
    x: &Matrix,
    y: &[bool],
    centre: &[f64],
    rows: Range<usize>,
) -> Moments {
    moments_chunk_body(x, y, centre, rows)
}

#[inline(always)]
pub(super) fn moments_chunk_body(
    x: &Matrix,
    y: &[bool],
    centre: &[f64],
    rows: Range<usize>,
) -> Moments {
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

pub(super) fn sums_chunk(model: &Model, beta: &[f64], hessian: bool, rows: Range<usize>) -> Sums {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { sums_chunk_avx2(model, beta, hessian, rows) };
    }
    sums_chunk_body(model, beta, hessian, rows)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(super) fn sums_chunk_avx2(
    model: &Model,
    beta: &[f64],
    hessian: bool,
    rows: Range<usize>,
) -> Sums {
    sums_chunk_body(model, beta, hessian, rows)
}

#[inline(always)]
pub(super) fn sums_chunk_body(
    model: &Model,
    beta: &[f64],
    hessian: bool,
    rows: Range<usize>,
) -> Sums {
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
pub(super) fn rank_update(u: &[f64], q: usize, qpad: usize, hess: &mut [f64]) {
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
pub(super) fn add_to(a: &mut [f64], b: &[f64], s: f64) {
    a.iter_mut().zip(b).for_each(|(a, b)| *a += s * b);
}

/// Dot product of two equal-length slices whose length is a multiple of 4, with four
/// running sums (a fixed order the compiler can vectorise).
#[inline(always)]
pub(super) fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0f64; 4];
    for (x, y) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for l in 0..4 {
            s[l] += x[l] * y[l];
        }
    }
    (s[0] + s[2]) + (s[1] + s[3])
}

pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(super) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Lower Cholesky factor of the symmetric q × q matrix `a`; `Err(j)` when pivot j is not
/// above `rel_tol` times its diagonal entry (or not positive).
pub(super) fn cholesky(a: &[f64], q: usize, rel_tol: f64) -> Result<Vec<f64>, usize> {
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
pub(super) fn solve(l: &[f64], q: usize, b: &[f64]) -> Vec<f64> {
    let mut x = b.to_vec();
    for i in 0..q {
        x[i] = (x[i] - (0..i).map(|k| l[i * q + k] * x[k]).sum::<f64>()) / l[i * q + i];
    }
    for i in (0..q).rev() {
        x[i] = (x[i] - (i + 1..q).map(|k| l[k * q + i] * x[k]).sum::<f64>()) / l[i * q + i];
    }
    x
}
