//! Horizontal bars: categories down the left, values along the bottom.

use super::{Frame, Plot};
use crate::charts::canvas::{Align, Canvas};
use crate::charts::format::{self, Scale};
use crate::charts::{ChartError, axis, theme};

impl Plot<'_> {
    pub(super) fn draw_horizontal(&self, c: &Canvas<'_>, top: i32) -> Result<(), ChartError> {
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
        let ticks = axis::ticks(c, range, (scale.to - scale.from) as i32, true, self.format);
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
}
