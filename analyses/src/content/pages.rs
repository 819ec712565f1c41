//! Content performance: each page's traffic, engagement and conversions in the latest
//! period, normalised by type and age, the per-type summary, and the trend across periods.
//!
//! Definitions:
//! - live days: the days of the period the page was published for,
//!   `clamp(PERIOD_DAYS − max(0, published − period start), 1, PERIOD_DAYS)`;
//! - traffic index: the page's sessions per live day ÷ the median of that figure over
//!   pages of the same type in the same period (1.0 = a typical page of its type), so a
//!   landing page is not judged against a guide and a page published mid-quarter is not
//!   judged on half a quarter;
//! - engagement rate: engaged sessions ÷ sessions (GA4's definition);
//! - conversions per 1k sessions: conversions ÷ sessions × 1000;
//! - change: (this period − previous period) ÷ previous period, per page.
//!
//! Pages with fewer than [`MIN_SESSIONS`] sessions are left out of the engagement and
//! conversion rankings: a rate over a handful of sessions is noise.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ContentError;

/// Days in a period (a quarter), for the age normalisation.
pub const PERIOD_DAYS: f64 = 91.0;
/// Sessions a page needs in the period to be ranked by a rate.
pub const MIN_SESSIONS: f64 = 100.0;
/// How many pages each top list holds.
pub const TOP_N: usize = 10;

/// One row of `content.csv`: a page in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRow {
    pub url: String,
    pub title: String,
    pub content_type: String,
    /// First day of the period (`YYYY-MM-DD`; ISO dates sort as text).
    pub period: String,
    /// Days from publication to the period's first day (negative: published during it).
    pub days_published_before_period: i64,
    pub sessions: f64,
    pub engaged_sessions: f64,
    pub engagement_time_s: f64,
    pub conversions: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageScore {
    pub url: String,
    pub title: String,
    pub content_type: String,
    pub sessions: f64,
    pub traffic_index: f64,
    pub engagement_rate: Option<f64>,
    pub conversions: f64,
    pub conversions_per_1k: Option<f64>,
    /// Sessions change against the previous period (fraction), when the page had sessions then.
    pub sessions_change: Option<f64>,
    pub conversions_change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeSummary {
    pub content_type: String,
    pub pages: usize,
    pub sessions: f64,
    pub conversions: f64,
    /// Conversions ÷ sessions in the latest period.
    pub conversion_rate: Option<f64>,
    pub engagement_rate: Option<f64>,
    pub previous_sessions: f64,
    pub previous_conversions: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodTotals {
    pub period: String,
    pub pages: usize,
    pub sessions: f64,
    pub engaged_sessions: f64,
    pub conversions: f64,
    pub engagement_rate: Option<f64>,
    pub conversions_per_1k: Option<f64>,
    /// Engagement time per session, seconds (weighted by sessions).
    pub mean_engagement_time_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentPerformance {
    /// The latest period, which the rankings describe.
    pub period: String,
    pub previous_period: Option<String>,
    /// Every page of the latest period, by traffic index (highest first).
    pub pages: Vec<PageScore>,
    /// Urls, best first.
    pub top_by_traffic: Vec<String>,
    pub top_by_engagement: Vec<String>,
    pub top_by_conversions: Vec<String>,
    /// Pages whose sessions fell by a fifth or more (largest loss first).
    pub declining: Vec<String>,
    pub by_type: Vec<TypeSummary>,
    /// Oldest period first.
    pub trend: Vec<PeriodTotals>,
}

/// A fall in sessions this large (fraction) marks a page as declining.
pub const DECLINE: f64 = -0.20;

pub fn analyze(rows: &[PageRow]) -> Result<ContentPerformance, ContentError> {
    let Some(period) = rows.iter().map(|r| r.period.clone()).max() else {
        return Err(ContentError::Empty("content rows"));
    };
    for r in rows {
        let fields = [
            ("sessions", r.sessions),
            ("engaged_sessions", r.engaged_sessions),
            ("engagement_time_s", r.engagement_time_s),
            ("conversions", r.conversions),
        ];
        if let Some((name, _)) = fields.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
            return Err(ContentError::Invalid(format!(
                "{} in {}: {name} must be a number >= 0",
                r.url, r.period
            )));
        }
    }
    let super::Periods {
        latest,
        previous,
        previous_period,
    } = super::split_periods(rows, &period, |r| &r.period, |r| &r.url);
    let medians = type_medians(&latest);
    let mut pages: Vec<PageScore> = latest
        .iter()
        .map(|r| {
            let median = medians.get(r.content_type.as_str()).copied().unwrap_or(0.0);
            let before = previous.get(r.url.as_str());
            PageScore {
                url: r.url.clone(),
                title: r.title.clone(),
                content_type: r.content_type.clone(),
                sessions: r.sessions,
                traffic_index: if median > 0.0 {
                    per_live_day(r) / median
                } else {
                    0.0
                },
                engagement_rate: ratio(r.engaged_sessions, r.sessions),
                conversions: r.conversions,
                conversions_per_1k: ratio(r.conversions * 1000.0, r.sessions),
                sessions_change: before.and_then(|b| change(r.sessions, b.sessions)),
                conversions_change: before.and_then(|b| change(r.conversions, b.conversions)),
            }
        })
        .collect();
    pages.sort_by(|a, b| {
        b.traffic_index
            .total_cmp(&a.traffic_index)
            .then_with(|| a.url.cmp(&b.url))
    });
    let ranked = |key: &dyn Fn(&PageScore) -> Option<f64>| -> Vec<String> {
        let mut v: Vec<(&PageScore, f64)> = pages
            .iter()
            .filter(|p| p.sessions >= MIN_SESSIONS)
            .filter_map(|p| Some((p, key(p)?)))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.url.cmp(&b.0.url)));
        v.into_iter()
            .take(TOP_N)
            .map(|(p, _)| p.url.clone())
            .collect()
    };
    let top_by_engagement = ranked(&|p| p.engagement_rate);
    let top_by_conversions = ranked(&|p| p.conversions_per_1k);
    let top_by_traffic = pages.iter().take(TOP_N).map(|p| p.url.clone()).collect();
    let mut declining: Vec<&PageScore> = pages
        .iter()
        .filter(|p| p.sessions_change.is_some_and(|c| c <= DECLINE))
        .collect();
    declining.sort_by(|a, b| {
        a.sessions_change
            .unwrap_or(0.0)
            .total_cmp(&b.sessions_change.unwrap_or(0.0))
            .then_with(|| a.url.cmp(&b.url))
    });
    let declining = declining.into_iter().map(|p| p.url.clone()).collect();
    Ok(ContentPerformance {
        by_type: by_type(&latest, &previous),
        trend: trend(rows),
        period,
        previous_period,
        pages,
        top_by_traffic,
        top_by_engagement,
        top_by_conversions,
        declining,
    })
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

fn change(now: f64, before: f64) -> Option<f64> {
    (before > 0.0).then(|| (now - before) / before)
}

fn per_live_day(r: &PageRow) -> f64 {
    let late = (-r.days_published_before_period).max(0) as f64;
    let live = (PERIOD_DAYS - late).clamp(1.0, PERIOD_DAYS);
    r.sessions / live
}

/// Median sessions per live day by content type.
fn type_medians<'a>(rows: &[&'a PageRow]) -> BTreeMap<&'a str, f64> {
    let mut by: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in rows {
        by.entry(r.content_type.as_str())
            .or_default()
            .push(per_live_day(r));
    }
    by.into_iter().map(|(k, v)| (k, median(v))).collect()
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn by_type(latest: &[&PageRow], previous: &BTreeMap<&str, &PageRow>) -> Vec<TypeSummary> {
    let mut out: BTreeMap<&str, TypeSummary> = BTreeMap::new();
    let mut engaged: BTreeMap<&str, f64> = BTreeMap::new();
    for r in latest {
        let t = out
            .entry(r.content_type.as_str())
            .or_insert_with(|| TypeSummary {
                content_type: r.content_type.clone(),
                pages: 0,
                sessions: 0.0,
                conversions: 0.0,
                conversion_rate: None,
                engagement_rate: None,
                previous_sessions: 0.0,
                previous_conversions: 0.0,
            });
        t.pages += 1;
        t.sessions += r.sessions;
        t.conversions += r.conversions;
        *engaged.entry(r.content_type.as_str()).or_default() += r.engaged_sessions;
        if let Some(b) = previous.get(r.url.as_str()) {
            t.previous_sessions += b.sessions;
            t.previous_conversions += b.conversions;
        }
    }
    out.into_iter()
        .map(|(k, mut t)| {
            t.conversion_rate = ratio(t.conversions, t.sessions);
            t.engagement_rate = ratio(engaged.get(k).copied().unwrap_or(0.0), t.sessions);
            t
        })
        .collect()
}

fn trend(rows: &[PageRow]) -> Vec<PeriodTotals> {
    let mut by: BTreeMap<&str, (usize, f64, f64, f64, f64)> = BTreeMap::new();
    for r in rows {
        let e = by.entry(r.period.as_str()).or_default();
        e.0 += 1;
        e.1 += r.sessions;
        e.2 += r.engaged_sessions;
        e.3 += r.conversions;
        e.4 += r.engagement_time_s * r.sessions;
    }
    by.into_iter()
        .map(|(p, (n, s, e, c, t))| PeriodTotals {
            period: p.to_owned(),
            pages: n,
            sessions: s,
            engaged_sessions: e,
            conversions: c,
            engagement_rate: ratio(e, s),
            conversions_per_1k: ratio(c * 1000.0, s),
            mean_engagement_time_s: ratio(t, s),
        })
        .collect()
}
