//! The four-week planning timeline of a quarter, in the team's time zone. Weeks are
//! counted in business days (working days minus holidays): week 1 is the last five
//! business days before the quarter starts, weeks 2, 3 and 4 the next three runs of five
//! business days from its first day. Each stage is due on a business day of its week at a
//! local time; weekly check-ins follow a cron expression in the same zone from kickoff to
//! the quarter's end, so 09:00 stays 09:00 across DST (one on a holiday is marked so). The plan is due at the end of
//! week 3 ("complete two weeks into the quarter"). Pure: no clock, no I/O.

mod calendar;
mod checkins;
mod quarter;
mod render;

use chrono::{DateTime, NaiveDate, NaiveTime};
use chrono_tz::Tz;

pub use calendar::{WorkCalendar, resolve_local, same_wall_clock};
pub use checkins::parse_cron;
pub use quarter::Quarter;

/// Business days per planning week.
pub const WEEK_DAYS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    #[error("expected a quarter like 2027-Q1 (year, dash, Q1-Q4), found {0:?}")]
    InvalidQuarter(String),
    #[error("expected an IANA time zone such as America/New_York, found {0:?}")]
    InvalidTimeZone(String),
    #[error(
        "cron expression {expr:?}: {reason}; expected five-field Unix cron (min hour day month weekday) or six fields with seconds first"
    )]
    InvalidCron { expr: String, reason: String },
    #[error("expected a fiscal year start month 1-12, found {0}")]
    InvalidFiscalStartMonth(u32),
    #[error("stage slot for stage {stage}: {reason}")]
    InvalidSlot { stage: u8, reason: String },
    #[error("stage {later} is due before stage {earlier}; slots must follow the stage order")]
    SlotsOutOfOrder { earlier: u8, later: u8 },
    #[error("the calendar has no working days")]
    NoWorkingDays,
    #[error("{0}")]
    Checkins(String),
}

/// When a stage is due: business day `day` (1-5) of planning week `week` (1-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageSlot {
    pub stage: u8,
    pub week: u8,
    pub day: u8,
    pub time: NaiveTime,
}

/// The planning week each stage belongs to.
pub fn stage_week(stage: u8) -> u8 {
    match stage {
        1..=5 => 1,
        6..=9 => 2,
        10 | 11 => 3,
        _ => 4,
    }
}

/// Stage 1-5 on days 1-5 of week 1, 6-9 on days 1-4 of week 2, 10 and 11 on days 1
/// and 2 of week 3, 12 on day 1 of week 4; all at 09:00.
pub fn default_slots() -> Vec<StageSlot> {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN);
    let day_of = |s: u8| match s {
        1..=5 => s,
        6..=9 => s - 5,
        10 | 11 => s - 9,
        _ => 1,
    };
    (1..=12)
        .map(|s| StageSlot {
            stage: s,
            week: stage_week(s),
            day: day_of(s),
            time: nine,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineSpec {
    pub quarter: Quarter,
    pub fiscal_year_start_month: u32,
    pub tz: Tz,
    pub calendar: WorkCalendar,
    pub slots: Vec<StageSlot>,
    pub checkin_cron: String,
    pub plan_deadline_time: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub quarter: Quarter,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub tz: Tz,
    /// The business days of planning weeks 1-4.
    pub weeks: [Vec<NaiveDate>; 4],
    pub stages: Vec<StageDue>,
    pub checkins: Vec<CheckinDue>,
    pub plan_deadline: DateTime<Tz>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageDue {
    pub number: u8,
    pub name: &'static str,
    pub week: u8,
    pub due: DateTime<Tz>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinDue {
    /// 1-based ordinal of the check-in.
    pub week: u32,
    pub at: DateTime<Tz>,
    /// It falls on one of the team's holidays: every owner is excused that week.
    pub holiday: bool,
}

pub fn parse_tz(s: &str) -> Result<Tz, TimelineError> {
    s.trim()
        .parse::<Tz>()
        .map_err(|_| TimelineError::InvalidTimeZone(s.to_owned()))
}

/// Builds the timeline; every slot is validated.
pub fn build(spec: &TimelineSpec) -> Result<Timeline, TimelineError> {
    let m = spec.fiscal_year_start_month;
    if !(1..=12).contains(&m) {
        return Err(TimelineError::InvalidFiscalStartMonth(m));
    }
    if spec.calendar.working_days.is_empty() {
        return Err(TimelineError::NoWorkingDays);
    }
    let starts = spec.quarter.starts(m);
    let ends = spec.quarter.ends(m);
    let cal = &spec.calendar;
    let week1 = cal.days_before(starts, WEEK_DAYS);
    let rest = cal.days_from(starts, 3 * WEEK_DAYS);
    let weeks = [
        week1,
        rest[..WEEK_DAYS.min(rest.len())].to_vec(),
        rest.get(WEEK_DAYS..2 * WEEK_DAYS)
            .unwrap_or_default()
            .to_vec(),
        rest.get(2 * WEEK_DAYS..).unwrap_or_default().to_vec(),
    ];
    let stages = stage_dues(spec, &weeks)?;
    let deadline_day = weeks[2].last().copied().unwrap_or(starts);
    let plan_deadline = resolve_local(spec.tz, deadline_day, spec.plan_deadline_time);
    let kickoff = stages
        .last()
        .map(|s| s.due)
        .ok_or(TimelineError::InvalidSlot {
            stage: 12,
            reason: "missing".into(),
        })?;
    let checkins = checkins::schedule(spec, kickoff, ends)?;
    Ok(Timeline {
        quarter: spec.quarter,
        starts,
        ends,
        tz: spec.tz,
        weeks,
        stages,
        checkins,
        plan_deadline,
    })
}

fn stage_dues(
    spec: &TimelineSpec,
    weeks: &[Vec<NaiveDate>; 4],
) -> Result<Vec<StageDue>, TimelineError> {
    let mut out: Vec<StageDue> = Vec::with_capacity(12);
    for stage in 1..=12u8 {
        let bad = |reason: String| TimelineError::InvalidSlot { stage, reason };
        let mut matching = spec.slots.iter().filter(|s| s.stage == stage);
        let slot = matching
            .next()
            .ok_or_else(|| bad("no slot is configured".into()))?;
        if matching.next().is_some() {
            return Err(bad("configured twice".into()));
        }
        if slot.week != stage_week(stage) {
            return Err(bad(format!(
                "expected week {} (the stage's planning week), found week {}",
                stage_week(stage),
                slot.week
            )));
        }
        if !(1..=WEEK_DAYS as u8).contains(&slot.day) {
            return Err(bad(format!(
                "expected business day 1-{WEEK_DAYS}, found {}",
                slot.day
            )));
        }
        let day = weeks[usize::from(slot.week - 1)]
            .get(usize::from(slot.day - 1))
            .copied()
            .ok_or_else(|| {
                bad("the calendar has too few business days around this quarter".into())
            })?;
        let due = resolve_local(spec.tz, day, slot.time);
        if let Some(prev) = out.last()
            && due < prev.due
        {
            return Err(TimelineError::SlotsOutOfOrder {
                earlier: prev.number,
                later: stage,
            });
        }
        out.push(StageDue {
            number: stage,
            name: crate::StageId::from_number(stage).map_or("?", crate::StageId::name),
            week: slot.week,
            due,
        });
    }
    if let Some(extra) = spec.slots.iter().find(|s| !(1..=12).contains(&s.stage)) {
        return Err(TimelineError::InvalidSlot {
            stage: extra.stage,
            reason: "stages are numbered 1 to 12".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod checkin_tests;
