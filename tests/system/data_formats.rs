//! The data formats the reference promises, read through the public readers and stages:
//! an ad platform's export headers, RFC 4180 quoting, journeys that span two quarters,
//! the kickoff roster taken from `campaigns.csv`, and stage 2's mature rates, bottlenecks
//! and persistence on a funnel worked out by hand.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use quarterdeck::domain::{QuarterRun, RosterEntry};
use quarterdeck::sources::{CsvTable, DataSet, Quarters, read_journeys, read_spend};
use quarterdeck::stages::{StageInputs, StageOutputKind, compute};
use quarterdeck_analyses::roi::{Delivery, Period, SpendLine};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn table(name: &str, text: &str) -> CsvTable {
    CsvTable::parse(name, text.as_bytes()).unwrap()
}

#[test]
fn an_ad_platform_export_is_read_by_its_own_headers() {
    let export = table(
        "spend.csv",
        "Day,Source,Campaign name,Cost,Conversion value,Impr.,Link clicks,Results\n\
         2027-01-05,paid_social,Winter Push,1234.50,4000,120000,3400,85\n\
         2026-11-05,paid_social,Autumn,99,,,,\n",
    );
    let q = Quarters {
        current_start: d("2027-01-01"),
        current_end: d("2027-03-31"),
        through: None,
    };

    let lines = read_spend(&export, &q).unwrap();

    assert_eq!(
        lines,
        [
            SpendLine {
                period: Period::Current,
                channel: "paid_social".into(),
                campaign: "Winter Push".into(),
                spend: 1234.5,
                platform_revenue: Some(4000.0),
                delivery: Delivery {
                    impressions: Some(120_000.0),
                    clicks: Some(3400.0),
                    conversions: Some(85.0),
                },
            },
            SpendLine {
                period: Period::Previous,
                channel: "paid_social".into(),
                campaign: "Autumn".into(),
                spend: 99.0,
                platform_revenue: None,
                delivery: Delivery::default(),
            },
        ]
    );
}

#[test]
fn rfc_4180_doubled_quotes_and_embedded_newlines_stay_inside_their_field() {
    let t = table(
        "campaigns.csv",
        "campaign,owner\n\
         \"Spring \"\"Big\"\" Launch\",\"Patel, Jordan\"\n\
         \"Two\nlines\",Kim\n\
         plain,Lee\n",
    );
    let (campaign, owner) = (
        t.require("campaign", &[]).unwrap(),
        t.require("owner", &[]).unwrap(),
    );

    let rows: Vec<(String, String)> = t
        .rows()
        .map(|r| (r.str(campaign).to_owned(), r.str(owner).to_owned()))
        .collect();

    assert_eq!(
        rows,
        [
            (
                "Spring \"Big\" Launch".to_owned(),
                "Patel, Jordan".to_owned()
            ),
            ("Two\nlines".to_owned(), "Kim".to_owned()),
            ("plain".to_owned(), "Lee".to_owned()),
        ]
    );
}

#[test]
fn a_journey_belongs_to_the_quarter_of_its_first_touch_with_all_its_touches() {
    let touches = table(
        "touchpoints.csv",
        "journey_id,timestamp,channel\n\
         span,2026-12-20T10:00:00Z,search\n\
         span,2027-01-10T10:00:00Z,email\n\
         q1,2027-01-11T10:00:00Z,social\n",
    );
    let conversions = table(
        "conversions.csv",
        "journey_id,timestamp,value\nspan,2027-01-12T10:00:00Z,500\nq1,2027-01-13T10:00:00Z,80\n",
    );
    let q4 = (
        Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap(),
    );
    let q1 = (
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 3, 31, 23, 59, 59).unwrap(),
    );

    let in_q4 = read_journeys(&touches, &conversions, Some(q4)).unwrap();
    let in_q1 = read_journeys(&touches, &conversions, Some(q1)).unwrap();

    let ids = |js: &[quarterdeck_analyses::attribution::Journey]| {
        js.iter().map(|j| j.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&in_q4), ["span"]);
    assert_eq!(ids(&in_q1), ["q1"], "span is not counted twice");
    let span = &in_q4[0];
    let channels: Vec<&str> = span.touches.iter().map(|t| t.channel.as_str()).collect();
    assert_eq!(channels, ["search", "email"], "the Q1 touch stays with it");
    assert_eq!(span.conversion.map(|c| c.value), Some(500.0));
}

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

#[test]
fn without_stage_eight_the_kickoff_roster_is_campaigns_still_running_in_the_quarter() {
    let campaigns = "campaign,channel,start,end,planned_budget,owner\n\
        Ended,search,2026-10-01,2026-12-31,1000,Ann\n\
        Starts on day one,email,2026-12-01,2027-01-01,500,Bo\n\
        Booked,social,2027-02-01,2027-03-15,800,Cy\n";

    let out = compute(12, &inputs(&[("campaigns.csv", campaigns)])).unwrap();

    let entry = |campaign: &str, owner: &str| RosterEntry::new(campaign, owner);
    let StageOutputKind::Kickoff { mut roster } = out.result.output else {
        panic!("stage 12 makes a roster: {:?}", out.result.output);
    };
    roster.sort_by(|a, b| a.campaign.cmp(&b.campaign));
    assert_eq!(
        roster,
        [entry("Booked", "Cy"), entry("Starts on day one", "Bo")],
        "a campaign that ended the day before the quarter is not on it"
    );
    assert_eq!(out.findings["roster"].as_array().unwrap().len(), 2);
}

/// Leads worked by hand. Every converting lead reaches MQL 10 days after it is created,
/// so the 90th-percentile lag is 10 days and a lead is mature once created at least 10
/// days before the quarter under review (Q4 2026) ends.
/// - Q3: 20 leads on 10 Jul, 2 convert (10%): the quarter before, for persistence.
/// - Q4: 20 leads on 5 Oct, 4 convert; 10 leads on 28 Dec, none yet (too young).
///
/// The quarter's own rate is 4/30; the mature rate is (2 + 4)/(20 + 20) = 15%, whose 95%
/// Wilson interval is 7.06%–29.07% (computed by hand from the Wilson formula).
fn leads_csv() -> String {
    let mut csv = String::from("lead_id,created_at,mql_at,source\n");
    let mut n = 0;
    let mut add = |count: usize, converted: usize, created: &str, mql: &str| {
        for i in 0..count {
            n += 1;
            let to = if i < converted { mql } else { "" };
            csv.push_str(&format!("L{n},{created}T10:00:00Z,{to},web\n"));
        }
    };
    add(20, 2, "2026-07-10", "2026-07-20T10:00:00Z");
    add(20, 4, "2026-10-05", "2026-10-15T10:00:00Z");
    add(10, 0, "2026-12-28", "");
    csv
}

fn benchmarks(values: &[(f64, &str)]) -> String {
    let mut csv = String::from("metric,value,unit,source\n");
    for (v, source) in values {
        csv.push_str(&format!("funnel_lead_to_mql,{v},percent,{source}\n"));
    }
    csv
}

#[test]
fn stage_two_compares_the_mature_rate_with_the_benchmark_median_and_flags_persistence() {
    let leads = leads_csv();
    // Median of 30% and 40% = 35%: above the interval's top (29.07%), and above last
    // quarter's 10% too.
    let below = benchmarks(&[(30.0, "Survey A"), (40.0, "Survey B")]);
    // Median 25%: inside the interval, so not a bottleneck.
    let within = benchmarks(&[(25.0, "Survey A")]);

    let flagged = compute(
        2,
        &inputs(&[("leads.csv", &leads), ("benchmarks.csv", &below)]),
    )
    .unwrap()
    .findings;
    let clear = compute(
        2,
        &inputs(&[("leads.csv", &leads), ("benchmarks.csv", &within)]),
    )
    .unwrap()
    .findings;

    let step = &flagged["funnel"]["transitions"][0];
    assert_eq!(
        (step["entered"].as_u64(), step["converted"].as_u64()),
        (Some(30), Some(4))
    );
    let handoff = &flagged["handoff"];
    let mature = handoff["steps"][0]["rate"].as_f64().unwrap();
    assert!((mature - 0.15).abs() < 1e-12, "mature rate {mature}");
    assert_eq!(flagged["below_benchmark"].as_array().unwrap().len(), 1);
    assert_eq!(
        flagged["persistent_bottlenecks"].as_array().unwrap().len(),
        1
    );
    let bottleneck = &flagged["below_benchmark"][0];
    let figure = |key: &str| bottleneck[key].as_f64().unwrap();
    assert!((figure("mature_rate") - 0.15).abs() < 1e-12, "{bottleneck}");
    assert!(
        (figure("interval_high") - 0.2907).abs() < 5e-5,
        "{bottleneck}"
    );
    assert!((figure("benchmark") - 0.35).abs() < 1e-12, "{bottleneck}");
    assert_eq!(bottleneck["source"], "Survey A");
    assert_eq!(bottleneck["leads"], 40);
    assert!((figure("lag_days") - 10.0).abs() < 1e-9, "{bottleneck}");
    let persistent = &flagged["persistent_bottlenecks"][0];
    assert!((persistent["previous_rate"].as_f64().unwrap() - 0.10).abs() < 1e-12);
    // The plan quotes the bottleneck as the handoff words it.
    assert_eq!(handoff["bottlenecks"].as_array().unwrap().len(), 1);
    assert!(clear["below_benchmark"].as_array().unwrap().is_empty());
    assert!(
        clear["persistent_bottlenecks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
