//! One team's planning quarter (a "run") as data: its stages, plan versions, approvals
//! and weekly check-ins. Status enums serialise as snake_case text.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Actor;
use super::StageId;
use super::people::{Absence, Amendment, CheckinNumbers, Kickoff, PlanFigures};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterRun {
    /// `team/quarter`, e.g. `growth/2027-Q1`.
    pub id: String,
    pub team: String,
    pub quarter: String,
    pub status: RunStatus,
    pub stages: Vec<Stage>,
    pub plan_versions: Vec<PlanVersion>,
    pub approvals: Vec<Approval>,
    /// Change requests not yet folded into a plan version, oldest first.
    pub pending_changes: Vec<String>,
    /// Campaigns and owners that report at the weekly check-ins (set at kickoff).
    pub roster: Vec<RosterEntry>,
    pub checkins: Vec<CheckinWeek>,
    pub approved_version: Option<u32>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Scheduled jobs that failed after their last attempt, oldest first.
    #[serde(default)]
    pub failures: Vec<JobFailure>,
    /// Structured amendments, in the order they were asked; every later computation of
    /// the stages they touch applies all of them.
    #[serde(default)]
    pub amendments: Vec<Amendment>,
    /// Acknowledgements and launches after kickoff.
    #[serde(default)]
    pub kickoff: Kickoff,
    /// Owners away (excused from check-ins) and their delegates.
    #[serde(default)]
    pub absences: Vec<Absence>,
    /// When the plan must be approved (two weeks into the quarter by default): set when
    /// the run opens, so readers without the team's timeline (the dashboard) judge
    /// "approved by the deadline" the way the success criteria do.
    #[serde(default)]
    pub plan_deadline: Option<DateTime<Utc>>,
    /// The quarter's first day and the team's zone (IANA name), stored when the run
    /// opens so readers without the team's timeline (the dashboard) count month-1
    /// launches and date check-ins the way the engine does.
    #[serde(default)]
    pub quarter_start: Option<NaiveDate>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// Where the quarter-end actuals were stored (`serve`), once announced.
    #[serde(default)]
    pub actuals_stored: Option<String>,
    /// People's own time zones (`/timezone`) other than the team's: each owner's
    /// check-in prompt goes at the team's check-in time on their own wall clock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<PersonZone>,
}

/// A person's own time zone (an IANA name), by chat user id and name: matched to a roster
/// owner by id when the owner has one, else by name (as check-in answers are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonZone {
    pub id: String,
    pub name: String,
    pub zone: String,
}

/// A scheduled job that kept failing: recorded once, reported once to the team's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    pub job: String,
    pub attempts: u32,
    pub error: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Stages 1-10 in progress.
    Planning,
    /// A plan version is out for approval.
    AwaitingApproval,
    /// Every group approved the latest version; kickoff pending.
    Approved,
    /// Kicked off; weekly check-ins run to the quarter's end.
    Executing,
    Completed,
}

impl RunStatus {
    /// The status in words, for people.
    pub fn words(self) -> &'static str {
        match self {
            Self::Planning => "planning",
            Self::AwaitingApproval => "awaiting approval",
            Self::Approved => "approved",
            Self::Executing => "executing",
            Self::Completed => "completed",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planning => "planning",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Approved => "approved",
            Self::Executing => "executing",
            Self::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub number: u8,
    pub status: StageStatus,
    pub due_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Latest stored output version (`stage_outputs.version`).
    pub output_version: u32,
    /// False when the stage's analysis could not produce findings (not built, no data).
    pub available: bool,
    /// An input changed after this stage completed; it is being recomputed.
    pub stale: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    /// Not yet due.
    Scheduled,
    /// Due, but an input stage is not done yet.
    Waiting,
    /// Being computed (a compute job exists).
    Running,
    /// Waiting on people (stage 11: approvals).
    InReview,
    Done,
    Failed,
}

impl StageStatus {
    /// The status in words, for people.
    pub fn words(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Waiting => "waiting for data",
            Self::Running => "running",
            Self::InReview => "in review",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Waiting => "waiting",
            Self::Running => "running",
            Self::InReview => "in_review",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub version: u32,
    /// SHA-256 of the plan's markdown, hex.
    pub hash: String,
    pub created_at: DateTime<Utc>,
    /// Why this version exists ("first draft", or the change requests it answers).
    pub reason: String,
    /// The figures the version states (absent when the plan stage did not report them).
    #[serde(default)]
    pub figures: Option<PlanFigures>,
    /// The amendments first applied in this version (`[]` for v1).
    #[serde(default)]
    pub amendments: Vec<Amendment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Reject,
    RequestChanges,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::RequestChanges => "request_changes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub group: String,
    pub actor: Actor,
    pub verdict: Verdict,
    pub version: u32,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
    /// Carried over from this earlier version, whose figures were the same.
    #[serde(default)]
    pub carried_from: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub campaign: String,
    pub owner: String,
    /// The owner's chat user id, when configured; matched before the name.
    #[serde(default)]
    pub owner_id: Option<String>,
}

impl RosterEntry {
    pub fn new(campaign: impl Into<String>, owner: impl Into<String>) -> Self {
        Self {
            campaign: campaign.into(),
            owner: owner.into(),
            owner_id: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinWeek {
    pub week: u32,
    pub due_at: DateTime<Utc>,
    /// Until the last owner's window closes and the digest is posted.
    pub open: bool,
    pub entries: Vec<CheckinEntry>,
    /// The zones whose prompts went out (`None`: the team's), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opened: Vec<Option<String>>,
    /// The check-in fell on a team holiday: nobody was prompted, everyone is excused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub holiday: bool,
    /// How often its digest was edited in place (once per answer after the close).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub digest_edits: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinEntry {
    pub campaign: String,
    pub owner: String,
    #[serde(default)]
    pub owner_id: Option<String>,
    pub status: CheckinStatus,
    pub answered_at: Option<DateTime<Utc>>,
    /// Answered after the reminder went out.
    pub late: bool,
    pub note: Option<String>,
    /// The campaign's quarter to date, when the owner reported numbers.
    #[serde(default)]
    pub numbers: Option<CheckinNumbers>,
    /// The owner was away this week (`/away`, a holiday): not counted as missed.
    #[serde(default)]
    pub excused: bool,
    /// The owner's own zone when the week opened (`None`: the team's): their prompt,
    /// reminder and close follow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// When the prompt went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompted_at: Option<DateTime<Utc>>,
    /// The owner's response window is over.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckinStatus {
    Pending,
    OnTrack,
    AtRisk,
    OffTrack,
    Missed,
    /// Excused: the owner was away (`/away`) that week.
    Away,
}

impl CheckinStatus {
    /// The status in words, for posts.
    pub fn words(self) -> &'static str {
        match self {
            Self::Pending => "not answered yet",
            Self::OnTrack => "on track",
            Self::AtRisk => "at risk",
            Self::OffTrack => "off track",
            Self::Missed => "did not check in",
            Self::Away => "away",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::OffTrack => "off_track",
            Self::Missed => "missed",
            Self::Away => "away",
        }
    }
}

impl QuarterRun {
    /// Check-in updates owed so far (every campaign entry of the weeks opened, less the
    /// excused: `/away`, a holiday) and how many of them were answered. The one count the
    /// success criteria, the quarter's completion post and `summary.json` quote.
    pub fn checkins_owed_and_answered(&self) -> (usize, usize) {
        let owed = self
            .checkins
            .iter()
            .flat_map(|w| &w.entries)
            .filter(|e| !e.excused);
        let answered = owed
            .clone()
            .filter(|e| {
                !matches!(
                    e.status,
                    CheckinStatus::Pending | CheckinStatus::Missed | CheckinStatus::Away
                )
            })
            .count();
        (owed.count(), answered)
    }

    /// The kickoff's aligned share: distinct campaign owners who acknowledged the plan ÷
    /// distinct owners (matched by chat id when known, else by name). The one
    /// definition the success criteria, their post and the dashboard quote.
    pub fn aligned_share(&self) -> f64 {
        let mut owners: Vec<&RosterEntry> = Vec::new();
        for r in &self.roster {
            if !owners
                .iter()
                .any(|o| o.owner == r.owner && o.owner_id == r.owner_id)
            {
                owners.push(r);
            }
        }
        if owners.is_empty() {
            return 0.0;
        }
        let acked = owners
            .iter()
            .filter(|o| {
                self.kickoff.acknowledged.iter().any(|a| match &o.owner_id {
                    Some(id) => a.id == *id,
                    None => a.name == o.owner,
                })
            })
            .count();
        acked as f64 / owners.len() as f64
    }

    /// When the approved version was approved (stage 11's completion, once a version is
    /// approved).
    pub fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.approved_version?;
        self.stage(StageId::Approval.number())?.completed_at
    }

    /// A fresh run whose stages are due at the given times (stage 1 first).
    pub fn new(team: &str, quarter: &str, stage_due: &[DateTime<Utc>]) -> Self {
        Self {
            id: format!("{team}/{quarter}"),
            team: team.to_owned(),
            quarter: quarter.to_owned(),
            status: RunStatus::Planning,
            stages: stage_due
                .iter()
                .zip(1u8..)
                .map(|(due, number)| Stage {
                    number,
                    status: StageStatus::Scheduled,
                    due_at: *due,
                    completed_at: None,
                    output_version: 0,
                    available: false,
                    stale: false,
                })
                .collect(),
            plan_versions: Vec::new(),
            approvals: Vec::new(),
            pending_changes: Vec::new(),
            roster: Vec::new(),
            checkins: Vec::new(),
            approved_version: None,
            completed_at: None,
            failures: Vec::new(),
            amendments: Vec::new(),
            kickoff: Kickoff::default(),
            absences: Vec::new(),
            plan_deadline: None,
            quarter_start: None,
            timezone: None,
            actuals_stored: None,
            zones: Vec::new(),
        }
    }

    pub fn stage(&self, n: u8) -> Option<&Stage> {
        self.stages.get(usize::from(n).checked_sub(1)?)
    }

    pub fn stage_mut(&mut self, n: u8) -> Option<&mut Stage> {
        self.stages.get_mut(usize::from(n).checked_sub(1)?)
    }

    pub fn latest_plan(&self) -> Option<&PlanVersion> {
        self.plan_versions.last()
    }

    pub fn checkin_week_mut(&mut self, week: u32) -> Option<&mut CheckinWeek> {
        self.checkins.iter_mut().find(|w| w.week == week)
    }
}
