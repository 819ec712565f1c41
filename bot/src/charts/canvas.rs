//! Drawing primitives on an in-memory RGB bitmap, and the PNG encoding of the result.
//!
//! plotters owns the bitmap and fills rectangles. Text is rasterised here with `ab_glyph`
//! from the bundled DejaVu Sans, never a system font, with fractional glyph positions and
//! kerning (plotters' own `ab_glyph` text snaps every glyph to whole pixels, which makes
//! spacing uneven). Lines and discs are anti-aliased here too: a pixel's coverage is
//! `clamp(r + 0.5 − d, 0, 1)` where `d` is the distance from the pixel centre to the shape's
//! spine and `r` its half width, blended over what is there. Everything is plain `f32`/`f64`
//! arithmetic, so the same input gives the same pixels.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, GlyphId, PxScale, ScaleFont as _, point};
use plotters::backend::BitMapBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::Rectangle;
use plotters::style::{Color, RGBColor};

use super::theme::{self, Font, Theme};
use super::{ChartError, Png, Size};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Cap height of DejaVu Sans as a share of the font size (ascent − descent, `ab_glyph`'s
/// pixel scale).
const CAP_HEIGHT: f64 = 0.626;
const ELLIPSIS: char = '…';

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

/// The bundled faces, parsed once per process.
fn faces() -> Result<&'static Faces, ChartError> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: FontRef::try_from_slice(REGULAR).ok()?,
                bold: FontRef::try_from_slice(BOLD).ok()?,
            })
        })
        .as_ref()
        .ok_or(ChartError::Font)
}

/// Draws with `draw` on a white canvas of `size` and encodes the result as PNG.
pub(super) fn render(
    size: Size,
    draw: impl FnOnce(&Canvas<'_>) -> Result<(), ChartError>,
) -> Result<Png, ChartError> {
    size.validate()?;
    let faces = faces()?;
    let (width, height) = (size.width, size.height);
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        let canvas = Canvas {
            area,
            faces,
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
    faces: &'static Faces,
    pub theme: Theme,
    pub width: i32,
    pub height: i32,
}

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
    pub(super) fn text_width(&self, text: &str, font: Font) -> i32 {
        let width: f32 = self.advances(text, font).map(|(_, k, a)| k + a).sum();
        width.ceil() as i32
    }

    /// Height of capital letters, for centring text on a line.
    pub(super) fn cap_height(font: Font) -> i32 {
        (font.size * CAP_HEIGHT).round() as i32
    }

    /// Distance between baselines of consecutive lines.
    pub(super) fn line_height(font: Font) -> i32 {
        (font.size * 1.2).round() as i32
    }

    /// Blends `color` at `coverage` (0–1) into the pixel at `(x, y)`.
    fn blend(&self, x: i32, y: i32, color: RGBColor, coverage: f64) -> Result<(), ChartError> {
        if coverage <= 0.0 {
            return Ok(());
        }
        self.area
            .draw_pixel((x, y), &color.mix(coverage.min(1.0)))
            .map_err(render_error)
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
        // The bitmap backend fills opaque rectangles up to, not including, the second corner.
        if right == left || bottom == top {
            return Ok(());
        }
        self.area
            .draw(&Rectangle::new(
                [(left, top), (right, bottom)],
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

    /// An anti-aliased polyline `width` pixels wide with round joins and ends.
    ///
    /// Each pixel is drawn once, by the segment nearest to it among itself and its two
    /// neighbours, so joins do not darken.
    pub(super) fn polyline(
        &self,
        points: &[(i32, i32)],
        color: RGBColor,
        width: f64,
    ) -> Result<(), ChartError> {
        let half = width / 2.0;
        let segments: Vec<((f64, f64), (f64, f64))> = points
            .windows(2)
            .map(|w| {
                let p = |(x, y): (i32, i32)| (f64::from(x), f64::from(y));
                (p(w[0]), p(w[1]))
            })
            .collect();
        for (i, &(a, b)) in segments.iter().enumerate() {
            let reach = half + 1.0;
            let x_range =
                (a.0.min(b.0) - reach).floor() as i32..=(a.0.max(b.0) + reach).ceil() as i32;
            for x in x_range {
                let y_range =
                    (a.1.min(b.1) - reach).floor() as i32..=(a.1.max(b.1) + reach).ceil() as i32;
                for y in y_range {
                    let c = (f64::from(x), f64::from(y));
                    let d = segment_distance(c, a, b);
                    let owned_before = i > 0 && {
                        let (pa, pb) = segments[i - 1];
                        segment_distance(c, pa, pb) <= d
                    };
                    let owned_after = segments
                        .get(i + 1)
                        .is_some_and(|&(na, nb)| segment_distance(c, na, nb) < d);
                    if !owned_before && !owned_after {
                        self.blend(x, y, color, half + 0.5 - d)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// An anti-aliased filled disc.
    pub(super) fn disc(
        &self,
        (cx, cy): (i32, i32),
        radius: f64,
        color: RGBColor,
    ) -> Result<(), ChartError> {
        let reach = radius.ceil() as i32 + 1;
        for x in cx - reach..=cx + reach {
            for y in cy - reach..=cy + reach {
                let d = f64::from(x - cx).hypot(f64::from(y - cy));
                self.blend(x, y, color, radius + 0.5 - d)?;
            }
        }
        Ok(())
    }

    /// Fails when a plot box of `width` × `height` is too small to read.
    pub(super) fn ensure_room(&self, width: i32, height: i32) -> Result<(), ChartError> {
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
    pub(super) fn reference_label(
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

/// A pixel box, right and bottom exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bounds {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl Bounds {
    /// The box spanning two corners in any order.
    pub(super) fn spanning((x0, y0): (i32, i32), (x1, y1): (i32, i32)) -> Self {
        Self {
            left: x0.min(x1),
            top: y0.min(y1),
            right: x0.max(x1),
            bottom: y0.max(y1),
        }
    }

    /// A square of side `2 * half` around a point.
    pub(super) fn around((x, y): (i32, i32), half: i32) -> Self {
        Self::spanning((x - half, y - half), (x + half, y + half))
    }

    fn overlaps(&self, other: &Self) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }
}

/// Boxes covering a polyline `width` pixels wide, for keeping labels off it.
pub(super) fn polyline_bounds(points: &[(i32, i32)], width: f64) -> Vec<Bounds> {
    let half = (width / 2.0).ceil() as i32 + 1;
    let mut boxes: Vec<Bounds> = points.iter().map(|&p| Bounds::around(p, half)).collect();
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let steps = (x1 - x0).abs().max((y1 - y0).abs()) / half.max(1) + 1;
        for k in 1..steps {
            let x = x0 + (x1 - x0) * k / steps;
            let y = y0 + (y1 - y0) * k / steps;
            boxes.push(Bounds::around((x, y), half));
        }
    }
    boxes
}

/// Distance from `c` to the segment `a`–`b`.
fn segment_distance(c: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((c.0 - a.0) * dx + (c.1 - a.1) * dy) / length2).clamp(0.0, 1.0)
    };
    (c.0 - a.0 - t * dx).hypot(c.1 - a.1 - t * dy)
}

/// Control characters (new lines, tabs) become spaces; runs of spaces collapse.
fn clean(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}
