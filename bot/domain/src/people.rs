//! The people's side of a run as data: structured amendments to the plan, the figures a
//! plan version states (what approvals are bound to, what kickoff and the check-ins
//! measure against), kickoff acknowledgements and launches, and check-in numbers.
//! Pure values; the engine decides what they do, the stages apply amendments.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Actor, StageId};
use crate::display::{label, money};

/// One structured change to the plan, as a stakeholder asked for it. Amendments are
/// applied in order, as overrides on top of `objectives.toml` and of the stage outputs
/// they name, every time the affected stages compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmendmentKind {
    /// Moves `share` (0–1) of the channel's allocation into the test reserve.
    HoldBack { channel: String, share: f64 },
    /// Moves `amount` from one channel's allocation to another's.
    MoveMoney {
        from: String,
        to: String,
        amount: f64,
    },
    /// Sets a channel's allocation; the difference comes from (or goes to) the reserve.
    SetChannel { channel: String, amount: f64 },
    /// Replaces `reserve_share` in `objectives.toml`.
    ReserveShare { share: f64 },
    /// Replaces the quarter's total budget (`total_budget` in `objectives.toml`).
    Total { amount: f64 },
    /// Replaces a target: `revenue`, `pipeline` or `mqls`.
    Target { metric: String, value: f64 },
    /// Moves a campaign to start on `start`, keeping its length (clipped to the quarter).
    MoveCampaign { campaign: String, start: NaiveDate },
    /// Gives a campaign a new owner.
    ReownCampaign {
        campaign: String,
        owner: String,
        #[serde(default)]
        owner_id: Option<String>,
    },
}

/// Targets an amendment may change, with the `objectives.toml` key each overrides.
pub const AMENDABLE_TARGETS: [(&str, &str); 3] = [
    ("revenue", "revenue_target"),
    ("pipeline", "pipeline_target"),
    ("mqls", "mql_target"),
];

impl AmendmentKind {
    /// The earliest stage whose output the amendment changes; it and its dependents
    /// compute again.
    pub fn first_stage(&self) -> StageId {
        match self {
            Self::HoldBack { .. }
            | Self::MoveMoney { .. }
            | Self::SetChannel { .. }
            | Self::ReserveShare { .. }
            | Self::Total { .. } => StageId::Budget,
            Self::Target { .. } => StageId::Goals,
            Self::MoveCampaign { .. } | Self::ReownCampaign { .. } => StageId::Calendar,
        }
    }

    /// The snake_case name, as in `summary.json` and the audit trail.
    pub fn name(&self) -> &'static str {
        match self {
            Self::HoldBack { .. } => "hold_back",
            Self::MoveMoney { .. } => "move_money",
            Self::SetChannel { .. } => "set_channel",
            Self::ReserveShare { .. } => "reserve_share",
            Self::Total { .. } => "total",
            Self::Target { .. } => "target",
            Self::MoveCampaign { .. } => "move_campaign",
            Self::ReownCampaign { .. } => "reown_campaign",
        }
    }

    /// The amendment in a sentence, for posts and the audit trail.
    pub fn describe(&self) -> String {
        match self {
            Self::HoldBack { channel, share } => format!(
                "hold back {}% of {} in the test reserve",
                trim(share * 100.0),
                label(channel)
            ),
            Self::MoveMoney { from, to, amount } => {
                format!(
                    "move {} from {} to {}",
                    money(*amount),
                    label(from),
                    label(to)
                )
            }
            Self::SetChannel { channel, amount } => {
                format!(
                    "set {} to {} (difference to/from the reserve)",
                    label(channel),
                    money(*amount)
                )
            }
            Self::ReserveShare { share } => {
                format!("set the reserve share to {}%", trim(share * 100.0))
            }
            Self::Total { amount } => format!("set the total budget to {}", money(*amount)),
            Self::Target { metric, value } => {
                let value = if matches!(metric.as_str(), "revenue" | "pipeline") {
                    money(*value)
                } else {
                    crate::display::whole(*value)
                };
                format!("set the {} target to {value}", label(metric))
            }
            Self::MoveCampaign { campaign, start } => format!("move {campaign} to start {start}"),
            Self::ReownCampaign {
                campaign, owner, ..
            } => format!("give {campaign} to {owner}"),
        }
    }

    /// Checks the amendment against the figures it would change. The message names the
    /// field and what was expected.
    pub fn check(&self, figures: &PlanFigures) -> Result<(), String> {
        let channel = |c: &str| -> Result<f64, String> {
            figures.budget_by_channel.get(c).copied().ok_or_else(|| {
                format!(
                    "channel: expected one of {}, found {c:?}",
                    figures
                        .budget_by_channel
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        };
        let money = |field: &str, x: f64| {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{field}: expected an amount of at least 0, found {x}"
                ))
            }
        };
        let campaign = |c: &str| {
            if figures.campaigns.iter().any(|p| p.name == c) {
                Ok(())
            } else {
                Err(format!("campaign: no campaign {c:?} in the plan"))
            }
        };
        match self {
            Self::HoldBack { channel: c, share } => {
                channel(c)?;
                if !(*share > 0.0 && *share <= 1.0) {
                    return Err(format!(
                        "share: expected a fraction in (0, 1] such as 0.05, found {share}"
                    ));
                }
            }
            Self::MoveMoney { from, to, amount } => {
                let available = channel(from)?;
                channel(to)?;
                money("amount", *amount)?;
                if from == to {
                    return Err("to: expected a channel other than `from`".into());
                }
                if *amount > available + 0.005 {
                    return Err(format!(
                        "amount: {from} has {available:.2}; cannot move {amount:.2}"
                    ));
                }
            }
            Self::SetChannel { channel: c, amount } => {
                let now = channel(c)?;
                money("amount", *amount)?;
                if amount - now > figures.reserve + 0.005 {
                    return Err(format!(
                        "amount: raising {c} by {:.2} needs more than the reserve ({:.2})",
                        amount - now,
                        figures.reserve
                    ));
                }
            }
            Self::ReserveShare { share } => {
                if !(0.0..1.0).contains(share) {
                    return Err(format!(
                        "share: expected a fraction in [0, 1) such as 0.12, found {share}"
                    ));
                }
            }
            Self::Total { amount } => money("amount", *amount)?,
            Self::Target { metric, value } => {
                if !AMENDABLE_TARGETS.iter().any(|(m, _)| m == metric) {
                    return Err(format!(
                        "metric: expected revenue, pipeline or mqls, found {metric:?}"
                    ));
                }
                money("value", *value)?;
            }
            Self::MoveCampaign { campaign: c, .. } => campaign(c)?,
            Self::ReownCampaign {
                campaign: c, owner, ..
            } => {
                campaign(c)?;
                if owner.trim().is_empty() {
                    return Err("owner: expected a name".into());
                }
            }
        }
        Ok(())
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// An amendment as recorded on the run: what, who asked, for which group, on which
/// version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    #[serde(flatten)]
    pub kind: AmendmentKind,
    pub by: Actor,
    pub group: String,
    /// The plan version it amends (the next version applies it).
    pub on_version: u32,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The figures a plan version states: the numbers approvals are bound to. Two versions
/// with the same `digest` differ only cosmetically.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanFigures {
    pub total: f64,
    pub reserve: f64,
    pub budget_by_channel: BTreeMap<String, f64>,
    /// `revenue`, `pipeline`, `mqls`, … → the quarter's target.
    pub targets: BTreeMap<String, f64>,
    /// Stage 7's monthly milestones, in month order.
    pub milestones: Vec<MonthMilestone>,
    pub campaigns: Vec<CampaignFigures>,
    /// SHA-256 (hex) of the figures above, serialised canonically.
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthMilestone {
    /// `YYYY-MM`.
    pub month: String,
    pub mqls: f64,
    pub pipeline: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignFigures {
    pub name: String,
    pub channel: String,
    /// In the quarter.
    pub budget: f64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub owner: String,
    /// Booked last quarter, running into this one.
    #[serde(default)]
    pub booked: bool,
}

/// What an owner reports at a check-in: the campaign's quarter to date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckinNumbers {
    pub spend_to_date: f64,
    pub leads: f64,
    pub mqls: f64,
    pub pipeline: f64,
    #[serde(default)]
    pub blockers: Vec<String>,
}

impl CheckinNumbers {
    /// Every figure finite and at least 0; blockers non-empty text.
    pub fn check(&self) -> Result<(), String> {
        for (field, x) in [
            ("spend_to_date", self.spend_to_date),
            ("leads", self.leads),
            ("mqls", self.mqls),
            ("pipeline", self.pipeline),
        ] {
            if !(x.is_finite() && x >= 0.0) {
                return Err(format!(
                    "{field}: expected a number of at least 0, found {x}"
                ));
            }
        }
        if self.blockers.iter().any(|b| b.trim().is_empty()) {
            return Err("blockers: expected each blocker to say something".into());
        }
        Ok(())
    }
}

/// Kickoff: who acknowledged the plan, which campaigns launched when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kickoff {
    /// When stage 12 handed the plan over.
    pub at: Option<DateTime<Utc>>,
    /// Actor ids (with names) that acknowledged, in order.
    pub acknowledged: Vec<Acknowledgement>,
    pub launches: Vec<Launch>,
    /// Success-criteria posts made (`week4`, `quarter_end`).
    #[serde(default)]
    pub criteria_posted: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub id: String,
    pub name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launch {
    pub campaign: String,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The local date it launched on.
    pub on: NaiveDate,
}

/// An owner away for some check-in weeks (`/away`), or a delegate standing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub id: String,
    pub name: String,
    /// First and last local dates away, inclusive.
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// Who answers (or approves) for them meanwhile, by id.
    #[serde(default)]
    pub delegate: Option<String>,
}
