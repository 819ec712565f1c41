//! The design of the media-mix regression: fixed columns (intercept, trend, Fourier
//! seasonality, controls), one adstock-and-saturation column per channel, and the
//! variable-projection residual `r(z) = y − X(z)·ĉ(z)` with `ĉ` the least-squares
//! coefficients (channel coefficients ≥ 0) for the nonlinear parameters `z`.
//!
//! Each channel's nonlinear parameters live in the unit box `z ∈ [0, 1]^k`:
//! `θ = 0.9·z₀`; hill `α = 0.5 + 2.5·z₁`, `γ = m·0.3·10^z₂`; logistic
//! `λ = 0.1·100^z₁ / m`, where `m` is the mean of the channel's adstocked spend at `θ`.
//! Each channel has its own family, so `k` is 3 (hill) or 2 (logistic) per channel and
//! the channels' parameters sit one after another in `z`.

use std::ops::Range;

use super::lm::Penalty;
use super::{FittedCurve, Saturation, linear};

/// Weeks in the seasonal period and number of Fourier pairs.
const PERIOD: f64 = 52.0;
const FOURIER_PAIRS: usize = 2;

pub(crate) struct Problem<'a> {
    n: usize,
    /// Fixed columns: intercept, trend, seasonality, controls.
    base: Vec<Vec<f64>>,
    spend: Vec<&'a [f64]>,
    /// Per channel, its saturation family.
    shapes: Vec<Saturation>,
    /// Channel `i`'s parameters are `z[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    /// `base_iᵀ·base_j`, `q × q`.
    base_gram: Vec<f64>,
}

/// Everything known at one point `z`.
#[derive(Clone)]
pub(crate) struct Eval {
    pub features: Vec<Vec<f64>>,
    pub mean_adstock: Vec<f64>,
    pub gram: Vec<f64>,
    pub xty: Vec<f64>,
    pub coef: Vec<f64>,
    pub resid: Vec<f64>,
    pub sse: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl<'a> Problem<'a> {
    pub fn new(
        spend: Vec<&'a [f64]>,
        controls: &[&[f64]],
        n: usize,
        shapes: Vec<Saturation>,
    ) -> Self {
        debug_assert_eq!(spend.len(), shapes.len());
        let mut base = vec![vec![1.0; n]];
        // Trend on [0, 1] for conditioning; the caller rescales its coefficient per week.
        let span = Self::trend_span(n);
        base.push((0..n).map(|t| t as f64 / span).collect());
        if n as f64 >= PERIOD {
            for k in 1..=FOURIER_PAIRS {
                let w = std::f64::consts::TAU * k as f64 / PERIOD;
                base.push((0..n).map(|t| (w * t as f64).sin()).collect());
                base.push((0..n).map(|t| (w * t as f64).cos()).collect());
            }
        }
        base.extend(controls.iter().map(|c| c.to_vec()));
        let q = base.len();
        let mut base_gram = vec![0.0; q * q];
        for i in 0..q {
            for j in 0..=i {
                let d = dot(&base[i], &base[j]);
                base_gram[i * q + j] = d;
                base_gram[j * q + i] = d;
            }
        }
        let offsets = std::iter::once(0)
            .chain(shapes.iter().scan(0, |end, s| {
                *end += Self::per_channel(*s);
                Some(*end)
            }))
            .collect();
        Problem {
            n,
            base,
            spend,
            shapes,
            offsets,
            base_gram,
        }
    }

    /// Weeks spanned by the trend column `t/span ∈ [0, 1]`.
    pub fn trend_span(n: usize) -> f64 {
        (n.max(2) - 1) as f64
    }

    /// Where channel `i`'s parameters sit in `z`.
    pub fn params(&self, i: usize) -> Range<usize> {
        self.offsets[i]..self.offsets[i + 1]
    }

    /// Number of fixed (non-media) columns.
    pub fn fixed_len(&self) -> usize {
        self.base.len()
    }

    /// Index of the first control among the fixed columns.
    pub fn first_control(n: usize) -> usize {
        if n as f64 >= PERIOD {
            2 + 2 * FOURIER_PAIRS
        } else {
            2
        }
    }

    pub fn per_channel(saturation: Saturation) -> usize {
        match saturation {
            Saturation::Hill => 3,
            Saturation::Logistic => 2,
        }
    }

    pub fn nonlinear_len(&self) -> usize {
        self.offsets[self.spend.len()]
    }

    fn linear_len(&self) -> usize {
        self.base.len() + self.spend.len()
    }

    /// A central starting point: θ = 0.3, hill α = 1.5 and γ ≈ the mean adstock,
    /// logistic λ·m = 1.
    pub fn default_start(&self) -> Vec<f64> {
        self.shapes
            .iter()
            .flat_map(|s| Self::start_of(*s).iter().copied())
            .collect()
    }

    /// One channel's central start (θ first).
    pub fn start_of(saturation: Saturation) -> &'static [f64] {
        match saturation {
            Saturation::Hill => &[1.0 / 3.0, 0.4, 0.523],
            Saturation::Logistic => &[1.0 / 3.0, 0.5],
        }
    }

    /// A weak prior on the saturation shape (not on θ): each shape parameter ~
    /// N(default start, sd²) in the unit box, as the penalty `σ²/sd²·(z − c)²`.
    pub fn prior(&self, sigma2: f64, sd: f64) -> Penalty {
        let centre = self.default_start();
        let weight = (0..centre.len())
            .map(|j| {
                if self.offsets.contains(&j) {
                    0.0
                } else {
                    sigma2 / (sd * sd)
                }
            })
            .collect();
        Penalty { centre, weight }
    }

    pub fn decay(zc: &[f64]) -> f64 {
        0.9 * zc[0]
    }

    /// Channel `channel`'s weekly curve (in adstocked weekly spend) for coefficient `beta`.
    pub fn weekly_curve(
        &self,
        channel: usize,
        zc: &[f64],
        mean_adstock: f64,
        beta: f64,
    ) -> FittedCurve {
        match self.shapes[channel] {
            Saturation::Hill => FittedCurve::Hill {
                beta,
                alpha: 0.5 + 2.5 * zc[1],
                gamma: mean_adstock * 0.3 * 10f64.powf(zc[2]),
            },
            Saturation::Logistic => FittedCurve::Logistic {
                beta,
                lambda: 0.1 * 100f64.powf(zc[1]) / mean_adstock,
            },
        }
    }

    /// Writes the channel's column for parameters `zc` into `out`; returns the mean
    /// adstocked spend. Adstock `a_t = x_t + θ·a_{t−1}`, `a_{−1} = 0`.
    fn feature(&self, channel: usize, zc: &[f64], out: &mut [f64]) -> f64 {
        let theta = Self::decay(zc);
        let mut a = 0.0;
        let mut sum = 0.0;
        for (o, x) in out.iter_mut().zip(self.spend[channel]) {
            a = x + theta * a;
            *o = a;
            sum += a;
        }
        let mean = sum / self.n as f64;
        let curve = self.weekly_curve(channel, zc, mean, 1.0);
        for o in out.iter_mut() {
            *o = curve.response(*o);
        }
        mean
    }

    fn column<'e>(&'e self, eval_features: &'e [Vec<f64>], j: usize) -> &'e [f64] {
        let q = self.base.len();
        if j < q {
            &self.base[j]
        } else {
            &eval_features[j - q]
        }
    }

    fn solve_and_residual(
        &self,
        y: &[f64],
        features: &[Vec<f64>],
        gram: &[f64],
        xty: &[f64],
        hint: &[f64],
    ) -> (Vec<f64>, Vec<f64>, f64) {
        let p = self.linear_len();
        let coef = linear::nnls(gram, xty, p, self.base.len(), hint);
        let mut resid = y.to_vec();
        for (j, c) in coef.iter().enumerate() {
            if *c != 0.0 {
                for (r, x) in resid.iter_mut().zip(self.column(features, j)) {
                    *r -= c * x;
                }
            }
        }
        let sse = dot(&resid, &resid);
        (coef, resid, sse)
    }

    /// The fit at `z`; `hint` is the coefficient vector of a nearby point (or empty).
    pub fn evaluate(&self, y: &[f64], z: &[f64], hint: &[f64]) -> Eval {
        let (q, p) = (self.base.len(), self.linear_len());
        let mut features = vec![vec![0.0; self.n]; self.spend.len()];
        let mean_adstock: Vec<f64> = features
            .iter_mut()
            .enumerate()
            .map(|(i, f)| self.feature(i, &z[self.params(i)], f))
            .collect();
        let mut gram = vec![0.0; p * p];
        for i in 0..q {
            gram[i * p..i * p + q].copy_from_slice(&self.base_gram[i * q..(i + 1) * q]);
        }
        for i in q..p {
            for j in 0..=i {
                let d = dot(&features[i - q], self.column(&features, j));
                gram[i * p + j] = d;
                gram[j * p + i] = d;
            }
        }
        let xty: Vec<f64> = (0..p).map(|j| dot(self.column(&features, j), y)).collect();
        let (coef, resid, sse) = self.solve_and_residual(y, &features, &gram, &xty, hint);
        Eval {
            features,
            mean_adstock,
            gram,
            xty,
            coef,
            resid,
            sse,
        }
    }

    /// Forward-difference Jacobian `∂r/∂z` (column-major, `m × n`) at `at`. A change of
    /// one channel's parameters changes one column of X, so only one row and column of
    /// the Gram matrix are recomputed.
    pub fn jacobian(&self, y: &[f64], z: &[f64], at: &Eval, jac: &mut [f64]) {
        const H: f64 = 1e-6;
        let (q, p) = (self.base.len(), self.linear_len());
        let mut features = at.features.clone();
        for i in 0..self.spend.len() {
            let r = q + i;
            let range = self.params(i);
            for j in 0..range.len() {
                let mut zc = z[range.clone()].to_vec();
                let h = if zc[j] + H > 1.0 { -H } else { H };
                zc[j] += h;
                let mut f = std::mem::take(&mut features[i]);
                self.feature(i, &zc, &mut f);
                features[i] = f;
                let mut gram = at.gram.clone();
                let mut xty = at.xty.clone();
                for l in 0..p {
                    let d = dot(&features[i], self.column(&features, l));
                    gram[r * p + l] = d;
                    gram[l * p + r] = d;
                }
                xty[r] = dot(&features[i], y);
                let (_, resid, _) = self.solve_and_residual(y, &features, &gram, &xty, &at.coef);
                let col = &mut jac[(range.start + j) * self.n..(range.start + j + 1) * self.n];
                for ((c, new), old) in col.iter_mut().zip(&resid).zip(&at.resid) {
                    *c = (new - old) / h;
                }
            }
            features[i].copy_from_slice(&at.features[i]);
        }
    }
}
