//! The engine: applies events to runs. Deciding is pure ([`decide`]); applying is one
//! transaction per event: load the run with its version, decide, write the new state
//! (optimistic version check), outbox rows, jobs and audit rows, commit. Effects happen
//! only after the commit: the outbox is delivered by [`deliver_outbox`], jobs are run by
//! the worker ([`Engine::run_due`]). The engine knows the chat port and the store, never
//! a concrete chat service or database driver.

mod context;
mod decide;
mod decision;
mod dispatch;
mod event;
mod worker;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::Duration;

pub use crate::stages::StageResult;
pub use context::PlanContext;
pub use decide::{approval_buttons, decide};
pub use decision::{AuditEntry, Decision, Job, JobSpec, MissedPolicy, Post, Rejection};
pub use dispatch::deliver_outbox;
pub use event::{Event, SkippedJob};

use crate::clock::Clock;
use crate::config::{SchedulerSettings, TeamSettings};
use crate::domain::QuarterRun;
use crate::stages::PlanDoc;
use crate::store::{
    ClaimedJob, Commit, JobOutcome, NewAudit, NewJob, NewPost, PlanDocRow, StageOutputRow, Store,
    StoreError, StoredRun,
};
use crate::timeline::Timeline;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("unknown run {0}")]
    UnknownRun(String),
    #[error("run {0} kept changing under concurrent writers; giving up after retries")]
    Contended(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored job {id} is unreadable: {reason}")]
    BadJob { id: String, reason: String },
}

/// What happened to an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Applied { posts: usize },
    Refused(Rejection),
}

/// Everything the engine needs to know about one run besides its state.
#[derive(Debug, Clone)]
pub struct RunSetup {
    pub ctx: PlanContext,
    pub data_dir: PathBuf,
}

/// Extra rows that travel with a `StageComputed` event.
#[derive(Debug, Default)]
struct Artifacts {
    findings: Option<(u8, bool, String)>,
    plan: Option<PlanDoc>,
}

#[derive(Clone)]
pub struct Engine {
    store: Store,
    /// Runs as last committed by this instance. Safe to trust because every write is a
    /// compare-and-swap on the version: a stale entry fails the write and is reloaded.
    cache: Arc<Mutex<HashMap<String, StoredRun>>>,
    clock: Arc<dyn Clock>,
    runs: Arc<HashMap<String, RunSetup>>,
    /// This instance's name in job leases.
    instance: String,
    lease: Duration,
    grace: Duration,
}

const CONFLICT_RETRIES: usize = 8;

impl Engine {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        scheduler: &SchedulerSettings,
        instance: impl Into<String>,
    ) -> Self {
        Self {
            store,
            cache: Arc::default(),
            clock,
            runs: Arc::new(HashMap::new()),
            instance: instance.into(),
            lease: Duration::seconds(i64::from(scheduler.lease_seconds)),
            grace: Duration::minutes(i64::from(scheduler.grace_minutes)),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn setup(&self, run_id: &str) -> Option<&RunSetup> {
        self.runs.get(run_id)
    }

    /// Registers a team's run for `timeline` and creates it in the store (with its stage
    /// jobs) unless it exists. Returns the run id.
    pub async fn open_run(
        &mut self,
        team: &TeamSettings,
        timeline: &Timeline,
        data_dir: PathBuf,
    ) -> Result<String, EngineError> {
        let ctx = PlanContext::new(team, timeline);
        let run = QuarterRun::new(&ctx.team, &ctx.quarter, &ctx.stage_due);
        let jobs: Vec<NewJob> = run
            .stages
            .iter()
            .map(|s| {
                let spec = JobSpec {
                    id: format!("{}/stage-due/s{:02}", run.id, s.number),
                    due_at: s.due_at,
                    job: Job::Deliver {
                        event: Box::new(Event::StageDue { stage: s.number }),
                    },
                    policy: MissedPolicy::RunLate,
                };
                new_job(&run.id, &spec)
            })
            .collect();
        self.store.create_run(&run, &jobs, self.clock.now()).await?;
        let id = run.id.clone();
        Arc::make_mut(&mut self.runs).insert(id.clone(), RunSetup { ctx, data_dir });
        Ok(id)
    }

    /// Applies an event caused by a person (or the simulation of one). A refusal is
    /// recorded in the audit trail and returned, not raised.
    pub async fn handle(&self, run_id: &str, event: Event) -> Result<Outcome, EngineError> {
        self.apply(run_id, &event, &[], Artifacts::default()).await
    }

    async fn apply(
        &self,
        run_id: &str,
        event: &Event,
        finish: &[(&ClaimedJob, JobOutcome)],
        artifacts: Artifacts,
    ) -> Result<Outcome, EngineError> {
        let setup = self
            .runs
            .get(run_id)
            .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?;
        for _ in 0..CONFLICT_RETRIES {
            let (stored, cached) = self.current(run_id).await?;
            let now = self.clock.now();
            let decision = match decide(&stored.run, &setup.ctx, event, now) {
                Ok(d) => d,
                Err(_) if cached => {
                    // Only refuse on the stored truth, never on this instance's copy.
                    self.forget(run_id);
                    continue;
                }
                Err(rejection) => {
                    self.refused(run_id, event, &rejection, finish).await?;
                    return Ok(Outcome::Refused(rejection));
                }
            };
            let commit = commit_for(
                &stored.run,
                &decision,
                stored.version,
                now,
                finish,
                &artifacts,
            );
            match self.store.commit(commit).await {
                Ok(()) => {
                    let posts = decision.posts.len();
                    self.remember(StoredRun {
                        run: decision.run,
                        version: stored.version + 1,
                    });
                    tracing::debug!(run = run_id, event = event.name(), posts, "applied");
                    return Ok(Outcome::Applied { posts });
                }
                Err(StoreError::Conflict) => self.forget(run_id),
                Err(e) => {
                    // The outcome of a failed commit is unknown: read the run afresh next time.
                    self.forget(run_id);
                    return Err(e.into());
                }
            }
        }
        Err(EngineError::Contended(run_id.to_owned()))
    }

    /// The run as this instance last saw it (and `true`), or loaded from the store.
    async fn current(&self, run_id: &str) -> Result<(StoredRun, bool), EngineError> {
        if let Some(hit) = self.lock_cache().get(run_id) {
            return Ok((hit.clone(), true));
        }
        let stored = self
            .store
            .load_run(run_id)
            .await?
            .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?;
        self.remember(stored.clone());
        Ok((stored, false))
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, StoredRun>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, stored: StoredRun) {
        self.lock_cache().insert(stored.run.id.clone(), stored);
    }

    fn forget(&self, run_id: &str) {
        self.lock_cache().remove(run_id);
    }

    async fn refused(
        &self,
        run_id: &str,
        event: &Event,
        rejection: &Rejection,
        finish: &[(&ClaimedJob, JobOutcome)],
    ) -> Result<(), EngineError> {
        let now = self.clock.now();
        if let Some(actor) = event.actor() {
            let row = NewAudit {
                actor_id: actor.id.clone(),
                actor_name: actor.name.clone(),
                roles: actor.roles.join(","),
                action: event.name().to_owned(),
                outcome: "rejected".into(),
                detail: rejection.to_string(),
                plan_version: None,
                plan_hash: None,
                message_link: None,
            };
            self.store.append_audit(run_id, now, &[row]).await?;
        } else {
            tracing::info!(run = run_id, event = event.name(), %rejection, "event refused");
        }
        for (job, _) in finish {
            self.store.finish_job(job, JobOutcome::Done, now).await?;
        }
        Ok(())
    }
}

fn commit_for<'a>(
    before: &QuarterRun,
    d: &'a Decision,
    version: i64,
    now: chrono::DateTime<chrono::Utc>,
    finish: &[(&'a ClaimedJob, JobOutcome)],
    artifacts: &Artifacts,
) -> Commit<'a> {
    let posts = d
        .posts
        .iter()
        .map(|p| NewPost {
            key: p.key.clone(),
            channel: p.channel.clone(),
            kind: p.kind.clone(),
            message: serde_json::to_string(&p.message).unwrap_or_default(),
        })
        .collect();
    let audit = d
        .audit
        .iter()
        .map(|a| NewAudit {
            actor_id: a.actor.id.clone(),
            actor_name: a.actor.name.clone(),
            roles: a.actor.roles.join(","),
            action: a.action.clone(),
            outcome: "accepted".into(),
            detail: a.detail.clone(),
            plan_version: a.plan_version.map(i64::from),
            plan_hash: a.plan_hash.clone(),
            message_link: None,
        })
        .collect();
    let outputs = artifacts
        .findings
        .iter()
        .filter_map(|(stage, available, findings)| {
            let s = d.run.stage(*stage)?;
            Some(StageOutputRow {
                stage: i64::from(*stage),
                version: i64::from(s.output_version),
                available: *available,
                findings: findings.clone(),
            })
        })
        .collect();
    let plan = match (&artifacts.plan, d.run.latest_plan()) {
        (Some(doc), Some(p)) if d.run.plan_versions.len() > before.plan_versions.len() => {
            Some(PlanDocRow {
                version: i64::from(p.version),
                hash: p.hash.clone(),
                reason: p.reason.clone(),
                markdown: doc.markdown.clone(),
                html: doc.html.clone(),
            })
        }
        _ => None,
    };
    Commit {
        run: &d.run,
        expected_version: version,
        now,
        posts,
        jobs: d.jobs.iter().map(|j| new_job(&d.run.id, j)).collect(),
        audit,
        outputs,
        plan,
        finish: finish.to_vec(),
    }
}

pub(crate) fn new_job(run_id: &str, spec: &JobSpec) -> NewJob {
    NewJob {
        id: spec.id.clone(),
        run_id: run_id.to_owned(),
        kind: spec.job.kind().to_owned(),
        payload: serde_json::to_string(&spec.job).unwrap_or_default(),
        policy: spec.policy.as_str().to_owned(),
        due_at: spec.due_at,
    }
}
