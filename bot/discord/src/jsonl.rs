//! `OUT/discord.jsonl` (contract): one line per REST request the adapter sends to deliver
//! a post, written by `simulate` from the same [`render`](crate::render::render) that
//! `serve` executes. A post for one person (a check-in prompt) is a direct message:
//! the request that opens the DM channel, then the message there; its `channel` is
//! `dm:USER_ID`, so the file shows where each prompt went.

use serde_json::{Value, json};

use quarterdeck_domain::chat::Outgoing;

use crate::render::{open_dm, render};
use crate::spec::is_snowflake;

/// The contract's lines for one post, in the order they are sent.
pub fn lines(post: &Outgoing<'_>) -> Vec<Value> {
    let (channel, first) = match post.message.direct.as_deref().filter(|u| is_snowflake(u)) {
        Some(user) => (format!("dm:{user}"), Some(open_dm(user))),
        None => (post.channel.to_owned(), None),
    };
    first
        .into_iter()
        .chain(render(post))
        .map(|r| {
            json!({
                "key": post.key,
                "method": r.method.as_str(),
                "route": r.route,
                "channel": channel,
                "body": r.body,
                "files": r.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect()
}
