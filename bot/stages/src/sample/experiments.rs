//! `experiments.csv`: lift tests the team finished in earlier quarters (geo holdouts),
//! for three channels. Each measured the channel's incremental ROAS at its usual spend,
//! where the generating curve's ROAS is its `target_roas` (media.rs sets the curves so);
//! the measurement is `target_roas + e`, `e ~ Normal(0, (REL_SD·target_roas)²)`, reported
//! with its 90% interval `measured ± 1.645·REL_SD·target_roas`. Display, email, events
//! and paid search were never tested: their curves rest on the history alone.

use std::fmt::Write as _;

use rand_distr::{Distribution, Normal};
use serde_json::{Value, json};

use super::media::channel_truth;
use super::{SampleSpec, stream};

/// Relative sd of a lift test's estimate.
const REL_SD: f64 = 0.12;
/// Tested channels and the quarter each test ran.
const TESTED: [(&str, &str); 3] = [
    ("paid_social", "Q-3"),
    ("linkedin", "Q-2"),
    ("webinars", "Q-1"),
];

pub struct Experiments {
    pub csv: String,
    pub truth: Value,
}

pub fn generate(spec: &SampleSpec) -> Experiments {
    let mut rng = stream(spec.seed, 9);
    let mut csv = String::from("channel,period,incremental_roas,roas_low,roas_high,level\n");
    let mut truth = serde_json::Map::new();
    let standard = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!("valid parameters"));
    for (k, (channel, label)) in TESTED.iter().enumerate() {
        let roas = channel_truth(channel).roas;
        let sd = REL_SD * roas;
        let measured = (roas + sd * standard.sample(&mut rng)).max(0.0);
        let half = 1.645 * sd;
        // The quarter the test ran, counted back from the quarter under review.
        let period = quarter_before(spec, 3 - k as u32);
        let _ = writeln!(
            csv,
            "{channel},{period},{measured:.2},{:.2},{:.2},0.9",
            (measured - half).max(0.0),
            measured + half
        );
        truth.insert(
            (*channel).to_owned(),
            json!({ "period": period, "label": label, "true_roas": roas, "measured": measured, "sd": sd }),
        );
    }
    Experiments {
        csv,
        truth: Value::Object(truth),
    }
}

/// `YYYY-Qn` of the quarter `back` quarters before the one under review.
fn quarter_before(spec: &SampleSpec, back: u32) -> String {
    use chrono::Datelike;
    let q = spec.prior_start.year() * 4 + (spec.prior_start.month0() / 3) as i32 - back as i32;
    format!("{}-Q{}", q.div_euclid(4), q.rem_euclid(4) + 1)
}
