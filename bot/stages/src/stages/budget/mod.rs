//! Stage 6, budget allocation (marketing-budget-optimizer): next quarter's total from
//! `objectives.toml`, a test reserve held back, and the rest split across channels where
//! marginal ROI is equal, on response curves fitted from the weekly media history.
//!
//! - Curves: `analyses::mmm` on `weekly_media.csv`, `weekly_revenue.csv` and (when
//!   present) `controls.csv`, default options (each channel's saturation chosen by BIC,
//!   logistic unless its weeks show an S; 100 bootstrap refits, seed 0), each channel's
//!   quarter curve over 13 weeks; and a second fit with the other family
//!   ([`other_family`]), whose refits only judge how far the split moves.
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

mod holdout;
mod method;

use quarterdeck_analyses::budget::uncertain::{self, Move};
use quarterdeck_analyses::budget::{self, Allocation, BudgetError};
use quarterdeck_analyses::curves::Curve;
use quarterdeck_analyses::mmm::calibrate::{self, ChannelCalibration, RoasEvidence};
use quarterdeck_analyses::mmm::{self, ResponseCurves};
use quarterdeck_analyses::quarter_plan::rounding::{from_cents, split_cents, to_cents};
use quarterdeck_analyses::quarter_plan::spec::{
    ChannelInput, budget_spec, has_no_effect, to_curve,
};

use super::calendar::campaigns::{Span, committed_cents, read_history};
use super::handoff::{
    BudgetHandoff, BudgetUncertainty, ChannelBudget, MediaOutlook, PerformanceHandoff,
};
use super::{StageError, StageInputs, StageOutput};
use crate::sources::{LiftTest, Objectives, WeeklySeries, read_experiments, weekly_series};

const MEDIA: &str = "weekly_media.csv";
const REVENUE: &str = "weekly_revenue.csv";
const CONTROLS: &str = "controls.csv";
const OBJECTIVES: &str = "objectives.toml";
const CAMPAIGNS: &str = "campaigns.csv";
const EXPERIMENTS: &str = "experiments.csv";

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
    /// The optimum of the calibrated point curves (the deterministic `analyze budget`).
    pub allocation: Allocation,
    /// Per channel: what calibration did and how well the curve is identified.
    pub calibration: Vec<ChannelCalibration>,
    /// How far the split moved from last quarter's mix, priced by every refit.
    pub decision: Move,
    /// Refits of the other curve family ([`other_family`]), calibrated alike: the move
    /// must gain under them too.
    /// Read back by the allocation benchmark, which re-chooses the move.
    #[serde(skip)]
    #[cfg_attr(not(test), allow(dead_code))]
    pub other_family_draws: Vec<Vec<Curve>>,
    /// Per channel, money already booked into the quarter.
    pub booked: Vec<f64>,
    pub lift_tests: Vec<LiftTest>,
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
    let amended = amend(&mut plan, &inputs.run.amendments, &series, inputs);
    let mut out = post::output(&plan, &inputs.review_label(), &inputs.names);
    super::amendments::note_on(&mut out, &amended);
    Ok(out)
}

/// The run's budget amendments on top of the optimiser's allocation (see
/// [`super::amendments`]), then the moved split priced as the optimiser's was; the
/// allocation table follows the handoff.
fn amend(
    plan: &mut BudgetPlan,
    amendments: &[crate::domain::Amendment],
    series: &WeeklySeries,
    inputs: &StageInputs,
) -> Vec<String> {
    let before: Vec<f64> = plan.handoff.channels.iter().map(|c| c.spend).collect();
    let lines = super::amendments::amend_budget(&mut plan.handoff, amendments);
    let mut moved = false;
    // A channel the amendments moved says so after the optimiser's reason, so its
    // figure and its rationale agree.
    for (c, was) in plan.handoff.channels.iter_mut().zip(before) {
        if to_cents(c.spend) != to_cents(was) {
            moved = true;
            c.rationale = format!(
                "{}; then {} → {} by the change requests applied",
                c.rationale,
                crate::report::money(was),
                crate::report::money(c.spend)
            );
        }
    }
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
    if moved {
        price_split(plan, series, inputs);
    }
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
    plan_with(
        series,
        objectives,
        inputs,
        media_file,
        objectives_file,
        &mmm::Options::default(),
    )
}

/// [`plan`] with other curve-fitting options (the allocation benchmark compares curve
/// families on the same samples).
pub(crate) fn plan_with(
    series: &WeeklySeries,
    objectives: &Objectives,
    inputs: &StageInputs,
    media_file: &str,
    objectives_file: &str,
    fit: &mmm::Options,
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

    let booked = bookings(inputs, &channels)?;
    let lift_tests = match data_table(inputs, EXPERIMENTS)? {
        Some(t) => read_experiments(&t)?,
        None => Vec::new(),
    };
    if let Some(t) = lift_tests
        .iter()
        .find(|t| !channels.contains(&t.channel.as_str()))
    {
        return Err(StageError::BadFile {
            file: inputs
                .data
                .origin(EXPERIMENTS)
                .unwrap_or(EXPERIMENTS)
                .to_owned(),
            message: format!(
                "the lift test of {} names channel `{}`: expected one of the channels in \
                 {media_file} ({})",
                t.period,
                t.channel,
                channels.join(", ")
            ),
        });
    }
    let mut evidence: Vec<RoasEvidence> = lift_tests.iter().map(LiftTest::evidence).collect();
    if let Some(review) = inputs.handoff::<PerformanceHandoff>(1) {
        evidence.extend(review.channels.iter().filter_map(|c| {
            c.roas
                .filter(|r| *r > 0.0 && channels.contains(&c.channel.as_str()))
                .map(|r| RoasEvidence::attribution(&c.channel, r))
        }));
    }

    let mut curves = mmm::fit(&series.data, fit).map_err(|e| StageError::BadFile {
        file: media_file.to_owned(),
        message: format!("cannot fit response curves: {e}"),
    })?;
    let calibration = calibrate::calibrate(&mut curves, &evidence);
    // Structural uncertainty: the same data fitted with the other family, calibrated by
    // the same evidence; only its refits are used, to judge the move.
    let other_fit = mmm::Options {
        saturation: other_family(fit.saturation),
        ..fit.clone()
    };
    let mut other = mmm::fit(&series.data, &other_fit).map_err(|e| StageError::BadFile {
        file: media_file.to_owned(),
        message: format!("cannot fit response curves: {e}"),
    })?;
    calibrate::calibrate(&mut other, &evidence);
    let (_, other_family_draws) = budget_curves(&other);
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
    let mut spec = budget_spec(
        total,
        objectives.reserve_share,
        objectives.allow_reserve_outside_range,
        &channel_inputs,
        &objectives.budget_rules,
    );
    // Money already booked is committed: the channel's floor (and its ceiling, if that
    // was lower).
    for (c, b) in spec.channels.iter_mut().zip(&booked) {
        if *b > 0.0 {
            let min = c.min.unwrap_or(0.0).max(*b);
            c.min = Some(min);
            c.max = Some(c.max.map_or(min, |m| m.max(min)));
        }
    }
    let allocation = budget::allocate(&spec).map_err(|e| bad_objectives(advice(&e)))?;

    // Under uncertainty: move from last quarter's mix towards the optimum only as far
    // as the refits of both curve families agree it gains.
    let optimum: Vec<f64> = allocation.channels.iter().map(|c| c.spend).collect();
    let baseline = baseline(&allocation, &optimum);
    let (point, draws) = budget_curves(&curves);
    let decision = uncertain::choose_judged_by(
        &baseline,
        &optimum,
        &point,
        &draws,
        &[&draws, &other_family_draws],
        curves.interval_level,
        uncertain::CAUTION,
    );

    // Money to the cent: the reserve is rounded once, the channels share the rest exactly.
    let total_cents = to_cents(total);
    let reserve_cents = (total_cents as f64 * objectives.reserve_share).round() as i64;
    let allocatable_cents = total_cents - reserve_cents;
    let cents = split_cents(allocatable_cents, &decision.spend).unwrap_or_else(|| {
        split_cents(allocatable_cents, &vec![1.0; optimum.len()]).unwrap_or_default()
    });
    let channels: Vec<ChannelBudget> = allocation
        .channels
        .iter()
        .zip(&curves.channels)
        .zip(cents.iter().zip(&last_quarter))
        .zip(booked.iter().zip(&calibration))
        .map(|(((a, fitted), (c, last)), (booked, cal))| {
            let spend = from_cents(*c);
            let flat = has_no_effect(&fitted.curve);
            ChannelBudget {
                channel: a.name.clone(),
                spend,
                last_quarter_spend: *last,
                // Priced below, with the rest of what follows from the split.
                expected_revenue: 0.0,
                marginal_roi: 0.0,
                rationale: rationale(a, spend, *booked, flat, &decision),
                booked: *booked,
                roas: cal.roas,
                roas_low: cal.roas_low,
                roas_high: cal.roas_high,
                identification: cal.identification.phrase().to_owned(),
            }
        })
        .collect();
    let handoff = BudgetHandoff {
        total: from_cents(total_cents),
        reserve: from_cents(reserve_cents),
        allocatable: from_cents(allocatable_cents),
        expected_revenue: 0.0,
        channels,
        total_basis,
        uncertainty: None,
        method: Vec::new(),
        holdout: None,
        outlook: None,
        held_back: Vec::new(),
    };
    let mut plan = BudgetPlan {
        curves,
        last_quarter,
        last_quarter_basis,
        allocation,
        calibration,
        decision,
        other_family_draws,
        booked,
        lift_tests,
        handoff,
    };
    price_split(&mut plan, series, inputs);
    Ok(Some(plan))
}

/// What follows from the split, computed once it is final (after the optimiser, and
/// again after change requests moved money, so version N+1 states its own figures):
/// each channel's expected revenue and marginal ROI at its spend, the split priced by the
/// refits against last quarter's mix, the outlook stage 7 forecasts from, the geo test
/// proposed for the least identified channel, and the method paragraphs.
fn price_split(plan: &mut BudgetPlan, series: &WeeklySeries, inputs: &StageInputs) {
    let (point, draws) = budget_curves(&plan.curves);
    let handoff = &mut plan.handoff;
    for ((c, fitted), curve) in handoff
        .channels
        .iter_mut()
        .zip(&plan.curves.channels)
        .zip(&point)
    {
        let flat = has_no_effect(&fitted.curve);
        c.expected_revenue = if flat {
            0.0
        } else {
            fitted.curve.response(c.spend)
        };
        c.marginal_roi = if flat { 0.0 } else { curve.marginal(c.spend) };
    }
    handoff.expected_revenue = handoff.channels.iter().map(|c| c.expected_revenue).sum();
    for held in &mut handoff.held_back {
        let Some(i) = (handoff.channels.iter()).position(|c| c.channel == held.channel) else {
            continue;
        };
        let (fitted, spend) = (&plan.curves.channels[i].curve, handoff.channels[i].spend);
        held.revenue_if_released = if has_no_effect(fitted) {
            0.0
        } else {
            fitted.response(spend + held.amount) - fitted.response(spend)
        };
    }
    let planned: Vec<f64> = handoff.channels.iter().map(|c| c.spend).collect();

    let d = &plan.decision;
    // With no history the move was judged against the optimum, where the decision sits.
    let baseline = baseline(&plan.allocation, &d.spend);
    handoff.uncertainty = (d.draws > 0).then(|| {
        let p = uncertain::price(&baseline, &planned, &point, &draws, d.level);
        BudgetUncertainty {
            draws: d.draws,
            level: d.level,
            share_of_move: d.share_of_move,
            probability_beats_last_mix: p.probability_beats_baseline,
            expected_gain: p.expected_gain,
            gain_low: p.gain_low,
            gain_high: p.gain_high,
            revenue_low: p.response_low,
            revenue_high: p.response_high,
            full_move_expected_gain: d.full_move_expected_gain,
            full_move_probability: d.full_move_probability,
        }
    });

    let mut margins: Vec<f64> = handoff
        .channels
        .iter()
        .filter(|c| c.marginal_roi > 0.0)
        .map(|c| c.marginal_roi)
        .collect();
    margins.sort_by(f64::total_cmp);
    let y = &series.data.outcome;
    let mean = y.iter().sum::<f64>() / y.len().max(1) as f64;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / y.len().max(2) as f64;
    let refit_roas: Vec<Vec<f64>> = (0..plan.curves.channels.len())
        .map(|i| plan.curves.draws.iter().map(|d| d[i].roas).collect())
        .collect();
    handoff.holdout = holdout::propose(
        &handoff.channels,
        &refit_roas,
        margins.get(margins.len() / 2).copied().unwrap_or(0.0),
        ((1.0 - plan.curves.r2).max(0.0) * var).sqrt(),
        super::calendar::test_window(inputs).1,
    );
    let change = uncertain::change(
        &plan.last_quarter,
        &planned,
        &point,
        &draws,
        plan.curves.interval_level,
    );
    let (weeks, _) = reference_weeks(series, inputs);
    handoff.outlook = Some(MediaOutlook {
        last_quarter_revenue: weeks.iter().map(|w| y[*w]).sum(),
        media_last_quarter: total_response(&point, &plan.last_quarter),
        media_planned: total_response(&point, &planned),
        change: change.point,
        change_low: change.low,
        change_high: change.high,
        level: change.level,
    });
    handoff.method = method::paragraphs(&plan.curves, &plan.calibration, handoff, &plan.lift_tests);
}

/// The fitted curves in the allocator's shape: the point curves and each refit's.
pub(crate) fn budget_curves(fits: &ResponseCurves) -> (Vec<Curve>, Vec<Vec<Curve>>) {
    let point = fits.channels.iter().map(|c| to_curve(&c.curve)).collect();
    let draws = (fits.draws.iter())
        .map(|d| d.iter().map(|c| to_curve(&c.curve)).collect())
        .collect();
    (point, draws)
}

/// What the move is judged against: last quarter's mix scaled to the allocatable amount
/// (`otherwise`, the optimiser's split, when there is no history to scale).
fn baseline(allocation: &Allocation, otherwise: &[f64]) -> Vec<f64> {
    allocation.historical_mix.as_ref().map_or_else(
        || otherwise.to_vec(),
        |m| m.channels.iter().map(|c| c.spend).collect(),
    )
}

/// The curve family whose refits also judge the move: hill, or logistic when the curves
/// are hill already. Per channel the family is one of the two, so the other is hill
/// (judging by logistic for every channel as well chose the same move on seeds 1–40).
pub(crate) fn other_family(shape: mmm::Shape) -> mmm::Shape {
    match shape {
        mmm::Shape::Hill => mmm::Shape::Logistic,
        _ => mmm::Shape::Hill,
    }
}

fn total_response(curves: &[Curve], spend: &[f64]) -> f64 {
    curves.iter().zip(spend).map(|(c, x)| c.response(*x)).sum()
}

fn data_table(
    inputs: &StageInputs,
    name: &str,
) -> Result<Option<crate::sources::CsvTable>, StageError> {
    Ok(inputs.data.table(name)?)
}

/// Per channel (in `channels`' order), money booked into the planned quarter by
/// campaigns that started last quarter (`campaigns.csv`, read as stage 8 reads it).
fn bookings(inputs: &StageInputs, channels: &[&str]) -> Result<Vec<f64>, StageError> {
    let Some(table) = data_table(inputs, CAMPAIGNS)? else {
        return Ok(vec![0.0; channels.len()]);
    };
    let (review, next) = Span::quarters(inputs);
    let history = read_history(&table, review, next)?;
    Ok(channels
        .iter()
        .map(|c| from_cents(committed_cents(&history, c)))
        .collect())
}

/// Why the channel gets its spend, in a sentence.
fn rationale(
    a: &budget::ChannelAllocation,
    spend: f64,
    booked: f64,
    flat: bool,
    decision: &Move,
) -> String {
    if flat {
        return "no measurable return in the history (fitted effect 0): held at its floor; \
                test it before spending more"
            .into();
    }
    let held = if booked > 0.0 && (spend - booked).abs() < 0.01 {
        format!(
            "held at the {} already booked; ",
            crate::report::money(booked)
        )
    } else {
        String::new()
    };
    if decision.share_of_move >= 1.0 {
        format!("{held}{}", a.rationale)
    } else if decision.share_of_move <= 0.0 {
        format!(
            "{held}kept at last quarter's mix: the refits of both curve families do not \
             agree that moving towards the curves' optimum ({}) gains",
            crate::report::money(a.spend)
        )
    } else {
        format!(
            "{held}{:.0}% of the way from last quarter's mix to the curves' optimum ({}), \
             as far as the refits of both curve families agree it gains",
            decision.share_of_move * 100.0,
            crate::report::money(a.spend)
        )
    }
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
