//! TEMPORARY compile stub; replaced by the real timeline module.
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeSet;
pub const STAGE_NAMES: [&str; 12] = [
    "Performance review",
    "Funnel health",
    "Content & SEO",
    "Lead quality & scoring",
    "Market & competitive landscape",
    "Budget allocation",
    "Goals & KPIs",
    "Campaign calendar & testing roadmap",
    "Content production plan",
    "Quarterly plan document",
    "Stakeholder approval",
    "Execution kickoff",
];
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub number: u8,
}
impl std::str::FromStr for Quarter {
    type Err = TimelineError;
    fn from_str(s: &str) -> Result<Self, TimelineError> {
        let (y, q) = s
            .split_once("-Q")
            .ok_or(TimelineError::InvalidQuarter(s.into()))?;
        Ok(Quarter {
            year: y
                .parse()
                .map_err(|_| TimelineError::InvalidQuarter(s.into()))?,
            number: q
                .parse()
                .map_err(|_| TimelineError::InvalidQuarter(s.into()))?,
        })
    }
}
impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    pub working_days: Vec<Weekday>,
    pub holidays: BTreeSet<NaiveDate>,
}
#[derive(Debug, Clone)]
pub struct StageSlot {
    pub stage: u8,
    pub week: u8,
    pub day: u8,
    pub time: NaiveTime,
}
#[derive(Debug, Clone)]
pub struct TimelineSpec {
    pub quarter: Quarter,
    pub fiscal_year_start_month: u32,
    pub tz: Tz,
    pub calendar: WorkCalendar,
    pub slots: Vec<StageSlot>,
    pub checkin_cron: String,
    pub plan_deadline_time: NaiveTime,
}
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    #[error("bad quarter {0}")]
    InvalidQuarter(String),
    #[error("bad tz {0}, expected an IANA time zone")]
    InvalidTimeZone(String),
    #[error("bad cron {0}")]
    InvalidCron(String),
}
pub struct StageDue {
    pub number: u8,
    pub name: &'static str,
    pub week: u8,
    pub due: DateTime<Tz>,
}
pub struct CheckinDue {
    pub week: u32,
    pub at: DateTime<Tz>,
}
pub struct Timeline {
    pub quarter: Quarter,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub tz: Tz,
    pub stages: Vec<StageDue>,
    pub checkins: Vec<CheckinDue>,
    pub plan_deadline: DateTime<Tz>,
}
impl Timeline {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({})
    }
    pub fn render_table(&self) -> String {
        String::new()
    }
}
pub fn parse_tz(s: &str) -> Result<Tz, TimelineError> {
    s.parse()
        .map_err(|_| TimelineError::InvalidTimeZone(s.into()))
}
pub fn parse_cron(s: &str) -> Result<cron::Schedule, TimelineError> {
    let e = if s.split_whitespace().count() == 5 {
        format!("0 {s}")
    } else {
        s.to_owned()
    };
    e.parse().map_err(|_| TimelineError::InvalidCron(s.into()))
}
pub fn build(spec: &TimelineSpec) -> Result<Timeline, TimelineError> {
    let starts = NaiveDate::from_ymd_opt(
        spec.quarter.year,
        (spec.quarter.number as u32 - 1) * 3 + 1,
        1,
    )
    .unwrap();
    let ends =
        NaiveDate::from_ymd_opt(spec.quarter.year, (spec.quarter.number as u32) * 3, 28).unwrap();
    let at = |d: NaiveDate| {
        spec.tz
            .from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap())
            .earliest()
            .unwrap()
    };
    let stages = (1..=12u8)
        .map(|n| StageDue {
            number: n,
            name: STAGE_NAMES[n as usize - 1],
            week: 1,
            due: at(starts - chrono::Duration::days(7) + chrono::Duration::days(n as i64 * 2)),
        })
        .collect();
    let mut checkins = Vec::new();
    let mut d = starts + chrono::Duration::days(28);
    let mut w = 1;
    while d <= ends {
        if d.weekday() == Weekday::Mon {
            checkins.push(CheckinDue { week: w, at: at(d) });
            w += 1;
        }
        d = d.succ_opt().unwrap();
    }
    Ok(Timeline {
        quarter: spec.quarter,
        starts,
        ends,
        tz: spec.tz,
        stages,
        checkins,
        plan_deadline: at(starts + chrono::Duration::days(14)),
    })
}
impl Quarter {
    pub fn prior(&self) -> Quarter {
        if self.number == 1 {
            Quarter {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number - 1,
            }
        }
    }
    pub fn starts(&self, _m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.number as u32 - 1) * 3 + 1, 1).unwrap()
    }
    pub fn ends(&self, _m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.number as u32) * 3, 28).unwrap()
    }
}
