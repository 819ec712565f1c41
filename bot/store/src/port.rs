//! The store as the engine's store port: each method of [`RunStore`] is the [`Store`]
//! method of the same name; errors keep their meaning (a conflict, a lost lease) and
//! otherwise their message.

use chrono::{DateTime, Duration, Utc};
use quarterdeck_domain::QuarterRun;
use quarterdeck_domain::chat::BoxFuture;
use quarterdeck_engine::ports::{RunStore, StoreError as PortError};

use super::{
    AttachmentRow, ClaimedJob, Commit, JobOutcome, NewAudit, NewJob, OutboxRow, Store, StoreError,
    StoredRun,
};

impl From<StoreError> for PortError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => Self::Conflict,
            StoreError::LeaseLost(id) => Self::LeaseLost(id),
            StoreError::Corrupt(what) => Self::Corrupt(what),
            other => Self::Failed(other.to_string()),
        }
    }
}

fn port<T>(r: Result<T, StoreError>) -> Result<T, PortError> {
    r.map_err(PortError::from)
}

impl RunStore for Store {
    fn create_run<'a>(
        &'a self,
        run: &'a QuarterRun,
        jobs: &'a [NewJob],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<bool, PortError>> {
        Box::pin(async move { port(Store::create_run(self, run, jobs, now).await) })
    }

    fn load_run<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredRun>, PortError>> {
        Box::pin(async move { port(Store::load_run(self, id).await) })
    }

    fn commit<'a>(&'a self, commit: Commit<'a>) -> BoxFuture<'a, Result<(), PortError>> {
        Box::pin(async move { port(Store::commit(self, commit).await) })
    }

    fn append_audit<'a>(
        &'a self,
        run_id: &'a str,
        at: DateTime<Utc>,
        rows: &'a [NewAudit],
    ) -> BoxFuture<'a, Result<(), PortError>> {
        Box::pin(async move { port(Store::append_audit(self, run_id, at, rows).await) })
    }

    fn claim_due<'a>(
        &'a self,
        now: DateTime<Utc>,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Option<ClaimedJob>, PortError>> {
        Box::pin(async move { port(Store::claim_due(self, now, owner, lease).await) })
    }

    fn claim_overdue<'a>(
        &'a self,
        now: DateTime<Utc>,
        cutoff: DateTime<Utc>,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Vec<ClaimedJob>, PortError>> {
        Box::pin(async move { port(Store::claim_overdue(self, now, cutoff, owner, lease).await) })
    }

    fn release_job<'a>(
        &'a self,
        job: &'a ClaimedJob,
        retry_at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), PortError>> {
        Box::pin(async move { port(Store::release_job(self, job, retry_at).await) })
    }

    fn finish_job<'a>(
        &'a self,
        job: &'a ClaimedJob,
        outcome: JobOutcome,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), PortError>> {
        Box::pin(async move { port(Store::finish_job(self, job, outcome, now).await) })
    }

    fn unsent_posts(&self, limit: i64) -> BoxFuture<'_, Result<Vec<OutboxRow>, PortError>> {
        Box::pin(async move { port(Store::unsent_posts(self, limit).await) })
    }

    fn post<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<OutboxRow>, PortError>> {
        Box::pin(async move { port(Store::post(self, key).await) })
    }

    fn attachment<'a>(
        &'a self,
        sha256: &'a str,
    ) -> BoxFuture<'a, Result<Option<AttachmentRow>, PortError>> {
        Box::pin(async move { port(Store::attachment(self, sha256).await) })
    }

    fn mark_sent<'a>(
        &'a self,
        key: &'a str,
        message_id: &'a str,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), PortError>> {
        Box::pin(async move { port(Store::mark_sent(self, key, message_id, at).await) })
    }

    fn mark_failed<'a>(
        &'a self,
        key: &'a str,
        error: &'a str,
    ) -> BoxFuture<'a, Result<(), PortError>> {
        Box::pin(async move { port(Store::mark_failed(self, key, error).await) })
    }
}
