//! The kickoff's alignment count: one message posted at kickoff listing the campaign
//! owners and who has acknowledged the plan, edited in place after each acknowledgement
//! (the aligned share, quoted from the run's one definition).

use super::stage_key;
use super::stages::KICKOFF_STAGE;
use crate::domain::QuarterRun;
use crate::{Decision, Notice, PlanContext};

/// The outbox key of the alignment message.
pub(super) fn key(run: &QuarterRun) -> String {
    stage_key(run, KICKOFF_STAGE, "aligned")
}

/// Each distinct owner on the roster (in roster order) and whether they acknowledged.
fn notice(run: &QuarterRun) -> Notice {
    let mut owners: Vec<(String, bool)> = Vec::new();
    for r in &run.roster {
        if owners.iter().any(|(name, _)| *name == r.owner) {
            continue;
        }
        let acked = run.kickoff.acknowledged.iter().any(|a| match &r.owner_id {
            Some(id) => a.id == *id,
            None => a.name == r.owner,
        });
        owners.push((r.owner.clone(), acked));
    }
    Notice::AlignedShare {
        version: run.approved_version.unwrap_or_default(),
        owners,
        share: run.aligned_share(),
    }
}

/// Posts the alignment message (nobody has acknowledged yet).
pub(super) fn post(d: &mut Decision, ctx: &PlanContext) {
    let n = notice(&d.run);
    d.post(key(&d.run), ctx.channels.for_stage(KICKOFF_STAGE), n);
}

/// Edits it to the acknowledgements so far; one edit per acknowledgement.
pub(super) fn edit(d: &mut Decision, ctx: &PlanContext) {
    let target = key(&d.run);
    let n = notice(&d.run);
    let k = d.run.kickoff.acknowledged.len();
    d.edit(
        format!("{target}/edit/{k}"),
        ctx.channels.for_stage(KICKOFF_STAGE),
        target,
        n,
    );
}
