//! Weekly check-ins: fire times of a cron expression on the team's wall clock, strictly
//! after kickoff and up to the end of the quarter's last day. The expression is evaluated
//! on local (naive) time and each fire is then placed in the zone by the same rule as
//! stage slots, so a 02:30 check-in on a spring-forward day happens at 03:30 instead of
//! vanishing, and a fall-back hour never fires twice. A fire time on a day that is not a
//! working day (a weekend) moves to the next working day at the same local time (dropped
//! if that leaves the quarter); at most one check-in per local date. A check-in that
//! falls on a holiday stays on it, marked `holiday`: that week nobody is prompted and
//! every owner is excused (moving it would ask for the week's numbers a day late and
//! crowd the next week's).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

use super::{CheckinDue, TimelineError, TimelineSpec, resolve_local};

/// More raw fire times than this in one quarter means the expression is not a weekly
/// (or daily) schedule.
const MAX_FIRES: usize = 5_000;

/// Parses a five-field Unix cron (seconds `0` prepended) or a six/seven-field one.
pub fn parse_cron(expr: &str) -> Result<cron::Schedule, TimelineError> {
    let fields = expr.split_whitespace().count();
    let full = match fields {
        5 => format!("0 {}", expr.trim()),
        6 | 7 => expr.trim().to_owned(),
        n => {
            return Err(TimelineError::InvalidCron {
                expr: expr.to_owned(),
                reason: format!("it has {n} fields"),
            });
        }
    };
    cron::Schedule::from_str(&full).map_err(|e| TimelineError::InvalidCron {
        expr: expr.to_owned(),
        reason: e.to_string(),
    })
}

pub fn schedule(
    spec: &TimelineSpec,
    kickoff: DateTime<Tz>,
    ends: NaiveDate,
) -> Result<Vec<CheckinDue>, TimelineError> {
    let schedule = parse_cron(&spec.checkin_cron)?;
    let mut out: Vec<CheckinDue> = Vec::new();
    // The local wall clock as if it were UTC: cron then sees every local minute once.
    let wall = kickoff.naive_local().and_utc();
    for (i, fire) in schedule.after(&wall).enumerate() {
        if i >= MAX_FIRES {
            return Err(TimelineError::Checkins(format!(
                "check-in cron {:?} fires more than {MAX_FIRES} times in a quarter; expected a weekly schedule",
                spec.checkin_cron
            )));
        }
        let date = fire.date_naive();
        if date > ends {
            break;
        }
        let Some(day) = spec.calendar.working_day_on_or_after(date) else {
            continue;
        };
        if day > ends {
            continue;
        }
        let at = resolve_local(spec.tz, day, fire.time());
        if at <= kickoff || out.last().is_some_and(|c| c.at.date_naive() >= day) {
            continue;
        }
        out.push(CheckinDue {
            week: u32::try_from(out.len()).unwrap_or(u32::MAX) + 1,
            at,
            holiday: spec.calendar.holidays.contains(&day),
        });
    }
    Ok(out)
}
