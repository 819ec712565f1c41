//! Delivers the outbox through a chat port, oldest first. A row is marked sent only
//! after the port accepted it; the port dedupes by key (Discord's nonce, the
//! transcript's key index), so a crash between the two posts nothing twice. A row that
//! edits an earlier post in place replaces that post's stored message (an edit is
//! idempotent); while that post is not sent yet, the edit and the rows after it wait.

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
            let thread = match message
                .fallback_thread_of
                .as_deref()
                .filter(|_| message.direct.is_some())
            {
                Some(key) => store
                    .post(key)
                    .await?
                    .filter(|t| t.sent_at.is_some())
                    .and_then(|t| t.message_id)
                    .filter(|id| !id.is_empty()),
                None => None,
            };
            let post = Outgoing {
                key: &row.key,
                channel: &row.channel,
                kind: &row.kind,
                at: row.created_at,
                message: &message,
                files: &files,
                thread: thread.as_deref(),
            };
            let delivered = match &row.edits {
                None => chat.post(post).await.map(|p| (p.message_id, p.rerouted)),
                Some(target) => match store.post(target).await? {
                    Some(t) if t.sent_at.is_none() => {
                        // Its message is not out yet: the edit waits, and so does the queue.
                        tracing::info!(key = %row.key, target = %target, "edit waits for its message");
                        return Ok(sent);
                    }
                    Some(t) => match t.message_id.filter(|id| !id.is_empty()) {
                        Some(id) => chat.edit(post, &id).await.map(|()| (id, None)),
                        None => Err(ChatError::Rejected(format!(
                            "{target} was never delivered; there is no message to edit"
                        ))),
                    },
                    None => Err(ChatError::Rejected(format!(
                        "there is no post {target} to edit"
                    ))),
                },
            };
            match delivered {
                Ok((message_id, rerouted)) => {
                    if let Some(why) = &rerouted {
                        // Where it went instead (a refused direct message): on the row.
                        store.mark_failed(&row.key, why).await?;
                    }
                    store.mark_sent(&row.key, &message_id, clock.now()).await?;
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
