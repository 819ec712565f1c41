//! The records the engine reads and writes through its store port ([`crate::RunStore`]):
//! jobs, outbox posts, stage outputs, plan documents, attachments, audit entries, and the
//! run with its version. Plain data; the store crate maps them to rows.

use chrono::{DateTime, Utc};

use crate::domain::QuarterRun;

/// A job to schedule. `id` is unique: scheduling the same id twice is a no-op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: String,
    pub run_id: String,
    pub kind: String,
    pub payload: String,
    /// `run_late` or `skip_after_grace` (see the scheduler).
    pub policy: String,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: String,
    pub run_id: String,
    pub kind: String,
    pub payload: String,
    pub policy: String,
    pub due_at: DateTime<Utc>,
    pub attempts: i64,
    pub lease_owner: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    Skipped,
    Failed,
}

impl JobOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    pub key: String,
    pub channel: String,
    pub kind: String,
    /// The neutral message as JSON.
    pub message: String,
    /// An edit in place: the key of the post whose message this one replaces.
    pub edits: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub seq: i64,
    pub key: String,
    pub run_id: String,
    pub channel: String,
    pub kind: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    /// An edit in place: the key of the post whose message this one replaces (its
    /// `message_id` is then the edited message's).
    pub edits: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageOutputRow {
    pub stage: i64,
    pub version: i64,
    pub available: bool,
    /// Findings as JSON (`{"schema": n, …}`).
    pub findings: String,
}

/// A file attached to posts, stored once by its SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub sha256: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDocRow {
    pub version: i64,
    pub hash: String,
    pub reason: String,
    pub markdown: String,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    pub actor_id: String,
    pub actor_name: String,
    /// Roles held at the time, comma-separated.
    pub roles: String,
    pub action: String,
    /// `accepted` or `rejected`.
    pub outcome: String,
    pub detail: String,
    pub plan_version: Option<i64>,
    pub plan_hash: Option<String>,
    pub message_link: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StoredRun {
    pub run: QuarterRun,
    pub version: i64,
}

/// Everything one event changes.
#[derive(Debug)]
pub struct Commit<'a> {
    pub run: &'a QuarterRun,
    /// The version the decision was made on; the write fails with `Conflict` otherwise.
    pub expected_version: i64,
    pub now: DateTime<Utc>,
    pub posts: Vec<NewPost>,
    pub jobs: Vec<NewJob>,
    pub audit: Vec<NewAudit>,
    pub outputs: Vec<StageOutputRow>,
    pub plan: Option<PlanDocRow>,
    /// Files the posts attach (stored once per content hash).
    pub attachments: Vec<AttachmentRow>,
    /// Jobs this event completes; each must still be leased to the caller.
    pub finish: Vec<(&'a ClaimedJob, JobOutcome)>,
}
