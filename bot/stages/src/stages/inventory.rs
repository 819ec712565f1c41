//! The honest post of a stage that cannot compute (its data is missing): it says why,
//! lists which of its input files the team's sources hold (with row counts), and
//! produces no numbers about performance.

use serde::Serialize;
use serde_json::json;

use super::{FINDINGS_SCHEMA, StageInputs, StageOutput, StageResult, inputs_of, stage_title};
use crate::chat::{Message, Table};

/// Why a stage has no findings, and which of its input files the sources hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unavailable {
    pub stage: u8,
    pub reason: String,
    pub inputs: Vec<InputFile>,
}

/// One input file of the stage and its row count (`None`: not in the data folder).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputFile {
    pub file: &'static str,
    pub rows: Option<usize>,
}

impl Unavailable {
    fn gather(n: u8, inputs: &StageInputs, reason: String) -> Self {
        let inputs = inputs_of(n)
            .iter()
            .map(|&file| InputFile {
                file,
                rows: inputs.data.row_count(file),
            })
            .collect();
        Self {
            stage: n,
            reason,
            inputs,
        }
    }

    /// The post: why, and the inputs table.
    fn message(&self) -> Message {
        let table = self.inputs.iter().fold(
            Table::new("Inputs in the data folder", &["File", "Rows"]),
            |table, f| {
                table.row(vec![
                    f.file.to_owned(),
                    f.rows
                        .map_or_else(|| "missing".to_owned(), |r| r.to_string()),
                ])
            },
        );
        Message::new(
            format!("{} — not available", stage_title(self.stage)),
            format!(
                "No findings this quarter: {}. Quarterdeck does not estimate numbers it has not \
                 computed; the plan document marks this section as missing.",
                self.reason
            ),
        )
        .table(table)
    }
}

/// A stage with no findings, and why.
pub fn unavailable(n: u8, inputs: &StageInputs, reason: String) -> StageOutput {
    let found = Unavailable::gather(n, inputs, reason);
    StageOutput {
        files: Vec::new(),
        result: StageResult::findings(false, found.message()),
        findings: json!({
            "schema": FINDINGS_SCHEMA,
            "stage": found.stage,
            "available": false,
            "reason": found.reason,
            "inputs": found.inputs,
        }),
        plan: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_names_the_reason_and_each_input_with_its_rows_or_missing() {
        let found = Unavailable {
            stage: 6,
            reason: "no spend.csv".into(),
            inputs: vec![
                InputFile {
                    file: "spend.csv",
                    rows: None,
                },
                InputFile {
                    file: "objectives.toml",
                    rows: Some(12),
                },
            ],
        };
        let m = found.message();
        assert!(m.title.ends_with("— not available"), "{}", m.title);
        assert!(
            m.body
                .starts_with("No findings this quarter: no spend.csv."),
            "{}",
            m.body
        );
        let rows: Vec<Vec<String>> = m.tables[0].rows.clone();
        assert_eq!(
            rows,
            vec![
                vec!["spend.csv".to_owned(), "missing".to_owned()],
                vec!["objectives.toml".to_owned(), "12".to_owned()],
            ]
        );
    }
}
