//! The plan's charts, drawn from the handoffs (the stages' own post charts stay with
//! their posts): last quarter's return by channel, the budget shift, and the monthly
//! revenue milestones.

use crate::charts::{
    self, BarSeries, ChartError, GroupedBars, Orientation, Png, Size, ValueFormat,
};
use crate::report::{DisplayNames, Figure};
use crate::stages::handoff::{BudgetHandoff, GoalsHandoff, PerformanceHandoff};

fn keep(file: &str, caption: String, rendered: Result<Png, ChartError>) -> Option<Figure> {
    match rendered {
        Ok(png) => Some(Figure {
            file: format!("{file}.png"),
            caption,
            png: png.bytes,
        }),
        Err(e) => {
            tracing::warn!(chart = file, error = %e, "plan chart left out");
            None
        }
    }
}

fn dollars() -> ValueFormat {
    ValueFormat::Currency { symbol: "$".into() }
}

/// Attributed ROAS per paid channel in the quarter under review: stage 1's chart, drawn
/// from its handoff.
pub fn roas(p: &PerformanceHandoff, quarter: &str, names: &DisplayNames) -> Option<Figure> {
    let chart = crate::stages::charts::roas_by_channel(
        p.channels.iter().map(|c| (c.channel.as_str(), c.roas)),
        quarter,
        names,
    )?;
    Some(Figure {
        file: "plan-roas-by-channel.png".into(),
        caption: format!("Return on ad spend by channel, {quarter}"),
        png: chart.bytes,
    })
}

/// Last quarter's spend against the proposed allocation, per channel.
pub fn budget(b: &BudgetHandoff, quarter: &str, names: &DisplayNames) -> Option<Figure> {
    if b.channels.is_empty() {
        return None;
    }
    let mut channels = b.channels.clone();
    channels.sort_by(|x, y| y.spend.total_cmp(&x.spend));
    let spec = GroupedBars {
        title: "Budget by channel".into(),
        subtitle: Some(format!(
            "{quarter} allocation against last quarter's spend (test reserve excluded)"
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
        format: dollars(),
        value_axis: "Spend".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    };
    keep(
        "plan-budget-by-channel",
        format!("Budget by channel, {quarter} against last quarter"),
        charts::grouped_bars(&spec),
    )
}

/// Revenue and pipeline milestones per month.
pub fn milestones(g: &GoalsHandoff, quarter: &str) -> Option<Figure> {
    if g.milestones.is_empty() {
        return None;
    }
    let spec = GroupedBars {
        title: "Monthly milestones".into(),
        subtitle: Some(format!(
            "{quarter} · revenue and pipeline to reach each month"
        )),
        categories: g.milestones.iter().map(|m| m.month.clone()).collect(),
        series: vec![
            BarSeries {
                name: "Revenue".into(),
                values: g.milestones.iter().map(|m| m.revenue).collect(),
            },
            BarSeries {
                name: "Pipeline".into(),
                values: g.milestones.iter().map(|m| m.pipeline).collect(),
            },
        ],
        orientation: Orientation::Vertical,
        format: dollars(),
        value_axis: "Amount".into(),
        category_axis: Some("Month".into()),
        reference: None,
        size: Size::default(),
    };
    keep(
        "plan-monthly-milestones",
        format!("Monthly revenue and pipeline milestones, {quarter}"),
        charts::grouped_bars(&spec),
    )
}
