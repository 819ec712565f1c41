//! Timelines checked against dates worked out by hand (weekdays confirmed with `date`).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn spec(quarter: &str, tz: Tz) -> TimelineSpec {
    TimelineSpec {
        quarter: quarter.parse().unwrap(),
        fiscal_year_start_month: 1,
        tz,
        calendar: WorkCalendar::default(),
        slots: default_slots(),
        checkin_cron: "0 9 * * Mon".into(),
        plan_deadline_time: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    }
}

fn utc(t: &chrono::DateTime<Tz>) -> String {
    t.with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[test]
fn new_york_2027_q1_with_year_end_holidays() {
    let mut s = spec("2027-Q1", chrono_tz::America::New_York);
    s.calendar.holidays = BTreeSet::from([
        d("2026-12-24"),
        d("2026-12-25"),
        d("2026-12-31"),
        d("2027-01-01"),
    ]);

    let t = build(&s).unwrap();

    // 2027-01-01 is a Friday. Before it, skipping 31, 25 and 24 Dec: 22, 23, 28, 29, 30 Dec.
    assert_eq!(
        t.weeks[0],
        [
            "2026-12-22",
            "2026-12-23",
            "2026-12-28",
            "2026-12-29",
            "2026-12-30"
        ]
        .map(d)
    );
    // From it, skipping 1 Jan: Mon 4 to Fri 8, then 11-15, then 18-22 Jan.
    assert_eq!(
        t.weeks[1],
        [
            "2027-01-04",
            "2027-01-05",
            "2027-01-06",
            "2027-01-07",
            "2027-01-08"
        ]
        .map(d)
    );
    assert_eq!(t.weeks[3][0], d("2027-01-18"));
    // Stage 1 at 09:00 EST (UTC-5) on Tue 22 Dec; stage 11 on day 2 of week 3 (Tue 12 Jan).
    assert_eq!(utc(&t.stages[0].due), "2026-12-22T14:00");
    assert_eq!(t.stages[10].due.date_naive(), d("2027-01-12"));
    assert_eq!(t.stages[11].due.date_naive(), d("2027-01-18"));
    // Plan deadline: the last business day of week 3, Fri 15 Jan, 17:00 EST.
    assert_eq!(utc(&t.plan_deadline), "2027-01-15T22:00");
    // Check-ins: the Mondays after kickoff (18 Jan 09:00) to 31 Mar: 25 Jan .. 29 Mar.
    assert_eq!(t.checkins.len(), 10);
    assert_eq!(t.checkins[0].at.date_naive(), d("2027-01-25"));
    assert_eq!(t.checkins[9].at.date_naive(), d("2027-03-29"));
}

#[test]
fn new_york_check_ins_stay_at_nine_across_spring_forward() {
    let t = build(&spec("2027-Q1", chrono_tz::America::New_York)).unwrap();

    // DST starts Sun 14 Mar 2027: Mon 8 Mar is EST (UTC-5), Mon 15 Mar is EDT (UTC-4).
    let by_date = |s: &str| {
        t.checkins
            .iter()
            .find(|c| c.at.date_naive() == d(s))
            .unwrap()
    };
    assert_eq!(utc(&by_date("2027-03-08").at), "2027-03-08T14:00");
    assert_eq!(utc(&by_date("2027-03-15").at), "2027-03-15T13:00");
    assert!(
        t.checkins
            .iter()
            .all(|c| c.at.hour() == 9 && c.at.weekday() == Weekday::Mon)
    );
}

#[test]
fn berlin_check_ins_stay_at_nine_across_spring_forward_and_fall_back() {
    let spring = build(&spec("2027-Q1", chrono_tz::Europe::Berlin)).unwrap();
    let autumn = build(&spec("2026-Q4", chrono_tz::Europe::Berlin)).unwrap();

    // Berlin springs forward Sun 28 Mar 2027 (CET+1 -> CEST+2).
    let at = |t: &Timeline, s: &str| {
        utc(&t
            .checkins
            .iter()
            .find(|c| c.at.date_naive() == d(s))
            .unwrap()
            .at)
    };
    assert_eq!(at(&spring, "2027-03-22"), "2027-03-22T08:00");
    assert_eq!(at(&spring, "2027-03-29"), "2027-03-29T07:00");
    // ... and falls back Sun 25 Oct 2026 (CEST -> CET).
    assert_eq!(at(&autumn, "2026-10-19"), "2026-10-19T07:00");
    assert_eq!(at(&autumn, "2026-10-26"), "2026-10-26T08:00");
    // 2026-Q4 starts Thu 1 Oct: week 4 = Thu 15 Oct onward, so kickoff is Thu 15 Oct.
    assert_eq!(autumn.stages[11].due.date_naive(), d("2026-10-15"));
}

#[test]
fn a_check_in_in_the_spring_forward_gap_moves_forward_by_the_gap() {
    let mut s = spec("2027-Q1", chrono_tz::America::New_York);
    s.calendar.working_days = vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    s.checkin_cron = "30 2 * * Sun".into();

    let t = build(&s).unwrap();

    // 02:30 does not exist on Sun 14 Mar 2027; it becomes 03:30 EDT (07:30 UTC).
    let c = t
        .checkins
        .iter()
        .find(|c| c.at.date_naive() == d("2027-03-14"))
        .unwrap();
    assert_eq!(c.at.to_rfc3339(), "2027-03-14T03:30:00-04:00");
}

#[test]
fn a_check_in_on_a_holiday_stays_on_it_marked_as_a_holiday() {
    let mut s = spec("2027-Q1", chrono_tz::America::New_York);
    s.calendar.holidays = BTreeSet::from([d("2027-02-15")]);

    let t = build(&s).unwrap();

    // Mon 15 Feb is a holiday: that week's check-in stays there (everyone excused); the
    // other ten Mondays (18 Jan to 29 Mar, after kickoff on Fri 15 Jan) are ordinary, and
    // nothing moves to Tue 16 Feb.
    let on_holiday: Vec<_> = t.checkins.iter().filter(|c| c.holiday).collect();
    assert_eq!(on_holiday.len(), 1);
    assert_eq!(on_holiday[0].at.date_naive(), d("2027-02-15"));
    assert_eq!(
        on_holiday[0].week, 5,
        "18 Jan, 25 Jan, 1 Feb, 8 Feb, 15 Feb"
    );
    assert_eq!(t.checkins.len(), 11);
    assert!(
        !t.checkins
            .iter()
            .any(|c| c.at.date_naive() == d("2027-02-16"))
    );
}

#[test]
fn a_fiscal_quarter_uses_its_own_dates() {
    let mut s = spec("2027-Q1", chrono_tz::America::Los_Angeles);
    s.fiscal_year_start_month = 10;

    let t = build(&s).unwrap();

    // FY2027 starts 2026-10-01 (a Thursday): week 1 is Thu 24 Sep .. Wed 30 Sep.
    assert_eq!((t.starts, t.ends), (d("2026-10-01"), d("2026-12-31")));
    assert_eq!(t.weeks[0][0], d("2026-09-24"));
    assert_eq!(t.stages[0].due.to_rfc3339(), "2026-09-24T09:00:00-07:00");
}

#[test]
fn bad_slots_are_refused_naming_the_stage() {
    let mut s = spec("2027-Q1", chrono_tz::UTC);
    s.slots[5].week = 3;
    assert!(matches!(
        build(&s),
        Err(TimelineError::InvalidSlot { stage: 6, .. })
    ));

    let mut s = spec("2027-Q1", chrono_tz::UTC);
    s.slots[2].day = 6;
    assert!(matches!(
        build(&s),
        Err(TimelineError::InvalidSlot { stage: 3, .. })
    ));

    let mut s = spec("2027-Q1", chrono_tz::UTC);
    s.slots.remove(7);
    assert!(matches!(
        build(&s),
        Err(TimelineError::InvalidSlot { stage: 8, .. })
    ));

    let mut s = spec("2027-Q1", chrono_tz::UTC);
    s.slots[1].day = 1; // stage 2 on day 1 at 09:00 is fine (same time as stage 1) ...
    s.slots[1].time = NaiveTime::from_hms_opt(8, 0, 0).unwrap(); // ... but not before it
    assert_eq!(
        build(&s),
        Err(TimelineError::SlotsOutOfOrder {
            earlier: 1,
            later: 2
        })
    );
}

#[test]
fn bad_cron_time_zone_and_fiscal_month_are_refused() {
    let mut s = spec("2027-Q1", chrono_tz::UTC);
    s.checkin_cron = "61 9 * * Mon".into();
    assert!(build(&s).unwrap_err().to_string().contains("61 9 * * Mon"));
    assert!(parse_cron("every monday").is_err());
    assert!(parse_cron("0 0 9 * * Mon").is_ok());
    assert!(
        parse_tz("Mars/Olympus")
            .unwrap_err()
            .to_string()
            .contains("IANA")
    );
    let mut s = spec("2027-Q1", chrono_tz::UTC);
    s.fiscal_year_start_month = 13;
    assert_eq!(build(&s), Err(TimelineError::InvalidFiscalStartMonth(13)));
}

#[test]
fn json_has_exactly_the_contract_keys_and_formats() {
    let t = build(&spec("2027-Q1", chrono_tz::America::New_York)).unwrap();

    let v = t.to_json();

    let keys = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    };
    let set = |ks: &[&str]| -> BTreeSet<String> { ks.iter().map(|k| (*k).to_owned()).collect() };
    // The contract's keys, plus the one documented addition (`plan_deadline_utc`).
    assert_eq!(
        keys(&v),
        set(&[
            "quarter",
            "starts",
            "ends",
            "tz",
            "stages",
            "checkins",
            "plan_deadline_local",
            "plan_deadline_utc",
        ])
    );
    for s in v["stages"].as_array().unwrap() {
        assert_eq!(
            keys(s),
            set(&["number", "name", "week", "due_local", "due_utc"])
        );
    }
    for c in v["checkins"].as_array().unwrap() {
        assert_eq!(keys(c), set(&["week", "at_local", "at_utc"]));
    }
    let s0 = &v["stages"][0];
    // No holidays configured: week 1 = Fri 25 Dec and Mon 28 - Thu 31 Dec.
    assert_eq!(s0["due_local"], "2026-12-25T09:00:00-05:00");
    assert_eq!(s0["due_utc"], "2026-12-25T14:00:00Z");
    assert_eq!(s0["week"], 1);
    assert_eq!(v["checkins"][0]["week"], 1);
    assert_eq!(v["tz"], "America/New_York");
}

const ZONES: [Tz; 8] = [
    chrono_tz::America::New_York,
    chrono_tz::Europe::Berlin,
    chrono_tz::Australia::Sydney,
    chrono_tz::Asia::Kolkata,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::Pacific::Auckland,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::America::Santiago,
];

proptest! {
    #[test]
    fn every_check_in_is_nine_local_on_a_business_day_once_per_date_in_order(
        zone in 0usize..ZONES.len(), year in 2020i32..2036, q in 1u8..=4, fiscal in 1u32..=12,
    ) {
        let mut s = spec(&format!("{year}-Q{q}"), ZONES[zone]);
        s.fiscal_year_start_month = fiscal;

        let t = build(&s).unwrap();

        prop_assert!(!t.checkins.is_empty());
        for c in &t.checkins {
            prop_assert_eq!((c.at.hour(), c.at.minute()), (9, 0));
            prop_assert!(s.calendar.is_business_day(c.at.date_naive()));
            prop_assert!(c.at.date_naive() <= t.ends && c.at > t.stages[11].due);
        }
        prop_assert!(t.checkins.windows(2).all(|w| w[0].at.date_naive() < w[1].at.date_naive()));
        prop_assert!(t.stages.windows(2).all(|w| w[0].due <= w[1].due));
    }
}
