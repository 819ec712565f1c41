//! `OUT/discord.jsonl`: every REST request the Discord adapter would send to deliver
//! the quarter's posts, rendered by the adapter's own code (contract
//! `discord-people-dashboard.md`). Written whole to a temporary file and renamed.

use std::io::Write;
use std::path::Path;

use super::SimulateError;
use crate::chat::{File, Message, Outgoing};
use crate::store::{Store, StoreError};

pub async fn write(store: &Store, run_id: &str, out: &Path) -> Result<(), SimulateError> {
    let path = out.join("discord.jsonl");
    let mut text = String::new();
    for row in store.posts(run_id).await? {
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
            thread: None,
        };
        let lines = match row.edits {
            Some(_) => quarterdeck_discord::jsonl::edit_lines(&post),
            None => quarterdeck_discord::jsonl::lines(&post),
        };
        for line in lines {
            text.push_str(&line.to_string());
            text.push('\n');
        }
    }
    let io = |source| SimulateError::Io {
        path: path.clone(),
        source,
    };
    let tmp = path.with_extension("jsonl.tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)
}
