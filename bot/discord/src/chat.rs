//! The chat port on Discord: each outbox post becomes its rendered requests, sent in
//! order (a thread's requests need the ids Discord returned for the headline). Exactly
//! once: every message carries a nonce derived from the outbox key with
//! `enforce_nonce`, so a post retried after a crash or a timeout returns the message
//! already created instead of a second one; a thread already started on the headline
//! (Discord code 160004) is the same thread (a thread started from a message has the
//! message's id).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use quarterdeck_domain::chat::{
    BoxFuture, ChatError, ChatPort, Mention, Message, Outgoing, Posted,
};
use serde_json::Value;

use crate::render::{self, Target};
use crate::rest::{Rest, RestError};
use crate::spec::is_snowflake;

/// Discord's error code for "a thread has already been created for this message".
const THREAD_ALREADY_CREATED: u64 = 160_004;

/// Where a rejected post is reported: the team's default channel and owner role.
#[derive(Debug, Clone)]
pub struct OwnerAlert {
    pub channel: String,
    pub owner_role: String,
}

pub struct DiscordChat {
    rest: Rest,
    /// Channel id → where to report a post to it that Discord rejected.
    alerts: HashMap<String, OwnerAlert>,
    reported: Mutex<HashSet<String>>,
}

impl DiscordChat {
    pub fn new(rest: Rest, alerts: HashMap<String, OwnerAlert>) -> Self {
        Self {
            rest,
            alerts,
            reported: Mutex::new(HashSet::new()),
        }
    }

    async fn deliver(&self, post: &Outgoing<'_>) -> Result<Posted, ChatError> {
        if !is_snowflake(post.channel) {
            return Err(ChatError::Rejected(format!(
                "channel {:?} is not a Discord channel id; configure teams.channels with ids",
                post.channel
            )));
        }
        let requests = render::render(post);
        let mut ids: Vec<String> = Vec::with_capacity(requests.len());
        for (i, r) in requests.iter().enumerate() {
            let path = match r.target {
                Target::Channel => format!("/channels/{}/messages", post.channel),
                Target::ThreadFrom(n) => {
                    format!("/channels/{}/messages/{}/threads", post.channel, ids[n])
                }
                Target::Thread(n) => format!("/channels/{}/messages", ids[n]),
            };
            match self.rest.send(r, &path).await {
                Ok(v) => ids.push(id_of(&v)),
                Err(RestError::Rejected { code, .. })
                    if code == THREAD_ALREADY_CREATED
                        && matches!(r.target, Target::ThreadFrom(_)) =>
                {
                    let Target::ThreadFrom(n) = r.target else {
                        unreachable!()
                    };
                    ids.push(ids[n].clone());
                }
                Err(RestError::Transient(e)) => return Err(ChatError::Transient(e)),
                Err(e @ RestError::Rejected { .. }) if i == 0 => {
                    return Err(ChatError::Rejected(e.to_string()));
                }
                Err(e) => {
                    // The headline is posted; a detail Discord refuses is logged and
                    // skipped, so the post is not repeated.
                    tracing::error!(key = post.key, part = i, error = %e, "part of a post rejected");
                    ids.push(String::new());
                }
            }
        }
        Ok(Posted {
            message_id: ids.first().cloned().unwrap_or_default(),
            link: None,
        })
    }

    /// Tells the team's owner role, once per post, that a post could not be delivered.
    async fn report(&self, post: &Outgoing<'_>, error: &str) {
        let first = self
            .reported
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(post.key.to_owned());
        let Some(alert) = self.alerts.get(post.channel).filter(|_| first) else {
            return;
        };
        if alert.channel == post.channel && error.contains("10003") {
            return; // the channel itself is unknown: nowhere to say it
        }
        let message = Message::new(
            "A post could not be delivered",
            format!(
                "Discord refused \"{}\" ({}): {error}. Check the bot's permissions in that channel.",
                post.message.title, post.key
            ),
        )
        .mention(Mention::Role(alert.owner_role.clone()));
        let key = format!("{}/delivery-failed", post.key);
        let report = Outgoing {
            key: &key,
            channel: &alert.channel,
            kind: "delivery_failed",
            at: post.at,
            message: &message,
            files: &[],
        };
        if let Err(e) = Box::pin(self.deliver(&report)).await {
            tracing::error!(key = post.key, error = %e, "could not tell the owner either");
        }
    }
}

fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

impl ChatPort for DiscordChat {
    fn post<'a>(&'a self, post: Outgoing<'a>) -> BoxFuture<'a, Result<Posted, ChatError>> {
        Box::pin(async move {
            match self.deliver(&post).await {
                Err(ChatError::Rejected(e)) => {
                    tracing::error!(key = post.key, channel = post.channel, error = %e, "Discord rejected a post");
                    self.report(&post, &e).await;
                    Err(ChatError::Rejected(e))
                }
                other => other,
            }
        })
    }

    fn edit<'a>(
        &'a self,
        edit: Outgoing<'a>,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            let r = render::render_edit(&edit);
            let path = format!("/channels/{}/messages/{message_id}", edit.channel);
            self.rest
                .send(&r, &path)
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    RestError::Transient(e) => ChatError::Transient(e),
                    e @ RestError::Rejected { .. } => ChatError::Rejected(e.to_string()),
                })
        })
    }
}
