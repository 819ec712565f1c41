//! Stage 11, stakeholder approval. Each configured group must reach its quorum of
//! approvals on the same (latest) plan version with no rejection of that version. A
//! change request records the request and recomputes the plan (stage 10), which makes a
//! new version and restarts the review on it; approvals of older versions do not carry
//! over. Only holders of a group's roles may speak for it.

use chrono::{DateTime, Utc};

use super::stage_key;
use super::stages::{APPROVAL_STAGE, PLAN_STAGE, advance, stage_name};
use crate::chat::{ButtonStyle, Message};
use crate::domain::{Actor, Approval, QuarterRun, RunStatus, StageStatus, Verdict};
use crate::engine::{Decision, Job, MissedPolicy, PlanContext, Rejection};

/// Opens the review on the latest plan version.
pub(super) fn open(d: &mut Decision, ctx: &PlanContext, _now: DateTime<Utc>) {
    if let Some(s) = d.run.stage_mut(APPROVAL_STAGE) {
        s.status = StageStatus::InReview;
    }
    d.run.status = RunStatus::AwaitingApproval;
    request(d, ctx);
}

/// Posts the approval request for the latest version.
pub(super) fn request(d: &mut Decision, ctx: &PlanContext) {
    let Some(plan) = d.run.latest_plan().cloned() else {
        return;
    };
    let groups: Vec<String> = ctx
        .stakeholders
        .iter()
        .map(|g| {
            format!(
                "{} (<@&{}>, {} needed)",
                g.label,
                g.role_ids.join(">, <@&"),
                g.quorum
            )
        })
        .collect();
    let mut msg = Message::new(
        format!("Stage 11 · Approve plan v{}", plan.version),
        format!(
            "Plan v{} is ready for approval ({}).\nHash `{}`.\n\nEach group approves, rejects or requests changes: \
             {}.\nA change request makes a new version that needs approval again. Deadline: {}.",
            plan.version,
            plan.reason,
            &plan.hash[..plan.hash.len().min(12)],
            groups.join("; "),
            ctx.local(ctx.plan_deadline),
        ),
    );
    msg.buttons = approval_buttons(&d.run.id, plan.version);
    let key = stage_key(
        &d.run,
        APPROVAL_STAGE,
        &format!("request/v{}", plan.version),
    );
    d.post(key, &ctx.channels.approvals, "approval_request", msg);
}

/// The buttons of an approval request. Their ids carry the run and version only; the
/// group is decided from the clicking member's roles.
pub fn approval_buttons(run_id: &str, version: u32) -> Vec<crate::chat::Button> {
    let b = |verb: &str, label: &str, style| crate::chat::Button {
        custom_id: format!("{verb}:{run_id}:{version}"),
        label: label.to_owned(),
        style,
    };
    vec![
        b("approve", "Approve", ButtonStyle::Success),
        b("request_changes", "Request changes", ButtonStyle::Secondary),
        b("reject", "Reject", ButtonStyle::Danger),
    ]
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
    if d.run.stage(APPROVAL_STAGE).map(|s| s.status) != Some(StageStatus::InReview) {
        return Err(Rejection::NotNow("no plan is out for approval".into()));
    }
    let latest = d.run.latest_plan().map_or(0, |p| p.version);
    if version != latest {
        return Err(Rejection::StaleVersion { version, latest });
    }
    if d.run.stage(PLAN_STAGE).map(|s| s.status) == Some(StageStatus::Running) {
        return Err(Rejection::NotNow(format!(
            "plan v{} is being revised; wait for the new version",
            latest + 1
        )));
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
    let what = match verdict {
        Verdict::Approve => "approved",
        Verdict::Reject => "rejected",
        Verdict::RequestChanges => "requested changes to",
    };
    let mut body = format!("{} ({}) {what} plan v{version}.", actor.name, g.label);
    if let Some(n) = note {
        body.push_str(&format!("\n> {n}"));
    }
    match verdict {
        Verdict::Approve => {}
        Verdict::Reject => body.push_str(
            "\nThe plan cannot be approved in this version; request changes with a note to revise it.",
        ),
        Verdict::RequestChanges => {
            body.push_str(&format!("\nPreparing plan v{} with this change.", version + 1));
            d.run.pending_changes.push(format!("{} ({}): {}", actor.name, g.label, note.unwrap_or_default()));
            restart_plan(d, now);
        }
    }
    let key = stage_key(
        &d.run,
        APPROVAL_STAGE,
        &format!("verdict/v{version}/{group}/{}", actor.id),
    );
    d.post(
        key,
        &ctx.channels.approvals,
        "approval_verdict",
        Message::new(format!("Plan v{version} · {}", g.label), body),
    );
    if verdict == Verdict::Approve && quorum_reached(&d.run, ctx, version) {
        approve(d, ctx, version, now);
    }
    Ok(())
}

fn restart_plan(d: &mut Decision, now: DateTime<Utc>) {
    let attempt = match d.run.stage_mut(PLAN_STAGE) {
        Some(s) => {
            s.status = StageStatus::Running;
            s.output_version + 1
        }
        None => return,
    };
    let id = format!("{}/compute/s{PLAN_STAGE:02}/v{attempt}", d.run.id);
    d.schedule(
        id,
        now,
        Job::Compute { stage: PLAN_STAGE },
        MissedPolicy::RunLate,
    );
}

fn quorum_reached(run: &QuarterRun, ctx: &PlanContext, version: u32) -> bool {
    let on_version = || run.approvals.iter().filter(move |a| a.version == version);
    if on_version().any(|a| a.verdict != Verdict::Approve) {
        return false;
    }
    ctx.stakeholders.iter().all(|g| {
        let mut actors: Vec<&str> = on_version()
            .filter(|a| a.group == g.group)
            .map(|a| a.actor.id.as_str())
            .collect();
        actors.sort_unstable();
        actors.dedup();
        actors.len() >= g.quorum as usize
    })
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
    let msg = Message::new(
        format!("Plan v{version} approved"),
        format!(
            "Every stakeholder group approved plan v{version} (hash `{}`). {} follows on {}.",
            &hash[..hash.len().min(12)],
            stage_name(12),
            ctx.local(ctx.stage_due.get(11).copied().unwrap_or(now)),
        ),
    );
    let key = stage_key(&d.run, APPROVAL_STAGE, &format!("approved/v{version}"));
    d.post(key, &ctx.channels.approvals, "plan_approved", msg);
    advance(d, ctx, now);
}
