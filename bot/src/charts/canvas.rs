//! Drawing primitives on an in-memory RGB bitmap, and the PNG encoding of the result.
//!
//! All text is drawn with the bundled DejaVu Sans through plotters' `ab_glyph` backend, so
//! output does not depend on the fonts of the machine. Text is positioned by its baseline;
//! plotters' `ab_glyph` backend puts the baseline half a font size below the anchor of a
//! top-anchored text, which [`Canvas::text`] undoes.

use std::sync::OnceLock;

use plotters::backend::BitMapBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, ShapeStyle, TextStyle};

use super::theme::{self, Font, Theme};
use super::{ChartError, Png, Size};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Cap height of DejaVu Sans as a share of the plotters font size (ascent − descent).
const CAP_HEIGHT: f64 = 0.626;
const ELLIPSIS: char = '…';

/// Registers the bundled font once per process.
fn ensure_fonts() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, REGULAR).is_ok()
            && plotters::style::register_font("sans-serif", FontStyle::Bold, BOLD).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// Draws with `draw` on a white canvas of `size` and encodes the result as PNG.
pub(super) fn render(
    size: Size,
    draw: impl FnOnce(&Canvas<'_>) -> Result<(), ChartError>,
) -> Result<Png, ChartError> {
    size.validate()?;
    ensure_fonts()?;
    let (width, height) = (size.width, size.height);
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        let canvas = Canvas {
            area,
            theme: Theme::for_size(size),
            width: width as i32,
            height: height as i32,
        };
        canvas.area.fill(&theme::BACKGROUND).map_err(render_error)?;
        draw(&canvas)?;
        canvas.area.present().map_err(render_error)?;
    }
    Ok(Png {
        bytes: encode(&pixels, width, height)?,
        width,
        height,
    })
}

fn encode(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut bytes = Vec::with_capacity(pixels.len() / 16);
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let encode_error = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let mut writer = encoder.write_header().map_err(encode_error)?;
    writer.write_image_data(pixels).map_err(encode_error)?;
    writer.finish().map_err(encode_error)?;
    Ok(bytes)
}

fn render_error(error: impl std::fmt::Display) -> ChartError {
    ChartError::Render(error.to_string())
}

/// Horizontal alignment of a text relative to its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Center,
    Right,
}

/// A canvas in pixel coordinates, origin top left.
pub(super) struct Canvas<'a> {
    area: DrawingArea<BitMapBackend<'a>, Shift>,
    pub theme: Theme,
    pub width: i32,
    pub height: i32,
}

impl Canvas<'_> {
    fn font_desc(font: Font) -> FontDesc<'static> {
        let style = if font.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::SansSerif, font.size, style)
    }

    /// Width of `text` in pixels.
    pub(super) fn text_width(&self, text: &str, font: Font) -> i32 {
        Self::font_desc(font)
            .box_size(text)
            .map_or(0, |(w, _)| w as i32)
    }

    /// Height of capital letters, for centring text on a line.
    pub(super) fn cap_height(font: Font) -> i32 {
        (font.size * CAP_HEIGHT).round() as i32
    }

    /// Distance between baselines of consecutive lines.
    pub(super) fn line_height(font: Font) -> i32 {
        (font.size * 1.2).round() as i32
    }

    /// Draws one line of text with its baseline at `baseline`.
    pub(super) fn text(
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
        let style = TextStyle {
            font: Self::font_desc(font),
            color: color.to_backend_color(),
            pos: Pos::new(HPos::Left, VPos::Top),
        };
        let top = baseline - (font.size / 2.0).round() as i32;
        self.area
            .draw(&Text::new(text.to_owned(), (left, top), style))
            .map_err(render_error)
    }

    /// Draws text vertically centred on `center_y`.
    pub(super) fn text_centered_on(
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
    pub(super) fn fit(&self, text: &str, font: Font, max_width: i32) -> String {
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
    pub(super) fn wrap(
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

    /// A filled rectangle between two corners (any order).
    pub(super) fn rect(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        color: RGBColor,
    ) -> Result<(), ChartError> {
        let (left, right) = (x0.min(x1), x0.max(x1));
        let (top, bottom) = (y0.min(y1), y0.max(y1));
        // plotters fills both corner pixels; keep the right and bottom edges exclusive.
        if right == left || bottom == top {
            return Ok(());
        }
        self.area
            .draw(&Rectangle::new(
                [(left, top), (right - 1, bottom - 1)],
                color.filled(),
            ))
            .map_err(render_error)
    }

    /// A horizontal line `thickness` pixels thick, its top row at `y`.
    pub(super) fn hline(
        &self,
        x0: i32,
        x1: i32,
        y: i32,
        thickness: i32,
        color: RGBColor,
    ) -> Result<(), ChartError> {
        self.rect((x0, y), (x1, y + thickness), color)
    }

    /// A vertical line `thickness` pixels thick, its left column at `x`.
    pub(super) fn vline(
        &self,
        x: i32,
        y0: i32,
        y1: i32,
        thickness: i32,
        color: RGBColor,
    ) -> Result<(), ChartError> {
        self.rect((x, y0), (x + thickness, y1), color)
    }

    /// A dashed horizontal (`horizontal = true`) or vertical line from `from` to `to` along
    /// the axis, at `at` across it.
    pub(super) fn dashed(
        &self,
        horizontal: bool,
        at: i32,
        from: i32,
        to: i32,
        color: RGBColor,
    ) -> Result<(), ChartError> {
        let (dash, gap, thick) = (
            self.theme.ipx(9.0),
            self.theme.ipx(6.0),
            self.theme.ipx(2.0),
        );
        let (start, end) = (from.min(to), from.max(to));
        let mut pos = start;
        while pos < end {
            let stop = (pos + dash).min(end);
            if horizontal {
                self.rect((pos, at - thick / 2), (stop, at - thick / 2 + thick), color)?;
            } else {
                self.rect((at - thick / 2, pos), (at - thick / 2 + thick, stop), color)?;
            }
            pos = stop + gap;
        }
        Ok(())
    }

    /// A polyline `width` pixels wide.
    pub(super) fn polyline(
        &self,
        points: &[(i32, i32)],
        color: RGBColor,
        width: u32,
    ) -> Result<(), ChartError> {
        let style = ShapeStyle {
            color: color.to_rgba(),
            filled: false,
            stroke_width: width,
        };
        self.area
            .draw(&PathElement::new(points.to_vec(), style))
            .map_err(render_error)
    }

    /// A filled disc.
    pub(super) fn disc(
        &self,
        center: (i32, i32),
        radius: i32,
        color: RGBColor,
    ) -> Result<(), ChartError> {
        self.area
            .draw(&Circle::new(center, radius, color.filled()))
            .map_err(render_error)
    }

    /// Title and optional subtitle at the top; returns the y where content may start.
    pub(super) fn header(&self, title: &str, subtitle: Option<&str>) -> Result<i32, ChartError> {
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
    pub(super) fn legend(
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
                self.disc((x + (swatch + t.ipx(6.0)) / 2, center), t.ipx(4.0), color)?;
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

/// Control characters (new lines, tabs) become spaces; runs of spaces collapse.
fn clean(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}
