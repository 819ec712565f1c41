//! What can happen to a run: the engine's inputs. Clock-driven events arrive through
//! scheduled jobs; people's events through a chat adapter or the simulation.

use serde::{Deserialize, Serialize};

use crate::domain::{Actor, AmendmentKind, CheckinNumbers, CheckinStatus, Verdict};
use crate::ports::StageResult;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A stage's slot on the timeline has come.
    StageDue {
        stage: u8,
    },
    /// A stage's computation finished (the worker stores its findings alongside).
    StageComputed {
        stage: u8,
        result: StageResult,
    },
    /// A stage's computation failed in a way a retry will not fix.
    StageFailed {
        stage: u8,
        error: String,
    },
    /// A stakeholder's decision on a plan version.
    Verdict {
        actor: Actor,
        group: String,
        verdict: Verdict,
        version: u32,
        note: Option<String>,
    },
    /// A structured change to the plan: a stakeholder's change request (recorded as
    /// their group's `request_changes` on `version`), or the stage owner's `/amend`
    /// answering a text-only request. The affected stages re-run and make v(N+1).
    Amend {
        actor: Actor,
        group: String,
        version: u32,
        amendment: AmendmentKind,
        #[serde(default)]
        note: Option<String>,
    },
    /// A reminder to the groups that have not decided on `version` yet; `step` climbs
    /// the escalation ladder (1 channel mention, 2 the group's backup approver).
    ApprovalReminder {
        version: u32,
        step: u32,
    },
    /// The plan deadline is `business_days` business days away (0: it has passed).
    PlanDeadline {
        business_days: u32,
    },
    /// A team member acknowledges the kicked-off plan.
    KickoffAcknowledged {
        actor: Actor,
    },
    /// A campaign owner confirms the campaign is live.
    CampaignLaunched {
        actor: Actor,
        campaign: String,
    },
    /// The day after a month-1 campaign's start: nudge its owner if it has not launched.
    LaunchCheck {
        campaign: String,
    },
    /// Post the success criteria (`week4` or `quarter_end`).
    SuccessCriteria {
        at: String,
    },
    /// An owner is away for the local dates `from`..=`until` (check-ins excused), with an
    /// optional delegate (a user id) who may answer or approve for them meanwhile.
    Away {
        actor: Actor,
        from: chrono::NaiveDate,
        until: chrono::NaiveDate,
        #[serde(default)]
        delegate: Option<String>,
    },
    /// A data file changed (uploaded in chat, fetched, replaced): the done stages that
    /// read it are computed again, and their dependents after them.
    DataArrived {
        actor: Actor,
        file: String,
    },
    /// Someone with the run-stages role asks for a stage to be computed again.
    Rerun {
        actor: Actor,
        stage: u8,
        reason: String,
    },
    /// Someone with the run-stages role asks for a stage to be computed now: a stage
    /// whose inputs are done starts before its slot (stage 11: the approval round opens
    /// on the current plan); a done or failed one is re-run.
    RunStage {
        actor: Actor,
        stage: u8,
    },
    /// Week `week`'s check-in time on the wall clock of `zone` (`None`: the team's
    /// zone): the owners in that zone are prompted (the first zone opens the week).
    CheckinDue {
        week: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zone: Option<String>,
    },
    /// Halfway through the window of the owners in `zone`.
    CheckinReminder {
        week: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zone: Option<String>,
    },
    /// The window of the owners in `zone` is over; after the last zone's, the digest.
    CheckinClose {
        week: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zone: Option<String>,
    },
    OwnerZone {
        actor: Actor,
        zone: String,
    },
    CheckinAnswered {
        actor: Actor,
        week: u32,
        campaign: String,
        status: CheckinStatus,
        note: Option<String>,
        /// The campaign's quarter to date (the check-in modal).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        numbers: Option<CheckinNumbers>,
    },
    /// The scheduler skipped recurring jobs that were missed past the grace period.
    JobsSkipped {
        jobs: Vec<SkippedJob>,
    },
    /// A scheduled job failed on its last attempt; it will not be tried again.
    JobFailed {
        job: String,
        attempts: u32,
        error: String,
    },
    /// The completed quarter's actuals were written to `folder` (the files attached,
    /// their bytes handed to the engine beside the event).
    ActualsStored {
        folder: String,
        files: Vec<crate::chat::Attachment>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedJob {
    pub id: String,
    pub event: Box<Event>,
    pub due_at: chrono::DateTime<chrono::Utc>,
}

impl Event {
    /// The person behind the event, if a person caused it.
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Self::Verdict { actor, .. }
            | Self::Rerun { actor, .. }
            | Self::RunStage { actor, .. }
            | Self::DataArrived { actor, .. }
            | Self::CheckinAnswered { actor, .. }
            | Self::Amend { actor, .. }
            | Self::KickoffAcknowledged { actor }
            | Self::CampaignLaunched { actor, .. }
            | Self::Away { actor, .. } => Some(actor),
            _ => None,
        }
    }

    /// A short name for logs and the audit trail.
    pub fn name(&self) -> &'static str {
        match self {
            Self::StageDue { .. } => "stage_due",
            Self::StageComputed { .. } => "stage_computed",
            Self::StageFailed { .. } => "stage_failed",
            Self::Verdict { .. } => "verdict",
            Self::Amend { .. } => "amend",
            Self::ApprovalReminder { .. } => "approval_reminder",
            Self::PlanDeadline { .. } => "plan_deadline",
            Self::KickoffAcknowledged { .. } => "kickoff_acknowledged",
            Self::CampaignLaunched { .. } => "campaign_launched",
            Self::LaunchCheck { .. } => "launch_check",
            Self::SuccessCriteria { .. } => "success_criteria",
            Self::Away { .. } => "away",
            Self::Rerun { .. } => "rerun",
            Self::RunStage { .. } => "run_stage",
            Self::DataArrived { .. } => "data_arrived",
            Self::CheckinDue { .. } => "checkin_due",
            Self::CheckinReminder { .. } => "checkin_reminder",
            Self::CheckinClose { .. } => "checkin_close",
            Self::OwnerZone { .. } => "owner_zone",
            Self::CheckinAnswered { .. } => "checkin_answered",
            Self::JobsSkipped { .. } => "jobs_skipped",
            Self::JobFailed { .. } => "job_failed",
            Self::ActualsStored { .. } => "actuals_stored",
        }
    }
}
