//! Bar charts: one series ([`bar_chart`], e.g. ROI by channel) or several side by side per
//! category ([`grouped_bars`], e.g. credit by channel under each attribution model).
//!
//! Bars start at zero, so negative values grow left (or down). The value axis always
//! includes zero and the reference line. Value labels sit past each bar end and the axis is
//! shortened until they fit; grouped bars get value labels only where a bar is wide enough
//! to carry one. A single-series chart colours the bars below its reference line apart.

mod horizontal;
mod vertical;

use plotters::style::RGBColor;
use serde::{Deserialize, Serialize};

use super::canvas::{self, Align, Bounds, Canvas};
use super::format;
use super::{
    ChartError, Orientation, Png, ReferenceLine, Size, ValueFormat, check_series_count, finite,
    theme,
};

/// One labelled bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub value: f64,
}

/// A single-series bar chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarChart {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub bars: Vec<Bar>,
    #[serde(default)]
    pub orientation: Orientation,
    #[serde(default)]
    pub format: ValueFormat,
    /// Title of the value axis, e.g. "ROI (attributed revenue ÷ spend)".
    #[serde(default)]
    pub value_axis: String,
    /// Title of the category axis, e.g. "Channel".
    #[serde(default)]
    pub category_axis: Option<String>,
    /// A line such as break-even; bars below it are drawn in a warning colour.
    #[serde(default)]
    pub reference: Option<ReferenceLine>,
    #[serde(default)]
    pub size: Size,
}

/// One series of a grouped bar chart: a value per category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarSeries {
    pub name: String,
    pub values: Vec<f64>,
}

/// Categories × series: one bar per series within each category, with a legend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupedBars {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    #[serde(default)]
    pub orientation: Orientation,
    #[serde(default)]
    pub format: ValueFormat,
    #[serde(default)]
    pub value_axis: String,
    #[serde(default)]
    pub category_axis: Option<String>,
    #[serde(default)]
    pub reference: Option<ReferenceLine>,
    #[serde(default)]
    pub size: Size,
}

/// Renders a single-series bar chart.
pub fn bar_chart(spec: &BarChart) -> Result<Png, ChartError> {
    if spec.bars.is_empty() {
        return Err(ChartError::Empty("bars"));
    }
    for bar in &spec.bars {
        finite(bar.value, || format!("value of bar \"{}\"", bar.label))?;
    }
    check_reference(spec.reference.as_ref())?;
    let values: Vec<f64> = spec.bars.iter().map(|b| b.value).collect();
    let threshold = spec.reference.as_ref().map(|r| r.value);
    let plot = Plot {
        title: &spec.title,
        subtitle: spec.subtitle.as_deref(),
        categories: spec.bars.iter().map(|b| b.label.as_str()).collect(),
        series: vec![("", &values)],
        orientation: spec.orientation,
        format: &spec.format,
        value_axis: &spec.value_axis,
        category_axis: spec.category_axis.as_deref(),
        reference: spec.reference.as_ref(),
        legend: false,
        color: &|_, value| match threshold {
            Some(t) if value < t => theme::BELOW_REFERENCE,
            _ => theme::PRIMARY,
        },
    };
    canvas::render(spec.size, |c| plot.draw(c))
}

/// Renders grouped bars: each category holds one bar per series.
pub fn grouped_bars(spec: &GroupedBars) -> Result<Png, ChartError> {
    if spec.categories.is_empty() {
        return Err(ChartError::Empty("categories"));
    }
    if spec.series.is_empty() {
        return Err(ChartError::Empty("series"));
    }
    check_series_count(spec.series.len())?;
    for series in &spec.series {
        if series.values.len() != spec.categories.len() {
            return Err(ChartError::LengthMismatch {
                series: series.name.clone(),
                expected: spec.categories.len(),
                found: series.values.len(),
            });
        }
        for (value, category) in series.values.iter().zip(&spec.categories) {
            finite(*value, || {
                format!("value of \"{}\" for \"{category}\"", series.name)
            })?;
        }
    }
    check_reference(spec.reference.as_ref())?;
    let plot = Plot {
        title: &spec.title,
        subtitle: spec.subtitle.as_deref(),
        categories: spec.categories.iter().map(String::as_str).collect(),
        series: spec
            .series
            .iter()
            .map(|s| (s.name.as_str(), s.values.as_slice()))
            .collect(),
        orientation: spec.orientation,
        format: &spec.format,
        value_axis: &spec.value_axis,
        category_axis: spec.category_axis.as_deref(),
        reference: spec.reference.as_ref(),
        legend: true,
        color: &|series, _| theme::series_color(series),
    };
    canvas::render(spec.size, |c| plot.draw(c))
}

pub(super) fn check_reference(reference: Option<&ReferenceLine>) -> Result<(), ChartError> {
    if let Some(r) = reference {
        finite(r.value, || format!("reference line \"{}\"", r.label))?;
    }
    Ok(())
}

/// What both bar charts draw.
struct Plot<'a> {
    title: &'a str,
    subtitle: Option<&'a str>,
    categories: Vec<&'a str>,
    /// `(name, values per category)`.
    series: Vec<(&'a str, &'a [f64])>,
    orientation: Orientation,
    format: &'a ValueFormat,
    value_axis: &'a str,
    category_axis: Option<&'a str>,
    reference: Option<&'a ReferenceLine>,
    legend: bool,
    /// Colour of a bar from its series index and value.
    color: &'a dyn Fn(usize, f64) -> RGBColor,
}

/// Pixel box of the plot.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
}

impl Plot<'_> {
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.series.iter().flat_map(|(_, v)| v.iter().copied())
    }

    fn draw(&self, c: &Canvas<'_>) -> Result<(), ChartError> {
        let mut top = c.header(self.title, self.subtitle)?;
        if self.legend {
            let entries: Vec<(&str, RGBColor)> = self
                .series
                .iter()
                .enumerate()
                .map(|(i, (name, _))| (*name, (self.color)(i, 0.0)))
                .collect();
            top = c.legend(&entries, top - c.theme.ipx(6.0), false)?;
        }
        match self.orientation {
            Orientation::Horizontal => self.draw_horizontal(c, top),
            Orientation::Vertical => self.draw_vertical(c, top),
        }
    }

    /// Bar thickness and offset of the first bar within a slot of `slot` pixels.
    fn bar_geometry(&self, c: &Canvas<'_>, slot: f64) -> (f64, f64) {
        let k = self.series.len() as f64;
        let group = if self.series.len() == 1 {
            (slot * 0.64).min(c.theme.px(64.0))
        } else {
            (slot * 0.8).min(k * c.theme.px(30.0))
        };
        (group / k, (slot - group) / 2.0)
    }

    fn too_crowded(&self, c: &Canvas<'_>, length: i32, min_slot: f64) -> Result<(), ChartError> {
        let n = self.categories.len();
        let min_slot = min_slot.max(self.series.len() as f64 * 3.0 / 0.8);
        if f64::from(length) / n as f64 >= min_slot {
            return Ok(());
        }
        Err(ChartError::TooCrowded {
            what: "categories",
            found: n,
            max: (f64::from(length) / min_slot).floor() as usize,
            width: c.width as u32,
            height: c.height as u32,
        })
    }

    /// Value labels are drawn when every bar is thick enough to carry one.
    fn labels_fit(&self, c: &Canvas<'_>, thickness: f64, horizontal: bool) -> bool {
        if self.series.len() == 1 {
            return true;
        }
        let font = c.theme.value();
        if horizontal {
            thickness >= f64::from(Canvas::cap_height(font) + c.theme.ipx(5.0))
        } else {
            self.values().all(|v| {
                f64::from(c.text_width(&format::value_label(v, self.format), font))
                    <= thickness + c.theme.px(2.0)
            })
        }
    }

    /// Draws value labels `(text, x, baseline, align)`; on a single series each gets a white
    /// backing so grid and reference lines do not run through it (grouped bars sit too
    /// close together for one).
    fn draw_value_labels(
        &self,
        c: &Canvas<'_>,
        labels: &[(String, i32, i32, Align)],
    ) -> Result<Vec<Bounds>, ChartError> {
        let font = c.theme.value();
        let pad = c.theme.ipx(3.0);
        let mut drawn = Vec::with_capacity(labels.len());
        for (text, x, baseline, align) in labels {
            let width = c.text_width(text, font);
            let left = match align {
                Align::Left => *x,
                Align::Center => x - width / 2,
                Align::Right => x - width,
            };
            let bounds = Bounds::spanning(
                (left - pad, baseline - Canvas::cap_height(font) - pad),
                (left + width + pad, baseline + pad),
            );
            if self.series.len() == 1 {
                c.rect(
                    (bounds.left, bounds.top),
                    (bounds.right, bounds.bottom),
                    theme::BACKGROUND,
                )?;
            }
            c.text(text, *x, *baseline, font, theme::TEXT, *align)?;
            drawn.push(bounds);
        }
        Ok(drawn)
    }
}
