//! Discord's REST API for the outbox: executes a rendered delivery request by request,
//! JSON or multipart (`payload_json` + `files[n]`), with Discord's rules for failure:
//! 429 → wait `retry_after` and retry; 5xx or a network error → retry with back-off;
//! any other 4xx → rejected, never retried.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::render::{Method, Request};

/// Discord's REST API version, the path prefix of every route.
pub const API_PREFIX: &str = "/api/v10";

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// Worth retrying later (rate limit exhausted, outage, network).
    #[error("{0}")]
    Transient(String),
    /// Discord refused the request (an unknown channel, a missing permission, a bad body).
    #[error("HTTP {status}: {message} (Discord code {code})")]
    Rejected {
        status: u16,
        code: u64,
        message: String,
    },
}

/// How hard to try before giving a request back to the dispatcher.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_backoff: Duration,
    /// A `retry_after` longer than this is not waited for here: the dispatcher retries.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            first_backoff: Duration::from_millis(250),
            max_wait: Duration::from_secs(30),
        }
    }
}

#[derive(Clone)]
pub struct Rest {
    client: reqwest::Client,
    base: String,
    auth: String,
    retry: RetryPolicy,
}

impl Rest {
    /// A client for the API at `origin` (e.g. `https://discord.com`), authenticated as
    /// the bot with `token`.
    pub fn new(origin: &str, token: &str, retry: RetryPolicy) -> Result<Self, RestError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent("DiscordBot (https://github.com/quarterdeck, 0.1) quarterdeck")
            .build()
            .map_err(|e| RestError::Transient(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            base: format!("{}{API_PREFIX}", origin.trim_end_matches('/')),
            auth: format!("Bot {token}"),
            retry,
        })
    }

    /// Sends `request` to `path` (the route with its ids filled in) and returns the
    /// response's JSON.
    pub async fn send(&self, request: &Request, path: &str) -> Result<Value, RestError> {
        let url = format!("{}{path}", self.base);
        let mut backoff = self.retry.first_backoff;
        let mut last = String::new();
        for attempt in 1..=self.retry.attempts {
            let method = match request.method {
                Method::Post => reqwest::Method::POST,
                Method::Patch => reqwest::Method::PATCH,
                Method::Put => reqwest::Method::PUT,
            };
            let mut builder = self
                .client
                .request(method, &url)
                .header("Authorization", &self.auth);
            builder = if request.files.is_empty() {
                builder
                    .header("Content-Type", "application/json")
                    .body(request.body.to_string())
            } else {
                builder.multipart(multipart(request)?)
            };
            let response = match builder.send().await {
                Ok(r) => r,
                Err(e) => {
                    last = format!("network error: {e}");
                    tracing::warn!(%path, attempt, error = %e, "Discord unreachable; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    continue;
                }
            };
            let status = response.status().as_u16();
            let header_wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok());
            let text = response.text().await.unwrap_or_default();
            let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            match status {
                200..=299 => return Ok(json),
                429 => {
                    let secs = json["retry_after"].as_f64().or(header_wait).unwrap_or(1.0);
                    let wait = Duration::from_secs_f64(secs.max(0.0));
                    last = format!("rate limited for {secs} s");
                    if wait > self.retry.max_wait {
                        break;
                    }
                    tracing::info!(%path, attempt, retry_after = secs, "rate limited; waiting");
                    tokio::time::sleep(wait).await;
                }
                500..=599 => {
                    last = format!("HTTP {status}");
                    tracing::warn!(%path, attempt, status, "Discord failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                _ => {
                    return Err(RestError::Rejected {
                        status,
                        code: json["code"].as_u64().unwrap_or(0),
                        message: json["message"]
                            .as_str()
                            .map_or_else(|| text.chars().take(300).collect(), str::to_owned),
                    });
                }
            }
        }
        Err(RestError::Transient(format!("{path}: {last}")))
    }
}

fn multipart(request: &Request) -> Result<Form, RestError> {
    let mut form = Form::new().part(
        "payload_json",
        Part::text(request.body.to_string())
            .mime_str("application/json")
            .map_err(|e| RestError::Transient(e.to_string()))?,
    );
    for (i, f) in request.files.iter().enumerate() {
        let part = Part::bytes(f.bytes.clone())
            .file_name(f.name.clone())
            .mime_str(&f.content_type)
            .map_err(|e| RestError::Transient(format!("{}: {e}", f.name)))?;
        form = form.part(format!("files[{i}]"), part);
    }
    Ok(form)
}
