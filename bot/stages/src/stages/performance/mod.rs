//! Stage 1, performance review: multi-touch attribution of the quarter under review
//! (journeys whose first touch falls in it) by all seven models, with the channels
//! last-touch reporting misjudges most; and campaign ROI (see `roi_review`), whose
//! revenue is the Markov value credit of each quarter's journeys. `review` gathers the
//! typed findings ([`Review`]); the post is written from them alone in `post`.

pub(super) mod post;

use quarterdeck_analyses::attribution::{self, Attribution, Journey, Params};
use quarterdeck_analyses::roi::{Period, Roi};
use serde_json::json;

use super::handoff::{self, ChannelResult, PerformanceHandoff};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, roi_review};
use crate::sources::{self, DataSet, Quarters};

/// Seven-day half-life (days between touch and conversion); first-order chain.
const PARAMS: Params = Params {
    half_life: 7.0,
    markov_order: 1,
};

/// The quarter's attribution and ROI (ROI when spend and plans are present): every
/// figure stage 1's post states.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Review {
    /// Journeys whose first touch falls in the quarter under review.
    pub journeys: usize,
    pub attribution: Attribution,
    pub roi: Option<Roi>,
    /// What the paid channels spent in the quarter (with the ROI).
    pub paid_spend: Option<f64>,
    /// Why there is no ROI, when there is none.
    pub no_roi: Option<String>,
}

/// Attribution of the journeys that started in `q`'s current quarter (and, for the
/// quarter-over-quarter comparison, the previous one), and the ROI built on it. Without
/// touch-level files, an aggregated `paths.csv` (ChannelAttribution's format, no dates)
/// is taken as the quarter under review, with no quarter-over-quarter comparison.
pub fn review(data: &DataSet, q: &Quarters) -> Result<Review, StageError> {
    if !(data.has("touchpoints.csv") && data.has("conversions.csv"))
        && let Some(origin) = data.origin("paths.csv")
    {
        let text = data.text("paths.csv")?.unwrap_or_default();
        let set = sources::read_paths(origin, text.as_bytes())?;
        let journeys = set.rows();
        let a = attribution::attribute_path_set(set, &PARAMS).map_err(|e| StageError::BadFile {
            file: origin.to_owned(),
            message: e.to_string(),
        })?;
        let roi = roi_review::compute(data, q, &a, None)?;
        return Ok(Review::new(journeys, a, roi));
    }
    let all = sources::read_journeys(
        &data.require_table("touchpoints.csv")?,
        &data.require_table("conversions.csv")?,
        None,
    )?;
    let first_touch = |j: &Journey| {
        let t = j.touches.iter().map(|t| t.at_seconds).min()?;
        q.period(chrono::DateTime::from_timestamp(t, 0)?.date_naive())
    };
    let (current, previous): (Vec<Journey>, Vec<Journey>) = all
        .into_iter()
        .filter(|j| first_touch(j).is_some())
        .partition(|j| first_touch(j) == Some(Period::Current));
    let attribute = |js: &[Journey]| {
        attribution::attribute_journeys(js, &PARAMS).map_err(|e| StageError::BadFile {
            file: "touchpoints.csv".into(),
            message: e.to_string(),
        })
    };
    let a = attribute(&current)?;
    let a_previous = if previous.is_empty() {
        None
    } else {
        Some(attribute(&previous)?)
    };
    let roi = roi_review::compute(data, q, &a, a_previous.as_ref())?;
    Ok(Review::new(current.len(), a, roi))
}

impl Review {
    fn new(journeys: usize, attribution: Attribution, roi: Result<Roi, String>) -> Self {
        let (roi, no_roi) = match roi {
            Ok(roi) => (Some(roi), None),
            Err(reason) => (None, Some(reason)),
        };
        Self {
            journeys,
            attribution,
            paid_spend: roi
                .as_ref()
                .map(|r| r.channels.iter().map(|c| c.spend).sum()),
            roi,
            no_roi,
        }
    }
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let touch_level = inputs.data.has("touchpoints.csv") && inputs.data.has("conversions.csv");
    if !touch_level && !inputs.data.has("paths.csv") {
        return Ok(super::inventory::unavailable(
            1,
            inputs,
            "neither touchpoints.csv with conversions.csv nor paths.csv is in the team's data, \
             so there is nothing to attribute"
                .into(),
        ));
    }
    // Data read before the quarter closed is compared with the same days of the quarter
    // before (see `Quarters`).
    let q = super::data_notes::covered(inputs).quarters();
    let f = review(&inputs.data, &q)?;
    let (message, headline) = post::message(&f, &inputs.names);
    let files = post::files(&f, &inputs.review_label(), &inputs.names);
    let handoff = PerformanceHandoff {
        channels: f
            .roi
            .iter()
            .flat_map(|r| &r.channels)
            .map(|c| ChannelResult {
                channel: c.channel.clone(),
                spend: c.spend,
                attributed_revenue: c.revenue,
                roas: c.roas,
                previous_roas: c.previous_roas,
                platform_revenue: Some(c.platform_revenue).filter(|r| *r > 0.0),
            })
            .collect(),
    };
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 1, "available": true, "headline": headline,
            "journeys": f.journeys, "attribution": f.attribution, "roi": f.roi,
            "paid_spend": f.paid_spend,
            (handoff::KEY): handoff,
        }),
    )
    .with_files(files))
}
