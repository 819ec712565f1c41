//! Stage 11, stakeholder approval. Each configured group must reach its quorum (any
//! one, N, or all listed members) of approvals on the same (latest) plan version with no
//! rejection of that version; with `approval_order = "sequential"` a group decides only
//! after the groups before it reached theirs. Only holders of a group's roles may speak
//! for it; the plan's owner may not approve their own plan unless configured.
//!
//! A change request with text only goes to the owner of the plan section, who answers
//! with a structured amendment ([`amend`]). A structured amendment is recorded on the
//! run, the stage it touches and every dependent compute again, and stage 10 makes
//! version N+1; approvals are bound to the figures: when N+1 states the same figures as
//! N (a cosmetic change), N's approvals carry over, otherwise the review starts again.
//! Reminders climb a ladder: a direct message to the group's members, its roles in the
//! channel, then its backup approver.

use chrono::{DateTime, Utc};

use super::stage_key;
use super::stages::{APPROVAL_STAGE, KICKOFF_STAGE, advance, recompute_from};
use super::tally;
use crate::domain::{
    Actor, Amendment, AmendmentKind, Approval, QuarterRun, RunStatus, StageId, StageStatus, Verdict,
};
use crate::notice::{Action, AmendmentLine, Awaited, Figure, FigureMove, GroupAsk};
use crate::settings::{ApprovalOrder, StakeholderGroup};
use crate::{Decision, Event, Job, MissedPolicy, Notice, PlanContext, Rejection};

/// Opens the review on the latest plan version.
pub(super) fn open(d: &mut Decision, ctx: &PlanContext, _now: DateTime<Utc>) {
    if let Some(s) = d.run.stage_mut(APPROVAL_STAGE) {
        s.status = StageStatus::InReview;
    }
    d.run.status = RunStatus::AwaitingApproval;
    super::deadline::schedule(d, ctx, _now);
    request(d, ctx, _now);
}

/// Posts the approval request for the latest version and schedules its reminders.
pub(super) fn request(d: &mut Decision, ctx: &PlanContext, now: DateTime<Utc>) {
    let Some(plan) = d.run.latest_plan().cloned() else {
        return;
    };
    let groups = ctx
        .stakeholders
        .iter()
        .map(|g| GroupAsk {
            label: g.label.clone(),
            roles: g.role_ids.clone(),
            quorum: g.quorum.to_string(),
        })
        .collect();
    let amendments = plan
        .amendments
        .iter()
        .map(|a| AmendmentLine {
            describe: a.kind.describe(),
            by: a.by.name.clone(),
            group: a.group.clone(),
        })
        .collect();
    let previous = d
        .run
        .plan_versions
        .iter()
        .rev()
        .nth(1)
        .and_then(|p| p.figures.as_ref());
    let moved = plan
        .figures
        .as_ref()
        .zip(previous)
        .map(|(now_f, prev_f)| (plan.version - 1, figures_diff(prev_f, now_f)));
    let notice = Notice::ApprovalRequest {
        version: plan.version,
        reason: plan.reason.clone(),
        hash: plan.hash.clone(),
        groups,
        deadline: ctx.plan_deadline,
        actions: approval_actions(&d.run.id, plan.version),
        amendments,
        moved,
    };
    let key = stage_key(
        &d.run,
        APPROVAL_STAGE,
        &format!("request/v{}", plan.version),
    );
    d.post(key, &ctx.channels.approvals, notice);
    tally::post(d, ctx, plan.version);
    for (step, hours) in (1u32..).zip(&ctx.people.approval_reminder_hours) {
        let at = business_hours(ctx, now + chrono::Duration::hours(i64::from(*hours)));
        d.schedule(
            format!("{}/s11/remind/v{}/{step}", d.run.id, plan.version),
            at,
            Job::Deliver {
                event: Box::new(Event::ApprovalReminder {
                    version: plan.version,
                    step,
                }),
            },
            MissedPolicy::SkipAfterGrace,
        );
    }
}

/// The figures that differ between two versions (to the cent), in the order the plan
/// states them: total, reserve, channels, targets, then campaigns' start and owner.
fn figures_diff(a: &crate::domain::PlanFigures, b: &crate::domain::PlanFigures) -> Vec<FigureMove> {
    let mut out = Vec::new();
    let cents = |x: f64| (x * 100.0).round() as i64;
    let mut amount = |what: Figure, from: f64, to: f64| {
        if cents(from) != cents(to) {
            out.push(FigureMove::Amount { what, from, to });
        }
    };
    amount(Figure::Total, a.total, b.total);
    amount(Figure::Reserve, a.reserve, b.reserve);
    for (ch, y) in &b.budget_by_channel {
        amount(
            Figure::Channel(ch.clone()),
            a.budget_by_channel.get(ch).copied().unwrap_or(0.0),
            *y,
        );
    }
    for (m, y) in &b.targets {
        amount(
            Figure::Target(m.clone()),
            a.targets.get(m).copied().unwrap_or(0.0),
            *y,
        );
    }
    for c in &b.campaigns {
        if let Some(o) = a.campaigns.iter().find(|o| o.name == c.name)
            && (o.start != c.start || o.owner != c.owner)
        {
            out.push(FigureMove::Campaign {
                name: c.name.clone(),
                from: (o.start, o.owner.clone()),
                to: (c.start, c.owner.clone()),
            });
        }
    }
    out
}

/// `at`, moved to 09:00 local on the next working weekday when outside 09:00–17:00
/// Monday to Friday (reminders never wake people up).
fn business_hours(ctx: &PlanContext, at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::{Datelike, TimeZone, Timelike, Weekday};
    let local = at.with_timezone(&ctx.tz);
    let weekend = |d: chrono::NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    if !weekend(local.date_naive()) && (9..17).contains(&local.hour()) {
        return at;
    }
    let mut day = local.date_naive();
    if local.hour() >= 17 || weekend(day) {
        day = day.succ_opt().unwrap_or(day);
    }
    while weekend(day) {
        day = day.succ_opt().unwrap_or(day);
    }
    let nine = day.and_hms_opt(9, 0, 0).unwrap_or_default();
    ctx.tz
        .from_local_datetime(&nine)
        .earliest()
        .map_or(at, |t| t.with_timezone(&Utc))
}

/// The actions of an approval request's buttons. They carry the run and version only;
/// the group is decided from the clicking member's roles.
pub fn approval_actions(run_id: &str, version: u32) -> Vec<Action> {
    ["approve", "request_changes", "reject"]
        .into_iter()
        .map(|verb| Action::Verdict {
            verb,
            run: run_id.to_owned(),
            version,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn verdict(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    group: &str,
    verdict: Verdict,
    version: u32,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    let g = ctx
        .stakeholders
        .iter()
        .find(|g| g.group == group)
        .ok_or_else(|| Rejection::UnknownGroup(group.to_owned()))?;
    if !actor.has_any_role(&g.role_ids) {
        return Err(Rejection::NotAuthorized {
            actor: actor.name.clone(),
            action: format!("{} for {}", verdict.as_str().replace('_', " "), g.label),
            needed: g.role_ids.join(", "),
        });
    }
    check_open(&d.run, version)?;
    check_order(&d.run, ctx, g, version)?;
    if verdict == Verdict::Approve
        && !ctx.people.allow_self_approval
        && ctx.people.plan_owner_id.as_deref() == Some(actor.id.as_str())
    {
        return Err(Rejection::NotAuthorized {
            actor: actor.name.clone(),
            action: format!("approve their own plan for {}", g.label),
            needed: "another member of the group (self-approval is off)".into(),
        });
    }
    if d.run
        .approvals
        .iter()
        .any(|a| a.version == version && a.group == group && a.actor.id == actor.id)
    {
        return Err(Rejection::Duplicate(format!(
            "{}'s decision for {} on v{version}",
            actor.name, g.label
        )));
    }
    if verdict == Verdict::RequestChanges && note.is_none_or(|n| n.trim().is_empty()) {
        return Err(Rejection::Invalid(
            "a change request needs a note saying what to change".into(),
        ));
    }
    d.run.approvals.push(Approval {
        group: group.to_owned(),
        actor: actor.clone(),
        verdict,
        version,
        at: now,
        note: note.map(str::to_owned),
        carried_from: None,
    });
    d.audit(
        actor,
        verdict.as_str(),
        format!(
            "{} on v{version}{}",
            g.label,
            note.map(|n| format!(": {n}")).unwrap_or_default()
        ),
    );
    let answered_by = if verdict == Verdict::RequestChanges {
        // Text only: the plan's owner group answers with a structured amendment.
        d.run.pending_changes.push(format!(
            "{} ({}): {}",
            actor.name,
            g.label,
            note.unwrap_or_default()
        ));
        Some(owner_group(ctx, StageId::PlanDocument).map(|o| o.role_ids.clone()))
    } else {
        None
    };
    if let Some(answered_by) = answered_by {
        // A change request asks the plan's owners to act: a post that names them. Other
        // verdicts are confirmed by the tally alone.
        let key = stage_key(
            &d.run,
            APPROVAL_STAGE,
            &format!("verdict/v{version}/{group}/{}", actor.id),
        );
        d.post(
            key,
            &ctx.channels.approvals,
            Notice::Verdict {
                version,
                group: g.label.clone(),
                actor: actor.name.clone(),
                verdict,
                note: note.map(str::to_owned),
                answered_by,
            },
        );
    }
    let approved = verdict == Verdict::Approve && quorum_reached(&d.run, ctx, version);
    tally::edit(d, ctx, version, approved);
    if approved {
        approve(d, ctx, version, now);
    }
    Ok(())
}

/// The review is open on `version`, which is the latest, and no stage is revising it.
fn check_open(run: &QuarterRun, version: u32) -> Result<(), Rejection> {
    if run.stage(APPROVAL_STAGE).map(|s| s.status) != Some(StageStatus::InReview) {
        return Err(Rejection::NotNow("no plan is out for approval".into()));
    }
    let latest = run.latest_plan().map_or(0, |p| p.version);
    if version != latest {
        return Err(Rejection::StaleVersion { version, latest });
    }
    if revising(run) {
        return Err(Rejection::NotNow(format!(
            "plan v{} is being revised; wait for the new version",
            latest + 1
        )));
    }
    Ok(())
}

/// Some planning stage is computing again (a re-run or an amendment).
pub(super) fn revising(run: &QuarterRun) -> bool {
    run.stages.iter().any(|s| {
        s.number < APPROVAL_STAGE
            && (s.stale || matches!(s.status, StageStatus::Running | StageStatus::Waiting))
    })
}

/// In sequential order, every group before `g` has reached its quorum on `version`.
fn check_order(
    run: &QuarterRun,
    ctx: &PlanContext,
    g: &StakeholderGroup,
    version: u32,
) -> Result<(), Rejection> {
    if ctx.people.approval_order != ApprovalOrder::Sequential {
        return Ok(());
    }
    for earlier in ctx.stakeholders.iter().take_while(|o| o.group != g.group) {
        if !group_done(run, earlier, version) {
            return Err(Rejection::NotNow(format!(
                "approval runs in order; {} decides first",
                earlier.label
            )));
        }
    }
    Ok(())
}

/// The group that owns stage `id`'s content (the registry's `owner_group`).
fn owner_group(ctx: &PlanContext, id: StageId) -> Option<&StakeholderGroup> {
    ctx.stakeholders
        .iter()
        .find(|g| g.group == id.spec().owner_group)
}

pub(super) fn group_done(run: &QuarterRun, g: &StakeholderGroup, version: u32) -> bool {
    let mut actors: Vec<&str> = run
        .approvals
        .iter()
        .filter(|a| a.version == version && a.group == g.group && a.verdict == Verdict::Approve)
        .map(|a| a.actor.id.as_str())
        .filter(|id| {
            // With quorum "all", only listed members count.
            g.members.is_empty() || g.members.iter().any(|m| m.id == *id)
        })
        .collect();
    actors.sort_unstable();
    actors.dedup();
    actors.len() >= g.needed()
}

fn quorum_reached(run: &QuarterRun, ctx: &PlanContext, version: u32) -> bool {
    if run
        .approvals
        .iter()
        .any(|a| a.version == version && a.verdict != Verdict::Approve)
    {
        return false;
    }
    ctx.stakeholders.iter().all(|g| group_done(run, g, version))
}

/// After a new version: a cosmetic change (the same figures as the version before)
/// keeps the approvals given to that version.
pub(super) fn carry_over(d: &mut Decision, ctx: &PlanContext, now: DateTime<Utc>) {
    let n = d.run.plan_versions.len();
    if n < 2 {
        return;
    }
    let (prev, latest) = (&d.run.plan_versions[n - 2], &d.run.plan_versions[n - 1]);
    let same = match (&prev.figures, &latest.figures) {
        (Some(a), Some(b)) => a.digest == b.digest,
        _ => false,
    };
    if !same
        || d.run
            .approvals
            .iter()
            .any(|a| a.version == prev.version && a.verdict != Verdict::Approve)
    {
        return;
    }
    let (from, to) = (prev.version, latest.version);
    let carried: Vec<Approval> = d
        .run
        .approvals
        .iter()
        .filter(|a| a.version == from)
        .map(|a| Approval {
            version: to,
            carried_from: Some(a.carried_from.unwrap_or(from)),
            at: now,
            ..a.clone()
        })
        .collect();
    if carried.is_empty() {
        return;
    }
    d.run.approvals.extend(carried);
    d.audit(
        &Actor::system(),
        "approvals_carried_over",
        format!("v{to} states the same figures as v{from}; its approvals stand"),
    );
    let approved = quorum_reached(&d.run, ctx, to);
    tally::edit(d, ctx, to, approved);
    if approved {
        approve(d, ctx, to, now);
    }
}

/// A structured amendment: a stakeholder's change request, or the section owner's answer
/// to a text-only one. Recorded on the run; the stages it touches compute again.
#[allow(clippy::too_many_arguments)]
pub(super) fn amend(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    group: &str,
    version: u32,
    kind: &AmendmentKind,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    let g = ctx
        .stakeholders
        .iter()
        .find(|g| g.group == group)
        .ok_or_else(|| Rejection::UnknownGroup(group.to_owned()))?;
    let first = kind.first_stage();
    let owner = owner_group(ctx, first);
    let member = actor.has_any_role(&g.role_ids);
    let section_owner = owner.is_some_and(|o| actor.has_any_role(&o.role_ids))
        || actor.has_any_role(&ctx.roles.run_stages);
    if !member && !section_owner {
        return Err(Rejection::NotAuthorized {
            actor: actor.name.clone(),
            action: format!("amend the plan for {}", g.label),
            needed: g.role_ids.join(", "),
        });
    }
    check_open(&d.run, version)?;
    if let Some(figures) = d.run.latest_plan().and_then(|p| p.figures.as_ref()) {
        kind.check(figures)
            .map_err(|e| Rejection::Invalid(format!("{} amendment: {e}", kind.name())))?;
    }
    let describe = kind.describe();
    let asks = member
        && !d
            .run
            .approvals
            .iter()
            .any(|a| a.version == version && a.group == group && a.actor.id == actor.id);
    if asks {
        d.run.approvals.push(Approval {
            group: group.to_owned(),
            actor: actor.clone(),
            verdict: Verdict::RequestChanges,
            version,
            at: now,
            note: Some(note.map_or_else(|| describe.clone(), |n| format!("{describe} — {n}"))),
            carried_from: None,
        });
    }
    d.run.amendments.push(Amendment {
        kind: kind.clone(),
        by: actor.clone(),
        group: group.to_owned(),
        on_version: version,
        at: now,
        note: note.map(str::to_owned),
    });
    d.run
        .pending_changes
        .push(format!("{} ({}): {describe}", actor.name, g.label));
    d.audit(
        actor,
        if asks { "request_changes" } else { "amend" },
        format!(
            "{} on v{version}: {}",
            g.label,
            serde_json::to_string(kind).unwrap_or_default()
        ),
    );
    recompute_from(d, ctx, first.number(), now);
    let stages = std::iter::once(first)
        .chain(first.dependents_closure())
        .filter(|s| s.number() < APPROVAL_STAGE)
        .map(StageId::number)
        .collect();
    let key = stage_key(
        &d.run,
        APPROVAL_STAGE,
        &format!("amend/v{version}/{}/{}", d.run.amendments.len(), actor.id),
    );
    d.post(
        key,
        &ctx.channels.approvals,
        Notice::Amendment {
            version,
            actor: actor.name.clone(),
            group: g.label.clone(),
            describe,
            note: note.map(str::to_owned),
            stages,
        },
    );
    if asks {
        tally::edit(d, ctx, version, false);
    }
    Ok(())
}

/// The rung of the escalation ladder a reminder step stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rung {
    /// A direct message to each configured member of a pending group who has not decided
    /// (the group's roles in the channel when it lists no members).
    Direct,
    /// The pending groups' roles, in the approvals channel.
    Channel,
    /// Each pending group's backup approver (its roles when it has none).
    Backup,
}

impl Rung {
    /// Step 1 is the direct message; the last of two or more steps the backup; the
    /// steps between mention the groups in the channel.
    fn of(step: u32, steps: u32) -> Self {
        if step <= 1 {
            Self::Direct
        } else if step >= steps {
            Self::Backup
        } else {
            Self::Channel
        }
    }
}

/// Reminds the groups that have not decided on `version`, one rung of the ladder per
/// step: their members by direct message, then their roles in the channel, then each
/// group's backup approver.
pub(super) fn remind(
    d: &mut Decision,
    ctx: &PlanContext,
    version: u32,
    step: u32,
) -> Result<(), Rejection> {
    if d.run.stage(APPROVAL_STAGE).map(|s| s.status) != Some(StageStatus::InReview)
        || d.run.latest_plan().map(|p| p.version) != Some(version)
    {
        return Ok(());
    }
    let pending: Vec<&StakeholderGroup> = ctx
        .stakeholders
        .iter()
        .filter(|g| {
            !group_done(&d.run, g, version)
                && !d.run.approvals.iter().any(|a| {
                    a.version == version && a.group == g.group && a.verdict != Verdict::Approve
                })
        })
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let steps = u32::try_from(ctx.people.approval_reminder_hours.len()).unwrap_or(1);
    let rung = Rung::of(step, steps);
    let group_roles = |g: &StakeholderGroup| Awaited::Group {
        label: g.label.clone(),
        roles: g.role_ids.clone(),
    };
    let mut in_channel = Vec::new();
    for g in pending {
        match (rung, &g.backup_id) {
            (Rung::Direct, _) => {
                let undecided: Vec<_> = g
                    .members
                    .iter()
                    .filter(|m| {
                        !d.run.approvals.iter().any(|a| {
                            a.version == version && a.group == g.group && a.actor.id == m.id
                        })
                    })
                    .collect();
                if undecided.is_empty() {
                    in_channel.push(group_roles(g));
                }
                for m in undecided {
                    let key = stage_key(
                        &d.run,
                        APPROVAL_STAGE,
                        &format!("reminder/v{version}/{step}/{}/{}", g.group, m.id),
                    );
                    let notice = Notice::ApprovalReminder {
                        version,
                        awaited: vec![Awaited::Member {
                            label: g.label.clone(),
                            user: m.id.clone(),
                            name: m.name.clone(),
                        }],
                        deadline: ctx.plan_deadline,
                    };
                    d.post(key, &ctx.channels.approvals, notice);
                }
            }
            (Rung::Backup, Some(backup)) => in_channel.push(Awaited::Backup {
                label: g.label.clone(),
                user: backup.clone(),
            }),
            (Rung::Backup | Rung::Channel, _) => in_channel.push(group_roles(g)),
        }
    }
    if in_channel.is_empty() {
        return Ok(());
    }
    let key = stage_key(
        &d.run,
        APPROVAL_STAGE,
        &format!("reminder/v{version}/{step}"),
    );
    d.post(
        key,
        &ctx.channels.approvals,
        Notice::ApprovalReminder {
            version,
            awaited: in_channel,
            deadline: ctx.plan_deadline,
        },
    );
    Ok(())
}

fn approve(d: &mut Decision, ctx: &PlanContext, version: u32, now: DateTime<Utc>) {
    if let Some(s) = d.run.stage_mut(APPROVAL_STAGE) {
        s.status = StageStatus::Done;
        s.completed_at = Some(now);
        s.available = true;
        s.output_version += 1;
    }
    d.run.status = RunStatus::Approved;
    d.run.approved_version = Some(version);
    let hash = d
        .run
        .latest_plan()
        .map(|p| p.hash.clone())
        .unwrap_or_default();
    d.audit(
        &Actor::system(),
        "plan_approved",
        format!("v{version} approved by every group"),
    );
    let key = stage_key(&d.run, APPROVAL_STAGE, &format!("approved/v{version}"));
    d.post(
        key,
        &ctx.channels.approvals,
        Notice::PlanApproved {
            version,
            hash,
            kickoff_at: ctx
                .stage_due
                .get(usize::from(KICKOFF_STAGE) - 1)
                .copied()
                .unwrap_or(now),
        },
    );
    advance(d, ctx, now);
}
