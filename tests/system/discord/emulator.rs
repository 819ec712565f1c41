//! A local Discord look-alike for the tests: REST (axum) and the gateway WebSocket
//! (tokio-tungstenite, the major version serenity uses) on 127.0.0.1 with random
//! ports. It implements the subset Quarterdeck uses, records every request, and checks
//! each request body and each of its own success responses against Discord's OpenAPI
//! schema for the route (the bundled subset in bot/discord/fixtures); a mismatch is
//! recorded as a violation, and the tests assert there are none. Messages honour
//! `enforce_nonce` like Discord: the same nonce in a channel returns the message already
//! created. Failures can be injected on message posts (429 with `retry_after`, 500, or
//! recording the message and never answering, as a kill in between would look) and on
//! message edits (never answering). Reactions are dispatched as MESSAGE_REACTION_ADD.
//! Direct messages: `POST /users/@me/channels` opens a DM channel per user, and a user
//! can be made to refuse them (403, code 50007), as a member with DMs off does.
//! Interactions can come from a DM (a user, no member) and as submitted forms (type 5); a
//! form opened in answer (response type 9) is checked against the spec like any callback.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use quarterdeck_discord::spec::Spec;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message as Ws;

pub const APP_ID: &str = "1190000000000000001";
pub const BOT_ID: &str = "1190000000000000001";
pub const GUILD_ID: &str = "1160000000000000001";

/// One request as the emulator saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The spec's route template, when the path matched one.
    pub route: Option<String>,
    pub body: Value,
    /// 0 while the answer is pending.
    pub status: u16,
    /// When it was answered (the benchmarks time interactions by it).
    pub answered: Option<std::time::Instant>,
}

/// A message as stored in a channel (or thread).
#[derive(Debug, Clone)]
pub struct Posted {
    pub id: String,
    pub channel_id: String,
    pub nonce: Option<String>,
    pub body: Value,
    /// Each uploaded file's name and bytes, in `files[n]` order.
    pub files: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    RateLimited {
        retry_after: f64,
    },
    ServerError,
    /// Store the message, then never answer (the client times out or is killed).
    StoreAndHang,
}

/// How the emulator answers the next message edits (PATCH), in order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EditFault {
    /// Never answer and leave the message as it was (the bot is killed meanwhile).
    Hang,
}

#[derive(Default)]
pub struct World {
    pub requests: Vec<Recorded>,
    pub messages: Vec<Posted>,
    /// Thread id (= the message it starts from) → parent channel.
    pub threads: HashMap<String, String>,
    pub commands: HashMap<String, Value>,
    pub identifies: Vec<Value>,
    pub resumes: usize,
    pub violations: Vec<String>,
    pub faults: VecDeque<Fault>,
    pub edit_faults: VecDeque<EditFault>,
    pub files: HashMap<String, Vec<u8>>,
    /// Interaction token → the channel the interaction came from (where its replies go).
    pub interaction_channels: HashMap<String, String>,
    /// DM channel id → the user it reaches (`POST /users/@me/channels`).
    pub dm_channels: HashMap<String, String>,
    /// Users who do not accept direct messages: a message to their DM channel gets
    /// 403 with Discord's code 50007.
    pub dm_blocked: Vec<String>,
    next_id: u64,
}

impl World {
    /// The messages sent to `user`'s DM channels.
    pub fn direct_messages(&self, user: &str) -> Vec<&Posted> {
        self.messages
            .iter()
            .filter(|m| self.dm_channels.get(&m.channel_id).map(String::as_str) == Some(user))
            .collect()
    }
}

impl World {
    fn id(&mut self) -> String {
        self.next_id += 1;
        (1_200_000_000_000_000_000u64 + self.next_id).to_string()
    }
}

#[derive(Clone)]
struct Shared {
    world: Arc<Mutex<World>>,
    gateway_url: String,
    dispatch: broadcast::Sender<Value>,
}

pub struct Emulator {
    pub origin: String,
    pub world: Arc<Mutex<World>>,
    dispatch: broadcast::Sender<Value>,
    drops: broadcast::Sender<()>,
}

impl Emulator {
    pub async fn start() -> Self {
        let world = Arc::new(Mutex::new(World::default()));
        let (dispatch, _) = broadcast::channel(256);
        let (drop_sessions, _) = broadcast::channel(4);
        let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_addr = ws.local_addr().unwrap();
        let rest = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let rest_addr: SocketAddr = rest.local_addr().unwrap();
        let shared = Shared {
            world: world.clone(),
            gateway_url: format!("ws://{ws_addr}"),
            dispatch: dispatch.clone(),
        };
        let app = Router::new()
            .fallback(rest_handler)
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(rest, app).await.unwrap();
        });
        let gw = shared.clone();
        let drops = drop_sessions.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                let gw = gw.clone();
                let drops = drops.subscribe();
                tokio::spawn(async move { gateway_session(gw, stream, drops).await });
            }
        });
        Self {
            origin: format!("http://{rest_addr}"),
            world,
            dispatch,
            drops: drop_sessions,
        }
    }

    /// Asks every connected session to reconnect (op 7) and hangs up, as Discord does
    /// when it moves a session: a well-behaved client resumes.
    pub fn drop_gateway(&self) {
        let _ = self.drops.send(());
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }

    /// A member's reaction to `message_id` in `channel`, as Discord's gateway sends it
    /// (MESSAGE_REACTION_ADD: the member with their roles comes with it in a guild).
    pub fn react(&self, channel: &str, message_id: &str, member: Value, emoji: &str) {
        let user_id = member["user"]["id"].clone();
        self.dispatch(
            "MESSAGE_REACTION_ADD",
            json!({
                "user_id": user_id, "channel_id": channel, "message_id": message_id,
                "guild_id": GUILD_ID, "member": member, "message_author_id": BOT_ID,
                "emoji": { "id": null, "name": emoji }, "burst": false, "burst_colors": [],
                "type": 0,
            }),
        );
    }

    pub fn inject_edits(&self, faults: &[EditFault]) {
        self.lock().edit_faults.extend(faults.iter().copied());
    }

    /// Makes direct messages to `user` fail as Discord does when a member has them off.
    pub fn block_direct_messages(&self, user: &str) {
        self.lock().dm_blocked.push(user.to_owned());
    }

    pub fn inject(&self, faults: &[Fault]) {
        self.lock().faults.extend(faults.iter().copied());
    }

    /// Serves `bytes` at a URL an attachment can point to.
    pub fn host_file(&self, name: &str, bytes: Vec<u8>) -> String {
        self.lock().files.insert(name.to_owned(), bytes);
        format!("{}/files/{name}", self.origin)
    }

    /// Sends a gateway dispatch (`t`, `d`) to every connected session.
    pub fn dispatch(&self, t: &str, d: Value) {
        if let (Some(token), Some(channel)) = (d["token"].as_str(), d["channel_id"].as_str()) {
            self.lock()
                .interaction_channels
                .insert(token.to_owned(), channel.to_owned());
        }
        let _ = self.dispatch.send(json!({ "t": t, "d": d }));
    }

    /// Waits until `check` holds for the world, or panics after `secs`.
    pub async fn wait_for<T>(
        &self,
        secs: u64,
        what: &str,
        check: impl Fn(&World) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(t) = check(&self.lock()) {
                return t;
            }
            if tokio::time::Instant::now() > deadline {
                let w = self.lock();
                let seen: Vec<String> = w
                    .requests
                    .iter()
                    .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
                    .collect();
                panic!("timed out waiting for {what}; requests so far: {seen:#?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The interaction's answers (callback and follow-ups), by its token.
    pub fn answers(&self, token: &str) -> Vec<Recorded> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.path.contains(&format!("/{token}")) && r.status < 300)
            .cloned()
            .collect()
    }
}

// ---- REST ------------------------------------------------------------------------------

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/gateway"),
    ("GET", "/users/@me"),
    ("GET", "/oauth2/applications/@me"),
    (
        "PUT",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    ("POST", "/channels/{channel_id}/messages"),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
    (
        "POST",
        "/channels/{channel_id}/messages/{message_id}/threads",
    ),
    (
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
    ),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
    (
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ),
    ("POST", "/users/@me/channels"),
];

/// The route template `path` matches, and its parameters in order.
fn route_of(method: &str, path: &str) -> Option<(&'static str, Vec<String>)> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    ROUTES.iter().find_map(|(m, route)| {
        if *m != method {
            return None;
        }
        let tpl: Vec<&str> = route.trim_matches('/').split('/').collect();
        if tpl.len() != parts.len() {
            return None;
        }
        let mut params = Vec::new();
        for (t, p) in tpl.iter().zip(&parts) {
            if t.starts_with('{') {
                params.push((*p).to_owned());
            } else if t != p {
                return None;
            }
        }
        Some((*route, params))
    })
}

async fn rest_handler(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let full = uri.path().to_owned();
    if let Some(name) = full.strip_prefix("/files/") {
        let bytes = s.world.lock().unwrap().files.get(name).cloned();
        return match bytes {
            Some(b) => (StatusCode::OK, b).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    let Some(path) = full.strip_prefix("/api/v10") else {
        return (StatusCode::NOT_FOUND, "not under /api/v10").into_response();
    };
    let path = path.to_owned();
    let m = method.as_str().to_owned();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (json_body, files) = if content_type.starts_with("multipart/form-data") {
        parse_multipart(&content_type, &body)
    } else if body.is_empty() {
        (Value::Null, Vec::new())
    } else {
        (
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            Vec::new(),
        )
    };
    let route = route_of(&m, &path);
    let spec = Spec::bundled();
    // Recorded on arrival (a request whose answer never comes back was still sent); the
    // status is filled in once answered.
    let index = {
        let mut w = s.world.lock().unwrap();
        if let Some((r, _)) = &route {
            if !json_body.is_null()
                && let Err(e) = spec.check_request(&m, r, &json_body)
            {
                w.violations.push(format!("request {m} {path}: {e:?}"));
            }
        } else {
            w.violations.push(format!("unexpected request {m} {path}"));
        }
        w.requests.push(Recorded {
            method: m.clone(),
            path: path.clone(),
            route: route.as_ref().map(|(r, _)| (*r).to_owned()),
            body: json_body.clone(),
            status: 0,
            answered: None,
        });
        w.requests.len() - 1
    };
    let (status, response) = answer(&s, &m, route.as_ref(), &json_body, &files).await;
    let mut w = s.world.lock().unwrap();
    if let (Some((r, _)), 200..=299, Some(v)) = (&route, status, &response)
        && let Err(e) = spec.check_response(&m, r, status, v)
    {
        w.violations
            .push(format!("response {m} {path} {status}: {e:?}"));
    }
    w.requests[index].status = status;
    w.requests[index].answered = Some(std::time::Instant::now());
    let code = StatusCode::from_u16(status).unwrap();
    match response {
        Some(v) if status == 429 => {
            let after = v["retry_after"].as_f64().unwrap_or(1.0).to_string();
            (code, [("retry-after", after)], axum::Json(v)).into_response()
        }
        Some(v) => (code, axum::Json(v)).into_response(),
        None => code.into_response(),
    }
}

fn parse_multipart(content_type: &str, body: &[u8]) -> (Value, Vec<(String, Vec<u8>)>) {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap_or_default()
        .trim_matches('"')
        .to_owned();
    let sep = format!("--{boundary}");
    let text = body;
    let mut json_body = Value::Null;
    let mut files = Vec::new();
    let positions: Vec<usize> = find_all(text, sep.as_bytes());
    for pair in positions.windows(2) {
        let part = &text[pair[0] + sep.len()..pair[1]];
        let Some(split) = find_all(part, b"\r\n\r\n").first().copied() else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..part.len().saturating_sub(2)];
        let name = attr(&head, "name").unwrap_or_default();
        if name == "payload_json" {
            json_body = serde_json::from_slice(content).unwrap_or(Value::Null);
        } else if let Some(file) = attr(&head, "filename") {
            files.push((file, content.to_vec()));
        }
    }
    (json_body, files)
}

fn attr(head: &str, key: &str) -> Option<String> {
    let needle = format!("{key}=\"");
    let start = head.find(&needle)? + needle.len();
    let end = head[start..].find('"')? + start;
    Some(head[start..end].to_owned())
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..hay.len().saturating_sub(needle.len() - 1))
        .filter(|&i| &hay[i..i + needle.len()] == needle)
        .collect()
}

fn user(id: &str, name: &str, bot: bool) -> Value {
    json!({
        "id": id, "username": name, "discriminator": "0", "global_name": name,
        "avatar": null, "bot": bot, "public_flags": 0, "flags": 0, "primary_guild": null,
    })
}

fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

fn message_json(m: &Posted) -> Value {
    let embeds: Vec<Value> = m.body["embeds"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut e| {
            e["type"] = json!("rich");
            e
        })
        .collect();
    let components: Vec<Value> = m.body["components"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, mut row)| {
            row["id"] = json!(i * 10 + 1);
            if let Some(cs) = row["components"].as_array_mut() {
                for (j, c) in cs.iter_mut().enumerate() {
                    c["id"] = json!(i * 10 + j + 2);
                }
            }
            row
        })
        .collect();
    let attachments: Vec<Value> = m
        .files
        .iter()
        .enumerate()
        .map(|(i, (name, bytes))| {
            let size = bytes.len();
            json!({
                "id": (1_300_000_000_000_000_000u64 + i as u64).to_string(),
                "filename": name, "size": size,
                "url": format!("https://cdn.example/{}/{name}", m.id),
                "proxy_url": format!("https://cdn.example/{}/{name}", m.id),
            })
        })
        .collect();
    let mut v = json!({
        "id": m.id, "channel_id": m.channel_id, "type": 0,
        "content": m.body["content"].as_str().unwrap_or_default(),
        "author": user(BOT_ID, "Quarterdeck", true),
        "mentions": [], "mention_roles": [], "mention_everyone": false,
        "attachments": attachments, "embeds": embeds, "components": components,
        "timestamp": "2026-12-04T15:00:00.000000+00:00", "edited_timestamp": null,
        "flags": m.body["flags"].as_u64().unwrap_or(0), "pinned": false, "tts": false,
    });
    if let Some(nonce) = &m.nonce {
        v["nonce"] = json!(nonce);
    }
    v
}

async fn answer(
    s: &Shared,
    method: &str,
    route: Option<&(&'static str, Vec<String>)>,
    body: &Value,
    files: &[(String, Vec<u8>)],
) -> (u16, Option<Value>) {
    let Some((route, params)) = route else {
        return (404, Some(json!({ "message": "404: Not Found", "code": 0 })));
    };
    match (method, *route) {
        ("GET", "/gateway") => (200, Some(json!({ "url": s.gateway_url }))),
        ("GET", "/users/@me") => (200, Some(user(BOT_ID, "Quarterdeck", true))),
        ("GET", "/oauth2/applications/@me") => (
            200,
            Some(
                json!({ "id": APP_ID, "name": "Quarterdeck", "icon": null, "description": "",
                "type": null, "bot": user(BOT_ID, "Quarterdeck", true),
                "flags": 0, "flags_new": "0", "verify_key": "0", "bot_public": true,
                "bot_require_code_grant": false, "redirect_uris": [],
                "interactions_endpoint_url": null, "role_connections_verification_url": null,
                "approximate_guild_count": 1, "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0, "explicit_content_filter": 0,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
                "owner": user("1190000000000000099", "owner", false), "team": null }),
            ),
        ),
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands") => {
            let mut w = s.world.lock().unwrap();
            let mut out = Vec::new();
            for c in body.as_array().cloned().unwrap_or_default() {
                let id = w.id();
                // Discord leaves unset fields out of what it returns.
                let mut c = without_nulls(c);
                c["id"] = json!(id);
                c["application_id"] = json!(APP_ID);
                c["version"] = json!(id);
                c["guild_id"] = json!(params[1]);
                if c.get("default_member_permissions").is_none() {
                    c["default_member_permissions"] = Value::Null;
                }
                if c.get("type").is_none() {
                    c["type"] = json!(1);
                }
                w.commands
                    .insert(c["name"].as_str().unwrap_or_default().to_owned(), c.clone());
                out.push(c);
            }
            (200, Some(Value::Array(out)))
        }
        ("POST", "/users/@me/channels") => {
            let mut w = s.world.lock().unwrap();
            let Some(recipient) = body["recipient_id"].as_str().map(str::to_owned) else {
                return (
                    400,
                    Some(json!({ "message": "Invalid Form Body", "code": 50035 })),
                );
            };
            // Discord returns the same DM channel for the same user.
            let existing = w
                .dm_channels
                .iter()
                .find(|(_, u)| **u == recipient)
                .map(|(c, _)| c.clone());
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = w.id();
                    w.dm_channels.insert(id.clone(), recipient.clone());
                    id
                }
            };
            (
                200,
                Some(json!({
                    "id": id, "type": 1, "flags": 0, "last_message_id": null,
                    "recipients": [user(&recipient, "member", false)],
                })),
            )
        }
        ("POST", "/channels/{channel_id}/messages") => {
            let channel = params[0].clone();
            {
                let w = s.world.lock().unwrap();
                if w.dm_channels
                    .get(&channel)
                    .is_some_and(|u| w.dm_blocked.contains(u))
                {
                    return (
                        403,
                        Some(
                            json!({ "message": "Cannot send messages to this user", "code": 50007 }),
                        ),
                    );
                }
            }
            let fault = s.world.lock().unwrap().faults.pop_front();
            match fault {
                Some(Fault::RateLimited { retry_after }) => {
                    return (
                        429,
                        Some(
                            json!({ "message": "You are being rate limited.", "retry_after": retry_after, "global": false }),
                        ),
                    );
                }
                Some(Fault::ServerError) => {
                    return (
                        500,
                        Some(json!({ "message": "500: Internal Server Error", "code": 0 })),
                    );
                }
                _ => {}
            }
            let nonce = body["nonce"].as_str().map(str::to_owned);
            let posted = {
                let mut w = s.world.lock().unwrap();
                let existing = w
                    .messages
                    .iter()
                    .find(|m| {
                        m.channel_id == channel
                            && nonce.is_some()
                            && m.nonce == nonce
                            && body["enforce_nonce"] == true
                    })
                    .cloned();
                match existing {
                    Some(m) => m,
                    None => {
                        let m = Posted {
                            id: w.id(),
                            channel_id: channel,
                            nonce,
                            body: body.clone(),
                            files: files.to_vec(),
                        };
                        w.messages.push(m.clone());
                        m
                    }
                }
            };
            if fault == Some(Fault::StoreAndHang) {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            (200, Some(message_json(&posted)))
        }
        ("PATCH", "/channels/{channel_id}/messages/{message_id}") => {
            let fault = s.world.lock().unwrap().edit_faults.pop_front();
            if fault == Some(EditFault::Hang) {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            let mut w = s.world.lock().unwrap();
            let Some(m) = w.messages.iter_mut().find(|m| m.id == params[1]) else {
                return (
                    404,
                    Some(json!({ "message": "Unknown Message", "code": 10008 })),
                );
            };
            for (k, v) in body.as_object().cloned().unwrap_or_default() {
                m.body[k] = v;
            }
            let m = m.clone();
            (200, Some(message_json(&m)))
        }
        ("POST", "/channels/{channel_id}/messages/{message_id}/threads") => {
            let mut w = s.world.lock().unwrap();
            let (channel, message) = (params[0].clone(), params[1].clone());
            if !w
                .messages
                .iter()
                .any(|m| m.id == message && m.channel_id == channel)
            {
                return (
                    404,
                    Some(json!({ "message": "Unknown Message", "code": 10008 })),
                );
            }
            if w.threads.contains_key(&message) {
                return (
                    400,
                    Some(
                        json!({ "message": "A thread has already been created for this message", "code": 160004 }),
                    ),
                );
            }
            w.threads.insert(message.clone(), channel.clone());
            (
                201,
                Some(json!({
                    "id": message, "type": 11, "flags": 0, "guild_id": GUILD_ID, "parent_id": channel,
                    "name": body["name"], "owner_id": BOT_ID, "message_count": 0, "member_count": 1,
                    "total_message_sent": 0, "last_message_id": null, "rate_limit_per_user": 0,
                    "thread_metadata": { "archived": false, "archive_timestamp": "2026-12-04T15:00:00.000000+00:00",
                        "auto_archive_duration": body["auto_archive_duration"].as_u64().unwrap_or(1440), "locked": false },
                })),
            )
        }
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback") => (204, None),
        ("POST", "/webhooks/{webhook_id}/{webhook_token}")
        | ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original") => {
            let mut w = s.world.lock().unwrap();
            let Some(channel_id) = w.interaction_channels.get(&params[1]).cloned() else {
                return (
                    404,
                    Some(json!({ "message": "Unknown Webhook", "code": 10015 })),
                );
            };
            let m = Posted {
                id: w.id(),
                channel_id,
                nonce: None,
                body: body.clone(),
                files: files.to_vec(),
            };
            (200, Some(message_json(&m)))
        }
        _ => (404, Some(json!({ "message": "not emulated", "code": 0 }))),
    }
}

// ---- gateway ---------------------------------------------------------------------------

async fn gateway_session(
    s: Shared,
    stream: tokio::net::TcpStream,
    mut drops: broadcast::Receiver<()>,
) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": 41250 }, "s": null, "t": null });
    if tx.send(Ws::Text(hello.to_string())).await.is_err() {
        return;
    }
    let mut dispatch = s.dispatch.subscribe();
    let mut seq = 0u64;
    loop {
        tokio::select! {
            frame = rx.next() => {
                let Some(Ok(frame)) = frame else { return };
                if let Ws::Close(reason) = frame {
                    // Like Discord: the server answers a client's close and hangs up.
                    let _ = tx.send(Ws::Close(reason)).await;
                    return;
                }
                let Ok(text) = frame.into_text() else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        let ack = json!({ "op": 11, "d": null, "s": null, "t": null });
                        let _ = tx.send(Ws::Text(ack.to_string())).await;
                    }
                    Some(2) => {
                        s.world.lock().unwrap().identifies.push(v["d"].clone());
                        seq += 1;
                        let ready = json!({ "op": 0, "s": seq, "t": "READY", "d": {
                            "v": 10, "user": user(BOT_ID, "Quarterdeck", true),
                            "guilds": [{ "id": GUILD_ID, "unavailable": true }],
                            "session_id": "session-1", "resume_gateway_url": s.gateway_url,
                            "shard": [0, 1], "application": { "id": APP_ID, "flags": 0 },
                        }});
                        let _ = tx.send(Ws::Text(ready.to_string())).await;
                    }
                    Some(6) => {
                        s.world.lock().unwrap().resumes += 1;
                        seq += 1;
                        let resumed = json!({ "op": 0, "s": seq, "t": "RESUMED", "d": {} });
                        let _ = tx.send(Ws::Text(resumed.to_string())).await;
                    }
                    _ => {}
                }
            }
            event = dispatch.recv() => {
                let Ok(event) = event else { continue };
                seq += 1;
                let frame = json!({ "op": 0, "s": seq, "t": event["t"], "d": event["d"] });
                if tx.send(Ws::Text(frame.to_string())).await.is_err() {
                    return;
                }
            }
            _ = drops.recv() => {
                let reconnect = json!({ "op": 7, "d": null, "s": null, "t": null });
                let _ = tx.send(Ws::Text(reconnect.to_string())).await;
                let _ = tx.send(Ws::Close(None)).await;
                return;
            }
        }
    }
}

// ---- interactions --------------------------------------------------------------------

/// A guild member with `roles`.
pub fn member(user_id: &str, name: &str, roles: &[&str]) -> Value {
    json!({
        "user": user(user_id, name, false), "roles": roles, "nick": null, "avatar": null,
        "joined_at": "2026-01-01T00:00:00.000000+00:00", "premium_since": null,
        "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": "2248473465835073",
        "communication_disabled_until": null,
    })
}

fn interaction_base(id: &str, kind: u8, channel: &str, member: Value) -> Value {
    json!({
        "id": id, "application_id": APP_ID, "type": kind, "token": format!("tok{id}"),
        "version": 1, "guild_id": GUILD_ID, "channel_id": channel,
        "channel": { "id": channel, "type": 0, "guild_id": GUILD_ID, "name": "planning", "position": 0,
            "permission_overwrites": [], "nsfw": false, "flags": 0 },
        "member": member, "locale": "en-US", "guild_locale": "en-US",
        "app_permissions": "2248473465835073", "entitlements": [],
        "authorizing_integration_owners": { "0": GUILD_ID }, "context": 0,
        "attachment_size_limit": 26214400,
    })
}

/// A slash command interaction: `/group sub` with `options` of the subcommand.
pub fn slash(
    id: &str,
    command_id: &str,
    channel: &str,
    member: Value,
    path: (&str, Option<&str>),
    options: Value,
    resolved: Option<Value>,
) -> Value {
    let mut v = interaction_base(id, 2, channel, member);
    let data_options = match path.1 {
        Some(sub) => json!([{ "name": sub, "type": 1, "options": options }]),
        None => options,
    };
    v["data"] = json!({ "id": command_id, "name": path.0, "type": 1, "options": data_options });
    if let Some(r) = resolved {
        v["data"]["resolved"] = r;
    }
    v
}

/// A button press on `message` (the message as the emulator returned it).
pub fn button(id: &str, channel: &str, member: Value, custom_id: &str, message: Value) -> Value {
    let mut v = interaction_base(id, 3, channel, member);
    v["data"] = json!({ "custom_id": custom_id, "component_type": 2 });
    v["message"] = message;
    v
}

/// A button press in a direct message: the user, no guild, no member.
pub fn dm_button(
    id: &str,
    channel: &str,
    (user_id, name): (&str, &str),
    custom_id: &str,
    message: Value,
) -> Value {
    let mut v = dm_interaction(id, 3, channel, user_id, name);
    v["data"] = json!({ "custom_id": custom_id, "component_type": 2 });
    v["message"] = message;
    v
}

/// A submitted form (modal, interaction type 5) in a direct message: each (input id,
/// value) in its own action row, as Discord sends them.
pub fn dm_modal_submit(
    id: &str,
    channel: &str,
    (user_id, name): (&str, &str),
    custom_id: &str,
    values: &[(&str, &str)],
) -> Value {
    let mut v = dm_interaction(id, 5, channel, user_id, name);
    v["data"] = json!({ "custom_id": custom_id, "components": rows(values) });
    v
}

/// A submitted form (modal) from a guild member in `channel`.
pub fn modal_submit(
    id: &str,
    channel: &str,
    member: Value,
    custom_id: &str,
    values: &[(&str, &str)],
) -> Value {
    let mut v = interaction_base(id, 5, channel, member);
    v["data"] = json!({ "custom_id": custom_id, "components": rows(values) });
    v
}

fn rows(values: &[(&str, &str)]) -> Value {
    values
        .iter()
        .enumerate()
        .map(|(i, (k, v))| {
            json!({ "type": 1, "id": i * 2 + 1, "components": [
                { "type": 4, "id": i * 2 + 2, "custom_id": k, "value": v }
            ]})
        })
        .collect()
}

fn dm_interaction(id: &str, kind: u8, channel: &str, user_id: &str, name: &str) -> Value {
    json!({
        "id": id, "application_id": APP_ID, "type": kind, "token": format!("tok{id}"),
        "version": 1, "channel_id": channel,
        "channel": { "id": channel, "type": 1, "flags": 0,
            "recipients": [user(user_id, name, false)] },
        "user": user(user_id, name, false), "locale": "en-US",
        "app_permissions": "2248473465835073", "entitlements": [],
        "authorizing_integration_owners": { "0": GUILD_ID }, "context": 1,
        "attachment_size_limit": 26214400,
    })
}

pub fn stored_message_json(m: &Posted) -> Value {
    message_json(m)
}
