//! Stage computations: each of the twelve stages turns the team's data and earlier
//! stages' findings into findings (JSON, stored versioned) and a post. A stage whose
//! data is missing says so and produces no numbers; the plan document marks the gap. Computation is synchronous and never touches the store or the
//! chat: the engine's worker hands inputs in and takes the output back. Stages hand typed
//! results to later stages through `handoff`.

pub mod amendments;
#[cfg(test)]
mod asof_tests;
mod budget;
mod calendar;
mod charts;
mod content_plan;
mod content_review;
pub mod data_notes;
mod funnel_health;
mod goals;
pub mod handoff;
mod inventory;
mod kickoff;
mod lead_scoring;
#[cfg(test)]
mod like_for_like_tests;
mod market;
mod performance;
mod plan;
pub mod refresh;
mod roi_review;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::chat::Message;
use crate::domain::QuarterRun;
use crate::domain::StageId;
pub use crate::domain::{StageOutputKind, StageResult};
use crate::sources::DataSet;

pub use content_review::tables as content_tables;
pub use market::post::message as market_message;
pub use market::{MarketFindings, gather as market_findings};
pub use performance::post::{findings_text as roi_findings_text, table as roi_table};
pub use performance::{Review, review};
pub use plan::{PlanDoc, render_plan};

/// Everything a stage may read.
#[derive(Debug, Clone)]
pub struct StageInputs {
    pub run: QuarterRun,
    pub tz: Tz,
    /// First day of the quarter being planned.
    pub quarter_start: NaiveDate,
    /// First day of the quarter under review; it ends the day before `quarter_start`.
    pub review_start: NaiveDate,
    /// Times of the weekly check-ins (for the kickoff post).
    pub checkins: Vec<chrono::DateTime<chrono::Utc>>,
    /// The input files this stage reads, loaded before it runs.
    pub data: DataSet,
    /// Latest findings of every stage computed so far.
    pub outputs: BTreeMap<u8, serde_json::Value>,
    /// How posts, plan sections and charts name channels, statuses, page types and
    /// features (the team's `[display_names]`).
    pub names: crate::report::DisplayNames,
}

impl StageInputs {
    /// The quarter under review, as people name it (`2026-Q4`).
    pub fn review_label(&self) -> String {
        self.run
            .quarter
            .parse::<crate::timeline::Quarter>()
            .map_or_else(|_| self.review_start.to_string(), |q| q.prior().to_string())
    }

    /// What stage `n` handed on (see [`handoff`]), when it ran and produced findings.
    /// A handoff that does not parse is a bug in stage `n`: logged, and treated as absent.
    pub fn handoff<T: serde::de::DeserializeOwned>(&self, n: u8) -> Option<T> {
        let value = self.outputs.get(&n)?.get(handoff::KEY)?;
        serde_json::from_value(value.clone())
            .inspect_err(|e| tracing::error!(stage = n, error = %e, "unreadable handoff"))
            .ok()
    }

    /// The quarter under review as an instant range: its first second to its last.
    pub fn review_window(&self) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
        let from = self.review_start.and_time(chrono::NaiveTime::MIN).and_utc();
        let to = (self.quarter_start.and_time(chrono::NaiveTime::MIN)
            - chrono::Duration::seconds(1))
        .and_utc();
        (from, to)
    }
}

#[derive(Debug)]
pub struct StageOutput {
    pub result: StageResult,
    /// Files the post attaches (charts, calendars, documents).
    pub files: Vec<OutputFile>,
    /// Stored as the stage's versioned output; later stages read it.
    pub findings: serde_json::Value,
    pub plan: Option<PlanDoc>,
}

impl StageOutput {
    /// A stage that produced findings: its post and its findings JSON.
    pub fn available(message: Message, findings: serde_json::Value) -> Self {
        Self {
            result: StageResult::findings(true, message),
            findings,
            plan: None,
            files: Vec::new(),
        }
    }

    pub fn with_files(mut self, files: Vec<OutputFile>) -> Self {
        self.files = files;
        self
    }
}

/// A file the post attaches: a PNG chart, an ICS calendar, the plan's HTML.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// File name as people see it (`roas-by-channel.png`).
    pub name: String,
    /// MIME type (`image/png`).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(name: impl Into<String>, content_type: &str, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            content_type: content_type.to_owned(),
            bytes,
        }
    }

    pub fn png(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self::new(name, "image/png", bytes)
    }
}

/// Findings JSON schema version, stored inside every output.
pub const FINDINGS_SCHEMA: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The team's data is wrong in a way they can fix.
    #[error(transparent)]
    Input(#[from] crate::sources::InputError),
    #[error("{file}: {message}")]
    BadFile { file: String, message: String },
    #[error("stage {0} is not computed by Quarterdeck")]
    NotComputed(u8),
}

/// The analysis stage `n` runs, as named in the planning process (from the registry).
pub fn analysis_name(n: u8) -> &'static str {
    StageId::from_number(n).map_or("none", |id| id.spec().analysis)
}

/// `Stage n · Name`, from the registry.
pub fn stage_title(n: u8) -> String {
    StageId::from_number(n).map_or_else(|| format!("Stage {n}"), StageId::title)
}

/// Input files stage `n` reads (from the registry).
pub fn inputs_of(n: u8) -> &'static [&'static str] {
    StageId::from_number(n).map_or(&[], StageId::inputs)
}

/// Reads every input file the built stages use, so a bad data folder is reported
/// before a run starts (the live bot reports the same errors when a stage runs).
pub fn check_data(data: &DataSet, quarter_start: NaiveDate) -> Result<(), StageError> {
    kickoff::read_roster(data, quarter_start)?;
    if let (Some(tp), Some(cv)) = (
        data.table("touchpoints.csv")?,
        data.table("conversions.csv")?,
    ) {
        crate::sources::read_journeys(&tp, &cv, None)?;
    }
    crate::sources::read_leads_and_deals(data)?;
    if let Some(t) = data.table("content.csv")? {
        crate::sources::read_content(&t)?;
    }
    if let Some(t) = data.table("keywords.csv")? {
        crate::sources::read_keywords(&t)?;
    }
    plan::read_objectives(data)?;
    Ok(())
}

/// Computes stage `n`, with the run's amendments applied to what it reads.
pub fn compute(n: u8, inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let amended = amendments::amend_inputs(inputs)?;
    let inputs = amended.as_ref().unwrap_or(inputs);
    let mut out = compute_stage(n, inputs)?;
    data_notes::attach(n, inputs, &mut out);
    refresh::attach(n, inputs, &mut out);
    if let StageOutputKind::Plan { figures, .. } = &mut out.result.output {
        *figures = amendments::plan_figures(inputs);
    }
    Ok(out)
}

fn compute_stage(n: u8, inputs: &StageInputs) -> Result<StageOutput, StageError> {
    match StageId::from_number(n) {
        Some(StageId::PerformanceReview) => performance::compute(inputs),
        Some(StageId::FunnelHealth) => funnel_health::compute(inputs),
        Some(StageId::ContentSeo) => content_review::compute(inputs),
        Some(StageId::LeadScoring) => lead_scoring::compute(inputs),
        Some(StageId::Market) => market::compute(inputs),
        Some(StageId::Budget) => budget::compute(inputs),
        Some(StageId::Goals) => goals::compute(inputs),
        Some(StageId::Calendar) => calendar::compute(inputs),
        Some(StageId::ContentPlan) => content_plan::compute(inputs),
        Some(StageId::PlanDocument) => plan::compute(inputs),
        Some(StageId::Kickoff) => kickoff::compute(inputs),
        Some(StageId::Approval) | None => Err(StageError::NotComputed(n)),
    }
}
