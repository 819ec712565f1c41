//! Stage 1, performance review: multi-touch attribution of the quarter under review
//! (journeys whose first touch falls in it) by all seven models, with the channels
//! last-touch reporting misjudges most; and campaign ROI (see `roi_review`), whose
//! revenue is the Markov value credit of each quarter's journeys.

use quarterdeck_analyses::attribution::{self, Attribution, Journey, Params};
use quarterdeck_analyses::roi::{Period, Roi};
use serde_json::json;

use super::handoff::{self, ChannelResult, PerformanceHandoff};
use super::{
    FINDINGS_SCHEMA, OutputFile, StageError, StageInputs, StageOutput, roi_review, stage_title,
};
use crate::chat::{Message, Table};
use crate::report::{DisplayNames, count, money, whole};
use crate::sources::{self, DataSet, Quarters};

/// Seven-day half-life (days between touch and conversion); first-order chain.
const PARAMS: Params = Params {
    half_life: 7.0,
    markov_order: 1,
};

/// The quarter's attribution and ROI (ROI when spend and plans are present).
pub struct Review {
    pub journeys: usize,
    pub attribution: Attribution,
    pub roi: Option<Roi>,
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
        let (roi, no_roi) = split(roi_review::compute(data, q, &a, None)?);
        return Ok(Review {
            journeys,
            attribution: a,
            roi,
            no_roi,
        });
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
    let (roi, no_roi) = split(roi_review::compute(data, q, &a, a_previous.as_ref())?);
    Ok(Review {
        journeys: current.len(),
        attribution: a,
        roi,
        no_roi,
    })
}

fn split(r: Result<Roi, String>) -> (Option<Roi>, Option<String>) {
    match r {
        Ok(roi) => (Some(roi), None),
        Err(reason) => (None, Some(reason)),
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
    let Review {
        journeys,
        attribution: a,
        roi,
        no_roi,
    } = review(&inputs.data, &q)?;
    let names = &inputs.names;
    let headline = headline(&a, journeys, roi.as_ref(), names);
    let mut table = Table::new(
        "Conversions credited by model",
        &[
            "Channel",
            "Last touch",
            "Linear",
            "Shapley",
            "Markov",
            "Markov value",
        ],
    );
    let mut order: Vec<usize> = (0..a.models.markov.len()).collect();
    order.sort_by(|x, y| {
        a.models.markov[*y]
            .value
            .total_cmp(&a.models.markov[*x].value)
    });
    for i in order {
        let m = &a.models;
        table = table.row(vec![
            names.name(&m.markov[i].channel),
            whole(m.last[i].conversions),
            whole(m.linear[i].conversions),
            whole(m.shapley[i].conversions),
            whole(m.markov[i].conversions),
            money(m.markov[i].value),
        ]);
    }
    let mut body = headline.clone();
    match &roi {
        Some(r) => {
            body.push_str(&roi_review::findings_text(r, 3, names));
            let learnings = quarterdeck_analyses::roi::learnings(
                r,
                &roi_review::PARAMS,
                |c| names.name(c),
                money,
            );
            if !learnings.is_empty() {
                body.push_str("\n\n**Key learnings**");
                for l in &learnings {
                    body.push_str(&format!("\n- {l}"));
                }
            }
        }
        None => body.push_str(&format!(
            "\n\nNo ROI: {}.",
            no_roi.as_deref().unwrap_or("no spend data")
        )),
    }
    let mut message = Message::new(format!("{} — ROI and attribution", stage_title(1)), body);
    let mut full_table = None;
    if let Some(r) = &roi {
        message = message.table(roi_review::narrow_table(r, names));
        full_table = Some(OutputFile::new(
            roi_review::FULL_TABLE_FILE,
            "text/csv",
            roi_review::csv_bytes(&roi_review::table(r, names)),
        ));
    }
    let message = message.table(table);
    let label = inputs.review_label();
    let charts = roi
        .as_ref()
        .and_then(|r| {
            super::charts::roas_by_channel(
                r.channels.iter().map(|c| (c.channel.as_str(), c.roas)),
                &label,
                names,
            )
        })
        .into_iter()
        .chain(super::charts::model_comparison(&a, &label, names))
        .chain(full_table)
        .collect();
    let handoff = PerformanceHandoff {
        channels: roi
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
            "journeys": journeys, "attribution": a, "roi": roi, (handoff::KEY): handoff,
        }),
    )
    .with_files(charts))
}

fn headline(a: &Attribution, journeys: usize, roi: Option<&Roi>, names: &DisplayNames) -> String {
    let mut s = format!(
        "{} journeys, {} conversions worth {} in the quarter under review.",
        count(journeys),
        whole(a.total_conversions),
        money(a.total_value)
    );
    let over = a
        .disagreement
        .iter()
        .filter(|d| d.last_touch_error > 0.0)
        .max_by(|x, y| x.last_touch_error.total_cmp(&y.last_touch_error));
    let under = a
        .disagreement
        .iter()
        .filter(|d| d.last_touch_error < 0.0)
        .min_by(|x, y| x.last_touch_error.total_cmp(&y.last_touch_error));
    if let Some(r) = roi {
        let spend: f64 = r.channels.iter().map(|c| c.spend).sum();
        s.push_str(&format!(
            " Paid media spend {} returned {:.2} in attributed revenue per dollar.",
            money(spend),
            r.portfolio_roas.unwrap_or(0.0)
        ));
    }
    if let (Some(o), Some(u)) = (over, under) {
        s.push_str(&format!(
            " Last-touch reporting over-credits **{}** by {:.0} conversions and under-credits **{}** by {:.0}, against the mean of the Shapley and Markov models.",
            names.name(&o.channel), o.last_touch_error, names.name(&u.channel), -u.last_touch_error
        ));
    }
    s
}
