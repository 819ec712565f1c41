//! The outbox: posts decided by the engine, written in the same transaction as the
//! decision, delivered afterwards. A unique key per post (run, stage, kind, version)
//! makes delivery idempotent; the returned chat message id is stored.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, from_ms, on_db, to_ms};
use quarterdeck_engine::records::OutboxRow;

/// An outbox row as stored (times in epoch milliseconds).
#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    key: String,
    run_id: String,
    channel: String,
    kind: String,
    message: String,
    created_ms: i64,
    sent_ms: Option<i64>,
    message_id: Option<String>,
    edits: Option<String>,
}

fn row(r: Row) -> OutboxRow {
    OutboxRow {
        seq: r.seq,
        key: r.key,
        run_id: r.run_id,
        channel: r.channel,
        kind: r.kind,
        message: r.message,
        created_at: from_ms(r.created_ms),
        sent_at: r.sent_ms.map(from_ms),
        message_id: r.message_id,
        edits: r.edits,
    }
}

impl Store {
    /// Unsent posts in the order they were decided.
    pub async fn unsent_posts(&self, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
        let rows: Vec<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT seq, key, run_id, channel, kind, message, created_ms, sent_ms, message_id, edits
                 FROM outbox WHERE sent_ms IS NULL ORDER BY seq LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(row).collect())
    }

    /// Every post of a run, in order.
    pub async fn posts(&self, run_id: &str) -> Result<Vec<OutboxRow>, StoreError> {
        let rows: Vec<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT seq, key, run_id, channel, kind, message, created_ms, sent_ms, message_id, edits
                 FROM outbox WHERE run_id = $1 ORDER BY seq",
            )
            .bind(run_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(row).collect())
    }

    /// The post keyed `key`, sent or not.
    pub async fn post(&self, key: &str) -> Result<Option<OutboxRow>, StoreError> {
        let r: Option<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT seq, key, run_id, channel, kind, message, created_ms, sent_ms, message_id, edits
                 FROM outbox WHERE key = $1",
            )
            .bind(key)
            .fetch_optional(pool)
            .await?
        });
        Ok(r.map(row))
    }

    /// The post whose delivered message has the chat id `message_id` (not an edit's row).
    pub async fn post_by_message_id(
        &self,
        message_id: &str,
    ) -> Result<Option<OutboxRow>, StoreError> {
        let r: Option<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT seq, key, run_id, channel, kind, message, created_ms, sent_ms, message_id, edits
                 FROM outbox WHERE message_id = $1 AND edits IS NULL ORDER BY seq LIMIT 1",
            )
            .bind(message_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(r.map(row))
    }

    pub async fn mark_sent(
        &self,
        key: &str,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE outbox SET sent_ms = $1, message_id = $2 WHERE key = $3")
                .bind(to_ms(at))
                .bind(message_id)
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn mark_failed(&self, key: &str, error: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE key = $2")
                .bind(error)
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
