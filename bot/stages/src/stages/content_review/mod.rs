//! Stage 3, content and SEO review: which pages earned traffic, engagement and
//! conversions last quarter (normalised by type and age), how our rankings moved, which
//! keywords are in striking distance and where competitors rank and we do not, and the
//! next quarter's content strategy ranked by the organic clicks each move would add on the
//! documented CTR curve. The strategy is handed to stage 9. Reads `content.csv` and
//! `keywords.csv`; either may be missing and the post says what it could not do.
//! `compute` gathers the typed findings ([`ContentFindings`]); the post is written from
//! them alone in `post`.

mod charts;
pub(super) mod post;
pub mod tables;

use quarterdeck_analyses::content::{self, ContentReview};
use serde_json::json;

use super::handoff::{self, ContentHandoff, ContentOpportunity};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput};
use crate::sources;

/// What stage 3 found: every figure its post states, and which input it lacked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContentFindings {
    pub review: ContentReview,
    /// No content.csv: no page performance; opportunities valued in clicks only.
    pub content_missing: bool,
    /// No keywords.csv: no ranking moves, striking distance, gaps or SEO strategy.
    pub keywords_missing: bool,
    /// Sessions of the latest quarter against the one before (a fraction), when the one
    /// before had any.
    pub sessions_change: Option<f64>,
    /// Organic clicks of the tracked keywords against the quarter before (a fraction).
    pub clicks_change: Option<f64>,
    /// Extra organic clicks a month at target, summed: striking-distance keywords, and
    /// content gaps.
    pub striking_extra_clicks: Option<f64>,
    pub gap_extra_clicks: Option<f64>,
}

impl ContentFindings {
    fn new(review: ContentReview, content_missing: bool, keywords_missing: bool) -> Self {
        let sessions_change = review.content.as_ref().and_then(|c| {
            let now = c.trend.last()?;
            let before = c.trend.iter().rev().nth(1)?;
            (before.sessions > 0.0).then(|| (now.sessions - before.sessions) / before.sessions)
        });
        let seo = review.seo.as_ref();
        Self {
            sessions_change,
            clicks_change: seo.and_then(|s| {
                let p = s.previous_clicks.filter(|p| *p > 0.0)?;
                Some((s.clicks - p) / p)
            }),
            striking_extra_clicks: seo.map(|s| {
                s.striking_distance
                    .iter()
                    .map(|k| k.extra_clicks_per_month)
                    .sum()
            }),
            gap_extra_clicks: seo.map(|s| s.gaps.iter().map(|g| g.extra_clicks_per_month).sum()),
            review,
            content_missing,
            keywords_missing,
        }
    }
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let content_table = inputs.data.table("content.csv")?;
    let keyword_table = inputs.data.table("keywords.csv")?;
    if content_table.is_none() && keyword_table.is_none() {
        return Ok(super::inventory::unavailable(
            3,
            inputs,
            "neither content.csv nor keywords.csv is in the data folder".into(),
        ));
    }
    let pages = content_table
        .as_ref()
        .map(sources::read_content)
        .transpose()?;
    let keywords = keyword_table
        .as_ref()
        .map(sources::read_keywords)
        .transpose()?;
    let (pages, keywords) = run_rate(inputs, pages, keywords);
    let file = match (&content_table, &keyword_table) {
        (Some(c), Some(k)) => format!("{} and {}", c.file, k.file),
        (Some(c), None) => c.file.clone(),
        (None, Some(k)) => k.file.clone(),
        (None, None) => String::new(),
    };
    let review = content::review(pages.as_deref(), keywords.as_deref()).map_err(|e| {
        StageError::BadFile {
            file,
            message: e.to_string(),
        }
    })?;
    let findings = ContentFindings::new(review, pages.is_none(), keywords.is_none());
    let (message, headline) = post::message(&findings, &inputs.names);
    let files = post::files(&findings);
    let handoff = ContentHandoff {
        opportunities: findings
            .review
            .opportunities
            .iter()
            .map(|o| ContentOpportunity {
                kind: o.kind.clone(),
                title: o.title.clone(),
                content_type: o.content_type.clone(),
                keyword: Some(o.keyword.clone()),
                url: o.url.clone(),
                search_volume: o.search_volume,
                current_position: o.current_position,
                target_position: o.target_position,
                extra_clicks_per_month: o.extra_clicks_per_month,
                extra_conversions_per_quarter: o.extra_conversions_per_quarter,
            })
            .collect(),
        ctr_curve: findings.review.ctr_curve.clone(),
    };
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 3, "available": true, "headline": headline,
            "review": findings.review, "sessions_change": findings.sessions_change,
            "clicks_change": findings.clicks_change,
            "striking_extra_clicks": findings.striking_extra_clicks,
            "gap_extra_clicks": findings.gap_extra_clicks, (handoff::KEY): handoff,
        }),
    )
    .with_files(files))
}

/// Read before the quarter closed, the quarter under review's totals run to the day the
/// export covers: its additive figures (sessions, engaged sessions, conversions; clicks,
/// impressions) are projected to the whole quarter, traffic spread evenly over its days,
/// so they compare with the quarter before (the post says so, `data_notes`).
fn run_rate(
    inputs: &StageInputs,
    mut pages: Option<Vec<content::PageRow>>,
    mut keywords: Option<Vec<content::KeywordRow>>,
) -> (
    Option<Vec<content::PageRow>>,
    Option<Vec<content::KeywordRow>>,
) {
    let covered = super::data_notes::covered(inputs);
    if !covered.partial() {
        return (pages, keywords);
    }
    let scale = covered.quarter_days() as f64 / covered.days() as f64;
    let current = inputs.review_start.to_string();
    for p in pages.iter_mut().flatten().filter(|p| p.period == current) {
        p.sessions *= scale;
        p.engaged_sessions *= scale;
        p.conversions *= scale;
    }
    for k in keywords
        .iter_mut()
        .flatten()
        .filter(|k| k.period == current)
    {
        k.clicks *= scale;
        k.impressions *= scale;
    }
    (pages, keywords)
}

#[cfg(test)]
mod tests;
