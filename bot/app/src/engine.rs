//! The engine as the app runs it: the `quarterdeck-engine` crate wired to this
//! process's adapters. [`Engine`] holds the core engine over the [`Store`] (its store
//! port) and opens a team's run with [`TeamStages`] (its stage runner port: the team's
//! sources and the stages crate); the configuration converts into the engine's settings
//! values (`config`). Everything else is the core crate's, re-exported.

use std::ops::Deref;
use std::sync::Arc;

use quarterdeck_engine as core;

pub use core::{
    AuditEntry, Computation, ComputedStage, Decision, EngineError, EngineSettings, Event, Job,
    JobSpec, MAX_ATTEMPTS, MissedPolicy, Notice, Outcome, PlanContext, PlanDocument, Post,
    Rejection, RunSetup, RunStore, Signals, SkippedJob, StageResult, StageRunner, SuccessCriteria,
    TeamPlan, approval_actions, approved_campaigns, decide, deliver_outbox, launch_due,
    locked_plan, new_job, owns, pacing, present, retry_delay, slug, success_criteria, week_digest,
    weekly_digest,
};
pub use core::{notice, ports, records, settings};

use crate::chat::Attachment;
use crate::clock::Clock;
use crate::config::{SchedulerSettings, TeamSettings};
use crate::domain::QuarterRun;
use crate::sources::Catalog;
use crate::stages::{self, OutputFile, StageInputs};
use crate::store::{AttachmentRow, Store};
use crate::timeline::Timeline;

/// The engine over this process's store.
#[derive(Clone)]
pub struct Engine {
    core: core::Engine,
    store: Store,
    clock: Arc<dyn Clock>,
}

impl Deref for Engine {
    type Target = core::Engine;

    fn deref(&self) -> &core::Engine {
        &self.core
    }
}

impl Engine {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        scheduler: &SchedulerSettings,
        instance: impl Into<String>,
    ) -> Self {
        let port: Arc<dyn RunStore> = Arc::new(store.clone());
        Self {
            core: core::Engine::new(port, clock.clone(), scheduler.into(), instance),
            store,
            clock,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers `team`'s run for `timeline`, its stages computed from `sources`, and
    /// creates it in the store unless it exists. Returns the run id.
    pub async fn open_run(
        &self,
        team: &TeamSettings,
        timeline: &Timeline,
        sources: Catalog,
    ) -> Result<String, EngineError> {
        let stages = Arc::new(TeamStages {
            sources,
            store: self.store.clone(),
            clock: self.clock.clone(),
        });
        let id = self.core.open_run(&team.into(), timeline, stages).await?;
        self.share_zones(&id).await?;
        Ok(id)
    }

    /// Hands every zone chosen with `/timezone` to the run (the engine ignores those it
    /// already has), so owners who chose theirs before the run opened check in on it.
    async fn share_zones(&self, run_id: &str) -> Result<(), EngineError> {
        let zones = self
            .store
            .user_timezones()
            .await
            .map_err(|e| EngineError::Store(core::StoreError::from(e)))?;
        for (user_id, zone) in zones {
            // Stored by id alone: it matches owners whose chat id is known.
            let actor = crate::domain::Actor::new(user_id, String::new(), &[]);
            self.core
                .handle(run_id, Event::OwnerZone { actor, zone })
                .await?;
        }
        Ok(())
    }
}

/// The stage runner of one team: reads (or fetches) the stage's input files, then
/// computes it on a blocking thread from that snapshot and the stored outputs of the
/// stages before it. The snapshot carries the day it was read (team time), the day the
/// stage's data can run to at most.
pub struct TeamStages {
    pub sources: Catalog,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
}

impl StageRunner for TeamStages {
    fn compute<'a>(
        &'a self,
        run: &'a QuarterRun,
        ctx: &'a PlanContext,
        stage: u8,
    ) -> crate::chat::BoxFuture<'a, Result<Computation, core::StoreError>> {
        Box::pin(async move {
            let run_id = run.id.as_str();
            // Inputs are read (or fetched) before the computation starts; an unreachable
            // source fails the stage with the reason, like bad data does.
            let read_on = self.clock.now().with_timezone(&ctx.tz).date_naive();
            let inputs = stages::inputs_of(stage);
            let mut data = match self.sources.load(inputs).await {
                Ok(data) => data.with_read_on(read_on),
                Err(e) => {
                    tracing::warn!(run = run_id, stage, error = %e, "stage inputs unavailable");
                    return Ok(Computation::Failed(e.to_string()));
                }
            };
            // The quarter under review's own stored actuals, when its run completed here.
            let folder = self.sources.folder().to_owned();
            if let Err(e) = crate::actuals::carry_stored(&mut data, &folder, ctx, inputs).await {
                tracing::warn!(run = run_id, stage, error = %e, "stored actuals unreadable");
                return Ok(Computation::Failed(e.to_string()));
            }
            let outputs = self.store.latest_outputs(run_id).await?;
            let inputs = StageInputs {
                run: run.clone(),
                tz: ctx.tz,
                quarter_start: ctx.quarter_start,
                review_start: ctx.review_start,
                checkins: ctx.checkins.clone(),
                data,
                outputs: outputs
                    .into_iter()
                    .filter_map(|o| {
                        let stage = u8::try_from(o.stage).ok()?;
                        Some((stage, serde_json::from_str(&o.findings).ok()?))
                    })
                    .collect(),
                names: ctx.display_names.clone(),
            };
            let computed = match tokio::task::spawn_blocking(move || {
                stages::compute(stage, &inputs)
            })
            .await
            {
                Ok(computed) => computed,
                Err(e) => {
                    let why = panic_message(e);
                    tracing::error!(run = run_id, stage, panic = %why, "stage computation panicked");
                    return Ok(Computation::Failed(format!(
                        "the computation stopped on an internal error ({why}); this is a bug in \
                             Quarterdeck, not in your data"
                    )));
                }
            };
            Ok(match computed {
                Ok(out) => {
                    let findings =
                        serde_json::to_string(&out.findings).unwrap_or_else(|_| "{}".into());
                    let mut result = out.result;
                    let files = attach(&mut result.message, out.files);
                    Computation::Done(Box::new(ComputedStage {
                        result,
                        findings,
                        plan: out.plan.map(|p| PlanDocument {
                            markdown: p.markdown,
                            html: p.html,
                        }),
                        files,
                    }))
                }
                Err(e) => {
                    tracing::warn!(run = run_id, stage, error = %e, "stage failed");
                    Computation::Failed(e.to_string())
                }
            })
        })
    }
}

/// What a panicking computation said, for the failure post and the logs.
fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned()),
        Err(e) => e.to_string(),
    }
}

/// Names each file in the post by its content hash and returns the rows to store.
fn attach(message: &mut crate::chat::Message, files: Vec<OutputFile>) -> Vec<AttachmentRow> {
    files
        .into_iter()
        .map(|f| {
            let (attachment, row) = attachment(f.name, f.content_type, f.bytes);
            message.attachments.push(attachment);
            row
        })
        .collect()
}

/// A file as a post names it (by its content hash) and as the store keeps it.
pub fn attachment(
    name: String,
    content_type: String,
    bytes: Vec<u8>,
) -> (Attachment, AttachmentRow) {
    use sha2::{Digest, Sha256};
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    (
        Attachment {
            name,
            content_type: content_type.clone(),
            sha256: sha256.clone(),
        },
        AttachmentRow {
            sha256,
            content_type,
            bytes,
        },
    )
}
