//! Chart furniture: title block, legend, reference-line labels, and the room check.

use plotters::style::RGBColor;

use super::{Align, Bounds, Canvas};
use crate::charts::ChartError;
use crate::charts::theme;

impl Canvas<'_> {
    /// Fails when a plot box of `width` × `height` is too small to read.
    pub(in crate::charts) fn ensure_room(&self, width: i32, height: i32) -> Result<(), ChartError> {
        if width >= self.theme.ipx(120.0) && height >= self.theme.ipx(80.0) {
            Ok(())
        } else {
            Err(ChartError::NoRoom {
                width: self.width as u32,
                height: self.height as u32,
            })
        }
    }

    /// Labels a horizontal reference line at `y` running from `left` to `right`: the label
    /// goes just above or below the line, at the first place (right end first, then sliding
    /// left) where its box overlaps none of `obstacles`; failing that, above the right end.
    /// Drawn on a white box, so call it after the data.
    pub(in crate::charts) fn reference_label(
        &self,
        label: &str,
        y: i32,
        (left, right): (i32, i32),
        obstacles: &[Bounds],
    ) -> Result<(), ChartError> {
        let t = &self.theme;
        let font = t.axis_title();
        let text = self.fit(label, font, (right - left) / 2);
        let width = self.text_width(&text, font);
        let (pad, gap, cap) = (t.ipx(4.0), t.ipx(5.0), Self::cap_height(font));
        let box_at = |x_right: i32, above: bool| {
            let baseline = if above {
                y - gap - pad
            } else {
                y + gap + pad + cap
            };
            (
                Bounds {
                    left: x_right - width - 2 * pad,
                    top: baseline - cap - pad,
                    right: x_right,
                    bottom: baseline + pad,
                },
                baseline,
            )
        };
        let step = t.ipx(24.0);
        let mut candidates = Vec::new();
        let mut x_right = right;
        while x_right - width - 2 * pad >= left {
            candidates.push(box_at(x_right, true));
            candidates.push(box_at(x_right, false));
            x_right -= step;
        }
        let (bounds, baseline) = candidates
            .into_iter()
            .find(|(b, _)| !obstacles.iter().any(|o| o.overlaps(b)))
            .unwrap_or_else(|| box_at(right, true));
        self.rect(
            (bounds.left, bounds.top),
            (bounds.right, bounds.bottom),
            theme::BACKGROUND,
        )?;
        self.text(
            &text,
            bounds.right - pad,
            baseline,
            font,
            theme::REFERENCE,
            Align::Right,
        )
    }

    /// Title and optional subtitle at the top; returns the y where content may start.
    pub(in crate::charts) fn header(
        &self,
        title: &str,
        subtitle: Option<&str>,
    ) -> Result<i32, ChartError> {
        let t = &self.theme;
        let margin = t.margin();
        let max_width = self.width - 2 * margin;
        let mut y = t.ipx(28.0);
        if !title.trim().is_empty() {
            let font = t.title();
            y += Self::cap_height(font);
            let text = self.fit(title, font, max_width);
            self.text(&text, margin, y, font, theme::INK, Align::Left)?;
            y += t.ipx(12.0);
        }
        if let Some(subtitle) = subtitle.filter(|s| !s.trim().is_empty()) {
            let font = t.subtitle();
            y += Self::cap_height(font) + t.ipx(4.0);
            let text = self.fit(subtitle, font, max_width);
            self.text(&text, margin, y, font, theme::MUTED, Align::Left)?;
            y += t.ipx(10.0);
        }
        Ok(y + t.ipx(14.0))
    }

    /// A legend row (wrapping onto more rows when needed) starting at `top`, from the left
    /// margin. Entries are `(name, colour)`; `line` draws line swatches instead of squares.
    /// Returns the y below the legend.
    pub(in crate::charts) fn legend(
        &self,
        entries: &[(&str, RGBColor)],
        top: i32,
        line: bool,
    ) -> Result<i32, ChartError> {
        let t = &self.theme;
        let font = t.legend();
        let margin = t.margin();
        let right = self.width - margin;
        let swatch = t.ipx(14.0);
        let swatch_gap = t.ipx(8.0);
        let entry_gap = t.ipx(26.0);
        let row_height = Self::line_height(font) + t.ipx(6.0);
        let max_label = (right - margin - swatch - swatch_gap).max(t.ipx(40.0));
        let mut x = margin;
        let mut center = top + row_height / 2;
        for &(name, color) in entries {
            let label = self.fit(name, font, max_label.min(t.ipx(320.0)));
            let width = swatch + swatch_gap + self.text_width(&label, font);
            if x > margin && x + width > right {
                x = margin;
                center += row_height;
            }
            if line {
                let thick = t.ipx(3.0);
                self.hline(x, x + swatch + t.ipx(6.0), center - thick / 2, thick, color)?;
                self.disc((x + (swatch + t.ipx(6.0)) / 2, center), t.px(4.5), color)?;
                x += t.ipx(6.0);
            } else {
                self.rect(
                    (x, center - swatch / 2),
                    (x + swatch, center - swatch / 2 + swatch),
                    color,
                )?;
            }
            self.text_centered_on(
                &label,
                x + swatch + swatch_gap,
                center,
                font,
                theme::TEXT,
                Align::Left,
            )?;
            x += width + entry_gap;
        }
        Ok(center + row_height / 2 + t.ipx(8.0))
    }
}
