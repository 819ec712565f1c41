//! What `decide` tells people, as data: one [`Notice`] per post, naming its audience
//! (roles and people by chat id), the actions its buttons carry and the facts it
//! reports. No chat text and no chat syntax: [`super::present`] turns a notice into the
//! neutral message, and each chat adapter renders that in its own medium.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Event, SuccessCriteria};
use crate::chat::Message;
use crate::domain::pacing::WeekPace;
use crate::domain::{CampaignFigures, CheckinStatus};

/// A person a post names: by chat id when one is known (a mention), else by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Option<String>,
    pub name: String,
}

/// A stakeholder group as an approval request names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupAsk {
    pub label: String,
    /// The chat roles that speak for the group (mentioned).
    pub roles: Vec<String>,
    /// How many of them must approve, as configured (`2`, `all`).
    pub quorum: String,
}

/// One stakeholder group's line in an approval tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyGroup {
    pub label: String,
    /// Approvals it needs.
    pub needed: usize,
    /// Its members' decisions on the version, in the order they came.
    pub decisions: Vec<TallyDecision>,
}

/// A decision as the tally lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyDecision {
    pub actor: String,
    pub verdict: crate::domain::Verdict,
    pub note: Option<String>,
    /// Carried over from this earlier version (its figures were the same).
    pub carried_from: Option<u32>,
}

/// Who an approval reminder waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Awaited {
    /// The group's roles, in the channel.
    Group { label: String, roles: Vec<String> },
    /// One configured member of the group who has not decided, by direct message (the
    /// first step of the ladder).
    Member {
        label: String,
        user: String,
        name: String,
    },
    /// The group's backup approver (the last step of the ladder).
    Backup { label: String, user: String },
}

/// What a button does, with the ids it acts on. [`Action::custom_id`] is the stable
/// string a chat adapter hands back when it is clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A stakeholder group's verdict on a plan version (`approve`, `request_changes`,
    /// `reject`); the group is decided from the clicking member's roles.
    Verdict {
        verb: &'static str,
        run: String,
        version: u32,
    },
    /// A check-in status for one campaign (by its slug) in a week (`on_track`,
    /// `at_risk`, `off_track`).
    Checkin {
        run: String,
        week: u32,
        campaign: String,
        status: &'static str,
    },
    /// Acknowledges the kicked-off plan version.
    Acknowledge { run: String, version: u32 },
    /// Confirms a campaign's launch (the campaign by its slug).
    Launched { run: String, campaign: String },
}

/// The longest button id chats accept (Discord's `custom_id` limit).
pub const CUSTOM_ID_MAX: usize = 100;

/// The check-in statuses a prompt offers, as its buttons name them.
pub const CHECKIN_STATUSES: [&str; 3] = ["on_track", "at_risk", "off_track"];

impl Action {
    pub fn custom_id(&self) -> String {
        match self {
            Self::Verdict { verb, run, version } => format!("{verb}:{run}:{version}"),
            Self::Checkin {
                run,
                week,
                campaign,
                status,
            } => {
                // The campaign's slug is cut so the id fits Discord's 100 characters; the
                // app finds the campaign by rebuilding the same id.
                let fixed = format!("checkin:{run}:w{week}::{status}").len();
                let room = CUSTOM_ID_MAX.saturating_sub(fixed);
                let campaign: String = campaign.chars().take(room).collect();
                format!("checkin:{run}:w{week}:{campaign}:{status}")
            }
            Self::Acknowledge { run, version } => format!("ack:{run}:v{version}"),
            Self::Launched { run, campaign } => format!("launched:{run}:{campaign}"),
        }
    }
}

/// A figure that differs between two plan versions.
#[derive(Debug, Clone, PartialEq)]
pub enum FigureMove {
    /// A money figure or target: which, before, after.
    Amount { what: Figure, from: f64, to: f64 },
    /// A campaign's start or owner: name, (start, owner) before and after.
    Campaign {
        name: String,
        from: (NaiveDate, String),
        to: (NaiveDate, String),
    },
}

/// Which figure of a plan moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Figure {
    Total,
    Reserve,
    /// A channel's budget, by the channel's identifier.
    Channel(String),
    /// A target: `revenue`, `pipeline` or `mqls`.
    Target(String),
}

/// An amendment as a plan version lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentLine {
    pub describe: String,
    pub by: String,
    pub group: String,
}

/// When a campaign's launch was confirmed, against its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchTiming {
    OnSchedule {
        due: NaiveDate,
    },
    Late {
        days: i64,
        due: NaiveDate,
    },
    /// Not in the approved plan (booked last quarter).
    BookedBefore,
}

/// One row of a week's check-in digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestRow {
    pub campaign: String,
    pub owner: String,
    pub status: CheckinStatus,
    pub late: bool,
    /// Spend to date as the owner reported it.
    pub spend: Option<f64>,
    /// The plan's spend to date for the campaign, when the plan is locked.
    pub planned_spend: Option<f64>,
    pub mqls: Option<f64>,
    /// Blockers with the consecutive weeks they have been reported.
    pub blockers: Vec<(String, u32)>,
}

/// Why a campaign is escalated in a digest.
#[derive(Debug, Clone, PartialEq)]
pub enum Escalation {
    /// Off pace by more than the tolerance (`off` negative: under plan).
    OffPace {
        campaign: String,
        owner: String,
        off: f64,
    },
    BlockerOpen {
        campaign: String,
        owner: String,
        blocker: String,
        weeks: u32,
    },
}

/// A week's check-in digest: statuses, pace against the locked plan, the rows, who has
/// not checked in, and escalations for the owner role.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekDigest {
    pub week: u32,
    /// False when no check-in was held that week.
    pub held: bool,
    /// The check-in fell on a team holiday: everyone excused.
    pub holiday: bool,
    pub on_track: usize,
    pub at_risk: usize,
    pub off_track: usize,
    /// Missed or not answered yet.
    pub silent: usize,
    pub away: usize,
    pub pace: Option<WeekPace>,
    pub rows: Vec<DigestRow>,
    pub not_checked_in: Vec<Person>,
    pub escalations: Vec<Escalation>,
    /// The role escalations are addressed to.
    pub owner_role: String,
}

/// A campaign's line of the approved plan, to the date of a check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanLine {
    pub figures: CampaignFigures,
    /// The local date the figures to date are measured to.
    pub date: NaiveDate,
    pub planned_spend_to_date: f64,
    /// The campaign's budget share of stage 7's MQL milestones to date.
    pub mql_milestone_to_date: f64,
}

/// A job the runtime skipped after downtime.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub event: Event,
    pub due_at: DateTime<Utc>,
}

/// Everything `decide` posts.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A stage's findings, as the stage wrote them.
    StageResult { message: Message },
    StageFailed {
        stage: u8,
        error: String,
        owner_role: String,
    },
    JobFailed {
        job: String,
        attempts: u32,
        error: String,
        owner_role: String,
    },
    ApprovalRequest {
        version: u32,
        reason: String,
        hash: String,
        groups: Vec<GroupAsk>,
        deadline: DateTime<Utc>,
        actions: Vec<Action>,
        amendments: Vec<AmendmentLine>,
        /// The figures that moved since the version before (and its number).
        moved: Option<(u32, Vec<FigureMove>)>,
    },
    Verdict {
        version: u32,
        group: String,
        actor: String,
        verdict: crate::domain::Verdict,
        note: Option<String>,
        /// On a change request: the roles of the group owning the plan, who answer it
        /// (`None`: no such group is configured).
        answered_by: Option<Vec<String>>,
    },
    /// The live tally of a plan version: one message, edited in place after each decision.
    ApprovalTally {
        version: u32,
        groups: Vec<TallyGroup>,
        /// Every group reached its quorum: the version is approved.
        approved: bool,
    },
    Amendment {
        version: u32,
        actor: String,
        group: String,
        describe: String,
        note: Option<String>,
        /// The stages that compute again.
        stages: Vec<u8>,
    },
    ApprovalReminder {
        version: u32,
        awaited: Vec<Awaited>,
        deadline: DateTime<Utc>,
    },
    /// The plan deadline nears (`business_days` business days away) or has passed (0)
    /// with the plan not approved: the groups still pending, by their roles.
    PlanDeadlineWarning {
        version: u32,
        deadline: DateTime<Utc>,
        business_days: u32,
        awaited: Vec<Awaited>,
    },
    PlanApproved {
        version: u32,
        hash: String,
        kickoff_at: DateTime<Utc>,
    },
    KickoffCampaign {
        campaign: String,
        owner: Person,
        plan: Option<CampaignFigures>,
        actions: Vec<Action>,
    },
    /// Who has acknowledged the kicked-off plan: one message, edited in place after each.
    AlignedShare {
        version: u32,
        /// Each campaign owner (roster order) and whether they acknowledged.
        owners: Vec<(String, bool)>,
        /// The run's aligned share (0–1).
        share: f64,
    },
    CampaignLaunched {
        campaign: String,
        by: String,
        timing: LaunchTiming,
    },
    LaunchNudge {
        campaign: String,
        owner: Person,
        /// The date it was due (empty when the plan does not list it).
        due: Option<NaiveDate>,
    },
    SuccessCriteria {
        /// `week4` or `quarter_end`.
        at: String,
        criteria: SuccessCriteria,
        deadline: DateTime<Utc>,
    },
    /// One campaign's check-in prompt, for its owner (a direct message when the owner's
    /// chat id is known, see [`Notice::recipient`]).
    CheckinPrompt {
        week: u32,
        weeks: usize,
        closes: DateTime<Utc>,
        campaign: String,
        owner: Person,
        /// The campaign's own plan line, when the approved plan lists it.
        plan: Option<PlanLine>,
        actions: Vec<Action>,
        /// The key of the campaign's kickoff post, whose thread takes the prompt when the
        /// owner does not accept direct messages.
        thread: Option<String>,
        /// The owner's own zone (`/timezone`), in which the close is stated; `None`: the
        /// team's.
        zone: Option<String>,
    },
    CheckinReminder {
        week: u32,
        /// Owner name and campaign of each entry not answered.
        pending: Vec<(String, String)>,
    },
    /// A week's digest at its close, or again (`update`) after a late answer.
    CheckinSummary { digest: WeekDigest, update: bool },
    RunCompleted {
        quarter: String,
        weeks: usize,
        /// Weeks whose check-in fell on a team holiday (everyone excused).
        excused_weeks: usize,
        /// Campaign updates answered, of those owed (`QuarterRun::checkins_owed_and_answered`).
        answered: usize,
        owed: usize,
    },
    /// The quarter-end actuals, written where the next quarter's review reads them.
    ActualsStored {
        quarter: String,
        folder: String,
        files: Vec<crate::chat::Attachment>,
    },
    JobsSkipped {
        owner_role: String,
        jobs: Vec<Skipped>,
    },
}

impl Notice {
    /// The outbox kind of the post (`stage_result`, `approval_request`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::StageResult { .. } => "stage_result",
            Self::StageFailed { .. } => "stage_failed",
            Self::JobFailed { .. } => "job_failed",
            Self::ApprovalRequest { .. } => "approval_request",
            Self::Verdict { .. } => "approval_verdict",
            Self::ApprovalTally { .. } => "approval_tally",
            Self::Amendment { .. } => "plan_amendment",
            Self::ApprovalReminder { .. } => "approval_reminder",
            Self::PlanDeadlineWarning { .. } => "plan_deadline_warning",
            Self::PlanApproved { .. } => "plan_approved",
            Self::KickoffCampaign { .. } => "kickoff_campaign",
            Self::AlignedShare { .. } => "aligned_share",
            Self::CampaignLaunched { .. } => "campaign_launched",
            Self::LaunchNudge { .. } => "launch_nudge",
            Self::SuccessCriteria { .. } => "success_criteria",
            Self::CheckinPrompt { .. } => "checkin_prompt",
            Self::CheckinReminder { .. } => "checkin_reminder",
            Self::CheckinSummary { update: false, .. } => "checkin_summary",
            Self::CheckinSummary { update: true, .. } => "checkin_summary_update",
            Self::RunCompleted { .. } => "run_completed",
            Self::ActualsStored { .. } => "actuals_stored",
            Self::JobsSkipped { .. } => "jobs_skipped",
        }
    }

    /// The chat roles this notice addresses.
    pub fn roles(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        match self {
            Self::StageFailed { owner_role, .. }
            | Self::JobFailed { owner_role, .. }
            | Self::JobsSkipped { owner_role, .. } => out.push(owner_role),
            Self::ApprovalRequest { groups, .. } => {
                out.extend(
                    groups
                        .iter()
                        .flat_map(|g| g.roles.iter().map(String::as_str)),
                );
            }
            Self::Verdict {
                answered_by: Some(roles),
                ..
            } => out.extend(roles.iter().map(String::as_str)),
            Self::ApprovalReminder { awaited, .. } | Self::PlanDeadlineWarning { awaited, .. } => {
                for a in awaited {
                    if let Awaited::Group { roles, .. } = a {
                        out.extend(roles.iter().map(String::as_str));
                    }
                }
            }
            Self::CheckinSummary { digest, .. } if !digest.escalations.is_empty() => {
                out.push(&digest.owner_role);
            }
            _ => {}
        }
        out
    }

    /// The one chat user this notice is for, when it goes to a person rather than a
    /// channel: adapters send it directly and fall back to the post's channel.
    pub fn recipient(&self) -> Option<&str> {
        match self {
            Self::CheckinPrompt { owner, .. } => owner.id.as_deref(),
            Self::ApprovalReminder { awaited, .. } => match awaited.as_slice() {
                [Awaited::Member { user, .. }] => Some(user.as_str()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The chat users this notice addresses by id.
    pub fn users(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        match self {
            Self::ApprovalReminder { awaited, .. } => {
                for a in awaited {
                    if let Awaited::Backup { user, .. } | Awaited::Member { user, .. } = a {
                        out.push(user);
                    }
                }
            }
            Self::KickoffCampaign { owner, .. } | Self::LaunchNudge { owner, .. } => {
                out.extend(owner.id.as_deref());
            }
            Self::CheckinSummary { digest, .. } => {
                out.extend(digest.not_checked_in.iter().filter_map(|p| p.id.as_deref()));
            }
            _ => {}
        }
        out
    }
}
