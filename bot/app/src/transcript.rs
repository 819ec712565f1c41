//! The transcript adapter: every post becomes one JSON line in `transcript.jsonl`, and
//! the whole file can be rendered as readable markdown. Like Discord's enforced nonce,
//! a key that is already in the file is not written again, so a retried outbox row
//! after a crash never duplicates a post. A torn last line (a crash mid-write) is
//! dropped on open.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::chat::{BoxFuture, ChatError, ChatPort, Outgoing, Posted};

/// One line of `transcript.jsonl` (keys fixed by the simulate contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    pub key: String,
    pub channel: String,
    pub at: String,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub attachments: Vec<String>,
    /// An edit in place: the key of the post whose message this entry replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edits: Option<String>,
    /// The chat user a post is for, when it goes to one person by direct message (its
    /// `channel` is then the fallback when they do not accept direct messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

pub struct Transcript {
    path: PathBuf,
    inner: Mutex<Inner>,
}

struct Inner {
    file: File,
    /// key → message id of every line already written.
    posted: HashMap<String, String>,
}

impl Transcript {
    /// Opens (or creates) `path`, remembering the keys already in it.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let entries = read_entries(path)?;
        let posted = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.clone(), message_id(i)))
            .collect();
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            path: path.to_owned(),
            inner: Mutex::new(Inner { file, posted }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.lock().posted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn append(&self, post: &Outgoing<'_>, edits: Option<&str>) -> Result<Posted, ChatError> {
        let mut inner = self.lock();
        if let Some(id) = inner.posted.get(post.key) {
            return Ok(Posted {
                message_id: id.clone(),
                link: None,
                rerouted: None,
            });
        }
        // Files go beside the transcript, one folder per post (`attachments_dir`).
        let mut attachments = Vec::with_capacity(post.files.len());
        for (a, f) in post.message.attachments.iter().zip(post.files) {
            let path = self
                .path
                .with_file_name(attachments_dir(post.key))
                .join(&a.name);
            if !path.exists() {
                write_atomically(&path, &f.bytes).map_err(|e| {
                    ChatError::Transient(format!("cannot write {}: {e}", path.display()))
                })?;
            }
            attachments.push(a.name.clone());
        }
        let entry = TranscriptEntry {
            key: post.key.to_owned(),
            channel: post.channel.to_owned(),
            at: post.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            kind: post.kind.to_owned(),
            title: post.message.title.clone(),
            text: post.message.to_markdown(),
            attachments,
            edits: edits.map(str::to_owned),
            to: post.message.direct.clone(),
        };
        let mut line = serde_json::to_string(&entry)
            .map_err(|e| ChatError::Rejected(format!("cannot encode post: {e}")))?;
        line.push('\n');
        // One write call per line: a kill can tear only the last line, which `open` drops.
        inner
            .file
            .write_all(line.as_bytes())
            .map_err(|e| ChatError::Transient(format!("cannot write transcript: {e}")))?;
        let id = message_id(inner.posted.len());
        inner.posted.insert(entry.key, id.clone());
        Ok(Posted {
            message_id: id,
            link: None,
            rerouted: None,
        })
    }
}

fn message_id(index: usize) -> String {
    format!("t{:06}", index + 1)
}

impl ChatPort for Transcript {
    fn post<'a>(&'a self, post: Outgoing<'a>) -> BoxFuture<'a, Result<Posted, ChatError>> {
        Box::pin(async move { self.append(&post, None) })
    }

    fn edit<'a>(
        &'a self,
        edit: Outgoing<'a>,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        // An edit is recorded under its own key, naming the post it replaces.
        Box::pin(async move {
            let target = self
                .lock()
                .posted
                .iter()
                .find(|(_, id)| id.as_str() == message_id)
                .map(|(key, _)| key.clone())
                .ok_or_else(|| {
                    ChatError::Rejected(format!("no message {message_id} in the transcript"))
                })?;
            self.append(&edit, Some(&target)).map(|_| ())
        })
    }
}

/// Reads every complete line of a transcript, truncating a torn last line in place.
pub fn read_entries(path: &Path) -> std::io::Result<Vec<TranscriptEntry>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    let mut good_bytes: u64 = 0;
    let mut torn = false;
    for line in BufReader::new(file).split(b'\n') {
        let line = line?;
        match serde_json::from_slice::<TranscriptEntry>(&line) {
            Ok(e) => {
                good_bytes += line.len() as u64 + 1;
                entries.push(e);
            }
            Err(_) => {
                torn = true;
                break;
            }
        }
    }
    if torn {
        OpenOptions::new()
            .write(true)
            .open(path)?
            .set_len(good_bytes)?;
    }
    Ok(entries)
}

/// Where a post's attachments are written, relative to the transcript's folder: the
/// outbox key with anything but letters, digits, `-` and `_` replaced by `_`.
pub fn attachments_dir(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachments/{safe}")
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Renders transcript entries as a readable markdown document.
pub fn render_markdown(title: &str, entries: &[TranscriptEntry]) -> String {
    let mut out = format!("# {title}\n\n{} posts.\n", entries.len());
    for e in entries {
        out.push_str(&format!(
            "\n---\n\n### {}\n\n`#{}` · {} · `{}`\n\n{}\n",
            e.title, e.channel, e.at, e.key, e.text
        ));
        for a in &e.attachments {
            let link = format!("{}/{a}", attachments_dir(&e.key));
            if a.ends_with(".png") {
                out.push_str(&format!("\n![{a}]({link})\n"));
            } else {
                out.push_str(&format!("\n📎 [{a}]({link})\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Message;
    use chrono::{TimeZone, Utc};

    fn post<'a>(key: &'a str, m: &'a Message) -> Outgoing<'a> {
        Outgoing {
            key,
            channel: "c",
            kind: "k",
            at: Utc.with_ymd_and_hms(2027, 1, 4, 14, 0, 0).unwrap(),
            message: m,
            files: &[],
            thread: None,
        }
    }

    #[tokio::test]
    async fn posting_a_key_twice_writes_one_line_even_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let m = Message::new("Hello", "body");

        let t = Transcript::open(&path).unwrap();
        t.post(post("a", &m)).await.unwrap();
        t.post(post("a", &m)).await.unwrap();
        drop(t);
        let t = Transcript::open(&path).unwrap();
        t.post(post("a", &m)).await.unwrap();
        t.post(post("b", &m)).await.unwrap();

        let keys: Vec<String> = read_entries(&path)
            .unwrap()
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn a_torn_last_line_is_dropped_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let good = r#"{"key":"a","channel":"c","at":"2027-01-04T14:00:00Z","kind":"k","title":"T","text":"x","attachments":[]}"#;
        std::fs::write(&path, format!("{good}\n{{\"key\":\"b\",\"chan")).unwrap();

        let t = Transcript::open(&path).unwrap();

        assert_eq!(t.len(), 1);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{good}\n"));
    }
}
