//! The simulation's output files: `summary.json` (keys fixed by the contract), the
//! approved plan as `plan/plan.md` and `plan/plan.html` with its charts, and
//! `transcript.md`. Each file
//! is written to a temporary name and renamed, so a kill never leaves half a file.

use std::path::Path;

use chrono::SecondsFormat;
use serde::Serialize;

use super::SimulateError;
use crate::domain::StageId;
use crate::domain::{Amendment, QuarterRun, RunStatus};
use crate::engine::{EngineError, PlanContext, SuccessCriteria, pacing, success_criteria};
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
    /// One entry per check-in week: the quarter to date against the approved plan.
    pub pacing: Vec<PaceSummary>,
    pub success_criteria: SuccessCriteria,
    pub posts: usize,
}

#[derive(Debug, Serialize)]
pub struct PaceSummary {
    pub week: u32,
    pub date: String,
    pub spend_to_date: f64,
    pub planned_spend_to_date: f64,
    pub mqls_to_date: f64,
    pub mql_milestone_to_date: f64,
    pub pipeline_to_date: f64,
    pub pipeline_milestone_to_date: f64,
    /// The week by channel; the channels add up to `spend_to_date` and
    /// `planned_spend_to_date`.
    pub channels: Vec<crate::domain::pacing::ChannelPace>,
}

/// An amendment as the contract writes it: `{"kind", "by", "group", ...fields}`.
#[derive(Debug, Serialize)]
pub struct AmendmentSummary {
    #[serde(flatten)]
    pub kind: crate::domain::AmendmentKind,
    pub by: String,
    pub group: String,
    pub on_version: u32,
    pub at: String,
}

impl AmendmentSummary {
    fn of(a: &Amendment) -> Self {
        Self {
            kind: a.kind.clone(),
            by: a.by.name.clone(),
            group: a.group.clone(),
            on_version: a.on_version,
            at: ts(a.at),
        }
    }
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
    /// The allocation this version's plan states, by channel.
    pub budget_by_channel: std::collections::BTreeMap<String, f64>,
    pub reserve: Option<f64>,
    /// The structured changes applied to make this version (`[]` for v1).
    pub amendments: Vec<AmendmentSummary>,
    /// The digest of the version's figures (equal digests: a cosmetic change).
    pub figures_digest: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend_to_date: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leads: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mqls: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blockers: Option<Vec<String>>,
}

fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Summary {
    pub fn of(run: &QuarterRun, ctx: &PlanContext, posts: usize) -> Self {
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
                    budget_by_channel: p
                        .figures
                        .as_ref()
                        .map(|f| f.budget_by_channel.clone())
                        .unwrap_or_default(),
                    reserve: p.figures.as_ref().map(|f| f.reserve),
                    amendments: p.amendments.iter().map(AmendmentSummary::of).collect(),
                    figures_digest: p.figures.as_ref().map(|f| f.digest.clone()),
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
                        spend_to_date: e.numbers.as_ref().map(|n| n.spend_to_date),
                        leads: e.numbers.as_ref().map(|n| n.leads),
                        mqls: e.numbers.as_ref().map(|n| n.mqls),
                        pipeline: e.numbers.as_ref().map(|n| n.pipeline),
                        blockers: e.numbers.as_ref().map(|n| n.blockers.clone()),
                    })
                })
                .collect(),
            pacing: pacing(run, ctx)
                .into_iter()
                .map(|p| PaceSummary {
                    week: p.week,
                    date: p.date.to_string(),
                    spend_to_date: p.spend_to_date,
                    planned_spend_to_date: p.planned_spend_to_date,
                    mqls_to_date: p.mqls_to_date,
                    mql_milestone_to_date: p.mql_milestone_to_date,
                    pipeline_to_date: p.pipeline_to_date,
                    pipeline_milestone_to_date: p.pipeline_milestone_to_date,
                    channels: p.by_channel(),
                })
                .collect(),
            success_criteria: success_criteria(run, ctx, ctx.end_of_quarter()),
            posts,
        }
    }
}

pub async fn write_all(
    store: &Store,
    ctx: &PlanContext,
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
    let summary = Summary::of(&run, ctx, entries.len());
    let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    write_atomic(&out.join("summary.json"), &json)?;
    if run.status == RunStatus::Completed {
        crate::actuals::write(&run, &out.join("actuals")).map_err(|e| match e {
            crate::actuals::ActualsError::Io { path, source } => SimulateError::Io { path, source },
            other => SimulateError::Input(other.to_string()),
        })?;
    }
    Ok(())
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
