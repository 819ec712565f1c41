//! The quarter's actuals as campaign owners reported them at the weekly check-ins, in the
//! shape stage 1 reads for the next quarter's review: `spend.csv` rows (`date, channel,
//! campaign, spend`, plus the leads, MQLs and pipeline reported beside it), one per
//! campaign and answered check-in, holding what was added since that campaign's previous
//! answer; the campaigns themselves are the approved plan's (`campaigns.csv`).
//!
//! Owners report quarter-to-date figures, so a week's row is the difference from the
//! last answer (a missed week's share lands in the next answer's row). A figure reported
//! lower than before is read as a correction of the earlier row, not as negative spend:
//! the row adds nothing and later rows count from the highest figure reported.

use chrono::NaiveDate;
use serde::Serialize;

use super::QuarterRun;

/// One campaign's additions between two of its owner's answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedActual {
    /// The team's local date of the answer.
    pub date: NaiveDate,
    pub channel: String,
    pub campaign: String,
    pub spend: f64,
    pub leads: f64,
    pub mqls: f64,
    pub pipeline: f64,
}

impl QuarterRun {
    /// What owners reported, week by week, as additions; campaigns of the approved plan
    /// only (their channel comes from it), in check-in order.
    pub fn reported_actuals(&self) -> Vec<ReportedActual> {
        let campaigns = self.approved_campaigns();
        let mut highest: Vec<(String, [f64; 4])> = Vec::new();
        let mut out = Vec::new();
        for week in &self.checkins {
            for e in &week.entries {
                let (Some(n), Some(plan)) = (
                    e.numbers.as_ref(),
                    campaigns.iter().find(|c| c.name == e.campaign),
                ) else {
                    continue;
                };
                let i = match highest.iter().position(|(c, _)| *c == e.campaign) {
                    Some(i) => i,
                    None => {
                        highest.push((e.campaign.clone(), [0.0; 4]));
                        highest.len() - 1
                    }
                };
                let now = [n.spend_to_date, n.leads, n.mqls, n.pipeline];
                let before = highest[i].1;
                let added: Vec<f64> = now
                    .iter()
                    .zip(before)
                    .map(|(x, b)| round_cents((x - b).max(0.0)))
                    .collect();
                for (h, x) in highest[i].1.iter_mut().zip(now) {
                    *h = h.max(x);
                }
                out.push(ReportedActual {
                    date: self.local_date(e.answered_at.unwrap_or(week.due_at)),
                    channel: plan.channel.clone(),
                    campaign: e.campaign.clone(),
                    spend: added[0],
                    leads: added[1],
                    mqls: added[2],
                    pipeline: added[3],
                });
            }
        }
        out
    }
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::people::{CampaignFigures, CheckinNumbers, PlanFigures};
    use crate::run::{CheckinEntry, CheckinStatus, CheckinWeek, PlanVersion};

    fn entry(campaign: &str, day: u32, spend: Option<f64>) -> CheckinEntry {
        CheckinEntry {
            campaign: campaign.into(),
            owner: "Ana".into(),
            owner_id: None,
            status: CheckinStatus::OnTrack,
            answered_at: spend.map(|_| Utc.with_ymd_and_hms(2027, 1, day, 23, 30, 0).unwrap()),
            late: false,
            note: None,
            numbers: spend.map(|s| CheckinNumbers {
                spend_to_date: s,
                leads: s / 100.0,
                mqls: s / 1000.0,
                pipeline: s * 3.0,
                blockers: Vec::new(),
            }),
            excused: false,
            zone: None,
            prompted_at: None,
            closed: false,
        }
    }

    #[test]
    fn reported_actuals_are_the_additions_since_each_campaigns_previous_answer() {
        let mut run = QuarterRun::new("t", "2027-Q1", &[]);
        run.timezone = Some("Europe/Berlin".into());
        run.plan_versions.push(PlanVersion {
            version: 1,
            hash: "h".into(),
            created_at: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            reason: "first draft".into(),
            figures: Some(PlanFigures {
                campaigns: vec![CampaignFigures {
                    name: "Search, brand".into(),
                    channel: "paid_search".into(),
                    budget: 9000.0,
                    start: "2027-01-04".parse().unwrap(),
                    end: "2027-03-26".parse().unwrap(),
                    owner: "Ana".into(),
                    booked: false,
                }],
                ..PlanFigures::default()
            }),
            amendments: Vec::new(),
        });
        run.approved_version = Some(1);
        let week = |n: u32, day: u32, e: Vec<CheckinEntry>| CheckinWeek {
            week: n,
            due_at: Utc.with_ymd_and_hms(2027, 1, day, 9, 0, 0).unwrap(),
            open: false,
            entries: e,
            opened: Vec::new(),
            holiday: false,
            digest_edits: 0,
        };
        run.checkins = vec![
            week(
                1,
                4,
                vec![
                    entry("Search, brand", 4, Some(1000.0)),
                    entry("Not in plan", 4, Some(5.0)),
                ],
            ),
            week(2, 11, vec![entry("Search, brand", 11, None)]), // missed
            week(3, 18, vec![entry("Search, brand", 18, Some(3500.0))]),
            week(4, 25, vec![entry("Search, brand", 25, Some(3400.0))]), // a correction
            week(5, 31, vec![entry("Search, brand", 31, Some(4000.0))]),
        ];
        let rows = run.reported_actuals();
        let spend: Vec<f64> = rows.iter().map(|r| r.spend).collect();
        // 1,000; then 2,500 over the missed week; the lower figure adds nothing; then 500
        // counted from the highest figure (3,500).
        assert_eq!(spend, vec![1000.0, 2500.0, 0.0, 500.0]);
        assert_eq!(spend.iter().sum::<f64>(), 4000.0);
        assert_eq!(rows[1].pipeline, 7500.0);
        // Answered 23:30 UTC on the 4th: the 5th in Berlin.
        assert_eq!(rows[0].date, "2027-01-05".parse::<NaiveDate>().unwrap());
        assert!(rows.iter().all(|r| r.channel == "paid_search"));
    }
}
