//! Stage 10: the quarterly plan document in its nine sections, assembled from the
//! findings of stages 1-9. A section whose stage produced no findings says so and names
//! the missing analysis; nothing is filled in by guesswork. Figures taken straight from
//! the team's data (the objectives file) are quoted with their source. Each version
//! records the change requests it answers; its hash is the SHA-256 of its markdown.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, StageResult, analysis_name, stage_title,
};
use crate::chat::{Message, Table};
use crate::report::{Document, Section, money};
use crate::sources::{DataSet, Objectives};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDoc {
    pub markdown: String,
    pub html: String,
    pub hash: String,
}

/// The nine sections and the stages each draws on.
const SECTIONS: [(&str, &[u8]); 9] = [
    ("Executive summary", &[]),
    ("Prior-quarter review", &[1, 2, 3, 4]),
    ("Market landscape", &[5]),
    (
        "Strategy for the quarter: channels, content, lead generation",
        &[6, 9, 4],
    ),
    ("Budget allocation", &[6]),
    ("Campaign calendar and testing roadmap", &[8]),
    ("Goals and metrics", &[7]),
    ("Resource plan", &[8, 9]),
    ("Risks and mitigation", &[]),
];

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let doc = build(inputs)?;
    let plan = render_plan(&doc);
    let version = inputs.run.plan_versions.len() + 1;
    let missing: Vec<u8> = (1..=9).filter(|n| !available(inputs, *n)).collect();
    let message = Message::new(
        format!("{} — plan v{version} drafted", stage_title(10)),
        format!(
            "The quarterly plan v{version} is written: nine sections, hash `{}`. {} of 9 planning stages \
             contributed findings{}.",
            &plan.hash[..12],
            9 - missing.len(),
            if missing.is_empty() {
                String::new()
            } else {
                format!("; sections relying on stages {} are marked as missing", list(&missing))
            }
        ),
    )
    .field("Version", format!("v{version}"))
    .field("Sections", "9");
    Ok(StageOutput {
        files: Vec::new(),
        result: StageResult {
            available: true,
            message,
            plan_hash: Some(plan.hash.clone()),
            roster: None,
        },
        findings: json!({
            "schema": FINDINGS_SCHEMA, "stage": 10, "version": version, "hash": plan.hash,
            "missing_stages": missing, "headline": format!("plan v{version}"),
        }),
        plan: Some(plan),
    })
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn list(ns: &[u8]) -> String {
    ns.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
}

fn available(inputs: &StageInputs, n: u8) -> bool {
    inputs
        .outputs
        .get(&n)
        .and_then(|f| f.get("available"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// One line per stage: its headline, or why it has none.
fn stage_line(inputs: &StageInputs, n: u8) -> String {
    let f = inputs.outputs.get(&n);
    match f {
        Some(f) if available(inputs, n) => format!(
            "**{}**: {}",
            stage_title(n),
            f.get("headline")
                .and_then(Value::as_str)
                .unwrap_or("findings recorded")
        ),
        _ => format!(
            "**{}**: not available — its analysis ({}) is not built yet, so this plan contains no figures from it.",
            stage_title(n),
            analysis_name(n)
        ),
    }
}

fn build(inputs: &StageInputs) -> Result<Document, StageError> {
    let run = &inputs.run;
    let version = run.plan_versions.len() + 1;
    let objectives = Objectives::read(&inputs.data)?;
    let mut sections = Vec::with_capacity(9);
    for (i, (title, stages)) in SECTIONS.iter().enumerate() {
        let mut s = Section::new(*title);
        match i {
            0 => {
                let ready = (1..=9).filter(|n| available(inputs, *n)).count();
                s = s.para(format!(
                    "This is plan v{version} for team **{}**, quarter **{}**. {ready} of the nine analysis stages \
                     produced findings; every figure below traces to the team's data files or to one of those stages.",
                    run.team, run.quarter
                ));
                if let Some(o) = &objectives {
                    s = s.para(objectives_summary(o));
                }
            }
            4 => {
                if let Some(t) = objectives.as_ref().and_then(budget_table) {
                    s = s.table(t);
                }
                for n in *stages {
                    s = s.para(stage_line(inputs, *n));
                }
            }
            8 => {
                let gaps: Vec<String> = (1..=9)
                    .filter(|n| !available(inputs, *n))
                    .map(|n| format!("**Data gap — {}**: no findings; decisions that depend on it rest on judgement. Mitigation: build or supply its analysis ({}) before the next review.", stage_title(n), analysis_name(n)))
                    .collect();
                s = s.bullets(gaps);
            }
            _ => {
                for n in *stages {
                    s = s.para(stage_line(inputs, *n));
                }
            }
        }
        sections.push(s);
    }
    let mut changes = Section::new("Changes in this version");
    if run.pending_changes.is_empty() {
        changes = changes.para(if version == 1 {
            "First draft."
        } else {
            "Re-drafted after inputs were re-run."
        });
    } else {
        changes = changes
            .para("Change requests answered by this version (recorded verbatim; owners act on them in the sections named):")
            .bullets(run.pending_changes.clone());
    }
    sections.push(changes);
    let mut meta = vec![
        format!("Version {version}"),
        format!("Team {} · {}", run.team, run.quarter),
    ];
    for p in &run.plan_versions {
        meta.push(format!(
            "Supersedes v{} (`{}`, {})",
            p.version,
            &p.hash[..12.min(p.hash.len())],
            p.reason
        ));
    }
    Ok(Document {
        title: format!("Quarterly marketing plan · {}", run.quarter),
        meta,
        sections,
        ..Document::default()
    })
}

/// Checks `objectives.toml` (when present) without building a plan.
pub fn read_objectives(data: &DataSet) -> Result<(), StageError> {
    Objectives::read(data).map(|_| ()).map_err(StageError::from)
}

fn objectives_summary(o: &Objectives) -> String {
    let mut parts = Vec::new();
    if let Some((b, _)) = o.budget(None) {
        parts.push(format!("budget {}", money(b)));
    }
    if let Some(r) = o.revenue_target {
        parts.push(format!("revenue {}", money(r)));
    }
    if let Some(p) = o.pipeline_target {
        parts.push(format!("pipeline {}", money(p)));
    }
    if let Some(m) = o.mql_target {
        parts.push(format!("{m:.0} MQLs"));
    }
    format!(
        "Objectives set by the team (objectives.toml): {}.",
        parts.join(", ")
    )
}

fn budget_table(o: &Objectives) -> Option<Table> {
    let (total, _) = o.budget(None)?;
    let reserve = total * o.reserve_share;
    Some(
        Table::new("Budget envelope (objectives.toml)", &["Item", "Amount"])
            .row(vec!["Total quarter budget".into(), money(total)])
            .row(vec![
                format!("Test reserve ({:.0}%)", o.reserve_share * 100.0),
                money(reserve),
            ])
            .row(vec![
                "Allocatable to channels".into(),
                money(total - reserve),
            ]),
    )
}
