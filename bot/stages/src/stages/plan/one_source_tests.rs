//! One figure, one value across the plan: the budget total `plan-vN.json` carries is the
//! one the document quotes, with or without stage 6, and a key figure stated with two
//! values in the rendered document blocks the version.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::Value;

use super::{compute, invariants};
use crate::domain::QuarterRun;
use crate::sources::DataSet;
use crate::stages::StageInputs;

fn inputs() -> StageInputs {
    let mut data = DataSet::default();
    data.insert(
        "objectives.toml",
        "objectives.toml".into(),
        b"revenue_target = 4000000\ntotal_budget = 1000000\nreserve_share = 0.12\n".to_vec(),
    );
    let due = vec![Utc.with_ymd_and_hms(2026, 12, 24, 14, 0, 0).unwrap(); 12];
    StageInputs {
        run: QuarterRun::new("growth", "2027-Q1", &due),
        tz: chrono_tz::UTC,
        quarter_start: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        review_start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        checkins: Vec::new(),
        data,
        outputs: BTreeMap::new(),
        names: Default::default(),
    }
}

#[test]
fn without_stage_six_the_json_and_the_document_quote_objectives_total_budget() {
    let out = compute(&inputs()).unwrap();

    let json = out
        .files
        .iter()
        .find(|f| f.name == "plan-v1.json")
        .expect("plan-v1.json attached");
    let figures: Value = serde_json::from_slice(&json.bytes).unwrap();
    // objectives.toml: $1,000,000 with a 12% reserve ($120,000); the other $880,000 is
    // not allocated to channels until stage 6 runs.
    assert_eq!(figures["budget"]["total"], 1_000_000.0);
    assert_eq!(figures["budget"]["reserve"], 120_000.0);
    assert_eq!(figures["budget"]["unallocated"], 880_000.0);
    assert_eq!(figures["budget"]["by_channel"], serde_json::json!({}));
    let md = &out.plan.as_ref().unwrap().markdown;
    assert!(md.contains("| Total budget | $1,000,000 |"), "{md}");
    assert!(md.contains("| $1,000,000 |"), "{md}");
    assert!(md.contains("| Test reserve (12.0%) | $120,000 |"), "{md}");
}

#[test]
fn a_key_figure_stated_twice_with_different_values_is_named_in_the_error() {
    let out = compute(&inputs()).unwrap();
    let md = out.plan.unwrap().markdown;

    // The rendered plan states each key figure once; a section quoting a recomputed
    // total ($1,012,500) under the same label contradicts the summary's $1,000,000.
    assert_eq!(invariants::stated_once(&md), Vec::new());
    let planted = format!("{md}\nThe plan commits a total budget of $1,012,500.\n");
    let broken = invariants::stated_once(&planted);

    assert_eq!(broken.len(), 1);
    assert_eq!(
        broken[0].to_string(),
        "the total budget is stated as $1,000,000 and $1,012,500 in the same document: one \
         figure, one value"
    );
}
