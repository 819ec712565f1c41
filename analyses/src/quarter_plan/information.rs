//! What a test of one channel's return is worth before it runs: the expected value of
//! sample information (Raiffa & Schlaifer 1961) for a two-action decision with linear
//! payoff, priced over the bootstrap refits of the channel's curve rather than around
//! its point estimate.
//!
//! The decision: give the channel more money (each dollar earns its ROAS `R`) or leave
//! it at the others' marginal return `r`; at stake `Δ` dollars, so funding it pays
//! `Δ·(R − r)`. The prior for `R` is the refits `R_1..R_D`, equally likely. A test
//! measures `m ~ N(R, s²)`; after it, the posterior over the refits has weights
//! `∝ exp(−(m − R_d)²/(2s²))` and the channel is funded when the posterior mean exceeds
//! `r`. The posterior mean rises with `m` (normal likelihoods have monotone likelihood
//! ratios), so that happens above one threshold `c`, found by bisection, and
//!
//! `EVSI = Δ·(Σ_d (R_d − r)·(1 − Φ((c − R_d)/s)) / D − max(R̄ − r, 0))`
//!
//! exactly, with `R̄` the refits' mean (the decision without the test). With `s = 0`
//! (a perfect test) it is the expected value of perfect information,
//! `Δ·(mean of (R_d − r)⁺ − max(R̄ − r, 0))`. The value is the chance the truth lies on
//! the other side of `r` from where the decision stands, weighted by how far: a channel
//! whose point fit is 0 but whose refits reach past `r` is worth testing, and one whose
//! every refit lies on one side of `r` is not (no result could change the decision).

use crate::sample_size::pnorm;

/// EVSI per dollar at stake (multiply by `Δ`) of a test with standard error `s` for a
/// channel whose refits put its ROAS at `draws`, against the margin `r`. Empty or
/// non-finite draws are worth nothing.
pub fn value_per_dollar(draws: &[f64], margin: f64, standard_error: f64) -> f64 {
    let draws: Vec<f64> = draws.iter().copied().filter(|d| d.is_finite()).collect();
    if draws.is_empty() {
        return 0.0;
    }
    let d = draws.len() as f64;
    let mean = draws.iter().sum::<f64>() / d;
    let without = (mean - margin).max(0.0);
    if standard_error.is_nan() || standard_error <= 0.0 {
        let with = draws.iter().map(|x| (x - margin).max(0.0)).sum::<f64>() / d;
        return (with - without).max(0.0);
    }
    let s = standard_error;
    let (lowest, highest) = draws
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
            (l.min(*x), h.max(*x))
        });
    // The posterior mean spans (lowest, highest): the funding threshold exists only
    // when r lies strictly inside.
    if !(lowest < margin && margin < highest) {
        return 0.0;
    }
    let posterior_mean = |m: f64| {
        let log_w: Vec<f64> = draws
            .iter()
            .map(|x| -(m - x).powi(2) / (2.0 * s * s))
            .collect();
        let top = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut num, mut den) = (0.0, 0.0);
        for (x, lw) in draws.iter().zip(&log_w) {
            let w = (lw - top).exp();
            num += w * x;
            den += w;
        }
        num / den
    };
    // Bracket the threshold: far enough out that the extreme refit dominates.
    let spread = highest - lowest;
    let (mut lo, mut hi) = (lowest - spread - 10.0 * s, highest + spread + 10.0 * s);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if posterior_mean(mid) > margin {
            hi = mid;
        } else {
            lo = mid;
        }
        if hi - lo <= 1e-12 * (1.0 + mid.abs()) {
            break;
        }
    }
    let c = 0.5 * (lo + hi);
    let with = draws
        .iter()
        .map(|x| (x - margin) * (1.0 - pnorm((c - x) / s)))
        .sum::<f64>()
        / d;
    (with - without).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_refits_either_side_of_the_margin_are_worth_testing_by_hand() {
        // Refits 0 and 4, margin 3: without a test the mean 2 < 3 leaves the channel
        // unfunded (value 0). A perfect test funds it when R = 4: ½·(4 − 3) = 0.5.
        assert!((value_per_dollar(&[0.0, 4.0], 3.0, 0.0) - 0.5).abs() < 1e-12);
        // s = 2: log-odds of R = 4 given m are (m² − (m − 4)²)/8 = m − 2, posterior
        // mean 4·σ(m − 2) > 3 when m > 2 + ln 3 = 3.0986. Value
        // ½·[(4 − 3)·Φ((4 − 3.0986)/2) + (0 − 3)·(1 − Φ(3.0986/2))]
        // = ½·[0.67390 − 3·0.06066] = 0.24596.
        let v = value_per_dollar(&[0.0, 4.0], 3.0, 2.0);
        assert!((v - 0.24596).abs() < 2e-4, "{v}");
        // A noisier test is worth less; one that cannot tell them apart, nothing.
        assert!(value_per_dollar(&[0.0, 4.0], 3.0, 4.0) < v);
        assert!(value_per_dollar(&[0.0, 4.0], 3.0, 1e6) < 1e-6);
    }

    #[test]
    fn refits_all_on_one_side_of_the_margin_make_the_test_worthless() {
        assert_eq!(value_per_dollar(&[0.0, 0.5, 1.0], 3.0, 0.5), 0.0);
        assert_eq!(value_per_dollar(&[4.0, 5.0], 3.0, 0.0), 0.0);
        assert_eq!(value_per_dollar(&[], 3.0, 0.5), 0.0);
    }

    #[test]
    fn a_point_fit_of_zero_with_refits_reaching_past_the_margin_is_still_worth_testing() {
        // Half the refits found nothing, half a return of 6 against a margin of 2: the
        // decision (mean 3 > 2: fund) is wrong half the time, by 2 a dollar.
        let draws = [0.0, 0.0, 6.0, 6.0];
        assert!((value_per_dollar(&draws, 2.0, 0.0) - (2.0 * 4.0 / 4.0 - 1.0)).abs() < 1e-12);
        // s = 1: log-odds of 6 against 0 are 6m − 18; posterior mean 6·σ(6m − 18) = 2 at
        // m = (18 − ln 2)/6 = 2.88448, so ½·[4·(1 − Φ(2.88448 − 6)) − 2·(1 − Φ(2.88448))]
        // − 1 = 0.99620: a test that precise is worth almost all of perfect information.
        let v = value_per_dollar(&draws, 2.0, 1.0);
        assert!((v - 0.99620).abs() < 1e-4, "{v}");
    }
}
