//! The data notes of a stage's post: the data check run on the files the stage read
//! (issue 12: "data checks before analysis"), as added lines under **Data checks** at the
//! end of the post and as `data_notes` in its findings, where the plan's risks read
//! them. Owns only those added lines; the stage's own wording is the stage's.

use chrono::NaiveDate;

use super::{StageInputs, StageOutput};
use crate::data_check::{self, DataNote};
use crate::domain::{StageId, StageKind};

/// Findings key of the notes (a list of [`DataNote`]).
pub const KEY: &str = "data_notes";

/// The date the data is checked against: the last day of the quarter under review
/// (rows after it are from the future; an export ending well before it is cut short).
pub fn as_of(inputs: &StageInputs) -> NaiveDate {
    inputs
        .quarter_start
        .pred_opt()
        .unwrap_or(inputs.quarter_start)
}

/// Adds stage `n`'s data notes to its post and findings (analysis stages only).
pub fn attach(n: u8, inputs: &StageInputs, out: &mut StageOutput) {
    let Some(id) = StageId::from_number(n) else {
        return;
    };
    if id.spec().kind != StageKind::Analysis || inputs.data.names().next().is_none() {
        return;
    }
    let check = data_check::check(&inputs.data, as_of(inputs));
    let notes = data_check::stage_notes(&check, n);
    if notes.is_empty() {
        return;
    }
    let body = &mut out.result.message.body;
    body.push_str("\n\n**Data checks** (the files this stage read)");
    for note in &notes {
        body.push_str("\n- ");
        body.push_str(&note.line());
    }
    if let Some(map) = out.findings.as_object_mut() {
        map.insert(
            KEY.to_owned(),
            serde_json::to_value(&notes).unwrap_or_default(),
        );
    }
}

/// The data notes stage `n` stored in its findings.
pub fn of(findings: &serde_json::Value) -> Vec<DataNote> {
    findings
        .get(KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}
