//! Score evaluation on cases with known answers: perfect, reversed and tied rankings,
//! tiny hand-worked sets for each calibration measure, deciles and the MQL threshold.

use quarterdeck_analyses::scoring::{ScoringError, auc, evaluate};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn auc_is_one_for_a_perfect_score_zero_reversed_and_half_for_ties() {
    let y = [false, false, true, true];

    assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &y), Some(1.0));
    assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &y), Some(0.0));
    assert_eq!(auc(&[0.5; 4], &[true, false, true, false]), Some(0.5));
    assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
}

#[test]
fn auc_gives_ties_their_average_rank() {
    // Positives 0.4 and 0.9, negatives 0.2 and 0.4: pairs 1 + 0.5 + 1 + 1 = 3.5 of 4.
    assert_eq!(
        auc(&[0.2, 0.4, 0.4, 0.9], &[false, true, false, true]),
        Some(0.875)
    );
}

#[test]
fn brier_and_log_loss_match_hand_values() {
    let e = evaluate(&[0.8, 0.3], &[true, false], None).unwrap();

    // Brier ((0.2)² + (0.3)²)/2; log loss −(ln 0.8 + ln 0.7)/2.
    assert!(close(e.brier, 0.065));
    assert!(close(e.log_loss, -(0.8f64.ln() + 0.7f64.ln()) / 2.0));
}

#[test]
fn ece_weights_each_bins_gap_by_its_share() {
    // Bin 0: mean score 0.05, outcome 0.5 -> 0.45 × 2/4; bin 9: 0.95 vs 1 -> 0.05 × 2/4.
    let e = evaluate(&[0.05, 0.05, 0.95, 0.95], &[false, true, true, true], None).unwrap();

    assert!(close(e.ece, 0.25), "{}", e.ece);
}

#[test]
fn hosmer_lemeshow_sums_each_groups_squared_gap_over_its_variance() {
    // Ten rows, one per group, each p = 0.5: (±0.5)² / (0.5 × 0.5) = 1 per group.
    let y: Vec<bool> = (0..10).map(|i| i % 2 == 0).collect();

    let e = evaluate(&[0.5; 10], &y, None).unwrap();

    assert!(close(e.hosmer_lemeshow, 10.0));
}

#[test]
fn deciles_lift_capture_and_the_mql_threshold() {
    // 20 leads scored 0.05 .. 1.00; the four highest convert (overall rate 0.2).
    let scores: Vec<f64> = (1..=20).map(|i| f64::from(i) / 20.0).collect();
    let y: Vec<bool> = (1..=20).map(|i| i > 16).collect();

    let e = evaluate(&scores, &y, Some(0.25)).unwrap();

    assert_eq!((e.deciles[0].n, e.deciles[0].conversions), (2, 2));
    assert!(close(e.deciles[0].lift, 5.0) && close(e.deciles[0].cum_capture, 0.5));
    assert!(close(e.deciles[1].cum_capture, 1.0) && e.deciles[2].conversions == 0);
    // 25% of 20 = 5 leads: the 5th highest score is 0.80.
    assert!(close(e.threshold_for_mql_rate.unwrap(), 0.8));
    assert_eq!(e.auc, Some(1.0));
}

#[test]
fn bad_inputs_are_refused_with_the_row() {
    assert_eq!(evaluate(&[], &[], None), Err(ScoringError::Empty));
    assert_eq!(
        evaluate(&[0.2, 45.0], &[true, false], None),
        Err(ScoringError::NotProbability {
            row: 1,
            score: 45.0
        })
    );
    assert_eq!(
        evaluate(&[0.2], &[true], Some(0.0)),
        Err(ScoringError::BadRate(0.0))
    );
}

#[test]
fn tied_scores_fill_deciles_in_row_order() {
    // Ten rows, one per decile. Rows 0-4 tie at 0.5 and sit between row 5 (0.9) and the
    // rest (0.1). Descending, stable: 5, 0, 1, 2, 3, 4, 6, 7, 8, 9. Row 0 is the only
    // tied conversion, so decile 2 converts and deciles 3-6 do not.
    let scores = [0.5, 0.5, 0.5, 0.5, 0.5, 0.9, 0.1, 0.1, 0.1, 0.1];
    let y = [
        true, false, false, false, false, false, false, false, false, true,
    ];

    let e = quarterdeck_analyses::scoring::evaluate(&scores, &y, None).unwrap();

    let conversions: Vec<usize> = e.deciles.iter().map(|d| d.conversions).collect();
    assert_eq!(conversions, [0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
}
