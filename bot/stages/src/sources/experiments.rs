//! `experiments.csv`: finished lift tests (geo or time holdouts) and what they measured,
//! one row per test:
//!
//! ```csv
//! channel,period,incremental_roas,roas_low,roas_high,level
//! display,2026-Q3,1.15,0.85,1.45,0.9
//! ```
//!
//! - `channel`: as in `weekly_media.csv`; `period`: when the test ran (free text,
//!   quoted in posts).
//! - `incremental_roas` (aliases `roas`, `lift_roas`): incremental revenue per money
//!   unit spent, as the holdout measured it; `roas_low`/`roas_high` (aliases `low`,
//!   `high`): its interval, `low ≤ roas ≤ high`, not both equal.
//! - `level` (optional, default 0.9): the interval's coverage, in (0, 1).
//!
//! Stage 6 uses each row as evidence on the channel's ROAS
//! (`analyses::mmm::calibrate`); the testing roadmap's finished holdouts are meant to
//! be added here, so next quarter's curves start from what they found.

use quarterdeck_analyses::mmm::calibrate::RoasEvidence;

use super::{CsvTable, InputError};

/// Default coverage of a lift test's interval.
pub const DEFAULT_LEVEL: f64 = 0.9;

/// One finished test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LiftTest {
    pub channel: String,
    pub period: String,
    pub roas: f64,
    pub low: f64,
    pub high: f64,
    pub level: f64,
}

impl LiftTest {
    pub fn evidence(&self) -> RoasEvidence {
        RoasEvidence::lift_test(
            &self.channel,
            &self.period,
            self.roas,
            self.low,
            self.high,
            self.level,
        )
    }
}

pub fn read_experiments(t: &CsvTable) -> Result<Vec<LiftTest>, InputError> {
    let channel = t.require("channel", &[])?;
    let period = t.require("period", &["quarter", "date"])?;
    let roas = t.require("incremental_roas", &["roas", "lift_roas"])?;
    let low = t.require("roas_low", &["low"])?;
    let high = t.require("roas_high", &["high"])?;
    let level = t.find("level", &["confidence"]);
    let mut out = Vec::new();
    for r in t.rows() {
        let (value, lo, hi) = (r.amount(roas)?, r.amount(low)?, r.amount(high)?);
        if lo > value {
            return Err(r.invalid(low, &format!("a number at most incremental_roas ({value})")));
        }
        if hi < value || hi <= lo {
            return Err(r.invalid(
                high,
                &format!("a number at least incremental_roas ({value}) and above roas_low ({lo})"),
            ));
        }
        let level = match level {
            Some(c) => match r.opt_number(c)? {
                Some(v) if v > 0.0 && v < 1.0 => v,
                Some(_) => return Err(r.invalid(c, "a coverage between 0 and 1 such as 0.9")),
                None => DEFAULT_LEVEL,
            },
            None => DEFAULT_LEVEL,
        };
        out.push(LiftTest {
            channel: r.text(channel)?.trim().to_owned(),
            period: r.str(period).trim().to_owned(),
            roas: value,
            low: lo,
            high: hi,
            level,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<LiftTest>, InputError> {
        read_experiments(&CsvTable::parse("data/experiments.csv", text.as_bytes()).unwrap())
    }

    #[test]
    fn rows_become_lift_tests_with_a_default_level() {
        let got = read("channel,period,roas,low,high\ndisplay,2026-Q3,1.15,0.85,1.45\n").unwrap();
        assert_eq!(
            got,
            [LiftTest {
                channel: "display".into(),
                period: "2026-Q3".into(),
                roas: 1.15,
                low: 0.85,
                high: 1.45,
                level: 0.9
            }]
        );
    }

    #[test]
    fn an_interval_that_does_not_hold_the_estimate_names_row_and_column() {
        let e = read(
            "channel,period,incremental_roas,roas_low,roas_high,level\n\
             email,2026-Q3,4,3,5,0.8\ndisplay,2026-Q3,1.2,1.4,2,0.9\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("data/experiments.csv, row 3, column `roas_low`"),
            "{e}"
        );
        let e = read("channel,period,roas,low,high,level\nemail,Q3,4,3,5,90\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 2, column `level`") && e.contains("\"90\""),
            "{e}"
        );
    }
}
