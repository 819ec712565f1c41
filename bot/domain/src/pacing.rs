//! Pacing: the quarter to date against the locked (approved) plan. Pure arithmetic,
//! used by the weekly digest and `summary.json` alike, so each figure has one source.
//!
//! - Planned spend to date of a campaign on date `d` (inclusive) =
//!   `budget × days(start ..= min(end, d)) / days(start ..= end)`, 0 before its start;
//!   on its last day it reaches its budget.
//! - A monthly milestone to date = the sum of the months that ended on or before `d`,
//!   plus the current month's value × `day_of_month(d) / days_in_month`.
//! - Reported figures to date are each campaign's latest answer up to that week (an
//!   owner who misses a week keeps their last report).
//! - A channel's pace is its campaigns' reported spend against the planned spend to date
//!   of all its campaigns, as the week's total is: the channels add up to the total.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{CampaignFigures, CheckinNumbers, CheckinWeek, MonthMilestone, PlanFigures};

/// Planned spend of `c` to `date`, inclusive.
pub fn planned_to_date(c: &CampaignFigures, date: NaiveDate) -> f64 {
    pro_rata_to(c.budget, c.start, c.end, date)
}

/// A `budget` spent evenly over the days `start ..= end`, to `date` inclusive: the whole
/// budget from its last day on, 0 before its first (the formula in the module header).
pub fn pro_rata_to(budget: f64, start: NaiveDate, end: NaiveDate, date: NaiveDate) -> f64 {
    if date < start || end < start {
        return 0.0;
    }
    let days = (end - start).num_days() + 1;
    let run = (date.min(end) - start).num_days() + 1;
    budget * run as f64 / days as f64
}

/// A monthly milestone series to `date`, inclusive; `pick` chooses the metric.
pub fn milestone_to_date(
    milestones: &[MonthMilestone],
    date: NaiveDate,
    pick: impl Fn(&MonthMilestone) -> f64,
) -> f64 {
    milestones
        .iter()
        .filter_map(|m| {
            let first = NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").ok()?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            let days = (next - first).num_days() as f64;
            Some(if date >= next - chrono::Duration::days(1) {
                pick(m)
            } else if date >= first {
                pick(m) * f64::from(date.day()) / days
            } else {
                0.0
            })
        })
        .sum()
}

/// A campaign's part of a plan-wide milestone to `date`: the milestone to date × the
/// campaign's share of the campaigns' budgets (0 when the plan lists no budget).
pub fn campaign_milestone_to_date(
    plan: &PlanFigures,
    campaign: &CampaignFigures,
    date: NaiveDate,
    pick: impl Fn(&MonthMilestone) -> f64,
) -> f64 {
    let total: f64 = plan.campaigns.iter().map(|c| c.budget).sum();
    if total <= 0.0 {
        return 0.0;
    }
    milestone_to_date(&plan.milestones, date, pick) * (campaign.budget / total)
}

/// One campaign's pace in one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignPace {
    pub campaign: String,
    pub channel: String,
    pub owner: String,
    /// Reported spend to date (latest answer), `None` if never reported.
    pub spend_to_date: Option<f64>,
    pub planned_spend_to_date: f64,
    /// `spend / planned − 1`, when both are known and planned > 0.
    pub off_pace: Option<f64>,
}

/// One check-in week's pace for the whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekPace {
    pub week: u32,
    pub date: NaiveDate,
    pub spend_to_date: f64,
    pub planned_spend_to_date: f64,
    pub mqls_to_date: f64,
    pub mql_milestone_to_date: f64,
    pub pipeline_to_date: f64,
    pub pipeline_milestone_to_date: f64,
    pub campaigns: Vec<CampaignPace>,
}

/// One channel's pace in one week (see the module header).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelPace {
    pub channel: String,
    /// Reported spend to date of the channel's campaigns that have reported.
    pub spend_to_date: f64,
    /// Planned spend to date of all the channel's campaigns.
    pub planned_spend_to_date: f64,
    /// How many of its campaigns have reported spend, of how many.
    pub reporting: usize,
    pub campaigns: usize,
}

impl WeekPace {
    /// The week's pace by channel, channels in the order of their first campaign in the
    /// plan.
    pub fn by_channel(&self) -> Vec<ChannelPace> {
        let mut channels: Vec<ChannelPace> = Vec::new();
        for c in &self.campaigns {
            let i = match channels.iter().position(|p| p.channel == c.channel) {
                Some(i) => i,
                None => {
                    channels.push(ChannelPace {
                        channel: c.channel.clone(),
                        spend_to_date: 0.0,
                        planned_spend_to_date: 0.0,
                        reporting: 0,
                        campaigns: 0,
                    });
                    channels.len() - 1
                }
            };
            let p = &mut channels[i];
            p.campaigns += 1;
            p.planned_spend_to_date += c.planned_spend_to_date;
            if let Some(spend) = c.spend_to_date {
                p.spend_to_date += spend;
                p.reporting += 1;
            }
        }
        channels
    }
}

/// The pace of week `week` (checked in on `date`) against `plan`.
pub fn week_pace(
    plan: &PlanFigures,
    weeks: &[CheckinWeek],
    week: u32,
    date: NaiveDate,
) -> WeekPace {
    let mut sorted: Vec<&CheckinWeek> = weeks.iter().filter(|w| w.week <= week).collect();
    sorted.sort_by_key(|w| std::cmp::Reverse(w.week));
    let latest = |campaign: &str| {
        sorted
            .iter()
            .flat_map(|w| w.entries.iter())
            .filter(|e| e.campaign == campaign)
            .find_map(|e| e.numbers.as_ref())
    };
    let campaigns: Vec<CampaignPace> = plan
        .campaigns
        .iter()
        .map(|c| {
            let planned = planned_to_date(c, date);
            let spend = latest(&c.name).map(|n| n.spend_to_date);
            CampaignPace {
                campaign: c.name.clone(),
                channel: c.channel.clone(),
                owner: c.owner.clone(),
                spend_to_date: spend,
                planned_spend_to_date: planned,
                off_pace: spend.filter(|_| planned > 0.0).map(|s| s / planned - 1.0),
            }
        })
        .collect();
    let mut reported: Vec<&str> = sorted
        .iter()
        .flat_map(|w| w.entries.iter())
        .map(|e| e.campaign.as_str())
        .collect();
    reported.sort_unstable();
    reported.dedup();
    let sum = |f: fn(&CheckinNumbers) -> f64| -> f64 {
        reported.iter().filter_map(|c| latest(c)).map(f).sum()
    };
    WeekPace {
        week,
        date,
        spend_to_date: sum(|n| n.spend_to_date),
        planned_spend_to_date: campaigns.iter().map(|c| c.planned_spend_to_date).sum(),
        mqls_to_date: sum(|n| n.mqls),
        mql_milestone_to_date: milestone_to_date(&plan.milestones, date, |m| m.mqls),
        pipeline_to_date: sum(|n| n.pipeline),
        pipeline_milestone_to_date: milestone_to_date(&plan.milestones, date, |m| m.pipeline),
        campaigns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckinEntry, CheckinStatus};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    fn campaign(name: &str, budget: f64, start: NaiveDate, end: NaiveDate) -> CampaignFigures {
        CampaignFigures {
            name: name.into(),
            channel: "search".into(),
            budget,
            start,
            end,
            owner: "Avery".into(),
            booked: false,
        }
    }

    fn answered(campaign: &str, spend: f64, mqls: f64) -> CheckinEntry {
        CheckinEntry {
            campaign: campaign.into(),
            owner: "Avery".into(),
            owner_id: None,
            status: CheckinStatus::OnTrack,
            answered_at: None,
            late: false,
            note: None,
            numbers: Some(CheckinNumbers {
                spend_to_date: spend,
                leads: 0.0,
                mqls,
                pipeline: mqls * 100.0,
                blockers: Vec::new(),
            }),
            excused: false,
            zone: None,
            prompted_at: None,
            closed: false,
        }
    }

    fn week(n: u32, entries: Vec<CheckinEntry>) -> CheckinWeek {
        CheckinWeek {
            week: n,
            due_at: chrono::DateTime::UNIX_EPOCH,
            open: false,
            entries,
            opened: Vec::new(),
            holiday: false,
            digest_edits: 0,
        }
    }

    #[test]
    fn planned_spend_is_pro_rata_by_campaign_days_and_reaches_the_budget_on_the_last_day() {
        // 1–10 Jan: 10 days of 1,000.00 = 100.00 a day.
        let c = campaign("A", 1000.0, d(1, 1), d(1, 10));

        assert_eq!(planned_to_date(&c, d(1, 1)), 100.0);
        assert_eq!(planned_to_date(&c, d(1, 4)), 400.0);
        assert_eq!(planned_to_date(&c, d(1, 10)), 1000.0);
        assert_eq!(planned_to_date(&c, d(3, 31)), 1000.0);
        assert_eq!(
            planned_to_date(&c, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            0.0
        );
    }

    #[test]
    fn milestones_count_whole_months_and_the_current_month_by_its_days() {
        let ms = vec![
            MonthMilestone {
                month: "2027-01".into(),
                mqls: 310.0,
                pipeline: 0.0,
            },
            MonthMilestone {
                month: "2027-02".into(),
                mqls: 280.0,
                pipeline: 0.0,
            },
            MonthMilestone {
                month: "2027-03".into(),
                mqls: 310.0,
                pipeline: 0.0,
            },
        ];

        // January has 31 days: 10 Jan = 310 × 10/31 = 100.
        assert_eq!(milestone_to_date(&ms, d(1, 10), |m| m.mqls), 100.0);
        // 7 Feb = 310 + 280 × 7/28 = 380.
        assert_eq!(milestone_to_date(&ms, d(2, 7), |m| m.mqls), 380.0);
        assert_eq!(milestone_to_date(&ms, d(3, 31), |m| m.mqls), 900.0);
    }

    #[test]
    fn a_small_plan_paces_by_hand_and_a_missed_week_keeps_the_last_report() {
        // A: 1–10 Jan, 1,000.00; B: 6–15 Jan, 500.00 (50.00 a day).
        let plan = PlanFigures {
            campaigns: vec![
                campaign("A", 1000.0, d(1, 1), d(1, 10)),
                campaign("B", 500.0, d(1, 6), d(1, 15)),
            ],
            milestones: vec![MonthMilestone {
                month: "2027-01".into(),
                mqls: 310.0,
                pipeline: 3100.0,
            }],
            ..PlanFigures::default()
        };
        let weeks = vec![
            week(1, vec![answered("A", 300.0, 20.0), answered("B", 0.0, 0.0)]),
            // B misses week 2: its week-1 answer stands.
            week(2, vec![answered("A", 900.0, 90.0)]),
        ];

        let w1 = week_pace(&plan, &weeks, 1, d(1, 4));
        let w2 = week_pace(&plan, &weeks, 2, d(1, 11));

        // 4 Jan: A planned 400, B not started.
        assert_eq!(w1.planned_spend_to_date, 400.0);
        assert_eq!(w1.spend_to_date, 300.0);
        assert_eq!(w1.campaigns[0].off_pace, Some(-0.25));
        assert_eq!(w1.campaigns[1].off_pace, None, "nothing planned yet");
        // 11 Jan: A planned 1,000 (ended), B 6 days × 50 = 300.
        assert_eq!(w2.planned_spend_to_date, 1300.0);
        assert_eq!(w2.spend_to_date, 900.0);
        assert_eq!(w2.campaigns[1].spend_to_date, Some(0.0));
        assert_eq!(w2.mqls_to_date, 90.0);
        // 310 × 11/31 = 110.
        assert_eq!(w2.mql_milestone_to_date, 110.0);
        assert_eq!(w2.pipeline_milestone_to_date, 1100.0);
    }

    #[test]
    fn channels_pace_their_campaigns_and_add_up_to_the_week() {
        // Search: A (1–10 Jan, 1,000.00) and B (6–15 Jan, 500.00); social: C (1–20 Jan,
        // 2,000.00, 100.00 a day), which has not reported.
        let social = CampaignFigures {
            channel: "social".into(),
            ..campaign("C", 2000.0, d(1, 1), d(1, 20))
        };
        let plan = PlanFigures {
            campaigns: vec![
                campaign("A", 1000.0, d(1, 1), d(1, 10)),
                social,
                campaign("B", 500.0, d(1, 6), d(1, 15)),
            ],
            ..PlanFigures::default()
        };
        let weeks = vec![week(
            1,
            vec![answered("A", 700.0, 0.0), answered("B", 50.0, 0.0)],
        )];

        let w = week_pace(&plan, &weeks, 1, d(1, 7));
        let channels = w.by_channel();

        // 7 Jan: A planned 700, B 2 days × 50 = 100; C 7 days × 100 = 700.
        assert_eq!(
            channels,
            vec![
                ChannelPace {
                    channel: "search".into(),
                    spend_to_date: 750.0,
                    planned_spend_to_date: 800.0,
                    reporting: 2,
                    campaigns: 2,
                },
                ChannelPace {
                    channel: "social".into(),
                    spend_to_date: 0.0,
                    planned_spend_to_date: 700.0,
                    reporting: 0,
                    campaigns: 1,
                },
            ]
        );
        let spend: f64 = channels.iter().map(|c| c.spend_to_date).sum();
        let planned: f64 = channels.iter().map(|c| c.planned_spend_to_date).sum();
        assert_eq!((spend, planned), (w.spend_to_date, w.planned_spend_to_date));
    }
}
