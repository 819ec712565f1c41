//! A logistic model turned into a points scorecard, and the MQL threshold on that scale
//! that meets a target. Pure: no I/O.
//!
//! - Points ("points to double the odds", the credit-scorecard convention, Siddiqi,
//!   *Credit Risk Scorecards*, 2006, ch. 6): with `pdo` points doubling the odds, one unit
//!   of feature j is worth `round(βⱼ · pdo / ln 2)` points. A lead's score is
//!   Σⱼ pointsⱼ · xⱼ, and log-odds ≈ b + score · ln 2 / pdo, so every `pdo` points double
//!   the odds of the outcome. Rounding moves each point value by at most ½ point.
//! - Threshold for a volume target (leads per period): scores sorted descending, the
//!   highest score T such that the leads scoring ≥ T, divided by the number of periods,
//!   reach the target. Ties are kept together (everyone at T is in), so the volume can
//!   exceed the target; when even the lowest score does not reach it, that lowest score
//!   is returned with `met = false`.
//! - Threshold for a conversion-rate target: the lowest score T such that the outcome
//!   rate among the leads scoring ≥ T is at least the target, over at least `min_selected`
//!   leads (fewer would make the rate noise). When no such T exists, the T with the
//!   highest rate over at least `min_selected` leads, `met = false`.

use serde::{Deserialize, Serialize};

/// Points per unit of each feature: `round(β · pdo / ln 2)`.
pub fn points(coefficients: &[f64], pdo: f64) -> Vec<f64> {
    let factor = pdo / std::f64::consts::LN_2;
    coefficients.iter().map(|b| (b * factor).round()).collect()
}

/// Σⱼ pointsⱼ · xⱼ for each row of the row-major `values` (`points.len()` per row).
pub fn scores(values: &[f64], points: &[f64]) -> Vec<f64> {
    if points.is_empty() {
        return Vec::new();
    }
    values
        .chunks_exact(points.len())
        .map(|row| row.iter().zip(points).map(|(x, p)| x * p).sum())
        .collect()
}

/// A threshold and what it selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// Leads scoring at or above it are MQLs.
    pub threshold: f64,
    /// Leads at or above the threshold.
    pub selected: usize,
    /// Whether the target is met (see the module header for the fallback).
    pub met: bool,
}

/// Leads scoring ≥ `threshold`, and how many of them had the outcome.
pub fn selection(scores: &[f64], y: &[bool], threshold: f64) -> (usize, usize) {
    scores
        .iter()
        .zip(y)
        .filter(|(s, _)| **s >= threshold)
        .fold((0, 0), |(n, k), (_, hit)| (n + 1, k + usize::from(*hit)))
}

/// Distinct scores descending, each with the count of leads at or above it and of
/// those with the outcome (`y` may be empty: counts of outcomes are then 0).
fn cumulative(scores: &[f64], y: &[bool]) -> Vec<(f64, usize, usize)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    let mut out: Vec<(f64, usize, usize)> = Vec::new();
    let (mut n, mut k) = (0, 0);
    for i in order {
        n += 1;
        k += usize::from(y.get(i).copied().unwrap_or(false));
        match out.last_mut() {
            Some(last) if last.0 == scores[i] => {
                last.1 = n;
                last.2 = k;
            }
            _ => out.push((scores[i], n, k)),
        }
    }
    out
}

/// The highest threshold whose volume per period reaches `target_per_period`.
pub fn for_volume(scores: &[f64], periods: f64, target_per_period: f64) -> Option<Threshold> {
    let steps = cumulative(scores, &[]);
    let last = *steps.last()?;
    let hit = steps
        .iter()
        .find(|(_, n, _)| *n as f64 / periods >= target_per_period);
    Some(match hit {
        Some((t, n, _)) => Threshold {
            threshold: *t,
            selected: *n,
            met: true,
        },
        None => Threshold {
            threshold: last.0,
            selected: last.1,
            met: false,
        },
    })
}

/// The lowest threshold whose outcome rate (over ≥ `min_selected` leads) reaches `target`.
pub fn for_rate(scores: &[f64], y: &[bool], target: f64, min_selected: usize) -> Option<Threshold> {
    let steps: Vec<_> = cumulative(scores, y)
        .into_iter()
        .filter(|(_, n, _)| *n >= min_selected.max(1))
        .collect();
    let rate = |(_, n, k): &(f64, usize, usize)| *k as f64 / *n as f64;
    if let Some(best) = steps.iter().rev().find(|s| rate(s) >= target) {
        return Some(Threshold {
            threshold: best.0,
            selected: best.1,
            met: true,
        });
    }
    let best = steps
        .iter()
        .max_by(|a, b| rate(a).total_cmp(&rate(b)).then(b.0.total_cmp(&a.0)))?;
    Some(Threshold {
        threshold: best.0,
        selected: best.1,
        met: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_points_double_the_odds() {
        // 20 / ln 2 = 28.8539: ln 2 / 20 · 28.8539 ⇒ 0.0347 → 1.0, 0.6 → 17.31 → 17,
        // 1.2 → 34.62 → 35, −0.35 → −10.10 → −10.
        assert_eq!(
            points(&[0.0347, 0.6, 1.2, -0.35], 20.0),
            vec![1.0, 17.0, 35.0, -10.0]
        );
        // An exact ln 2 coefficient is worth exactly `pdo` points.
        assert_eq!(points(&[std::f64::consts::LN_2], 20.0), vec![20.0]);
    }

    #[test]
    fn a_score_is_the_sum_of_points_times_values() {
        // Row 1: 3·2 + 1·17 = 23; row 2: 0·2 + 0·17 = 0; row 3: 10·2 + 1·17 = 37.
        let values = [3.0, 1.0, 0.0, 0.0, 10.0, 1.0];

        let s = scores(&values, &[2.0, 17.0]);

        assert_eq!(s, vec![23.0, 0.0, 37.0]);
    }

    #[test]
    fn volume_threshold_is_the_highest_score_that_reaches_the_monthly_target() {
        // Sorted: 90, 80, 80, 70, 60, 50. Over 2 months, 1.5/month needs 3 leads: at 80
        // there are 3 (90, 80, 80) → threshold 80. 2/month needs 4 → 70.
        let s = [50.0, 80.0, 90.0, 70.0, 80.0, 60.0];

        let a = for_volume(&s, 2.0, 1.5).unwrap();
        let b = for_volume(&s, 2.0, 2.0).unwrap();
        let c = for_volume(&s, 2.0, 4.0).unwrap();

        assert_eq!((a.threshold, a.selected, a.met), (80.0, 3, true));
        assert_eq!((b.threshold, b.selected, b.met), (70.0, 4, true));
        // 6 leads over 2 months is 3/month: below 4, so everyone, not met.
        assert_eq!((c.threshold, c.selected, c.met), (50.0, 6, false));
    }

    #[test]
    fn ties_at_the_threshold_stay_together() {
        // 1 lead per period over 1 period: the top score 5 is shared by two leads.
        let t = for_volume(&[5.0, 5.0, 1.0], 1.0, 1.0).unwrap();

        assert_eq!((t.threshold, t.selected), (5.0, 2));
    }

    #[test]
    fn rate_threshold_is_the_lowest_score_whose_selection_converts_at_the_target() {
        // Descending: 9 ✓, 8 ✓, 7 ✗, 6 ✓, 5 ✗, 4 ✗. Rates at ≥ t: 9 → 1/1, 8 → 2/2,
        // 7 → 2/3, 6 → 3/4 = 0.75, 5 → 3/5 = 0.6, 4 → 3/6 = 0.5.
        let s = [4.0, 9.0, 6.0, 7.0, 5.0, 8.0];
        let y = [false, true, true, false, false, true];

        let at_70 = for_rate(&s, &y, 0.70, 1).unwrap();
        let at_60 = for_rate(&s, &y, 0.60, 1).unwrap();
        let min_five = for_rate(&s, &y, 0.70, 5).unwrap();

        assert_eq!((at_70.threshold, at_70.selected, at_70.met), (6.0, 4, true));
        assert_eq!((at_60.threshold, at_60.selected), (5.0, 5));
        // Only thresholds 5 and 4 select ≥ 5 leads; neither reaches 70%; 5 is best (60%).
        assert_eq!(
            (min_five.threshold, min_five.selected, min_five.met),
            (5.0, 5, false)
        );
        assert_eq!(selection(&s, &y, 6.0), (4, 3));
    }

    #[test]
    fn no_leads_give_no_threshold() {
        assert_eq!(for_volume(&[], 3.0, 10.0), None);
        assert_eq!(for_rate(&[], &[], 0.5, 1), None);
    }
}
