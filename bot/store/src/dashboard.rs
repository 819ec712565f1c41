//! Reads for the dashboard (issue 11), and its link-signing key. The dashboard never
//! writes a run's state: apart from the key, everything here is a `SELECT`.

use chrono::{DateTime, Utc};

use super::{AttachmentRow, PlanDocRow, Store, StoreError, from_ms, on_db, to_ms};

/// What changes whenever the engine commits an event to a run: cheap to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunMark {
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// A plan version's stored record, with when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersionRow {
    pub doc: PlanDocRow,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// The id of the run of `team` for `quarter` (`2027-Q1`), if there is one.
    pub async fn run_id_of(&self, team: &str, quarter: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT id FROM runs WHERE team = $1 AND quarter = $2 ORDER BY created_ms LIMIT 1")
                .bind(team)
                .bind(quarter)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|r| r.0))
    }

    /// Every run as `(team, quarter)`, oldest first.
    pub async fn team_quarters(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as("SELECT team, quarter FROM runs ORDER BY created_ms, id")
                .fetch_all(pool)
                .await?
        }))
    }

    /// The run's version and last update, without loading its state.
    pub async fn run_mark(&self, run_id: &str) -> Result<Option<RunMark>, StoreError> {
        let row: Option<(i64, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT version, updated_ms FROM runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(version, ms)| RunMark {
            version,
            updated_at: from_ms(ms),
        }))
    }

    /// Every stored plan version of a run, oldest first.
    pub async fn plan_versions(&self, run_id: &str) -> Result<Vec<PlanVersionRow>, StoreError> {
        let rows: Vec<(i64, String, String, String, String, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT version, hash, reason, markdown, html, created_ms FROM plan_versions
                 WHERE run_id = $1 ORDER BY version",
            )
            .bind(run_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(version, hash, reason, markdown, html, ms)| PlanVersionRow {
                    doc: PlanDocRow {
                        version,
                        hash,
                        reason,
                        markdown,
                        html,
                    },
                    created_at: from_ms(ms),
                },
            )
            .collect())
    }

    /// The file named `name` attached to the run's latest post that attached one (e.g.
    /// stage 8's `campaign-calendar.ics`): the bytes the team was sent.
    pub async fn latest_attachment_named(
        &self,
        run_id: &str,
        name: &str,
    ) -> Result<Option<AttachmentRow>, StoreError> {
        let pattern = format!("%{}%", name.replace(['%', '_'], ""));
        let rows: Vec<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT message FROM outbox WHERE run_id = $1 AND message LIKE $2 ORDER BY seq DESC",
            )
            .bind(run_id)
            .bind(&pattern)
            .fetch_all(pool)
            .await?
        });
        for (message,) in rows {
            let value: serde_json::Value = serde_json::from_str(&message)
                .map_err(|e| StoreError::Corrupt(format!("outbox message of {run_id}: {e}")))?;
            let sha = value["attachments"].as_array().and_then(|files| {
                files
                    .iter()
                    .find(|f| f["name"] == name)
                    .and_then(|f| f["sha256"].as_str())
            });
            if let Some(sha) = sha {
                return self.attachment(sha).await;
            }
        }
        Ok(None)
    }

    /// The stored link-signing key (hex); stores `generated` first when there is none,
    /// so every instance on one database signs with the same key.
    pub async fn dashboard_key_or_insert(
        &self,
        generated: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let row: (String,) = on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO dashboard_key (id, key_hex, created_ms) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(generated)
            .bind(to_ms(now))
            .execute(pool)
            .await?;
            sqlx::query_as("SELECT key_hex FROM dashboard_key WHERE id = 1")
                .fetch_one(pool)
                .await?
        });
        Ok(row.0)
    }

    /// Replaces the stored link-signing key: links signed with the old one stop working.
    pub async fn rotate_dashboard_key(
        &self,
        generated: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO dashboard_key (id, key_hex, created_ms) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET key_hex = excluded.key_hex, created_ms = excluded.created_ms",
            )
            .bind(generated)
            .bind(to_ms(now))
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
