//! The live approval tally of a plan version: posted once with the approval request, then
//! edited in place after every decision on that version (one message, never one per
//! verdict). Each edit is its own outbox row naming the tally's key; the dispatcher
//! replaces that message, so a redelivered edit only writes the same content again.

use super::stage_key;
use super::stages::APPROVAL_STAGE;
use crate::domain::QuarterRun;
use crate::notice::{TallyDecision, TallyGroup};
use crate::{Decision, Notice, PlanContext};

/// The outbox key of version `version`'s tally message.
pub(super) fn key(run: &QuarterRun, version: u32) -> String {
    stage_key(run, APPROVAL_STAGE, &format!("tally/v{version}"))
}

/// The tally of `version` as the run now stands.
pub(super) fn notice(run: &QuarterRun, ctx: &PlanContext, version: u32, approved: bool) -> Notice {
    let groups = ctx
        .stakeholders
        .iter()
        .map(|g| TallyGroup {
            label: g.label.clone(),
            needed: g.needed(),
            decisions: run
                .approvals
                .iter()
                .filter(|a| a.version == version && a.group == g.group)
                .map(|a| TallyDecision {
                    actor: a.actor.name.clone(),
                    verdict: a.verdict,
                    note: a.note.clone(),
                    carried_from: a.carried_from,
                })
                .collect(),
        })
        .collect();
    Notice::ApprovalTally {
        version,
        groups,
        approved,
    }
}

/// Posts the (empty) tally of the latest version, under its approval request.
pub(super) fn post(d: &mut Decision, ctx: &PlanContext, version: u32) {
    let n = notice(&d.run, ctx, version, false);
    d.post(key(&d.run, version), &ctx.channels.approvals, n);
}

/// Edits `version`'s tally to the run's decisions. The edit's key counts the decisions
/// on the version, so each decision makes exactly one edit.
pub(super) fn edit(d: &mut Decision, ctx: &PlanContext, version: u32, approved: bool) {
    let decided = d
        .run
        .approvals
        .iter()
        .filter(|a| a.version == version)
        .count();
    let target = key(&d.run, version);
    let n = notice(&d.run, ctx, version, approved);
    d.edit(
        format!("{target}/edit/{decided}"),
        &ctx.channels.approvals,
        target,
        n,
    );
}
