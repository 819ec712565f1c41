//! Stage 4, lead quality and scoring: MQL volume and MQL → SQL by month and by source
//! (95% Wilson intervals, Holm-corrected differences against the other sources), how
//! well the current score ranks and is calibrated, sales' verdicts on the MQLs they
//! received, and a refitted score for next quarter in points with the MQL threshold that
//! meets the target, validated out of time. Reads leads.csv, sales_feedback.csv
//! (optional) and the `[scoring]` table and `mql_target` of objectives.toml (optional).
//!
//! Target of the threshold, first that applies: `[scoring] target_mql_per_month`,
//! `[scoring] target_mql_to_sql`, `mql_target / 3` (a quarter's MQLs a month), else the
//! present MQL volume (same volume, better MQLs).

mod chart;
mod feedback;
mod mqls;
mod post;
mod refit;

use quarterdeck_analyses::feedback as sales;
use quarterdeck_analyses::funnel::{self, Funnel, Lead};
use serde_json::json;

use super::handoff::{self, PointWeight, ScoringHandoff};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput};
use crate::sources::{Objectives, ScoringSettings};
use mqls::Mqls;
use refit::{Refit, Settings, Target};

/// Points that double the odds of SQL, unless `[scoring] points_to_double_odds` says.
const DEFAULT_PDO: f64 = 20.0;

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let Some(leads) = inputs.data.table("leads.csv")? else {
        return Ok(super::inventory::unavailable(
            4,
            inputs,
            "leads.csv is not in the data folder".into(),
        ));
    };
    let objectives = Objectives::read(&inputs.data)?;
    let settings = objectives
        .as_ref()
        .map(|o| o.scoring.clone())
        .unwrap_or_default();
    let (from, _) = inputs.review_window();
    // Maturity and the quarter's MQLs run to the day the data reaches.
    let covered = super::data_notes::covered(inputs);
    let to = covered.end();
    let data = match mqls::read(&leads, &settings, (from, to))? {
        Ok(d) => d,
        Err(reason) => return Ok(super::inventory::unavailable(4, inputs, reason)),
    };
    if data.features.is_empty() {
        return Ok(super::inventory::unavailable(
            4,
            inputs,
            "leads.csv has no numeric feature column to score leads with".into(),
        ));
    }
    let feedback = match inputs.data.table("sales_feedback.csv")? {
        Some(t) => Some(sales::synthesise(&feedback::read(&t, &data.sources)?)),
        None => None,
    };
    // Read before the quarter closed, the data covers part of it: volumes a month are a
    // run rate over the days covered (`days ÷ quarter days` of the quarter's months).
    let months = covered.months_covered(months_between(inputs.review_start, inputs.quarter_start));
    let in_quarter = |m: &mqls::Mql| m.at >= from && m.at <= to;
    let present = data.rows.iter().filter(|m| in_quarter(m)).count() as f64 / months;
    let target = target(&settings, objectives.as_ref(), present);
    let refit = refit::refit(
        &data.rows,
        &data.quarter_leads,
        in_quarter,
        &Settings {
            features: &data.features,
            target,
            pdo: settings.points_to_double_odds.unwrap_or(DEFAULT_PDO),
            l2: settings.l2.filter(|c| *c > 0.0),
            months,
        },
    )
    .map_err(|e| StageError::BadFile {
        file: leads.file.clone(),
        message: format!("the MQL → SQL refit failed: {e}"),
    })?;
    let quarter: Vec<&mqls::Mql> = data.rows.iter().filter(|m| in_quarter(m)).collect();
    let sources = source_quality(&quarter)?;
    let headline = post::headline(&refit, &data, feedback.as_ref(), &inputs.review_label());
    let handoff = handoff_of(&refit, &data);
    let message = post::message(
        &headline,
        &refit,
        &data,
        &sources,
        feedback.as_ref(),
        &quarter,
        &inputs.names,
    );
    let files = chart::lift_by_decile(&refit, &inputs.review_label())
        .into_iter()
        .collect();
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 4, "available": true, "headline": headline,
            "features": data.features, "dropped_features": data.dropped,
            "score_column": data.score_column, "maturity_days": data.maturity_days,
            "training_set": "MQLs whose MQL date is at least the 90th-percentile MQL → SQL lag before the end of the quarter under review",
            "months": post::by_month(&data),
            "sources": sources, "refit": refit, "sales_feedback": feedback,
            (handoff::KEY): handoff,
        }),
    )
    .with_files(files))
}

fn target(s: &ScoringSettings, o: Option<&Objectives>, present_per_month: f64) -> Target {
    if let Some(v) = s.target_mql_per_month {
        Target::MqlsPerMonth(v)
    } else if let Some(r) = s.target_mql_to_sql {
        Target::MqlToSql(r)
    } else if let Some(q) = o.and_then(|o| o.mql_target).filter(|q| *q > 0.0) {
        Target::MqlsPerMonth(q / 3.0)
    } else {
        Target::PresentVolume(present_per_month)
    }
}

fn months_between(from: chrono::NaiveDate, to: chrono::NaiveDate) -> f64 {
    use chrono::Datelike;
    let m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    f64::from(m.max(1))
}

/// MQL → SQL by source over the quarter's matured MQLs, with the differences from the
/// other sources that survive Holm's correction.
fn source_quality(quarter: &[&mqls::Mql]) -> Result<Funnel, StageError> {
    let leads: Vec<Lead> = quarter
        .iter()
        .filter(|m| m.mature)
        .map(|m| Lead {
            stages: vec![Some(0), m.sql.then_some(1)],
            groups: [("source".to_owned(), m.source.clone())].into(),
            cohort: None,
        })
        .collect();
    funnel::analyze(
        &["mql".to_owned(), "sql".to_owned()],
        &leads,
        Some("source"),
    )
    .map_err(|e| StageError::BadFile {
        file: "leads.csv".into(),
        message: e.to_string(),
    })
}

fn handoff_of(r: &Refit, data: &Mqls) -> ScoringHandoff {
    let oot = r.out_of_time.as_ref();
    ScoringHandoff {
        weights: data
            .features
            .iter()
            .zip(&r.proposal.points)
            .map(|(f, p)| PointWeight {
                feature: f.clone(),
                points: *p,
            })
            .collect(),
        threshold: r.proposal.threshold.threshold,
        expected_mqls_per_month: r.after.mqls_per_month,
        expected_mql_to_sql: oot
            .and_then(|o| o.mql_to_sql_at_threshold)
            .or(r.after.mql_to_sql)
            .unwrap_or(0.0),
        current_mql_to_sql: r.before.mql_to_sql.unwrap_or(0.0),
        out_of_time_auc: oot.and_then(|o| o.refit.auc),
    }
}
