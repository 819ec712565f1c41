//! The engine's settings values: the team facts a decision reads (channels, roles,
//! stakeholder groups, people and their rules) and the scheduler's timings. The app's
//! configuration deserializes and validates them and converts its team and scheduler
//! sections into [`TeamPlan`] and [`EngineSettings`]; nothing here reads a file.

use std::collections::BTreeMap;
use std::fmt;

use chrono::Duration;
use serde::Deserialize;

/// The scheduler's timings the engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineSettings {
    /// How long a claimed job stays leased to this instance.
    pub lease: Duration,
    /// How late a skippable job may still run (older ones are skipped and reported).
    pub grace: Duration,
}

/// A team as the engine plans for it.
#[derive(Debug, Clone)]
pub struct TeamPlan {
    pub name: String,
    /// 1 for calendar quarters; the month a fiscal year starts otherwise.
    pub fiscal_year_start_month: u32,
    pub checkin_window_hours: u32,
    pub channels: ChannelSettings,
    pub roles: RoleSettings,
    pub stakeholders: Vec<StakeholderGroup>,
    pub people: PeopleSettings,
    /// Identifier → the name people read (`[teams.display_names]`).
    pub display_names: std::collections::BTreeMap<String, String>,
}

/// `[teams.people]`: who is who in chat, and the rules of approval and check-ins.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PeopleSettings {
    /// `parallel` (every group at once) or `sequential` (in the stakeholders' order).
    pub approval_order: ApprovalOrder,
    /// The plan's owner (a chat user id); they may not approve it themselves unless
    /// `allow_self_approval`.
    pub plan_owner_id: Option<String>,
    pub allow_self_approval: bool,
    /// Hours after the request (business hours) at which pending approvers are
    /// reminded, then escalated: DM, channel mention, backup approver.
    pub approval_reminder_hours: Vec<u32>,
    /// Business days before the plan deadline at which groups that have not approved are
    /// warned (09:00 local, Monday to Friday); they are warned again when it passes.
    pub plan_deadline_warning_days: Vec<u32>,
    /// A campaign whose spend to date is off its planned pace by more than this share is
    /// escalated in the digest.
    pub pacing_tolerance: f64,
    /// A blocker reported this many weeks in a row is escalated.
    pub blocker_escalation_weeks: u32,
    /// Names and chat user ids of the team (campaign owners, stakeholders).
    pub members: Vec<PersonRef>,
}

impl Default for PeopleSettings {
    fn default() -> Self {
        Self {
            approval_order: ApprovalOrder::Parallel,
            plan_owner_id: None,
            allow_self_approval: false,
            approval_reminder_hours: vec![24, 48, 72],
            plan_deadline_warning_days: vec![3, 1],
            pacing_tolerance: 0.15,
            blocker_escalation_weeks: 2,
            members: Vec::new(),
        }
    }
}

impl PeopleSettings {
    /// The chat user id configured for a person's name.
    pub fn id_of(&self, name: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.id.as_str())
    }
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalOrder {
    Parallel,
    Sequential,
}

/// A person as configured: chat user id beside the name.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
}

/// How many of a group must approve: `"any"` (one), a number, or `"all"` (every listed
/// member).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    Count(u32),
    All,
}

impl<'de> Deserialize<'de> for Quorum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u32),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Self::Count(n)),
            Raw::S(s) if s == "any" => Ok(Self::Count(1)),
            Raw::S(s) if s == "all" => Ok(Self::All),
            Raw::S(s) => Err(serde::de::Error::custom(format!(
                "expected \"any\", \"all\" or a number, found {s:?}"
            ))),
        }
    }
}

impl serde::Serialize for Quorum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Count(n) => s.serialize_u32(*n),
            Self::All => s.serialize_str("all"),
        }
    }
}

impl fmt::Display for Quorum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(n) => write!(f, "{n}"),
            Self::All => f.write_str("all"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    pub default: String,
    pub approvals: String,
    pub checkins: String,
    #[serde(default)]
    pub stages: BTreeMap<String, String>,
}

impl ChannelSettings {
    /// The channel that receives stage `n`'s findings.
    pub fn for_stage(&self, n: u8) -> &str {
        self.stages
            .get(&n.to_string())
            .map_or(self.default.as_str(), String::as_str)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSettings {
    pub run_stages: Vec<String>,
    pub owner: String,
    /// Roles that may upload data files in chat (`/data upload`); the run-stages roles
    /// may too.
    #[serde(default)]
    pub upload_data: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StakeholderGroup {
    pub group: String,
    pub label: String,
    pub role_ids: Vec<String>,
    pub quorum: Quorum,
    /// Members by chat user id (needed for `quorum = "all"`).
    #[serde(default)]
    pub members: Vec<PersonRef>,
    /// Who is asked when the group's approvers do not answer (last escalation step).
    #[serde(default)]
    pub backup_id: Option<String>,
}

impl StakeholderGroup {
    /// Distinct approvers needed.
    pub fn needed(&self) -> usize {
        match self.quorum {
            Quorum::Count(n) => n as usize,
            Quorum::All => self.members.len(),
        }
    }
}
