//! What `decide` returns: the new run state plus the effects to persist with it (posts,
//! jobs, audit entries), or a rejection that says why, in words a user can act on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Event, Notice};
use crate::domain::{Actor, QuarterRun};

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub run: QuarterRun,
    pub posts: Vec<Post>,
    pub jobs: Vec<JobSpec>,
    pub audit: Vec<AuditEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// Unique per post: `run/s01/result/v1`, `run/checkin/w03/prompt`, …
    pub key: String,
    pub channel: String,
    /// What it tells whom, as data; [`super::present`] writes the message.
    pub notice: Notice,
    /// An edit in place: the key of the post whose message this one replaces (the
    /// dispatcher edits that message; it never posts a second one).
    pub edits: Option<String>,
}

impl Post {
    /// The outbox kind (`stage_result`, `approval_request`, …).
    pub fn kind(&self) -> String {
        match self.edits {
            Some(_) => format!("{}_edit", self.notice.kind()),
            None => self.notice.kind().to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    /// Unique per run; scheduling the same id twice is a no-op.
    pub id: String,
    pub due_at: DateTime<Utc>,
    pub job: Job,
    pub policy: MissedPolicy,
}

/// What a job does when it comes due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Job {
    /// Hand this event to the engine.
    Deliver { event: Box<Event> },
    /// Compute a stage's findings, then deliver `StageComputed`.
    Compute { stage: u8 },
}

/// What happens to a job whose due time passed while no instance was running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedPolicy {
    /// Planning steps: the plan needs them, so they run late.
    RunLate,
    /// Recurring prompts: run once if within the grace period, else recorded as skipped
    /// and reported to the owner in one message.
    SkipAfterGrace,
}

impl MissedPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RunLate => "run_late",
            Self::SkipAfterGrace => "skip_after_grace",
        }
    }
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Deliver { event } => event.name(),
            Self::Compute { .. } => "compute",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: Actor,
    pub action: String,
    pub detail: String,
    pub plan_version: Option<u32>,
    pub plan_hash: Option<String>,
}

/// Why an event was refused. Shown to the person who caused it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{actor} may not {action}: it needs one of the roles {needed}")]
    NotAuthorized {
        actor: String,
        action: String,
        needed: String,
    },
    #[error("there is no stakeholder group {0:?}")]
    UnknownGroup(String),
    #[error("plan v{version} is not the current version (v{latest}); decide on v{latest}")]
    StaleVersion { version: u32, latest: u32 },
    #[error("{0}")]
    NotNow(String),
    #[error("{0} is already recorded")]
    Duplicate(String),
    #[error("there is no stage {0}; stages are numbered 1 to 12")]
    NoSuchStage(u8),
    #[error("{0}")]
    Invalid(String),
}

impl Decision {
    pub fn new(run: QuarterRun) -> Self {
        Self {
            run,
            posts: Vec::new(),
            jobs: Vec::new(),
            audit: Vec::new(),
        }
    }

    pub fn post(&mut self, key: String, channel: &str, notice: Notice) {
        self.posts.push(Post {
            key,
            channel: channel.to_owned(),
            notice,
            edits: None,
        });
    }

    /// Replaces the message of the post keyed `target` with `notice`'s, in place. `key`
    /// is this edit's own (unique) key.
    pub fn edit(&mut self, key: String, channel: &str, target: String, notice: Notice) {
        self.posts.push(Post {
            key,
            channel: channel.to_owned(),
            notice,
            edits: Some(target),
        });
    }

    pub fn schedule(&mut self, id: String, due_at: DateTime<Utc>, job: Job, policy: MissedPolicy) {
        self.jobs.push(JobSpec {
            id,
            due_at,
            job,
            policy,
        });
    }

    pub fn audit(&mut self, actor: &Actor, action: &str, detail: String) {
        let plan = self.run.latest_plan();
        self.audit.push(AuditEntry {
            actor: actor.clone(),
            action: action.to_owned(),
            detail,
            plan_version: plan.map(|p| p.version),
            plan_hash: plan.map(|p| p.hash.clone()),
        });
    }
}
