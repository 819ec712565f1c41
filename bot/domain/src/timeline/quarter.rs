//! Quarters of a calendar or fiscal year. A fiscal year is named by the calendar year in
//! which it ends (the usual US convention): with a fiscal year starting in October,
//! FY2027 runs 2026-10-01 to 2027-09-30, so 2027-Q1 is October to December 2026. With
//! the start month 1 fiscal and calendar quarters coincide.

use std::fmt;
use std::str::FromStr;

use chrono::{Months, NaiveDate};

use super::TimelineError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// The fiscal year (named by the calendar year in which it ends).
    pub year: i32,
    /// 1 to 4.
    pub number: u8,
}

impl Quarter {
    pub fn new(year: i32, number: u8) -> Option<Self> {
        ((1..=4).contains(&number) && (1..=9998).contains(&year)).then_some(Self { year, number })
    }

    /// First day of the quarter when the fiscal year starts in `fiscal_start_month`.
    pub fn starts(&self, fiscal_start_month: u32) -> NaiveDate {
        let m = fiscal_start_month.clamp(1, 12);
        let fy_start_year = if m == 1 { self.year } else { self.year - 1 };
        let fy_start = NaiveDate::from_ymd_opt(fy_start_year, m, 1).unwrap_or(NaiveDate::MIN);
        fy_start
            .checked_add_months(Months::new(3 * u32::from(self.number - 1)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Last day of the quarter (inclusive).
    pub fn ends(&self, fiscal_start_month: u32) -> NaiveDate {
        self.next()
            .starts(fiscal_start_month)
            .pred_opt()
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn prior(&self) -> Self {
        if self.number == 1 {
            Self {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Self {
                year: self.year,
                number: self.number - 1,
            }
        }
    }

    pub fn next(&self) -> Self {
        if self.number == 4 {
            Self {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Self {
                year: self.year,
                number: self.number + 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

impl FromStr for Quarter {
    type Err = TimelineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || TimelineError::InvalidQuarter(s.to_owned());
        let (year, q) = s.trim().split_once(['-']).ok_or_else(bad)?;
        let q = q.strip_prefix(['Q', 'q']).ok_or_else(bad)?;
        if year.len() != 4 || q.len() != 1 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let number: u8 = q.parse().map_err(|_| bad())?;
        Self::new(year, number).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quarters_parse_and_print_and_bad_ones_are_refused() {
        assert_eq!(
            "2027-Q1".parse::<Quarter>().unwrap(),
            Quarter {
                year: 2027,
                number: 1
            }
        );
        assert_eq!("2027-q4".parse::<Quarter>().unwrap().to_string(), "2027-Q4");
        for bad in ["2027-Q5", "27-Q1", "2027Q1", "2027-Q0", "", "2027-Q12"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }

    #[test]
    fn calendar_quarters_cover_the_calendar_year() {
        let q = |n| Quarter {
            year: 2027,
            number: n,
        };
        assert_eq!(
            (q(1).starts(1), q(1).ends(1)),
            (d("2027-01-01"), d("2027-03-31"))
        );
        assert_eq!(
            (q(4).starts(1), q(4).ends(1)),
            (d("2027-10-01"), d("2027-12-31"))
        );
    }

    #[test]
    fn fiscal_years_are_named_by_the_year_they_end_in() {
        let q1 = Quarter {
            year: 2027,
            number: 1,
        };
        // October start: FY2027 = 2026-10-01 .. 2027-09-30.
        assert_eq!(
            (q1.starts(10), q1.ends(10)),
            (d("2026-10-01"), d("2026-12-31"))
        );
        assert_eq!(
            Quarter {
                year: 2027,
                number: 4
            }
            .ends(10),
            d("2027-09-30")
        );
        // July start: 2027-Q1 = July to September 2026.
        assert_eq!(
            (q1.starts(7), q1.ends(7)),
            (d("2026-07-01"), d("2026-09-30"))
        );
        // February start: FY2027 = 2026-02-01 .. 2027-01-31.
        assert_eq!(
            (q1.starts(2), q1.ends(2)),
            (d("2026-02-01"), d("2026-04-30"))
        );
        assert_eq!(
            Quarter {
                year: 2027,
                number: 4
            }
            .ends(2),
            d("2027-01-31")
        );
    }

    #[test]
    fn prior_and_next_cross_year_boundaries() {
        let q = Quarter {
            year: 2027,
            number: 1,
        };
        assert_eq!(
            q.prior(),
            Quarter {
                year: 2026,
                number: 4
            }
        );
        assert_eq!(q.prior().next(), q);
        assert_eq!(
            Quarter {
                year: 2026,
                number: 4
            }
            .next(),
            q
        );
    }
}
