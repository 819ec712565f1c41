//! Each channel's saturation family chosen by the evidence
//! (`analyze response-curves --saturation per-channel`). A logistic curve (concave from zero, two shape
//! parameters with the adstock) and an S-shaped hill curve (three) often fit 100-odd
//! weeks about equally well yet disagree on a channel's return, because the difference
//! lies at spend levels the history never visited. The simpler curve is kept unless the
//! weeks show the S:
//!
//! - fit every channel logistic (the MAP fit of the module documentation);
//! - forward selection: refit with each logistic channel in turn made hill (from the
//!   current optimum, with the first fit's prior); `hill_evidence` = the BIC drop; the
//!   channel with the largest drop becomes hill if the drop is at least
//!   [`HILL_EVIDENCE`], and the round repeats over the channels still logistic;
//! - the chosen mix is fitted afresh (every start), with its bootstrap refits.
//!
//! BIC is `n·ln(SSE/n) + p·ln n` (Schwarz 1978); a difference of 2 is "positive" evidence
//! on Kass & Raftery's scale (1995, §3.2), so the hill curve's extra parameter must buy
//! more than its `ln n` penalty plus 2. The refits keep the chosen families: the
//! intervals do not count the uncertainty of the choice itself.

use super::lm;
use super::model::Problem;
use super::validate::parameter_count;
use super::{
    MAIN_FIT, Options, ResponseCurves, Saturation, WeeklyData, bic, controls_of, fit_family,
    point_fit, spend_of,
};

/// BIC₀ − BICᵢ at or above which channel `i` gets the hill curve.
pub const HILL_EVIDENCE: f64 = 2.0;

/// Fits with each channel's family chosen by [`choose`] (inputs already validated).
pub(super) fn fit(data: &WeeklyData, options: &Options) -> ResponseCurves {
    let (shapes, evidence) = choose(data, options);
    let mut curves = fit_family(data, options, &shapes, options.bootstrap);
    for (c, e) in curves.channels.iter_mut().zip(evidence) {
        c.hill_evidence = Some(e);
    }
    curves
}

/// One MAP fit of a mix of families.
struct Candidate {
    shapes: Vec<Saturation>,
    z: Vec<f64>,
    coef: Vec<f64>,
    bic: f64,
}

/// Forward selection from every channel logistic: each round refits with each remaining
/// logistic channel made hill (from the current optimum, the prior's `σ̂²` of the first
/// fit) and keeps the switch with the largest BIC drop if it is at least
/// [`HILL_EVIDENCE`]. Returns the families and, per channel, its last BIC drop measured
/// (for a hill channel, the drop when it switched).
fn choose(data: &WeeklyData, options: &Options) -> (Vec<Saturation>, Vec<f64>) {
    let (y, n) = (&data.outcome, data.outcome.len());
    let (spend, controls) = (spend_of(data), controls_of(data));
    let logistic = vec![Saturation::Logistic; spend.len()];
    let base = Problem::new(spend.clone(), &controls, n, logistic.clone());
    let parameters = parameter_count(n, controls.len(), &logistic);
    let (first, base_penalty) = point_fit(&base, y, options, parameters);
    // The prior's σ̂² as the first fit set it (0 without a prior).
    let sigma2 = base_penalty
        .weight
        .iter()
        .find(|w| **w > 0.0)
        .zip(options.shape_prior_sd)
        .map_or(0.0, |(w, sd)| w * sd * sd);
    let mut current = Candidate {
        shapes: logistic,
        bic: bic(first.eval.sse, n, parameters),
        z: first.z,
        coef: first.eval.coef,
    };
    let mut evidence = vec![0.0; spend.len()];
    loop {
        let current_problem = Problem::new(spend.clone(), &controls, n, current.shapes.clone());
        let mut best: Option<(usize, Candidate)> = None;
        for i in (0..spend.len()).filter(|i| current.shapes[*i] == Saturation::Logistic) {
            let mut shapes = current.shapes.clone();
            shapes[i] = Saturation::Hill;
            let problem = Problem::new(spend.clone(), &controls, n, shapes.clone());
            let penalty = match options.shape_prior_sd {
                Some(sd) => problem.prior(sigma2, sd),
                None => lm::Penalty::default(),
            };
            let objective = |s: &lm::Solution| s.eval.sse + penalty.value(&s.z);
            // From the current optimum, channel i at the hill prior's centre and at a
            // steep S (α = 2.5), with its fitted carry-over.
            let fit = [Problem::start_of(Saturation::Hill)[1], 0.8]
                .into_iter()
                .map(|alpha| {
                    let mut z0 = Vec::with_capacity(problem.nonlinear_len());
                    for j in 0..spend.len() {
                        let zc = &current.z[current_problem.params(j)];
                        if j == i {
                            z0.extend([zc[0], alpha, Problem::start_of(Saturation::Hill)[2]]);
                        } else {
                            z0.extend_from_slice(zc);
                        }
                    }
                    lm::minimise(&problem, y, &z0, &current.coef, &penalty, MAIN_FIT)
                })
                .min_by(|a, b| objective(a).total_cmp(&objective(b)))
                .expect("two starts");
            let candidate = Candidate {
                bic: bic(fit.eval.sse, n, parameter_count(n, controls.len(), &shapes)),
                shapes,
                z: fit.z,
                coef: fit.eval.coef,
            };
            evidence[i] = current.bic - candidate.bic;
            if best.as_ref().is_none_or(|(_, b)| candidate.bic < b.bic) {
                best = Some((i, candidate));
            }
        }
        match best {
            Some((i, candidate)) if evidence[i] >= HILL_EVIDENCE => current = candidate,
            _ => return (current.shapes, evidence),
        }
    }
}
