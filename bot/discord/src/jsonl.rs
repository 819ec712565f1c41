//! `OUT/discord.jsonl` (contract): one line per REST request the adapter sends to deliver
//! a post, written by `simulate` from the same [`render`](crate::render::render) that
//! `serve` executes. A post for one person (a check-in prompt) is a direct message:
//! the request that opens the DM channel, then the message there; its `channel` is
//! `dm:USER_ID`, so the file shows where each prompt went.

use serde_json::{Value, json};

use quarterdeck_domain::chat::Outgoing;

use crate::render::{Request, open_dm, render, render_edit};
use crate::spec::is_snowflake;

/// The contract's lines for one post, in the order they are sent (a direct message first
/// opens its DM channel).
pub fn lines(post: &Outgoing<'_>) -> Vec<Value> {
    let (channel, first) = match post.message.direct.as_deref().filter(|u| is_snowflake(u)) {
        Some(user) => (format!("dm:{user}"), Some(open_dm(user))),
        None => (post.channel.to_owned(), None),
    };
    first
        .into_iter()
        .chain(render(post))
        .map(|r| line(post, &channel, &r))
        .collect()
}

/// The contract's lines for an edit in place: the PATCH of the edited message, then its
/// detail posted again in the message's thread when it has one.
pub fn edit_lines(edit: &Outgoing<'_>) -> Vec<Value> {
    render_edit(edit)
        .iter()
        .map(|r| line(edit, edit.channel, r))
        .collect()
}

fn line(post: &Outgoing<'_>, channel: &str, r: &Request) -> Value {
    json!({
        "key": post.key,
        "method": r.method.as_str(),
        "route": r.route,
        "channel": channel,
        "body": r.body,
        "files": r.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
    })
}
