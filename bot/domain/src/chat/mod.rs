//! The chat port: the one interface through which the engine's posts leave the process,
//! and the neutral message they are written in. Adapters (the transcript and Discord, in
//! the app crate) render the neutral message for their medium. The port never calls
//! the engine.

mod message;

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};

pub use message::{Attachment, Button, ButtonStyle, Field, Mention, Message, Table};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One post as the outbox hands it to an adapter.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The outbox key: unique per post; sent to Discord as the message nonce so a retried
    /// post is not duplicated.
    pub key: &'a str,
    pub channel: &'a str,
    pub kind: &'a str,
    /// When the engine decided to post (virtual time in the simulation).
    pub at: DateTime<Utc>,
    pub message: &'a Message,
    /// The content of `message.attachments`, in the same order.
    pub files: &'a [File],
    /// The chat id of the thread that takes a refused direct message instead of
    /// `channel` (`message.fallback_thread_of`, once that post is delivered).
    pub thread: Option<&'a str>,
}

/// An attachment's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Where a posted message lives, so it can be edited or linked from the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub message_id: String,
    pub link: Option<String>,
    /// Set when the post went elsewhere than asked (a direct message the person does not
    /// accept, delivered as a mention in the post's channel): what happened, for the
    /// outbox row.
    pub rerouted: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// Worth retrying later (network, rate limit, 5xx).
    #[error("chat temporarily unavailable: {0}")]
    Transient(String),
    /// Will not succeed on retry (unknown channel, message rejected).
    #[error("chat rejected the post: {0}")]
    Rejected(String),
}

pub trait ChatPort: Send + Sync {
    /// Posts a message. Posting the same key twice must not create a second message.
    fn post<'a>(&'a self, post: Outgoing<'a>) -> BoxFuture<'a, Result<Posted, ChatError>>;

    /// Replaces the content of the message `message_id` (posted earlier in
    /// `edit.channel`) with `edit.message`. `edit.key` is the edit's own outbox key.
    /// Editing twice with the same content changes nothing.
    fn edit<'a>(
        &'a self,
        edit: Outgoing<'a>,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<(), ChatError>>;
}
