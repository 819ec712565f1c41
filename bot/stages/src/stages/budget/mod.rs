//! Stage 6, budget allocation (marketing-budget-optimizer): next quarter's total from
//! `objectives.toml`, a test reserve held back, and the rest split across channels where
//! marginal ROI is equal, on response curves fitted from the weekly media history.
//!
//! - Curves: `analyses::mmm` on `weekly_media.csv`, `weekly_revenue.csv` and (when
//!   present) `controls.csv`, default options (hill saturation, 100 bootstrap refits,
//!   seed 0), each channel's quarter curve over 13 weeks.
//! - Last quarter's spend per channel: the weeks of `weekly_media.csv` that start inside
//!   the quarter under review (the same series the curves are fitted on, so the
//!   comparison is like for like); when none do, its last 13 weeks.
//! - Total: `Objectives::budget` (fixed, or last quarter's spend × growth, capped).
//! - Allocation: `analyses::budget::allocate` with bounds from `[budget]`
//!   (`analyses::quarter_plan::spec`: half to double last quarter by default); money is
//!   then rounded to cents by largest remainder so the channels sum to the allocatable
//!   amount exactly.
//!
//! Reads files only through `inputs.data`; posts nothing itself.

mod post;
#[cfg(test)]
pub(crate) mod tests;

use quarterdeck_analyses::budget::{self, Allocation, BudgetError};
use quarterdeck_analyses::mmm::{self, ResponseCurves};
use quarterdeck_analyses::quarter_plan::rounding::{from_cents, split_cents, to_cents};
use quarterdeck_analyses::quarter_plan::spec::{ChannelInput, budget_spec, has_no_effect};

use super::handoff::{BudgetHandoff, ChannelBudget};
use super::{StageError, StageInputs, StageOutput};
use crate::sources::{Objectives, WeeklySeries, weekly_series};

const MEDIA: &str = "weekly_media.csv";
const REVENUE: &str = "weekly_revenue.csv";
const CONTROLS: &str = "controls.csv";
const OBJECTIVES: &str = "objectives.toml";

/// Weeks in a quarter; the horizon of the quarter curves.
const QUARTER_WEEKS: usize = 13;

/// Everything the post and the findings show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BudgetPlan {
    pub curves: ResponseCurves,
    /// Per channel (the curves' order), spend in the reference weeks.
    pub last_quarter: Vec<f64>,
    /// Which weeks count as last quarter, in a phrase.
    pub last_quarter_basis: String,
    pub allocation: Allocation,
    pub handoff: BudgetHandoff,
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let data = &inputs.data;
    let Some(objectives) = Objectives::read(data)? else {
        return Ok(super::inventory::unavailable(
            6,
            inputs,
            "objectives.toml is not in the team's data, so there is no budget to allocate".into(),
        ));
    };
    let (Some(media), Some(revenue)) = (data.table(MEDIA)?, data.table(REVENUE)?) else {
        return Ok(super::inventory::unavailable(
            6,
            inputs,
            "weekly_media.csv and weekly_revenue.csv are both needed to fit response curves, \
             and at least one is missing"
                .into(),
        ));
    };
    let series = weekly_series(&media, &revenue, data.table(CONTROLS)?.as_ref())?;
    let origin = |name: &'static str| data.origin(name).unwrap_or(name).to_owned();
    let Some(plan) = plan(
        &series,
        &objectives,
        inputs,
        &origin(MEDIA),
        &origin(OBJECTIVES),
    )?
    else {
        return Ok(super::inventory::unavailable(
            6,
            inputs,
            "objectives.toml states neither total_budget nor growth_factor, so the quarter's \
             total is unknown"
                .into(),
        ));
    };
    let mut plan = plan;
    let amended = amend(&mut plan, &inputs.run.amendments);
    let mut out = post::output(&plan, inputs);
    super::amendments::note_on(&mut out, &amended);
    Ok(out)
}

/// The run's budget amendments on top of the optimiser's allocation (see
/// [`super::amendments`]); the allocation table follows the handoff.
fn amend(plan: &mut BudgetPlan, amendments: &[crate::domain::Amendment]) -> Vec<String> {
    let curves = &plan.curves;
    let lines = super::amendments::amend_budget(&mut plan.handoff, amendments, |ch, spend| {
        let fitted = curves.channels.iter().find(|c| c.channel == ch)?;
        Some(if has_no_effect(&fitted.curve) {
            0.0
        } else {
            fitted.curve.response(spend)
        })
    });
    for (a, c) in plan
        .allocation
        .channels
        .iter_mut()
        .zip(&plan.handoff.channels)
    {
        a.spend = c.spend;
    }
    plan.allocation.reserve = plan.handoff.reserve;
    plan.allocation.allocatable = plan.handoff.allocatable;
    lines
}

/// Fits the curves and allocates; `None` when the objectives set no total.
pub fn plan(
    series: &WeeklySeries,
    objectives: &Objectives,
    inputs: &StageInputs,
    media_file: &str,
    objectives_file: &str,
) -> Result<Option<BudgetPlan>, StageError> {
    let bad_objectives = |message: String| StageError::BadFile {
        file: objectives_file.to_owned(),
        message,
    };
    let channels: Vec<&str> = series.data.spend.iter().map(|(c, _)| c.as_str()).collect();
    if let Some(unknown) = objectives
        .budget_rules
        .channels
        .keys()
        .find(|k| !channels.contains(&k.as_str()))
    {
        return Err(bad_objectives(format!(
            "`budget.channels.{unknown}`: expected one of the channels in {media_file} ({}), found {unknown}",
            channels.join(", ")
        )));
    }

    let (weeks, last_quarter_basis) = reference_weeks(series, inputs);
    let last_quarter: Vec<f64> = series
        .data
        .spend
        .iter()
        .map(|(_, s)| weeks.iter().map(|w| s[*w]).sum())
        .collect();
    let Some((total, total_basis)) = objectives.budget(Some(last_quarter.iter().sum())) else {
        return Ok(None);
    };

    let curves =
        mmm::fit(&series.data, &mmm::Options::default()).map_err(|e| StageError::BadFile {
            file: media_file.to_owned(),
            message: format!("cannot fit response curves: {e}"),
        })?;
    let channel_inputs: Vec<ChannelInput> = curves
        .channels
        .iter()
        .zip(&last_quarter)
        .map(|(c, last)| ChannelInput {
            name: c.channel.clone(),
            curve: c.curve,
            last_quarter: *last,
        })
        .collect();
    let spec = budget_spec(
        total,
        objectives.reserve_share,
        objectives.allow_reserve_outside_range,
        &channel_inputs,
        &objectives.budget_rules,
    );
    let allocation = budget::allocate(&spec).map_err(|e| bad_objectives(advice(&e)))?;

    // Money to the cent: the reserve is rounded once, the channels share the rest exactly.
    let total_cents = to_cents(total);
    let reserve_cents = (total_cents as f64 * objectives.reserve_share).round() as i64;
    let allocatable_cents = total_cents - reserve_cents;
    let optimum: Vec<f64> = allocation.channels.iter().map(|c| c.spend).collect();
    let cents = split_cents(allocatable_cents, &optimum).unwrap_or_else(|| {
        split_cents(allocatable_cents, &vec![1.0; optimum.len()]).unwrap_or_default()
    });
    let channels: Vec<ChannelBudget> = allocation
        .channels
        .iter()
        .zip(&curves.channels)
        .zip(cents.iter().zip(&last_quarter))
        .map(|((a, fitted), (c, last))| {
            let spend = from_cents(*c);
            let flat = has_no_effect(&fitted.curve);
            ChannelBudget {
                channel: a.name.clone(),
                spend,
                last_quarter_spend: *last,
                expected_revenue: if flat {
                    0.0
                } else {
                    fitted.curve.response(spend)
                },
                marginal_roi: if flat { 0.0 } else { a.marginal_roi },
                rationale: if flat {
                    "no measurable return in the history (fitted effect 0): held at its floor; \
                     test it before spending more"
                        .into()
                } else {
                    a.rationale.clone()
                },
            }
        })
        .collect();
    let handoff = BudgetHandoff {
        total: from_cents(total_cents),
        reserve: from_cents(reserve_cents),
        allocatable: from_cents(allocatable_cents),
        expected_revenue: channels.iter().map(|c| c.expected_revenue).sum(),
        channels,
        total_basis,
    };
    Ok(Some(BudgetPlan {
        curves,
        last_quarter,
        last_quarter_basis,
        allocation,
        handoff,
    }))
}

/// The weeks that stand for last quarter, and how they were chosen.
fn reference_weeks(series: &WeeklySeries, inputs: &StageInputs) -> (Vec<usize>, String) {
    let inside: Vec<usize> = (0..series.weeks.len())
        .filter(|w| {
            let d = series.weeks[*w];
            d >= inputs.review_start && d < inputs.quarter_start
        })
        .collect();
    if inside.is_empty() {
        let n = series.weeks.len();
        let from = n.saturating_sub(QUARTER_WEEKS);
        (
            (from..n).collect(),
            format!(
                "the last {} weeks of {MEDIA} (none starts in {})",
                n - from,
                inputs.review_label()
            ),
        )
    } else {
        (
            inside.clone(),
            format!(
                "the {} weeks of {MEDIA} starting in {}",
                inside.len(),
                inputs.review_label()
            ),
        )
    }
}

/// The optimiser's complaint, with what the team can change.
fn advice(e: &BudgetError) -> String {
    let fix = match e {
        BudgetError::ReserveOutsideRule(_) => {
            " (set reserve_share between 0.10 and 0.15, or allow_reserve_outside_range = true)"
        }
        BudgetError::MinimumsExceedAllocatable { .. } => {
            " (lower [budget] min_vs_last_quarter or a channel's min, or raise the budget)"
        }
        BudgetError::MaximumsBelowAllocatable { .. } => {
            " (raise [budget] max_vs_last_quarter or a channel's max, or lower the budget)"
        }
        _ => "",
    };
    format!("cannot allocate the budget: {e}{fix}")
}
