//! The run aggregate: one row per team quarter, its state a JSON document guarded by a
//! version number. [`Store::commit`] writes everything one engine event produced in a
//! single transaction: the new state (compare-and-swap on the version), outbox rows,
//! jobs, audit rows, stage outputs, a plan version, and the completion of the jobs that
//! delivered the event.

use chrono::{DateTime, Utc};

use super::jobs::jobs_insert;
use super::records::audit_insert;
use super::{Commit, NewJob, Store, StoreError, StoredRun, on_db, to_ms};
use quarterdeck_domain::QuarterRun;

impl Store {
    /// Inserts a new run with its first jobs; does nothing if the run already exists.
    /// Returns whether it was created.
    pub async fn create_run(
        &self,
        run: &QuarterRun,
        jobs: &[NewJob],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let state = serde_json::to_string(run).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO runs (id, team, quarter, status, version, state, created_ms, updated_ms)
                 VALUES ($1, $2, $3, $4, 1, $5, $6, $6) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&run.id)
            .bind(&run.team)
            .bind(&run.quarter)
            .bind(run.status.as_str())
            .bind(&state)
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                for job in jobs {
                    jobs_insert!(tx, job, now);
                }
            }
            tx.commit().await?;
            Ok(inserted == 1)
        })
    }

    pub async fn load_run(&self, id: &str) -> Result<Option<StoredRun>, StoreError> {
        let row: Option<(String, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT state, version FROM runs WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(state, version)| {
            let run = serde_json::from_str(&state)
                .map_err(|e| StoreError::Corrupt(format!("run {id}: {e}")))?;
            Ok(StoredRun { run, version })
        })
        .transpose()
    }

    /// Ids of every run, oldest first.
    pub async fn run_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT id FROM runs ORDER BY created_ms, id").fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    pub async fn commit(&self, c: Commit<'_>) -> Result<(), StoreError> {
        let state = serde_json::to_string(c.run).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = to_ms(c.now);
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE runs SET state = $1, status = $2, version = version + 1, updated_ms = $3
                 WHERE id = $4 AND version = $5",
            )
            .bind(&state)
            .bind(c.run.status.as_str())
            .bind(now)
            .bind(&c.run.id)
            .bind(c.expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            for (job, outcome) in &c.finish {
                let done = sqlx::query(
                    "UPDATE jobs SET status = $1, done_ms = $2
                     WHERE id = $3 AND lease_owner = $4 AND status = 'claimed'",
                )
                .bind(outcome.as_str())
                .bind(now)
                .bind(&job.id)
                .bind(&job.lease_owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done != 1 {
                    return Err(StoreError::LeaseLost(job.id.clone()));
                }
            }
            for p in &c.posts {
                sqlx::query(
                    "INSERT INTO outbox (key, run_id, channel, kind, message, created_ms, edits)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING",
                )
                .bind(&p.key)
                .bind(&c.run.id)
                .bind(&p.channel)
                .bind(&p.kind)
                .bind(&p.message)
                .bind(now)
                .bind(&p.edits)
                .execute(&mut *tx)
                .await?;
            }
            for job in &c.jobs {
                jobs_insert!(tx, job, c.now);
            }
            for a in &c.audit {
                audit_insert!(tx, &c.run.id, now, a);
            }
            for o in &c.outputs {
                sqlx::query(
                    "INSERT INTO stage_outputs (run_id, stage, version, available, findings, created_ms)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&c.run.id)
                .bind(o.stage)
                .bind(o.version)
                .bind(i64::from(o.available))
                .bind(&o.findings)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for a in &c.attachments {
                sqlx::query(
                    "INSERT INTO attachments (sha256, content_type, bytes, created_ms)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                )
                .bind(&a.sha256)
                .bind(&a.content_type)
                .bind(&a.bytes)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(p) = &c.plan {
                sqlx::query(
                    "INSERT INTO plan_versions (run_id, version, hash, reason, markdown, html, created_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&c.run.id)
                .bind(p.version)
                .bind(&p.hash)
                .bind(&p.reason)
                .bind(&p.markdown)
                .bind(&p.html)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
