//! Volume by week: weeks without rows inside a file's span, weeks whose count collapses
//! against the weeks before, and per-channel holes and channels that stop.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

/// The Monday of `day`'s week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Weeks between the first and the last with rows that have none.
pub fn gaps(counts: &BTreeMap<NaiveDate, u64>) -> Vec<NaiveDate> {
    let (Some(first), Some(last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut w = *first;
    while w < *last {
        if !counts.contains_key(&w) {
            out.push(w);
        }
        w += Duration::days(7);
    }
    out
}

/// A week whose count is below half the median of the (up to) eight weeks before it,
/// with at least four weeks before it to compare; the first and the last week of the
/// file are left out (they may be partial). Gap weeks count as zero in the median and
/// are not drops themselves (they are reported as gaps).
pub fn drops(counts: &BTreeMap<NaiveDate, u64>) -> Vec<(NaiveDate, u64, f64)> {
    let (Some(first), Some(last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let mut series = Vec::new();
    let mut w = *first;
    while w <= *last {
        series.push((w, counts.get(&w).copied().unwrap_or(0)));
        w += Duration::days(7);
    }
    let mut out = Vec::new();
    for i in 5..series.len().saturating_sub(1) {
        let mut before: Vec<u64> = series[i.saturating_sub(8).max(1)..i]
            .iter()
            .map(|(_, c)| *c)
            .collect();
        before.sort_unstable();
        let median = if before.len() % 2 == 1 {
            before[before.len() / 2] as f64
        } else {
            (before[before.len() / 2 - 1] + before[before.len() / 2]) as f64 / 2.0
        };
        let (week, count) = series[i];
        if count > 0 && (count as f64) < 0.5 * median {
            out.push((week, count, median));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weeks(counts: &[u64]) -> BTreeMap<NaiveDate, u64> {
        let monday = NaiveDate::from_ymd_opt(2026, 9, 7).unwrap();
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| (monday + Duration::days(7 * i as i64), *c))
            .collect()
    }

    #[test]
    fn a_missing_week_is_a_gap_and_a_collapse_is_a_drop() {
        let c = weeks(&[100, 104, 98, 0, 101, 99, 103, 40, 97, 30]);

        let gaps = gaps(&c);
        let drops = drops(&c);

        assert_eq!(gaps, [NaiveDate::from_ymd_opt(2026, 9, 28).unwrap()]);
        // Week 8 (40 against a median of 100 over weeks 2-7, the gap counting 0) drops;
        // the last week (30) is left out as possibly partial.
        assert_eq!(drops.len(), 1, "{drops:?}");
        assert_eq!(drops[0].0, NaiveDate::from_ymd_opt(2026, 10, 26).unwrap());
        assert_eq!(drops[0].1, 40);
        assert_eq!(
            week_of(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()).to_string(),
            "2026-09-28"
        );
    }
}
