//! The data check on files with planted problems; each expected count is worked out by
//! hand from the planted rows.

use chrono::{Duration, NaiveDate};

use super::*;
use crate::sources::{DataSet, ReadOptions, WideMedia};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn set(files: &[(&str, String)]) -> DataSet {
    let mut d = DataSet::default();
    for (name, text) in files {
        d.insert(name, (*name).to_owned(), text.clone().into_bytes());
    }
    d
}

fn problem<'a>(check: &'a DataCheck, file: &str, kind: &str) -> Option<&'a Problem> {
    check
        .files
        .iter()
        .find(|f| f.file == file)?
        .problems
        .iter()
        .find(|p| p.kind == kind)
}

/// Leads: 20 a week for 16 weeks from Mon 2026-09-07, each week's leads on Mon-Fri.
fn leads(skip_week: Option<usize>, last_week: usize) -> String {
    let mut text = String::from("lead_id,created_at,mql_at,source\n");
    let start = day("2026-09-07");
    let mut id = 0;
    for w in 0..last_week {
        if Some(w) == skip_week {
            continue;
        }
        for k in 0..20 {
            let d = start + Duration::days(7 * w as i64 + (k % 5) as i64);
            text.push_str(&format!("L{id},{d},,{}\n", ["seo", "email"][k % 2]));
            id += 1;
        }
    }
    text
}

#[test]
fn planted_gap_truncation_and_duplicates_are_found_with_counts_and_rows() {
    // 16 weeks but week 5 empty, ending 2026-12-25 (Fri of week 15, the 16th);
    // as of 2027-01-15 that is 21 days early.
    let mut text = leads(Some(5), 16);
    // Row 2 (L0) repeated twice at the end: two duplicate rows, file rows 302 and 303.
    let first = text.lines().nth(1).unwrap().to_owned();
    text.push_str(&format!("{first}\n{first}\n"));
    // A lead id reused with other cells: one duplicate key, file row 304.
    text.push_str("L1,2026-12-21,,seo\n");
    let data = set(&[("leads.csv", text)]);

    let check = check(&data, day("2027-01-15"));
    let leads = &check.files[0];

    assert_eq!(leads.rows, 15 * 20 + 3);
    assert_eq!(
        leads.date_range,
        Some([day("2026-09-07"), day("2026-12-25")])
    );
    assert_eq!(leads.date_format.as_deref(), Some("%Y-%m-%d"));
    let gap = problem(&check, "leads.csv", "gap").unwrap();
    assert_eq!(
        (gap.count, gap.detail.contains("2026-10-12")),
        (1, true),
        "{gap:?}"
    );
    let dup = problem(&check, "leads.csv", "duplicate_rows").unwrap();
    assert_eq!((dup.count, dup.example_row), (2, Some(302)));
    let key = problem(&check, "leads.csv", "duplicate_keys").unwrap();
    assert_eq!((key.count, key.example_row), (1, Some(304)));
    let early = problem(&check, "leads.csv", "ends_early").unwrap();
    assert!(early.detail.contains("21 days"), "{early:?}");
    // mql_at is blank everywhere: a stage not reached, so no problem.
    assert!(problem(&check, "leads.csv", "blank").is_none());
    let funnel = &check.stages[1];
    assert_eq!(funnel.status, Status::Degraded, "{funnel:?}");
}

#[test]
fn a_collapsed_week_future_dates_and_a_win_before_its_lead_are_found() {
    let mut text = String::from("lead_id,created_at,won_at\n");
    let start = day("2026-09-07");
    let mut n = 0;
    for w in 0..10 {
        let per_week = if w == 7 { 4 } else { 20 };
        for k in 0..per_week {
            let d = start + Duration::days(7 * w + k % 5);
            text.push_str(&format!("L{n},{d},\n"));
            n += 1;
        }
    }
    text.push_str("W1,2026-10-05,2026-10-01\n"); // won before created
    text.push_str("F1,2027-02-01,\n"); // after the as-of date
    let data = set(&[("leads.csv", text)]);

    let check = check(&data, day("2027-01-01"));

    let drop = problem(&check, "leads.csv", "volume_drop").unwrap();
    assert_eq!(drop.count, 1);
    assert!(
        drop.detail.contains("2026-10-26") && drop.detail.contains("4 against"),
        "{drop:?}"
    );
    let order = problem(&check, "leads.csv", "dates_out_of_order").unwrap();
    assert_eq!((order.count, order.example_row), (1, Some(186)));
    let future = problem(&check, "leads.csv", "future_dates").unwrap();
    assert_eq!((future.count, future.example_row), (1, Some(187)));
}

#[test]
fn an_ambiguous_date_column_is_refused_until_date_format_is_set() {
    let text = "mql_id,first_contact_date,origin\nm1,01-02-2018,seo\nm2,03-04-2018,email\n";
    let columns = [("lead_id", "mql_id"), ("created_at", "first_contact_date")]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .into();
    let mut data = set(&[("leads.csv", text.into())]);
    data.set_options(
        "leads.csv",
        ReadOptions {
            columns,
            ..ReadOptions::default()
        },
    );

    let refused = check(&data, day("2018-12-31"));
    let mut configured = data.clone();
    let mut options = data.raw("leads.csv").unwrap().2.clone();
    options.date_format = Some("%d-%m-%Y".into());
    configured.set_options("leads.csv", options);
    let accepted = check(&configured, day("2018-12-31"));

    let p = problem(&refused, "leads.csv", "ambiguous_dates").unwrap();
    assert!(p.detail.contains("date_format"), "{p:?}");
    assert_eq!(refused.stages[1].status, Status::Blocked);
    assert!(problem(&accepted, "leads.csv", "ambiguous_dates").is_none());
    assert_eq!(
        accepted.files[0].date_range,
        Some([day("2018-02-01"), day("2018-04-03")])
    );
    assert_eq!(accepted.files[0].columns["lead_id"], "mql_id");
    assert_eq!(accepted.files[0].columns["source"], "origin");
}

#[test]
fn deals_with_unknown_leads_are_reported() {
    let leads = "lead_id,created_at\nA,2026-10-01\nB,2026-10-02\n".to_owned();
    let deals =
        "mql_id,won_date,amount\nA,2026-11-01,100\nZ,2026-11-02,50\nY,2026-11-03,50\n".to_owned();
    let data = set(&[("leads.csv", leads), ("deals.csv", deals)]);

    let check = check(&data, day("2026-12-31"));

    let p = problem(&check, "deals.csv", "unmatched_ids").unwrap();
    assert_eq!((p.count, p.example_row), (2, Some(3)));
    assert!(p.detail.contains("\"Z\""), "{p:?}");
}

#[test]
fn channels_that_do_not_reconcile_are_named_and_aliases_fix_them() {
    let spend =
        "date,channel,campaign,spend\n2026-10-05,tv,A,10\n2026-10-05,paid_search,B,5\n".to_owned();
    let paths = "path,total_conversions,total_conversion_value,total_null\nalpha > beta,1,10,2\n"
        .to_owned();
    // `Paid Search` is spend's `paid_search`; `seo` is unpaid, not a mismatch.
    let touch = "journey_id,timestamp,channel\nj1,2026-10-05,Paid Search\n\
                 j1,2026-10-06,tv\nj1,2026-10-07,seo\n"
        .to_owned();
    let mut data = set(&[
        ("spend.csv", spend),
        ("paths.csv", paths),
        ("touchpoints.csv", touch),
    ]);

    let before = check(&data, day("2026-10-11"));
    let aliases: std::collections::BTreeMap<String, String> =
        [("paid search".to_owned(), "paid_search".to_owned())].into();
    data.set_options(
        "touchpoints.csv",
        ReadOptions {
            channel_aliases: aliases,
            ..ReadOptions::default()
        },
    );
    let after = check(&data, day("2026-10-11"));

    let none = problem(&before, "paths.csv", "unknown_channel").unwrap();
    assert!(none.detail.contains("shares no channel"), "{none:?}");
    let some = problem(&before, "touchpoints.csv", "unknown_channel").unwrap();
    assert!(
        some.detail.contains("Paid Search") && !some.detail.contains("seo"),
        "{some:?}"
    );
    assert_eq!(some.count, 1);
    assert!(problem(&after, "touchpoints.csv", "unknown_channel").is_none());
}

#[test]
fn wide_and_long_media_give_the_same_channels_range_and_findings() {
    let mut long = String::from("date,channel,spend\n");
    let mut wide = String::from("DATE,tv_S,search_S,revenue\n");
    let start = day("2026-01-05");
    for w in 0..12 {
        let d = start + Duration::days(7 * w);
        // search misses week 4 in both shapes (blank in wide, no row in long).
        long.push_str(&format!("{d},tv,{}\n", 100 + w));
        if w != 4 {
            long.push_str(&format!("{d},search,{}\n", 50 + w));
        }
        let search = if w == 4 {
            "na".to_owned()
        } else {
            (50 + w).to_string()
        };
        wide.push_str(&format!("{d},{},{search},1\n", 100 + w));
    }
    let long_check = check(&set(&[("weekly_media.csv", long)]), day("2026-03-29"));
    let wide_check = check(
        &set(&[("weekly_media.csv", wide.clone())]),
        day("2026-03-29"),
    );
    let mut configured = set(&[("weekly_media.csv", wide)]);
    configured.set_options(
        "weekly_media.csv",
        ReadOptions {
            wide: Some(WideMedia {
                date: Some("DATE".into()),
                channels: [("tv", "tv_S"), ("search", "search_S")]
                    .map(|(a, b)| (a.to_owned(), b.to_owned()))
                    .into(),
            }),
            ..ReadOptions::default()
        },
    );
    let configured_check = check(&configured, day("2026-03-29"));

    let (l, w) = (&long_check.files[0], &wide_check.files[0]);
    assert_eq!(l.date_range, w.date_range);
    let gap = |c: &DataCheck| problem(c, "weekly_media.csv", "channel_gap").cloned();
    assert_eq!(gap(&long_check).unwrap().count, 1);
    assert_eq!(gap(&long_check), gap(&wide_check));
    assert_eq!(gap(&wide_check), gap(&configured_check));
    assert_eq!(w.columns["spend[tv]"], "tv_S");
}

/// The notes a stage posts: the distorting problems name what they distort in that
/// stage; a problem that distorts nothing (a blank optional column) has no clause.
#[test]
fn stage_notes_say_which_comparisons_a_gap_distorts() {
    // leads.csv with week 5 empty and ending 21 days before the as-of date.
    let mut text = String::from("lead_id,created_at,mql_at,source,region\n");
    for (i, line) in leads(Some(5), 16).lines().skip(1).enumerate() {
        let region = if i == 0 { "" } else { "emea" };
        text.push_str(&format!("{line},{region}\n"));
    }
    let data = set(&[("leads.csv", text)]);
    let check = check(&data, day("2027-01-15"));

    let funnel = stage_notes(&check, 2);
    let goals = stage_notes(&check, 7);
    let content = stage_notes(&check, 3);

    let kinds: Vec<&str> = funnel.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, ["blank", "gap", "ends_early"]);
    assert_eq!(funnel[0].distorts, None);
    assert!(
        funnel[1]
            .distorts
            .as_deref()
            .is_some_and(|d| d.contains("cohorts")),
        "{funnel:?}"
    );
    assert!(
        funnel[2]
            .line()
            .starts_with("leads.csv: the export ends on 2026-12-25")
    );
    assert!(funnel[2].line().contains("This distorts"));
    assert!(
        goals[1]
            .distorts
            .as_deref()
            .is_some_and(|d| d.contains("stretch")),
        "{goals:?}"
    );
    assert!(content.is_empty(), "stage 3 does not read leads.csv");
}

mod aliased_headers {
    //! A file with canonical headers and the same file with the tools' header names
    //! give the same findings: the data check's problems (kind, count, first row), the
    //! range and the date format, and what the readers and the funnel make of it.

    use proptest::prelude::*;
    use quarterdeck_analyses::funnel;

    use super::*;
    use crate::sources::{CsvTable, read_leads};

    const CANONICAL: [&str; 7] = [
        "lead_id",
        "created_at",
        "mql_at",
        "won_at",
        "source",
        "region",
        "amount",
    ];
    /// Per column, export names from the tools (HubSpot, Salesforce, Olist).
    const EXPORT: [&[&str]; 7] = [
        &["Record ID", "Lead ID", "mql_id", "Contact ID"],
        &["Create Date", "Created Date", "first_contact_date"],
        &["Became a Marketing Qualified Lead Date", "MQL Date"],
        &["Became a Customer Date", "Close Date", "won_date"],
        &["Original Source", "Lead Source", "origin"],
        &["Country/Region", "Billing Country", "country"],
        &["Deal Amount", "declared_monthly_revenue"],
    ];

    #[derive(Debug, Clone)]
    struct Lead {
        week: i64,
        day: i64,
        mql_after: Option<i64>,
        won_after: Option<i64>,
        source: Option<usize>,
        region: Option<usize>,
        amount: Option<u32>,
    }

    fn lead() -> impl Strategy<Value = Lead> {
        (
            0..14i64,
            0..7i64,
            proptest::option::of(-3..20i64),
            proptest::option::of(0..60i64),
            proptest::option::of(0..3usize),
            proptest::option::of(0..2usize),
            proptest::option::of(0..50_000u32),
        )
            .prop_map(
                |(week, day, mql_after, won_after, source, region, amount)| Lead {
                    week,
                    day,
                    mql_after,
                    won_after,
                    source,
                    region,
                    amount,
                },
            )
    }

    fn csv(header: &[&str], leads: &[Lead], duplicate: bool) -> String {
        let start = day("2026-07-06");
        let mut text = header
            .iter()
            .map(|h| format!("\"{h}\""))
            .collect::<Vec<_>>()
            .join(",");
        text.push('\n');
        for (i, l) in leads.iter().enumerate() {
            let created = start + Duration::days(7 * l.week + l.day);
            let after = |d: Option<i64>| {
                d.map(|d| (created + Duration::days(d)).to_string())
                    .unwrap_or_default()
            };
            let line = format!(
                "L{i},{created},{},{},{},{},{}\n",
                after(l.mql_after),
                after(l.won_after),
                l.source.map_or("", |s| ["seo", "Paid Search", "email"][s]),
                l.region.map_or("NA", |r| ["EMEA", "Americas"][r]),
                l.amount.map(|a| a.to_string()).unwrap_or_default(),
            );
            text.push_str(&line);
            if duplicate && i == 0 {
                text.push_str(&line);
            }
        }
        text
    }

    type Found = (
        usize,
        Option<[NaiveDate; 2]>,
        Option<String>,
        Vec<(String, usize, Option<usize>)>,
    );

    fn found(check: &DataCheck) -> Found {
        let f = &check.files[0];
        (
            f.rows,
            f.date_range,
            f.date_format.clone(),
            f.problems
                .iter()
                .map(|p| (p.kind.clone(), p.count, p.example_row))
                .collect(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn canonical_and_aliased_headers_give_identical_findings(
            leads in proptest::collection::vec(lead(), 1..120),
            picks in proptest::collection::vec(0..4usize, 7),
            duplicate in any::<bool>(),
        ) {
            let aliased: Vec<&str> = EXPORT
                .iter()
                .zip(&picks)
                .map(|(names, k)| names[k % names.len()])
                .collect();
            let canonical_text = csv(&CANONICAL, &leads, duplicate);
            let aliased_text = csv(&aliased, &leads, duplicate);
            let as_of = day("2026-12-31");

            let a = check(&set(&[("leads.csv", canonical_text.clone())]), as_of);
            let b = check(&set(&[("leads.csv", aliased_text.clone())]), as_of);
            let ta = read_leads(&CsvTable::parse("leads.csv", canonical_text.as_bytes()).unwrap()).unwrap();
            let tb = read_leads(&CsvTable::parse("leads.csv", aliased_text.as_bytes()).unwrap()).unwrap();

            prop_assert_eq!(found(&a), found(&b));
            prop_assert_eq!(&a.stages, &b.stages);
            let mut every: Vec<&str> = CANONICAL.to_vec();
            every.sort_unstable();
            let mapped: Vec<&str> = b.files[0].columns.keys().map(String::as_str).collect();
            prop_assert_eq!(mapped, every);
            prop_assert_eq!(&ta.stages, &tb.stages);
            prop_assert_eq!(&ta.leads, &tb.leads);
            prop_assert_eq!(&ta.first_seen, &tb.first_seen);
            prop_assert_eq!(&ta.amounts, &tb.amounts);
            let fa = funnel::analyze(&ta.stages, &ta.leads, Some("source")).ok();
            let fb = funnel::analyze(&tb.stages, &tb.leads, Some("source")).ok();
            prop_assert_eq!(
                serde_json::to_value(&fa).unwrap(),
                serde_json::to_value(&fb).unwrap()
            );
        }
    }
}

/// A stage date blank for longer than the first pass reads, then day-first: detected as
/// it would be had the first pass read the whole file, not reported as unparseable.
#[test]
fn a_date_column_blank_for_its_first_ten_thousand_rows_is_still_detected() {
    let mut text = String::from("lead_id,created_at,mql_at\n");
    for i in 0..10_050 {
        let created = day("2026-10-05") + Duration::days((i % 5) as i64);
        let mql = if i >= 10_040 { "13-10-2026" } else { "" };
        text.push_str(&format!("L{i},{created},{mql}\n"));
    }
    let data = set(&[("leads.csv", text)]);

    let check = check(&data, day("2026-12-31"));

    let kinds: Vec<&str> = check.files[0]
        .problems
        .iter()
        .map(|p| p.kind.as_str())
        .collect();
    assert!(!kinds.contains(&"unparseable"), "{kinds:?}");
    assert!(!kinds.contains(&"ambiguous_dates"), "{kinds:?}");
    assert_eq!(check.files[0].rows, 10_050);
}

#[test]
fn a_sets_check_is_computed_once_per_day_and_again_when_a_file_changes() {
    let mut data = set(&[("leads.csv", leads(None, 16))]);
    let as_of = day("2026-12-31");

    let copy = data.clone();
    let first = data.check(as_of);
    let again = copy.check(as_of);
    // The same report, not a second computation: a clone of an unchanged set shares it.
    assert!(std::ptr::eq(&*first, &*again));
    assert_eq!(*first, check(&data, as_of));
    // Another day is computed for that day.
    assert_eq!(
        *data.check(day("2026-11-30")),
        check(&data, day("2026-11-30"))
    );

    data.insert(
        "leads.csv",
        "leads.csv".into(),
        leads(Some(10), 16).into_bytes(),
    );
    let changed = data.check(as_of);
    assert_eq!(*changed, check(&data, as_of));
    assert!(
        problem(&changed, "leads.csv", "gap").is_some(),
        "{changed:#?}"
    );
}
