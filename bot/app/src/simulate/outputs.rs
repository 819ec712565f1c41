//! The simulation's output files: `summary.json` (keys fixed by the contract), the
//! approved plan as `plan/plan.md` and `plan/plan.html` with its charts, and
//! `transcript.md`. Each file
//! is written to a temporary name and renamed, so a kill never leaves half a file.

use std::path::Path;

use chrono::SecondsFormat;
use serde::Serialize;

use super::SimulateError;
use crate::domain::QuarterRun;
use crate::domain::StageId;
use crate::engine::EngineError;
use crate::store::Store;
use crate::transcript::{attachments_dir, read_entries, render_markdown};

#[derive(Debug, Serialize)]
pub struct Summary {
    pub run_id: String,
    pub quarter: String,
    pub status: String,
    pub stages: Vec<StageSummary>,
    pub plan_versions: Vec<PlanSummary>,
    pub approved_version: Option<u32>,
    pub approvals: Vec<ApprovalSummary>,
    pub checkins: Vec<CheckinSummary>,
    pub posts: usize,
}

#[derive(Debug, Serialize)]
pub struct StageSummary {
    pub number: u8,
    pub name: String,
    pub status: String,
    pub available: bool,
    pub due_at: String,
    pub completed_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PlanSummary {
    pub version: u32,
    pub hash: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ApprovalSummary {
    pub group: String,
    pub actor: String,
    pub decision: String,
    pub version: u32,
    pub at: String,
}

#[derive(Debug, Serialize)]
pub struct CheckinSummary {
    pub week: u32,
    pub campaign: String,
    pub owner: String,
    pub status: String,
    pub late: bool,
}

fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Summary {
    pub fn of(run: &QuarterRun, posts: usize) -> Self {
        Self {
            run_id: run.id.clone(),
            quarter: run.quarter.clone(),
            status: run.status.as_str().to_owned(),
            stages: run
                .stages
                .iter()
                .map(|s| StageSummary {
                    number: s.number,
                    name: StageId::from_number(s.number)
                        .map_or("?", StageId::name)
                        .to_owned(),
                    status: s.status.as_str().to_owned(),
                    available: s.available,
                    due_at: ts(s.due_at),
                    completed_at: s.completed_at.map(ts),
                })
                .collect(),
            plan_versions: run
                .plan_versions
                .iter()
                .map(|p| PlanSummary {
                    version: p.version,
                    hash: p.hash.clone(),
                    reason: p.reason.clone(),
                })
                .collect(),
            approved_version: run.approved_version,
            approvals: run
                .approvals
                .iter()
                .map(|a| ApprovalSummary {
                    group: a.group.clone(),
                    actor: a.actor.name.clone(),
                    decision: a.verdict.as_str().to_owned(),
                    version: a.version,
                    at: ts(a.at),
                })
                .collect(),
            checkins: run
                .checkins
                .iter()
                .flat_map(|w| {
                    w.entries.iter().map(move |e| CheckinSummary {
                        week: w.week,
                        campaign: e.campaign.clone(),
                        owner: e.owner.clone(),
                        status: e.status.as_str().to_owned(),
                        late: e.late,
                    })
                })
                .collect(),
            posts,
        }
    }
}

pub async fn write_all(
    store: &Store,
    run_id: &str,
    out: &Path,
    transcript: &Path,
) -> Result<(), SimulateError> {
    let run = store
        .load_run(run_id)
        .await?
        .ok_or_else(|| EngineError::UnknownRun(run_id.to_owned()))?
        .run;
    let entries = read_entries(transcript).map_err(|source| SimulateError::Io {
        path: transcript.to_owned(),
        source,
    })?;
    let approved = match run.approved_version {
        Some(v) => store.plan_doc(run_id, i64::from(v)).await?,
        None => None,
    };
    if let Some(doc) = approved {
        {
            let dir = out.join("plan");
            std::fs::create_dir_all(&dir).map_err(|source| SimulateError::Io {
                path: dir.clone(),
                source,
            })?;
            write_atomic(&dir.join("plan.md"), doc.markdown.as_bytes())?;
            write_atomic(&dir.join("plan.html"), doc.html.as_bytes())?;
            // The markdown names its charts by file: copy them from the post that
            // delivered this version.
            let html = format!("plan-v{}.html", doc.version);
            let folder = transcript.parent().unwrap_or(Path::new("."));
            if let Some(post) = entries.iter().find(|e| e.attachments.contains(&html)) {
                for name in post.attachments.iter().filter(|n| n.ends_with(".png")) {
                    let from = folder.join(attachments_dir(&post.key)).join(name);
                    let bytes = std::fs::read(&from).map_err(|source| SimulateError::Io {
                        path: from.clone(),
                        source,
                    })?;
                    write_atomic(&dir.join(name), &bytes)?;
                }
                // The version's figures, with the time its approval completed.
                let json = format!("plan-v{}.json", doc.version);
                if post.attachments.contains(&json) {
                    let from = folder.join(attachments_dir(&post.key)).join(&json);
                    let bytes = std::fs::read(&from).map_err(|source| SimulateError::Io {
                        path: from.clone(),
                        source,
                    })?;
                    let mut figures: serde_json::Value =
                        serde_json::from_slice(&bytes).map_err(|e| SimulateError::Io {
                            path: from.clone(),
                            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                        })?;
                    figures["approved_at"] = approved_at(&run)
                        .map_or(serde_json::Value::Null, |t| {
                            serde_json::Value::String(ts(t))
                        });
                    let text = serde_json::to_vec_pretty(&figures).unwrap_or_default();
                    write_atomic(&dir.join("plan.json"), &text)?;
                }
            }
        }
    }
    let md = render_markdown(&format!("Quarterdeck transcript · {run_id}"), &entries);
    write_atomic(&out.join("transcript.md"), md.as_bytes())?;
    let summary = Summary::of(&run, entries.len());
    let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    write_atomic(&out.join("summary.json"), &json)
}

/// When the approved version got its last approval: the moment every group had approved.
fn approved_at(run: &QuarterRun) -> Option<chrono::DateTime<chrono::Utc>> {
    let version = run.approved_version?;
    run.approvals
        .iter()
        .filter(|a| a.version == version && a.verdict.as_str() == "approve")
        .map(|a| a.at)
        .max()
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SimulateError> {
    let tmp = path.with_extension("tmp");
    let err = |source| SimulateError::Io {
        path: path.to_owned(),
        source,
    };
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(|source| SimulateError::Io {
        path: path.to_owned(),
        source,
    })
}
