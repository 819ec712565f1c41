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

    /// A UTC instant shown in the team's zone, for posts.
    pub fn local(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%a %-d %b %Y %H:%M %Z")
            .to_string()
    }
}
