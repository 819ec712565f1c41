//! The jobs table: work due at a time. A job is claimed with a conditional update and a
//! lease; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets several instances claim in parallel
//! without taking the same row, on SQLite the single writer makes the same statement
//! safe. A claim whose lease expires (its instance died) can be taken again.

use chrono::{DateTime, Duration, Utc};

use super::{Db, Store, StoreError, from_ms, on_db, to_ms};
use quarterdeck_engine::records::{ClaimedJob, JobOutcome, NewJob};

/// A claimed job as the claim statements return it.
#[derive(sqlx::FromRow)]
struct JobRow {
    id: String,
    run_id: String,
    kind: String,
    payload: String,
    policy: String,
    due_ms: i64,
    attempts: i64,
}

fn claimed(row: JobRow, owner: &str) -> ClaimedJob {
    ClaimedJob {
        id: row.id,
        run_id: row.run_id,
        kind: row.kind,
        payload: row.payload,
        policy: row.policy,
        due_at: from_ms(row.due_ms),
        attempts: row.attempts,
        lease_owner: owner.to_owned(),
    }
}

const CLAIM_PG: &str = "UPDATE jobs SET status = 'claimed', lease_owner = $1, lease_until_ms = $2,
        attempts = attempts + 1
    WHERE id = (SELECT id FROM jobs
                WHERE due_ms <= $3 AND (status = 'pending' OR (status = 'claimed' AND lease_until_ms < $3))
                ORDER BY due_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, run_id, kind, payload, policy, due_ms, attempts";

const CLAIM_SQLITE: &str = "UPDATE jobs SET status = 'claimed', lease_owner = $1, lease_until_ms = $2,
        attempts = attempts + 1
    WHERE id = (SELECT id FROM jobs
                WHERE due_ms <= $3 AND (status = 'pending' OR (status = 'claimed' AND lease_until_ms < $3))
                ORDER BY due_ms, id LIMIT 1)
    RETURNING id, run_id, kind, payload, policy, due_ms, attempts";

/// All of one run's skippable jobs that are overdue past the grace cutoff.
const CLAIM_OVERDUE: &str =
    "UPDATE jobs SET status = 'claimed', lease_owner = $1, lease_until_ms = $2,
        attempts = attempts + 1
    WHERE status = 'pending' AND policy = 'skip_after_grace' AND due_ms < $3
      AND run_id = (SELECT run_id FROM jobs
                    WHERE status = 'pending' AND policy = 'skip_after_grace' AND due_ms < $3
                    ORDER BY due_ms, id LIMIT 1)
    RETURNING id, run_id, kind, payload, policy, due_ms, attempts";

/// Inserts a job unless one with the same id exists (scheduling is idempotent).
macro_rules! jobs_insert {
    ($tx:expr, $job:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO jobs (id, run_id, kind, payload, policy, due_ms, status, attempts, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&$job.id)
        .bind(&$job.run_id)
        .bind(&$job.kind)
        .bind(&$job.payload)
        .bind(&$job.policy)
        .bind(to_ms($job.due_at))
        .bind(to_ms($now))
        .execute(&mut *$tx)
        .await?;
    };
}
pub(super) use jobs_insert;

impl Store {
    /// Claims the earliest job due at `now`, leased to `owner` for `lease`.
    pub async fn claim_due(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        let until = to_ms(now + lease);
        let row: Option<JobRow> = match &self.db {
            Db::Pg(pool) => {
                sqlx::query_as(CLAIM_PG)
                    .bind(owner)
                    .bind(until)
                    .bind(to_ms(now))
                    .fetch_optional(pool)
                    .await?
            }
            Db::Sqlite(pool) => {
                sqlx::query_as(CLAIM_SQLITE)
                    .bind(owner)
                    .bind(until)
                    .bind(to_ms(now))
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(row.map(|r| claimed(r, owner)))
    }

    /// Claims every skippable job of one run that fell due before `cutoff`, so the
    /// missed-run policy can record them in a single decision (never a flood of posts).
    pub async fn claim_overdue(
        &self,
        now: DateTime<Utc>,
        cutoff: DateTime<Utc>,
        owner: &str,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let mut rows: Vec<JobRow> = on_db!(&self.db, pool => {
            sqlx::query_as(CLAIM_OVERDUE)
                .bind(owner)
                .bind(to_ms(now + lease))
                .bind(to_ms(cutoff))
                .fetch_all(pool)
                .await?
        });
        rows.sort_by(|a, b| (a.due_ms, &a.id).cmp(&(b.due_ms, &b.id)));
        Ok(rows.into_iter().map(|r| claimed(r, owner)).collect())
    }

    /// Gives a claimed job back (its processing failed in a way worth retrying).
    pub async fn release_job(
        &self,
        job: &ClaimedJob,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_until_ms = NULL, due_ms = $1
                 WHERE id = $2 AND lease_owner = $3 AND status = 'claimed'",
            )
            .bind(to_ms(retry_at))
            .bind(&job.id)
            .bind(&job.lease_owner)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Marks a claimed job finished without an engine event (e.g. its event was refused).
    pub async fn finish_job(
        &self,
        job: &ClaimedJob,
        outcome: JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE jobs SET status = $1, done_ms = $2 WHERE id = $3 AND lease_owner = $4 AND status = 'claimed'",
            )
            .bind(outcome.as_str())
            .bind(to_ms(now))
            .bind(&job.id)
            .bind(&job.lease_owner)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Returns every claimed job to pending. Only for a single-instance process at start
    /// (the simulation), whose earlier incarnation may have died holding leases.
    pub async fn release_all_claims(&self) -> Result<u64, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query("UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_until_ms = NULL WHERE status = 'claimed'")
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// When the next pending job falls due, if any.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row: (Option<i64>,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT MIN(due_ms) FROM jobs WHERE status = 'pending'")
                .fetch_one(pool)
                .await?
        });
        Ok(row.0.map(from_ms))
    }

    /// Counts jobs by status (for tests and `status` output).
    pub async fn job_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status")
                .fetch_all(pool)
                .await?
        }))
    }

    /// Schedules jobs outside an engine event (tests, the simulation's people).
    pub async fn schedule(&self, jobs: &[NewJob], now: DateTime<Utc>) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for job in jobs {
                jobs_insert!(tx, job, now);
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
