//! Append-only records: stage outputs (versioned findings JSON), plan document
//! versions, and the audit trail (the database refuses updates and deletes of it).

use chrono::{DateTime, Utc};

use super::{Store, StoreError, from_ms, on_db};
use quarterdeck_engine::records::{AttachmentRow, NewAudit, PlanDocRow, StageOutputRow};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub entry: NewAudit,
}

/// An audit row as stored (time in epoch milliseconds).
#[derive(sqlx::FromRow)]
struct AuditRecord {
    seq: i64,
    at_ms: i64,
    actor_id: String,
    actor_name: String,
    roles: String,
    action: String,
    outcome: String,
    detail: String,
    plan_version: Option<i64>,
    plan_hash: Option<String>,
    message_link: Option<String>,
}

/// Appends one audit row inside a transaction.
macro_rules! audit_insert {
    ($tx:expr, $run_id:expr, $at_ms:expr, $a:expr) => {
        sqlx::query(
            "INSERT INTO audit (run_id, at_ms, actor_id, actor_name, roles, action, outcome,
                                detail, plan_version, plan_hash, message_link)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind($run_id)
        .bind($at_ms)
        .bind(&$a.actor_id)
        .bind(&$a.actor_name)
        .bind(&$a.roles)
        .bind(&$a.action)
        .bind(&$a.outcome)
        .bind(&$a.detail)
        .bind($a.plan_version)
        .bind(&$a.plan_hash)
        .bind(&$a.message_link)
        .execute(&mut *$tx)
        .await?;
    };
}
pub(super) use audit_insert;

impl Store {
    /// The latest output of each stage of a run.
    pub async fn latest_outputs(&self, run_id: &str) -> Result<Vec<StageOutputRow>, StoreError> {
        let rows: Vec<(i64, i64, i64, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT o.stage, o.version, o.available, o.findings FROM stage_outputs o
                 WHERE o.run_id = $1 AND o.version =
                   (SELECT MAX(version) FROM stage_outputs i WHERE i.run_id = o.run_id AND i.stage = o.stage)
                 ORDER BY o.stage",
            )
            .bind(run_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(stage, version, available, findings)| StageOutputRow {
                stage,
                version,
                available: available != 0,
                findings,
            })
            .collect())
    }

    pub async fn plan_doc(
        &self,
        run_id: &str,
        version: i64,
    ) -> Result<Option<PlanDocRow>, StoreError> {
        let row: Option<(i64, String, String, String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT version, hash, reason, markdown, html FROM plan_versions WHERE run_id = $1 AND version = $2",
            )
            .bind(run_id)
            .bind(version)
            .fetch_optional(pool)
            .await?
        });
        Ok(
            row.map(|(version, hash, reason, markdown, html)| PlanDocRow {
                version,
                hash,
                reason,
                markdown,
                html,
            }),
        )
    }

    /// A stored attachment by its SHA-256.
    pub async fn attachment(&self, sha256: &str) -> Result<Option<AttachmentRow>, StoreError> {
        let row: Option<(String, String, Vec<u8>)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT sha256, content_type, bytes FROM attachments WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(sha256, content_type, bytes)| AttachmentRow {
            sha256,
            content_type,
            bytes,
        }))
    }

    /// A run's audit trail, oldest first.
    pub async fn audit_trail(&self, run_id: &str) -> Result<Vec<AuditRow>, StoreError> {
        let rows: Vec<AuditRecord> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT seq, at_ms, actor_id, actor_name, roles, action, outcome, detail,
                        plan_version, plan_hash, message_link
                 FROM audit WHERE run_id = $1 ORDER BY seq",
            )
            .bind(run_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| AuditRow {
                seq: r.seq,
                at: from_ms(r.at_ms),
                entry: NewAudit {
                    actor_id: r.actor_id,
                    actor_name: r.actor_name,
                    roles: r.roles,
                    action: r.action,
                    outcome: r.outcome,
                    detail: r.detail,
                    plan_version: r.plan_version,
                    plan_hash: r.plan_hash,
                    message_link: r.message_link,
                },
            })
            .collect())
    }

    /// Appends audit rows outside an engine decision (refused requests).
    pub async fn append_audit(
        &self,
        run_id: &str,
        at: DateTime<Utc>,
        rows: &[NewAudit],
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for a in rows {
                audit_insert!(tx, run_id, super::to_ms(at), a);
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
