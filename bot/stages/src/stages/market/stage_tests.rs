//! Stage 5 on tiny data: what it says without research inputs, how a bad file fails it,
//! and that stage 2's measured funnel is what the overall benchmark comparison uses.

use chrono::NaiveDate;
use serde_json::json;

use crate::domain::QuarterRun;
use crate::sources::DataSet;
use crate::stages::{StageInputs, compute};

fn inputs(files: &[(&str, &str)], outputs: &[(u8, serde_json::Value)]) -> StageInputs {
    let mut data = DataSet::default();
    for (name, text) in files {
        data.insert(name, (*name).to_owned(), text.as_bytes().to_vec());
    }
    StageInputs {
        run: QuarterRun::new("t", "2027-Q1", &[]),
        tz: chrono_tz::UTC,
        quarter_start: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        review_start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        checkins: Vec::new(),
        data,
        outputs: outputs.iter().cloned().collect(),
        names: Default::default(),
    }
}

#[test]
fn without_any_research_file_the_stage_is_unavailable_and_says_why() {
    let out = compute(5, &inputs(&[], &[])).unwrap();

    assert!(!out.result.available);
    // Its findings list the research inputs it looked for, none of them present.
    let inputs = out.findings["inputs"].as_array().unwrap();
    assert!(
        inputs.iter().any(|f| f["file"] == "competitors.csv"),
        "{inputs:?}"
    );
    assert!(inputs.iter().all(|f| f["rows"].is_null()), "{inputs:?}");
}

#[test]
fn a_bad_competitor_row_fails_the_stage_naming_the_cell() {
    let i = inputs(
        &[(
            "competitors.csv",
            "date,competitor,kind,channel,summary,source\n2026-10-01,,x,seo,s,n\n",
        )],
        &[],
    );

    let e = compute(5, &i).unwrap_err().to_string();

    assert!(
        e.starts_with("competitors.csv, row 2, column `competitor`"),
        "{e}"
    );
}

#[test]
fn stage_twos_rate_is_the_overall_rate_compared_with_the_median_benchmark() {
    // Benchmarks lead → mql 30%, 40%, 50% by channel: median 40%. Stage 2 measured 30%,
    // under 40% × 0.9 = 36% (no counts in the handoff, so the 10% rule applies): a gap.
    let bench = "metric,segment,value,unit,source\n\
        funnel_lead_to_mql,b2b;channel=seo,30,percent,Pub\n\
        funnel_lead_to_mql,b2b;channel=ppc,40,percent,Pub\n\
        funnel_lead_to_mql,b2b;channel=email,50,percent,Pub\n";
    let funnel = json!({"handoff": {"stages": ["lead", "mql"], "steps": [{"from": "lead", "to": "mql", "rate": 0.3, "median_lag_days": 3.0}],
        "average_deal": null, "leads_by_month": [], "bottlenecks": []}});

    let out = compute(5, &inputs(&[("benchmarks.csv", bench)], &[(2, funnel)])).unwrap();

    assert!(out.result.available);
    let gaps = &out.findings["handoff"]["benchmark_gaps"];
    assert_eq!(
        gaps,
        &json!([{"metric": "funnel_lead_to_mql", "ours": 0.3, "benchmark": 0.4, "source": "Pub"}])
    );
    // Without competitors.csv nor trends.csv there is no timeline, no trend, and the
    // findings say which inputs were not covered.
    assert_eq!(out.findings["market"]["timeline"], json!([]));
    assert_eq!(out.findings["market"]["trends"], json!([]));
    let file = |kind: &str, files: &[&str]| json!({"kind": kind, "files": files});
    assert_eq!(
        out.findings["missing"],
        json!([
            file("competitors", &["competitors.csv"]),
            file("trends", &["trends.csv"]),
            file("journeys", &["touchpoints.csv", "conversions.csv"]),
        ])
    );
    // The one rendering test of what stage 5 lacked: its post says it in words.
    let body = &out.result.message.body;
    assert!(
        body.contains("**Not covered**\n- no competitors.csv: no competitor timeline, moves or threats from them.\n- no trends.csv: no market trends.\n- no touchpoints.csv with conversions.csv:"),
        "{body}"
    );
}

#[test]
fn journeys_from_the_quarter_under_review_alone_give_no_shift_and_say_so() {
    // Two journeys, both first touched in 2026-Q4 (the quarter under review); none in
    // 2026-Q3 to compare them with.
    let touch = "journey_id,timestamp,channel\nj1,2026-10-05,seo\nj2,2026-11-02,email\n";
    let conv = "journey_id,timestamp,value\nj1,2026-10-20,100\n";

    let out = compute(
        5,
        &inputs(
            &[("touchpoints.csv", touch), ("conversions.csv", conv)],
            &[],
        ),
    )
    .unwrap();

    assert!(out.result.available);
    assert_eq!(out.findings["journeys"], serde_json::Value::Null);
    let kinds: Vec<&str> = out.findings["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "competitors",
            "trends",
            "benchmarks",
            "journeys_one_quarter"
        ]
    );
}
