//! Lift by decile of the current score and the refit, on the out-of-time month when
//! there is one (else over every matured MQL, in sample).

use super::refit::Refit;
use crate::charts::{self, BarSeries, GroupedBars, Orientation, ReferenceLine, Size, ValueFormat};
use crate::stages::OutputFile;

pub fn lift_by_decile(r: &Refit, quarter: &str) -> Option<OutputFile> {
    let (current, refit, basis) = match (&r.out_of_time, &r.no_out_of_time) {
        (Some(o), _) => (
            o.current.as_ref(),
            &o.refit,
            format!(
                "out of time: the {} matured MQLs of {} (about {} a decile, so bars are noisy)",
                o.refit.n,
                o.validation_month,
                o.refit.n / 10
            ),
        ),
        (None, _) => (
            r.current.as_ref(),
            &r.in_sample,
            "in sample: matured MQLs".to_owned(),
        ),
    };
    let series = |name: &str, e: &quarterdeck_analyses::scoring::Evaluation| BarSeries {
        name: name.to_owned(),
        values: e.deciles.iter().map(|d| d.lift).collect(),
    };
    let mut all = Vec::new();
    if let Some(c) = current {
        all.push(series("Current score", c));
    }
    all.push(series("Proposed score", refit));
    let spec = GroupedBars {
        title: "MQL → SQL lift by score decile".into(),
        subtitle: Some(format!("{quarter} · {basis} · decile 1 = highest scores")),
        categories: (1..=refit.deciles.len()).map(|d| d.to_string()).collect(),
        series: all,
        orientation: Orientation::Vertical,
        format: ValueFormat::Multiple,
        value_axis: "Lift (SQL rate ÷ overall)".into(),
        category_axis: Some("Decile".into()),
        reference: Some(ReferenceLine {
            value: 1.0,
            label: "Average".into(),
        }),
        size: Size::default(),
    };
    match charts::grouped_bars(&spec) {
        Ok(png) => Some(OutputFile::png("lift-by-decile.png", png.bytes)),
        Err(e) => {
            tracing::warn!(chart = "lift-by-decile", error = %e, "chart left out");
            None
        }
    }
}
