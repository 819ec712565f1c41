//! The proposed score: a logistic refit of MQL → SQL on the matured MQLs (see
//! [`super::mqls`]), translated into points (`analyses::scorecard`), the threshold on the
//! points scale that meets the target, the before/after volumes, and an out-of-time
//! check of the whole procedure: fit, points and threshold chosen on every matured month
//! but the last, then measured on the last.
//!
//! Before/after, at last quarter's volume: "current" is the MQLs the present score and
//! threshold produced in the quarter under review (by MQL date), with their MQL → SQL
//! over the quarter's matured MQLs. "Proposed" is the leads created in the quarter (MQL
//! or not) scoring at or above the proposed threshold, and its MQL → SQL is the rate of
//! the quarter's matured MQLs at or above it: SQL outcomes exist only for leads sales
//! saw, so a lead that was not an MQL is assumed to convert like an MQL with the same
//! points. SQLs a month = MQLs a month × MQL → SQL.

use quarterdeck_analyses::logistic::{self, Coefficient, Fit, FitError, FitOptions, Matrix};
use quarterdeck_analyses::scorecard::{self, Threshold};
use quarterdeck_analyses::scoring::{self, Evaluation};
use serde::Serialize;

use super::mqls::Mql;

/// Fewest leads a rate-target threshold may select (fewer make the rate noise).
const MIN_SELECTED: usize = 30;
/// Ridge strength used when the unpenalised fit finds separation.
const SEPARATION_L2: f64 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Target {
    MqlsPerMonth(f64),
    MqlToSql(f64),
    /// No target configured: the present MQLs a month, chosen by the new score.
    PresentVolume(f64),
}

impl Target {
    pub fn describe(&self) -> String {
        match self {
            Target::MqlsPerMonth(v) => format!("{v:.0} MQLs a month"),
            Target::MqlToSql(r) => format!("MQL → SQL of at least {:.1}%", r * 100.0),
            Target::PresentVolume(v) => {
                format!("no target set: the present volume, {v:.0} MQLs a month")
            }
        }
    }
}

/// A fitted model turned into points, with its threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub coefficients: Vec<Coefficient>,
    /// The ridge strength C used (`None`: maximum likelihood).
    pub l2: Option<f64>,
    /// Points per unit of each feature.
    pub points: Vec<f64>,
    pub threshold: Threshold,
    #[serde(skip)]
    fit: Fit,
}

impl Proposal {
    pub fn score(&self, m: &Mql) -> f64 {
        m.x.iter().zip(&self.points).map(|(x, p)| x * p).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volume {
    pub mqls_per_month: f64,
    /// Over the quarter's matured MQLs.
    pub mql_to_sql: Option<f64>,
    pub sqls_per_month: Option<f64>,
    pub matured: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutOfTime {
    pub train_months: (String, String),
    pub validation_month: String,
    pub train_rows: usize,
    pub validation_rows: usize,
    pub refit: Evaluation,
    /// The current score on the same month.
    pub current: Option<Evaluation>,
    /// Threshold chosen on the earlier months, and what it gave in the last one.
    pub threshold: f64,
    pub selected: usize,
    pub mql_to_sql_at_threshold: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refit {
    pub target: String,
    pub points_to_double_odds: f64,
    pub proposal: Proposal,
    pub in_sample: Evaluation,
    pub current: Option<Evaluation>,
    pub before: Volume,
    pub after: Volume,
    pub out_of_time: Option<OutOfTime>,
    /// Why there is no out-of-time check, when there is none.
    pub no_out_of_time: Option<String>,
}

fn fit(rows: &[&Mql], p: usize, l2: Option<f64>) -> Result<(Fit, Option<f64>), FitError> {
    let values: Vec<f64> = rows.iter().flat_map(|r| r.x.iter().copied()).collect();
    let y: Vec<bool> = rows.iter().map(|r| r.sql).collect();
    let m = Matrix::new(&values, p)?;
    let with = |l2: Option<f64>| {
        logistic::fit(
            &m,
            &y,
            &FitOptions {
                l2,
                ..FitOptions::default()
            },
        )
    };
    match with(l2) {
        Err(FitError::Separable) if l2.is_none() => {
            with(Some(SEPARATION_L2)).map(|f| (f, Some(SEPARATION_L2)))
        }
        r => r.map(|f| (f, l2)),
    }
}

/// Fits on `train`, turns the fit into points and picks the threshold for `target`.
fn propose(
    train: &[&Mql],
    quarter: &[Vec<f64>],
    months: f64,
    target: Target,
    names: &[String],
    pdo: f64,
    l2: Option<f64>,
) -> Result<Proposal, FitError> {
    let (fit, l2) = fit(train, names.len(), l2)?;
    let points = scorecard::points(&fit.coefficients, pdo);
    let score = |m: &Mql| -> f64 { m.x.iter().zip(&points).map(|(x, p)| x * p).sum() };
    let quarter_scores = scorecard::scores(&quarter.concat(), &points);
    let threshold = match target {
        Target::MqlsPerMonth(v) | Target::PresentVolume(v) => {
            scorecard::for_volume(&quarter_scores, months, v)
        }
        Target::MqlToSql(r) => {
            let scores: Vec<f64> = train.iter().map(|m| score(m)).collect();
            let y: Vec<bool> = train.iter().map(|m| m.sql).collect();
            scorecard::for_rate(&scores, &y, r, MIN_SELECTED)
        }
    }
    .ok_or(FitError::Empty)?;
    let labels: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(Proposal {
        coefficients: fit.named(&labels)?,
        l2,
        points,
        threshold,
        fit,
    })
}

fn rate(rows: &[&Mql]) -> Option<f64> {
    (!rows.is_empty()).then(|| rows.iter().filter(|m| m.sql).count() as f64 / rows.len() as f64)
}

fn volume(quarter: &[&Mql], months: f64) -> Volume {
    let matured: Vec<&Mql> = quarter.iter().copied().filter(|m| m.mature).collect();
    let per_month = quarter.len() as f64 / months;
    let r = rate(&matured);
    Volume {
        mqls_per_month: per_month,
        mql_to_sql: r,
        sqls_per_month: r.map(|r| r * per_month),
        matured: matured.len(),
    }
}

/// The current score as a probability (scores above 1 read as percentages); `None`
/// when no lead has a score in [0, 100].
pub fn current_evaluation(rows: &[&Mql]) -> Option<Evaluation> {
    let scored: Vec<&Mql> = rows.iter().copied().filter(|m| m.score.is_some()).collect();
    let raw: Vec<f64> = scored.iter().filter_map(|m| m.score).collect();
    let scale = if raw.iter().all(|s| *s <= 1.0) {
        1.0
    } else {
        100.0
    };
    let p: Vec<f64> = raw.iter().map(|s| s / scale).collect();
    let y: Vec<bool> = scored.iter().map(|m| m.sql).collect();
    scoring::evaluate(&p, &y, None).ok()
}

fn evaluate(p: &Proposal, rows: &[&Mql]) -> Result<Evaluation, FitError> {
    let probs = rows
        .iter()
        .map(|m| p.fit.predict(&m.x))
        .collect::<Result<Vec<_>, _>>()?;
    let y: Vec<bool> = rows.iter().map(|m| m.sql).collect();
    scoring::evaluate(&probs, &y, None).map_err(|_| FitError::Empty)
}

pub struct Settings<'a> {
    pub features: &'a [String],
    pub target: Target,
    pub pdo: f64,
    pub l2: Option<f64>,
    /// Months in the quarter under review.
    pub months: f64,
}

/// The refit on every matured MQL, its before/after, and the out-of-time check.
pub fn refit(
    rows: &[Mql],
    quarter_leads: &[Vec<f64>],
    in_quarter: impl Fn(&Mql) -> bool,
    s: &Settings,
) -> Result<Refit, FitError> {
    let matured: Vec<&Mql> = rows.iter().filter(|m| m.mature).collect();
    let quarter: Vec<&Mql> = rows.iter().filter(|m| in_quarter(m)).collect();
    let proposal = propose(
        &matured,
        quarter_leads,
        s.months,
        s.target,
        s.features,
        s.pdo,
        s.l2,
    )?;
    let t = proposal.threshold.threshold;
    let kept: Vec<&Mql> = quarter
        .iter()
        .copied()
        .filter(|m| m.mature && proposal.score(m) >= t)
        .collect();
    let rate_after = rate(&kept);
    // Counted here, not taken from the threshold search: a rate target searches the
    // matured MQLs, but the volume is the quarter's leads at or above the threshold.
    let selected = scorecard::scores(&quarter_leads.concat(), &proposal.points)
        .into_iter()
        .filter(|v| *v >= t)
        .count();
    let per_month = selected as f64 / s.months;
    let after = Volume {
        mqls_per_month: per_month,
        mql_to_sql: rate_after,
        sqls_per_month: rate_after.map(|r| r * per_month),
        matured: kept.len(),
    };
    let oot = out_of_time(&matured, quarter_leads, s);
    Ok(Refit {
        target: s.target.describe(),
        points_to_double_odds: s.pdo,
        in_sample: evaluate(&proposal, &matured)?,
        current: current_evaluation(&matured),
        before: volume(&quarter, s.months),
        after,
        no_out_of_time: oot.as_ref().err().cloned(),
        out_of_time: oot.ok(),
        proposal,
    })
}

fn out_of_time(matured: &[&Mql], quarter: &[Vec<f64>], s: &Settings) -> Result<OutOfTime, String> {
    let last = matured
        .iter()
        .map(|m| m.month.as_str())
        .max()
        .ok_or("no matured MQLs")?;
    let (validation, train): (Vec<&Mql>, Vec<&Mql>) =
        matured.iter().copied().partition(|m| m.month == last);
    let classes = |rows: &[&Mql]| rows.iter().any(|m| m.sql) && rows.iter().any(|m| !m.sql);
    if validation.len() < MIN_SELECTED || !classes(&validation) || !classes(&train) {
        return Err(format!(
            "the last matured month ({last}, {} MQLs) or the months before it ({} MQLs) are too small or lack SQLs or non-SQLs",
            validation.len(),
            train.len()
        ));
    }
    let p = propose(&train, quarter, s.months, s.target, s.features, s.pdo, s.l2)
        .map_err(|e| format!("the refit on the earlier months failed: {e}"))?;
    let selected: Vec<&Mql> = validation
        .iter()
        .copied()
        .filter(|m| p.score(m) >= p.threshold.threshold)
        .collect();
    Ok(OutOfTime {
        train_months: (
            train
                .iter()
                .map(|m| m.month.clone())
                .min()
                .unwrap_or_default(),
            train
                .iter()
                .map(|m| m.month.clone())
                .max()
                .unwrap_or_default(),
        ),
        validation_month: last.to_owned(),
        train_rows: train.len(),
        validation_rows: validation.len(),
        refit: evaluate(&p, &validation).map_err(|e| e.to_string())?,
        current: current_evaluation(&validation),
        threshold: p.threshold.threshold,
        selected: selected.len(),
        mql_to_sql_at_threshold: rate(&selected),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mql(x: f64, sql: bool) -> Mql {
        Mql {
            at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            month: "2026-10".into(),
            sql,
            mature: true,
            source: "seo".into(),
            score: None,
            x: vec![x],
        }
    }

    #[test]
    fn a_rate_target_counts_its_volume_over_the_quarters_leads() {
        // 40 MQLs with x = 1 (30 SQL) and 40 with x = 0 (10 SQL): the fit is saturated,
        // β = logit(0.75) − logit(0.25) = ln 9 = 2.1972, worth round(2.1972 · 20 / ln 2)
        // = round(63.40) = 63 points. At ≥ 63 points 30/40 = 75% convert (≥ 70%); at ≥ 0
        // only 40/80 = 50%, so the threshold is 63. The quarter has 10 leads with x = 1
        // and 20 with x = 0: 10 over 3 months is 3.33 a month.
        let rows: Vec<Mql> = (0..80)
            .map(|i| mql(f64::from(u8::from(i < 40)), i < 30 || (40..50).contains(&i)))
            .collect();
        let quarter: Vec<Vec<f64>> = (0..30).map(|i| vec![f64::from(u8::from(i < 10))]).collect();
        let features = ["x".to_owned()];

        let r = refit(
            &rows,
            &quarter,
            |_| true,
            &Settings {
                features: &features,
                target: Target::MqlToSql(0.7),
                pdo: 20.0,
                l2: None,
                months: 3.0,
            },
        )
        .unwrap();

        assert_eq!(r.proposal.points, [63.0]);
        assert_eq!(r.proposal.threshold.threshold, 63.0);
        assert!((r.after.mqls_per_month - 10.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.after.mql_to_sql, Some(0.75));
        assert_eq!(r.before.mql_to_sql, Some(0.5));
        // One month only: nothing earlier to train on, so no out-of-time check.
        assert!(r.out_of_time.is_none() && r.no_out_of_time.is_some());
    }
}
