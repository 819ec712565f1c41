//! `decide(run, context, event, now)`: the whole of the engine's judgement, as a pure
//! function. It never reads the clock, the database or the network; the same inputs
//! always give the same decision. Every transition it allows, and every refusal, is
//! tested in `tests.rs`.

mod aligned;
mod approval;
mod checkins;
mod deadline;
mod digest;
mod failures;
mod kickoff;
mod stages;
mod tally;
#[cfg(test)]
pub(super) mod tests;
mod zones;

use chrono::{DateTime, Utc};

use super::{Decision, Event, PlanContext, Rejection};
use crate::domain::QuarterRun;

pub use approval::approval_actions;
pub use digest::{locked_plan, pacing, week_digest};
pub use kickoff::{SuccessCriteria, approved_campaigns, launch_due, owns, slug, success_criteria};

/// Decides what `event` does to `run` at `now`.
pub fn decide(
    run: &QuarterRun,
    ctx: &PlanContext,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    let mut d = Decision::new(run.clone());
    match event {
        Event::StageDue { stage } => stages::due(&mut d, ctx, *stage, now)?,
        Event::StageComputed { stage, result } => {
            stages::computed(&mut d, ctx, *stage, result, now)?
        }
        Event::StageFailed { stage, error } => stages::failed(&mut d, ctx, *stage, error)?,
        Event::DataArrived { actor, file } => stages::data_arrived(&mut d, ctx, actor, file, now)?,
        Event::Rerun {
            actor,
            stage,
            reason,
        } => stages::rerun(&mut d, ctx, actor, *stage, reason, now)?,
        Event::RunStage { actor, stage } => stages::run_now(&mut d, ctx, actor, *stage, now)?,
        Event::Verdict {
            actor,
            group,
            verdict,
            version,
            note,
        } => approval::verdict(
            &mut d,
            ctx,
            actor,
            group,
            *verdict,
            *version,
            note.as_deref(),
            now,
        )?,
        Event::Amend {
            actor,
            group,
            version,
            amendment,
            note,
        } => approval::amend(
            &mut d,
            ctx,
            actor,
            group,
            *version,
            amendment,
            note.as_deref(),
            now,
        )?,
        Event::ApprovalReminder { version, step } => {
            approval::remind(&mut d, ctx, *version, *step)?
        }
        Event::PlanDeadline { business_days } => deadline::warn(&mut d, ctx, *business_days)?,
        Event::KickoffAcknowledged { actor } => kickoff::acknowledge(&mut d, ctx, actor, now)?,
        Event::CampaignLaunched { actor, campaign } => {
            kickoff::launched(&mut d, ctx, actor, campaign, now)?
        }
        Event::LaunchCheck { campaign } => kickoff::launch_check(&mut d, ctx, campaign)?,
        Event::SuccessCriteria { at } => kickoff::post_criteria(&mut d, ctx, at, now)?,
        Event::Away {
            actor,
            from,
            until,
            delegate,
        } => checkins::away(&mut d, ctx, actor, *from, *until, delegate.as_deref())?,
        Event::CheckinDue { week, zone } => checkins::due(&mut d, ctx, *week, zone, now)?,
        Event::CheckinReminder { week, zone } => checkins::remind(&mut d, ctx, *week, zone)?,
        Event::CheckinClose { week, zone } => checkins::close(&mut d, ctx, *week, zone, now)?,
        Event::OwnerZone { actor, zone } => zones::owner_zone(&mut d, ctx, actor, zone, now)?,
        Event::CheckinAnswered {
            actor,
            week,
            campaign,
            status,
            note,
            numbers,
        } => checkins::answer(
            &mut d,
            ctx,
            actor,
            *week,
            campaign,
            *status,
            note.as_deref(),
            numbers.as_ref(),
            now,
        )?,
        Event::JobsSkipped { jobs } => checkins::skipped(&mut d, ctx, jobs, now)?,
        Event::JobFailed {
            job,
            attempts,
            error,
        } => failures::job_failed(&mut d, ctx, job, *attempts, error, now)?,
        Event::ActualsStored { folder, files } => {
            checkins::actuals_stored(&mut d, ctx, folder, files)?
        }
    }
    Ok(d)
}

/// Outbox key of a post about stage `n`.
fn stage_key(run: &QuarterRun, n: u8, what: &str) -> String {
    format!("{}/s{n:02}/{what}", run.id)
}
