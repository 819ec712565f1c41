//! Which files each stage reads, and the honest post of a stage that cannot compute
//! (its data is missing): it says why, lists which of its input files the team's sources
//! hold (with row counts), and produces no numbers about performance.

use serde_json::json;

use super::{FINDINGS_SCHEMA, StageInputs, StageOutput, StageResult, stage_title};
use crate::chat::{Message, Table};

/// Input files each stage reads.
pub fn inputs_of(n: u8) -> &'static [&'static str] {
    match n {
        1 => &[
            "spend.csv",
            "campaigns.csv",
            "touchpoints.csv",
            "conversions.csv",
            "paths.csv",
            "leads.csv",
        ],
        2 => &["leads.csv", "benchmarks.csv"],
        3 => &["content.csv", "keywords.csv"],
        4 => &["leads.csv", "sales_feedback.csv", "objectives.toml"],
        5 => &[
            "competitors.csv",
            "trends.csv",
            "benchmarks.csv",
            "touchpoints.csv",
            "conversions.csv",
            "leads.csv",
        ],
        6 => &[
            "weekly_media.csv",
            "weekly_revenue.csv",
            "controls.csv",
            "objectives.toml",
        ],
        7 => &["objectives.toml", "leads.csv", "weekly_revenue.csv"],
        8 => &["campaigns.csv", "objectives.toml", "spend.csv"],
        9 => &["content.csv", "keywords.csv", "objectives.toml"],
        10 => &["objectives.toml"],
        12 => &["campaigns.csv"],
        _ => &[],
    }
}

/// A stage with no findings, and why.
pub fn unavailable(n: u8, inputs: &StageInputs, reason: String) -> StageOutput {
    let mut table = Table::new("Inputs in the data folder", &["File", "Rows"]);
    let mut files = Vec::new();
    for f in inputs_of(n) {
        let rows = inputs.data.row_count(f);
        table = table.row(vec![
            (*f).to_owned(),
            rows.map_or_else(|| "missing".to_owned(), |r| r.to_string()),
        ]);
        files.push(json!({ "file": f, "rows": rows }));
    }
    let message = Message::new(
        format!("{} — not available", stage_title(n)),
        format!(
            "No findings this quarter: {reason}. Quarterdeck does not estimate numbers it has not \
             computed; the plan document marks this section as missing."
        ),
    )
    .table(table);
    StageOutput {
        files: Vec::new(),
        result: StageResult {
            available: false,
            message,
            plan_hash: None,
            roster: None,
        },
        findings: json!({ "schema": FINDINGS_SCHEMA, "stage": n, "available": false, "reason": reason, "inputs": files }),
        plan: None,
    }
}
