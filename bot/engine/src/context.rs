//! The fixed facts a decision needs about a run's team: channels, roles, stakeholder
//! groups and the timeline's check-in times. Built once from the settings.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::settings::{ChannelSettings, PeopleSettings, RoleSettings, StakeholderGroup, TeamPlan};
use crate::timeline::Timeline;

#[derive(Debug, Clone)]
pub struct PlanContext {
    pub team: String,
    pub quarter: String,
    /// First day of the planned quarter.
    pub quarter_start: NaiveDate,
    /// Last day of the planned quarter.
    pub quarter_end: NaiveDate,
    /// First day of the quarter under review (the one before the planned quarter).
    pub review_start: NaiveDate,
    pub tz: Tz,
    pub channels: ChannelSettings,
    pub roles: RoleSettings,
    pub stakeholders: Vec<StakeholderGroup>,
    /// Stage due times, stage 1 first.
    pub stage_due: Vec<DateTime<Utc>>,
    /// Weekly check-in times; week n is element n-1.
    pub checkins: Vec<DateTime<Utc>>,
    /// The check-in weeks that fall on one of the team's holidays: everyone excused.
    pub holiday_checkins: Vec<u32>,
    pub checkin_window: Duration,
    pub plan_deadline: DateTime<Utc>,
    /// People by chat id, approval order and rules, pacing thresholds.
    pub people: PeopleSettings,
    /// How posts name channels, statuses, page types and features (`[display_names]`).
    pub display_names: crate::domain::display::DisplayNames,
}

impl PlanContext {
    pub fn new(team: &TeamPlan, timeline: &Timeline) -> Self {
        Self {
            team: team.name.clone(),
            quarter: timeline.quarter.to_string(),
            quarter_start: timeline.starts,
            quarter_end: timeline.ends,
            review_start: timeline
                .quarter
                .prior()
                .starts(team.fiscal_year_start_month),
            tz: timeline.tz,
            channels: team.channels.clone(),
            roles: team.roles.clone(),
            stakeholders: team.stakeholders.clone(),
            stage_due: timeline
                .stages
                .iter()
                .map(|s| s.due.with_timezone(&Utc))
                .collect(),
            checkins: timeline
                .checkins
                .iter()
                .map(|c| c.at.with_timezone(&Utc))
                .collect(),
            holiday_checkins: timeline
                .checkins
                .iter()
                .filter(|c| c.holiday)
                .map(|c| c.week)
                .collect(),
            checkin_window: Duration::hours(i64::from(team.checkin_window_hours)),
            plan_deadline: timeline.plan_deadline.with_timezone(&Utc),
            people: team.people.clone(),
            display_names: crate::domain::display::DisplayNames::new(team.display_names.clone()),
        }
    }

    pub fn run_id(&self) -> String {
        format!("{}/{}", self.team, self.quarter)
    }

    /// The local date of a UTC instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// Midnight after the quarter's last day, in the team's zone: "as of the quarter's end".
    pub fn end_of_quarter(&self) -> DateTime<Utc> {
        let next_day = self.quarter_end.succ_opt().unwrap_or(self.quarter_end);
        next_day
            .and_time(chrono::NaiveTime::MIN)
            .and_local_timezone(self.tz)
            .earliest()
            .map_or_else(
                || next_day.and_time(chrono::NaiveTime::MIN).and_utc(),
                |t| t.with_timezone(&Utc),
            )
    }

    /// Check-in `week` (1-based) at the team's check-in time on the wall clock of `zone`
    /// (`None`: the team's own zone).
    pub fn checkin_at(&self, week: u32, zone: Option<&str>) -> Option<DateTime<Utc>> {
        let index = usize::try_from(week).ok()?.checked_sub(1)?;
        let team = *self.checkins.get(index)?;
        Some(match zone.and_then(|z| z.parse::<Tz>().ok()) {
            Some(tz) => crate::timeline::same_wall_clock(team.with_timezone(&self.tz), tz)
                .with_timezone(&Utc),
            None => team,
        })
    }

    /// A UTC instant shown in the team's zone, for posts.
    pub fn local(&self, at: DateTime<Utc>) -> String {
        self.local_in(at, None)
    }

    /// A UTC instant shown in `zone` (an IANA name; `None` or unknown: the team's).
    pub fn local_in(&self, at: DateTime<Utc>, zone: Option<&str>) -> String {
        let tz = zone.and_then(|z| z.parse::<Tz>().ok()).unwrap_or(self.tz);
        at.with_timezone(&tz)
            .format("%a %-d %b %Y %H:%M %Z")
            .to_string()
    }
}
