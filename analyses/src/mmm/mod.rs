//! Response curves from weekly data: a light media-mix model, per `quarterdeck analyze
//! response-curves` in docs/contracts/analyses-cli.md. Owns the model, its fit and
//! the conversion of fitted curves to the budget spec's units; parsing dates and CSV
//! belongs to the caller, which passes aligned weekly series.
//!
//! # Model
//! For weeks `t = 0..n` with spend `x_{i,t}` per channel `i` and outcome `y_t`:
//!
//! `y_t = b₀ + b_trend·t + Σ_{k=1,2} (s_k·sin(2πkt/52) + c_k·cos(2πkt/52)) + Σ_j d_j·z_{j,t}
//!        + Σ_i β_i·h_i(a_{i,t}) + ε_t`
//!
//! - geometric adstock `a_{i,t} = x_{i,t} + θ_i·a_{i,t−1}` (`a_{i,−1} = 0`), `θ_i ∈ [0, 0.9]`;
//! - saturation `h_i`, per channel a logistic or a hill curve (by default chosen per
//!   channel by the evidence, [`select`]: logistic unless the weeks show an S; hill or
//!   logistic for every channel, or both averaged, on request): hill `h(s) = s^α/(s^α + γ^α)` with `α ∈ [0.5, 3]` and
//!   `γ ∈ [0.3, 3]·m_i`, `m_i` the mean adstocked spend of the channel (a lower `γ` makes
//!   `h` a step at zero spend, which the intercept cannot be told apart from); logistic:
//!   `h(s) = (1 − e^(−λs))/(1 + e^(−λs))` with `λ ∈ [0.1, 10]/m_i`;
//! - `β_i ≥ 0`; intercept, trend, seasonality (only with at least 52 weeks) and the
//!   controls `z_j` are free.
//!
//! # Fit
//! Variable projection (Golub & Pereyra 1973): for given nonlinear parameters (θ, α, γ or
//! θ, λ per channel) the linear coefficients are the least-squares solution with `β ≥ 0`
//! (Lawson–Hanson NNLS on the Gram matrix, Cholesky solves on unit-scaled columns), so
//! the residual depends on the nonlinear parameters only. Those, mapped to the unit box
//! (θ linearly, α linearly, γ and λ log-linearly), are fitted by bounded
//! Levenberg–Marquardt with a forward-difference Jacobian.
//!
//! Curve shapes are weakly identified from 100-odd noisy weeks, so the fit is a MAP
//! estimate with a weak Gaussian prior on each shape parameter (not on θ) in the unit box,
//! centred on α = 1.5, γ = m (logistic λ·m = 1), with sd `shape_prior_sd` (default
//! [`SHAPE_PRIOR_SD`], the spread of PyMC-Marketing's default prior on the logistic λ in
//! these coordinates): the objective is `SSE + σ̂²·Σ ((z − c)/sd)²`, `σ̂² = SSE₀/(n − p)`
//! from an unpenalised first fit from the central start (θ = 0.3), `p` the parameter count.
//! On noise-free data `σ̂² = 0` and the fit is plain least squares. The penalised fit runs
//! from the first fit's optimum and from `starts − 1` further points drawn by SplitMix64
//! from `seed`; the lowest objective wins. `r2 = 1 − SSE/SST` (0 for a constant outcome).
//!
//! # Results per channel
//! - `roas` = fitted contribution over the data window ÷ spend over the window:
//!   `Σ_t β·h(a_t) / Σ_t x_t` (carry-over past the last week is not counted).
//! - `marginal_roas`: the return of one more money unit per week at the channel's mean
//!   weekly spend `x̄`, in steady state: with `s̄ = x̄/(1 − θ)` the steady-state adstock,
//!   `d/dx [β·h(x/(1 − θ))] at x̄ = β·h'(s̄)/(1 − θ)`. It equals the slope of `curve` at
//!   `horizon_weeks·x̄`.
//! - `weekly_curve`: `β·h(s)` against weekly adstocked spend `s`.
//! - `curve`: the budget spec's curve, total response against total money `X` spent
//!   evenly over `horizon_weeks` `W` (default 13, a quarter), so it feeds `budget`
//!   directly. In steady state a weekly spend `X/W` builds the adstock `X/(W(1 − θ))`, so
//!   the curve is `W·β·h(X/(W(1 − θ)))`: the same family with `beta·W`, and hill
//!   `gamma·W(1 − θ)` or logistic `lambda/(W(1 − θ))` ([`FittedCurve::over_weeks`],
//!   [`ChannelCurve::curve_over`] for another horizon). Steady state ignores the ramp-up
//!   in a quarter's first weeks and counts the carry-over after its last week.
//! - Intervals for `roas` and `marginal_roas`: moving-block bootstrap of the residuals
//!   (blocks of `⌈n^(1/3)⌉` weeks, for autocorrelation), `y* = ŷ + e*`, each replicate
//!   refitted from the point estimate with the same prior; the `level` (default 90%)
//!   percentile interval, quantiles interpolated linearly (R's type 7). With
//!   `bootstrap = 0` the interval collapses to the point estimate. A percentile interval
//!   need not contain the point estimate when the fit is skewed.

use serde::{Deserialize, Serialize};

pub mod average;
mod bootstrap;
pub mod calibrate;
mod curve;
mod linear;
mod lm;
mod model;
pub mod select;
mod validate;

use bootstrap::SplitMix64;
pub use curve::FittedCurve;
use model::Problem;
use validate::{parameter_count, validate};

/// A saturation family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Saturation {
    Hill,
    Logistic,
}

/// How the channels' saturation families are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Per channel, by the evidence (see [`select`]): the default, stage 6's.
    #[default]
    PerChannel,
    /// Hill for every channel.
    Hill,
    /// Logistic for every channel.
    Logistic,
    /// Both families for every channel, averaged by BIC (see [`average`]).
    Averaged,
}

impl Shape {
    /// The one family fitted to every channel, if the shape names one.
    pub fn family(self) -> Option<Saturation> {
        match self {
            Shape::Hill => Some(Saturation::Hill),
            Shape::Logistic => Some(Saturation::Logistic),
            Shape::PerChannel | Shape::Averaged => None,
        }
    }
}

/// Fit settings; missing fields deserialise to the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// How each channel's saturation family is chosen (by default per channel, by BIC).
    pub saturation: Shape,
    /// Starting points of the nonlinear fit (at least 1).
    pub starts: usize,
    /// Bootstrap replicates for the intervals (0 = no intervals).
    pub bootstrap: usize,
    pub seed: u64,
    /// Coverage of the percentile intervals, in (0, 1).
    pub level: f64,
    /// Weeks the budget `curve` spans (13 = a quarter).
    pub horizon_weeks: f64,
    /// Sd of the prior on curve shapes in unit-box coordinates; `None` = no prior.
    pub shape_prior_sd: Option<f64>,
    /// Threads for the bootstrap (0 = what the machine offers); results do not depend on it.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            saturation: Shape::PerChannel,
            starts: 5,
            bootstrap: 100,
            seed: 0,
            level: 0.9,
            horizon_weeks: 13.0,
            shape_prior_sd: Some(SHAPE_PRIOR_SD),
            threads: 0,
        }
    }
}

/// Aligned weekly series: every vector has one value per week, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeeklyData {
    /// `(channel, weekly spend ≥ 0)`.
    pub spend: Vec<(String, Vec<f64>)>,
    /// Weekly revenue (or another KPI).
    pub outcome: Vec<f64>,
    /// `(name, weekly value)`.
    pub controls: Vec<(String, Vec<f64>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelCurve {
    pub channel: String,
    pub roas: f64,
    pub roas_low: f64,
    pub roas_high: f64,
    pub marginal_roas: f64,
    pub marginal_roas_low: f64,
    pub marginal_roas_high: f64,
    /// θ of the geometric adstock.
    pub adstock_decay: f64,
    /// Response to money spent evenly over `horizon_weeks` (the budget spec's curve).
    pub curve: FittedCurve,
    /// Weekly response to weekly adstocked spend.
    pub weekly_curve: FittedCurve,
    /// Spend over the data window.
    pub spend: f64,
    /// Fitted contribution over the data window.
    pub contribution: f64,
    /// With the shape chosen per channel: BIC with this channel's curve logistic minus
    /// BIC with it hill (the other channels logistic); positive favours hill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hill_evidence: Option<f64>,
}

impl ChannelCurve {
    /// The budget curve for money spent evenly over `weeks` weeks.
    pub fn curve_over(&self, weeks: f64) -> FittedCurve {
        self.weekly_curve.over_weeks(self.adstock_decay, weeks)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlEffect {
    pub name: String,
    /// Outcome change per unit of the control.
    pub coef: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseCurves {
    pub r2: f64,
    /// In the input order.
    pub channels: Vec<ChannelCurve>,
    pub weeks: usize,
    pub horizon_weeks: f64,
    pub interval_level: f64,
    pub bootstrap: usize,
    pub intercept: f64,
    /// Outcome change per week.
    pub trend: f64,
    pub controls: Vec<ControlEffect>,
    /// The saturation families fitted and their weights (one family with weight 1 when
    /// the options name it).
    pub families: Vec<FamilyFit>,
    /// Per bootstrap replicate, per channel (input order): the refitted curve. Kept in
    /// memory for allocation under uncertainty; not serialised.
    #[serde(skip)]
    pub draws: Vec<Vec<DrawnCurve>>,
}

/// One saturation family's fit and its share of the averaged result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyFit {
    pub saturation: Saturation,
    pub r2: f64,
    /// Bayesian information criterion, `n·ln(SSE/n) + p·ln n`.
    pub bic: f64,
    /// `exp(−ΔBIC/2)`, normalised over the families fitted.
    pub weight: f64,
    /// Per channel (input order): the family's ROAS.
    pub roas: Vec<f64>,
}

/// One channel's curve in one bootstrap replicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawnCurve {
    /// Fitted contribution over the data window ÷ spend, in this replicate.
    pub roas: f64,
    /// Response to money spent evenly over `horizon_weeks`.
    pub curve: FittedCurve,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MmmError {
    #[error("no channel spend was given")]
    NoChannels,
    /// `series` is e.g. "channel search" or "control price".
    #[error("{series} has {found} weeks but the outcome has {expected}")]
    Length {
        series: String,
        found: usize,
        expected: usize,
    },
    /// `week` counts from 1.
    #[error("{series}: week {week} is not a finite number")]
    NotFinite { series: String, week: usize },
    #[error("channel {channel}: week {week} has negative spend {value}")]
    NegativeSpend {
        channel: String,
        week: usize,
        value: f64,
    },
    #[error("channel {channel} has no spend in the window")]
    NoSpend { channel: String },
    #[error("the name {name} is given twice among channels and controls")]
    DuplicateName { name: String },
    #[error("{weeks} weeks cannot fit {parameters} parameters: at least {} weeks are needed", parameters + 1)]
    TooFewWeeks { weeks: usize, parameters: usize },
    #[error("option {option} must be {expected}")]
    InvalidOption {
        option: &'static str,
        expected: &'static str,
    },
}

/// Default sd of the shape prior in unit-box coordinates: the spread PyMC-Marketing's
/// default prior on the logistic saturation's λ, Gamma(3, 1), has on our axis. The box
/// maps λ log-linearly over a factor of 100 (`z = log₁₀₀(λ·m/0.1)`), so a prior on λ has
/// sd `sd(ln λ)/ln 100` there; for Gamma(3, 1), `sd(ln λ) = √ψ′(3) = √(π²/6 − 5/4) =
/// 0.6284`, giving 0.1365. The same sd holds the hill curve's α and γ. (docs/data/benchmarks.md §6 and §6a: the
/// allocation and the public-data recovery at this setting and at the former 0.25.)
pub const SHAPE_PRIOR_SD: f64 = 0.1365;

const MAIN_FIT: lm::Settings = lm::Settings {
    max_iter: 200,
    tol: 1e-10,
};
const REFIT: lm::Settings = lm::Settings {
    max_iter: 50,
    tol: 1e-7,
};

/// One channel of a fit: its weekly curve, β, θ and column `h(a_t)`.
struct ChannelFit<'a> {
    curve: FittedCurve,
    beta: f64,
    theta: f64,
    features: &'a [f64],
}

fn channel_fit<'a>(problem: &Problem, fit: &'a lm::Solution, i: usize) -> ChannelFit<'a> {
    let zc = &fit.z[problem.params(i)];
    let beta = fit.eval.coef[problem.fixed_len() + i];
    ChannelFit {
        curve: problem.weekly_curve(i, zc, fit.eval.mean_adstock[i], beta),
        beta,
        theta: Problem::decay(zc),
        features: &fit.eval.features[i],
    }
}

/// `[ROAS, marginal ROAS]` per channel at a fit.
fn returns(problem: &Problem, fit: &lm::Solution, spend: &[&[f64]]) -> Vec<[f64; 2]> {
    spend
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let c = channel_fit(problem, fit, i);
            let total: f64 = x.iter().sum();
            let contribution = c.beta * c.features.iter().sum::<f64>();
            let mean_weekly = total / x.len() as f64;
            let marginal = c.curve.slope(mean_weekly / (1.0 - c.theta)) / (1.0 - c.theta);
            [contribution / total, marginal]
        })
        .collect()
}

/// Fits the model; see the module documentation.
pub fn fit(data: &WeeklyData, options: &Options) -> Result<ResponseCurves, MmmError> {
    validate(data, options)?;
    let every = |s| vec![s; data.spend.len()];
    Ok(match options.saturation {
        Shape::PerChannel => select::fit(data, options),
        Shape::Hill => fit_family(data, options, &every(Saturation::Hill), options.bootstrap),
        Shape::Logistic => fit_family(
            data,
            options,
            &every(Saturation::Logistic),
            options.bootstrap,
        ),
        Shape::Averaged => average::fit(data, options),
    })
}

fn spend_of(data: &WeeklyData) -> Vec<&[f64]> {
    data.spend.iter().map(|(_, v)| v.as_slice()).collect()
}

fn controls_of(data: &WeeklyData) -> Vec<&[f64]> {
    data.controls.iter().map(|(_, v)| v.as_slice()).collect()
}

/// The MAP point fit of `problem` and the prior it was penalised with: an unpenalised
/// first fit from the central start sets `σ̂²`, then the penalised fit runs from its
/// optimum and from `starts − 1` seeded points.
fn point_fit(
    problem: &Problem,
    y: &[f64],
    options: &Options,
    parameters: usize,
) -> (lm::Solution, lm::Penalty) {
    let n = y.len();
    let no_prior = lm::Penalty::default();
    let first = lm::minimise(
        problem,
        y,
        &problem.default_start(),
        &[],
        &no_prior,
        MAIN_FIT,
    );
    let penalty = match options.shape_prior_sd {
        Some(sd) => problem.prior(first.eval.sse / (n - parameters) as f64, sd),
        None => no_prior,
    };
    let objective = |s: &lm::Solution| s.eval.sse + penalty.value(&s.z);
    let mut best = match options.shape_prior_sd {
        Some(_) => lm::minimise(problem, y, &first.z, &first.eval.coef, &penalty, MAIN_FIT),
        None => first,
    };
    let mut rng = SplitMix64(options.seed);
    for _ in 1..options.starts {
        let z0: Vec<f64> = (0..problem.nonlinear_len())
            .map(|_| 0.05 + 0.9 * rng.unit())
            .collect();
        let candidate = lm::minimise(problem, y, &z0, &[], &penalty, MAIN_FIT);
        if objective(&candidate) < objective(&best) {
            best = candidate;
        }
    }
    (best, penalty)
}

/// `n·ln(SSE/n) + p·ln n`.
fn bic(sse: f64, n: usize, parameters: usize) -> f64 {
    n as f64 * (sse.max(f64::MIN_POSITIVE) / n as f64).ln() + parameters as f64 * (n as f64).ln()
}

/// The fit with channel `i`'s family `shapes[i]`, with `bootstrap` refits (the data and
/// options already validated).
fn fit_family(
    data: &WeeklyData,
    options: &Options,
    shapes: &[Saturation],
    bootstrap: usize,
) -> ResponseCurves {
    let n = data.outcome.len();
    let y = &data.outcome;
    let spend = spend_of(data);
    let controls = controls_of(data);
    let problem = Problem::new(spend.clone(), &controls, n, shapes.to_vec());
    let parameters = parameter_count(n, controls.len(), shapes);
    let (best, penalty) = point_fit(&problem, y, options, parameters);

    let point = returns(&problem, &best, &spend);
    let draws: Vec<(Vec<[f64; 2]>, Vec<DrawnCurve>)> = if bootstrap > 0 {
        let plan = bootstrap::Plan {
            problem: &problem,
            y,
            best: &best,
            penalty: &penalty,
            settings: REFIT,
            replicates: bootstrap,
            seed: options.seed,
            threads: match options.threads {
                0 => std::thread::available_parallelism().map_or(1, |t| t.get()),
                t => t,
            },
        };
        bootstrap::replicates(&plan, &|s| {
            let r = returns(&problem, s, &spend);
            let curves = (0..spend.len())
                .map(|i| {
                    let c = channel_fit(&problem, s, i);
                    DrawnCurve {
                        roas: r[i][0],
                        curve: c.curve.over_weeks(c.theta, options.horizon_weeks),
                    }
                })
                .collect();
            (r, curves)
        })
    } else {
        Vec::new()
    };
    let intervals = (!draws.is_empty()).then(|| {
        let stats: Vec<Vec<[f64; 2]>> = draws.iter().map(|(r, _)| r.clone()).collect();
        bootstrap::intervals(&stats, options.level)
    });
    let channels = data
        .spend
        .iter()
        .enumerate()
        .map(|(i, (channel, x))| {
            let c = channel_fit(&problem, &best, i);
            let [roas, marginal_roas] = point[i];
            let [roas_low, roas_high, marginal_roas_low, marginal_roas_high] = intervals
                .as_ref()
                .map_or([roas, roas, marginal_roas, marginal_roas], |v| v[i]);
            ChannelCurve {
                channel: channel.clone(),
                roas,
                roas_low,
                roas_high,
                marginal_roas,
                marginal_roas_low,
                marginal_roas_high,
                adstock_decay: c.theta,
                curve: c.curve.over_weeks(c.theta, options.horizon_weeks),
                weekly_curve: c.curve,
                spend: x.iter().sum(),
                contribution: c.beta * c.features.iter().sum::<f64>(),
                hill_evidence: None,
            }
        })
        .collect();

    let mean_y = y.iter().sum::<f64>() / n as f64;
    let sst: f64 = y.iter().map(|v| (v - mean_y).powi(2)).sum();
    let coef = &best.eval.coef;
    let first_control = Problem::first_control(n);
    let r2 = if sst > 0.0 {
        1.0 - best.eval.sse / sst
    } else {
        0.0
    };
    // One family when every channel has the same; a mixed fit names none.
    let families = shapes
        .iter()
        .all(|s| *s == shapes[0])
        .then(|| FamilyFit {
            saturation: shapes[0],
            r2,
            bic: bic(best.eval.sse, n, parameters),
            weight: 1.0,
            roas: point.iter().map(|r| r[0]).collect(),
        })
        .into_iter()
        .collect();
    ResponseCurves {
        r2,
        families,
        channels,
        weeks: n,
        horizon_weeks: options.horizon_weeks,
        interval_level: options.level,
        bootstrap,
        intercept: coef[0],
        trend: coef[1] / Problem::trend_span(n),
        draws: draws.into_iter().map(|(_, c)| c).collect(),
        controls: data
            .controls
            .iter()
            .enumerate()
            .map(|(j, (name, _))| ControlEffect {
                name: name.clone(),
                coef: coef[first_control + j],
            })
            .collect(),
    }
}
