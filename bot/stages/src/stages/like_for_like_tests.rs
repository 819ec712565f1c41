//! Like for like before the quarter closes: stages 2 and 5 compare the quarter under
//! review with the same days of the one before (stage 1's `Quarters`), stage 4 states
//! volumes a month as a run rate over the days covered, and stage 1's budget used sets
//! spend to date against the plan to the same day. Expected values by hand.

use chrono::NaiveDate;
use quarterdeck_analyses::roi::Period;

use super::data_notes::{Comparison, DataThrough};
use crate::domain::QuarterRun;
use crate::sources::{DataSet, Quarters, read_plans};
use crate::stages::{StageInputs, compute};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Stage inputs reviewing Q4 2026, read on `read_on` (the data runs to the day before).
fn inputs(read_on: &str, files: &[(&str, &str)]) -> StageInputs {
    let mut data = DataSet::default();
    for (name, text) in files {
        data.insert(name, (*name).to_owned(), text.as_bytes().to_vec());
    }
    StageInputs {
        run: QuarterRun::new("t", "2027-Q1", &[]),
        tz: chrono_tz::UTC,
        quarter_start: d("2027-01-01"),
        review_start: d("2026-10-01"),
        checkins: Vec::new(),
        data: data.with_read_on(d(read_on)),
        outputs: Default::default(),
        names: Default::default(),
    }
}

fn q4_through(through: &str) -> DataThrough {
    DataThrough {
        through: d(through),
        quarter_start: d("2026-10-01"),
        quarter_end: d("2026-12-31"),
    }
}

#[test]
fn each_review_stage_says_how_it_compares_a_quarter_read_early() {
    let early = q4_through("2026-12-21");

    let method = |n: u8| Comparison::of(n, &early).map(|c| c.method);

    // Stages 1, 2 and 5 compare the same 82 days; stage 4 projects a run rate.
    assert_eq!(method(1).as_deref(), Some("same_days"));
    assert_eq!(method(2).as_deref(), Some("same_days"));
    assert_eq!(method(5).as_deref(), Some("same_days"));
    assert_eq!(method(4).as_deref(), Some("run_rate"));
    let four = Comparison::of(4, &early).unwrap();
    assert_eq!((four.days, four.quarter_days), (82, 92));
    assert!(
        four.sentence.contains("run rate over the 82 days"),
        "{}",
        four.sentence
    );
    // Read after the quarter closed there is nothing to adjust.
    assert_eq!(Comparison::of(1, &q4_through("2026-12-31")), None);
}

#[test]
fn stage_fours_months_over_82_days_are_82_92nds_of_the_quarters_three() {
    let early = q4_through("2026-12-21");

    // 3 × 82 / 92 = 2.6739…: 100 MQLs in 82 days run at 37.4 a month, not 33.3.
    let months = early.months_covered(3.0);

    assert!((months - 246.0 / 92.0).abs() < 1e-12, "{months}");
    assert!((100.0 / months - 37.398).abs() < 1e-3);
    assert_eq!(q4_through("2026-12-31").months_covered(3.0), 3.0);
}

const CAMPAIGNS: &str = "campaign,channel,start,end,planned_budget,owner\n\
    Always on,search,2026-10-01,2026-12-31,9200,Ann\n\
    December push,search,2026-12-01,2026-12-31,3100,Ann\n\
    Year end,search,2026-12-22,2026-12-31,5000,Ann\n\
    Summer,search,2026-07-01,2026-08-31,4000,Ann\n";

#[test]
fn budget_used_read_early_is_spend_against_the_plan_to_the_same_day() {
    let mut data = DataSet::default();
    data.insert("campaigns.csv", "campaigns.csv".into(), CAMPAIGNS.into());
    let t = data.table("campaigns.csv").unwrap().unwrap();
    let q = Quarters {
        current_start: d("2026-10-01"),
        current_end: d("2026-12-31"),
        through: Some(d("2026-12-21")),
    };

    let plans = read_plans(&t, &q).unwrap();
    let whole = read_plans(&t, &Quarters { through: None, ..q }).unwrap();

    let planned: Vec<(Period, f64)> = plans.iter().map(|p| (p.period, p.planned_budget)).collect();
    // 9,200 over 92 days, 82 of them run: 8,200. 3,100 over 31 December days, 21 run:
    // 2,100. Starting 22 Dec, nothing was planned by the 21st. Last quarter's campaign
    // (ended 31 Aug, inside its first 82 days) keeps its whole budget.
    assert_eq!(
        planned,
        [
            (Period::Current, 8_200.0),
            (Period::Current, 2_100.0),
            (Period::Current, 0.0),
            (Period::Previous, 4_000.0),
        ]
    );
    let full: Vec<f64> = whole.iter().map(|p| p.planned_budget).collect();
    assert_eq!(full, [9_200.0, 3_100.0, 5_000.0, 4_000.0]);
}

/// Touches and conversions: two journeys starting 10 Jul, one 25 Sep (day 87 of Q3,
/// after its first 82 days), one 5 Oct and one 21 Dec, the last day the export covers.
const TOUCHES: &str = "journey_id,timestamp,channel\n\
    a,2026-07-10T09:00:00Z,search\n\
    b,2026-07-10T10:00:00Z,email\n\
    c,2026-09-25T09:00:00Z,search\n\
    d,2026-10-05T09:00:00Z,email\n\
    e,2026-12-21T09:00:00Z,email\n";
const CONVERSIONS: &str = "journey_id,timestamp,value\na,2026-07-12T09:00:00Z,100\n";

#[test]
fn stage_five_read_early_compares_the_journeys_that_started_on_the_same_days() {
    // The final export has one more journey, on the quarter's last day.
    let all = format!("{TOUCHES}f,2026-12-31T09:00:00Z,search\n");
    let first = [
        ("touchpoints.csv", TOUCHES),
        ("conversions.csv", CONVERSIONS),
    ];
    let last = [
        ("touchpoints.csv", all.as_str()),
        ("conversions.csv", CONVERSIONS),
    ];

    // Read on 29 Dec, the export pulled on 22 Dec still runs to 21 Dec: the date the
    // data reaches, not the day it was read, sets the days compared.
    let early = compute(5, &inputs("2026-12-29", &first)).unwrap();
    let late = compute(5, &inputs("2027-01-02", &last)).unwrap();

    // Data to 21 Dec, day 82: Q3's journeys are those begun by 20 Sep (a, b).
    assert_eq!(early.findings["journeys"]["before"]["journeys"], 2);
    assert_eq!(early.findings["journeys"]["now"]["journeys"], 2);
    assert_eq!(early.findings["comparison"]["method"], "same_days");
    let body = &early.result.message.body;
    assert!(body.contains("same 82 days of each quarter"), "{body}");
    // Read after the quarter closed, all three of Q3's count.
    assert_eq!(late.findings["journeys"]["before"]["journeys"], 3);
    assert!(late.findings.get("comparison").is_none());
}

/// Leads: three created in Q3 by 20 Sep (two reach MQL), two after it (neither does),
/// two in Q4, the last on 21 Dec, the last day the export covers.
const LEADS: &str = "lead_id,created_at,source,mql_at\n\
    l1,2026-07-02,search,2026-07-05\n\
    l2,2026-08-02,search,2026-08-05\n\
    l3,2026-09-10,search,\n\
    l4,2026-09-25,search,\n\
    l5,2026-09-28,search,\n\
    l6,2026-10-02,search,2026-10-04\n\
    l7,2026-12-21,search,\n";

#[test]
fn stage_two_read_early_takes_last_quarters_rates_over_the_same_days() {
    let all = format!("{LEADS}l8,2026-12-31,search,\n");

    let early = compute(2, &inputs("2026-12-23", &[("leads.csv", LEADS)])).unwrap();
    let late = compute(2, &inputs("2027-01-02", &[("leads.csv", all.as_str())])).unwrap();

    // Same 82 days: 3 leads, 2 MQLs (66.7%); the whole quarter: 5 leads, 2 MQLs (40%).
    let prior = |o: &crate::stages::StageOutput| {
        let t = &o.findings["prior_quarter"]["transitions"][0];
        (t["entered"].as_u64(), t["converted"].as_u64())
    };
    assert_eq!(prior(&early), (Some(3), Some(2)));
    assert_eq!(prior(&late), (Some(5), Some(2)));
    assert_eq!(early.findings["comparison"]["method"], "same_days");
    let body = &early.result.message.body;
    assert!(body.contains("the same 82 days of it"), "{body}");
}

/// One page: 900 sessions in Q3 (whole), 820 in Q4 to 21 Dec (82 of 92 days).
const CONTENT: &str = "url,type,published,period,sessions,engaged_sessions,conversions,through\n\
    /guide/a,guide,2026-01-10,2026-07-01,900,450,9,2026-09-30\n\
    /guide/a,guide,2026-01-10,2026-10-01,820,410,8,2026-12-21\n";

#[test]
fn stage_three_states_where_its_quarter_totals_run_to_and_projects_them_to_the_quarter() {
    let out = compute(3, &inputs("2026-12-22", &[("content.csv", CONTENT)])).unwrap();

    let body = &out.result.message.body;
    assert!(
        body.contains("**Data through** 21 Dec 2026: 82 of the quarter's 92 days"),
        "{body}"
    );
    // 820 × 92 / 82 = 920 sessions over the quarter, +2.2% on Q3's 900 (quarter to date
    // against a whole quarter would read −9%).
    let now = &out.findings["review"]["content"]["trend"][1];
    assert_eq!(now["period"], "2026-10-01");
    assert!(
        (now["sessions"].as_f64().unwrap() - 920.0).abs() < 1e-9,
        "{now}"
    );
    let change = out.findings["sessions_change"].as_f64().unwrap();
    assert!((change - 20.0 / 900.0).abs() < 1e-12, "{change}");
    assert_eq!(out.findings["comparison"]["method"], "run_rate");
}

#[test]
fn data_that_does_not_reach_the_quarter_is_neither_cut_nor_scaled() {
    // Files ending 15 Sep cover none of Q4: 0 days, so a run rate would divide by zero.
    let none = q4_through("2026-09-15");

    assert_eq!(none.days(), 0);
    assert_eq!(none.months_covered(3.0), 3.0);
    assert_eq!(none.quarters().through, None);
    assert_eq!(Comparison::of(4, &none), None);
}
