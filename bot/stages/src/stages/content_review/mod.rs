//! Stage 3, content and SEO review: which pages earned traffic, engagement and
//! conversions last quarter (normalised by type and age), how our rankings moved, which
//! keywords are in striking distance and where competitors rank and we do not, and the
//! next quarter's content strategy ranked by the organic clicks each move would add on the
//! documented CTR curve. The strategy is handed to stage 9. Reads `content.csv` and
//! `keywords.csv`; either may be missing and the post says what it could not do.

mod charts;
pub mod tables;

use quarterdeck_analyses::content::{self, ContentReview};
use serde_json::json;

use super::handoff::{self, ContentHandoff, ContentOpportunity};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, stage_title};
use crate::chat::Message;
use crate::report::count;
use crate::sources;

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
    let headline = headline(&review);
    let mut body = headline.clone();
    for line in actions(&review) {
        body.push_str(&format!("\n- {line}"));
    }
    if pages.is_none() {
        body.push_str("\n\ncontent.csv is not in the data folder: no page performance, and opportunities are valued in clicks only.");
    }
    if keywords.is_none() {
        body.push_str("\n\nkeywords.csv is not in the data folder: no ranking moves, striking-distance keywords, gaps or SEO strategy.");
    }
    body.push_str(&format!(
        "\n\nUplift = monthly searches × our impression share × (CTR at target − CTR now), CTR curve: {}.",
        review.ctr_curve
    ));
    let mut message = Message::new(
        format!(
            "{} — what worked and next quarter's strategy",
            stage_title(3)
        ),
        body,
    );
    let mut files = Vec::new();
    if let Some(s) = &review.seo {
        message = message
            .table(tables::strategy(&review.opportunities, &inputs.names))
            .table(tables::striking(s))
            .table(tables::gaps(s))
            .table(tables::moves(s));
        files.extend(charts::striking_distance(s, "SISTRIX 2020 CTR curve"));
    }
    if let Some(c) = &review.content {
        message = message
            .table(tables::top_content(c, &inputs.names))
            .table(tables::by_type(c, &inputs.names))
            .table(tables::trend(c));
        files.extend(charts::top_converting(c));
    }
    let handoff = ContentHandoff {
        opportunities: review
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
        ctr_curve: review.ctr_curve.clone(),
    };
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 3, "available": true, "headline": headline,
            "review": review, (handoff::KEY): handoff,
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

fn headline(r: &ContentReview) -> String {
    let mut s = String::new();
    if let Some(c) = &r.content {
        if let Some(now) = c.trend.last() {
            let before = c.trend.iter().rev().nth(1);
            let change = before
                .filter(|b| b.sessions > 0.0)
                .map(|b| {
                    format!(
                        " ({:+.0}% on the quarter before)",
                        (now.sessions - b.sessions) / b.sessions * 100.0
                    )
                })
                .unwrap_or_default();
            s.push_str(&format!(
                "{} pages drew {} sessions in the quarter starting {}{change} and {} conversions ({} per 1k sessions).",
                now.pages,
                count(now.sessions.round() as usize),
                now.period,
                count(now.conversions.round() as usize),
                now.conversions_per_1k.map_or_else(|| "—".into(), |v| format!("{v:.1}")),
            ));
        }
        if let Some(best) = c
            .by_type
            .iter()
            .filter(|t| t.conversion_rate.is_some())
            .max_by(|a, b| {
                a.conversion_rate
                    .unwrap_or(0.0)
                    .total_cmp(&b.conversion_rate.unwrap_or(0.0))
            })
        {
            s.push_str(&format!(
                " Best-converting type: {} ({} of sessions convert).",
                best.content_type.replace('_', " "),
                crate::report::percent_or_dash(best.conversion_rate)
            ));
        }
    }
    if let Some(seo) = &r.seo {
        let striking: f64 = seo
            .striking_distance
            .iter()
            .map(|k| k.extra_clicks_per_month)
            .sum();
        let gaps: f64 = seo.gaps.iter().map(|g| g.extra_clicks_per_month).sum();
        let delta = seo
            .previous_clicks
            .filter(|p| *p > 0.0)
            .map(|p| {
                format!(
                    " ({:+.0}% on the quarter before)",
                    (seo.clicks - p) / p * 100.0
                )
            })
            .unwrap_or_default();
        s.push_str(&format!(
            " Tracked keywords brought {} organic clicks{delta}.",
            count(seo.clicks.round() as usize)
        ));
        s.push_str(&format!(
            " We rank for {} of {} tracked keywords; {} sit in striking distance (positions 4-20), worth ≈{} extra organic clicks a month at target, and {} content gaps (competitors rank, we do not) ≈{} more.",
            seo.ranking,
            seo.keywords,
            seo.striking_distance.len(),
            count(striking.round() as usize),
            seo.gaps.len(),
            count(gaps.round() as usize),
        ));
    }
    s.trim_start().to_owned()
}

/// What to do about it, most valuable first.
fn actions(r: &ContentReview) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(o) = r.opportunities.first() {
        out.push(format!(
            "Start with: {} — ≈{:.0} extra clicks a month, ≈{:.1} conversions a quarter.",
            o.title, o.extra_clicks_per_month, o.extra_conversions_per_quarter
        ));
    }
    if let Some(seo) = &r.seo {
        if let Some(g) = seo.gaps.first() {
            out.push(format!(
                "Largest gap: \"{}\" ({} searches a month, a competitor at {:.0}); brief a new page.",
                g.keyword,
                count(g.search_volume.round() as usize),
                g.best_competitor_position
            ));
        }
        if let Some(m) = seo.losses.first() {
            out.push(format!(
                "Biggest loss: \"{}\" fell from {:.0} to {:.0}; refresh {} before it drops off page one.",
                m.keyword,
                m.from,
                m.to,
                m.url.as_deref().unwrap_or("the page")
            ));
        }
    }
    if let Some(c) = &r.content {
        if let Some(url) = c.top_by_conversions.first() {
            out.push(format!(
                "Best converter per session: {url}; link to it from the high-traffic pages."
            ));
        }
        if !c.declining.is_empty() {
            out.push(format!(
                "{} pages lost a fifth or more of their sessions (worst: {}).",
                c.declining.len(),
                c.declining[0]
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
