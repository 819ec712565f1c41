//! The honest post of a stage that cannot compute (its data is missing): it says why,
//! lists which of its input files the team's sources hold (with row counts), and
//! produces no numbers about performance.

use serde_json::json;

use super::{FINDINGS_SCHEMA, StageInputs, StageOutput, StageResult, inputs_of, stage_title};
use crate::chat::{Message, Table};

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
        result: StageResult::findings(false, message),
        findings: json!({ "schema": FINDINGS_SCHEMA, "stage": n, "available": false, "reason": reason, "inputs": files }),
        plan: None,
    }
}
