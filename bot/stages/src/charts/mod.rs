//! Charts rendered in-process to PNG: data in, bytes out, no I/O.
//!
//! Four chart kinds cover the bot's posts: [`bar_chart`] (ROI by channel, with a break-even
//! line), [`grouped_bars`] (attribution models side by side), [`funnel_chart`] (stage counts
//! and step conversion with optional confidence intervals) and [`line_chart`] (monthly or
//! weekly trends). Each takes a plain spec and returns a [`Png`] or a [`ChartError`] naming
//! what was wrong with the input; nothing panics on bad data.
//!
//! Rendering is deterministic: no clock, no randomness and no system fonts, so the same
//! spec gives the same bytes. Text uses the bundled DejaVu Sans (`bot/assets/fonts/`,
//! Bitstream Vera licence), parsed once per process and rasterised with `ab_glyph`; plotters
//! provides the bitmap and rectangle fills, and the `png` crate encodes. Colours are the
//! colour-blind-safe Okabe–Ito palette (see `theme.rs`). Values are `f64` in display units
//! (money already converted from minor units by the caller); [`ValueFormat`] picks how
//! labels read (`€1.2M`, `350k`, `45%`, `1.8×`). Layout: title and subtitle top left, legend
//! under them, axis titles set horizontally (no rotated text), light grid at round ticks,
//! value labels kept inside the canvas by shortening the value axis.

mod axis;
mod bar;
mod canvas;
mod format;
mod funnel;
mod line;
mod table;
mod theme;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use bar::{Bar, BarChart, BarSeries, GroupedBars, bar_chart, grouped_bars};
pub use funnel::{Funnel, FunnelStage, Interval, funnel_chart};
pub use line::{LineChart, LineSeries, line_chart};
pub use table::{TableImage, is_numeric, table_image};

/// An encoded PNG image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    #[error("nothing to draw: {0} is empty")]
    Empty(&'static str),
    #[error("{0} is not a finite number")]
    NotFinite(String),
    #[error("series \"{series}\" has {found} values but there are {expected} categories")]
    LengthMismatch {
        series: String,
        expected: usize,
        found: usize,
    },
    #[error("{found} series are too many to tell apart; at most {max}")]
    TooManySeries { found: usize, max: usize },
    #[error("{found} {what} do not fit on a {width}×{height} chart; at most {max}")]
    TooCrowded {
        what: &'static str,
        found: usize,
        max: usize,
        width: u32,
        height: u32,
    },
    #[error("a {width}×{height} canvas leaves no room for the plot beside its titles and legend")]
    NoRoom { width: u32, height: u32 },
    #[error("canvas {width}×{height} is outside 480–4096 × 320–4096 pixels")]
    InvalidSize { width: u32, height: u32 },
    #[error("interval for stage \"{stage}\": {reason}")]
    InvalidInterval { stage: String, reason: &'static str },
    #[error("the bundled chart font could not be loaded")]
    Font,
    #[error("drawing failed: {0}")]
    Render(String),
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

/// Canvas size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Default for Size {
    /// 1200 × 675 (16:9), sharp in a chat client and on a slide.
    fn default() -> Self {
        Self {
            width: 1200,
            height: 675,
        }
    }
}

impl Size {
    fn validate(self) -> Result<(), ChartError> {
        if (480..=4096).contains(&self.width) && (320..=4096).contains(&self.height) {
            Ok(())
        } else {
            Err(ChartError::InvalidSize {
                width: self.width,
                height: self.height,
            })
        }
    }
}

/// Direction of the bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// Bars grow to the right; categories read down the left. Best for long labels.
    #[default]
    Horizontal,
    /// Bars grow upwards; categories along the bottom.
    Vertical,
}

/// How values read on labels and axes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    /// `350k`, `1.2M`, `45.3`.
    #[default]
    Number,
    /// A prefixed symbol: `€350k`, `−$1.2M`.
    Currency { symbol: String },
    /// A fraction shown as a percentage: `0.453` → `45.3%`.
    Percent,
    /// A ratio such as ROI: `1.85×`.
    Multiple,
}

/// A labelled line across the plot at a value, e.g. ROI = 1 (break-even) or a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceLine {
    pub value: f64,
    pub label: String,
}

/// A file name for a chart titled `title`: lowercase ASCII words joined by `-`, `.png`.
///
/// `"ROI by channel — Q3 2025"` → `"roi-by-channel-q3-2025.png"`; an empty result becomes
/// `"chart.png"`.
pub fn file_name(title: &str) -> String {
    let mut stem = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if stem.len() + word.len() + 1 > 60 {
            if stem.is_empty() {
                stem.push_str(&word[..60].to_ascii_lowercase());
            }
            break;
        }
        if !stem.is_empty() {
            stem.push('-');
        }
        stem.push_str(&word.to_ascii_lowercase());
    }
    if stem.is_empty() {
        stem.push_str("chart");
    }
    format!("{stem}.png")
}

/// Checks that `value` is finite; `what` names it in the error.
fn finite(value: f64, what: impl FnOnce() -> String) -> Result<f64, ChartError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ChartError::NotFinite(what()))
    }
}

/// Checks the number of series against the palette.
fn check_series_count(found: usize) -> Result<(), ChartError> {
    if found > theme::MAX_SERIES {
        Err(ChartError::TooManySeries {
            found,
            max: theme::MAX_SERIES,
        })
    } else {
        Ok(())
    }
}
