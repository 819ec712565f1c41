//! What a computed stage hands the engine: its post, whether it has findings, and what
//! only some stages make — a plan version (stage 10) or the check-in roster (stage 12).
//! The stages crate builds it, the engine's stage-runner port carries it and `decide`
//! reads it; it is never stored as such (findings, plan versions and the roster are).

use serde::{Deserialize, Serialize};

use crate::chat::Message;
use crate::{PlanFigures, RosterEntry};

/// A computed stage's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageResult {
    /// False when the stage has no findings (analysis not built, data missing).
    pub available: bool,
    /// The post with the stage's findings (the engine names its attachments by hash).
    pub message: Message,
    /// What the stage makes besides its findings.
    pub output: StageOutputKind,
}

/// What a stage makes besides its findings and post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StageOutputKind {
    /// Findings only (every analysis stage, and a plan that was blocked).
    #[default]
    Findings,
    /// Stage 10: a new plan version, by its document's hash, with the figures it states
    /// (approvals bind to their digest).
    Plan {
        hash: String,
        figures: Option<PlanFigures>,
    },
    /// Stage 12: who reports on which campaign at the weekly check-ins.
    Kickoff { roster: Vec<RosterEntry> },
}

impl StageResult {
    /// A stage's post with findings only.
    pub fn findings(available: bool, message: Message) -> Self {
        Self {
            available,
            message,
            output: StageOutputKind::Findings,
        }
    }

    /// The hash of the plan version this result makes, if it makes one.
    pub fn plan_hash(&self) -> Option<&str> {
        match &self.output {
            StageOutputKind::Plan { hash, .. } => Some(hash),
            _ => None,
        }
    }
}
