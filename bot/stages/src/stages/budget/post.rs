//! The budget stage's post: headline, allocation table, the two baselines, the fit
//! behind the curves, what to do; a grouped-bar chart of last quarter against proposed.

use quarterdeck_analyses::mmm::calibrate::Identification;
use serde_json::json;

use super::BudgetPlan;
use crate::charts::{
    self, BarSeries, GroupedBars, LineChart, LineSeries, Orientation, ReferenceLine, Size,
    ValueFormat,
};
use crate::chat::{Message, Table};
use crate::report::{DisplayNames, money};
use crate::stages::handoff::{self, ChannelBudget};
use crate::stages::{FINDINGS_SCHEMA, OutputFile, StageOutput, stage_title};

/// The stage's output: the post, its charts and the findings (with the headline), from
/// the plan alone; `quarter` names the quarter under review (`2026-Q4`).
pub fn output(plan: &BudgetPlan, quarter: &str, names: &DisplayNames) -> StageOutput {
    let (message, headline) = message(plan, names);
    StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 6, "available": true, "headline": headline,
            "last_quarter_basis": plan.last_quarter_basis,
            "curves": plan.curves, "allocation": plan.allocation,
            "calibration": plan.calibration, "decision": plan.decision,
            "lift_tests": plan.lift_tests, "booked": plan.booked,
            (handoff::KEY): plan.handoff,
        }),
    )
    .with_files(files(plan, quarter, names))
}

/// The charts: spend by channel against last quarter, and each channel's marginal ROI.
pub fn files(plan: &BudgetPlan, quarter: &str, names: &DisplayNames) -> Vec<OutputFile> {
    chart(&plan.handoff.channels, quarter, names)
        .into_iter()
        .chain(marginal_chart(plan, names))
        .collect()
}

/// The post and its headline.
pub fn message(plan: &BudgetPlan, names: &DisplayNames) -> (Message, String) {
    let h = &plan.handoff;
    let a = &plan.allocation;
    let headline = headline(plan, names);
    let mut body = headline.clone();
    body.push_str(&format!(
        "\n\nLast quarter = {}. Response curves from {} weeks of history (R² {:.2}); \
         expected revenue is the media-driven revenue the curves predict over the quarter, \
         on top of the baseline the model attributes to trend, season and controls.",
        plan.last_quarter_basis, plan.curves.weeks, plan.curves.r2
    ));
    body.push_str(&confidence(plan));
    body.push_str(&actions(plan, names));
    if !a.certified_optimal {
        body.push_str(
            "\n\nThe optimiser could not certify this split as the global optimum (an S-shaped \
             curve leaves a duality gap); it is the best of a fine grid search.",
        );
    }

    let mut table = Table::new(
        "Allocation",
        &[
            "Channel",
            "Last quarter",
            "Proposed",
            "Change",
            "Expected revenue",
            "Marginal ROI",
            "Rationale",
        ],
    );
    for c in &h.channels {
        table = table.row(vec![
            names.name(&c.channel),
            money(c.last_quarter_spend),
            money(c.spend),
            signed_money(c.spend - c.last_quarter_spend),
            money(c.expected_revenue),
            format!("{:.2}", c.marginal_roi),
            c.rationale.clone(),
        ]);
    }
    table = table.row(vec![
        "Total".into(),
        money(h.channels.iter().map(|c| c.last_quarter_spend).sum()),
        money(h.allocatable),
        signed_money(h.allocatable - h.channels.iter().map(|c| c.last_quarter_spend).sum::<f64>()),
        money(h.expected_revenue),
        String::new(),
        format!("+ {} test reserve = {}", money(h.reserve), money(h.total)),
    ]);

    let mut baselines = Table::new(
        "Against the baselines (same allocatable amount, same curves)",
        &["Allocation", "Expected revenue", "Proposed does"],
    );
    baselines = baselines.row(vec![
        "Proposed".into(),
        money(h.expected_revenue),
        "—".into(),
    ]);
    baselines = baselines.row(vec![
        "The curves' optimum (equal marginal ROI)".into(),
        money(a.total_response),
        gain(h.expected_revenue, a.total_response),
    ]);
    if let Some(m) = &a.historical_mix {
        baselines = baselines.row(vec![
            "Last quarter's mix, scaled".into(),
            money(m.total_response),
            gain(h.expected_revenue, m.total_response),
        ]);
    }
    baselines = baselines.row(vec![
        "In proportion to average ROI".into(),
        money(a.roi_proportional.total_response),
        gain(h.expected_revenue, a.roi_proportional.total_response),
    ]);

    let mut fit = Table::new(
        format!(
            "Response curves ({:.0}% bootstrap intervals, {} refits)",
            plan.curves.interval_level * 100.0,
            plan.curves.bootstrap
        ),
        &[
            "Channel",
            "ROAS",
            "Interval",
            "History alone",
            "Identification",
            "Adstock decay",
        ],
    );
    for (c, cal) in plan.curves.channels.iter().zip(&plan.calibration) {
        fit = fit.row(vec![
            names.name(&c.channel),
            format!("{:.2}", c.roas),
            format!("{:.2}–{:.2}", c.roas_low, c.roas_high),
            format!(
                "{:.2} ({:.2}–{:.2})",
                cal.history_roas, cal.history_low, cal.history_high
            ),
            cal.identification.phrase().to_owned(),
            format!("{:.2}", c.adstock_decay),
        ]);
    }

    let message = Message::new(
        format!("{} — next quarter's split and test reserve", stage_title(6)),
        body,
    )
    .table(table)
    .table(baselines)
    .table(fit);
    (message, headline)
}

fn headline(plan: &BudgetPlan, names: &DisplayNames) -> String {
    let h = &plan.handoff;
    let mut s = format!(
        "Next quarter's budget is **{}** ({}). **{}** ({:.1}%) is held back for tests and \
         **{}** goes to {} channels, for an expected **{}** in media-driven revenue",
        money(h.total),
        h.total_basis,
        money(h.reserve),
        h.reserve / h.total * 100.0,
        money(h.allocatable),
        h.channels.len(),
        money(h.expected_revenue),
    );
    if let Some(m) = &plan.allocation.historical_mix {
        s.push_str(&format!(
            ", {} {} than last quarter's mix would bring at the same budget",
            money((h.expected_revenue - m.total_response).abs()),
            if h.expected_revenue >= m.total_response {
                "more"
            } else {
                "less"
            }
        ));
    }
    s.push('.');
    let mut moves: Vec<&ChannelBudget> = h.channels.iter().collect();
    moves.sort_by(|x, y| {
        (y.spend - y.last_quarter_spend)
            .abs()
            .total_cmp(&(x.spend - x.last_quarter_spend).abs())
    });
    let moves: Vec<String> = moves
        .iter()
        .take(2)
        .map(|c| {
            format!(
                "**{}** {}",
                names.name(&c.channel),
                signed_money(c.spend - c.last_quarter_spend)
            )
        })
        .collect();
    if !moves.is_empty() {
        s.push_str(&format!(" Biggest moves: {}.", moves.join(", ")));
    }
    s
}

/// What to do about it: where to move money, which curves to distrust.
fn actions(plan: &BudgetPlan, names: &DisplayNames) -> String {
    let h = &plan.handoff;
    let mut out = String::from("\n\n**What to do**");
    let capped: Vec<String> = h
        .channels
        .iter()
        .filter(|c| c.rationale.contains("max"))
        .map(|c| names.name(&c.channel))
        .collect();
    out.push_str(&format!(
        "\n- Book the proposed spend per channel; the campaign calendar (stage 8) splits it \
         into campaigns and funds the testing roadmap from the {} reserve.",
        money(h.reserve)
    ));
    if !capped.is_empty() {
        out.push_str(&format!(
            "\n- {} would still return more than the others at the margin but sit at their \
             ceiling; raise the cap in objectives.toml `[budget]` only after a test confirms \
             the curve.",
            capped.join(", ")
        ));
    }
    let wide: Vec<String> = plan
        .calibration
        .iter()
        .filter(|c| c.identification == Identification::Poorly)
        .map(|c| names.name(&c.channel))
        .collect();
    if !wide.is_empty() {
        out.push_str(&format!(
            "\n- The history barely pins down {}: their ROAS interval is more than one and a \
             half times the estimate. The split moves money there only as far as the \
             refits agree; a holdout test (stage 8's roadmap) is what would settle it.",
            wide.join(", ")
        ));
    }
    let booked: Vec<String> = h
        .channels
        .iter()
        .filter(|c| c.booked > 0.0)
        .map(|c| format!("{} {}", names.name(&c.channel), money(c.booked)))
        .collect();
    if !booked.is_empty() {
        out.push_str(&format!(
            "\n- Already booked into the quarter, and so each channel's floor: {}.",
            booked.join(", ")
        ));
    }
    out
}

/// The split against last quarter's mix across the refits, in a paragraph.
fn confidence(plan: &BudgetPlan) -> String {
    let Some(u) = &plan.handoff.uncertainty else {
        return String::new();
    };
    format!(
        "\n\n**Confidence.** Priced by {} refits of the curves, the split beats last \
         quarter's mix in {:.0}% of them, by {} on average ({:.0}% interval {} to {}); \
         media-driven revenue {} to {}. It moves {:.0}% of the way towards the curves' \
         optimum: going all the way would beat last quarter's mix in {:.0}% of refits.",
        u.draws,
        u.probability_beats_last_mix * 100.0,
        signed_money(u.expected_gain),
        u.level * 100.0,
        signed_money(u.gain_low),
        signed_money(u.gain_high),
        money(u.revenue_low),
        money(u.revenue_high),
        u.share_of_move * 100.0,
        u.full_move_probability * 100.0,
    )
}

fn signed_money(x: f64) -> String {
    if x.round() > 0.0 {
        format!("+{}", money(x))
    } else {
        money(x)
    }
}

fn gain(proposed: f64, baseline: f64) -> String {
    if baseline > 0.0 {
        format!(
            "{} ({:+.1}%)",
            signed_money(proposed - baseline),
            (proposed / baseline - 1.0) * 100.0
        )
    } else {
        signed_money(proposed - baseline)
    }
}

/// Last quarter's spend against the proposed, by channel.
fn chart(channels: &[ChannelBudget], quarter: &str, names: &DisplayNames) -> Option<OutputFile> {
    let spec = GroupedBars {
        title: "Spend by channel: last quarter and proposed".into(),
        subtitle: Some(format!(
            "{quarter} against next quarter · proposal equalises marginal ROI"
        )),
        categories: channels.iter().map(|c| names.name(&c.channel)).collect(),
        series: vec![
            BarSeries {
                name: "Last quarter".into(),
                values: channels.iter().map(|c| c.last_quarter_spend).collect(),
            },
            BarSeries {
                name: "Proposed".into(),
                values: channels.iter().map(|c| c.spend).collect(),
            },
        ],
        orientation: Orientation::Horizontal,
        format: ValueFormat::Currency { symbol: "$".into() },
        value_axis: "Spend".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    };
    match charts::grouped_bars(&spec) {
        Ok(png) => Some(OutputFile::png("budget-by-channel.png", png.bytes)),
        Err(e) => {
            tracing::warn!(chart = "budget-by-channel", error = %e, "chart left out");
            None
        }
    }
}

/// Marginal ROI of each channel's quarter curve from half to double last quarter's
/// spend; where a line crosses the common marginal ROI is where the optimum puts it.
fn marginal_chart(plan: &BudgetPlan, names: &DisplayNames) -> Option<OutputFile> {
    let multiples: Vec<f64> = (2..=8).map(|k| f64::from(k) * 0.25).collect();
    let series: Vec<LineSeries> = plan
        .curves
        .channels
        .iter()
        .zip(&plan.last_quarter)
        .filter(|(_, last)| **last > 0.0)
        .map(|(c, last)| LineSeries {
            name: names.name(&c.channel),
            values: multiples
                .iter()
                .map(|m| Some(c.curve.slope(m * last)))
                .collect(),
        })
        .collect();
    let mut interior: Vec<f64> = plan
        .allocation
        .channels
        .iter()
        .filter(|c| c.rationale.contains("interior"))
        .map(|c| c.marginal_roi)
        .collect();
    interior.sort_by(f64::total_cmp);
    let spec = LineChart {
        title: "Marginal ROI by channel".into(),
        subtitle: Some(
            "revenue from the next dollar, at half to double last quarter's spend".into(),
        ),
        x_labels: multiples.iter().map(|m| format!("{m}×")).collect(),
        series,
        format: ValueFormat::Multiple,
        value_axis: "Marginal ROI".into(),
        x_axis: Some("Spend as a multiple of last quarter's".into()),
        reference: interior.get(interior.len() / 2).map(|v| ReferenceLine {
            value: *v,
            label: "Equalised marginal ROI".into(),
        }),
        y_from_zero: true,
        size: Size::default(),
    };
    match charts::line_chart(&spec) {
        Ok(png) => Some(OutputFile::png("marginal-roi.png", png.bytes)),
        Err(e) => {
            tracing::warn!(chart = "marginal-roi", error = %e, "chart left out");
            None
        }
    }
}
