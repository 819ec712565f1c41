//! `OUT/discord.jsonl` (contract): one line per REST request the adapter sends to deliver
//! a post, written by `simulate` from the same [`render`](crate::render::render) that
//! `serve` executes.

use serde_json::{Value, json};

use quarterdeck_domain::chat::Outgoing;

use crate::render::{Request, render, render_edit};

/// The contract's lines for one post, in the order they are sent.
pub fn lines(post: &Outgoing<'_>) -> Vec<Value> {
    render(post).iter().map(|r| line(post, r)).collect()
}

/// The contract's line for an edit in place: one PATCH of the edited message.
pub fn edit_line(edit: &Outgoing<'_>) -> Value {
    line(edit, &render_edit(edit))
}

fn line(post: &Outgoing<'_>, r: &Request) -> Value {
    json!({
        "key": post.key,
        "method": r.method.as_str(),
        "route": r.route,
        "channel": post.channel,
        "body": r.body,
        "files": r.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
    })
}
