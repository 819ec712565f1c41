//! Line charts for trends: one point per period (month, week) per series.
//!
//! Periods are evenly spaced; a missing value (`None`) breaks the line, and a point with no
//! neighbour shows as a lone marker. Period labels are thinned to every k-th when they
//! would collide. The value axis starts at zero unless `y_from_zero` is off, in which case it
//! hugs the data (useful for rates that move within a few points).

use plotters::style::RGBColor;
use serde::{Deserialize, Serialize};

use super::canvas::{self, Align, Bounds, Canvas};
use super::format::Scale;
use super::{
    ChartError, Png, ReferenceLine, Size, ValueFormat, axis, bar::check_reference,
    check_series_count, finite, theme,
};

/// One line: a value per period, `None` where there is no data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineSeries {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A time series chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Period labels, e.g. "Jan 2025" or "W14".
    pub x_labels: Vec<String>,
    pub series: Vec<LineSeries>,
    #[serde(default)]
    pub format: ValueFormat,
    #[serde(default)]
    pub value_axis: String,
    #[serde(default)]
    pub x_axis: Option<String>,
    #[serde(default)]
    pub reference: Option<ReferenceLine>,
    /// Start the value axis at zero (default); off, the axis covers only the data.
    #[serde(default = "yes")]
    pub y_from_zero: bool,
    #[serde(default)]
    pub size: Size,
}

fn yes() -> bool {
    true
}

/// Renders a line chart.
pub fn line_chart(spec: &LineChart) -> Result<Png, ChartError> {
    if spec.x_labels.is_empty() {
        return Err(ChartError::Empty("x_labels"));
    }
    if spec.series.is_empty() {
        return Err(ChartError::Empty("series"));
    }
    check_series_count(spec.series.len())?;
    for series in &spec.series {
        if series.values.len() != spec.x_labels.len() {
            return Err(ChartError::LengthMismatch {
                series: series.name.clone(),
                expected: spec.x_labels.len(),
                found: series.values.len(),
            });
        }
        for (value, period) in series.values.iter().zip(&spec.x_labels) {
            if let Some(v) = value {
                finite(*v, || {
                    format!("value of \"{}\" for \"{period}\"", series.name)
                })?;
            }
        }
    }
    if spec
        .series
        .iter()
        .all(|s| s.values.iter().all(Option::is_none))
    {
        return Err(ChartError::Empty("values (every value is missing)"));
    }
    check_reference(spec.reference.as_ref())?;
    canvas::render(spec.size, |c| draw(spec, c))
}

fn draw(spec: &LineChart, c: &Canvas<'_>) -> Result<(), ChartError> {
    let t = &c.theme;
    let (label_font, axis_font) = (t.label(), t.axis_title());
    let n = spec.x_labels.len();
    let mut top = c.header(&spec.title, spec.subtitle.as_deref())?;
    if spec.series.len() > 1 {
        let entries: Vec<(&str, RGBColor)> = spec
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), theme::series_color(i)))
            .collect();
        top = c.legend(&entries, top - t.ipx(6.0), true)?;
    }
    let band = if spec.value_axis.trim().is_empty() {
        t.ipx(10.0)
    } else {
        Canvas::line_height(axis_font) + t.ipx(14.0)
    };
    let title_row = if spec.x_axis.is_some() {
        t.ipx(18.0) + Canvas::cap_height(axis_font)
    } else {
        0
    };
    let plot_top = top + band;
    let bottom = c.height - t.ipx(26.0) - t.ipx(12.0) - Canvas::cap_height(label_font) - title_row;

    let values = spec
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    let range = axis::pad(
        axis::domain(values, spec.reference.as_ref(), spec.y_from_zero),
        0.05,
    );
    let ticks = axis::ticks(c, range, bottom - plot_top, false, &spec.format);
    let left = t.margin() + axis::widest_label(c, &ticks, &spec.format) + t.ipx(12.0);
    let right = c.width - t.margin();
    c.ensure_room(right - left, bottom - plot_top)?;

    let labels: Vec<String> = spec
        .x_labels
        .iter()
        .map(|l| c.fit(l, label_font, t.ipx(150.0)))
        .collect();
    let widest = labels
        .iter()
        .map(|l| c.text_width(l, label_font))
        .max()
        .unwrap_or(0);
    let last_width = c.text_width(&labels[n - 1], label_font);
    let inset_left = t.ipx(18.0);
    // The last period label, centred on the last point, ends inside the plot.
    let inset_right = inset_left.max(last_width / 2);
    let (x_first, x_last) = (left + inset_left, right - inset_right);
    let spacing = if n > 1 {
        f64::from(x_last - x_first) / (n - 1) as f64
    } else {
        0.0
    };
    if n > 1 && spacing < 2.0 {
        return Err(ChartError::TooCrowded {
            what: "periods",
            found: n,
            max: (x_last - x_first) as usize / 2 + 1,
            width: c.width as u32,
            height: c.height as u32,
        });
    }
    let x_at = |i: usize| {
        if n == 1 {
            (left + right) / 2
        } else {
            (f64::from(x_first) + spacing * i as f64).round() as i32
        }
    };
    // Show every k-th period label so neighbours keep a gap.
    let every = if n > 1 {
        (f64::from(widest + t.ipx(18.0)) / spacing).ceil().max(1.0) as usize
    } else {
        1
    };

    let scale = Scale {
        lo: range.0,
        hi: range.1,
        from: f64::from(bottom),
        to: f64::from(plot_top),
    };
    axis::draw_vertical(c, &scale, &ticks, (left, right), &spec.format)?;
    if range.0 <= 0.0 && range.1 >= 0.0 {
        let zero = scale.ipx(0.0);
        let thick = if range.0 == 0.0 { 2.0 } else { 1.5 };
        c.hline(left, right, zero, t.ipx(thick), theme::BASELINE)?;
    } else {
        c.hline(left, right, bottom, 1, theme::BASELINE)?;
    }
    for (i, label) in labels.iter().enumerate() {
        let x = x_at(i);
        if i % every == 0 {
            c.vline(x, bottom, bottom + t.ipx(6.0), 1, theme::BASELINE)?;
            let baseline = bottom + t.ipx(12.0) + Canvas::cap_height(label_font);
            c.text(label, x, baseline, label_font, theme::TEXT, Align::Center)?;
        }
    }

    if let Some(reference) = &spec.reference {
        let y = scale.ipx(reference.value);
        c.dashed(true, y, left, right, theme::REFERENCE)?;
    }

    let markers = n <= 36;
    let mut drawn: Vec<Bounds> = Vec::new();
    let stroke = t.px(3.0);
    let radius = t.px(4.5);
    for (s, series) in spec.series.iter().enumerate() {
        let color = theme::series_color(s);
        let points: Vec<Option<(i32, i32)>> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| v.map(|v| (x_at(i), scale.ipx(v))))
            .collect();
        for run in points.split(Option::is_none) {
            let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
            if run.len() > 1 {
                c.polyline(&run, color, stroke)?;
            }
            drawn.extend(canvas::polyline_bounds(&run, stroke + 2.0 * radius));
            if markers || run.len() == 1 {
                for &p in &run {
                    c.disc(p, radius + t.px(1.5), theme::BACKGROUND)?;
                    c.disc(p, radius, color)?;
                }
            }
        }
    }

    if let Some(reference) = &spec.reference {
        let y = scale.ipx(reference.value);
        c.reference_label(&reference.label, y, (left, right), &drawn)?;
    }
    if !spec.value_axis.trim().is_empty() {
        let label = c.fit(&spec.value_axis, axis_font, c.width - 2 * t.margin());
        let baseline = plot_top - t.ipx(14.0);
        c.text(
            &label,
            t.margin(),
            baseline,
            axis_font,
            theme::MUTED,
            Align::Left,
        )?;
    }
    if let Some(title) = &spec.x_axis {
        let label = c.fit(title, axis_font, right - left);
        let baseline = c.height - t.ipx(26.0);
        c.text(
            &label,
            (left + right) / 2,
            baseline,
            axis_font,
            theme::MUTED,
            Align::Center,
        )?;
    }
    Ok(())
}
