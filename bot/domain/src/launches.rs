//! Month-1 launches, one definition for the engine's success criteria, their post and the
//! dashboard. A month-1 launch is a planned (not booked) campaign of the approved plan
//! starting in the quarter's first month; it is on schedule when its owner confirmed it
//! on or before its due date (local): its start, or kickoff day for one planned to start
//! before kickoff.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::QuarterRun;
use super::people::CampaignFigures;

/// How many month-1 launches the approved plan has, and how many were confirmed on time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Month1Launches {
    pub planned: usize,
    pub on_schedule: usize,
}

impl QuarterRun {
    /// The campaigns of the approved plan (stage 10's figures of the approved version).
    pub fn approved_campaigns(&self) -> Vec<CampaignFigures> {
        let v = self.approved_version;
        self.plan_versions
            .iter()
            .find(|p| Some(p.version) == v)
            .and_then(|p| p.figures.as_ref())
            .map(|f| f.campaigns.clone())
            .unwrap_or_default()
    }

    /// The approved plan's campaigns that start in the month of `quarter_start`, not
    /// booked last quarter.
    pub fn month1_campaigns(&self, quarter_start: NaiveDate) -> Vec<CampaignFigures> {
        self.approved_campaigns()
            .into_iter()
            .filter(|c| {
                !c.booked
                    && c.start >= quarter_start
                    && c.start.month() == quarter_start.month()
                    && c.start.year() == quarter_start.year()
            })
            .collect()
    }

    /// The date a campaign is due to launch: its start, or kickoff day (in `tz`) if that
    /// is later.
    pub fn launch_due(&self, c: &CampaignFigures, tz: Tz) -> NaiveDate {
        self.kickoff
            .at
            .map_or(c.start, |t| c.start.max(local_date(t, tz)))
    }

    /// Month-1 launches planned and confirmed on schedule.
    pub fn month1_launches(&self, quarter_start: NaiveDate, tz: Tz) -> Month1Launches {
        let m1 = self.month1_campaigns(quarter_start);
        let on_schedule = m1
            .iter()
            .filter(|c| {
                self.kickoff
                    .launches
                    .iter()
                    .any(|l| l.campaign == c.name && l.on <= self.launch_due(c, tz))
            })
            .count();
        Month1Launches {
            planned: m1.len(),
            on_schedule,
        }
    }

    /// Month-1 launches due on or before `day` (the team's date).
    pub fn month1_due_by(&self, quarter_start: NaiveDate, tz: Tz, day: NaiveDate) -> usize {
        self.month1_campaigns(quarter_start)
            .iter()
            .filter(|c| self.launch_due(c, tz) <= day)
            .count()
    }

    /// The team's zone as the run stored it when it opened (UTC for runs opened before
    /// it was stored, or with a name chrono-tz does not know).
    pub fn tz(&self) -> Tz {
        self.timezone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(Tz::UTC)
    }

    /// The team's local date of a UTC instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        local_date(at, self.tz())
    }
}

fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::people::{Launch, PlanFigures};
    use crate::run::PlanVersion;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn campaign(name: &str, start: &str, booked: bool) -> CampaignFigures {
        CampaignFigures {
            name: name.into(),
            channel: "email".into(),
            budget: 1000.0,
            start: day(start),
            end: day("2027-03-31"),
            owner: "Ana".into(),
            booked,
        }
    }

    fn launch(name: &str, on: &str) -> Launch {
        Launch {
            campaign: name.into(),
            by: "Ana".into(),
            at: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            on: day(on),
        }
    }

    #[test]
    fn month1_counts_planned_january_starts_and_those_confirmed_by_their_due_day() {
        let mut run = QuarterRun::new("t", "2027-Q1", &[]);
        let figures = PlanFigures {
            campaigns: vec![
                campaign("Booked", "2027-01-04", true), // booked: not a launch
                campaign("Early", "2027-01-05", false), // due kickoff day, 25 Jan
                campaign("OnTime", "2027-01-26", false), // due 26 Jan
                campaign("Late", "2027-01-27", false),  // confirmed 29 Jan: late
                campaign("Never", "2027-01-28", false), // never confirmed
                campaign("February", "2027-02-01", false), // month 2
            ],
            ..PlanFigures::default()
        };
        run.plan_versions.push(PlanVersion {
            version: 1,
            hash: "h".into(),
            created_at: Utc.with_ymd_and_hms(2027, 1, 10, 9, 0, 0).unwrap(),
            reason: "first draft".into(),
            figures: Some(figures),
            amendments: Vec::new(),
        });
        run.approved_version = Some(1);
        // Kickoff at 23:30 UTC on 24 Jan is 25 Jan in Berlin.
        run.kickoff.at = Some(Utc.with_ymd_and_hms(2027, 1, 24, 23, 30, 0).unwrap());
        run.kickoff.launches = vec![
            launch("Early", "2027-01-25"),
            launch("OnTime", "2027-01-26"),
            launch("Late", "2027-01-29"),
            launch("February", "2027-02-01"),
        ];
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            run.month1_launches(day("2027-01-01"), berlin),
            Month1Launches {
                planned: 4,
                on_schedule: 2
            }
        );
        // In UTC kickoff day is 24 Jan, so "Early" confirmed on the 25th is a day late.
        assert_eq!(
            run.month1_launches(day("2027-01-01"), Tz::UTC).on_schedule,
            1
        );
        // Due by 26 Jan (Berlin): Early (kickoff day, 25 Jan) and OnTime; Late and
        // Never are still ahead.
        let due = |d: &str| run.month1_due_by(day("2027-01-01"), berlin, day(d));
        assert_eq!(
            (due("2027-01-24"), due("2027-01-26"), due("2027-01-31")),
            (0, 2, 4)
        );
    }

    #[test]
    fn local_date_uses_the_stored_zone_and_falls_back_to_utc() {
        let mut run = QuarterRun::new("t", "2027-Q1", &[]);
        let late = Utc.with_ymd_and_hms(2027, 1, 4, 23, 30, 0).unwrap();
        assert_eq!(run.local_date(late), day("2027-01-04"));
        run.timezone = Some("Asia/Tokyo".into());
        assert_eq!(run.local_date(late), day("2027-01-05"));
        run.timezone = Some("Mars/Olympus".into());
        assert_eq!(run.local_date(late), day("2027-01-04"));
    }
}
