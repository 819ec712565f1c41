//! Both saturation families, averaged by the evidence. A hill curve that is S-shaped
//! (α > 1) and a logistic curve (concave from zero) often fit 100-odd weeks equally well
//! yet disagree on a channel's return, because the difference lies at spend levels the
//! history never visited (an always-on channel is never near zero spend, so how much of
//! the base it carries is a guess either shape makes for the data). Rather than let a
//! fraction of a percent of fit pick one guess, both are fitted and weighted by their
//! Bayesian information criterion (BIC weights, an approximation of Bayesian model
//! averaging, Raftery 1995; Burnham & Anderson 2002 §6.4):
//! `w_f ∝ exp(−(BIC_f − BIC_min)/2)`, `BIC_f = n·ln(SSE_f/n) + p_f·ln n`.
//!
//! - `roas` per channel is the weighted mean `Σ w_f·roas_f`.
//! - The curve, adstock and the linear terms are the heavier family's, its height
//!   scaled so the curve's ROAS is the averaged one (the shape stays one family's, so the
//!   budget optimiser gets one curve); `marginal_roas` and `contribution` scale with it.
//! - The bootstrap refits are split between the families in proportion to their weights
//!   (at least the heavier family gets one), and the intervals are percentiles of the
//!   pooled draws: a mixture, so a channel whose return depends on the shape gets an
//!   interval spanning both answers, and reads as less identified.

use super::{ChannelCurve, DrawnCurve, FamilyFit, Options, ResponseCurves, Saturation, WeeklyData};
use super::{bootstrap, fit_family};

/// Below this weight a family is left out of the averaged result.
const NEGLIGIBLE: f64 = 1e-3;

/// Fits both families and averages them (inputs already validated).
pub(super) fn fit(data: &WeeklyData, options: &Options) -> ResponseCurves {
    let point: Vec<ResponseCurves> = [Saturation::Hill, Saturation::Logistic]
        .into_iter()
        .map(|f| fit_family(data, options, &vec![f; data.spend.len()], 0))
        .collect();
    let weights = bic_weights(&point.iter().map(|p| p.families[0].bic).collect::<Vec<_>>());
    let heavier = if weights[0] >= weights[1] { 0 } else { 1 };
    // Refits per family, in proportion to the weights.
    let mut refits = [0usize; 2];
    if options.bootstrap > 0 {
        refits[1 - heavier] = (weights[1 - heavier] * options.bootstrap as f64).round() as usize;
        refits[1 - heavier] = refits[1 - heavier].min(options.bootstrap - 1);
        refits[heavier] = options.bootstrap - refits[1 - heavier];
    }
    let fits: Vec<Option<ResponseCurves>> = point
        .into_iter()
        .enumerate()
        .map(|(f, p)| {
            if weights[f] < NEGLIGIBLE {
                None
            } else if refits[f] == 0 {
                Some(p)
            } else {
                let shapes = vec![p.families[0].saturation; data.spend.len()];
                Some(fit_family(data, options, &shapes, refits[f]))
            }
        })
        .collect();
    combine(fits, &weights, heavier, options)
}

/// `exp(−ΔBIC/2)`, normalised.
fn bic_weights(bic: &[f64]) -> Vec<f64> {
    let best = bic.iter().copied().fold(f64::INFINITY, f64::min);
    let raw: Vec<f64> = bic.iter().map(|b| (-(b - best) / 2.0).exp()).collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|r| r / sum).collect()
}

fn combine(
    fits: Vec<Option<ResponseCurves>>,
    weights: &[f64],
    heavier: usize,
    options: &Options,
) -> ResponseCurves {
    // The families kept, with their weights renormalised; the heavier one first.
    let mut kept: Vec<(ResponseCurves, f64)> = fits
        .into_iter()
        .zip(weights)
        .filter_map(|(r, w)| r.map(|r| (r, *w)))
        .collect();
    kept.sort_by_key(|(r, _)| r.families[0].saturation != saturation_of(heavier));
    let total: f64 = kept.iter().map(|(_, w)| w).sum();
    for (_, w) in &mut kept {
        *w /= total;
    }
    let families: Vec<FamilyFit> = kept
        .iter()
        .map(|(r, w)| FamilyFit {
            weight: *w,
            ..r.families[0].clone()
        })
        .collect();
    let draws: Vec<Vec<DrawnCurve>> = kept
        .iter()
        .flat_map(|(r, _)| r.draws.iter().cloned())
        .collect();
    let (mut base, _) = kept.into_iter().next().expect("the heavier family is kept");
    for (i, ch) in base.channels.iter_mut().enumerate() {
        rescale(ch, families.iter().map(|f| f.weight * f.roas[i]).sum());
    }
    base.families = families;
    base.bootstrap = draws.len();
    if !draws.is_empty() {
        let horizon = options.horizon_weeks;
        let weeks = base.weeks as f64;
        let stats: Vec<Vec<[f64; 2]>> = draws
            .iter()
            .map(|d| {
                d.iter()
                    .zip(&base.channels)
                    .map(|(c, ch)| [c.roas, c.curve.slope(ch.spend / weeks * horizon)])
                    .collect()
            })
            .collect();
        for (ch, [low, high, m_low, m_high]) in base
            .channels
            .iter_mut()
            .zip(bootstrap::intervals(&stats, options.level))
        {
            ch.roas_low = low;
            ch.roas_high = high;
            ch.marginal_roas_low = m_low;
            ch.marginal_roas_high = m_high;
        }
    }
    base.draws = draws;
    base
}

fn saturation_of(family: usize) -> Saturation {
    [Saturation::Hill, Saturation::Logistic][family]
}

/// Scales a channel's curve so its ROAS is `roas` (height only; shape and adstock kept).
fn rescale(ch: &mut ChannelCurve, roas: f64) {
    if ch.roas <= 0.0 {
        return;
    }
    let factor = roas / ch.roas;
    ch.curve = ch.curve.scaled(factor);
    ch.weekly_curve = ch.weekly_curve.scaled(factor);
    ch.roas = roas;
    ch.contribution *= factor;
    ch.marginal_roas *= factor;
}

#[cfg(test)]
mod tests {
    use super::bic_weights;

    #[test]
    fn bic_weights_follow_the_difference_in_bic() {
        // ΔBIC = 2 → weights 1 : e^(−1).
        let w = bic_weights(&[10.0, 12.0]);
        let e = (-1.0f64).exp();
        assert!((w[0] - 1.0 / (1.0 + e)).abs() < 1e-12);
        assert!((w[1] - e / (1.0 + e)).abs() < 1e-12);
        assert_eq!(bic_weights(&[5.0, 5.0]), vec![0.5, 0.5]);
    }
}
