//! Whether each stage can run on the data found: ready, degraded (what it will skip or
//! what its figures carry) or blocked (what is missing or unreadable).

use serde::{Deserialize, Serialize};

use super::FileReport;
use crate::domain::StageId;
use crate::sources::DataSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ready,
    Degraded,
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Degraded => "degraded",
            Self::Blocked => "blocked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReadiness {
    pub number: u8,
    pub status: Status,
    pub reason: String,
}

/// Problems that stop a reader (the stage cannot use the file at all).
const BLOCKING: [&str; 6] = [
    "unreadable",
    "missing_column",
    "blank_required",
    "unparseable",
    "ambiguous_dates",
    "invalid",
];

/// What a stage needs: every group must have one of its alternatives (each a set of
/// files that go together), else the stage is blocked; files outside the groups only
/// degrade it when absent.
fn needs(stage: StageId) -> &'static [&'static [&'static [&'static str]]] {
    match stage {
        StageId::PerformanceReview => &[&[&["paths.csv"], &["touchpoints.csv", "conversions.csv"]]],
        StageId::FunnelHealth | StageId::LeadScoring => &[&[&["leads.csv"]]],
        StageId::ContentSeo => &[&[&["content.csv"], &["keywords.csv"]]],
        StageId::Market => &[&[&["competitors.csv"], &["trends.csv"], &["benchmarks.csv"]]],
        StageId::Budget => &[&[&["weekly_media.csv", "weekly_revenue.csv"]]],
        _ => &[],
    }
}

pub fn assess(data: &DataSet, files: &[FileReport]) -> Vec<StageReadiness> {
    let report = |f: &str| files.iter().find(|r| r.file == f);
    let blocking = |f: &str| {
        report(f).and_then(|r| {
            r.problems
                .iter()
                .find(|p| BLOCKING.contains(&p.kind.as_str()))
                .map(|p| format!("{f}: {}", p.detail))
        })
    };
    let usable = |f: &str| data.has(f) && blocking(f).is_none();
    StageId::ALL
        .iter()
        .map(|id| {
            let mut inputs: Vec<&str> = id.inputs().to_vec();
            if inputs.contains(&"leads.csv") && !inputs.contains(&"deals.csv") {
                inputs.push("deals.csv");
            }
            let mut blocked = Vec::new();
            for group in needs(*id) {
                if !group.iter().any(|alt| alt.iter().all(|f| usable(f))) {
                    let wanted = group
                        .iter()
                        .map(|alt| alt.join(" + "))
                        .collect::<Vec<_>>()
                        .join(" or ");
                    let why: Vec<String> = group
                        .iter()
                        .flat_map(|alt| alt.iter())
                        .filter_map(|f| blocking(f))
                        .collect();
                    blocked.push(if why.is_empty() {
                        format!("needs {wanted}, not in the data")
                    } else {
                        format!("needs {wanted}; {}", why.join("; "))
                    });
                }
            }
            if !blocked.is_empty() {
                return StageReadiness {
                    number: id.number(),
                    status: Status::Blocked,
                    reason: blocked.join("; "),
                };
            }
            let mut degraded = Vec::new();
            let missing: Vec<&str> = inputs
                .iter()
                .copied()
                .filter(|f| !data.has(f) && *f != "deals.csv")
                .collect();
            if !missing.is_empty() {
                degraded.push(format!("without {}", missing.join(", ")));
            }
            for f in inputs.iter().filter(|f| data.has(f)) {
                if let Some(why) = blocking(f) {
                    degraded.push(format!("cannot use {why}"));
                } else if let Some(r) = report(f)
                    && !r.problems.is_empty()
                {
                    let mut kinds: Vec<&str> = r.problems.iter().map(|p| p.kind.as_str()).collect();
                    kinds.dedup();
                    degraded.push(format!("{f} has {}", kinds.join(", ")));
                }
            }
            if degraded.is_empty() {
                StageReadiness {
                    number: id.number(),
                    status: Status::Ready,
                    reason: if inputs.is_empty() {
                        "reads earlier stages' findings only".into()
                    } else {
                        format!(
                            "reads {}",
                            inputs
                                .iter()
                                .filter(|f| data.has(f))
                                .copied()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                }
            } else {
                StageReadiness {
                    number: id.number(),
                    status: Status::Degraded,
                    reason: degraded.join("; "),
                }
            }
        })
        .collect()
}
