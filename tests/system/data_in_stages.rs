//! The data check inside the stages: a stage's findings hold the problems of the files it
//! read (`data_notes`) and its post states them with what they distort; deals in their own file join the leads by id; stage 1
//! posts no ROAS when the journeys and the spend share no channel; `analyze funnel --by`
//! refuses a column the file does not have. Counts are worked out from the rows below.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use quarterdeck::domain::QuarterRun;
use quarterdeck::sources::DataSet;
use quarterdeck::stages::{StageInputs, compute};

use crate::helpers::{assert_bad_input, quarterdeck};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Planning 2027-Q1, reviewing 2026-Q4 (the data is checked as of 2026-12-31).
fn inputs(files: &[(&str, &str)]) -> StageInputs {
    let mut data = DataSet::default();
    for (name, text) in files {
        data.insert(name, (*name).to_owned(), text.as_bytes().to_vec());
    }
    StageInputs {
        run: QuarterRun::new("t", "2027-Q1", &[Utc::now(); 12]),
        tz: chrono_tz::UTC,
        quarter_start: d("2027-01-01"),
        review_start: d("2026-10-01"),
        checkins: vec![Utc.with_ymd_and_hms(2027, 1, 25, 14, 0, 0).unwrap()],
        data,
        outputs: BTreeMap::new(),
        names: Default::default(),
    }
}

/// Five leads a week (Mon-Fri) for the ten weeks from Mon 2026-10-05, without the
/// week of 2026-11-02: the export ends Fri 2026-12-11, 20 days before the quarter ends.
fn leads_with_a_gap() -> String {
    let mut csv = String::from("lead_id,created_at,mql_at,source\n");
    for w in (0..10).filter(|w| *w != 4) {
        for k in 0..5 {
            let day = d("2026-10-05") + Duration::days(7 * w + k);
            let mql = if k == 0 {
                day.to_string()
            } else {
                String::new()
            };
            csv.push_str(&format!("L{w}-{k},{day},{mql},seo\n"));
        }
    }
    csv
}

/// `(file, kind, count)` of each data note a stage stored.
fn notes(findings: &serde_json::Value) -> Vec<(String, String, u64)> {
    findings["data_notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| {
                    (
                        n["file"].as_str().unwrap().to_owned(),
                        n["kind"].as_str().unwrap().to_owned(),
                        n["count"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn note(file: &str, kind: &str, count: u64) -> (String, String, u64) {
    (file.to_owned(), kind.to_owned(), count)
}

#[test]
fn the_funnel_stores_the_gap_and_the_early_end_and_its_post_states_what_they_distort() {
    let out = compute(2, &inputs(&[("leads.csv", &leads_with_a_gap())])).unwrap();

    let body = &out.result.message.body;

    // One week without rows (2026-11-02), and the export ending 20 days early.
    assert_eq!(
        notes(&out.findings),
        [
            note("leads.csv", "gap", 1),
            note("leads.csv", "ends_early", 1)
        ]
    );
    // The one rendering test of the post's data checks: each stored note, as a line.
    assert!(body.contains("**Data checks**"), "{body}");
    assert!(
        body.contains("leads.csv: 1 week without any row, the first the week of 2026-11-02"),
        "{body}"
    );
    assert!(
        body.contains(
            "leads.csv: the export ends on 2026-12-11, 20 days before the as-of date 2026-12-31"
        ),
        "{body}"
    );
    assert!(
        body.contains("This distorts the quarter's stage rates and velocity"),
        "{body}"
    );
}

#[test]
fn clean_data_adds_no_data_checks_to_the_post() {
    // Twelve full weeks, the last ending Fri 2026-12-25 (6 days before the as-of date).
    let mut csv = String::from("lead_id,created_at,mql_at,source\n");
    for w in 0..12 {
        for k in 0..5 {
            let day = d("2026-10-05") + Duration::days(7 * w + k);
            csv.push_str(&format!("L{w}-{k},{day},,seo\n"));
        }
    }

    let out = compute(2, &inputs(&[("leads.csv", &csv)])).unwrap();

    assert!(out.findings.get("data_notes").is_none(), "{}", out.findings);
}

#[test]
fn deals_in_their_own_file_join_the_funnel_by_lead_id_and_unknown_ids_are_stated() {
    // Four leads, three reach MQL; deals.csv wins two of those and names one unknown id.
    let leads = "lead_id,created_at,mql_at,source\n\
                 L1,2026-10-05,2026-10-08,seo\n\
                 L2,2026-10-05,2026-10-09,seo\n\
                 L3,2026-10-06,2026-10-09,email\n\
                 L4,2026-10-06,,email\n";
    let deals = "mql_id,won_date,declared_monthly_revenue\n\
                 L1,2026-11-20,1000\n\
                 L2,2026-11-25,500\n\
                 X9,2026-11-26,700\n";

    let out = compute(2, &inputs(&[("leads.csv", leads), ("deals.csv", deals)])).unwrap();

    let t = &out.findings["funnel"]["transitions"];
    assert_eq!(
        (t[0]["from"].as_str(), t[0]["to"].as_str()),
        (Some("lead"), Some("mql"))
    );
    assert_eq!(
        (t[0]["entered"].as_u64(), t[0]["converted"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(
        (t[1]["from"].as_str(), t[1]["to"].as_str()),
        (Some("mql"), Some("won"))
    );
    assert_eq!(
        (t[1]["entered"].as_u64(), t[1]["converted"].as_u64()),
        (Some(3), Some(2))
    );
    assert!(
        notes(&out.findings).contains(&note("deals.csv", "unmatched_ids", 1)),
        "{:?}",
        notes(&out.findings)
    );
}

#[test]
fn stage_one_says_the_journeys_and_the_spend_share_no_channel_and_posts_no_roas() {
    let paths = "path,total_conversions,total_conversion_value,total_null\n\
                 alpha > beta,10,1000,90\n\
                 gamma,5,400,45\n";
    let spend = "date,channel,campaign,spend\n\
                 2026-10-05,tv,Brand,5000\n\
                 2026-10-05,search,Always on,3000\n";
    let campaigns = "campaign,channel,start,end,planned_budget,owner\n\
                     Brand,tv,2026-10-01,2026-12-31,15000,Kim\n\
                     Always on,search,2026-10-01,2026-12-31,9000,Lee\n";

    let out = compute(
        1,
        &inputs(&[
            ("paths.csv", paths),
            ("spend.csv", spend),
            ("campaigns.csv", campaigns),
        ]),
    )
    .unwrap();

    assert!(out.findings["roi"].is_null());
    assert_eq!(out.findings["handoff"]["channels"], serde_json::json!([]));
    assert!(
        out.result
            .message
            .tables
            .iter()
            .all(|t| !t.title.contains("Return by channel"))
    );
    assert!(out.files.iter().all(|f| !f.name.contains("roas")));
    // The data check's reconciliation says the same in the data notes: none of the
    // three journey channels is a spend channel.
    assert!(
        notes(&out.findings).contains(&note("paths.csv", "unknown_channel", 3)),
        "{:?}",
        notes(&out.findings)
    );
}

#[test]
fn grouping_the_funnel_by_a_column_the_file_lacks_names_the_file_and_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("leads.csv");
    std::fs::write(
        &f,
        "lead_id,created_at,mql_at,source\nL1,2026-10-01,2026-10-03,seo\n",
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "funnel",
        "--leads",
        f.to_str().unwrap(),
        "--by",
        "region",
    ]);

    assert_bad_input(&out, &["leads.csv", "--by region", "`region`", "source"]);
}
