//! Bar charts: one series ([`bar_chart`], e.g. ROI by channel) or several side by side per
//! category ([`grouped_bars`], e.g. credit by channel under each attribution model).
//!
//! Bars start at zero, so negative values grow left (or down). The value axis always
//! includes zero and the reference line. Value labels sit past each bar end and the axis is
//! shortened until they fit; grouped bars get value labels only where a bar is wide enough
//! to carry one. A single-series chart colours the bars below its reference line apart.

use plotters::style::RGBColor;
use serde::{Deserialize, Serialize};

use super::canvas::{self, Align, Bounds, Canvas};
use super::format::{self, Scale};
use super::{
    ChartError, Orientation, Png, ReferenceLine, Size, ValueFormat, axis, check_series_count,
    finite, theme,
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

    fn draw_horizontal(&self, c: &Canvas<'_>, top: i32) -> Result<(), ChartError> {
        let t = &c.theme;
        let (label_font, value_font, axis_font) = (t.label(), t.value(), t.axis_title());
        let margin = t.margin();
        let band = if self.category_axis.is_some() || self.reference.is_some() {
            Canvas::line_height(axis_font) + t.ipx(6.0)
        } else {
            0
        };
        let axis_row = if self.value_axis.trim().is_empty() {
            0
        } else {
            t.ipx(18.0) + Canvas::cap_height(axis_font)
        };
        let tick_row = t.ipx(12.0) + Canvas::cap_height(t.tick());
        let labels: Vec<String> = self
            .categories
            .iter()
            .map(|l| c.fit(l, label_font, (f64::from(c.width) * 0.3) as i32))
            .collect();
        let column = labels
            .iter()
            .map(|l| c.text_width(l, label_font))
            .max()
            .unwrap_or(0);
        let frame = Frame {
            left: margin + column + t.ipx(14.0),
            right: c.width - margin,
            top: top + band,
            bottom: c.height - t.ipx(26.0) - tick_row - axis_row,
        };
        c.ensure_room(frame.right - frame.left, frame.bottom - frame.top)?;
        self.too_crowded(
            c,
            frame.bottom - frame.top,
            f64::from(Canvas::line_height(label_font)),
        )?;

        let range = axis::pad(axis::domain(self.values(), self.reference, true), 0.03);
        let ticks = axis::ticks(c, range, frame.right - frame.left, true, self.format);
        let slot = f64::from(frame.bottom - frame.top) / self.categories.len() as f64;
        let (thickness, offset) = self.bar_geometry(c, slot);
        let show_values = self.labels_fit(c, thickness, true);
        let gap = t.px(8.0);
        let extents: Vec<(f64, f64)> = if show_values {
            self.values()
                .map(|v| {
                    let label = format::value_label(v, self.format);
                    (v, f64::from(c.text_width(&label, value_font)))
                })
                .collect()
        } else {
            Vec::new()
        };
        let scale = Scale {
            lo: range.0,
            hi: range.1,
            from: f64::from(frame.left),
            to: f64::from(frame.right),
        }
        .fit_labels(&extents, gap);
        let (left, right) = (scale.ipx(scale.lo), scale.ipx(scale.hi));

        axis::draw_horizontal(c, &scale, &ticks, (frame.top, frame.bottom), self.format)?;
        let zero = scale.ipx(0.0);
        // Value labels go on last, over the zero and reference lines.
        let mut pending: Vec<(String, i32, i32, Align)> = Vec::new();
        for (i, label) in labels.iter().enumerate() {
            let slot_top = f64::from(frame.top) + slot * i as f64;
            let center = (slot_top + slot / 2.0).round() as i32;
            c.text_centered_on(
                label,
                frame.left - t.ipx(14.0),
                center,
                label_font,
                theme::TEXT,
                Align::Right,
            )?;
            for (s, (_, values)) in self.series.iter().enumerate() {
                let value = values[i];
                let y0 = (slot_top + offset + thickness * s as f64).round() as i32;
                let y1 = (slot_top + offset + thickness * (s + 1) as f64).round() as i32;
                let inner = if self.series.len() > 1 && thickness >= 8.0 {
                    1
                } else {
                    0
                };
                let end = scale.ipx(value);
                c.rect((zero, y0), (end, y1 - inner), (self.color)(s, value))?;
                if show_values {
                    let (x, align) = if value >= 0.0 {
                        (end + gap.round() as i32, Align::Left)
                    } else {
                        (end - gap.round() as i32, Align::Right)
                    };
                    let baseline = (y0 + y1 - inner) / 2 + Canvas::cap_height(value_font) / 2;
                    pending.push((format::value_label(value, self.format), x, baseline, align));
                }
            }
        }
        c.vline(zero, frame.top, frame.bottom, t.ipx(2.0), theme::BASELINE)?;

        let mut band_free_right = frame.right;
        if let Some(reference) = self.reference {
            let x = scale.ipx(reference.value);
            c.dashed(
                false,
                x,
                frame.top - t.ipx(4.0),
                frame.bottom,
                theme::REFERENCE,
            )?;
            let label = c.fit(&reference.label, axis_font, (right - left) / 2);
            let width = c.text_width(&label, axis_font);
            let baseline = frame.top - t.ipx(10.0);
            if x + t.ipx(6.0) + width <= c.width - margin {
                c.text(
                    &label,
                    x + t.ipx(6.0),
                    baseline,
                    axis_font,
                    theme::REFERENCE,
                    Align::Left,
                )?;
                band_free_right = x - t.ipx(12.0);
            } else {
                c.text(
                    &label,
                    x - t.ipx(6.0),
                    baseline,
                    axis_font,
                    theme::REFERENCE,
                    Align::Right,
                )?;
                band_free_right = x - t.ipx(18.0) - width;
            }
        }
        self.draw_value_labels(c, &pending)?;
        if let Some(title) = self.category_axis {
            let label = c.fit(title, axis_font, (band_free_right - margin).max(0));
            let baseline = frame.top - t.ipx(10.0);
            c.text(
                &label,
                margin,
                baseline,
                axis_font,
                theme::MUTED,
                Align::Left,
            )?;
        }
        if axis_row > 0 {
            let label = c.fit(self.value_axis, axis_font, right - left);
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

    fn draw_vertical(&self, c: &Canvas<'_>, top: i32) -> Result<(), ChartError> {
        let needs_two_lines = {
            let frame = self.vertical_frame(c, top, 1);
            let slot = f64::from(frame.right - frame.left) / self.categories.len() as f64;
            let width = (slot - c.theme.px(8.0)) as i32;
            self.categories
                .iter()
                .any(|l| c.text_width(l, c.theme.label()) > width)
        };
        let lines = if needs_two_lines { 2 } else { 1 };
        let frame = self.vertical_frame(c, top, lines);
        c.ensure_room(frame.right - frame.left, frame.bottom - frame.top)?;
        self.too_crowded(c, frame.right - frame.left, c.theme.px(18.0))?;
        let t = &c.theme;
        let (label_font, value_font, axis_font) = (t.label(), t.value(), t.axis_title());

        let range = axis::pad(axis::domain(self.values(), self.reference, true), 0.03);
        let ticks = axis::ticks(c, range, frame.bottom - frame.top, false, self.format);
        let slot = f64::from(frame.right - frame.left) / self.categories.len() as f64;
        let (thickness, offset) = self.bar_geometry(c, slot);
        let show_values = self.labels_fit(c, thickness, false);
        let gap = t.px(8.0);
        let extent = f64::from(Canvas::cap_height(value_font));
        let extents: Vec<(f64, f64)> = if show_values {
            self.values().map(|v| (v, extent)).collect()
        } else {
            Vec::new()
        };
        let scale = Scale {
            lo: range.0,
            hi: range.1,
            from: f64::from(frame.bottom),
            to: f64::from(frame.top),
        }
        .fit_labels(&extents, gap);

        axis::draw_vertical(c, &scale, &ticks, (frame.left, frame.right), self.format)?;
        let zero = scale.ipx(0.0);
        let mut pending: Vec<(String, i32, i32, Align)> = Vec::new();
        let mut drawn: Vec<Bounds> = Vec::new();
        let label_top = frame.bottom + t.ipx(12.0);
        for (i, category) in self.categories.iter().enumerate() {
            let slot_left = f64::from(frame.left) + slot * i as f64;
            let center = (slot_left + slot / 2.0).round() as i32;
            let wrapped = c.wrap(
                category,
                label_font,
                (slot - t.px(8.0)) as i32,
                lines as usize,
            );
            for (line_no, line) in wrapped.iter().enumerate() {
                let baseline = label_top
                    + Canvas::cap_height(label_font)
                    + Canvas::line_height(label_font) * line_no as i32;
                c.text(
                    line,
                    center,
                    baseline,
                    label_font,
                    theme::TEXT,
                    Align::Center,
                )?;
            }
            for (s, (_, values)) in self.series.iter().enumerate() {
                let value = values[i];
                let x0 = (slot_left + offset + thickness * s as f64).round() as i32;
                let x1 = (slot_left + offset + thickness * (s + 1) as f64).round() as i32;
                let inner = if self.series.len() > 1 && thickness >= 8.0 {
                    1
                } else {
                    0
                };
                let end = scale.ipx(value);
                c.rect((x0, zero), (x1 - inner, end), (self.color)(s, value))?;
                drawn.push(Bounds::spanning((x0, zero), (x1 - inner, end)));
                if show_values {
                    let baseline = if value >= 0.0 {
                        end - gap.round() as i32
                    } else {
                        end + gap.round() as i32 + extent as i32
                    };
                    let label = format::value_label(value, self.format);
                    pending.push((label, (x0 + x1 - inner) / 2, baseline, Align::Center));
                }
            }
        }
        c.hline(frame.left, frame.right, zero, t.ipx(2.0), theme::BASELINE)?;

        if let Some(reference) = self.reference {
            let y = scale.ipx(reference.value);
            c.dashed(
                true,
                y,
                frame.left,
                frame.right + t.ipx(4.0),
                theme::REFERENCE,
            )?;
        }
        drawn.extend(self.draw_value_labels(c, &pending)?);
        if let Some(reference) = self.reference {
            let y = scale.ipx(reference.value);
            c.reference_label(&reference.label, y, (frame.left, frame.right), &drawn)?;
        }
        if !self.value_axis.trim().is_empty() {
            let label = c.fit(self.value_axis, axis_font, c.width - 2 * t.margin());
            let baseline = frame.top - t.ipx(14.0);
            c.text(
                &label,
                t.margin(),
                baseline,
                axis_font,
                theme::MUTED,
                Align::Left,
            )?;
        }
        if let Some(title) = self.category_axis {
            let label = c.fit(title, axis_font, frame.right - frame.left);
            let baseline = c.height - t.ipx(26.0);
            let center = (frame.left + frame.right) / 2;
            c.text(
                &label,
                center,
                baseline,
                axis_font,
                theme::MUTED,
                Align::Center,
            )?;
        }
        Ok(())
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

    /// The plot box of a vertical chart whose category labels take `lines` lines.
    fn vertical_frame(&self, c: &Canvas<'_>, top: i32, lines: i32) -> Frame {
        let t = &c.theme;
        let (label_font, axis_font) = (t.label(), t.axis_title());
        let band = if self.value_axis.trim().is_empty() {
            t.ipx(10.0)
        } else {
            Canvas::line_height(axis_font) + t.ipx(14.0)
        };
        let label_rows = t.ipx(12.0)
            + Canvas::cap_height(label_font)
            + Canvas::line_height(label_font) * (lines - 1);
        let title_row = if self.category_axis.is_some() {
            t.ipx(18.0) + Canvas::cap_height(axis_font)
        } else {
            0
        };
        let plot_top = top + band;
        let bottom = c.height - t.ipx(26.0) - label_rows - title_row;
        let range = axis::pad(axis::domain(self.values(), self.reference, true), 0.03);
        let ticks = axis::ticks(c, range, bottom - plot_top, false, self.format);
        Frame {
            left: t.margin() + axis::widest_label(c, &ticks, self.format) + t.ipx(12.0),
            right: c.width - t.margin(),
            top: plot_top,
            bottom,
        }
    }
}
