//! Stage transitions: due → waiting or running, running → done (post findings, start the
//! stages that were waiting for it), re-runs that mark dependents stale.
//!
//! ```text
//! scheduled ──due──► waiting ──inputs done──► running ──computed──► done
//!     └──────due, inputs done───────────────────┘  └──failed──► failed
//! done ──rerun (or an input re-ran)──► running (stale until recomputed)
//! stage 11: running is replaced by in_review (people decide, see approval.rs)
//! ```

use chrono::{DateTime, Utc};

use super::{approval, stage_key};
use crate::domain::{Actor, PlanVersion, QuarterRun, RunStatus, StageId, StageStatus};
use crate::{
    Decision, Job, MissedPolicy, Notice, PlanContext, Rejection, StageOutputKind, StageResult,
};

// The stages the engine treats specially, by their numbers in the registry.
pub(super) const APPROVAL_STAGE: u8 = StageId::Approval.number();
pub(super) const PLAN_STAGE: u8 = StageId::PlanDocument.number();
pub(super) const KICKOFF_STAGE: u8 = StageId::Kickoff.number();

fn check_stage(n: u8) -> Result<StageId, Rejection> {
    StageId::from_number(n).ok_or(Rejection::NoSuchStage(n))
}

/// Every input of stage `n` is done and current.
fn inputs_ready(run: &QuarterRun, n: u8) -> bool {
    let deps = StageId::from_number(n).map_or(&[][..], StageId::dependencies);
    deps.iter().all(|d| {
        run.stage(d.number())
            .is_some_and(|s| s.status == StageStatus::Done && !s.stale)
    })
}

pub(super) fn due(
    d: &mut Decision,
    ctx: &PlanContext,
    n: u8,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    check_stage(n)?;
    let status = d.run.stage(n).map(|s| s.status);
    if status != Some(StageStatus::Scheduled) {
        // Already started early (a re-run) or finished: the slot has nothing to do.
        return Ok(());
    }
    if inputs_ready(&d.run, n) {
        start(d, ctx, n, now);
    } else if let Some(s) = d.run.stage_mut(n) {
        s.status = StageStatus::Waiting;
    }
    Ok(())
}

/// Starts stage `n`: a compute job, or for stage 11 the approval round.
fn start(d: &mut Decision, ctx: &PlanContext, n: u8, now: DateTime<Utc>) {
    if n == APPROVAL_STAGE {
        approval::open(d, ctx, now);
        return;
    }
    let attempt = match d.run.stage_mut(n) {
        Some(s) => {
            s.status = StageStatus::Running;
            s.output_version + 1
        }
        None => return,
    };
    let id = format!("{}/compute/s{n:02}/v{attempt}", d.run.id);
    d.schedule(id, now, Job::Compute { stage: n }, MissedPolicy::RunLate);
}

pub(super) fn computed(
    d: &mut Decision,
    ctx: &PlanContext,
    n: u8,
    result: &StageResult,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    check_stage(n)?;
    let stage = d.run.stage_mut(n).ok_or(Rejection::NoSuchStage(n))?;
    if stage.status != StageStatus::Running {
        return Err(Rejection::NotNow(format!(
            "stage {n} is {}, not running; its result is ignored",
            stage.status.as_str()
        )));
    }
    stage.status = StageStatus::Done;
    stage.completed_at = Some(now);
    stage.output_version += 1;
    stage.available = result.available;
    stage.stale = false;
    let version = stage.output_version;

    let key = stage_key(&d.run, n, &format!("result/v{version}"));
    d.post(
        key,
        ctx.channels.for_stage(n),
        Notice::StageResult {
            message: result.message.clone(),
        },
    );

    if n == PLAN_STAGE {
        new_plan_version(d, ctx, result, now);
    }
    if n == KICKOFF_STAGE {
        kickoff(d, ctx, result, now);
    }
    advance(d, ctx, now);
    Ok(())
}

fn new_plan_version(d: &mut Decision, ctx: &PlanContext, result: &StageResult, now: DateTime<Utc>) {
    let StageOutputKind::Plan { hash, figures } = &result.output else {
        return;
    };
    let version = u32::try_from(d.run.plan_versions.len()).unwrap_or(u32::MAX - 1) + 1;
    let reason = if d.run.pending_changes.is_empty() {
        if version == 1 {
            "first draft".to_owned()
        } else {
            "inputs re-run".to_owned()
        }
    } else {
        format!(
            "answers change requests: {}",
            d.run.pending_changes.join("; ")
        )
    };
    d.run.pending_changes.clear();
    let applied: usize = d.run.plan_versions.iter().map(|p| p.amendments.len()).sum();
    let amendments = d.run.amendments.get(applied..).unwrap_or_default().to_vec();
    d.run.plan_versions.push(PlanVersion {
        version,
        hash: hash.clone(),
        created_at: now,
        reason: reason.clone(),
        figures: figures.clone(),
        amendments,
    });
    d.audit(
        &Actor::system(),
        "plan_version_created",
        format!("v{version} ({reason})"),
    );
    // A new version during review restarts the review on it.
    if d.run.stage(APPROVAL_STAGE).map(|s| s.status) == Some(StageStatus::InReview) {
        approval::request(d, ctx, now);
        approval::carry_over(d, ctx, now);
    }
}

fn kickoff(d: &mut Decision, ctx: &PlanContext, result: &StageResult, now: DateTime<Utc>) {
    if let StageOutputKind::Kickoff { roster } = &result.output {
        d.run.roster = roster.clone();
    }
    d.run.status = RunStatus::Executing;
    super::kickoff::start(d, ctx, now);
    // Each week on the team's clock, and on each owner's own zone's clock.
    let zones = super::zones::roster_zones(&d.run);
    for week in (1u32..).take(ctx.checkins.len()) {
        super::zones::schedule_week(d, ctx, week, None, now);
        for zone in &zones {
            super::zones::schedule_week(d, ctx, week, Some(zone), now);
        }
    }
    if ctx.checkins.is_empty() {
        super::checkins::complete(d, ctx, now);
    }
}

/// Starts every stage that was waiting (or stale) and whose inputs are now ready.
pub(super) fn advance(d: &mut Decision, ctx: &PlanContext, now: DateTime<Utc>) {
    for m in StageId::ALL.map(StageId::number) {
        let Some(s) = d.run.stage(m) else { continue };
        let wants = s.status == StageStatus::Waiting
            || (s.status == StageStatus::Done && s.stale && m < APPROVAL_STAGE);
        if wants && inputs_ready(&d.run, m) {
            start(d, ctx, m, now);
        }
    }
}

pub(super) fn failed(
    d: &mut Decision,
    ctx: &PlanContext,
    n: u8,
    error: &str,
) -> Result<(), Rejection> {
    check_stage(n)?;
    let stage = d.run.stage_mut(n).ok_or(Rejection::NoSuchStage(n))?;
    if stage.status != StageStatus::Running {
        return Err(Rejection::NotNow(format!("stage {n} is not running")));
    }
    stage.status = StageStatus::Failed;
    let attempt = stage.output_version + 1;
    let notice = Notice::StageFailed {
        stage: n,
        error: error.to_owned(),
        owner_role: ctx.roles.owner.clone(),
    };
    let key = stage_key(&d.run, n, &format!("failed/a{attempt}"));
    d.post(key, &ctx.channels.default, notice);
    Ok(())
}

pub(super) fn rerun(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    n: u8,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    let id = check_stage(n)?;
    if !actor.has_any_role(&ctx.roles.run_stages) {
        return Err(Rejection::NotAuthorized {
            actor: actor.name.clone(),
            action: format!("re-run stage {n}"),
            needed: ctx.roles.run_stages.join(", "),
        });
    }
    if n >= APPROVAL_STAGE {
        return Err(Rejection::Invalid(
            "stages 11 and 12 are not computed; request changes to the plan instead".into(),
        ));
    }
    if !matches!(
        d.run.status,
        RunStatus::Planning | RunStatus::AwaitingApproval
    ) {
        return Err(Rejection::NotNow(format!(
            "the plan is {}; re-runs are possible until it is approved",
            d.run.status.as_str()
        )));
    }
    let status = d.run.stage(n).map(|s| s.status);
    if !matches!(status, Some(StageStatus::Done | StageStatus::Failed)) {
        return Err(Rejection::NotNow(format!(
            "stage {n} is {}; only a done or failed stage can be re-run",
            status.map_or("unknown", StageStatus::as_str)
        )));
    }
    d.audit(actor, "rerun_stage", format!("stage {n}: {reason}"));
    recompute_from(d, ctx, id.number(), now);
    Ok(())
}

/// Computes stage `n` again now; its done dependents are marked stale and follow it.
pub(super) fn recompute_from(d: &mut Decision, ctx: &PlanContext, n: u8, now: DateTime<Utc>) {
    let Some(id) = StageId::from_number(n) else {
        return;
    };
    for m in id.dependents_closure() {
        if let Some(s) = d
            .run
            .stage_mut(m.number())
            .filter(|s| s.status == StageStatus::Done)
        {
            s.stale = true;
        }
    }
    // Amendments are refused while a stage computes, so `n` is not running here.
    start(d, ctx, n, now);
}

/// `/stage run`: a scheduled or waiting stage whose inputs are done starts now, before
/// its slot (which then has nothing to do); a done or failed stage is re-run.
pub(super) fn run_now(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    n: u8,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    check_stage(n)?;
    if !actor.has_any_role(&ctx.roles.run_stages) {
        return Err(Rejection::NotAuthorized {
            actor: actor.name.clone(),
            action: format!("run stage {n}"),
            needed: ctx.roles.run_stages.join(", "),
        });
    }
    match d.run.stage(n).map(|s| s.status) {
        Some(StageStatus::Done | StageStatus::Failed) => {
            rerun(d, ctx, actor, n, "run on request", now)
        }
        // Up to the approval round: a plan finished early can be sent for approval early.
        Some(StageStatus::Scheduled | StageStatus::Waiting) if n <= APPROVAL_STAGE => {
            if !inputs_ready(&d.run, n) {
                let missing: Vec<String> = StageId::from_number(n)
                    .map_or(&[][..], StageId::dependencies)
                    .iter()
                    .filter(|dep| {
                        d.run
                            .stage(dep.number())
                            .is_none_or(|s| s.status != StageStatus::Done || s.stale)
                    })
                    .map(|dep| dep.number().to_string())
                    .collect();
                return Err(Rejection::NotNow(format!(
                    "stage {n} needs stage(s) {} done first",
                    missing.join(", ")
                )));
            }
            d.audit(
                actor,
                "run_stage",
                format!("stage {n} started before its slot"),
            );
            start(d, ctx, n, now);
            Ok(())
        }
        Some(status) => Err(Rejection::NotNow(format!(
            "stage {n} is {}; it cannot be started now",
            status.as_str()
        ))),
        None => Err(Rejection::NoSuchStage(n)),
    }
}

pub(super) fn data_arrived(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    file: &str,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    let readers: Vec<u8> = StageId::ALL
        .iter()
        .filter(|id| id.number() < PLAN_STAGE && id.inputs().contains(&file))
        .map(|id| id.number())
        .filter(|n| {
            d.run
                .stage(*n)
                .is_some_and(|s| matches!(s.status, StageStatus::Done | StageStatus::Failed))
        })
        .collect();
    if readers.is_empty() {
        return Err(Rejection::Invalid(format!(
            "no finished stage reads {file}; it will be used when its stage runs"
        )));
    }
    // Re-run each reader; a reader that depends on another reader waits for it.
    for n in &readers {
        if d.run
            .stage(*n)
            .is_some_and(|s| s.status != StageStatus::Running && !s.stale)
        {
            rerun(d, ctx, actor, *n, &format!("{file} changed"), now)?;
        }
    }
    Ok(())
}
