//! Vertical bars: categories along the bottom, values up the left.

use super::{Frame, Plot};
use crate::charts::canvas::{Align, Bounds, Canvas};
use crate::charts::format::{self, Scale};
use crate::charts::{ChartError, axis, theme};

impl Plot<'_> {
    pub(super) fn draw_vertical(&self, c: &Canvas<'_>, top: i32) -> Result<(), ChartError> {
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
        let ticks = axis::ticks(c, range, (scale.from - scale.to) as i32, false, self.format);

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
