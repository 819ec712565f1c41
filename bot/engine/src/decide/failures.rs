//! A scheduled job that failed on its last attempt: recorded on the run (so `/plan
//! status` shows it later) and reported once to the team's owner role. The job is never
//! tried again; a person re-runs what it was for.

use chrono::{DateTime, Utc};

use crate::domain::JobFailure;
use crate::{Decision, Notice, PlanContext, Rejection};

pub(super) fn job_failed(
    d: &mut Decision,
    ctx: &PlanContext,
    job: &str,
    attempts: u32,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if d.run.failures.iter().any(|f| f.job == job) {
        return Err(Rejection::NotNow(format!(
            "job {job} is already recorded as failed"
        )));
    }
    d.run.failures.push(JobFailure {
        job: job.to_owned(),
        attempts,
        error: error.to_owned(),
        at: now,
    });
    let notice = Notice::JobFailed {
        job: job.to_owned(),
        attempts,
        error: error.to_owned(),
        owner_role: ctx.roles.owner.clone(),
    };
    let key = format!("{}/jobs/{job}/failed", d.run.id);
    d.post(key, &ctx.channels.default, notice);
    Ok(())
}
