//! The chat port on Discord: each outbox post becomes its rendered requests, sent in
//! order (a thread's requests need the ids Discord returned for the headline). Exactly
//! once: every message carries a nonce derived from the outbox key with
//! `enforce_nonce`, so a post retried after a crash or a timeout returns the message
//! already created instead of a second one; a thread already started on the headline
//! (Discord code 160004) is the same thread (a thread started from a message has the
//! message's id). An edit in place runs the same way: its PATCH (idempotent), then its
//! detail again in the message's thread, each part with a nonce of the edit's own key.

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

/// Discord's error code for "Cannot send messages to this user".
pub const CANNOT_MESSAGE_USER: u64 = 50_007;
/// The path that opens (or finds) the bot's DM channel with a user.
const ROUTE_DM: &str = "/users/@me/channels";
/// Appended to a post's outbox key for its channel fallback (a distinct nonce).
pub const FALLBACK_SUFFIX: &str = "/dm-fallback";

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
        if let Some(user) = post.message.direct.as_deref().filter(|u| is_snowflake(u)) {
            return self.deliver_direct(post, user).await;
        }
        self.send(post, post.channel).await.map_err(chat_error)
    }

    /// A post for one person: their DM channel (`POST /users/@me/channels`), then the
    /// message there. When Discord refuses (50007: the member does not accept direct
    /// messages; or 403), the post goes with a mention of the person to its thread (a
    /// check-in prompt's campaign kickoff thread) when it has one, else to its channel —
    /// exactly once: the fallback has its own nonce, so a retry after a crash returns the
    /// message already created.
    async fn deliver_direct(&self, post: &Outgoing<'_>, user: &str) -> Result<Posted, ChatError> {
        let direct = match self.rest.send(&render::open_dm(user), ROUTE_DM).await {
            Ok(channel) => self.send(post, &id_of(&channel)).await,
            Err(e) => Err(e),
        };
        match direct {
            Err(e) if refuses_direct_messages(&e) => {
                tracing::info!(key = post.key, user, error = %e, "direct message refused; mentioning the user instead");
                let message = render::direct_fallback(post.message, user);
                let key = format!("{}{FALLBACK_SUFFIX}", post.key);
                let fallback = Outgoing {
                    key: &key,
                    message: &message,
                    ..post.clone()
                };
                let in_thread = match post.thread.filter(|t| is_snowflake(t)) {
                    Some(thread) => match self.send(&fallback, thread).await {
                        Ok(posted) => Some((posted, format!("thread {thread}"))),
                        // The thread is gone or closed: the channel takes it.
                        Err(RestError::Rejected { .. }) => None,
                        Err(e) => return Err(chat_error(e)),
                    },
                    None => None,
                };
                let (mut posted, place) = match in_thread {
                    Some(p) => p,
                    None => (
                        self.send(&fallback, post.channel)
                            .await
                            .map_err(chat_error)?,
                        format!("channel {}", post.channel),
                    ),
                };
                posted.rerouted = Some(format!(
                    "direct message to user {user} refused ({e}); mentioned in {place}"
                ));
                Ok(posted)
            }
            other => other.map_err(chat_error),
        }
    }

    /// Sends the rendered requests of `post` to `channel`, in order.
    async fn send(&self, post: &Outgoing<'_>, channel: &str) -> Result<Posted, RestError> {
        let ids = self
            .execute(post.key, &render::render(post), channel, None)
            .await?;
        Ok(Posted {
            message_id: ids.first().cloned().unwrap_or_default(),
            link: None,
            rerouted: None,
        })
    }

    /// Executes `requests` in order, filling each route's ids from the answers before it;
    /// `edited` is the message a PATCH (an edit's first request) replaces. Returns the id
    /// each request created or addressed. The first request's refusal is the post's; a
    /// detail Discord refuses after it is logged and skipped, so the post is not repeated.
    async fn execute(
        &self,
        key: &str,
        requests: &[render::Request],
        channel: &str,
        edited: Option<&str>,
    ) -> Result<Vec<String>, RestError> {
        let mut ids: Vec<String> = Vec::with_capacity(requests.len());
        for (i, r) in requests.iter().enumerate() {
            // The message a PATCH replaces keeps its id whatever the answer's body says.
            let patched = edited.filter(|_| r.method == render::Method::Patch);
            let path = match (r.target, patched) {
                (Target::Channel, Some(message)) => {
                    format!("/channels/{channel}/messages/{message}")
                }
                (Target::Channel, None) => format!("/channels/{channel}/messages"),
                (Target::ThreadFrom(n), _) => {
                    format!("/channels/{channel}/messages/{}/threads", ids[n])
                }
                (Target::Thread(n), _) => format!("/channels/{}/messages", ids[n]),
            };
            match self.rest.send(r, &path).await {
                Ok(v) => ids.push(patched.map_or_else(|| id_of(&v), str::to_owned)),
                Err(RestError::Rejected { code, .. })
                    if code == THREAD_ALREADY_CREATED
                        && matches!(r.target, Target::ThreadFrom(_)) =>
                {
                    let Target::ThreadFrom(n) = r.target else {
                        unreachable!()
                    };
                    ids.push(ids[n].clone());
                }
                Err(e @ RestError::Transient(_)) => return Err(e),
                Err(e @ RestError::Rejected { .. }) if i == 0 => return Err(e),
                Err(e) => {
                    tracing::error!(key, part = i, error = %e, "part of a post rejected");
                    ids.push(String::new());
                }
            }
        }
        Ok(ids)
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
            thread: None,
        };
        if let Err(e) = Box::pin(self.deliver(&report)).await {
            tracing::error!(key = post.key, error = %e, "could not tell the owner either");
        }
    }
}

fn chat_error(e: RestError) -> ChatError {
    match e {
        RestError::Transient(e) => ChatError::Transient(e),
        e @ RestError::Rejected { .. } => ChatError::Rejected(e.to_string()),
    }
}

/// Discord's answer when a member does not accept direct messages from the bot.
fn refuses_direct_messages(e: &RestError) -> bool {
    matches!(e, RestError::Rejected { code, status, .. } if *code == CANNOT_MESSAGE_USER || *status == 403)
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
            let requests = render::render_edit(&edit);
            self.execute(edit.key, &requests, edit.channel, Some(message_id))
                .await
                .map(|_| ())
                .map_err(chat_error)
        })
    }
}
