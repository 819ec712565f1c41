//! The engine: applies events to runs. Deciding is pure ([`decide`]); applying is one
//! transaction per event: load the run with its version, decide, present the notices
//! ([`present`]), write the new state (optimistic version check), outbox rows, jobs and
//! audit rows, commit. Effects happen only after the commit: the outbox is delivered by
//! [`deliver_outbox`], jobs are run by the worker ([`Engine::run_due`]).
//!
//! The engine talks to the world only through its ports ([`ports`]: the store, the stage
//! runner, the chat port and the clock) and reads only its own settings values
//! ([`settings`]); the app wires adapters to the ports and converts its configuration.
//! Its dependency tree holds no database driver, chat service or HTTP client
//! (`scripts/test` checks it).

mod context;
mod decide;
mod decision;
mod dispatch;
mod event;
pub mod notice;
pub mod ports;
mod present;
pub mod records;
pub mod settings;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::Duration;
use tokio::sync::{Notify, oneshot};
use tracing::Instrument;

pub use quarterdeck_domain as domain;
pub use quarterdeck_domain::{chat, clock, timeline};

pub use context::PlanContext;
pub use decide::{
    SuccessCriteria, approval_actions, approved_campaigns, decide, launch_due, locked_plan, owns,
    pacing, slug, success_criteria, week_digest,
};
pub use decision::{AuditEntry, Decision, Job, JobSpec, MissedPolicy, Post, Rejection};
pub use dispatch::deliver_outbox;
pub use event::{Event, SkippedJob};
pub use notice::Notice;
pub use ports::{
    Computation, ComputedStage, PlanDocument, RunStore, StageOutputKind, StageResult, StageRunner,
    StoreError,
};
pub use present::{present, week_digest_message as weekly_digest};
pub use settings::{EngineSettings, TeamPlan};
pub use worker::{MAX_ATTEMPTS, retry_delay};

use crate::clock::Clock;
use crate::domain::QuarterRun;
use crate::records::{
    AttachmentRow, ClaimedJob, Commit, JobOutcome, NewAudit, NewJob, NewPost, PlanDocRow,
    StageOutputRow, StoredRun,
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
    #[error("the batch this event was part of failed: {0}")]
    Batch(String),
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
#[derive(Clone)]
pub struct RunSetup {
    pub ctx: PlanContext,
    /// Computes the run's stages (it knows where the team's input files come from).
    pub stages: Arc<dyn StageRunner>,
}

#[derive(Default)]
struct Inbox {
    queue: Vec<(Event, oneshot::Sender<Result<Outcome, EngineError>>)>,
    /// Held by the caller that is committing this run's queue.
    gate: Arc<tokio::sync::Mutex<()>>,
}

/// Extra rows that travel with a `StageComputed` event.
#[derive(Debug, Default)]
struct Artifacts {
    findings: Option<(u8, bool, String)>,
    plan: Option<PlanDocument>,
    /// Files the stage's post attaches (charts).
    attachments: Vec<AttachmentRow>,
}

#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn RunStore>,
    /// Runs as last committed by this instance. Safe to trust because every write is a
    /// compare-and-swap on the version: a stale entry fails the write and is reloaded.
    cache: Arc<Mutex<HashMap<String, StoredRun>>>,
    /// Events waiting for their run's next group commit.
    inbox: Arc<Mutex<HashMap<String, Inbox>>>,
    clock: Arc<dyn Clock>,
    /// The runs this instance serves; opened while running, seen by every clone.
    runs: Arc<RwLock<HashMap<String, RunSetup>>>,
    /// Woken when a commit schedules jobs (the worker) or writes posts (the dispatcher).
    signals: Signals,
    /// This instance's name in job leases.
    instance: String,
    lease: Duration,
    grace: Duration,
}

/// What a committed decision tells the runtime's loops.
#[derive(Clone, Default)]
pub struct Signals {
    pub jobs: Arc<Notify>,
    pub posts: Arc<Notify>,
}

const CONFLICT_RETRIES: usize = 8;

impl Engine {
    pub fn new(
        store: Arc<dyn RunStore>,
        clock: Arc<dyn Clock>,
        settings: EngineSettings,
        instance: impl Into<String>,
    ) -> Self {
        Self {
            store,
            cache: Arc::default(),
            inbox: Arc::default(),
            clock,
            runs: Arc::default(),
            signals: Signals::default(),
            instance: instance.into(),
            lease: settings.lease,
            grace: settings.grace,
        }
    }

    pub fn store(&self) -> &Arc<dyn RunStore> {
        &self.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn signals(&self) -> &Signals {
        &self.signals
    }

    /// How this run is set up, if this instance serves it.
    pub fn setup(&self, run_id: &str) -> Option<RunSetup> {
        self.read_runs().get(run_id).cloned()
    }

    /// The ids of the runs this instance serves, sorted.
    pub fn run_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.read_runs().keys().cloned().collect();
        ids.sort();
        ids
    }

    fn read_runs(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, RunSetup>> {
        self.runs.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a team's run for `timeline` and creates it in the store (with its stage
    /// jobs) unless it exists; `stages` computes its stages. Returns the run id.
    pub async fn open_run(
        &self,
        team: &TeamPlan,
        timeline: &Timeline,
        stages: Arc<dyn StageRunner>,
    ) -> Result<String, EngineError> {
        let ctx = PlanContext::new(team, timeline);
        let mut run = QuarterRun::new(&ctx.team, &ctx.quarter, &ctx.stage_due);
        run.plan_deadline = Some(ctx.plan_deadline);
        run.quarter_start = Some(ctx.quarter_start);
        run.timezone = Some(ctx.tz.name().to_owned());
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
        self.runs
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), RunSetup { ctx, stages });
        self.signals.jobs.notify_one();
        Ok(id)
    }

    /// Applies an event caused by a person (or the simulation of one). A refusal is
    /// recorded in the audit trail and returned, not raised.
    pub async fn handle(&self, run_id: &str, event: Event) -> Result<Outcome, EngineError> {
        let span = tracing::info_span!("event", run = run_id, event = event.name());
        self.handle_queued(run_id, event).instrument(span).await
    }

    /// Applies an event that comes with files for its post (the quarter-end actuals):
    /// stored with the commit, as a stage's charts are.
    pub async fn handle_with_files(
        &self,
        run_id: &str,
        event: Event,
        files: Vec<AttachmentRow>,
    ) -> Result<Outcome, EngineError> {
        let artifacts = Artifacts {
            attachments: files,
            ..Artifacts::default()
        };
        self.apply(run_id, &event, &[], artifacts).await
    }

    async fn handle_queued(&self, run_id: &str, event: Event) -> Result<Outcome, EngineError> {
        // Group commit: events for one run that arrive while a commit is in flight are
        // decided in order and written in one transaction by whoever holds the run's gate.
        let (tx, mut rx) = oneshot::channel();
        let gate = {
            let mut inbox = self.lock_inbox();
            let slot = inbox.entry(run_id.to_owned()).or_default();
            slot.queue.push((event, tx));
            slot.gate.clone()
        };
        let _turn = gate.lock().await;
        if let Ok(done) = rx.try_recv() {
            return done;
        }
        let batch = self
            .lock_inbox()
            .get_mut(run_id)
            .map(|slot| std::mem::take(&mut slot.queue))
            .unwrap_or_default();
        let (events, waiters): (Vec<Event>, Vec<_>) = batch.into_iter().unzip();
        match self
            .apply_batch(run_id, &events, &[], Artifacts::default())
            .await
        {
            Ok(outcomes) => {
                for (waiter, outcome) in waiters.into_iter().zip(outcomes) {
                    let _ = waiter.send(Ok(outcome));
                }
            }
            Err(e) => {
                let shared = e.to_string();
                for waiter in waiters {
                    let _ = waiter.send(Err(EngineError::Batch(shared.clone())));
                }
            }
        }
        rx.try_recv()
            .unwrap_or_else(|_| Err(EngineError::Batch("the event was not processed".into())))
    }

    fn lock_inbox(&self) -> std::sync::MutexGuard<'_, HashMap<String, Inbox>> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn apply(
        &self,
        run_id: &str,
        event: &Event,
        finish: &[(&ClaimedJob, JobOutcome)],
        artifacts: Artifacts,
    ) -> Result<Outcome, EngineError> {
        let mut outcomes = self
            .apply_batch(run_id, std::slice::from_ref(event), finish, artifacts)
            .await?;
        Ok(outcomes.remove(0))
    }

    /// Decides `events` in order on the run and commits all their effects at once.
    async fn apply_batch(
        &self,
        run_id: &str,
        events: &[Event],
        finish: &[(&ClaimedJob, JobOutcome)],
        artifacts: Artifacts,
    ) -> Result<Vec<Outcome>, EngineError> {
        let setup = self
            .setup(run_id)
            .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?;
        'retry: for _ in 0..CONFLICT_RETRIES {
            let (stored, cached) = self.current(run_id).await?;
            let now = self.clock.now();
            let mut merged = Decision::new(stored.run.clone());
            let mut messages = Vec::new();
            let mut outcomes = Vec::with_capacity(events.len());
            let mut refusals = Vec::new();
            for event in events {
                match decide(&merged.run, &setup.ctx, event, now) {
                    Ok(d) => {
                        outcomes.push(Outcome::Applied {
                            posts: d.posts.len(),
                        });
                        messages.extend(d.posts.iter().map(|p| present(&p.notice, &setup.ctx)));
                        merged.run = d.run;
                        merged.posts.extend(d.posts);
                        merged.jobs.extend(d.jobs);
                        merged.audit.extend(d.audit);
                    }
                    Err(_) if cached => {
                        // Only refuse on the stored truth, never on this instance's copy.
                        self.forget(run_id);
                        continue 'retry;
                    }
                    Err(rejection) => {
                        refusals.extend(refusal_audit(event, &rejection));
                        if event.actor().is_none() {
                            tracing::info!(run = run_id, event = event.name(), %rejection, "event refused");
                        }
                        outcomes.push(Outcome::Refused(rejection));
                    }
                }
            }
            if merged.run == stored.run
                && merged.posts.is_empty()
                && merged.jobs.is_empty()
                && merged.audit.is_empty()
            {
                // Nothing changed (all refused, or no-ops): record refusals, close the jobs.
                self.store.append_audit(run_id, now, &refusals).await?;
                for (job, _) in finish {
                    self.store.finish_job(job, JobOutcome::Done, now).await?;
                }
                return Ok(outcomes);
            }
            let mut commit = commit_for(
                &stored.run,
                &merged,
                &messages,
                stored.version,
                now,
                finish,
                &artifacts,
            );
            commit.audit.extend(refusals);
            let (wrote_jobs, wrote_posts) = (!commit.jobs.is_empty(), !commit.posts.is_empty());
            match self.store.commit(commit).await {
                Ok(()) => {
                    if wrote_jobs {
                        self.signals.jobs.notify_one();
                    }
                    if wrote_posts {
                        self.signals.posts.notify_one();
                    }
                    tracing::debug!(
                        run = run_id,
                        events = events.len(),
                        posts = merged.posts.len(),
                        "applied"
                    );
                    self.remember(StoredRun {
                        run: merged.run,
                        version: stored.version + 1,
                    });
                    return Ok(outcomes);
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
}

/// The audit row of a refused request by a person (none for system events).
fn refusal_audit(event: &Event, rejection: &Rejection) -> Option<NewAudit> {
    event.actor().map(|actor| NewAudit {
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        roles: actor.roles.join(","),
        action: event.name().to_owned(),
        outcome: "rejected".into(),
        detail: rejection.to_string(),
        plan_version: None,
        plan_hash: None,
        message_link: None,
    })
}

fn commit_for<'a>(
    before: &QuarterRun,
    d: &'a Decision,
    messages: &[crate::chat::Message],
    version: i64,
    now: chrono::DateTime<chrono::Utc>,
    finish: &[(&'a ClaimedJob, JobOutcome)],
    artifacts: &Artifacts,
) -> Commit<'a> {
    let posts = d
        .posts
        .iter()
        .zip(messages)
        .map(|(p, message)| NewPost {
            key: p.key.clone(),
            channel: p.channel.clone(),
            kind: p.kind(),
            message: serde_json::to_string(message).unwrap_or_default(),
            edits: p.edits.clone(),
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
        attachments: artifacts.attachments.clone(),
        finish: finish.to_vec(),
    }
}

/// The stored form of a scheduled job.
pub fn new_job(run_id: &str, spec: &JobSpec) -> NewJob {
    NewJob {
        id: spec.id.clone(),
        run_id: run_id.to_owned(),
        kind: spec.job.kind().to_owned(),
        payload: serde_json::to_string(&spec.job).unwrap_or_default(),
        policy: spec.policy.as_str().to_owned(),
        due_at: spec.due_at,
    }
}
