//! The plan's invariants, checked on its figures ([`PlanFigures`]) before stage 10 posts
//! a version for approval. Pure: figures in, violations out. Money is compared in whole
//! cents, counts in whole units.
//!
//! 1. The channels' budgets plus the reserve make the total (before stage 6 allocates
//!    it, the unallocated envelope stands in for the channels').
//! 2. The reserve's committed part is the funded tests' cost; committed plus uncommitted
//!    make the reserve, and nothing is committed beyond it.
//! 3. Per channel, the campaigns' in-quarter budgets (booked ones included) make the
//!    channel's budget; no campaign spends in a channel without a budget.
//! 4. Each metric's monthly milestones add up to its target.
//! 5. Each volume metric's channel targets add up to its target, and every source of
//!    volume has an owner.
//! 6. No campaign that is not booked, and no funded test, starts before the day the
//!    process allows (`launch_from`, or the approval's date once approved).
//! 7. No content brief before the process started.
//! 8. Every metric with a target has a milestone in every month.
//! 9. Every channel with money has a lead and MQL target (and so, by 5, an owner);
//!    organic sources come with their own targets from stage 7.
//! 10. Each figure is stated once: no month, channel target, campaign or person twice.
//! 11. Hours agree between sections: each person's content hours in the resource plan
//!     are the hours of the pieces the content plan assigns them.
//! 12. Money is stated to the cent: no budget, cost, target or milestone carries a
//!     fraction of a cent.
//! 13. Each key figure has one value across the rendered document ([`stated_once`]).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::ledger::{CHANNEL_METRICS, MONEY_METRICS, PlanFigures};
use crate::report::{count, money};

/// One broken invariant, with the figures that break it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    BudgetDoesNotBalance {
        channels: f64,
        reserve: f64,
        unallocated: f64,
        total: f64,
    },
    ReserveDoesNotBalance {
        committed: f64,
        funded_tests: f64,
        uncommitted: f64,
        reserve: f64,
    },
    CampaignsDoNotMatchChannel {
        channel: String,
        campaigns: f64,
        booked: f64,
        allocation: f64,
    },
    MilestonesDoNotAddUp {
        metric: String,
        months: f64,
        target: f64,
    },
    ChannelTargetsDoNotAddUp {
        metric: String,
        channels: f64,
        target: f64,
    },
    ChannelWithoutOwner {
        channel: String,
    },
    StartsTooEarly {
        what: String,
        name: String,
        start: NaiveDate,
        allowed: NaiveDate,
    },
    BriefTooEarly {
        piece: String,
        brief: NaiveDate,
        process_started: NaiveDate,
    },
    MilestoneMissing {
        metric: String,
        month: String,
    },
    ChannelWithoutTarget {
        channel: String,
    },
    StatedTwice {
        what: String,
        name: String,
    },
    HoursDoNotMatch {
        person: String,
        resource_plan: f64,
        content_plan: f64,
    },
    NotToTheCent {
        what: String,
        amount: f64,
    },
    StatedWithTwoValues {
        metric: String,
        values: Vec<String>,
    },
}

fn to_cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn amount(metric: &str, x: f64) -> String {
    if MONEY_METRICS.contains(&metric) {
        exact(x)
    } else {
        count(x.round().max(0.0) as usize)
    }
}

/// Money with cents when they matter: `$1,191,400.00` is shown as `$1,191,400`.
fn exact(x: f64) -> String {
    let c = to_cents(x);
    if c % 100 == 0 {
        money(x)
    } else {
        format!("{}.{:02}", money((c / 100) as f64), (c % 100).abs())
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BudgetDoesNotBalance {
                channels,
                reserve,
                unallocated,
                total,
            } => {
                write!(
                    f,
                    "the channels' budgets ({}) plus the test reserve ({})",
                    exact(*channels),
                    exact(*reserve)
                )?;
                if *unallocated != 0.0 {
                    write!(f, " plus the unallocated {}", exact(*unallocated))?;
                }
                write!(
                    f,
                    " make {}, not the total budget of {}",
                    exact(channels + reserve + unallocated),
                    exact(*total)
                )
            }
            Self::ReserveDoesNotBalance {
                committed,
                funded_tests,
                uncommitted,
                reserve,
            } => write!(
                f,
                "the reserve does not balance: {} committed (funded tests cost {}) plus {} uncommitted against a reserve of {}",
                exact(*committed),
                exact(*funded_tests),
                exact(*uncommitted),
                exact(*reserve)
            ),
            Self::CampaignsDoNotMatchChannel {
                channel,
                campaigns,
                booked,
                allocation,
            } => {
                write!(
                    f,
                    "{channel}: campaigns total {} against the channel's budget of {}",
                    exact(*campaigns),
                    exact(*allocation)
                )?;
                if booked > allocation {
                    write!(
                        f,
                        " — {} was booked last quarter, more than the allocation: stage 6 must keep the channel at or above its bookings",
                        exact(*booked)
                    )?;
                }
                Ok(())
            }
            Self::MilestonesDoNotAddUp {
                metric,
                months,
                target,
            } => write!(
                f,
                "the monthly {metric} milestones add up to {}, not the target of {}",
                amount(metric, *months),
                amount(metric, *target)
            ),
            Self::ChannelTargetsDoNotAddUp {
                metric,
                channels,
                target,
            } => write!(
                f,
                "the channels' {metric} targets add up to {}, not the target of {}",
                amount(metric, *channels),
                amount(metric, *target)
            ),
            Self::ChannelWithoutOwner { channel } => {
                write!(f, "{channel} has a target but no owner")
            }
            Self::StartsTooEarly {
                what,
                name,
                start,
                allowed,
            } => write!(
                f,
                "{what} \"{name}\" starts on {start}, before {allowed}, the first day the process allows (it is not booked)"
            ),
            Self::BriefTooEarly {
                piece,
                brief,
                process_started,
            } => write!(
                f,
                "content \"{piece}\" is briefed on {brief}, before planning started on {process_started}"
            ),
            Self::MilestoneMissing { metric, month } => write!(
                f,
                "the {metric} target has no milestone for {month}, so its months cannot add up to it"
            ),
            Self::ChannelWithoutTarget { channel } => {
                write!(f, "{channel} has a budget but no lead or MQL target")
            }
            Self::StatedTwice { what, name } => {
                write!(f, "the {what} \"{name}\" is stated twice")
            }
            Self::HoursDoNotMatch {
                person,
                resource_plan,
                content_plan,
            } => write!(
                f,
                "{person}: the resource plan counts {} h of content, the content plan assigns {} h",
                whole_hours(*resource_plan),
                whole_hours(*content_plan)
            ),
            Self::NotToTheCent { what, amount } => write!(
                f,
                "{what} is {amount}, a fraction of a cent: money is stated to the cent"
            ),
            Self::StatedWithTwoValues { metric, values } => write!(
                f,
                "the {metric} is stated as {} in the same document: one figure, one value",
                values.join(" and ")
            ),
        }
    }
}

/// Every broken invariant of `f`, in the order of the list above.
pub fn check(f: &PlanFigures) -> Vec<Violation> {
    let mut out = Vec::new();
    let b = &f.budget;
    let channels_cents: i64 = b.by_channel.values().map(|v| to_cents(*v)).sum();
    // Money is either allocated to channels or, before stage 6 runs, all unallocated.
    let partly_allocated = channels_cents != 0 && to_cents(b.unallocated) != 0;
    if channels_cents + to_cents(b.reserve) + to_cents(b.unallocated) != to_cents(b.total)
        || partly_allocated
    {
        out.push(Violation::BudgetDoesNotBalance {
            channels: channels_cents as f64 / 100.0,
            reserve: b.reserve,
            unallocated: b.unallocated,
            total: b.total,
        });
    }
    let funded: i64 = f
        .tests
        .iter()
        .filter(|t| t.funded)
        .map(|t| to_cents(t.cost))
        .sum();
    if to_cents(b.reserve_committed) != funded
        || to_cents(b.reserve_committed) + to_cents(b.reserve_uncommitted) != to_cents(b.reserve)
        || b.reserve_uncommitted < 0.0
    {
        out.push(Violation::ReserveDoesNotBalance {
            committed: b.reserve_committed,
            funded_tests: funded as f64 / 100.0,
            uncommitted: b.reserve_uncommitted,
            reserve: b.reserve,
        });
    }
    let mut by_channel: BTreeMap<&str, (i64, i64)> =
        b.by_channel.keys().map(|c| (c.as_str(), (0, 0))).collect();
    for c in &f.campaigns {
        let e = by_channel.entry(c.channel.as_str()).or_insert((0, 0));
        e.0 += to_cents(c.budget);
        if c.booked {
            e.1 += to_cents(c.budget);
        }
    }
    for (channel, (campaigns, booked)) in by_channel {
        let allocation = b.by_channel.get(channel).copied().unwrap_or(0.0);
        // A channel without a budget and without campaigns has nothing to match.
        if campaigns != to_cents(allocation) && !(campaigns == 0 && f.campaigns.is_empty()) {
            out.push(Violation::CampaignsDoNotMatchChannel {
                channel: channel.to_owned(),
                campaigns: campaigns as f64 / 100.0,
                booked: booked as f64 / 100.0,
                allocation,
            });
        }
    }
    for (metric, target) in &f.targets {
        let values: Vec<f64> = f
            .milestones
            .iter()
            .filter_map(|m| m.get(metric).and_then(serde_json::Value::as_f64))
            .collect();
        if values.is_empty() {
            continue;
        }
        let sum: f64 = values.iter().sum();
        if units(metric, sum) != units(metric, *target) {
            out.push(Violation::MilestonesDoNotAddUp {
                metric: metric.clone(),
                months: sum,
                target: *target,
            });
        }
    }
    if !f.channel_targets.is_empty() {
        for metric in CHANNEL_METRICS {
            let Some(target) = f.targets.get(metric) else {
                continue;
            };
            let sum: f64 = f
                .channel_targets
                .iter()
                .map(|c| if metric == "leads" { c.leads } else { c.mqls })
                .sum();
            if sum.round() != target.round() {
                out.push(Violation::ChannelTargetsDoNotAddUp {
                    metric: metric.to_owned(),
                    channels: sum,
                    target: *target,
                });
            }
        }
    }
    for c in &f.channel_targets {
        if c.owner.trim().is_empty() || c.owner == "unassigned" {
            out.push(Violation::ChannelWithoutOwner {
                channel: c.channel.clone(),
            });
        }
    }
    let allowed = f
        .approved_at
        .as_deref()
        .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
        .map_or(f.launch_from, |a| a.date_naive().max(f.launch_from));
    for c in f
        .campaigns
        .iter()
        .filter(|c| !c.booked && c.start < allowed)
    {
        out.push(Violation::StartsTooEarly {
            what: "campaign".into(),
            name: c.name.clone(),
            start: c.start,
            allowed,
        });
    }
    for t in f.tests.iter().filter(|t| t.funded && t.start < allowed) {
        out.push(Violation::StartsTooEarly {
            what: "test".into(),
            name: t.name.clone(),
            start: t.start,
            allowed,
        });
    }
    for p in f.content.iter().filter(|p| p.brief < f.process_started) {
        out.push(Violation::BriefTooEarly {
            piece: p.piece.clone(),
            brief: p.brief,
            process_started: f.process_started,
        });
    }
    complete_and_stated_once(f, &mut out);
    out
}

fn whole_hours(h: f64) -> String {
    if (h - h.round()).abs() < 0.05 {
        count(h.round().max(0.0) as usize)
    } else {
        format!("{h:.1}")
    }
}

/// Checks 8–12 (see the module).
fn complete_and_stated_once(f: &PlanFigures, out: &mut Vec<Violation>) {
    for metric in f.targets.keys() {
        for m in &f.milestones {
            if m.get(metric).and_then(serde_json::Value::as_f64).is_none() {
                out.push(Violation::MilestoneMissing {
                    metric: metric.clone(),
                    month: m
                        .get("month")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("a month")
                        .to_owned(),
                });
            }
        }
    }
    if !f.channel_targets.is_empty() {
        let with_money = f
            .budget
            .by_channel
            .iter()
            .filter(|(_, v)| to_cents(**v) > 0)
            .map(|(c, _)| c.as_str());
        let mut named = std::collections::BTreeSet::new();
        for channel in with_money {
            if named.insert(channel) && !f.channel_targets.iter().any(|t| t.channel == channel) {
                out.push(Violation::ChannelWithoutTarget {
                    channel: channel.to_owned(),
                });
            }
        }
    }
    let months = f.milestones.iter().filter_map(|m| m.get("month")?.as_str());
    let twice = [
        ("month", months.map(str::to_owned).collect::<Vec<_>>()),
        (
            "channel target",
            f.channel_targets
                .iter()
                .map(|c| c.channel.clone())
                .collect(),
        ),
        (
            "campaign",
            // Campaigns in a channel without budget are check 3's.
            f.campaigns
                .iter()
                .filter(|c| f.budget.by_channel.contains_key(&c.channel))
                .map(|c| c.name.clone())
                .collect(),
        ),
        ("person", f.hours.iter().map(|h| h.person.clone()).collect()),
    ];
    for (what, names) in twice {
        let mut seen = std::collections::BTreeSet::new();
        for name in names {
            if !seen.insert(name.clone()) {
                out.push(Violation::StatedTwice {
                    what: what.to_owned(),
                    name,
                });
            }
        }
    }
    if !f.hours.is_empty() {
        let mut assigned: BTreeMap<&str, f64> = BTreeMap::new();
        for p in &f.content {
            *assigned.entry(p.owner.as_str()).or_default() += p.hours;
        }
        for h in &f.hours {
            let content = assigned.remove(h.person.as_str()).unwrap_or(0.0);
            if (h.content_hours - content).abs() >= 0.05 {
                out.push(Violation::HoursDoNotMatch {
                    person: h.person.clone(),
                    resource_plan: h.content_hours,
                    content_plan: content,
                });
            }
        }
        for (person, content) in assigned {
            out.push(Violation::HoursDoNotMatch {
                person: person.to_owned(),
                resource_plan: 0.0,
                content_plan: content,
            });
        }
    }
    let b = &f.budget;
    let mut money: Vec<(String, f64)> = vec![
        ("the total budget".into(), b.total),
        ("the reserve".into(), b.reserve),
        ("the reserve's committed part".into(), b.reserve_committed),
        (
            "the reserve's uncommitted part".into(),
            b.reserve_uncommitted,
        ),
        ("the unallocated budget".into(), b.unallocated),
    ];
    money.extend(
        b.by_channel
            .iter()
            .map(|(c, v)| (format!("{c}'s budget"), *v)),
    );
    money.extend(
        f.campaigns
            .iter()
            .map(|c| (format!("campaign \"{}\"", c.name), c.budget)),
    );
    money.extend(
        f.tests
            .iter()
            .map(|t| (format!("test \"{}\"", t.name), t.cost)),
    );
    for metric in MONEY_METRICS {
        money.extend(
            f.targets
                .get(metric)
                .map(|v| (format!("the {metric} target"), *v)),
        );
        for m in &f.milestones {
            if let Some(v) = m.get(metric).and_then(serde_json::Value::as_f64) {
                let month = m
                    .get("month")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("");
                money.push((format!("the {month} {metric} milestone"), v));
            }
        }
    }
    for (what, amount) in money {
        if ((amount * 100.0) - (amount * 100.0).round()).abs() > 1e-6 {
            out.push(Violation::NotToTheCent { what, amount });
        }
    }
}

/// Check 13, on the rendered document: each key figure is stated with one value
/// wherever the plan quotes it (see [`super::stated`]).
pub fn stated_once(markdown: &str) -> Vec<Violation> {
    super::stated::contradictions(markdown)
        .into_iter()
        .map(|(metric, values)| Violation::StatedWithTwoValues { metric, values })
        .collect()
}

/// A metric's value in the unit it is compared in: cents for money, whole units for counts.
fn units(metric: &str, x: f64) -> i64 {
    if MONEY_METRICS.contains(&metric) {
        to_cents(x)
    } else {
        x.round() as i64
    }
}

#[cfg(test)]
mod extended_tests;
#[cfg(test)]
mod tests;
