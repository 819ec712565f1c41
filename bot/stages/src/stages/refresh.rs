//! What moved when a stage re-ran on later data: the final exports arrive after the
//! quarter closes and re-run the stages that read the early ones. A stage whose
//! previous findings ran to an earlier date than its new ones records the dates and
//! its key figures before and after (`refreshed` in its findings), quoted from its own
//! handoff; the plan's "Data refreshed after quarter close" note lists them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::data_notes::{self, DataThrough};
use super::handoff::{self, FunnelHandoff, PerformanceHandoff, ScoringHandoff};
use super::{StageInputs, StageOutput};
use crate::report::{count, label, money, percent};

/// Findings key of the record (a [`Refresh`]).
pub const KEY: &str = "refreshed";

/// A stage re-run on later data: the dates and the key figures that moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refresh {
    pub stage: u8,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub moved: Vec<Moved>,
}

/// One key figure before and after, as the posts render it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub figure: String,
    pub before: String,
    pub after: String,
}

impl Moved {
    /// `Paid media spend from $90,000 to $100,000`: the two values are of different
    /// data-through dates, so neither is quoted bare after the figure's name.
    pub fn line(&self) -> String {
        format!("{} from {} to {}", self.figure, self.before, self.after)
    }
}

/// Stage `n`'s key figures in `findings`, by name, rendered through the one formatter.
pub fn key_figures(n: u8, findings: &serde_json::Value) -> Vec<(String, String)> {
    let handoff = |f: &serde_json::Value| f.get(handoff::KEY).cloned();
    let Some(h) = handoff(findings) else {
        return Vec::new();
    };
    match n {
        1 => serde_json::from_value::<PerformanceHandoff>(h).map_or_else(
            |_| Vec::new(),
            |p| {
                let spend: f64 = p.channels.iter().map(|c| c.spend).sum();
                let revenue: f64 = p.channels.iter().map(|c| c.attributed_revenue).sum();
                let mut v = vec![
                    ("Paid media spend".to_owned(), money(spend)),
                    (
                        "Attributed revenue, paid channels".to_owned(),
                        money(revenue),
                    ),
                ];
                if spend > 0.0 {
                    v.push((
                        "ROAS (attributed)".to_owned(),
                        format!("{:.2}", revenue / spend),
                    ));
                }
                v
            },
        ),
        2 => serde_json::from_value::<FunnelHandoff>(h).map_or_else(
            |_| Vec::new(),
            |f| {
                f.steps
                    .first()
                    .map(|s| vec![("Leads".to_owned(), count(s.entered as usize))])
                    .unwrap_or_default()
                    .into_iter()
                    .chain(f.steps.iter().map(|s| {
                        (
                            format!(
                                "{} → {}, mature rate (all leads)",
                                label(&s.from),
                                label(&s.to)
                            ),
                            percent(s.rate),
                        )
                    }))
                    .collect()
            },
        ),
        4 => serde_json::from_value::<ScoringHandoff>(h).map_or_else(
            |_| Vec::new(),
            |s| {
                vec![
                    (
                        "MQL → SQL, current score (the quarter's MQLs)".to_owned(),
                        percent(s.current_mql_to_sql),
                    ),
                    (
                        "Expected MQLs a month at the new threshold".to_owned(),
                        count(s.expected_mqls_per_month.round() as usize),
                    ),
                ]
            },
        ),
        _ => Vec::new(),
    }
}

/// Records what moved since stage `n`'s previous findings, when those ran to an earlier
/// date; a re-run on the same data keeps the record of the last refresh.
pub fn attach(n: u8, inputs: &StageInputs, out: &mut StageOutput) {
    let Some(previous) = inputs.outputs.get(&n) else {
        return;
    };
    let (Some(before), Some(after)) = (
        data_notes::through_of(previous),
        data_notes::through_of(&out.findings),
    ) else {
        return;
    };
    let record = if before.through < after.through {
        Some(compare(n, before, after, previous, &out.findings))
    } else {
        previous
            .get(KEY)
            .and_then(|v| serde_json::from_value::<Refresh>(v.clone()).ok())
            .filter(|r| r.to == after.through)
    };
    let Some(record) = record else {
        return;
    };
    if before.through < after.through {
        let moved: Vec<String> = record.moved.iter().map(Moved::line).collect();
        let body = &mut out.result.message.body;
        body.push_str(&format!(
            "\n\n**Re-run on the final exports** (data through {} instead of {})",
            after.through.format("%-d %b %Y"),
            before.through.format("%-d %b %Y")
        ));
        if !moved.is_empty() {
            body.push_str(": ");
            body.push_str(&moved.join("; "));
        }
        body.push('.');
    }
    if let Some(map) = out.findings.as_object_mut() {
        map.insert(
            KEY.to_owned(),
            serde_json::to_value(&record).unwrap_or_default(),
        );
    }
}

pub(super) fn compare(
    n: u8,
    before: DataThrough,
    after: DataThrough,
    previous: &serde_json::Value,
    now: &serde_json::Value,
) -> Refresh {
    let old = key_figures(n, previous);
    let moved = key_figures(n, now)
        .into_iter()
        .filter_map(|(figure, value)| {
            let (_, was) = old.iter().find(|(f, _)| *f == figure)?;
            (*was != value).then(|| Moved {
                figure,
                before: was.clone(),
                after: value,
            })
        })
        .collect();
    Refresh {
        stage: n,
        from: before.through,
        to: after.through,
        moved,
    }
}

/// Stage `n`'s refresh record, when it re-ran on later data.
pub fn of(findings: &serde_json::Value) -> Option<Refresh> {
    serde_json::from_value(findings.get(KEY)?.clone()).ok()
}
