//! Working days and holidays, and turning a local wall-clock time into an instant in a
//! zone across daylight-saving changes:
//! - a time that does not exist (the spring-forward gap) is read with the offset in force
//!   before the gap, i.e. moved forward by the gap's length (02:30 → 03:30 in New York);
//! - a time that exists twice (fall-back) is the earlier of the two instants.

use std::collections::BTreeSet;

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Weekday,
};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    pub working_days: Vec<Weekday>,
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for WorkCalendar {
    fn default() -> Self {
        Self {
            working_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            holidays: BTreeSet::new(),
        }
    }
}

impl WorkCalendar {
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        self.working_days.contains(&d.weekday()) && !self.holidays.contains(&d)
    }

    /// The first `n` business days on or after `from`, ascending.
    pub fn days_from(&self, from: NaiveDate, n: usize) -> Vec<NaiveDate> {
        from.iter_days()
            .filter(|d| self.is_business_day(*d))
            .take(n)
            .collect()
    }

    /// The last `n` business days strictly before `before`, ascending.
    pub fn days_before(&self, before: NaiveDate, n: usize) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = before
            .pred_opt()
            .into_iter()
            .flat_map(|d| std::iter::successors(Some(d), |d| d.pred_opt()))
            .filter(|d| self.is_business_day(*d))
            .take(n)
            .collect();
        days.reverse();
        days
    }

    /// The first working day (holiday or not) on or after `d`, at most a week ahead.
    pub fn working_day_on_or_after(&self, d: NaiveDate) -> Option<NaiveDate> {
        d.iter_days()
            .take(7)
            .find(|d| self.working_days.contains(&d.weekday()))
    }
}

/// The instant of local date and time `date time` in `tz` (see the module header).
pub fn resolve_local(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Tz> {
    let naive = NaiveDateTime::new(date, time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(earlier, _) => earlier,
        LocalResult::None => {
            // Gaps are at most a few hours; the offset three hours earlier is the one before it.
            let before = tz
                .from_local_datetime(&(naive - Duration::hours(3)))
                .earliest()
                .map_or_else(
                    || tz.offset_from_utc_datetime(&naive).fix(),
                    |t| t.offset().fix(),
                );
            tz.from_utc_datetime(&(naive - Duration::seconds(i64::from(before.local_minus_utc()))))
        }
    }
}

/// The instant the wall clock in `zone` shows the date and time `at` shows in its own
/// zone: a 09:00 check-in in the team's zone is 09:00 on the same date in an owner's.
/// Each zone's daylight-saving changes apply on their own dates (module header rules).
pub fn same_wall_clock(at: DateTime<Tz>, zone: Tz) -> DateTime<Tz> {
    let local = at.naive_local();
    resolve_local(zone, local.date(), local.time())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn holidays_and_weekends_are_not_business_days() {
        let cal = WorkCalendar {
            holidays: [d("2026-12-25")].into(),
            ..WorkCalendar::default()
        };

        // 2026-12-25 is a Friday, 2026-12-26 a Saturday.
        assert!(!cal.is_business_day(d("2026-12-25")));
        assert!(!cal.is_business_day(d("2026-12-26")));
        // So the five business days before Friday 2027-01-01 skip back over it to Thu 24th.
        let week: Vec<NaiveDate> = [
            "2026-12-24",
            "2026-12-28",
            "2026-12-29",
            "2026-12-30",
            "2026-12-31",
        ]
        .map(d)
        .into();
        assert_eq!(cal.days_before(d("2027-01-01"), 5), week);
    }

    #[test]
    fn a_time_in_the_spring_forward_gap_moves_forward_by_the_gap() {
        // New York springs forward on 2027-03-14 at 02:00 EST to 03:00 EDT.
        let t = resolve_local(
            chrono_tz::America::New_York,
            d("2027-03-14"),
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        );

        assert_eq!(t.to_rfc3339(), "2027-03-14T03:30:00-04:00");
    }

    #[test]
    fn the_same_wall_clock_in_another_zone_follows_that_zones_own_dst_dates() {
        // New York springs forward on 2027-03-14, Berlin on 2027-03-28: in between the
        // two are five hours apart instead of six.
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let berlin = chrono_tz::Europe::Berlin;
        let new_york = chrono_tz::America::New_York;
        let at = |day: &str| {
            same_wall_clock(resolve_local(berlin, d(day), nine), new_york)
                .with_timezone(&chrono::Utc)
                .to_rfc3339()
        };

        // 09:00 EST = 14:00 UTC, 09:00 EDT = 13:00 UTC.
        assert_eq!(at("2027-03-08"), "2027-03-08T14:00:00+00:00");
        assert_eq!(at("2027-03-15"), "2027-03-15T13:00:00+00:00");
        assert_eq!(at("2027-03-29"), "2027-03-29T13:00:00+00:00");
    }

    #[test]
    fn a_time_repeated_at_fall_back_is_the_earlier_instant() {
        // Berlin falls back on 2026-10-25 at 03:00 CEST to 02:00 CET.
        let t = resolve_local(
            chrono_tz::Europe::Berlin,
            d("2026-10-25"),
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        );

        assert_eq!(t.to_rfc3339(), "2026-10-25T02:30:00+02:00");
    }
}
