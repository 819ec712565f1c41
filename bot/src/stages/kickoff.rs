//! Stage 12: execution kickoff. Names who reports on which campaign at the weekly
//! check-ins: the campaigns in `campaigns.csv` that are live in the planned quarter
//! (ending on or after its first day), each with its owner.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_json::json;

use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, StageResult, stage_title};
use crate::chat::{Message, Table};
use crate::domain::RosterEntry;

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let roster = live_campaigns(inputs)?;
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
        findings: json!({
            "schema": FINDINGS_SCHEMA, "stage": 12, "available": true,
            "headline": format!("{} campaigns, {} owners", roster.len(), owners.len()),
            "roster": roster.iter().map(|r| json!({"campaign": r.campaign, "owner": r.owner})).collect::<Vec<_>>(),
        }),
        result: StageResult {
            available: true,
            message,
            plan_hash: None,
            roster: Some(roster),
        },
        plan: None,
    })
}

fn live_campaigns(inputs: &StageInputs) -> Result<Vec<RosterEntry>, StageError> {
    let path = inputs.data_dir.join("campaigns.csv");
    let file = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(&path)
        .map_err(|e| StageError::BadFile {
            file: file.clone(),
            message: format!("cannot read the campaign list: {e}"),
        })?;
    let headers = reader
        .headers()
        .map_err(|e| StageError::BadFile {
            file: file.clone(),
            message: e.to_string(),
        })?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| StageError::BadFile {
                file: file.clone(),
                message: format!("expected a column `{name}`"),
            })
    };
    let (c_campaign, c_end, c_owner) = (col("campaign")?, col("end")?, col("owner")?);
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let row = i + 2; // header is row 1
        let rec = rec.map_err(|e| StageError::BadFile {
            file: file.clone(),
            message: format!("row {row}: {e}"),
        })?;
        let end_raw = rec.get(c_end).unwrap_or_default().trim();
        let end =
            NaiveDate::parse_from_str(end_raw, "%Y-%m-%d").map_err(|_| StageError::BadCell {
                file: file.clone(),
                row,
                column: "end".into(),
                expected: "a date YYYY-MM-DD".into(),
                found: end_raw.to_owned(),
            })?;
        if end >= inputs.quarter_start {
            out.push(RosterEntry {
                campaign: rec.get(c_campaign).unwrap_or_default().trim().to_owned(),
                owner: rec.get(c_owner).unwrap_or_default().trim().to_owned(),
            });
        }
    }
    out.sort_by(|a, b| (&a.campaign, &a.owner).cmp(&(&b.campaign, &b.owner)));
    Ok(out)
}
