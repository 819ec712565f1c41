//! The job worker: claims due jobs (one lease each), turns them into events, computes
//! stages, and applies the resulting event in the same transaction that completes the
//! job. Skippable jobs overdue past the grace period are claimed per run in one batch
//! and reported in one decision. Several workers (instances) may share one database.

use super::{Artifacts, Engine, EngineError, Event, Job, Outcome, SkippedJob};
use sha2::{Digest, Sha256};

use crate::chat::{Attachment, Message};
use crate::stages::{self, OutputFile, StageInputs};
use crate::store::AttachmentRow;
use crate::store::{ClaimedJob, JobOutcome};

impl Engine {
    /// Runs every job that is due now (by this engine's clock), including jobs that
    /// become due as a consequence. Returns how many jobs were processed.
    pub async fn run_due(&self) -> Result<usize, EngineError> {
        let mut processed = 0;
        loop {
            let now = self.clock.now();
            let overdue = self
                .store
                .claim_overdue(now, now - self.grace, &self.instance, self.lease)
                .await?;
            if !overdue.is_empty() {
                processed += overdue.len();
                self.skip(&overdue).await?;
                continue;
            }
            let Some(job) = self
                .store
                .claim_due(now, &self.instance, self.lease)
                .await?
            else {
                return Ok(processed);
            };
            processed += 1;
            match self.process(&job).await {
                Ok(_) => {}
                // Another instance kept winning the run's version check, or took over the
                // job: give it back (or leave it to the new holder) and carry on.
                Err(EngineError::Contended(run)) => {
                    tracing::info!(%run, job = %job.id, "contended; job released for retry");
                    self.store.release_job(&job, now).await?;
                }
                Err(EngineError::Store(crate::store::StoreError::LeaseLost(id))) => {
                    tracing::warn!(job = %id, "lease lost; another instance owns the job");
                }
                Err(e) => return Err(e),
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
            .runs
            .get(run_id)
            .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?;
        let stored = self
            .store
            .load_run(run_id)
            .await?
            .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?;
        let failed = |error: String| (Event::StageFailed { stage, error }, Artifacts::default());
        // Inputs are read (or fetched) before the computation starts; an unreachable
        // source fails the stage with the reason, like bad data does.
        let data = match setup.sources.load(stages::inputs_of(stage)).await {
            Ok(data) => data,
            Err(e) => {
                tracing::warn!(run = run_id, stage, error = %e, "stage inputs unavailable");
                return Ok(failed(e.to_string()));
            }
        };
        let outputs = self.store.latest_outputs(run_id).await?;
        let inputs = StageInputs {
            run: stored.run,
            tz: setup.ctx.tz,
            quarter_start: setup.ctx.quarter_start,
            review_start: setup.ctx.review_start,
            checkins: setup.ctx.checkins.clone(),
            data,
            outputs: outputs
                .into_iter()
                .filter_map(|o| {
                    let stage = u8::try_from(o.stage).ok()?;
                    Some((stage, serde_json::from_str(&o.findings).ok()?))
                })
                .collect(),
        };
        let computed = tokio::task::spawn_blocking(move || stages::compute(stage, &inputs))
            .await
            .map_err(|e| EngineError::BadJob {
                id: format!("{run_id}/compute/s{stage:02}"),
                reason: format!("the computation panicked: {e}"),
            })?;
        Ok(match computed {
            Ok(mut out) => {
                let findings = serde_json::to_string(&out.findings).unwrap_or_else(|_| "{}".into());
                let attachments = attach(&mut out.result.message, out.files);
                let artifacts = Artifacts {
                    findings: Some((stage, out.result.available, findings)),
                    plan: out.plan,
                    attachments,
                };
                (
                    Event::StageComputed {
                        stage,
                        result: out.result,
                    },
                    artifacts,
                )
            }
            Err(e) => {
                tracing::warn!(run = run_id, stage, error = %e, "stage failed");
                failed(e.to_string())
            }
        })
    }
}

/// Names each file in the post by its content hash and returns the rows to store.
fn attach(message: &mut Message, files: Vec<OutputFile>) -> Vec<AttachmentRow> {
    files
        .into_iter()
        .map(|f| {
            let sha256 = format!("{:x}", Sha256::digest(&f.bytes));
            message.attachments.push(Attachment {
                name: f.name,
                content_type: f.content_type.clone(),
                sha256: sha256.clone(),
            });
            AttachmentRow {
                sha256,
                content_type: f.content_type,
                bytes: f.bytes,
            }
        })
        .collect()
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
