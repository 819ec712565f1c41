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
