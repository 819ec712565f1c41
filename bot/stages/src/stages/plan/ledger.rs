//! The plan's figures as data: `plan.json` (contract: `discord-people-dashboard.md`).
//! Every figure is taken from the handoff that computed it (stage 6's budget, stage 7's
//! targets and milestones, stage 8's campaigns and tests, stage 9's content), rounded
//! once here — money to the cent, counts to the unit — so the document, the JSON and the
//! invariant checker ([`super::invariants`]) read the same numbers.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::Sources;
use crate::stages::handoff::{CalendarHandoff, GoalsHandoff};

/// The metrics with a quarterly target, milestones and (for volumes) channel targets.
pub const MONEY_METRICS: [&str; 2] = ["revenue", "pipeline"];
pub const COUNT_METRICS: [&str; 5] = ["won", "opportunities", "sqls", "mqls", "leads"];
/// The metrics split over channels (every source of volume has a share).
pub const CHANNEL_METRICS: [&str; 2] = ["leads", "mqls"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFigures {
    pub version: u32,
    pub hash: String,
    pub quarter: String,
    /// When the last group approved this version (rfc3339); `null` until then.
    pub approved_at: Option<String>,
    pub budget: BudgetFigures,
    pub campaigns: Vec<CampaignFigure>,
    pub tests: Vec<TestFigure>,
    /// `revenue`, `pipeline`, `won`, `opportunities`, `sqls`, `mqls`, `leads`.
    pub targets: BTreeMap<String, f64>,
    pub milestones: Vec<BTreeMap<String, serde_json::Value>>,
    /// `{"channel", "owner", "leads", "mqls"}` for every source of volume.
    pub channel_targets: Vec<ChannelTargetFigure>,
    pub content: Vec<ContentFigure>,
    /// Week 1's first business day: no content brief before it.
    pub process_started: NaiveDate,
    /// The first day a campaign or test that is not booked may start: kickoff (stage 12),
    /// after the approval deadline.
    pub launch_from: NaiveDate,
    /// Hours per person: campaigns and tests (stage 8) plus content (stage 9).
    pub hours: Vec<HoursFigure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetFigures {
    pub total: f64,
    pub reserve: f64,
    pub reserve_committed: f64,
    pub reserve_uncommitted: f64,
    pub by_channel: BTreeMap<String, f64>,
    /// The part of the total not yet split over channels: `objectives.toml`'s total less
    /// its reserve when stage 6 has not run, else 0; `by_channel + reserve + unallocated
    /// = total`.
    #[serde(default)]
    pub unallocated: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignFigure {
    pub name: String,
    pub channel: String,
    /// Its money falling in the quarter.
    pub budget: f64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub owner: String,
    pub booked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestFigure {
    pub name: String,
    pub channel: String,
    pub cost: f64,
    pub funded: bool,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelTargetFigure {
    pub channel: String,
    pub owner: String,
    pub leads: f64,
    pub mqls: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentFigure {
    pub piece: String,
    pub owner: String,
    pub brief: NaiveDate,
    pub publish: NaiveDate,
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoursFigure {
    pub person: String,
    pub campaign_hours: f64,
    pub content_hours: f64,
    pub capacity: f64,
}

/// Money rounded to the cent.
pub fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The Monday of `day`'s week (its first business day).
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The figures of the plan about to be drafted (`hash` empty until it is rendered).
pub(crate) fn gather(s: &Sources) -> PlanFigures {
    let run = &s.inputs.run;
    let local = |n: u8| {
        run.stage(n)
            .map(|st| st.due_at.with_timezone(&s.inputs.tz).date_naive())
    };
    let quarter_start = s.inputs.quarter_start;
    let process_started = local(1).map_or(quarter_start, |d| {
        let monday = week_start(d);
        if monday.weekday() == Weekday::Mon {
            monday
        } else {
            d
        }
    });
    let launch_from = launch_from(s.inputs);
    let envelope = s.envelope();
    let (total, reserve) = envelope
        .as_ref()
        .map_or((0.0, 0.0), |e| (cents(e.total), cents(e.reserve)));
    let by_channel: BTreeMap<String, f64> = s
        .budget
        .iter()
        .flat_map(|b| &b.channels)
        .map(|c| (c.channel.clone(), cents(c.spend)))
        .collect();
    let unallocated = match &envelope {
        Some(e) if !e.allocated => cents(total - reserve),
        _ => 0.0,
    };
    let tests: Vec<TestFigure> = s
        .calendar
        .iter()
        .flat_map(|c| &c.tests)
        .map(|t| TestFigure {
            name: t.name.clone(),
            channel: t.channel.clone(),
            cost: cents(t.budget),
            funded: t.funded,
            start: t.start,
            end: t.end,
        })
        .collect();
    let committed = cents(tests.iter().filter(|t| t.funded).map(|t| t.cost).sum());
    PlanFigures {
        version: u32::try_from(s.version).unwrap_or(u32::MAX),
        hash: String::new(),
        quarter: run.quarter.clone(),
        approved_at: None,
        budget: BudgetFigures {
            total,
            reserve,
            reserve_committed: committed,
            reserve_uncommitted: cents(reserve - committed),
            by_channel,
            unallocated,
        },
        campaigns: s
            .calendar
            .iter()
            .flat_map(|c| &c.campaigns)
            .map(|c| CampaignFigure {
                name: c.name.clone(),
                channel: c.channel.clone(),
                budget: cents(c.budget),
                start: c.start,
                end: c.end,
                owner: c.owner.clone(),
                booked: c.kind == "booked",
            })
            .collect(),
        tests,
        targets: targets(s.goals.as_ref()),
        milestones: milestones(s.goals.as_ref()),
        channel_targets: channel_targets(s),
        content: s
            .content_plan
            .iter()
            .flat_map(|p| &p.pieces)
            .map(|p| ContentFigure {
                piece: p.title.clone(),
                owner: p.owner.clone(),
                brief: p.brief,
                publish: p.publish,
                hours: p.hours,
            })
            .collect(),
        process_started,
        launch_from,
        hours: hours(s),
    }
}

/// Kickoff's local date (stage 12), or the quarter's first day without a timeline.
pub fn launch_from(inputs: &crate::stages::StageInputs) -> NaiveDate {
    inputs
        .run
        .stage(12)
        .map(|st| st.due_at.with_timezone(&inputs.tz).date_naive())
        .map_or(inputs.quarter_start, |d| d.max(inputs.quarter_start))
}

fn round_metric(metric: &str, v: f64) -> f64 {
    if MONEY_METRICS.contains(&metric) {
        cents(v)
    } else {
        v.round()
    }
}

fn targets(g: Option<&GoalsHandoff>) -> BTreeMap<String, f64> {
    g.iter()
        .flat_map(|g| &g.targets)
        .filter(|t| {
            MONEY_METRICS.contains(&t.metric.as_str()) || COUNT_METRICS.contains(&t.metric.as_str())
        })
        .map(|t| (t.metric.clone(), round_metric(&t.metric, t.value)))
        .collect()
}

fn milestones(g: Option<&GoalsHandoff>) -> Vec<BTreeMap<String, serde_json::Value>> {
    g.iter()
        .flat_map(|g| &g.milestones)
        .map(|m| {
            let mut row = BTreeMap::new();
            row.insert("month".to_owned(), serde_json::json!(m.month));
            for (k, v) in [
                ("revenue", m.revenue),
                ("pipeline", m.pipeline),
                ("won", m.won),
                ("opportunities", m.opportunities),
                ("sqls", m.sqls),
                ("mqls", m.mqls),
                ("leads", m.leads),
            ] {
                row.insert(k.to_owned(), serde_json::json!(round_metric(k, v)));
            }
            row
        })
        .collect()
}

/// Each source of volume with its lead and MQL targets and an owner: the owner of the
/// channel's largest campaign; for a source without campaigns (organic search), the
/// first roster member whose role is content, SEO or web.
fn channel_targets(s: &Sources) -> Vec<ChannelTargetFigure> {
    let roster = s
        .objectives
        .as_ref()
        .map(|o| o.roster.as_slice())
        .unwrap_or(&[]);
    let fallback = roster
        .iter()
        .find(|m| {
            let r = m.role.to_ascii_lowercase();
            r.contains("content") || r.contains("seo") || r.contains("web")
        })
        .or(roster.first())
        .map_or_else(|| "unassigned".to_owned(), |m| m.name.clone());
    s.goals
        .iter()
        .flat_map(|g| &g.channel_targets)
        .map(|c| ChannelTargetFigure {
            channel: c.channel.clone(),
            owner: channel_owner(s.calendar.as_ref(), &c.channel)
                .unwrap_or_else(|| fallback.clone()),
            leads: c.leads.round(),
            mqls: c.mqls.round(),
        })
        .collect()
}

fn channel_owner(calendar: Option<&CalendarHandoff>, channel: &str) -> Option<String> {
    calendar?
        .campaigns
        .iter()
        .filter(|c| c.channel == channel && c.owner != "unassigned")
        .max_by(|a, b| a.budget.total_cmp(&b.budget))
        .map(|c| c.owner.clone())
}

/// Per person: campaign and test hours from stage 8, content hours from stage 9's
/// pieces, capacity over the quarter from stage 8 (or the content writers' weeks). When
/// stage 9 scheduled the pieces, they replace stage 8's estimate of the campaigns'
/// creative and content work, so no hour is counted twice.
pub(crate) fn hours(s: &Sources) -> Vec<HoursFigure> {
    let planned = s.content_plan.is_some();
    let mut out: Vec<HoursFigure> = s
        .calendar
        .iter()
        .flat_map(|c| &c.workload)
        .map(|w| HoursFigure {
            person: w.person.clone(),
            campaign_hours: if planned {
                (w.hours - w.creative_hours).max(0.0)
            } else {
                w.hours
            },
            content_hours: 0.0,
            capacity: w.capacity_hours,
        })
        .collect();
    for p in s.content_plan.iter().flat_map(|p| &p.pieces) {
        match out.iter_mut().find(|h| h.person == p.owner) {
            Some(h) => h.content_hours += p.hours,
            None => out.push(HoursFigure {
                person: p.owner.clone(),
                campaign_hours: 0.0,
                content_hours: p.hours,
                capacity: 0.0,
            }),
        }
    }
    out
}
