//! The job worker: claims due jobs (one lease each), turns them into events, computes
//! stages, and applies the resulting event in the same transaction that completes the
//! job. Skippable jobs overdue past the grace period are claimed per run in one batch
//! and reported in one decision. Several workers (instances) may share one database.
//!
//! A job that fails is tried again after a back-off (30 s, doubling, at most 30 min)
//! until its [`MAX_ATTEMPTS`]th attempt; then it is marked failed, recorded on its run
//! and reported once to the team's owner. A stage computation that fails (bad data, an
//! unreachable source, a panic) fails its stage: recorded, reported, never looped; the
//! stage runner port ([`crate::StageRunner`]) says which.

use super::{Artifacts, Engine, EngineError, Event, Job, Outcome, SkippedJob};
use tracing::Instrument;

use crate::ports::{Computation, StoreError};
use crate::records::{ClaimedJob, JobOutcome};

/// Attempts a job gets before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// Wait before attempt `attempts + 1`: 30 s, doubling, at most 30 minutes.
pub fn retry_delay(attempts: i64) -> chrono::Duration {
    let doublings = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    chrono::Duration::seconds((30_i64 << doublings).min(30 * 60))
}

impl Engine {
    /// Runs every job that is due now (by this engine's clock), including jobs that
    /// become due as a consequence. Returns how many jobs were processed.
    pub async fn run_due(&self) -> Result<usize, EngineError> {
        let mut processed = 0;
        while let Some(n) = self.run_next().await? {
            processed += n;
        }
        Ok(processed)
    }

    /// Claims and runs the next due job (or one run's batch of overdue skippable jobs).
    /// Returns how many jobs it handled, or `None` when nothing is due. One call is one
    /// transaction's worth of work, so a shutdown can stop between calls.
    pub async fn run_next(&self) -> Result<Option<usize>, EngineError> {
        let now = self.clock.now();
        let overdue = self
            .store
            .claim_overdue(now, now - self.grace, &self.instance, self.lease)
            .await?;
        if !overdue.is_empty() {
            self.skip(&overdue).await?;
            return Ok(Some(overdue.len()));
        }
        let Some(job) = self
            .store
            .claim_due(now, &self.instance, self.lease)
            .await?
        else {
            return Ok(None);
        };
        let span =
            tracing::info_span!("job", run = %job.run_id, job = %job.id, attempt = job.attempts);
        match self.process(&job).instrument(span).await {
            Ok(_) => {}
            // Another instance kept winning the run's version check, or took over the
            // job: give it back (or leave it to the new holder) and carry on.
            Err(EngineError::Contended(run)) => {
                tracing::info!(%run, "contended; job released for retry");
                self.store.release_job(&job, now).await?;
            }
            Err(EngineError::Store(StoreError::LeaseLost(id))) => {
                tracing::warn!(job = %id, "lease lost; another instance owns the job");
            }
            Err(e) => self.job_went_wrong(&job, &e).await?,
        }
        Ok(Some(1))
    }

    /// A job's attempt failed: retry it later, or after its last attempt mark it failed
    /// and report it on its run.
    async fn job_went_wrong(
        &self,
        job: &ClaimedJob,
        error: &EngineError,
    ) -> Result<(), EngineError> {
        let now = self.clock.now();
        if job.attempts < MAX_ATTEMPTS {
            let at = now + retry_delay(job.attempts);
            tracing::warn!(%error, retry_at = %at, "job failed; will retry");
            self.store.release_job(job, at).await?;
            return Ok(());
        }
        tracing::error!(%error, attempts = job.attempts, "job failed on its last attempt");
        let event = Event::JobFailed {
            job: job.id.clone(),
            attempts: u32::try_from(job.attempts).unwrap_or(u32::MAX),
            error: error.to_string(),
        };
        let finish = [(job, JobOutcome::Failed)];
        match self
            .apply(&job.run_id, &event, &finish, Artifacts::default())
            .await
        {
            Ok(_) => Ok(()),
            // The run itself is unreadable: close the job so it cannot loop.
            Err(e) => {
                tracing::error!(error = %e, "cannot record the failure on its run");
                self.store.finish_job(job, JobOutcome::Failed, now).await?;
                Ok(())
            }
        }
    }

    /// Runs one claimed job to completion.
    pub async fn process(&self, job: &ClaimedJob) -> Result<Outcome, EngineError> {
        let parsed: Job = serde_json::from_str(&job.payload).map_err(|e| EngineError::BadJob {
            id: job.id.clone(),
            reason: e.to_string(),
        })?;
        let finish = [(job, JobOutcome::Done)];
        match parsed {
            Job::Deliver { event } => {
                self.apply(&job.run_id, &event, &finish, Artifacts::default())
                    .await
            }
            Job::Compute { stage } => {
                let (event, artifacts) = self.compute(&job.run_id, stage).await?;
                self.apply(&job.run_id, &event, &finish, artifacts).await
            }
        }
    }

    async fn compute(&self, run_id: &str, stage: u8) -> Result<(Event, Artifacts), EngineError> {
        let setup = self
            .setup(run_id)
            .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?;
        let stored = self
            .store
            .load_run(run_id)
            .await?
            .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?;
        Ok(
            match setup.stages.compute(&stored.run, &setup.ctx, stage).await? {
                Computation::Done(out) => {
                    let out = *out;
                    let artifacts = Artifacts {
                        findings: Some((stage, out.result.available, out.findings)),
                        plan: out.plan,
                        attachments: out.files,
                    };
                    (
                        Event::StageComputed {
                            stage,
                            result: out.result,
                        },
                        artifacts,
                    )
                }
                Computation::Failed(error) => {
                    (Event::StageFailed { stage, error }, Artifacts::default())
                }
            },
        )
    }
}

impl Engine {
    async fn skip(&self, jobs: &[ClaimedJob]) -> Result<(), EngineError> {
        let mut skipped = Vec::with_capacity(jobs.len());
        for job in jobs {
            match serde_json::from_str::<Job>(&job.payload) {
                Ok(Job::Deliver { event }) => skipped.push(SkippedJob {
                    id: job.id.clone(),
                    event,
                    due_at: job.due_at,
                }),
                _ => {
                    return Err(EngineError::BadJob {
                        id: job.id.clone(),
                        reason: "only delivered events may be skipped".into(),
                    });
                }
            }
        }
        let finish: Vec<(&ClaimedJob, JobOutcome)> =
            jobs.iter().map(|j| (j, JobOutcome::Skipped)).collect();
        let run_id = &jobs[0].run_id;
        tracing::info!(run = %run_id, count = jobs.len(), "skipping jobs missed past the grace period");
        self.apply(
            run_id,
            &Event::JobsSkipped { jobs: skipped },
            &finish,
            Artifacts::default(),
        )
        .await?;
        Ok(())
    }
}
