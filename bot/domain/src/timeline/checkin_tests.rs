//! Check-in fire times for schedules other than the weekly Monday default: a daily cron
//! (at most one check-in a day), two fires a day, a fire moved past the quarter's end
//! (dropped), and a six-field cron with seconds. 2027-Q1 in New York with no holidays:
//! kickoff (stage 12, week 4 day 1) is Fri 15 Jan 2027 09:00; weekdays checked with
//! `date`.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn with_cron(cron: &str) -> TimelineSpec {
    TimelineSpec {
        quarter: "2027-Q1".parse().unwrap(),
        fiscal_year_start_month: 1,
        tz: chrono_tz::America::New_York,
        calendar: WorkCalendar::default(),
        slots: default_slots(),
        checkin_cron: cron.into(),
        plan_deadline_time: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    }
}

/// Mon-Fri from `from` to `to`, inclusive.
fn weekdays(from: &str, to: &str) -> Vec<NaiveDate> {
    d(from)
        .iter_days()
        .take_while(|day| *day <= d(to))
        .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

fn dates(t: &Timeline) -> Vec<NaiveDate> {
    t.checkins.iter().map(|c| c.at.date_naive()).collect()
}

#[test]
fn a_daily_cron_gives_one_check_in_per_business_day_after_kickoff() {
    let t = build(&with_cron("0 9 * * *")).unwrap();

    assert_eq!(
        t.stages[11].due.to_rfc3339(),
        "2027-01-15T09:00:00-05:00",
        "kickoff"
    );
    // Saturday's and Sunday's fires move to Monday, which already has its own: one.
    let expected = weekdays("2027-01-18", "2027-03-31");
    assert_eq!(expected.len(), 53);
    assert_eq!(dates(&t), expected);
    assert!(
        t.checkins
            .iter()
            .all(|c| (c.at.hour(), c.at.minute()) == (9, 0))
    );
    let weeks: Vec<u32> = t.checkins.iter().map(|c| c.week).collect();
    assert_eq!(weeks, (1..=53).collect::<Vec<u32>>());
}

#[test]
fn two_fires_on_one_day_make_one_check_in_at_the_first() {
    let t = build(&with_cron("0 9,15 * * Mon-Fri")).unwrap();

    // Kickoff day's 09:00 fire is the kickoff itself (not after it); its 15:00 fire is.
    assert_eq!(t.checkins[0].at.to_rfc3339(), "2027-01-15T15:00:00-05:00");
    assert_eq!(dates(&t)[1..], weekdays("2027-01-18", "2027-03-31"));
    assert!(t.checkins[1..].iter().all(|c| c.at.hour() == 9));
}

#[test]
fn a_check_in_moved_past_the_quarters_end_is_dropped() {
    let mut spec = with_cron("0 9 * * Wed");
    // Wednesday is not a working day: each Wednesday's check-in moves to Thursday, and
    // Wed 31 Mar 2027, the quarter's last day, would move to Thu 1 Apr, the next quarter.
    spec.calendar.working_days = vec![Weekday::Mon, Weekday::Tue, Weekday::Thu, Weekday::Fri];

    let t = build(&spec).unwrap();

    // Four working days a week: weeks 2-4 are 1-8, 11-18 and 19-26 Jan (Fri 1 Jan the
    // first), so kickoff is Tue 19 Jan; the Thursdays 21 Jan to 25 Mar follow it.
    assert_eq!(t.stages[11].due.date_naive(), d("2027-01-19"));
    let thursdays: Vec<NaiveDate> = weekdays("2027-01-20", "2027-03-31")
        .into_iter()
        .filter(|day| day.weekday() == Weekday::Thu)
        .collect();
    assert_eq!(thursdays.len(), 10);
    assert_eq!(dates(&t), thursdays, "the last is Thu 25 Mar");
}

#[test]
fn a_six_field_cron_reads_seconds_first() {
    let six = build(&with_cron("30 15 9 * * Mon")).unwrap();
    let five = build(&with_cron("15 9 * * Mon")).unwrap();

    assert_eq!(six.checkins.len(), 11, "Mondays 18 Jan to 29 Mar");
    assert_eq!(six.checkins[0].at.to_rfc3339(), "2027-01-18T09:15:30-05:00");
    // After the DST change on 14 Mar the local time stays 09:15:30.
    assert_eq!(
        six.checkins[10].at.to_rfc3339(),
        "2027-03-29T09:15:30-04:00"
    );
    assert!(
        six.checkins
            .iter()
            .all(|c| (c.at.hour(), c.at.minute(), c.at.second()) == (9, 15, 30))
    );
    assert_eq!(dates(&six), dates(&five));
    assert!(five.checkins.iter().all(|c| c.at.second() == 0));
}
