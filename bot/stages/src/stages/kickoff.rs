//! Stage 12: execution kickoff. Names who reports on which campaign at the weekly
//! check-ins: the approved plan's campaigns (stage 8's calendar) and the campaigns in
//! `campaigns.csv` already booked into the planned quarter (ending on or after its first
//! day), each with its owner. Without stage 8, `campaigns.csv` alone.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use serde_json::json;

use super::handoff::CalendarHandoff;
use super::{
    FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, StageOutputKind, StageResult,
    stage_title,
};
use crate::chat::{Message, Table};
use crate::domain::RosterEntry;
use crate::sources::DataSet;

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
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
    let approved = inputs.run.approved_version.unwrap_or_default();
    let first = inputs.checkins.first().map(|t| {
        t.with_timezone(&inputs.tz)
            .format("%a %-d %b %H:%M %Z")
            .to_string()
    });
    let mut table = Table::new("Campaign owners", &["Campaign", "Owner"]);
    for r in &roster {
        table = table.row(vec![r.campaign.clone(), r.owner.clone()]);
    }
    let owners: BTreeSet<&str> = roster.iter().map(|r| r.owner.as_str()).collect();
    let message = Message::new(
        format!("{} — {} is live", stage_title(12), inputs.run.quarter),
        format!(
            "Plan v{approved} is approved and execution starts. {} campaigns, {} owners. Weekly check-ins: {} \
             in all, the first on {}.",
            roster.len(),
            owners.len(),
            inputs.checkins.len(),
            first.unwrap_or_else(|| "— (none left this quarter)".into())
        ),
    )
    .table(table);
    Ok(StageOutput {
        files: Vec::new(),
        findings: json!({
            "schema": FINDINGS_SCHEMA, "stage": 12, "available": true,
            "headline": format!("{} campaigns, {} owners", roster.len(), owners.len()),
            "roster": roster.iter().map(|r| json!({"campaign": r.campaign, "owner": r.owner})).collect::<Vec<_>>(),
        }),
        result: StageResult {
            available: true,
            message,
            output: StageOutputKind::Kickoff { roster },
        },
        plan: None,
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
