//! Stage 10: the quarterly marketing plan, in the nine sections a marketing lead hands
//! to the CFO, plus supporting materials (channel plans, content calendar, testing
//! roadmap, method and sources). Every figure comes from a stage's typed handoff (see
//! `handoff`) or from the team's `objectives.toml`; a section whose stage produced no
//! findings says so and names the missing analysis: nothing is filled in by guesswork.
//!
//! Each version is rendered to markdown (its SHA-256 is the version's hash) and to one
//! self-contained HTML file with the charts embedded; from v2 on the post carries a
//! readable diff against the version before. The rendered files are attached to the
//! stage's post, so the chat, the transcript and the store hold the same bytes.

mod appendices;
mod figures;
pub mod invariants;
pub mod ledger;
mod post;
mod risks;
mod sections;
mod stated;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::handoff::{
    BudgetHandoff, CalendarHandoff, ContentHandoff, ContentPlanHandoff, FunnelHandoff,
    GoalsHandoff, MarketHandoff, PerformanceHandoff, ScoringHandoff,
};
use super::{
    FINDINGS_SCHEMA, OutputFile, StageError, StageInputs, StageOutput, StageOutputKind,
    StageResult, analysis_name, stage_title,
};
use crate::report::{Block, Document, diff, money, whole};
use crate::sources::{DataSet, Objectives};

pub use risks::{Risk, Severity};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDoc {
    pub markdown: String,
    pub html: String,
    pub hash: String,
}

/// Everything the plan draws on: the stages' handoffs and the team's objectives.
pub(crate) struct Sources<'a> {
    pub inputs: &'a StageInputs,
    pub version: usize,
    pub objectives: Option<Objectives>,
    pub performance: Option<PerformanceHandoff>,
    pub funnel: Option<FunnelHandoff>,
    pub content: Option<ContentHandoff>,
    pub scoring: Option<ScoringHandoff>,
    pub market: Option<MarketHandoff>,
    pub budget: Option<BudgetHandoff>,
    pub goals: Option<GoalsHandoff>,
    pub calendar: Option<CalendarHandoff>,
    pub content_plan: Option<ContentPlanHandoff>,
}

/// The quarter's budget and its test reserve, with where the total comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Envelope {
    pub total: f64,
    pub reserve: f64,
    pub basis: String,
    /// Whether stage 6 split the rest over channels.
    pub allocated: bool,
}

/// A drafted version as its post announces it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Drafted {
    pub version: usize,
    /// SHA-256 of the version's markdown, hex.
    pub hash: String,
    pub summary: Summary,
    /// Stages 1–9 without findings.
    pub missing_stages: Vec<u8>,
    pub risks: Vec<Risk>,
    /// Against the version before, from the second version on.
    pub change: Option<Change>,
}

/// The key figures of a version: the budget, the revenue target and the calendar.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    pub budget: Option<SummaryBudget>,
    /// `objectives.toml`'s revenue target.
    pub revenue_target: Option<f64>,
    /// Stage 8's campaigns and funded tests.
    pub calendar: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SummaryBudget {
    /// Stage 6 split the total over channels.
    Allocated {
        total: f64,
        reserve: f64,
        expected_revenue: f64,
    },
    /// Only `objectives.toml`'s total (see [`Sources::envelope`]).
    Stated { total: f64 },
}

/// What changed since the version before, by the document's diff.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    pub from_version: u64,
    pub added: usize,
    pub removed: usize,
    /// Titles of the sections with a changed line, in order.
    pub sections: Vec<String>,
}

impl Summary {
    fn of(s: &Sources) -> Self {
        let budget = match &s.budget {
            Some(b) => Some(SummaryBudget::Allocated {
                total: b.total,
                reserve: b.reserve,
                expected_revenue: b.expected_revenue,
            }),
            None => s
                .envelope()
                .map(|e| SummaryBudget::Stated { total: e.total }),
        };
        Self {
            budget,
            revenue_target: s.objectives.as_ref().and_then(|o| o.revenue_target),
            calendar: s.calendar.as_ref().map(|c| {
                (
                    c.campaigns.len(),
                    c.tests.iter().filter(|t| t.funded).count(),
                )
            }),
        }
    }
}

impl<'a> Sources<'a> {
    fn gather(inputs: &'a StageInputs) -> Result<Self, StageError> {
        Ok(Self {
            inputs,
            version: inputs.run.plan_versions.len() + 1,
            objectives: Objectives::read(&inputs.data)?,
            performance: inputs.handoff(1),
            funnel: inputs.handoff(2),
            content: inputs.handoff(3),
            scoring: inputs.handoff(4),
            market: inputs.handoff(5),
            budget: inputs.handoff(6),
            goals: inputs.handoff(7),
            calendar: inputs.handoff(8),
            content_plan: inputs.handoff(9),
        })
    }

    /// Whether stage `n` ran and produced findings.
    pub fn available(&self, n: u8) -> bool {
        self.inputs
            .outputs
            .get(&n)
            .and_then(|f| f.get("available"))
            .and_then(Value::as_bool)
            == Some(true)
    }

    /// Stage `n`'s one-line headline, when it has findings.
    pub fn headline(&self, n: u8) -> Option<&str> {
        if !self.available(n) {
            return None;
        }
        self.inputs.outputs.get(&n)?.get("headline")?.as_str()
    }

    /// The sentence a section shows in place of stage `n`'s findings when it has none.
    pub fn missing(&self, n: u8) -> String {
        let why = self
            .inputs
            .outputs
            .get(&n)
            .and_then(|f| f.get("reason"))
            .and_then(Value::as_str)
            .map_or_else(
                || format!("its analysis ({}) has not run", analysis_name(n)),
                str::to_owned,
            );
        format!(
            "**{}**: no findings — {why}; this plan contains no figures from it.",
            stage_title(n)
        )
    }

    /// The quarter's budget envelope, computed once and quoted by the summary, §5 and
    /// `plan-vN.json`: stage 6's total and reserve, else `objectives.toml`'s total with
    /// its reserve share (then nothing is allocated to channels yet).
    pub fn envelope(&self) -> Option<Envelope> {
        if let Some(b) = &self.budget {
            return Some(Envelope {
                total: b.total,
                reserve: b.reserve,
                basis: b.total_basis.clone(),
                allocated: true,
            });
        }
        let o = self.objectives.as_ref()?;
        let (total, basis) = o.budget(None)?;
        Some(Envelope {
            total: ledger::cents(total),
            reserve: ledger::cents(total * o.reserve_share),
            basis,
            allocated: false,
        })
    }

    /// Stage `n`'s headline, or why there is none.
    pub fn line(&self, n: u8) -> String {
        match self.headline(n) {
            Some(h) => format!("**{}**: {h}", stage_title(n)),
            None => self.missing(n),
        }
    }
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let sources = Sources::gather(inputs)?;
    let version = sources.version;
    let mut figures = ledger::gather(&sources);
    let violations = invariants::check(&figures);
    if !violations.is_empty() {
        return Ok(blocked(&sources, &figures, &violations));
    }
    let risks = risks::assess(&sources);
    let doc = build(&sources, &risks);
    let plan = render_plan(&doc);
    let contradictions = invariants::stated_once(&plan.markdown);
    if !contradictions.is_empty() {
        return Ok(blocked(&sources, &figures, &contradictions));
    }
    let previous = inputs
        .outputs
        .get(&10)
        .and_then(|f| Some((f.get("version")?.as_u64()?, f.get("markdown")?.as_str()?)));
    let change = previous.map(|(v, md)| {
        diff::diff(
            &format!("plan-v{v}.md"),
            md,
            &format!("plan-v{version}.md"),
            &plan.markdown,
        )
    });
    let missing: Vec<u8> = (1..=9).filter(|n| !sources.available(*n)).collect();
    let drafted = Drafted {
        version,
        hash: plan.hash.clone(),
        summary: Summary::of(&sources),
        missing_stages: missing.clone(),
        risks: risks.clone(),
        change: change.as_ref().zip(previous).map(|(d, (v, _))| Change {
            from_version: v,
            added: d.added,
            removed: d.removed,
            sections: d.sections.clone(),
        }),
    };
    let (message, headline) = post::drafted(&drafted);
    let mut files: Vec<OutputFile> = doc
        .figures()
        .map(|f| OutputFile::png(f.file.clone(), f.png.clone()))
        .collect();
    files.push(OutputFile::new(
        format!("plan-v{version}.html"),
        "text/html",
        plan.html.clone().into_bytes(),
    ));
    files.push(OutputFile::new(
        format!("plan-v{version}.md"),
        "text/markdown",
        plan.markdown.clone().into_bytes(),
    ));
    figures.hash = plan.hash.clone();
    files.push(OutputFile::new(
        format!("plan-v{version}.json"),
        "application/json",
        serde_json::to_vec_pretty(&figures).unwrap_or_default(),
    ));
    if let (Some(d), Some((v, _))) = (&change, previous) {
        files.push(OutputFile::new(
            format!("plan-v{v}-to-v{version}.diff"),
            "text/x-diff",
            d.text.clone().into_bytes(),
        ));
    }
    Ok(StageOutput {
        files,
        result: StageResult {
            available: true,
            message,
            output: StageOutputKind::Plan {
                hash: plan.hash.clone(),
                figures: None,
            },
        },
        findings: json!({
            "schema": FINDINGS_SCHEMA, "stage": 10, "available": true, "version": version,
            "hash": plan.hash, "missing_stages": missing,
            "headline": headline,
            "risks": risks,
            "figures": figures,
            "changed_sections": change.as_ref().map(|d| &d.sections),
            // The next version diffs against this text.
            "markdown": plan.markdown,
        }),
        plan: Some(plan),
    })
}

/// The output when the plan's figures break an invariant: no version is drafted.
fn blocked(
    s: &Sources,
    figures: &ledger::PlanFigures,
    violations: &[invariants::Violation],
) -> StageOutput {
    let version = s.version;
    let (message, reason) = post::blocked(version, violations);
    StageOutput {
        files: Vec::new(),
        result: StageResult::findings(false, message),
        findings: json!({
            "schema": FINDINGS_SCHEMA, "stage": 10, "available": false, "version": version,
            "reason": reason, "violations": violations, "figures": figures,
        }),
        plan: None,
    }
}

pub fn render_plan(doc: &Document) -> PlanDoc {
    let markdown = doc.to_markdown();
    let hash = hex(&Sha256::digest(markdown.as_bytes()));
    PlanDoc {
        html: doc.to_html(),
        markdown,
        hash,
    }
}

/// Checks `objectives.toml` (when present) without building a plan.
pub fn read_objectives(data: &DataSet) -> Result<(), StageError> {
    Objectives::read(data).map(|_| ()).map_err(StageError::from)
}

fn build(s: &Sources, risks: &[Risk]) -> Document {
    let run = &s.inputs.run;
    let version = s.version;
    let mut meta = vec![
        format!("Version {version}"),
        format!("Team {} · quarter {}", run.team, run.quarter),
        format!(
            "Reviews {} ({} to {})",
            s.inputs.review_label(),
            s.inputs.review_start,
            s.inputs
                .quarter_start
                .pred_opt()
                .unwrap_or(s.inputs.quarter_start)
        ),
    ];
    meta.extend(data_through(s));
    for p in &run.plan_versions {
        meta.push(format!(
            "Supersedes v{} (`{}`, {})",
            p.version,
            &p.hash[..12.min(p.hash.len())],
            p.reason
        ));
    }
    let changes = if run.pending_changes.is_empty() {
        Block::Para(if version == 1 {
            "**This version:** first draft, for approval by marketing, sales, finance and executive leadership.".into()
        } else {
            "**This version:** re-drafted after inputs were re-run.".into()
        })
    } else {
        // What the budget and calendar stages did with each request, as they said it.
        let applied = [6u8, 8].into_iter().flat_map(|n| {
            s.inputs
                .outputs
                .get(&n)
                .and_then(|f| f[crate::stages::amendments::APPLIED].as_array())
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str())
                .map(|l| format!("**Applied:** {l}"))
        });
        Block::Bullets(
            run.pending_changes
                .iter()
                .map(|c| format!("**Change requested:** {c}"))
                .chain(applied)
                .collect(),
        )
    };
    let mut preface = vec![changes];
    preface.extend(refreshed(s));
    Document {
        title: format!("Quarterly marketing plan · {}", run.quarter),
        meta,
        preface,
        sections: sections::all(s, risks),
        appendices: appendices::all(s),
    }
}

/// The date the review stages' data runs to, from their findings: one line when they
/// agree, else one per stage.
fn data_through(s: &Sources) -> Vec<String> {
    let day = |d: chrono::NaiveDate| d.format("%-d %b %Y").to_string();
    let dates: Vec<(u8, chrono::NaiveDate)> = (1..=5)
        .filter_map(|n| {
            let t = super::data_notes::through_of(s.inputs.outputs.get(&n)?)?;
            Some((n, t.through))
        })
        .collect();
    match dates.as_slice() {
        [] => Vec::new(),
        [(_, first), ..] if dates.iter().all(|(_, d)| d == first) => {
            vec![format!(
                "Data through {} (stages {})",
                day(*first),
                dates
                    .iter()
                    .map(|(n, _)| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )]
        }
        _ => dates
            .iter()
            .map(|(n, d)| format!("Stage {n}'s data through {}", day(*d)))
            .collect(),
    }
}

/// "Data refreshed after quarter close": the review stages re-run on the final exports
/// and the key figures that moved, from their findings.
fn refreshed(s: &Sources) -> Vec<Block> {
    let day = |d: chrono::NaiveDate| d.format("%-d %b %Y").to_string();
    let lines: Vec<String> = (1..=5)
        .filter_map(|n| {
            let r = super::refresh::of(s.inputs.outputs.get(&n)?)?;
            let moved = if r.moved.is_empty() {
                "no key figure moved".to_owned()
            } else {
                r.moved
                    .iter()
                    .map(super::refresh::Moved::line)
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            Some(format!(
                "**{}** re-ran on data through {} (was {}): {moved}.",
                stage_title(n),
                day(r.to),
                day(r.from)
            ))
        })
        .collect();
    if lines.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Para(
            "**Data refreshed after quarter close.** The review stages first ran on exports pulled before the quarter ended; the final exports re-ran them, and everything after them uses the final figures:".to_owned(),
        ),
        Block::Bullets(lines),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `12.3%`; rates under 10% keep two decimals (`3.75%`, a test's minimum detectable
/// effect), unlike [`crate::report::percent`].
pub(crate) fn pct(x: f64) -> String {
    if x.abs() < 0.1 {
        format!("{:.2}%", x * 100.0)
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

/// `+12%` / `−8%` change from `before` to `after`; `new` without a before.
pub(crate) fn change(before: f64, after: f64) -> String {
    if before <= 0.0 {
        return "new".into();
    }
    // Halves round away from zero, as people round (62.5% → 63%).
    let c = ((after / before - 1.0) * 100.0).round();
    if c == 0.0 {
        "±0%".into()
    } else if c > 0.0 {
        format!("+{c}%")
    } else {
        format!("−{}%", -c)
    }
}

#[cfg(test)]
mod one_source_tests;
#[cfg(test)]
mod tests;
