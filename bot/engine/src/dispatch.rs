//! Delivers the outbox through a chat port, oldest first. A row is marked sent only
//! after the port accepted it; the port dedupes by key (Discord's nonce, the
//! transcript's key index), so a crash between the two posts nothing twice.

use crate::chat::{ChatError, ChatPort, File, Message, Outgoing};
use crate::clock::Clock;
use crate::ports::{RunStore, StoreError};

const BATCH: i64 = 64;

/// Sends every unsent post; returns how many were sent. Stops at the first transient
/// failure (to be retried later); a post the chat rejects is recorded and skipped.
pub async fn deliver_outbox(
    store: &dyn RunStore,
    chat: &dyn ChatPort,
    clock: &dyn Clock,
) -> Result<usize, StoreError> {
    let mut sent = 0;
    loop {
        let rows = store.unsent_posts(BATCH).await?;
        if rows.is_empty() {
            return Ok(sent);
        }
        for row in rows {
            let message: Message = serde_json::from_str(&row.message)
                .map_err(|e| StoreError::Corrupt(format!("outbox {}: {e}", row.key)))?;
            let mut files = Vec::with_capacity(message.attachments.len());
            for a in &message.attachments {
                let stored = store.attachment(&a.sha256).await?.ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "outbox {}: attachment {} is missing",
                        row.key, a.sha256
                    ))
                })?;
                files.push(File {
                    name: a.name.clone(),
                    content_type: stored.content_type,
                    bytes: stored.bytes,
                });
            }
            let post = Outgoing {
                key: &row.key,
                channel: &row.channel,
                kind: &row.kind,
                at: row.created_at,
                message: &message,
                files: &files,
            };
            match chat.post(post).await {
                Ok(posted) => {
                    if let Some(why) = &posted.rerouted {
                        // Where it went instead (a refused direct message): on the row.
                        store.mark_failed(&row.key, why).await?;
                    }
                    store
                        .mark_sent(&row.key, &posted.message_id, clock.now())
                        .await?;
                    sent += 1;
                }
                Err(ChatError::Transient(e)) => {
                    store.mark_failed(&row.key, &e).await?;
                    tracing::warn!(key = %row.key, error = %e, "post failed; will retry");
                    return Ok(sent);
                }
                Err(ChatError::Rejected(e)) => {
                    // Marked sent with no id so it does not block the queue; the error stays.
                    store.mark_failed(&row.key, &e).await?;
                    store.mark_sent(&row.key, "", clock.now()).await?;
                    tracing::error!(key = %row.key, error = %e, "post rejected by chat");
                }
            }
        }
    }
}
