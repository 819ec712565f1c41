//! Times score evaluation (AUC by average ranks, deciles, calibration) on 1,000,000
//! scores with ties, and the scorecard threshold searches:
//! `cargo run --release -p quarterdeck-analyses --example scoring_bench`.

use std::time::Instant;

use quarterdeck_analyses::{scorecard, scoring};

/// SplitMix64, so the bench needs no dependency.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

fn main() {
    let n = 1_000_000;
    let mut rng = Rng(11);
    // Scores on a 0.001 grid (many ties, as integer scores have); outcome ~ score.
    let scores: Vec<f64> = (0..n)
        .map(|_| (rng.unit() * 1000.0).floor() / 1000.0)
        .collect();
    let y: Vec<bool> = scores.iter().map(|s| rng.unit() < *s).collect();

    let t = Instant::now();
    let auc = scoring::auc(&scores, &y);
    let auc_time = t.elapsed();
    let t = Instant::now();
    let e = scoring::evaluate(&scores, &y, Some(0.3)).expect("valid scores");
    let eval_time = t.elapsed();
    let t = Instant::now();
    let v = scorecard::for_volume(&scores, 3.0, 100_000.0);
    let r = scorecard::for_rate(&scores, &y, 0.8, 30);
    let threshold_time = t.elapsed();

    // Uniform scores with P(y | s) = s: AUC = P(s₁ > s₀) with densities 2s and 2(1 − s), 5/6.
    println!(
        "n = {n}: AUC {:.4} in {auc_time:.2?}",
        auc.unwrap_or(f64::NAN)
    );
    println!(
        "evaluate (AUC, deciles, ECE, Brier, log loss, Hosmer–Lemeshow): {eval_time:.2?}, top-decile lift {:.3}",
        e.deciles[0].lift
    );
    println!(
        "thresholds for a volume and a rate: {threshold_time:.2?} ({:?}, {:?})",
        v.map(|t| t.threshold),
        r.map(|t| t.threshold)
    );
}
