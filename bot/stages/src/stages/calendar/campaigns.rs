//! Next quarter's campaigns: last quarter's patterns per channel (`campaigns.csv`:
//! always-on programmes and flights, their objective, timing and share of the channel's
//! money) replayed on the stage 6 allocation.
//!
//! - A pattern is a campaign that started and ended inside the quarter under review.
//!   Always-on: it ran at least 80% of that quarter; otherwise a flight, which keeps its
//!   offset from the quarter's first day and its length (clipped to the new quarter).
//! - Each channel's allocation is split over its patterns in proportion to their
//!   planned budgets, to the cent by largest remainder; a channel without a pattern gets
//!   one always-on `pipeline` campaign.
//! - Campaigns that started last quarter and run into the new one are already booked:
//!   the part of their planned budget that falls in the new quarter (pro rata by days,
//!   money assumed spent evenly over a campaign's days) is committed, so it is taken out
//!   of the channel's allocation before the rest is split over the patterns. A channel
//!   whose bookings exceed its allocation gets no new campaign and is reported as
//!   over-committed.

use chrono::NaiveDate;
use quarterdeck_analyses::quarter_plan::rounding::{from_cents, split_cents, to_cents};

use crate::sources::{CsvTable, InputError};
use crate::stages::handoff::{BudgetHandoff, ChannelBudget};

/// How a campaign runs over its quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    AlwaysOn,
    Flight,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::AlwaysOn => "always-on",
            Kind::Flight => "flight",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub channel: String,
    pub kind: Kind,
    pub objective: String,
    pub planned_budget: f64,
    /// Days from the quarter's first day to the campaign's first day.
    pub offset_days: i64,
    /// Days from first to last day (0 = one day).
    pub length_days: i64,
}

/// A quarter, first and last day inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Span {
    /// The quarter under review and the planned one, from a stage's inputs.
    pub fn quarters(inputs: &crate::stages::StageInputs) -> (Span, Span) {
        let next = Span {
            first: inputs.quarter_start,
            last: inputs
                .quarter_start
                .checked_add_months(chrono::Months::new(3))
                .and_then(|d| d.pred_opt())
                .unwrap_or(inputs.quarter_start),
        };
        let review = Span {
            first: inputs.review_start,
            last: inputs
                .quarter_start
                .pred_opt()
                .unwrap_or(inputs.quarter_start),
        };
        (review, next)
    }

    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }
}

/// What `campaigns.csv` says about the quarter under review.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub patterns: Vec<Pattern>,
    /// Campaigns booked last quarter that run into the planned one.
    pub carried_over: Vec<Booked>,
}

/// A campaign booked last quarter that runs into the planned one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Booked {
    pub name: String,
    pub channel: String,
    pub owner: String,
    pub objective: String,
    /// Its days inside the planned quarter.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Its planned budget × its days in the planned quarter ÷ all its days, to the cent.
    pub in_quarter: f64,
}

/// Money booked per channel for the planned quarter, in cents.
pub fn committed_cents(history: &History, channel: &str) -> i64 {
    history
        .carried_over
        .iter()
        .filter(|b| b.channel == channel)
        .map(|b| to_cents(b.in_quarter))
        .sum()
}

pub fn read_history(t: &CsvTable, review: Span, next: Span) -> Result<History, InputError> {
    let (name, channel, start, end, planned) = (
        t.require("campaign", &["campaign_name", "name"])?,
        t.require("channel", &[])?,
        t.require("start", &["start_date"])?,
        t.require("end", &["end_date"])?,
        t.require("planned_budget", &["budget", "planned"])?,
    );
    let objective = t.find("objective", &["goal"]);
    let owner = t.find("owner", &[]);
    let mut history = History {
        patterns: Vec::new(),
        carried_over: Vec::new(),
    };
    for r in t.rows() {
        let (s, e) = (r.date(start)?, r.date(end)?);
        if e < s {
            return Err(r.invalid(end, &format!("an end date on or after the start {s}")));
        }
        let budget = r.amount(planned)?;
        let objective = match objective {
            Some(c) if !r.str(c).trim().is_empty() => r.str(c).trim().to_lowercase(),
            _ => "pipeline".to_owned(),
        };
        if s >= review.first && e <= review.last {
            let length_days = (e - s).num_days();
            history.patterns.push(Pattern {
                channel: r.text(channel)?.to_owned(),
                kind: if (length_days + 1) * 5 >= review.days() * 4 {
                    Kind::AlwaysOn
                } else {
                    Kind::Flight
                },
                objective,
                planned_budget: budget,
                offset_days: (s - review.first).num_days(),
                length_days,
            });
        } else if s <= review.last && e >= next.first {
            let (first_day, last_day) = (next.first.max(s), next.last.min(e));
            let inside = (last_day - first_day).num_days() + 1;
            let all = (e - s).num_days() + 1;
            history.carried_over.push(Booked {
                name: r.text(name)?.to_owned(),
                channel: r.text(channel)?.to_owned(),
                owner: owner.map_or_else(String::new, |c| r.str(c).trim().to_owned()),
                objective,
                first_day,
                last_day,
                in_quarter: from_cents(
                    (to_cents(budget) as f64 * inside as f64 / all as f64).round() as i64,
                ),
            });
        }
    }
    Ok(history)
}

/// One planned campaign before owners are known.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub name: String,
    pub channel: String,
    pub kind: Kind,
    pub objective: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub budget: f64,
    /// The campaign's share of its channel's expected revenue (by budget share).
    pub expected_revenue: f64,
}

/// `paid_search` → `Paid Search`.
pub fn channel_title(channel: &str) -> String {
    // The default display name, not the team's override: a campaign's name is its
    // identity (calendar UIDs, check-ins), so it must not change with the config.
    crate::report::label(channel)
}

/// The campaigns of the planned quarter; budgets per channel sum to its allocation exactly.
/// New campaigns start no earlier than `launch` (kickoff, after the plan's approval):
/// always-on ones run from it to the quarter's end, flights keep their dates but not
/// before it.
pub fn draft(
    budget: &BudgetHandoff,
    history: &History,
    next: Span,
    launch: NaiveDate,
    label: &str,
) -> Vec<Draft> {
    let mut out = Vec::new();
    for ch in budget.channels.iter().filter(|c| to_cents(c.spend) > 0) {
        let mut patterns: Vec<&Pattern> = history
            .patterns
            .iter()
            .filter(|p| p.channel == ch.channel)
            .collect();
        patterns.sort_by_key(|p| (p.kind, p.offset_days));
        let default = Pattern {
            channel: ch.channel.clone(),
            kind: Kind::AlwaysOn,
            objective: "pipeline".into(),
            planned_budget: 1.0,
            offset_days: 0,
            length_days: next.days() - 1,
        };
        if patterns.is_empty() {
            patterns.push(&default);
        }
        let free = to_cents(ch.spend) - committed_cents(history, &ch.channel);
        if free > 0 {
            out.extend(channel_campaigns(ch, free, &patterns, next, launch, label));
        }
    }
    out
}

/// `cents` of the channel's money (its allocation less its bookings) over its patterns.
fn channel_campaigns(
    ch: &ChannelBudget,
    cents: i64,
    patterns: &[&Pattern],
    next: Span,
    launch: NaiveDate,
    label: &str,
) -> Vec<Draft> {
    let launch = launch.clamp(next.first, next.last);
    let weights: Vec<f64> = patterns.iter().map(|p| p.planned_budget).collect();
    let parts = split_cents(cents, &weights)
        .or_else(|| split_cents(cents, &vec![1.0; patterns.len()]))
        .unwrap_or_default();
    let title = channel_title(&ch.channel);
    let flights = patterns.iter().filter(|p| p.kind == Kind::Flight).count();
    let mut flight_no = 0;
    patterns
        .iter()
        .zip(parts)
        .map(|(p, c)| {
            let (first, last) = match p.kind {
                Kind::AlwaysOn => (launch, next.last),
                Kind::Flight => {
                    let first = (next.first + chrono::Duration::days(p.offset_days))
                        .max(launch)
                        .min(next.last);
                    (
                        first,
                        (first + chrono::Duration::days(p.length_days)).min(next.last),
                    )
                }
            };
            let suffix = if p.kind == Kind::Flight && flights > 1 {
                flight_no += 1;
                format!(" {flight_no}")
            } else {
                String::new()
            };
            let budget = from_cents(c);
            Draft {
                name: format!("{label} {title} {}{suffix}", p.kind.label()),
                channel: ch.channel.clone(),
                kind: p.kind,
                objective: p.objective.clone(),
                first_day: first,
                last_day: last,
                budget,
                expected_revenue: if ch.spend > 0.0 {
                    ch.expected_revenue * budget / ch.spend
                } else {
                    0.0
                },
            }
        })
        .collect()
}
