//! Rendering: the neutral chat [`Message`] → the Discord REST requests that deliver it.
//! Pure: no I/O, no clock; `serve` executes the requests, `simulate` writes them to
//! `OUT/discord.jsonl`, both from this code.
//!
//! A message that fits one embed is one request (a campaign's kickoff post also opens
//! its thread). A longer one becomes a short headline
//! message in the channel (what it found, the first chart, the buttons) and a thread under
//! it with the detail: the text split at paragraph or sentence boundaries, narrow tables
//! as aligned monospace blocks (≤ 56 columns, a phone's width), wide tables as a PNG
//! image with the CSV beside it, and the remaining charts. Markdown pipe tables are never
//! sent: Discord does not render them.

pub mod limits;
mod table;
pub mod text;

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use quarterdeck_domain::chat::{ButtonStyle, File, Mention, Message, Outgoing};

pub use table::{PHONE_COLUMNS, csv, monospace};

/// The headline's description when the detail goes to a thread: short enough to read
/// in the channel at a glance.
pub const HEADLINE_CHARS: usize = 700;
/// A message whose text is longer than this opens a thread for the detail.
pub const SINGLE_MESSAGE_CHARS: usize = 1800;
/// Brand colour of the embeds (a calm blue, readable on light and dark themes).
pub const EMBED_COLOR: u32 = 0x2F6FDE;
/// Threads stay open a week without activity.
pub const THREAD_ARCHIVE_MINUTES: u32 = 10_080;

/// Posts of this kind open a thread even when they fit one message: a campaign's
/// kickoff post, whose thread (id = the post's message id) is the campaign's place,
/// where its owner's check-in prompt goes when they do not accept direct messages.
pub const OWN_THREAD_KIND: &str = "kickoff_campaign";

pub const ROUTE_MESSAGES: &str = "/channels/{channel_id}/messages";
pub const ROUTE_MESSAGE: &str = "/channels/{channel_id}/messages/{message_id}";
pub const ROUTE_OPEN_DM: &str = "/users/@me/channels";
pub const ROUTE_THREAD_FROM_MESSAGE: &str = "/channels/{channel_id}/messages/{message_id}/threads";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PATCH")]
    Patch,
    #[serde(rename = "PUT")]
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Put => "PUT",
        }
    }
}

/// Where a request goes; the executor fills the route's ids from earlier answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The post's configured channel.
    Channel,
    /// Starts a thread on the message created by request `n` of the same delivery.
    ThreadFrom(usize),
    /// Into the thread started by request `n`.
    Thread(usize),
}

/// One REST request of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    /// The route template as Discord's OpenAPI spec writes it.
    pub route: &'static str,
    pub target: Target,
    /// The JSON body (for multipart, the `payload_json` part).
    pub body: Value,
    /// Files uploaded with it, in `files[n]` order.
    pub files: Vec<File>,
}

impl Request {
    /// Whether this request creates a message (and so carries a nonce).
    pub fn creates_message(&self) -> bool {
        self.method == Method::Post && self.route == ROUTE_MESSAGES
    }
}

/// The nonce of part `part` of the post keyed `key`: Discord allows 25 characters and
/// the outbox keys are longer, so it is the first 25 hex digits of SHA-256(key#part);
/// with `enforce_nonce`, Discord returns the message already created with it instead of
/// a second one.
pub fn nonce(key: &str, part: usize) -> String {
    let digest = Sha256::digest(format!("{key}#{part}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..25].to_owned()
}

/// The requests that deliver `post`, in order. Mentions inside the text are written in
/// Discord's syntax there (an embed shows them without pinging; `mentions` ping).
pub fn render(post: &Outgoing<'_>) -> Vec<Request> {
    let message = post.message.render_mentions(Mention::to_markdown);
    let post = &Outgoing {
        message: &message,
        ..post.clone()
    };
    let m = post.message;
    let mut narrow = Vec::new();
    let mut wide = Vec::new();
    for (i, t) in m.tables.iter().enumerate() {
        match monospace(t) {
            Some(lines) => narrow.push((t, lines)),
            None => wide.push((i, t)),
        }
    }
    let narrow_text: Vec<String> = narrow
        .iter()
        .flat_map(|(t, lines)| table::monospace_blocks(t, lines, limits::CONTENT))
        .collect();
    let mut full = m.body.trim().to_owned();
    for block in &narrow_text {
        full.push_str("\n\n");
        full.push_str(block);
    }
    let images: Vec<&File> = post.files.iter().filter(|f| is_image(f)).collect();
    let fits_one = text::len(&full) <= SINGLE_MESSAGE_CHARS
        && wide.is_empty()
        && post.files.len() <= 1
        && m.fields.len() <= limits::FIELDS;
    if fits_one {
        let files: Vec<File> = post.files.to_vec();
        let image = images.first().map(|f| f.name.clone());
        let body = headline_body(post, &full, image.as_deref(), &files, 0);
        let mut requests = vec![Request {
            method: Method::Post,
            route: ROUTE_MESSAGES,
            target: Target::Channel,
            body,
            files,
        }];
        if post.kind == OWN_THREAD_KIND {
            requests.push(thread_from_headline(&m.title));
        }
        return requests;
    }

    // Headline in the channel, detail in a thread under it.
    let (head, rest) = text::headline(&m.body, HEADLINE_CHARS);
    let mut head_text = head;
    head_text.push_str("\n\n*The detail is in the thread below.*");
    let first_image = images.first().copied().cloned();
    let head_files: Vec<File> = first_image.iter().cloned().collect();
    let mut requests = vec![Request {
        method: Method::Post,
        route: ROUTE_MESSAGES,
        target: Target::Channel,
        body: headline_body(
            post,
            &head_text,
            first_image.as_ref().map(|f| f.name.as_str()),
            &head_files,
            0,
        ),
        files: head_files,
    }];
    requests.push(thread_from_headline(&m.title));
    let mut part = 1;
    let in_thread = |body: Value, files: Vec<File>, requests: &mut Vec<Request>| {
        requests.push(Request {
            method: Method::Post,
            route: ROUTE_MESSAGES,
            target: Target::Thread(1),
            body,
            files,
        });
    };
    let mut thread_text: Vec<String> = Vec::new();
    if !rest.trim().is_empty() {
        thread_text.extend(text::split(&rest, limits::CONTENT));
    }
    // Fields that do not fit the headline's embed are listed in the thread.
    if m.fields.len() > limits::FIELDS {
        let extra: Vec<String> = m.fields[limits::FIELDS..]
            .iter()
            .map(|f| format!("- **{}**: {}", f.name, f.value))
            .collect();
        thread_text.extend(text::split(&extra.join("\n"), limits::CONTENT));
    }
    thread_text.extend(narrow_text);
    for chunk in thread_text {
        let body = text_body(post.key, part, &chunk);
        part += 1;
        in_thread(body, Vec::new(), &mut requests);
    }
    for (i, t) in wide {
        let stem = format!("table-{}-{}", i + 1, slug(&t.title));
        let files = table::wide_files(t, &stem);
        let title = if t.title.is_empty() {
            "Table".to_owned()
        } else {
            t.title.clone()
        };
        let mut embed = json!({
            "title": truncate(&title, limits::TITLE),
            "description": format!("{} rows; the full table is attached as CSV.", t.rows.len()),
            "color": EMBED_COLOR,
        });
        if let Some(png) = files.iter().find(|f| is_image(f)) {
            embed["image"] = json!({ "url": format!("attachment://{}", png.name) });
        }
        let body = files_body(post.key, part, vec![embed], &files);
        part += 1;
        in_thread(body, files, &mut requests);
    }
    // The other files (further charts, documents), at most ten a message.
    let rest_files: Vec<File> = post
        .files
        .iter()
        .filter(|f| first_image.as_ref().is_none_or(|h| h.name != f.name))
        .cloned()
        .collect();
    for group in rest_files.chunks(limits::FILES) {
        let embeds: Vec<Value> = group
            .iter()
            .filter(|f| is_image(f))
            .map(|f| {
                json!({
                    "title": truncate(&caption(&f.name), limits::TITLE),
                    "image": { "url": format!("attachment://{}", f.name) },
                    "color": EMBED_COLOR,
                })
            })
            .collect();
        let body = files_body(post.key, part, embeds, group);
        part += 1;
        in_thread(body, group.to_vec(), &mut requests);
    }
    requests
}

/// The requests that edit a posted message in place (a tally after a decision, a
/// check-in digest after a late answer), laid out as [`render`] lays out the post: a PATCH
/// of the message's embed and buttons (mentions written as text, never pinging again:
/// `allowed_mentions` empty, `content` left as it was), and, when the edited message does
/// not fit one embed, its detail posted again in the message's thread (started first if
/// the post had none: a thread started from a message has the message's id) under a line
/// saying it replaces the detail above. Every thread part carries a nonce of the edit's
/// own key, so an edit delivered again after a crash posts nothing twice.
///
/// The PATCH uploads no files: an edit's embed shows no image.
pub fn render_edit(edit: &Outgoing<'_>) -> Vec<Request> {
    let mut requests = render(edit);
    let headline = requests.remove(0);
    let mut embed = headline.body["embeds"][0].clone();
    if let Some(e) = embed.as_object_mut() {
        e.remove("image");
    }
    let message = edit.message.render_mentions(Mention::to_markdown);
    let patch = Request {
        method: Method::Patch,
        route: ROUTE_MESSAGE,
        target: Target::Channel,
        body: json!({
            "embeds": [embed],
            "components": components(&message),
            "allowed_mentions": { "parse": [] },
        }),
        files: Vec::new(),
    };
    let detail: Vec<Request> = requests
        .into_iter()
        .filter(|r| matches!(r.target, Target::Thread(_)))
        .collect();
    if detail.is_empty() {
        return vec![patch];
    }
    let when = edit.at.format("%Y-%m-%d %H:%M UTC");
    let note = Request {
        method: Method::Post,
        route: ROUTE_MESSAGES,
        target: Target::Thread(1),
        // Part 0 is a post's headline; an edit's headline is the PATCH, so the note has it.
        body: text_body(
            edit.key,
            0,
            &format!("**Updated {when}**: the detail below replaces the detail above."),
        ),
        files: Vec::new(),
    };
    let mut all = vec![patch, thread_from_headline(&edit.message.title), note];
    all.extend(detail);
    all
}

fn headline_body(
    post: &Outgoing<'_>,
    description: &str,
    image: Option<&str>,
    files: &[File],
    part: usize,
) -> Value {
    let m = post.message;
    let mut body = json!({
        "embeds": [embed(m, description, image)],
        "nonce": nonce(post.key, part),
        "enforce_nonce": true,
        "allowed_mentions": allowed_mentions(&m.mentions),
    });
    let who: Vec<String> = m.mentions.iter().map(Mention::to_markdown).collect();
    if !who.is_empty() {
        body["content"] = json!(truncate(&who.join(" "), limits::CONTENT));
    }
    let rows = components(m);
    if rows.as_array().is_some_and(|r| !r.is_empty()) {
        body["components"] = rows;
    }
    if !files.is_empty() {
        body["attachments"] = attachments(files);
    }
    body["embeds"][0]["timestamp"] =
        json!(post.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    body
}

fn embed(m: &Message, description: &str, image: Option<&str>) -> Value {
    let mut e = json!({
        "title": truncate(&m.title, limits::TITLE),
        "color": EMBED_COLOR,
    });
    if !description.trim().is_empty() {
        e["description"] = json!(description);
    }
    let fields: Vec<Value> = m
        .fields
        .iter()
        .take(limits::FIELDS)
        .map(|f| {
            json!({
                "name": truncate(&f.name, limits::FIELD_NAME),
                "value": truncate(&f.value, limits::FIELD_VALUE),
                "inline": f.inline,
            })
        })
        .collect();
    if !fields.is_empty() {
        e["fields"] = json!(fields);
    }
    if let Some(name) = image {
        e["image"] = json!({ "url": format!("attachment://{name}") });
    }
    e
}

fn text_body(key: &str, part: usize, content: &str) -> Value {
    json!({
        "content": content,
        "nonce": nonce(key, part),
        "enforce_nonce": true,
        "allowed_mentions": { "parse": [] },
    })
}

fn files_body(key: &str, part: usize, embeds: Vec<Value>, files: &[File]) -> Value {
    let mut body = json!({
        "nonce": nonce(key, part),
        "enforce_nonce": true,
        "allowed_mentions": { "parse": [] },
        "attachments": attachments(files),
    });
    if !embeds.is_empty() {
        body["embeds"] = json!(embeds);
    }
    body
}

fn attachments(files: &[File]) -> Value {
    Value::Array(
        files
            .iter()
            .enumerate()
            .map(|(i, f)| json!({ "id": i, "filename": f.name }))
            .collect(),
    )
}

/// Only the people and roles the post names are pinged; ids that are not Discord ids
/// (a simulation's role names) are shown but ping nobody.
fn allowed_mentions(mentions: &[Mention]) -> Value {
    let ids = |want_role: bool| -> Vec<String> {
        mentions
            .iter()
            .filter_map(|m| match m {
                Mention::Role(id) if want_role => Some(id),
                Mention::User(id) if !want_role => Some(id),
                _ => None,
            })
            .filter(|id| crate::spec::is_snowflake(id))
            .take(100)
            .cloned()
            .collect()
    };
    let mut v = json!({ "parse": [] });
    let roles = ids(true);
    if !roles.is_empty() {
        v["roles"] = json!(roles);
    }
    let users = ids(false);
    if !users.is_empty() {
        v["users"] = json!(users);
    }
    v
}

/// Buttons as action rows of at most five; at most five rows.
fn components(m: &Message) -> Value {
    let rows: Vec<Value> = m
        .buttons
        .chunks(limits::BUTTONS_PER_ROW)
        .take(limits::ROWS)
        .map(|row| {
            json!({
                "type": 1,
                "components": row.iter().map(|b| json!({
                    "type": 2,
                    "style": style(b.style),
                    "label": truncate(&b.label, limits::LABEL),
                    "custom_id": truncate(&b.custom_id, limits::CUSTOM_ID),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(rows)
}

fn style(s: ButtonStyle) -> u8 {
    match s {
        ButtonStyle::Primary => 1,
        ButtonStyle::Secondary => 2,
        ButtonStyle::Success => 3,
        ButtonStyle::Danger => 4,
    }
}

fn is_image(f: &File) -> bool {
    f.content_type.starts_with("image/")
}

/// The request that starts a thread, named after the post, on its headline message.
fn thread_from_headline(title: &str) -> Request {
    Request {
        method: Method::Post,
        route: ROUTE_THREAD_FROM_MESSAGE,
        target: Target::ThreadFrom(0),
        body: json!({
            "name": thread_name(title),
            "auto_archive_duration": THREAD_ARCHIVE_MINUTES,
        }),
        files: Vec::new(),
    }
}

/// A thread's name: the post's title, at most 100 characters.
fn thread_name(title: &str) -> String {
    let t = if title.trim().is_empty() {
        "Detail"
    } else {
        title.trim()
    };
    truncate(t, 100)
}

/// The request that opens (or finds) the bot's direct-message channel with `user`.
pub fn open_dm(user: &str) -> Request {
    Request {
        method: Method::Post,
        route: ROUTE_OPEN_DM,
        target: Target::Channel,
        body: json!({ "recipient_id": user }),
        files: Vec::new(),
    }
}

/// A direct message as it goes to the post's channel instead: the same message, with a
/// mention of the person it was for (who alone is pinged).
pub fn direct_fallback(message: &Message, user: &str) -> Message {
    let mut m = message.clone();
    m.direct = None;
    m.mentions.insert(0, Mention::User(user.to_owned()));
    m
}

/// A title cut to `max` characters at a word boundary, with an ellipsis. Only for
/// titles and labels: body text is split, never cut.
pub fn truncate(s: &str, max: usize) -> String {
    if text::len(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for word in s.split_inclusive(' ') {
        if text::len(&out) + text::len(word) + 1 > max {
            break;
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = s.chars().take(max - 1).collect();
    }
    format!("{}…", out.trim_end())
}

/// `roi-by-channel.png` → `Roi by channel`.
fn caption(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let words = stem.replace(['-', '_'], " ");
    let mut c = words.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn slug(title: &str) -> String {
    let s: String = title
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s: Vec<&str> = s.split('-').filter(|w| !w.is_empty()).take(6).collect();
    if s.is_empty() {
        "table".into()
    } else {
        s.join("-")
    }
}

#[cfg(test)]
mod tests;
