//! The engine's ports: what it needs from the world, as traits the app wires adapters
//! to. [`RunStore`] persists runs, jobs, the outbox and records (the store crate
//! implements it over SQLite or PostgreSQL); [`StageRunner`] computes a stage from its
//! inputs (the stages crate, behind the app); the chat port ([`ChatPort`]) and the clock
//! ([`Clock`]) are the domain's, re-exported here, because chat adapters implement them
//! without knowing the engine. The records the store port speaks are in [`records`].
//!
//! [`records`]: crate::records

use chrono::{DateTime, Duration, Utc};

pub use quarterdeck_domain::chat::{BoxFuture, ChatError, ChatPort};
pub use quarterdeck_domain::clock::Clock;
pub use quarterdeck_domain::{StageOutputKind, StageResult};

use crate::PlanContext;
use crate::domain::QuarterRun;
use crate::records::{
    AttachmentRow, ClaimedJob, Commit, JobOutcome, NewAudit, NewJob, OutboxRow, StoredRun,
};

/// Why the store could not do what the engine asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer changed the run since it was loaded; reload and decide again.
    #[error("the run was changed concurrently")]
    Conflict,
    /// The job's lease expired and another instance took it.
    #[error("job {0} is no longer leased to this instance")]
    LeaseLost(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Anything else the store reports (a database error, a connection); its own message.
    #[error("{0}")]
    Failed(String),
}

/// Persistence as the engine uses it: runs with an optimistic version, the job queue
/// with leases, the outbox and stage records. One transaction per [`RunStore::commit`].
pub trait RunStore: Send + Sync {
    /// Inserts a run with its first jobs unless it exists; whether it was created.
    fn create_run<'a>(
        &'a self,
        run: &'a QuarterRun,
        jobs: &'a [NewJob],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    fn load_run<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredRun>, StoreError>>;

    /// Writes everything one decision produced, or fails with `Conflict` when the run's
    /// version moved.
    fn commit<'a>(&'a self, commit: Commit<'a>) -> BoxFuture<'a, Result<(), StoreError>>;

    fn append_audit<'a>(
        &'a self,
        run_id: &'a str,
        at: DateTime<Utc>,
        rows: &'a [NewAudit],
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Leases the next job due at `now` to `owner`.
    fn claim_due<'a>(
        &'a self,
        now: DateTime<Utc>,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Option<ClaimedJob>, StoreError>>;

    /// Leases one run's skippable jobs that fell due before `cutoff`.
    fn claim_overdue<'a>(
        &'a self,
        now: DateTime<Utc>,
        cutoff: DateTime<Utc>,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Vec<ClaimedJob>, StoreError>>;

    /// Gives a claimed job back, due again at `retry_at`.
    fn release_job<'a>(
        &'a self,
        job: &'a ClaimedJob,
        retry_at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    fn finish_job<'a>(
        &'a self,
        job: &'a ClaimedJob,
        outcome: JobOutcome,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The oldest posts not yet sent, at most `limit`.
    fn unsent_posts(&self, limit: i64) -> BoxFuture<'_, Result<Vec<OutboxRow>, StoreError>>;

    /// The post keyed `key` (sent or not), if there is one.
    fn post<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<OutboxRow>, StoreError>>;

    fn attachment<'a>(
        &'a self,
        sha256: &'a str,
    ) -> BoxFuture<'a, Result<Option<AttachmentRow>, StoreError>>;

    fn mark_sent<'a>(
        &'a self,
        key: &'a str,
        message_id: &'a str,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    fn mark_failed<'a>(
        &'a self,
        key: &'a str,
        error: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// Stage 10's document, stored with the plan version it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDocument {
    pub markdown: String,
    pub html: String,
}

/// A stage computation that finished.
#[derive(Debug)]
pub struct ComputedStage {
    pub result: StageResult,
    /// The findings JSON stored as the stage's versioned output.
    pub findings: String,
    pub plan: Option<PlanDocument>,
    /// The files the post attaches, by content hash.
    pub files: Vec<AttachmentRow>,
}

/// How a stage computation ended.
#[derive(Debug)]
pub enum Computation {
    Done(Box<ComputedStage>),
    /// The stage failed in a way a retry will not fix (bad or unreachable data, a bug):
    /// the reason, in words for the team.
    Failed(String),
}

/// Computes a run's stages. One per run (it knows where the team's data comes from).
pub trait StageRunner: Send + Sync {
    /// Computes `stage` of `run`. `Err` is worth retrying (the store was unavailable);
    /// a failure of the stage itself is `Ok(Computation::Failed)`.
    fn compute<'a>(
        &'a self,
        run: &'a QuarterRun,
        ctx: &'a PlanContext,
        stage: u8,
    ) -> BoxFuture<'a, Result<Computation, StoreError>>;
}
