//! Sample size per arm for an A/B test, per `quarterdeck analyze sample-size` in
//! docs/contracts/analyses-cli.md. Owns the two power formulas and the distribution
//! functions they need (normal, Student t, noncentral t), written out here with no
//! dependency.
//!
//! # Proportions (R's `power.prop.test`, `strict = FALSE`)
//! Baseline `p1`, target `p2 = p1·(1+m)` (relative mde, the default) or `p1 + m`
//! (absolute). Two-proportion z-test, pooled variance under the null and unpooled under
//! the alternative; with `p̄ = (p1+p2)/2`, `q = 1 − p`:
//!
//! `power(n) = Φ((√n·|p1−p2| − z_{1−α/s}·√(2·p̄·q̄)) / √(p1q1 + p2q2))`, `s` = 2 sides or 1,
//!
//! which inverts in closed form:
//! `n = (z_{1−α/s}·√(2·p̄·q̄) + z_{power}·√(p1q1 + p2q2))² / (p1−p2)²`.
//! `strict = FALSE` ignores rejections in the wrong tail, as R does by default.
//!
//! # Means (R's `power.t.test`, two-sample, `strict = FALSE`)
//! Mean `μ`, standard deviation `σ`, difference `δ = μ·m` (relative) or `m` (absolute).
//! With `ν = 2(n−1)` degrees of freedom and noncentrality `√(n/2)·δ/σ`:
//!
//! `power(n) = P(T_{ν, ncp} > t_{1−α/s, ν})`,
//!
//! solved for real `n ≥ 2` by bisection (power rises with `n`), as R does with `uniroot`
//! (R stops at its default tolerance `ε^¼ ≈ 1.2e-4`; here the root is found to ~1e-10).
//!
//! # Distribution functions
//! - `Φ` from the regularized incomplete gamma: `Φ(−x) = ½·Q(½, x²/2)`, series or
//!   continued fraction (Numerical Recipes §6.2), ~1e-15 relative.
//! - `Φ⁻¹`: Wichura's AS 241 (PPND16), full double precision.
//! - `ln Γ`: Lanczos (g = 7, 9 terms), ~1e-15 relative.
//! - Student t: `P(T > t) = ½·I_{ν/(ν+t²)}(ν/2, ½)` with the incomplete beta's continued
//!   fraction (Lentz); its quantile by safeguarded Newton from the normal quantile.
//! - Noncentral t: Lenth's AS 243 (1989), the series R's `pnt` uses, to 1e-12; for
//!   `δ² > 1416` or `ν > 4·10⁵`, Abramowitz & Stegun 26.7.10's normal approximation, as R.

use serde::{Deserialize, Serialize};

/// The metric under test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Metric {
    /// A conversion rate: the baseline proportion in (0, 1).
    Proportion { baseline: f64 },
    /// A continuous metric: its mean and standard deviation per unit.
    Mean { mean: f64, sd: f64 },
}

/// The test's settings; [`Params::new`] gives the CLI's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Minimum detectable effect: relative (0.1 = +10%) unless `absolute`.
    pub mde: f64,
    pub absolute: bool,
    pub alpha: f64,
    pub power: f64,
    pub one_sided: bool,
}

impl Params {
    /// A relative mde with α = 0.05, power 0.8, two-sided.
    pub fn new(mde: f64) -> Self {
        Params {
            mde,
            absolute: false,
            alpha: 0.05,
            power: 0.8,
            one_sided: false,
        }
    }
}

/// The sample size: `per_arm = ⌈exact⌉`, `total = 2·per_arm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleSize {
    pub per_arm: u64,
    pub exact: f64,
    pub method: String,
    pub total: u64,
}

pub const PROPORTION_METHOD: &str = "two-proportion z-test (power.prop.test)";
pub const MEAN_METHOD: &str = "two-sample t-test (power.t.test)";

/// What is wrong with the inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleSizeError {
    #[error("the baseline rate must lie strictly between 0 and 1, found {0}")]
    Baseline(f64),
    #[error(
        "the baseline {baseline} moved by the mde gives {target}, which is not a rate strictly \
         between 0 and 1"
    )]
    Target { baseline: f64, target: f64 },
    #[error("the minimum detectable effect must be a nonzero finite number, found {0}")]
    Mde(f64),
    #[error("alpha must lie strictly between 0 and 1, found {0}")]
    Alpha(f64),
    #[error("power must lie strictly between alpha and 1, found {0}")]
    Power(f64),
    #[error("the standard deviation must be a positive finite number, found {0}")]
    Sd(f64),
    #[error("the mean must be a finite number, and nonzero for a relative mde; found {0}")]
    Mean(f64),
    #[error("the effect is too small to reach the power with fewer than 10^12 per arm")]
    TooSmall,
}

/// Sample size per arm to detect the mde with the given α and power.
pub fn sample_size(metric: &Metric, params: &Params) -> Result<SampleSize, SampleSizeError> {
    let &Params {
        mde,
        absolute,
        alpha,
        power,
        one_sided,
    } = params;
    if !(mde.is_finite() && mde != 0.0) {
        return Err(SampleSizeError::Mde(mde));
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(SampleSizeError::Alpha(alpha));
    }
    if !(power > alpha && power < 1.0) {
        return Err(SampleSizeError::Power(power));
    }
    let (exact, method) = match *metric {
        Metric::Proportion { baseline } => {
            if !(baseline > 0.0 && baseline < 1.0) {
                return Err(SampleSizeError::Baseline(baseline));
            }
            let target = if absolute {
                baseline + mde
            } else {
                baseline * (1.0 + mde)
            };
            if !(target > 0.0 && target < 1.0) {
                return Err(SampleSizeError::Target { baseline, target });
            }
            let n = prop_test_n(baseline, target, alpha, power, one_sided);
            (n, PROPORTION_METHOD)
        }
        Metric::Mean { mean, sd } => {
            if !(mean.is_finite() && (absolute || mean != 0.0)) {
                return Err(SampleSizeError::Mean(mean));
            }
            if !(sd.is_finite() && sd > 0.0) {
                return Err(SampleSizeError::Sd(sd));
            }
            let delta = if absolute { mde } else { mean * mde };
            let n = t_test_n(delta.abs(), sd, alpha, power, one_sided)
                .ok_or(SampleSizeError::TooSmall)?;
            (n, MEAN_METHOD)
        }
    };
    if !(exact.is_finite() && exact < 1e12) {
        return Err(SampleSizeError::TooSmall);
    }
    let per_arm = exact.ceil() as u64;
    Ok(SampleSize {
        per_arm,
        exact,
        method: method.to_string(),
        total: 2 * per_arm,
    })
}

fn sides(one_sided: bool) -> f64 {
    if one_sided { 1.0 } else { 2.0 }
}

/// Power of the two-proportion test with `n` per arm (R's `power.prop.test`).
pub fn prop_test_power(n: f64, p1: f64, p2: f64, alpha: f64, one_sided: bool) -> f64 {
    let z = -qnorm(alpha / sides(one_sided));
    let pooled = ((p1 + p2) * (1.0 - (p1 + p2) / 2.0)).sqrt();
    let unpooled = (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    pnorm((n.sqrt() * (p1 - p2).abs() - z * pooled) / unpooled)
}

/// The closed-form inverse of [`prop_test_power`] in `n`.
fn prop_test_n(p1: f64, p2: f64, alpha: f64, power: f64, one_sided: bool) -> f64 {
    let z_alpha = -qnorm(alpha / sides(one_sided));
    let z_power = qnorm(power);
    let pbar = (p1 + p2) / 2.0;
    let root = z_alpha * (2.0 * pbar * (1.0 - pbar)).sqrt()
        + z_power * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    root * root / ((p1 - p2) * (p1 - p2))
}

/// Power of the two-sample t-test with `n` per arm (R's `power.t.test`).
pub fn t_test_power(n: f64, delta: f64, sd: f64, alpha: f64, one_sided: bool) -> f64 {
    let df = 2.0 * (n - 1.0);
    let critical = qt_upper(alpha / sides(one_sided), df);
    1.0 - pnt(critical, df, (n / 2.0).sqrt() * delta / sd)
}

/// Solves [`t_test_power`]`(n) = power` for `n ≥ 2` by bisection in `ln n`.
fn t_test_n(delta: f64, sd: f64, alpha: f64, power: f64, one_sided: bool) -> Option<f64> {
    let reached = |n: f64| t_test_power(n, delta, sd, alpha, one_sided) >= power;
    if reached(2.0) {
        return Some(2.0);
    }
    let (mut low, mut high) = (2f64.ln(), 1e12f64.ln());
    if !reached(high.exp()) {
        return None;
    }
    while high - low > 1e-12 {
        let mid = 0.5 * (low + high);
        if reached(mid.exp()) {
            high = mid;
        } else {
            low = mid;
        }
    }
    Some((0.5 * (low + high)).exp())
}

// ---------- distribution functions ----------

const LN_SQRT_PI: f64 = 0.572_364_942_924_700_087_071_713_675_677; // ln √π = ln Γ(½)

/// Standard normal CDF `Φ(x)`.
pub fn pnorm(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    // Φ(x) = ½·Q(½, x²/2) for x < 0; by symmetry for x ≥ 0.
    let tail = 0.5 * gamma_q_half(0.5 * x * x);
    if x < 0.0 { tail } else { 1.0 - tail }
}

/// Regularized upper incomplete gamma `Q(½, y)`.
fn gamma_q_half(y: f64) -> f64 {
    let a = 0.5;
    if y <= 0.0 {
        return 1.0;
    }
    let front = (-y + a * y.ln() - LN_SQRT_PI).exp();
    if y < a + 1.0 {
        // P(a, y) by its series Σ y^k / (a(a+1)…(a+k)).
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..500 {
            ap += 1.0;
            term *= y / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * front
    } else {
        front
            * continued_fraction(
                |k| {
                    // Q's continued fraction (Numerical Recipes 6.2.7) in Lentz form.
                    let k = k as f64;
                    (-k * (k - a), y + 2.0 * k + 1.0 - a)
                },
                y + 1.0 - a,
            )
    }
}

/// Modified Lentz for `1 / (b0 + a1/(b1 + a2/(b2 + …)))`, where `terms(k) = (a_k, b_k)`.
fn continued_fraction(terms: impl Fn(usize) -> (f64, f64), b0: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / if b0.abs() < TINY { TINY } else { b0 };
    let mut h = d;
    for k in 1..1000 {
        let (an, bn) = terms(k);
        d = an * d + bn;
        if d.abs() < TINY {
            d = TINY;
        }
        c = bn + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Standard normal quantile `Φ⁻¹(p)`: Wichura (1988), AS 241 PPND16.
pub fn qnorm(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return match p {
            0.0 => f64::NEG_INFINITY,
            1.0 => f64::INFINITY,
            _ => f64::NAN,
        };
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let r = (-(p.min(1.0 - p)).ln()).sqrt();
    let value = if r <= 5.0 {
        poly(&C, r - 1.6) / poly(&D, r - 1.6)
    } else {
        poly(&E, r - 5.0) / poly(&F, r - 5.0)
    };
    if q < 0.0 { -value } else { value }
}

/// `c[0] + c[1]·x + … + c[7]·x⁷` by Horner's rule.
fn poly(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, k| acc * x + k)
}

// AS 241 coefficients, lowest power first, with the paper's digits so they can be checked
// against it (more than an f64 holds, hence the clippy allowances).
#[allow(clippy::excessive_precision)]
const A: [f64; 8] = [
    3.387_132_872_796_366_608,
    133.141_667_891_784_377_45,
    1_971.590_950_306_551_442_7,
    13_731.693_765_509_461_125,
    45_921.953_931_549_871_457,
    67_265.770_927_008_700_853,
    33_430.575_583_588_128_105,
    2_509.080_928_730_122_672_7,
];
#[allow(clippy::excessive_precision)]
const B: [f64; 8] = [
    1.0,
    42.313_330_701_600_911_252,
    687.187_007_492_057_908_3,
    5_394.196_021_424_751_107_7,
    21_213.794_301_586_595_867,
    39_307.895_800_092_710_61,
    28_729.085_735_721_942_674,
    5_226.495_278_852_545_925,
];
#[allow(clippy::excessive_precision)]
const C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    0.241_780_725_177_450_611_77,
    0.022_723_844_989_269_184_583_3,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    0.689_767_334_985_100_004_55,
    0.148_103_976_427_480_074_59,
    0.015_198_666_563_616_457_196_6,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    0.296_560_571_828_504_891_23,
    0.026_532_189_526_576_123_093,
    0.001_242_660_947_388_078_438_6,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const F: [f64; 8] = [
    1.0,
    0.599_832_206_555_887_937_69,
    0.136_929_880_922_735_805_31,
    0.014_875_361_290_850_614_852_5,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// `ln Γ(x)` for `x > 0`: Lanczos, g = 7, 9 coefficients.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    #[allow(clippy::excessive_precision)]
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_93,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_13,
        -176.615_029_162_140_59,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_571_6e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)·Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let sum = COEF[1..]
        .iter()
        .enumerate()
        .fold(COEF[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Regularized incomplete beta `I_x(a, b)`.
pub fn beta_inc(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    // The continued fraction converges fast for x < (a+1)/(a+b+2); use symmetry otherwise.
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - beta_inc(1.0 - x, b, a);
    }
    let front =
        (a * x.ln() + b * (-x).ln_1p() + ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b)).exp() / a;
    // I_x(a,b) = front / (1 + d1/(1 + d2/(1 + …))), Numerical Recipes 6.4.5.
    let cf = continued_fraction(
        |k| {
            let m = (k / 2) as f64;
            let d = if k % 2 == 0 {
                m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
            } else {
                -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))
            };
            (d, 1.0)
        },
        1.0,
    );
    front * cf
}

/// Upper tail of Student's t, `P(T_ν > t)`.
pub fn pt_upper(t: f64, df: f64) -> f64 {
    let tail = 0.5 * beta_inc(df / (df + t * t), 0.5 * df, 0.5);
    if t >= 0.0 { tail } else { 1.0 - tail }
}

/// The `t` with `P(T_ν > t) = p`, for `0 < p < 1`.
pub fn qt_upper(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p > 0.5 {
        return -qt_upper(1.0 - p, df);
    }
    let density = |t: f64| {
        (ln_gamma(0.5 * (df + 1.0))
            - ln_gamma(0.5 * df)
            - 0.5 * (df * std::f64::consts::PI).ln()
            - 0.5 * (df + 1.0) * (t * t / df).ln_1p())
        .exp()
    };
    // The t quantile lies beyond the normal one; double until the tail is below p.
    let (mut low, mut high) = (0.0, (-qnorm(p)).max(1.0));
    while pt_upper(high, df) > p {
        low = high;
        high *= 2.0;
    }
    let mut t = 0.5 * (low + high);
    for _ in 0..200 {
        let g = pt_upper(t, df) - p;
        if g > 0.0 {
            low = t;
        } else {
            high = t;
        }
        let newton = t + g / density(t);
        if (newton - t).abs() <= 1e-15 * t || high - low <= 1e-15 * high {
            return newton.clamp(low, high);
        }
        t = if newton > low && newton < high {
            newton
        } else {
            0.5 * (low + high)
        };
    }
    t
}

/// Noncentral t CDF `P(T_{ν,δ} ≤ t)`: Lenth (1989), AS 243.
pub fn pnt(t: f64, df: f64, delta: f64) -> f64 {
    if t < 0.0 {
        // T(δ) has the law of −T(−δ).
        return 1.0 - pnt(-t, df, -delta);
    }
    if df > 4e5 || delta * delta > 2.0 * std::f64::consts::LN_2 * 1021.0 {
        // Abramowitz & Stegun 26.7.10, where the series would underflow.
        let s = 1.0 / (4.0 * df);
        return pnorm((t * (1.0 - s) - delta) / (1.0 + t * t * 2.0 * s).sqrt());
    }
    let x = t * t / (t * t + df);
    let mut tnc = 0.0;
    if x > 0.0 {
        // Twin series over Poisson(δ²/2) weights of incomplete betas (Guenther 1978).
        let lambda = delta * delta;
        let mut p = 0.5 * (-0.5 * lambda).exp();
        let mut q = (2.0 / std::f64::consts::PI).sqrt() * p * delta;
        let mut s = 0.5 - p;
        let mut a = 0.5;
        let b = 0.5 * df;
        let rxb = (df / (t * t + df)).powf(b);
        let albeta = LN_SQRT_PI + ln_gamma(b) - ln_gamma(0.5 + b);
        let mut xodd = beta_inc(x, a, b);
        let mut godd = 2.0 * rxb * (a * x.ln() - albeta).exp();
        let mut xeven = if b * x < f64::EPSILON {
            b * x
        } else {
            1.0 - rxb
        };
        let mut geven = b * x * rxb;
        tnc = p * xodd + q * xeven;
        for it in 1..=1000 {
            a += 1.0;
            xodd -= godd;
            xeven -= geven;
            godd *= x * (a + b - 1.0) / a;
            geven *= x * (a + b - 0.5) / (a + 0.5);
            p *= lambda / (2.0 * it as f64);
            q *= lambda / (2.0 * it as f64 + 1.0);
            tnc += p * xodd + q * xeven;
            s -= p;
            if s <= 0.0 && it > 1 {
                break;
            }
            if (2.0 * s * (xodd - godd)).abs() < 1e-12 {
                break;
            }
        }
    }
    (tnc + pnorm(-delta)).min(1.0)
}
