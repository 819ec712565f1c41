//! Stage 4's view of `leads.csv`: every lead that reached MQL, with when, whether it
//! reached SQL, its source, its current score and its numeric features; and which MQLs
//! have matured.
//!
//! Training set: MQL → SQL is only observed for leads handed to sales, so the model is
//! fitted on MQLs (leads with an MQL stamp, or a later stage's) whose MQL date lies at
//! least the 90th-percentile MQL → SQL lag before the end of the quarter under review
//! (the rule of stage 2's mature rates). A younger MQL without an SQL stamp may still
//! convert; counting it as a "no" would bias the model against recent leads.
//!
//! Features: `[scoring] features` in objectives.toml, or by default every column that is
//! not a fixed one (ids, stage dates, amount, source, segment, region, the current
//! score) and holds a number in every row. Columns that are constant over the training
//! set are left out (they cannot be told apart from the intercept).

use chrono::{DateTime, Utc};
use quarterdeck_analyses::funnel::Lead;

use crate::sources::{self, CsvTable, InputError, ScoringSettings};

/// Columns that are never features (lower case).
const FIXED: [&str; 15] = [
    "lead_id",
    "id",
    "created_at",
    "mql_at",
    "sql_at",
    "opportunity_at",
    "won_at",
    "lost_at",
    "amount",
    "deal_amount",
    "value",
    "source",
    "segment",
    "region",
    "score",
];

#[derive(Debug, Clone)]
pub struct Mql {
    pub at: DateTime<Utc>,
    /// `YYYY-MM` of `at`.
    pub month: String,
    pub sql: bool,
    /// Old enough for a missing SQL stamp to mean "no".
    pub mature: bool,
    pub source: String,
    /// The current score, when the lead has one.
    pub score: Option<f64>,
    /// One value per feature.
    pub x: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct Mqls {
    pub features: Vec<String>,
    /// Features asked for (or found) but constant over the training set.
    pub dropped: Vec<String>,
    pub score_column: Option<String>,
    pub rows: Vec<Mql>,
    /// 90th-percentile MQL → SQL lag in days.
    pub maturity_days: f64,
    /// Feature values of every lead created in the quarter under review, MQL or not: the
    /// leads a new threshold would choose its MQLs from.
    pub quarter_leads: Vec<Vec<f64>>,
    /// Lead id → source, over every lead (for the sales-feedback join).
    pub sources: std::collections::BTreeMap<String, String>,
}

pub fn read(
    t: &CsvTable,
    settings: &ScoringSettings,
    (from, as_of): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Result<Mqls, String>, InputError> {
    let table = sources::read_leads(t)?;
    let (Some(m), Some(s)) = (
        table.stages.iter().position(|s| s == "mql"),
        table.stages.iter().position(|s| s == "sql"),
    ) else {
        return Ok(Err(
            "leads.csv needs both `mql_at` and `sql_at` to measure MQL quality".into(),
        ));
    };
    let id_col = t.require("lead_id", &["id"])?;
    let source_col = t.find("source", &[]);
    let score_name = settings.score_column.as_deref().unwrap_or("score");
    let score_col = t.find(score_name, &[]);
    let feature_cols = feature_columns(t, settings, score_name)?;
    let entry = |l: &Lead, k: usize| l.stages[k..].iter().flatten().min().copied();
    let mut lags: Vec<i64> = table
        .leads
        .iter()
        .filter_map(|l| Some(entry(l, s)? - entry(l, m)?))
        .collect();
    lags.sort_unstable();
    let p90 = lags
        .get((lags.len() * 9 / 10).min(lags.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0);
    let cutoff = as_of.timestamp() - p90;
    let mut rows = Vec::new();
    let mut all_sources = std::collections::BTreeMap::new();
    let mut quarter_leads = Vec::new();
    for ((lead, first), r) in table.leads.iter().zip(&table.first_seen).zip(t.rows()) {
        let id = r.str(id_col).to_owned();
        let source = source_col.map_or_else(String::new, |c| r.str(c).to_owned());
        all_sources.insert(id.clone(), source.clone());
        let x = feature_cols
            .iter()
            .map(|(_, c)| r.number(*c))
            .collect::<Result<Vec<_>, _>>()?;
        if first.is_some_and(|t| t >= from && t <= as_of) {
            quarter_leads.push(x.clone());
        }
        let Some(at) = entry(lead, m).filter(|at| *at <= as_of.timestamp()) else {
            continue;
        };
        let Some(at) = DateTime::from_timestamp(at, 0) else {
            continue;
        };
        rows.push(Mql {
            month: at.format("%Y-%m").to_string(),
            at,
            sql: entry(lead, s).is_some_and(|t| t <= as_of.timestamp()),
            mature: at.timestamp() <= cutoff,
            source,
            score: score_col.map(|c| r.opt_number(c)).transpose()?.flatten(),
            x,
        });
    }
    if rows.is_empty() {
        return Ok(Err(
            "no lead in leads.csv reached MQL by the end of the quarter under review".into(),
        ));
    }
    // Constant over the matured MQLs: no information, and confounded with the intercept.
    let mut keep = Vec::new();
    let mut dropped = Vec::new();
    for (j, (name, _)) in feature_cols.iter().enumerate() {
        let mut values = rows.iter().filter(|r| r.mature).map(|r| r.x[j]);
        let first = values.next();
        let constant = first.is_none_or(|f| values.all(|v| v == f));
        if constant {
            dropped.push(name.clone());
        } else {
            keep.push(j);
        }
    }
    for r in &mut rows {
        r.x = keep.iter().map(|j| r.x[*j]).collect();
    }
    for x in &mut quarter_leads {
        *x = keep.iter().map(|j| x[*j]).collect();
    }
    Ok(Ok(Mqls {
        features: keep.iter().map(|j| feature_cols[*j].0.clone()).collect(),
        dropped,
        score_column: score_col.map(|_| score_name.to_owned()),
        rows,
        maturity_days: p90 as f64 / 86_400.0,
        quarter_leads,
        sources: all_sources,
    }))
}

/// The configured feature columns (each must exist), or every numeric non-fixed one.
fn feature_columns(
    t: &CsvTable,
    settings: &ScoringSettings,
    score_name: &str,
) -> Result<Vec<(String, sources::Col)>, InputError> {
    if let Some(names) = &settings.features {
        return names
            .iter()
            .map(|n| {
                t.find(n, &[]).map(|c| (n.clone(), c)).ok_or_else(|| InputError::File {
                    file: t.file.clone(),
                    message: format!(
                        "objectives.toml [scoring] names the feature `{n}`, which is not a column (columns: {})",
                        t.header.join(", ")
                    ),
                })
            })
            .collect();
    }
    let score = score_name.to_ascii_lowercase();
    Ok(t.header
        .iter()
        .filter(|h| {
            let h = h.to_ascii_lowercase();
            !FIXED.contains(&h.as_str()) && h != score
        })
        .filter_map(|h| t.find(h, &[]).map(|c| (h.clone(), c)))
        .filter(|(_, c)| t.rows().all(|r| r.number(*c).is_ok()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> CsvTable {
        CsvTable::parse("leads.csv", text.as_bytes()).unwrap()
    }

    fn window() -> (DateTime<Utc>, DateTime<Utc>) {
        let t = |s: &str| sources::parse_time(s).unwrap();
        (t("2026-10-01T00:00:00Z"), t("2026-12-31T23:59:59Z"))
    }

    const LEADS: &str = "lead_id,created_at,source,mql_at,sql_at,score,pages,demo,flag,note\n\
        L1,2026-10-01,seo,2026-10-02,2026-10-12,80,5,1,1,a\n\
        L2,2026-10-01,seo,2026-10-03,2026-10-23,40,2,0,1,b\n\
        L3,2026-10-05,ads,2026-10-06,,30,1,0,1,c\n\
        L4,2026-12-20,ads,2026-12-30,,55,7,1,1,d\n\
        L5,2026-12-21,ads,,,10,0,0,1,e\n";

    #[test]
    fn default_features_are_the_numeric_non_fixed_columns_and_young_mqls_are_not_mature() {
        let d = read(&table(LEADS), &ScoringSettings::default(), window())
            .unwrap()
            .ok()
            .unwrap();

        // `note` is text, `score` is the current score, `flag` is 1 for every MQL.
        assert_eq!(d.features, ["pages", "demo"]);
        assert_eq!(d.dropped, ["flag"]);
        // SQL lags 10 and 20 days: the 90th percentile of two is the larger, 20 days,
        // so only MQLs on or before 2026-12-11 are mature; L4 (12-30) is not.
        assert_eq!(d.maturity_days.round(), 20.0);
        let mature: Vec<bool> = d.rows.iter().map(|m| m.mature).collect();
        assert_eq!(mature, [true, true, true, false]);
        assert_eq!(d.rows[0].x, [5.0, 1.0]);
        assert_eq!(d.rows[0].score, Some(80.0));
        // Five leads created in the quarter, MQL or not, are the candidates.
        assert_eq!(d.quarter_leads.len(), 5);
        assert_eq!(d.sources["L5"], "ads");
    }

    #[test]
    fn a_configured_feature_must_exist_and_hold_numbers() {
        let settings = |f: &[&str]| ScoringSettings {
            features: Some(f.iter().map(|s| (*s).to_owned()).collect()),
            ..ScoringSettings::default()
        };

        let missing = read(&table(LEADS), &settings(&["visits"]), window())
            .err()
            .unwrap()
            .to_string();
        let text = read(&table(LEADS), &settings(&["pages", "note"]), window())
            .err()
            .unwrap()
            .to_string();

        assert!(
            missing.contains("`visits`") && missing.contains("leads.csv"),
            "{missing}"
        );
        assert!(
            text.contains("row 2") && text.contains("`note`") && text.contains("a number"),
            "{text}"
        );
    }

    #[test]
    fn a_bad_score_is_located_and_no_sql_column_makes_the_stage_unavailable() {
        let bad = LEADS.replace(",80,", ",high,");
        let no_sql = "lead_id,created_at,mql_at,pages\nL1,2026-10-01,2026-10-02,3\n";

        let err = read(&table(&bad), &ScoringSettings::default(), window())
            .err()
            .unwrap()
            .to_string();
        let unavailable = read(&table(no_sql), &ScoringSettings::default(), window()).unwrap();

        assert!(
            err.contains("row 2") && err.contains("`score`") && err.contains("high"),
            "{err}"
        );
        assert!(unavailable.err().unwrap().contains("sql_at"));
    }
}
