//! Structured amendments applied as overrides, and the figures a plan version states.
//!
//! Every computation of a stage applies all of the run's amendments (oldest first) to
//! what that stage reads or hands on, so version N+1 is the same computation as version
//! N with the stakeholders' changes on top:
//! - `reserve_share`, `total`, `target`: rewritten into `objectives.toml` before any
//!   stage reads it (stages 6 and 7 then compute from the amended file);
//! - `hold_back`, `move_money`, `set_channel`: applied to stage 6's allocation after the
//!   optimiser, money to the cent, each changed channel's expected revenue re-read from
//!   its response curve; the total never changes, the reserve absorbs the difference;
//! - `move_campaign`, `reown_campaign`: applied to stage 8's campaigns.
//!
//! [`plan_figures`] collects the numbers a plan version states from stages 6–8's
//! handoffs, with a digest: two versions with the same digest differ only in wording.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use quarterdeck_analyses::quarter_plan::rounding::{from_cents, to_cents};
use sha2::{Digest, Sha256};

use super::handoff::{BudgetHandoff, CalendarHandoff, GoalsHandoff, HeldBack};
use super::{StageError, StageInputs, StageOutput};
use crate::domain::{
    AMENDABLE_TARGETS, Amendment, AmendmentKind, CampaignFigures, MonthMilestone, PlanFigures,
};

const OBJECTIVES: &str = "objectives.toml";

/// The inputs with `objectives.toml` rewritten by the run's objective-level amendments,
/// or `None` when there are none (or no objectives file).
pub fn amend_inputs(inputs: &StageInputs) -> Result<Option<StageInputs>, StageError> {
    let overrides: Vec<&AmendmentKind> = inputs
        .run
        .amendments
        .iter()
        .map(|a| &a.kind)
        .filter(|k| {
            matches!(
                k,
                AmendmentKind::ReserveShare { .. }
                    | AmendmentKind::Total { .. }
                    | AmendmentKind::Target { .. }
            )
        })
        .collect();
    let Some(text) = inputs.data.text(OBJECTIVES)? else {
        return Ok(None);
    };
    if overrides.is_empty() {
        return Ok(None);
    }
    let origin = inputs
        .data
        .origin(OBJECTIVES)
        .unwrap_or(OBJECTIVES)
        .to_owned();
    let bad = |message: String| StageError::BadFile {
        file: origin.clone(),
        message,
    };
    let mut doc: toml::Table = text.parse().map_err(|e| bad(format!("{e}")))?;
    for k in overrides {
        match k {
            AmendmentKind::ReserveShare { share } => {
                doc.insert("reserve_share".into(), toml::Value::Float(*share));
                doc.insert(
                    "allow_reserve_outside_range".into(),
                    toml::Value::Boolean(true),
                );
            }
            AmendmentKind::Total { amount } => {
                doc.insert("total_budget".into(), toml::Value::Float(*amount));
            }
            AmendmentKind::Target { metric, value } => {
                if let Some((_, key)) = AMENDABLE_TARGETS.iter().find(|(m, _)| m == metric) {
                    doc.insert((*key).into(), toml::Value::Float(*value));
                }
            }
            _ => {}
        }
    }
    let mut amended = inputs.clone();
    amended.data.insert(
        OBJECTIVES,
        format!("{origin} (with the run's amendments)"),
        toml::to_string(&doc)
            .map_err(|e| bad(e.to_string()))?
            .into_bytes(),
    );
    Ok(Some(amended))
}

/// Applies the budget-level amendments to stage 6's handoff: the money only (channels,
/// reserve, allocatable); stage 6 then prices the moved split (revenue, marginal ROI,
/// confidence, outlook, test) as it priced the optimiser's. Returns a line per amendment
/// saying which figures it moved.
pub fn amend_budget(h: &mut BudgetHandoff, amendments: &[Amendment]) -> Vec<String> {
    let mut lines = Vec::new();
    for a in amendments {
        let before: BTreeMap<String, i64> = h
            .channels
            .iter()
            .map(|c| (c.channel.clone(), to_cents(c.spend)))
            .collect();
        let reserve_before = to_cents(h.reserve);
        let cents = |h: &BudgetHandoff, ch: &str| {
            h.channels
                .iter()
                .find(|c| c.channel == ch)
                .map(|c| to_cents(c.spend))
        };
        // Why an amendment moved less than it asked, if it did.
        let mut short = None;
        let mut held_back = None;
        // (channel, change in cents); the reserve takes minus their sum.
        let changes: Vec<(String, i64)> = match &a.kind {
            // Money already booked into the quarter stays with its channel (stage 10
            // refuses a channel below its bookings), so at most the rest is held back.
            AmendmentKind::HoldBack { channel, share } => {
                match h.channels.iter().find(|c| &c.channel == channel) {
                    Some(c) => {
                        let spend = to_cents(c.spend);
                        let asked = (spend as f64 * share).round() as i64;
                        let free = (spend - to_cents(c.booked)).max(0);
                        let held = asked.min(free);
                        let booked = format!(
                            "{} of {}'s {} is already booked into the quarter and stays \
                             with it",
                            crate::report::cents(c.booked),
                            crate::report::label(channel),
                            crate::report::cents(c.spend)
                        );
                        let asked_money = crate::report::cents(from_cents(asked));
                        if held == 0 && asked > 0 {
                            short = Some(format!(
                                "none of the {asked_money} asked could be held back: {booked}"
                            ));
                        } else if held < asked {
                            short = Some(format!(
                                "held back {} of the {asked_money} asked: {booked}",
                                crate::report::cents(from_cents(held)),
                            ));
                        }
                        if held > 0 {
                            held_back = Some(HeldBack {
                                channel: channel.clone(),
                                share: *share,
                                amount: from_cents(held),
                                revenue_if_released: 0.0,
                                by: a.by.name.clone(),
                                group: a.group.clone(),
                            });
                        }
                        vec![(channel.clone(), -held)]
                    }
                    None => continue,
                }
            }
            AmendmentKind::MoveMoney { from, to, amount } => match (cents(h, from), cents(h, to)) {
                (Some(f), Some(_)) => {
                    let moved = to_cents(*amount).min(f);
                    vec![(from.clone(), -moved), (to.clone(), moved)]
                }
                _ => continue,
            },
            AmendmentKind::SetChannel { channel, amount } => match cents(h, channel) {
                Some(c) => {
                    let raise = (to_cents(*amount) - c).min(to_cents(h.reserve));
                    vec![(channel.clone(), raise)]
                }
                None => continue,
            },
            _ => continue,
        };
        let mut net = 0;
        for (ch, delta) in &changes {
            if let Some(c) = h.channels.iter_mut().find(|c| &c.channel == ch) {
                c.spend = from_cents(to_cents(c.spend) + delta);
                net += delta;
            }
        }
        h.reserve = from_cents(to_cents(h.reserve) - net);
        h.allocatable = from_cents(to_cents(h.allocatable) + net);
        h.held_back.extend(held_back);
        let mut moved: Vec<String> = h
            .channels
            .iter()
            .filter_map(|c| {
                let was = *before.get(&c.channel)?;
                (was != to_cents(c.spend)).then(|| {
                    // Default display names: the line is written where the team's
                    // overrides are not at hand (stage 6's amendment step).
                    format!(
                        "{} {} → {}",
                        crate::report::label(&c.channel),
                        crate::report::cents(from_cents(was)),
                        crate::report::cents(c.spend)
                    )
                })
            })
            .collect();
        if reserve_before != to_cents(h.reserve) {
            moved.push(format!(
                "reserve {} → {}",
                crate::report::cents(from_cents(reserve_before)),
                crate::report::cents(h.reserve)
            ));
        }
        if moved.is_empty() {
            moved.push("nothing moved".into());
        }
        lines.push(format!(
            "{} ({}, {}): {}{}",
            a.kind.describe(),
            a.by.name,
            a.group,
            moved.join("; "),
            short.map_or_else(String::new, |s| format!(" ({s})"))
        ));
    }
    lines
}

/// Applies the campaign amendments to stage 8's handoff; `last` is the quarter's last
/// day. Returns a line per amendment applied.
pub fn amend_calendar(
    h: &mut CalendarHandoff,
    amendments: &[Amendment],
    last: NaiveDate,
) -> Vec<String> {
    let mut lines = Vec::new();
    for a in amendments {
        match &a.kind {
            AmendmentKind::MoveCampaign { campaign, start } => {
                if let Some(c) = h.campaigns.iter_mut().find(|c| &c.name == campaign) {
                    let length = c.end - c.start;
                    let was = c.start;
                    c.start = *start;
                    c.end = (*start + length).min(last).max(*start);
                    lines.push(format!(
                        "{}: {was} → {} to {}",
                        a.kind.describe(),
                        c.start,
                        c.end
                    ));
                }
            }
            AmendmentKind::ReownCampaign {
                campaign, owner, ..
            } => {
                if let Some(c) = h.campaigns.iter_mut().find(|c| &c.name == campaign) {
                    lines.push(format!("{}: was {}", a.kind.describe(), c.owner));
                    c.owner = owner.clone();
                }
            }
            _ => {}
        }
    }
    lines
}

/// Adds the amendments' effect to a stage's post, so the post says why its figures
/// differ from the previous version's.
pub fn note_on(out: &mut StageOutput, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    // In the findings too, so the plan can say what each change request did.
    if let Some(findings) = out.findings.as_object_mut() {
        findings.insert(APPLIED.into(), serde_json::json!(lines));
    }
    out.result
        .message
        .body
        .push_str("\n\n**Amendments applied:**");
    for l in lines {
        out.result.message.body.push_str(&format!("\n- {l}"));
    }
}

/// The findings key under which a stage lists the amendment lines it applied.
pub const APPLIED: &str = "amendments_applied";

/// The figures the plan states, from stages 6–8's handoffs; `None` without stage 6.
pub fn plan_figures(inputs: &StageInputs) -> Option<PlanFigures> {
    let budget = inputs.handoff::<BudgetHandoff>(6)?;
    let goals = inputs.handoff::<GoalsHandoff>(7);
    let calendar = inputs.handoff::<CalendarHandoff>(8);
    let mut f = PlanFigures {
        total: budget.total,
        reserve: budget.reserve,
        budget_by_channel: budget
            .channels
            .iter()
            .map(|c| (c.channel.clone(), c.spend))
            .collect(),
        targets: goals
            .as_ref()
            .map(|g| {
                g.targets
                    .iter()
                    .filter(|t| t.metric != "brand")
                    .map(|t| (t.metric.clone(), t.value))
                    .collect()
            })
            .unwrap_or_default(),
        milestones: goals
            .as_ref()
            .map(|g| {
                g.milestones
                    .iter()
                    .map(|m| MonthMilestone {
                        month: m.month.clone(),
                        mqls: m.mqls,
                        pipeline: m.pipeline,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        campaigns: calendar
            .map(|c| {
                c.campaigns
                    .into_iter()
                    .map(|p| CampaignFigures {
                        booked: p.kind == "booked",
                        name: p.name,
                        channel: p.channel,
                        budget: p.budget,
                        start: p.start,
                        end: p.end,
                        owner: p.owner,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        digest: String::new(),
    };
    f.digest = digest(&f);
    Some(f)
}

/// SHA-256 of the figures (money to the cent), without the digest itself.
pub fn digest(f: &PlanFigures) -> String {
    let cents = |x: f64| to_cents(x);
    let canonical = serde_json::json!({
        "total": cents(f.total),
        "reserve": cents(f.reserve),
        "by_channel": f.budget_by_channel.iter().map(|(k, v)| (k.clone(), cents(*v))).collect::<BTreeMap<_, _>>(),
        "targets": f.targets.iter().map(|(k, v)| (k.clone(), cents(*v))).collect::<BTreeMap<_, _>>(),
        "milestones": f.milestones.iter().map(|m| (m.month.clone(), cents(m.mqls), cents(m.pipeline))).collect::<Vec<_>>(),
        "campaigns": f.campaigns.iter().map(|c| (c.name.clone(), c.channel.clone(), cents(c.budget), c.start, c.end, c.owner.clone())).collect::<Vec<_>>(),
    });
    format!("{:x}", Sha256::digest(canonical.to_string().as_bytes()))
}

#[cfg(test)]
mod tests;
