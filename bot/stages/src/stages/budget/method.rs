//! The budget method in plain words, for the plan's appendix: what was assumed, what the
//! data could not tell, and how much the split depends on it.

use quarterdeck_analyses::mmm::calibrate::{ChannelCalibration, Identification};
use quarterdeck_analyses::mmm::select::HILL_EVIDENCE;
use quarterdeck_analyses::mmm::{FittedCurve, ResponseCurves, Saturation};

use crate::report::money;
use crate::sources::LiftTest;
use crate::stages::handoff::{BudgetHandoff, HoldoutProposal};

pub fn paragraphs(
    curves: &ResponseCurves,
    calibration: &[ChannelCalibration],
    h: &BudgetHandoff,
    lift_tests: &[LiftTest],
) -> Vec<String> {
    let mut out = vec![format!(
        "Assumed: each channel's revenue rises with its spend along a saturating curve, and \
         part of a week's spend keeps working in later weeks (carry-over). The curves were \
         fitted to {} weeks of spend and revenue, with trend, season and the controls taken \
         out first (R² {:.2}). A quarter's revenue is read off the curve for money spent \
         evenly over 13 weeks.",
        curves.weeks, curves.r2
    )];
    if let Some(shapes) = shape_choice(curves) {
        out.push(shapes);
    }
    if curves.families.len() > 1 {
        out.push(format!(
            "Two curve shapes were fitted, one that starts slowly and then rises (S-shaped) \
             and one that gives most from the first dollars (concave), because history \
             rarely shows which is right near spend levels it never visited. Each channel's \
             return is the two shapes' answers averaged by how well each explains the \
             weeks for its complexity ({}).",
            curves
                .families
                .iter()
                .map(|f| format!(
                    "{} {:.0}%",
                    match f.saturation {
                        Saturation::Hill => "S-shaped",
                        Saturation::Logistic => "concave",
                    },
                    f.weight * 100.0
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let tests = if lift_tests.is_empty() {
        "No lift test results were in experiments.csv.".to_owned()
    } else {
        format!(
            "Lift tests from experiments.csv were combined with the history, each weighted \
             by how precise it was: {}.",
            lift_tests
                .iter()
                .map(|t| format!(
                    "{} ({}, ROAS {:.2}, {:.2}–{:.2})",
                    t.channel, t.period, t.roas, t.low, t.high
                ))
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    out.push(format!(
        "Also used: {tests} Last quarter's attributed ROAS entered only as a weak prior, \
         because journey credit shows which channels were present, not what they added."
    ));
    let poorly: Vec<&str> = calibration
        .iter()
        .filter(|c| c.identification == Identification::Poorly || c.history_roas <= 0.0)
        .map(|c| c.channel.as_str())
        .collect();
    out.push(if poorly.is_empty() {
        "What the data could not tell: every channel's return is pinned down to within one \
         and a half times its estimate."
            .to_owned()
    } else {
        format!(
            "What the data could not tell: the return of {} (their {:.0}% intervals are \
             wider than one and a half times the estimate). A holdout test there is the \
             cheapest way to find out.",
            poorly.join(", "),
            curves.interval_level * 100.0
        )
    });
    if let Some(u) = &h.uncertainty {
        out.push(format!(
            "How much the split depends on it: the curves were refitted {} times on \
             resampled history. The split moves {:.0}% of the way from last quarter's mix \
             towards the curves' optimum, as far as these refits and as many refits \
             of the other curve family agree it gains: it beats last quarter's mix in {:.0}% \
             of them, by {} on average ({:.0}% interval {} to {}). Moving all the way would \
             beat it in {:.0}% of refits, by {} on average.",
            u.draws,
            u.share_of_move * 100.0,
            u.probability_beats_last_mix * 100.0,
            money(u.expected_gain),
            u.level * 100.0,
            money(u.gain_low),
            money(u.gain_high),
            u.full_move_probability * 100.0,
            money(u.full_move_expected_gain),
        ));
    }
    if let Some(t) = &h.holdout {
        out.push(holdout_paragraph(t));
    }
    let booked: f64 = h.channels.iter().map(|c| c.booked).sum();
    if booked > 0.0 {
        out.push(format!(
            "Money already booked into the quarter ({} across {} channels) was a floor for \
             its channel: no channel is allocated less than is committed to it.",
            money(booked),
            h.channels.iter().filter(|c| c.booked > 0.0).count()
        ));
    }
    out
}

/// The geo lift test stage 6 proposes to the roadmap, as it will run (the weeks, the
/// half-width and the cost the roadmap quotes), and what it settles.
fn holdout_paragraph(t: &HoldoutProposal) -> String {
    let design = format!(
        "double {}'s spend in {:.0}% of regions for {} weeks (a geo lift test costing {} \
         of the test reserve, ranked and funded in stage 8's roadmap)",
        t.channel,
        t.share_held_out * 100.0,
        t.run_weeks,
        money(t.test_spend)
    );
    let margin = format!(
        "the channels' median marginal ROI of {:.2}",
        t.marginal_return
    );
    if t.fits_in_quarter {
        format!(
            "The test that would settle it: {design}. On its own it measures the ROAS to \
             ±{:.2}, enough to say whether {} returns more or less per dollar than {margin}.",
            t.half_width_reached, t.channel
        )
    } else {
        format!(
            "The test proposed for it: {design}. On its own it measures the ROAS to ±{:.2}, \
             which adds to the history but cannot settle whether {} returns more or less \
             per dollar than {margin}: the same test would need {} weeks to reach ±{:.2}. \
             Region-level revenue data would shorten it.",
            t.half_width_reached, t.channel, t.weeks, t.target_half_width
        )
    }
}

/// With the shape chosen per channel: which channels got the S-shaped curve and why.
fn shape_choice(curves: &ResponseCurves) -> Option<String> {
    let evidence: Vec<(&str, f64, bool)> = curves
        .channels
        .iter()
        .map(|c| {
            let hill = matches!(c.curve, FittedCurve::Hill { .. });
            c.hill_evidence.map(|e| (c.channel.as_str(), e, hill))
        })
        .collect::<Option<_>>()?;
    let named = |hill: bool| {
        let v: Vec<String> = evidence
            .iter()
            .filter(|(_, _, h)| *h == hill)
            .map(|(c, e, _)| format!("{c} {e:.1}"))
            .collect();
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(", ")
        }
    };
    Some(format!(
        "Each channel's curve is concave (it gives most from the first dollars) unless its \
         weeks show an S (a slow start, then a rise) clearly enough to pay for the extra \
         parameter: the S-shaped curve's BIC lower by {HILL_EVIDENCE:.0} or more, which Kass \
         and Raftery call positive evidence. S-shaped: {}. Concave: {} (the figure is the \
         evidence for an S). History rarely shows the shape near spend levels it never \
         visited, so there the concave curve is the simpler reading.",
        named(true),
        named(false)
    ))
}
