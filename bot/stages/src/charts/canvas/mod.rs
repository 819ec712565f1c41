//! Drawing primitives on an in-memory RGB bitmap, and the PNG encoding of the result.
//!
//! plotters owns the bitmap and fills rectangles. Text is rasterised here with `ab_glyph`
//! from the bundled DejaVu Sans, never a system font, with fractional glyph positions and
//! kerning (plotters' own `ab_glyph` text snaps every glyph to whole pixels, which makes
//! spacing uneven). Lines and discs are anti-aliased here too: a pixel's coverage is
//! `clamp(r + 0.5 − d, 0, 1)` where `d` is the distance from the pixel centre to the shape's
//! spine and `r` its half width, blended over what is there. Everything is plain `f32`/`f64`
//! arithmetic, so the same input gives the same pixels.

mod annotate;
mod text;

use std::sync::OnceLock;

use ab_glyph::FontRef;
use plotters::backend::BitMapBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::Rectangle;
use plotters::style::{Color, RGBColor};

use super::theme::{self, Theme};
use super::{ChartError, Png, Size};

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

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
    /// Blends `color` at `coverage` (0–1) into the pixel at `(x, y)`.
    fn blend(&self, x: i32, y: i32, color: RGBColor, coverage: f64) -> Result<(), ChartError> {
        if coverage <= 0.0 {
            return Ok(());
        }
        self.area
            .draw_pixel((x, y), &color.mix(coverage.min(1.0)))
            .map_err(render_error)
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
