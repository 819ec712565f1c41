//! A scheduled job that failed on its last attempt: recorded on the run (so `/plan
//! status` shows it later) and reported once to the team's owner role. The job is never
//! tried again; a person re-runs what it was for.

use chrono::{DateTime, Utc};

use crate::chat::{Mention, Message};
use crate::domain::JobFailure;
use crate::engine::{Decision, PlanContext, Rejection};

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
    let tries = if attempts == 1 {
        "its only attempt".to_owned()
    } else {
        format!("all {attempts} attempts")
    };
    let message = Message::new(
        "A scheduled job failed",
        format!(
            "`{job}` failed on {tries} and will not be tried again.\n\
             Last error: {error}\n\nWhat it was for can be run again from `/stage rerun` \
             once the cause is fixed."
        ),
    )
    .mention(Mention::Role(ctx.roles.owner.clone()));
    let key = format!("{}/jobs/{job}/failed", d.run.id);
    d.post(key, &ctx.channels.default, "job_failed", message);
    Ok(())
}
