//! Stage 1, performance review. Built so far: multi-touch attribution of the quarter
//! under review (journeys whose first touch falls in it), by all seven models, with the
//! channels last-touch reporting misjudges most. Campaign ROI (spend, budget use, ROAS,
//! CAC) is not built yet and the post says so.

use quarterdeck_analyses::attribution::{self, Attribution, Params};
use serde_json::json;

use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput, stage_title};
use crate::chat::{Message, Table};
use crate::report::{count, money};
use crate::sources;

/// Seven-day half-life (days between touch and conversion); first-order chain.
const PARAMS: Params = Params {
    half_life: 7.0,
    markov_order: 1,
};

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    for file in ["touchpoints.csv", "conversions.csv"] {
        if !inputs.data_dir.join(file).is_file() {
            return Ok(super::inventory::unavailable(
                1,
                inputs,
                format!("{file} is not in the data folder, so there is nothing to attribute"),
            ));
        }
    }
    let (from, to) = inputs.review_window();
    let journeys = sources::read_journeys(
        &inputs.data_dir.join("touchpoints.csv"),
        &inputs.data_dir.join("conversions.csv"),
        Some((from, to)),
    )?;
    let a =
        attribution::attribute_journeys(&journeys, &PARAMS).map_err(|e| StageError::BadFile {
            file: "touchpoints.csv".into(),
            message: e.to_string(),
        })?;
    let headline = headline(&a, journeys.len());
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
            m.markov[i].channel.clone(),
            format!("{:.0}", m.last[i].conversions),
            format!("{:.0}", m.linear[i].conversions),
            format!("{:.0}", m.shapley[i].conversions),
            format!("{:.0}", m.markov[i].conversions),
            money(m.markov[i].value),
        ]);
    }
    let message = Message::new(
        format!("{} — attribution", stage_title(1)),
        format!(
            "{headline}\n\nCampaign ROI (spend, budget use, ROAS, CAC) is not built yet: no ROI figures are given."
        ),
    )
    .table(table);
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 1, "available": true, "headline": headline,
            "journeys": journeys.len(), "attribution": a, "roi": null,
        }),
    ))
}

fn headline(a: &Attribution, journeys: usize) -> String {
    let mut s = format!(
        "{} journeys, {:.0} conversions worth {} in the quarter under review.",
        count(journeys),
        a.total_conversions,
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
    if let (Some(o), Some(u)) = (over, under) {
        s.push_str(&format!(
            " Last-touch reporting over-credits **{}** by {:.0} conversions and under-credits **{}** by {:.0}, against the mean of the Shapley and Markov models.",
            o.channel, o.last_touch_error, u.channel, -u.last_touch_error
        ));
    }
    s
}
