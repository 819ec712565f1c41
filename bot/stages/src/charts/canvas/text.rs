//! Text: measuring, drawing by baseline, cutting to a width and wrapping.
//!
//! Glyphs come from the bundled faces through `ab_glyph`, placed at fractional positions
//! with kerning; each glyph's coverage is blended into the bitmap.

use ab_glyph::{Font as _, FontRef, GlyphId, PxScale, ScaleFont as _, point};
use plotters::style::RGBColor;

use super::{Align, Canvas};
use crate::charts::ChartError;
use crate::charts::theme::Font;

/// Cap height of DejaVu Sans as a share of the font size (ascent − descent, `ab_glyph`'s
/// pixel scale).
const CAP_HEIGHT: f64 = 0.626;
const ELLIPSIS: char = '…';

impl Canvas<'_> {
    fn face(&self, font: Font) -> &'static FontRef<'static> {
        if font.bold {
            &self.faces.bold
        } else {
            &self.faces.regular
        }
    }

    /// Each character of `text` as `(glyph, kerning before it, advance)`, in pixels.
    fn advances(&self, text: &str, font: Font) -> impl Iterator<Item = (GlyphId, f32, f32)> {
        let scaled = self.face(font).as_scaled(PxScale::from(font.size as f32));
        let mut previous: Option<GlyphId> = None;
        text.chars().map(move |c| {
            let id = scaled.glyph_id(c);
            let kern = previous.map_or(0.0, |p| scaled.kern(p, id));
            previous = Some(id);
            (id, kern, scaled.h_advance(id))
        })
    }

    /// Width of `text` in pixels.
    pub(in crate::charts) fn text_width(&self, text: &str, font: Font) -> i32 {
        let width: f32 = self.advances(text, font).map(|(_, k, a)| k + a).sum();
        width.ceil() as i32
    }

    /// Height of capital letters, for centring text on a line.
    pub(in crate::charts) fn cap_height(font: Font) -> i32 {
        (font.size * CAP_HEIGHT).round() as i32
    }

    /// Distance between baselines of consecutive lines.
    pub(in crate::charts) fn line_height(font: Font) -> i32 {
        (font.size * 1.2).round() as i32
    }

    /// Draws one line of text with its baseline at `baseline`.
    pub(in crate::charts) fn text(
        &self,
        text: &str,
        x: i32,
        baseline: i32,
        font: Font,
        color: RGBColor,
        align: Align,
    ) -> Result<(), ChartError> {
        if text.is_empty() {
            return Ok(());
        }
        let width = self.text_width(text, font);
        let left = match align {
            Align::Left => x,
            Align::Center => x - width / 2,
            Align::Right => x - width,
        };
        let face = self.face(font);
        let scale = PxScale::from(font.size as f32);
        let mut caret = left as f32;
        let mut result = Ok(());
        for (id, kern, advance) in self.advances(text, font).collect::<Vec<_>>() {
            caret += kern;
            let glyph = id.with_scale_and_position(scale, point(caret, baseline as f32));
            if let Some(outline) = face.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                let (x0, y0) = (bounds.min.x as i32, bounds.min.y as i32);
                outline.draw(|gx, gy, coverage| {
                    if result.is_ok() {
                        result =
                            self.blend(x0 + gx as i32, y0 + gy as i32, color, f64::from(coverage));
                    }
                });
            }
            caret += advance;
        }
        result
    }

    /// Draws text vertically centred on `center_y`.
    pub(in crate::charts) fn text_centered_on(
        &self,
        text: &str,
        x: i32,
        center_y: i32,
        font: Font,
        color: RGBColor,
        align: Align,
    ) -> Result<(), ChartError> {
        let baseline = center_y + Self::cap_height(font) / 2;
        self.text(text, x, baseline, font, color, align)
    }

    /// `text` cut with an ellipsis so it is at most `max_width` pixels wide.
    pub(in crate::charts) fn fit(&self, text: &str, font: Font, max_width: i32) -> String {
        let clean = clean(text);
        if self.text_width(&clean, font) <= max_width {
            return clean;
        }
        let chars: Vec<char> = clean.chars().collect();
        // Longest prefix that fits with the ellipsis, by bisection on the prefix length.
        let (mut lo, mut hi) = (0usize, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let candidate: String = chars[..mid].iter().chain([&ELLIPSIS]).collect();
            if self.text_width(&candidate, font) <= max_width {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let prefix: String = chars[..lo].iter().collect();
        if lo == 0 {
            return ELLIPSIS.to_string();
        }
        format!("{}{ELLIPSIS}", prefix.trim_end())
    }

    /// `text` on at most `max_lines` lines of at most `max_width` pixels, breaking at spaces;
    /// the last line is cut with an ellipsis if the text does not fit.
    pub(in crate::charts) fn wrap(
        &self,
        text: &str,
        font: Font,
        max_width: i32,
        max_lines: usize,
    ) -> Vec<String> {
        let clean = clean(text);
        let mut lines: Vec<String> = Vec::new();
        let mut words = clean.split(' ').filter(|w| !w.is_empty()).peekable();
        while let Some(word) = words.next() {
            if lines.len() == max_lines.max(1) - 1 {
                // Last line: everything that is left, cut to fit.
                let rest: Vec<&str> = std::iter::once(word).chain(words.by_ref()).collect();
                lines.push(self.fit(&rest.join(" "), font, max_width));
                break;
            }
            let mut line = word.to_owned();
            while let Some(next) = words.peek() {
                let candidate = format!("{line} {next}");
                if self.text_width(&candidate, font) > max_width {
                    break;
                }
                line = candidate;
                words.next();
            }
            lines.push(self.fit(&line, font, max_width));
        }
        lines
    }
}

/// Control characters (new lines, tabs) become spaces; runs of spaces collapse.
fn clean(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}
