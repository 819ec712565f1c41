//! Stage 12: execution kickoff. Names who reports on which campaign at the weekly
//! check-ins: the approved plan's campaigns (stage 8's calendar) and the campaigns in
//! `campaigns.csv` already booked into the planned quarter (ending on or after its first
//! day), each with its owner. Without stage 8, `campaigns.csv` alone.

mod post;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde_json::json;

use super::handoff::CalendarHandoff;
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, StageOutputKind, StageResult};
use crate::domain::RosterEntry;
use crate::sources::DataSet;

/// What the kickoff establishes: the roster, the approved version it executes and when
/// the owners first report.
#[derive(Debug, Clone, PartialEq)]
pub struct Kickoff {
    /// The quarter being executed (`2027-Q1`).
    pub quarter: String,
    /// The approved plan version (0 when none is recorded).
    pub approved_version: u32,
    /// Who reports on which campaign, sorted by campaign then owner, without duplicates.
    pub roster: Vec<RosterEntry>,
    /// Weekly check-ins left in the quarter, and the first of them in the team's zone.
    pub checkins: usize,
    pub first_checkin: Option<DateTime<Tz>>,
}

impl Kickoff {
    /// Distinct owners on the roster.
    pub fn owners(&self) -> usize {
        self.roster
            .iter()
            .map(|r| r.owner.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let kickoff = kickoff(inputs)?;
    let (message, headline) = post::message(&kickoff);
    Ok(StageOutput {
        files: Vec::new(),
        findings: json!({
            "schema": FINDINGS_SCHEMA, "stage": 12, "available": true,
            "headline": headline,
            "roster": kickoff.roster.iter().map(|r| json!({"campaign": r.campaign, "owner": r.owner})).collect::<Vec<_>>(),
        }),
        result: StageResult {
            available: true,
            message,
            output: StageOutputKind::Kickoff {
                roster: kickoff.roster,
            },
        },
        plan: None,
    })
}

/// The roster (booked campaigns and stage 8's), the approved version and the check-ins.
pub fn kickoff(inputs: &StageInputs) -> Result<Kickoff, StageError> {
    let mut roster = read_roster(&inputs.data, inputs.quarter_start)?;
    if let Some(calendar) = inputs.handoff::<CalendarHandoff>(8) {
        roster.extend(
            calendar
                .campaigns
                .into_iter()
                .map(|c| RosterEntry::new(c.name, c.owner)),
        );
        roster.sort_by(|a, b| (&a.campaign, &a.owner).cmp(&(&b.campaign, &b.owner)));
        roster.dedup();
    }
    Ok(Kickoff {
        quarter: inputs.run.quarter.clone(),
        approved_version: inputs.run.approved_version.unwrap_or_default(),
        roster,
        checkins: inputs.checkins.len(),
        first_checkin: inputs.checkins.first().map(|t| t.with_timezone(&inputs.tz)),
    })
}

/// Campaigns live in the quarter starting `quarter_start`, with their owners (none
/// booked when the team has no `campaigns.csv`).
pub fn read_roster(
    data: &DataSet,
    quarter_start: NaiveDate,
) -> Result<Vec<RosterEntry>, StageError> {
    let Some(table) = data.table("campaigns.csv")? else {
        return Ok(Vec::new());
    };
    let (campaign, end, owner) = (
        table.require("campaign", &["campaign_name", "name"])?,
        table.require("end", &["end_date"])?,
        table.require("owner", &[])?,
    );
    let mut out = Vec::new();
    for row in table.rows() {
        if row.date(end)? >= quarter_start {
            out.push(RosterEntry::new(row.text(campaign)?, row.text(owner)?));
        }
    }
    out.sort_by(|a, b| (&a.campaign, &a.owner).cmp(&(&b.campaign, &b.owner)));
    Ok(out)
}
