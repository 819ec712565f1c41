//! The next quarter's content strategy: striking-distance keywords, pages to refresh
//! (keywords that lost ranking) and content gaps, ranked by the organic clicks per month
//! each is worth on the CTR curve, with the conversions that traffic would bring at its
//! content type's conversion rate.
//!
//! - striking distance: improve the ranking page; worth `volume × share × (CTR(target) −
//!   CTR(now))` (see [`super::seo`]);
//! - refresh: a keyword that lost [`super::seo::MIN_MOVE`] or more positions, worth the
//!   clicks of winning its previous position back;
//! - content gap: a new page, worth the clicks at [`super::seo::GAP_TARGET`].
//!
//! One opportunity per keyword (the most valuable reading wins). Extra conversions per
//! quarter = extra clicks per month × 3 × the conversion rate (conversions ÷ sessions) of
//! the content type in the latest period, or of all content when the type has no
//! sessions; 0 without `content.csv`. The content type of a new page follows its
//! keyword's intent ([`type_for_keyword`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pages::ContentPerformance;
use super::seo::{MONTHS_PER_PERIOD, SeoFindings};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    /// `striking_distance`, `refresh` or `content_gap`.
    pub kind: String,
    pub title: String,
    pub content_type: String,
    pub keyword: String,
    pub url: Option<String>,
    pub search_volume: f64,
    pub current_position: Option<f64>,
    pub target_position: f64,
    pub extra_clicks_per_month: f64,
    pub extra_conversions_per_quarter: f64,
}

/// The content type a new page for `keyword` should be, from the words that signal
/// intent: comparison and buying words → `comparison`/`landing_page`, how-to words →
/// `guide`, anything else → `blog`.
pub fn type_for_keyword(keyword: &str) -> &'static str {
    let k = format!(" {} ", keyword.to_lowercase());
    let has = |words: &[&str]| words.iter().any(|w| k.contains(&format!(" {w} ")));
    if has(&["vs", "versus", "alternative", "alternatives", "best"]) {
        "comparison"
    } else if has(&["pricing", "software", "tool", "tools", "demo"]) {
        "landing_page"
    } else if has(&["how", "guide", "template", "checklist", "examples"]) {
        "guide"
    } else {
        "blog"
    }
}

pub fn rank(seo: &SeoFindings, content: Option<&ContentPerformance>) -> Vec<Opportunity> {
    let pages: BTreeMap<&str, (&str, &str)> = content
        .map(|c| {
            c.pages
                .iter()
                .map(|p| (p.url.as_str(), (p.title.as_str(), p.content_type.as_str())))
                .collect()
        })
        .unwrap_or_default();
    let overall = content.and_then(|c| {
        let (s, v) = c
            .by_type
            .iter()
            .fold((0.0, 0.0), |(s, v), t| (s + t.sessions, v + t.conversions));
        (s > 0.0).then(|| v / s)
    });
    let rate = |content_type: &str| -> f64 {
        content
            .and_then(|c| c.by_type.iter().find(|t| t.content_type == content_type))
            .and_then(|t| t.conversion_rate)
            .or(overall)
            .unwrap_or(0.0)
    };
    let page = |url: &Option<String>| {
        url.as_deref()
            .and_then(|u| pages.get(u).copied())
            .map_or_else(
                || (url.clone().unwrap_or_default(), "blog".to_owned()),
                |(t, k)| (t.to_owned(), k.to_owned()),
            )
    };
    let mut best: BTreeMap<String, Opportunity> = BTreeMap::new();
    let mut offer = |o: Opportunity| {
        let keep = best
            .get(&o.keyword)
            .is_none_or(|b| o.extra_clicks_per_month > b.extra_clicks_per_month);
        if keep {
            best.insert(o.keyword.clone(), o);
        }
    };
    for s in &seo.striking_distance {
        let (title, kind) = page(&s.url);
        offer(Opportunity {
            kind: "striking_distance".into(),
            title: format!("Improve {title} for \"{}\"", s.keyword),
            extra_conversions_per_quarter: s.extra_clicks_per_month
                * MONTHS_PER_PERIOD
                * rate(&kind),
            content_type: kind,
            keyword: s.keyword.clone(),
            url: s.url.clone(),
            search_volume: s.search_volume,
            current_position: Some(s.position),
            target_position: s.target_position,
            extra_clicks_per_month: s.extra_clicks_per_month,
        });
    }
    for m in &seo.losses {
        let (title, kind) = page(&m.url);
        offer(Opportunity {
            kind: "refresh".into(),
            title: format!(
                "Refresh {title} (\"{}\" fell from {:.0} to {:.0})",
                m.keyword, m.from, m.to
            ),
            extra_conversions_per_quarter: m.clicks_per_month_at_stake
                * MONTHS_PER_PERIOD
                * rate(&kind),
            content_type: kind,
            keyword: m.keyword.clone(),
            url: m.url.clone(),
            search_volume: m.search_volume,
            current_position: Some(m.to),
            target_position: m.from,
            extra_clicks_per_month: m.clicks_per_month_at_stake,
        });
    }
    for g in &seo.gaps {
        let kind = type_for_keyword(&g.keyword);
        offer(Opportunity {
            kind: "content_gap".into(),
            title: format!("New {}: {}", kind.replace('_', " "), g.keyword),
            content_type: kind.to_owned(),
            keyword: g.keyword.clone(),
            url: None,
            search_volume: g.search_volume,
            current_position: None,
            target_position: super::seo::GAP_TARGET,
            extra_clicks_per_month: g.extra_clicks_per_month,
            extra_conversions_per_quarter: g.extra_clicks_per_month
                * MONTHS_PER_PERIOD
                * rate(kind),
        });
    }
    let mut out: Vec<Opportunity> = best.into_values().collect();
    out.sort_by(|a, b| {
        b.extra_clicks_per_month
            .total_cmp(&a.extra_clicks_per_month)
            .then_with(|| a.keyword.cmp(&b.keyword))
    });
    out
}
