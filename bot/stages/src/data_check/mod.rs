//! `quarterdeck data check`: every input found in a team's data, read the way the stages
//! will read it, profiled before any stage runs. For each file: which input it is, its
//! rows, the column mapping used, its date format and range, and its problems with
//! counts and a first example row; across files: channel names that do not reconcile
//! and deals whose lead is unknown; for each stage: ready, degraded or blocked.
//! The stages quote the same findings in their posts ([`notes_for`]).

mod profile;
mod readiness;
pub mod schema;
mod weeks;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use readiness::{StageReadiness, Status};
pub use weeks::week_of;

use crate::sources::DataSet;

/// The report (contract: `quarterdeck data check`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataCheck {
    pub files: Vec<FileReport>,
    pub stages: Vec<StageReadiness>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub file: String,
    pub input: String,
    pub rows: usize,
    /// Canonical column -> header as found.
    pub columns: BTreeMap<String, String>,
    pub date_format: Option<String>,
    pub date_range: Option<[NaiveDate; 2]>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: String,
    pub count: usize,
    pub example_row: Option<usize>,
    pub detail: String,
}

impl DataCheck {
    /// Whether some file could not be read at all (exit code 2).
    pub fn unreadable(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.problems.iter().any(|p| p.kind == "unreadable"))
    }
}

/// Checks every input of `data` as of `as_of` (dates after it are "from the future";
/// an export ending well before it is cut short).
pub fn check(data: &DataSet, as_of: NaiveDate) -> DataCheck {
    let mut files = Vec::new();
    let mut channels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let join = data.has("leads.csv") && data.has("deals.csv");
    let mut lead_ids = None;
    let mut deal_ids = None;
    for spec in schema::INPUTS {
        let Some((origin, bytes, options)) = data.raw(spec.file) else {
            continue;
        };
        match profile::profile(spec, origin, bytes, options, as_of, join) {
            Ok(p) => {
                if !p.channels.is_empty() {
                    channels.insert(spec.file.to_owned(), p.channels);
                }
                match spec.input {
                    "leads" => lead_ids = p.ids.map(|i| i.0),
                    "deals" => deal_ids = p.ids.map(|i| i.1),
                    _ => {}
                }
                files.push(p.report);
            }
            Err(e) => files.push(FileReport {
                file: spec.file.to_owned(),
                input: spec.input.to_owned(),
                problems: vec![Problem {
                    kind: "unreadable".into(),
                    count: 1,
                    example_row: None,
                    detail: e.to_string(),
                }],
                ..FileReport::default()
            }),
        }
    }
    if let Some(text) = data.text("objectives.toml").ok().flatten() {
        let origin = data.origin("objectives.toml").unwrap_or("objectives.toml");
        let problems = match crate::sources::Objectives::parse(origin, text) {
            Ok(_) => Vec::new(),
            Err(e) => vec![Problem {
                kind: "invalid".into(),
                count: 1,
                example_row: None,
                detail: e.to_string(),
            }],
        };
        files.push(FileReport {
            file: "objectives.toml".into(),
            input: "objectives".into(),
            problems,
            ..FileReport::default()
        });
    }
    reconcile_channels(&mut files, &channels);
    // The previous quarter's stored actuals carried in: said once per file.
    for f in &mut files {
        if let Some((rows, note)) = data.carried(&f.file) {
            f.problems.push(Problem {
                kind: "carried_actuals".into(),
                count: *rows,
                example_row: None,
                detail: note.clone(),
            });
        }
    }
    if let (Some(leads), Some(deals)) = (lead_ids, deal_ids) {
        let unmatched: Vec<&(String, usize)> =
            deals.iter().filter(|(id, _)| !leads.contains(id)).collect();
        if let (Some(first), Some(f)) = (
            unmatched.first(),
            files.iter_mut().find(|f| f.file == "deals.csv"),
        ) {
            f.problems.push(Problem {
                kind: "unmatched_ids".into(),
                count: unmatched.len(),
                example_row: Some(first.1),
                detail: format!(
                    "{} deal{} a lead id not in leads.csv (first {:?}); they are left out of the funnel",
                    unmatched.len(),
                    if unmatched.len() == 1 { " names" } else { "s name" },
                    first.0
                ),
            });
        }
    }
    let stages = readiness::assess(data, &files);
    DataCheck { files, stages }
}

/// Channel names compared across the files that name channels: the team's channels are
/// those of `spend.csv` (else of the first such file); a file using names outside them
/// gets an `unknown_channel` problem, and one sharing none says so.
fn reconcile_channels(files: &mut [FileReport], channels: &BTreeMap<String, BTreeSet<String>>) {
    let reference = ["spend.csv", "weekly_media.csv", "campaigns.csv"]
        .iter()
        .find_map(|f| channels.get(*f).map(|c| (*f, c)))
        .or_else(|| {
            // Competitors' channels are theirs, never the team's reference.
            channels
                .iter()
                .find(|(f, _)| f.as_str() != "competitors.csv")
                .map(|(f, c)| (f.as_str(), c))
        });
    let Some((ref_file, known)) = reference else {
        return;
    };
    for (file, names) in channels {
        if file == ref_file || file == "competitors.csv" {
            continue;
        }
        // A name spelled like a known one but not equal (`Paid Search`, `paid_search`)
        // is the same channel under another name; a name unlike any known one may be
        // an unpaid channel (organic search has no spend) and is only reported when the
        // file shares no channel at all.
        let key = crate::sources::aliases::key;
        let shared = names.iter().filter(|n| known.contains(*n)).count();
        let unknown: Vec<&str> = names
            .iter()
            .filter(|n| !known.contains(*n) && n.as_str() != crate::sources::NOT_SET)
            .filter(|n| shared == 0 || known.iter().any(|k| key(k) == key(n)))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            continue;
        }
        let Some(f) = files.iter_mut().find(|f| f.file == *file) else {
            continue;
        };
        let detail = if shared == 0 {
            format!(
                "shares no channel with {ref_file} ({}): channel figures that join the two (ROAS) cannot be computed; map the names with `channel_aliases`",
                known.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        } else {
            format!(
                "names spelled differently in {ref_file}: {}; map them with `channel_aliases`",
                unknown.join(", ")
            )
        };
        f.problems.push(Problem {
            kind: "unknown_channel".into(),
            count: unknown.len(),
            example_row: None,
            detail,
        });
    }
}

/// One line per problem of the files `inputs` names.
pub fn notes_for(check: &DataCheck, inputs: &[&str]) -> Vec<String> {
    check
        .files
        .iter()
        .filter(|f| inputs.contains(&f.file.as_str()))
        .flat_map(|f| {
            f.problems
                .iter()
                .map(move |p| format!("{}: {}", f.file, p.detail))
        })
        .collect()
}

/// A data problem as a stage's post states it: the file, the problem, and which of the
/// stage's comparisons it distorts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataNote {
    pub file: String,
    pub kind: String,
    pub count: usize,
    pub detail: String,
    /// The stage's comparisons the problem distorts (weeks missing or doubled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distorts: Option<String>,
}

impl DataNote {
    /// The note as one line of a post.
    pub fn line(&self) -> String {
        match &self.distorts {
            Some(d) => format!("{}: {}. This distorts {d}.", self.file, self.detail),
            None => format!("{}: {}.", self.file, self.detail),
        }
    }
}

/// Problems that change counts by week or by channel (a missing, cut or doubled stretch
/// of rows): the comparisons that add rows up over time are distorted by them.
pub const DISTORTING: [&str; 8] = [
    "gap",
    "volume_drop",
    "ends_early",
    "channel_gap",
    "channel_vanished",
    "duplicate_rows",
    "duplicate_keys",
    "unmatched_ids",
];

/// What stage `stage` compares with the rows of `file` (for the "distorts" clause).
pub fn comparisons(stage: u8, file: &str) -> Option<&'static str> {
    Some(match (stage, file) {
        (1, "spend.csv") => "spend against plan and ROAS by channel, quarter over quarter",
        (1, "touchpoints.csv" | "conversions.csv") => {
            "the attributed conversions and revenue by channel, and ROAS quarter over quarter"
        }
        (1, "leads.csv" | "deals.csv") => "pipeline, cost per MQL and SQL, and CAC by channel",
        (2, "leads.csv" | "deals.csv") => {
            "the quarter's stage rates and velocity, the monthly cohorts and the comparison with the quarter before"
        }
        (4, "leads.csv") => {
            "MQLs and MQL → SQL by month and source, and the out-of-time check on the last month"
        }
        (4, "sales_feedback.csv") => "sales acceptance by month and source",
        (5, "touchpoints.csv" | "conversions.csv") => {
            "our journeys quarter over quarter (path length, first-touch mix and reach)"
        }
        (5, "leads.csv" | "deals.csv") => "our funnel rates against the benchmarks",
        (6, "weekly_media.csv" | "weekly_revenue.csv" | "controls.csv") => {
            "the response curves fitted on the weekly history, and each channel's ROAS from it"
        }
        (7, "leads.csv" | "deals.csv") => {
            "last quarter's volumes, the stretch flags against it and the lag-shifted monthly milestones"
        }
        (7, "weekly_revenue.csv") => "the seasonal shape of the monthly milestones",
        (8, "spend.csv") => "last quarter's cost per click, used to cost the tests",
        _ => return None,
    })
}

/// The data notes of stage `stage`: every problem of the files it read (`check` is the
/// check of that stage's data), with what each distorting one distorts in this stage.
pub fn stage_notes(check: &DataCheck, stage: u8) -> Vec<DataNote> {
    let inputs = crate::domain::StageId::from_number(stage).map_or(&[][..], |s| s.inputs());
    check
        .files
        .iter()
        .filter(|f| inputs.contains(&f.file.as_str()))
        .flat_map(|f| {
            f.problems.iter().map(move |p| DataNote {
                file: f.file.clone(),
                kind: p.kind.clone(),
                count: p.count,
                detail: p.detail.clone(),
                distorts: DISTORTING
                    .contains(&p.kind.as_str())
                    .then(|| comparisons(stage, &f.file))
                    .flatten()
                    .map(str::to_owned),
            })
        })
        .collect()
}

/// The report as text: one block per file, then the stages.
pub fn render_table(check: &DataCheck) -> String {
    let mut out = String::new();
    for f in &check.files {
        let range = f
            .date_range
            .map(|[a, b]| format!(", {a} to {b}"))
            .unwrap_or_default();
        let format = f
            .date_format
            .as_ref()
            .map(|d| format!(", dates {d}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} ({}): {} rows{range}{format}\n",
            f.file, f.input, f.rows
        ));
        let mapped: Vec<String> = f
            .columns
            .iter()
            .filter(|(k, v)| crate::sources::aliases::key(k) != crate::sources::aliases::key(v))
            .map(|(k, v)| format!("{k} <- {v:?}"))
            .collect();
        if !mapped.is_empty() {
            out.push_str(&format!("  columns: {}\n", mapped.join(", ")));
        }
        for p in &f.problems {
            let row = p
                .example_row
                .map(|r| format!(" (first at row {r})"))
                .unwrap_or_default();
            out.push_str(&format!("  {} x{}{row}: {}\n", p.kind, p.count, p.detail));
        }
    }
    out.push_str("\nStages:\n");
    for s in &check.stages {
        out.push_str(&format!(
            "  {:>2} {:<9} {}\n",
            s.number,
            s.status.as_str(),
            s.reason
        ));
    }
    out
}

#[cfg(test)]
mod tests;
