//! HTTP(S) sources: one GET per file with a connect and a total timeout, a size cap
//! enforced while the body streams in (a server that lies about or omits
//! `Content-Length` cannot exhaust memory), an optional auth header whose value comes
//! from the environment and never appears in an error or a log line, and up to
//! `retries` further attempts with doubling back-off after connection failures,
//! timeouts and 5xx answers (4xx answers are final: retrying does not fix them).

use std::time::Duration;

use serde::Deserialize;

use super::InputError;
use crate::domain::Secret;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    pub connect_timeout_seconds: u64,
    /// The whole request, body included.
    pub timeout_seconds: u64,
    pub max_megabytes: u64,
    pub retries: u32,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout_seconds: 10,
            timeout_seconds: 60,
            max_megabytes: 256,
            retries: 2,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_bytes: u64,
    retries: u32,
}

enum Failure {
    /// Worth another attempt.
    Transient(String),
    Final(String),
}

impl Fetcher {
    pub fn new(settings: &HttpSettings) -> Result<Self, InputError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(settings.connect_timeout_seconds))
            .timeout(Duration::from_secs(settings.timeout_seconds))
            .user_agent(concat!("quarterdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| InputError::File {
                file: "http client".into(),
                message: e.to_string(),
            })?;
        Ok(Self {
            client,
            max_bytes: settings.max_megabytes.saturating_mul(1 << 20),
            retries: settings.retries,
        })
    }

    #[cfg(test)]
    fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The body of `url`, or an error naming the URL and what went wrong.
    pub async fn get(
        &self,
        url: &str,
        auth: Option<&(String, Secret)>,
    ) -> Result<Vec<u8>, InputError> {
        let mut delay = Duration::from_millis(250);
        let mut attempt = 0;
        loop {
            match self.attempt(url, auth).await {
                Ok(body) => return Ok(body),
                Err(Failure::Transient(why)) if attempt < self.retries => {
                    tracing::warn!(url, attempt, why, "fetch failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                Err(Failure::Transient(message) | Failure::Final(message)) => {
                    let tries = attempt + 1;
                    return Err(InputError::File {
                        file: url.to_owned(),
                        message: if tries > 1 {
                            format!("{message} (after {tries} attempts)")
                        } else {
                            message
                        },
                    });
                }
            }
        }
    }

    async fn attempt(
        &self,
        url: &str,
        auth: Option<&(String, Secret)>,
    ) -> Result<Vec<u8>, Failure> {
        let mut request = self.client.get(url);
        if let Some((header, value)) = auth {
            request = request.header(header.as_str(), value.expose());
        }
        let mut response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        if !status.is_success() {
            let message = format!("expected HTTP 200, found {status}");
            return Err(if status.is_server_error() {
                Failure::Transient(message)
            } else {
                Failure::Final(message)
            });
        }
        let too_big = |n: u64| {
            Failure::Final(format!(
                "expected at most {} MB, found {} bytes or more",
                self.max_bytes >> 20,
                n
            ))
        };
        if let Some(len) = response.content_length().filter(|n| *n > self.max_bytes) {
            return Err(too_big(len));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
            body.extend_from_slice(&chunk);
            if body.len() as u64 > self.max_bytes {
                return Err(too_big(body.len() as u64));
            }
        }
        Ok(body)
    }
}

/// reqwest's errors name the URL; the auth header is never part of them.
fn describe(e: &reqwest::Error) -> Failure {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let source = std::error::Error::source(e).map_or_else(String::new, |s| format!(": {s}"));
    Failure::Transient(format!("{kind}{source}"))
}

#[cfg(test)]
mod tests;
