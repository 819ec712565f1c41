//! Content and SEO review (stage 3): how each page performed ([`pages`]), how our
//! rankings moved and where the next clicks are ([`seo`]), all valued on one documented
//! CTR-by-position curve ([`ctr`]), and the ranked strategy for the next quarter
//! ([`opportunities`]).

pub mod ctr;
pub mod opportunities;
pub mod pages;
pub mod seo;

use serde::{Deserialize, Serialize};

pub use opportunities::{Opportunity, rank, type_for_keyword};
pub use pages::{ContentPerformance, PageRow};
pub use seo::{KeywordRow, SeoFindings};

/// Rows of the latest `period` and, by key, the rows of the period before it (pages by
/// url, keywords by keyword), with that earlier period's name.
struct Periods<'a, R> {
    latest: Vec<&'a R>,
    previous: std::collections::BTreeMap<&'a str, &'a R>,
    previous_period: Option<String>,
}

fn split_periods<'a, R>(
    rows: &'a [R],
    period: &str,
    period_of: impl Fn(&R) -> &str,
    key_of: impl Fn(&'a R) -> &'a str,
) -> Periods<'a, R> {
    let previous_period = rows
        .iter()
        .map(&period_of)
        .filter(|p| *p < period)
        .max()
        .map(str::to_owned);
    Periods {
        latest: rows.iter().filter(|r| period_of(r) == period).collect(),
        previous: rows
            .iter()
            .filter(|r| Some(period_of(r)) == previous_period.as_deref())
            .map(|r| (key_of(r), r))
            .collect(),
        previous_period,
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContentError {
    #[error("nothing to analyse: no {0}")]
    Empty(&'static str),
    #[error("{0}")]
    Invalid(String),
}

/// Everything stage 3 computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentReview {
    pub content: Option<ContentPerformance>,
    pub seo: Option<SeoFindings>,
    /// Best first (empty without keywords).
    pub opportunities: Vec<Opportunity>,
    pub ctr_curve: String,
}

/// Runs what the inputs allow: content performance from pages, SEO from keywords, and
/// the opportunities from keywords (valued in conversions when pages are there too).
pub fn review(
    pages: Option<&[PageRow]>,
    keywords: Option<&[KeywordRow]>,
) -> Result<ContentReview, ContentError> {
    let content = pages.map(pages::analyze).transpose()?;
    let seo = keywords.map(seo::analyze).transpose()?;
    let opportunities = seo
        .as_ref()
        .map(|s| rank(s, content.as_ref()))
        .unwrap_or_default();
    Ok(ContentReview {
        content,
        seo,
        opportunities,
        ctr_curve: ctr::CURVE_NAME.to_owned(),
    })
}
