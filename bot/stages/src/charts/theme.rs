//! The look shared by every chart: palette, type sizes and spacing.
//!
//! Series colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
//! distinguishable under the common forms of colour blindness. Its black is softened to a
//! dark grey and its yellow (weak on white) comes last. Series nine to twelve reuse the first
//! four hues as 45 % tints, so a chart never shows two identical colours.
//!
//! Sizes are in pixels for the default 1200 × 675 canvas and scale with the canvas (by the
//! smaller of the width and height ratios, within 0.6–3).

use plotters::style::RGBColor;

use super::Size;

/// Most series one chart can colour apart.
pub(super) const MAX_SERIES: usize = 12;

const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(80, 80, 80),    // black, softened
    RGBColor(240, 228, 66),  // yellow
];

pub(super) const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
/// Title text.
pub(super) const INK: RGBColor = RGBColor(31, 35, 40);
/// Category labels, legend, value labels.
pub(super) const TEXT: RGBColor = RGBColor(58, 63, 69);
/// Subtitle, tick labels, axis titles, notes.
pub(super) const MUTED: RGBColor = RGBColor(107, 114, 128);
pub(super) const GRID: RGBColor = RGBColor(230, 232, 235);
/// The zero line and axis baselines.
pub(super) const BASELINE: RGBColor = RGBColor(75, 85, 99);
/// Reference lines (break-even, target).
pub(super) const REFERENCE: RGBColor = RGBColor(55, 60, 66);
/// Bars of a single-series chart.
pub(super) const PRIMARY: RGBColor = OKABE_ITO[0];
/// Bars that fall below a reference line.
pub(super) const BELOW_REFERENCE: RGBColor = OKABE_ITO[3];
/// Points on a scale (funnel step conversion).
pub(super) const ACCENT: RGBColor = OKABE_ITO[1];

/// Colour of series number `index` (0-based); callers keep `index < MAX_SERIES`.
pub(super) fn series_color(index: usize) -> RGBColor {
    let base = OKABE_ITO[index % OKABE_ITO.len()];
    if index < OKABE_ITO.len() {
        base
    } else {
        tint(base, 0.45)
    }
}

/// Mixes `color` with white; `amount` is the share of white.
fn tint(color: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * amount).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// A font size and weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Font {
    pub size: f64,
    pub bold: bool,
}

/// Type sizes and spacing for one canvas.
#[derive(Debug, Clone, Copy)]
pub(super) struct Theme {
    scale: f64,
}

impl Theme {
    pub(super) fn for_size(size: Size) -> Self {
        Self {
            scale: (f64::from(size.width) / 1200.0)
                .min(f64::from(size.height) / 675.0)
                .clamp(0.6, 3.0),
        }
    }

    /// `pixels` at the default canvas size, scaled to this one.
    pub(super) fn px(&self, pixels: f64) -> f64 {
        pixels * self.scale
    }

    /// Like [`Theme::px`], rounded to whole pixels (at least one).
    pub(super) fn ipx(&self, pixels: f64) -> i32 {
        (pixels * self.scale).round().max(1.0) as i32
    }

    fn font(&self, size: f64, bold: bool) -> Font {
        Font {
            size: (size * self.scale).round(),
            bold,
        }
    }

    pub(super) fn title(&self) -> Font {
        self.font(30.0, true)
    }
    pub(super) fn subtitle(&self) -> Font {
        self.font(19.0, false)
    }
    pub(super) fn axis_title(&self) -> Font {
        self.font(16.0, true)
    }
    pub(super) fn tick(&self) -> Font {
        self.font(16.0, false)
    }
    pub(super) fn label(&self) -> Font {
        self.font(17.0, false)
    }
    pub(super) fn value(&self) -> Font {
        self.font(16.0, true)
    }
    pub(super) fn legend(&self) -> Font {
        self.font(17.0, false)
    }
    pub(super) fn note(&self) -> Font {
        self.font(15.0, false)
    }

    /// Space between the canvas edge and anything drawn.
    pub(super) fn margin(&self) -> i32 {
        self.ipx(36.0)
    }
}
