//! Allocation under uncertainty: how far to move from last quarter's mix towards the
//! optimum of the point-estimate curves, given draws of the curves (bootstrap refits or
//! posterior draws).
//!
//! The candidates are the straight path `x(t) = b + t·(o − b)`, `t ∈ {0, 1/20, …, 1}`,
//! from the baseline `b` (last quarter's mix scaled to the allocatable amount, inside the
//! bounds) to the optimum `o`; every point of it is feasible because both ends are and
//! the constraints are linear. For each draw `d` the gain of `x(t)` is
//! `G_d(t) = Σ_i f_i^d(x_i(t)) − Σ_i f_i^d(b_i)`. The chosen `t` maximises the
//! `caution` quantile of `G(t)` (stage 6: [`CAUTION`]) over the draws (ties to the smaller move): money moves
//! only as far as most draws agree it gains. At `t = 0` every gain is 0, so the chosen
//! move's lower quantile is never negative; a move whose mean gain is negative is never
//! chosen (the baseline, gain 0, is then kept).

use serde::{Deserialize, Serialize};

use crate::curves::Curve;

/// Quantile of the gain the move maximises: the gain three refits in four exceed. Over
/// the generated samples of seeds 1–6 and 42 (docs/data/benchmarks.md), 0.10 kept too
/// much of last quarter's mix (21–40% of the available uplift taken) and 0.5 risked
/// more for little (61%); 0.25 took 57% and never lost. Over seeds 1–40, 0.3–0.5 took
/// 55–56% against 0.25's 54% and lost on the same four seeds, one more of them past
/// −0.5% (the losses come from the curves, not the caution), so 0.25 stays. With the
/// move judged by both curve families' refits ([`choose_judged_by`], stage 6's rule),
/// 0.25 takes 54% with its worst seed at −0.20% and 0.3 takes 55% at −0.01%; 0.25 was
/// kept rather than re-tuned on the same seeds.
pub const CAUTION: f64 = 0.25;
/// Steps of the path from the baseline to the optimum.
pub const PATH_STEPS: usize = 20;

/// The chosen move and what the draws say about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move {
    /// Share of the way from the baseline to the optimum, in [0, 1].
    pub share_of_move: f64,
    /// Spend per channel of the chosen mix.
    pub spend: Vec<f64>,
    /// The chosen mix priced by the draws against the baseline.
    #[serde(flatten)]
    pub priced: Priced,
    /// The same figures for the full move to the optimum (`t = 1`), for the post.
    pub full_move_expected_gain: f64,
    pub full_move_probability: f64,
    pub draws: usize,
    pub level: f64,
}

/// Type-7 quantile of unsorted values.
fn quantile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn total(curves: &[Curve], x: &[f64]) -> f64 {
    curves.iter().zip(x).map(|(c, x)| c.response(*x)).sum()
}

/// Chooses the move; `draws[d][i]` is channel `i`'s curve in draw `d`. With no draws the
/// point optimum is taken as it is (nothing says it is uncertain) and the figures are
/// those of `point`.
pub fn choose(
    baseline: &[f64],
    optimum: &[f64],
    point: &[Curve],
    draws: &[Vec<Curve>],
    level: f64,
    caution: f64,
) -> Move {
    choose_judged_by(baseline, optimum, point, draws, &[draws], level, caution)
}

/// [`choose`] with the move judged by several sets of draws at once (structural
/// uncertainty: the refits of each curve family): the chosen `t` maximises the smallest
/// over the sets of the `caution` quantile of `G(t)`, and no set may expect a loss. The
/// figures of the chosen move are priced by `draws` (the reported curves' refits).
pub fn choose_judged_by(
    baseline: &[f64],
    optimum: &[f64],
    point: &[Curve],
    draws: &[Vec<Curve>],
    judges: &[&[Vec<Curve>]],
    level: f64,
    caution: f64,
) -> Move {
    let at = |t: f64| -> Vec<f64> {
        baseline
            .iter()
            .zip(optimum)
            .map(|(b, o)| b + t * (o - b))
            .collect()
    };
    let curve_sets = |draws: &[Vec<Curve>]| -> Vec<Vec<Curve>> {
        if draws.is_empty() {
            vec![point.to_vec()]
        } else {
            draws.to_vec()
        }
    };
    let gains_of = |sets: &[Vec<Curve>], x: &[f64]| -> Vec<f64> {
        sets.iter()
            .map(|c| total(c, x) - total(c, baseline))
            .collect()
    };
    let sets = curve_sets(draws);
    let judged: Vec<Vec<Vec<Curve>>> = judges.iter().map(|d| curve_sets(d)).collect();
    let base: Vec<f64> = sets.iter().map(|c| total(c, baseline)).collect();
    let mut best = (0.0, f64::NEG_INFINITY);
    for s in 0..=PATH_STEPS {
        let t = s as f64 / PATH_STEPS as f64;
        let x = at(t);
        let mut score = f64::INFINITY;
        let mut expects_loss = false;
        for j in &judged {
            let g = gains_of(j, &x);
            score = score.min(quantile(&g, caution));
            expects_loss |= mean(&g) < 0.0;
        }
        // Strictly better by more than rounding, and never a negative mean.
        if score > best.1 + 1e-9 * base[0].abs().max(1.0) && !expects_loss {
            best = (t, score);
        }
    }
    let t = best.0;
    let spend = at(t);
    let full = gains_of(&sets, optimum);
    Move {
        share_of_move: t,
        priced: price(baseline, &spend, point, draws, level),
        full_move_expected_gain: mean(&full),
        full_move_probability: share_positive(&full),
        draws: draws.len(),
        level,
        spend,
    }
}

/// A split priced by the draws against the baseline: for the chosen move, and again for
/// a split moved after the choice (stage 6's change requests).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Priced {
    /// Share of draws in which the split earns more than the baseline.
    pub probability_beats_baseline: f64,
    /// Mean gain over the baseline across draws, with the `level` percentile interval.
    pub expected_gain: f64,
    pub gain_low: f64,
    pub gain_high: f64,
    /// Mean response of the split across draws, with the `level` interval.
    pub expected_response: f64,
    pub response_low: f64,
    pub response_high: f64,
    /// Mean response of the baseline across draws.
    pub baseline_response: f64,
}

/// Prices `spend` against `baseline` over `draws` (the point curves alone without draws),
/// with `level` percentile intervals.
pub fn price(
    baseline: &[f64],
    spend: &[f64],
    point: &[Curve],
    draws: &[Vec<Curve>],
    level: f64,
) -> Priced {
    let single = [point.to_vec()];
    let sets: &[Vec<Curve>] = if draws.is_empty() { &single } else { draws };
    let base: Vec<f64> = sets.iter().map(|c| total(c, baseline)).collect();
    let response: Vec<f64> = sets.iter().map(|c| total(c, spend)).collect();
    let g: Vec<f64> = response.iter().zip(&base).map(|(r, b)| r - b).collect();
    let (lo, hi) = ((1.0 - level) / 2.0, (1.0 + level) / 2.0);
    Priced {
        probability_beats_baseline: share_positive(&g),
        expected_gain: mean(&g),
        gain_low: quantile(&g, lo),
        gain_high: quantile(&g, hi),
        expected_response: mean(&response),
        response_low: quantile(&response, lo),
        response_high: quantile(&response, hi),
        baseline_response: mean(&base),
    }
}

fn share_positive(g: &[f64]) -> f64 {
    g.iter().filter(|v| **v > 0.0).count() as f64 / g.len().max(1) as f64
}

/// What moving from spend `from` to spend `to` changes in total response: the point
/// curves' figure, and the mean and `level` percentile interval over the draws (the point
/// figure alone, interval included, without draws). Stage 6 prices the planned split
/// against last quarter's actual spend with it, the change stage 7's forecast rests on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub point: f64,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub level: f64,
}

pub fn change(
    from: &[f64],
    to: &[f64],
    point: &[Curve],
    draws: &[Vec<Curve>],
    level: f64,
) -> Change {
    let p = total(point, to) - total(point, from);
    if draws.is_empty() {
        return Change {
            point: p,
            mean: p,
            low: p,
            high: p,
            level,
        };
    }
    let d: Vec<f64> = draws
        .iter()
        .map(|c| total(c, to) - total(c, from))
        .collect();
    Change {
        point: p,
        mean: mean(&d),
        low: quantile(&d, (1.0 - level) / 2.0),
        high: quantile(&d, (1.0 + level) / 2.0),
        level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mm(l: f64, k: f64) -> Curve {
        Curve::MichaelisMenten { l, k }
    }

    #[test]
    fn agreeing_draws_move_all_the_way_and_the_gain_is_priced_per_draw() {
        // Two channels, the second twice as strong; the draws scale both curves alike, so
        // every draw has the point optimum: 100·50/(50+x)² = 200·50/(50+y)², x + y = 100
        // gives 50 + y = √2·(50 + x), x = (150 − 50√2)/(1 + √2).
        let point = [mm(100.0, 50.0), mm(200.0, 50.0)];
        let draws = vec![
            vec![mm(90.0, 50.0), mm(180.0, 50.0)],
            vec![mm(110.0, 50.0), mm(220.0, 50.0)],
        ];
        let x = (150.0 - 50.0 * 2f64.sqrt()) / (1.0 + 2f64.sqrt());
        let m = choose(&[50.0, 50.0], &[x, 100.0 - x], &point, &draws, 0.9, CAUTION);
        assert_eq!(m.share_of_move, 1.0);
        assert_eq!(m.spend, vec![x, 100.0 - x]);
        assert_eq!(m.priced.probability_beats_baseline, 1.0);
        // Gain in a draw scaled by s: s·(100·x/(50+x) + 200·y/(50+y) − 50 − 100).
        let unit = 100.0 * x / (50.0 + x) + 200.0 * (100.0 - x) / (150.0 - x) - 150.0;
        assert!(unit > 0.0);
        assert!((m.priced.expected_gain - unit).abs() < 1e-9);
        assert!((m.priced.gain_low - (0.9 * unit + 0.05 * 0.2 * unit)).abs() < 1e-9);
    }

    #[test]
    fn draws_that_disagree_keep_the_baseline_and_the_gain_is_never_negative() {
        // Half the draws favour channel 2, half channel 1 far more strongly: moving
        // towards channel 2 loses in the lower tail, so nothing moves.
        let point = [mm(100.0, 50.0), mm(200.0, 50.0)];
        let mut draws = Vec::new();
        for _ in 0..5 {
            draws.push(vec![mm(100.0, 50.0), mm(200.0, 50.0)]);
            draws.push(vec![mm(400.0, 50.0), mm(100.0, 50.0)]);
        }
        let m = choose(&[50.0, 50.0], &[30.0, 70.0], &point, &draws, 0.9, CAUTION);
        assert_eq!(m.share_of_move, 0.0);
        assert_eq!(m.spend, vec![50.0, 50.0]);
        assert_eq!(m.priced.expected_gain, 0.0);
        assert_eq!(m.priced.probability_beats_baseline, 0.0);
        assert!(m.full_move_expected_gain < 0.0);
    }

    #[test]
    fn a_move_its_own_refits_agree_on_is_kept_back_when_the_other_familys_refits_lose() {
        // The reported refits scale both curves alike and move all the way (as in the
        // first test); the other family's refits all rate channel 1 four times higher,
        // so moving money to channel 2 loses under every one of them: the mix is kept,
        // and the figures are the reported refits' (gain 0 at the mix).
        let point = [mm(100.0, 50.0), mm(200.0, 50.0)];
        let own = vec![
            vec![mm(90.0, 50.0), mm(180.0, 50.0)],
            vec![mm(110.0, 50.0), mm(220.0, 50.0)],
        ];
        let other = vec![vec![mm(400.0, 50.0), mm(100.0, 50.0)]; 4];
        let x = (150.0 - 50.0 * 2f64.sqrt()) / (1.0 + 2f64.sqrt());
        let (b, o) = ([50.0, 50.0], [x, 100.0 - x]);
        let alone = choose(&b, &o, &point, &own, 0.9, CAUTION);
        assert_eq!(alone.share_of_move, 1.0);
        let both = choose_judged_by(&b, &o, &point, &own, &[&own, &other], 0.9, CAUTION);
        assert_eq!(both.share_of_move, 0.0);
        assert_eq!(both.spend, vec![50.0, 50.0]);
        assert_eq!((both.priced.expected_gain, both.draws), (0.0, 2));
        // The full move is still priced by the reported refits: it gains.
        assert_eq!(both.full_move_expected_gain, alone.full_move_expected_gain);
        assert!(both.full_move_expected_gain > 0.0);
    }

    #[test]
    fn a_change_of_spend_is_priced_by_the_point_curves_and_by_every_draw() {
        // One channel, 100·x/(50 + x): from 50 to 100 adds 100·100/150 − 100·50/100 =
        // 66.667 − 50 = 16.667 on the point curve; draws scaled by 0.5, 1, 1.5 add 8.333,
        // 16.667, 25 (mean 16.667); the 90% type-7 interval over three values runs from
        // 8.333 + 0.1·8.333 to 25 − 0.1·8.333.
        let point = [mm(100.0, 50.0)];
        let draws = vec![
            vec![mm(50.0, 50.0)],
            vec![mm(100.0, 50.0)],
            vec![mm(150.0, 50.0)],
        ];
        let c = change(&[50.0], &[100.0], &point, &draws, 0.9);
        let unit = 100.0 / 6.0;
        assert!((c.point - unit).abs() < 1e-9);
        assert!((c.mean - unit).abs() < 1e-9);
        assert!((c.low - (0.5 * unit + 0.1 * 0.5 * unit)).abs() < 1e-9);
        assert!((c.high - (1.5 * unit - 0.1 * 0.5 * unit)).abs() < 1e-9);
        let none = change(&[50.0], &[100.0], &point, &[], 0.9);
        assert_eq!((none.low, none.high), (none.point, none.point));
    }
}
