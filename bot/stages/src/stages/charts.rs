//! The charts stage posts attach, drawn from their findings: ROI by channel and the
//! attribution model comparison (stage 1), the funnel with its Wilson intervals (stage 2).
//! A chart that cannot be drawn is left out with a warning; the post still goes out.

use quarterdeck_analyses::attribution::Attribution;
use quarterdeck_analyses::funnel::Funnel;

use super::OutputFile;
use crate::charts::{
    self, Bar, BarChart, BarSeries, ChartError, FunnelStage, GroupedBars, Interval, Orientation,
    Png, ReferenceLine, Size, ValueFormat,
};
use crate::report::{DisplayNames, whole};

fn keep(name: &str, rendered: Result<Png, ChartError>) -> Option<OutputFile> {
    match rendered {
        Ok(png) => Some(OutputFile::png(format!("{name}.png"), png.bytes)),
        Err(e) => {
            tracing::warn!(chart = name, error = %e, "chart left out");
            None
        }
    }
}

/// Attributed ROAS per channel (Markov value ÷ spend), best first, break-even at 1×;
/// channels without spend (no ROAS) are left out.
pub fn roas_by_channel<'a>(
    channels: impl IntoIterator<Item = (&'a str, Option<f64>)>,
    quarter: &str,
    names: &DisplayNames,
) -> Option<OutputFile> {
    let mut bars: Vec<Bar> = channels
        .into_iter()
        .filter_map(|(channel, roas)| {
            Some(Bar {
                label: names.name(channel),
                value: roas?,
            })
        })
        .collect();
    if bars.is_empty() {
        return None;
    }
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let spec = BarChart {
        title: "Return on ad spend by channel".into(),
        subtitle: Some(format!(
            "{quarter} · revenue credited by the Markov model ÷ spend"
        )),
        bars,
        orientation: Orientation::Horizontal,
        format: ValueFormat::Multiple,
        value_axis: "ROAS".into(),
        category_axis: None,
        reference: Some(ReferenceLine {
            value: 1.0,
            label: "Break-even".into(),
        }),
        size: Size::default(),
    };
    keep("roas-by-channel", charts::bar_chart(&spec))
}

/// Share of conversions each model credits to each channel.
pub fn model_comparison(
    a: &Attribution,
    quarter: &str,
    names: &DisplayNames,
) -> Option<OutputFile> {
    if a.total_conversions <= 0.0 || a.models.first.is_empty() {
        return None;
    }
    let m = &a.models;
    let models = [
        ("Last touch", &m.last),
        ("First touch", &m.first),
        ("Linear", &m.linear),
        ("Time decay", &m.time_decay),
        ("Position-based", &m.position),
        ("Shapley", &m.shapley),
        ("Markov", &m.markov),
    ];
    let spec = GroupedBars {
        title: "Conversions credited by model".into(),
        subtitle: Some(format!(
            "{quarter} · share of {} conversions per channel",
            whole(a.total_conversions)
        )),
        categories: m.first.iter().map(|c| names.name(&c.channel)).collect(),
        series: models
            .iter()
            .map(|(name, credits)| BarSeries {
                name: (*name).to_owned(),
                values: credits
                    .iter()
                    .map(|c| c.conversions / a.total_conversions)
                    .collect(),
            })
            .collect(),
        orientation: Orientation::Horizontal,
        format: ValueFormat::Percent,
        value_axis: "Share of conversions".into(),
        category_axis: None,
        reference: None,
        size: Size {
            width: 1200,
            height: 1400,
        },
    };
    keep("model-comparison", charts::grouped_bars(&spec))
}

/// Leads reaching each stage, with each step's conversion rate and 95% Wilson interval.
pub fn funnel(f: &Funnel, quarter: &str) -> Option<OutputFile> {
    let first = f.transitions.first()?;
    let mut stages = vec![FunnelStage {
        name: first.from.clone(),
        count: first.entered,
        interval: None,
    }];
    for t in &f.transitions {
        stages.push(FunnelStage {
            name: t.to.clone(),
            count: t.converted,
            interval: t
                .wilson_low
                .zip(t.wilson_high)
                .map(|(low, high)| Interval { low, high }),
        });
    }
    let spec = charts::Funnel {
        title: "Funnel".into(),
        subtitle: Some(format!(
            "{quarter} · leads created in the quarter; 95% Wilson intervals"
        )),
        stages,
        size: Size::default(),
    };
    keep("funnel", charts::funnel_chart(&spec))
}
