//! Readable numbers and round axis ticks.
//!
//! Value labels keep three significant digits in a compact unit (`1.23M`, `352k`, `45.3`,
//! `0.457`); tick labels show the round tick exactly (`0`, `250k`, `1.25M`). Negative numbers
//! use the typographic minus `−` (U+2212). Ticks follow the "nice numbers" rule (Heckbert,
//! Graphics Gems, 1990): the step is 1, 2, 2.5 or 5 times a power of ten, chosen as the
//! smallest such step that covers the range in at most `target - 1` intervals.

use super::ValueFormat;

const MINUS: char = '\u{2212}';
const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];

/// A value label: three significant digits.
pub(super) fn value_label(value: f64, format: &ValueFormat) -> String {
    match format {
        ValueFormat::Percent => signed(value, |a| format!("{}%", plain_sig3(a * 100.0))),
        _ => decorate(value, format, compact_sig3),
    }
}

/// A tick label for a tick on a grid of `step`.
pub(super) fn tick_label(value: f64, step: f64, format: &ValueFormat) -> String {
    match format {
        ValueFormat::Percent => signed(value, |a| {
            format!("{}%", fixed(a * 100.0, decimals_for(step * 100.0)))
        }),
        _ => decorate(value, format, |a| compact_tick(a, step)),
    }
}

/// A rate (a fraction) as a percentage with exactly `decimals` decimals: `43.8%`.
pub(super) fn percent_fixed(rate: f64, decimals: usize) -> String {
    signed(rate, |a| format!("{:.decimals$}%", a * 100.0))
}

/// Decimals that show a rate of `rate` to three significant digits, one at least.
pub(super) fn rate_decimals(rate: f64) -> usize {
    match rate.abs() {
        r if r >= 0.1 => 1,
        r if r >= 0.01 => 2,
        _ => 3,
    }
}

/// A whole count with thousands separators below ten million, compact above.
pub(super) fn count_label(count: u64) -> String {
    if count >= 10_000_000 {
        return compact_sig3(count as f64);
    }
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats `|value|` with `body`, then adds the sign and the format's symbol.
fn decorate(value: f64, format: &ValueFormat, body: impl Fn(f64) -> String) -> String {
    signed(value, |a| match format {
        ValueFormat::Currency { symbol } => format!("{symbol}{}", body(a)),
        ValueFormat::Multiple => format!("{}×", body(a)),
        ValueFormat::Number | ValueFormat::Percent => body(a),
    })
}

fn signed(value: f64, body: impl Fn(f64) -> String) -> String {
    let text = body(value.abs());
    // A value that rounds to zero shows no sign.
    let is_zero = !text.chars().any(|c| c.is_ascii_digit() && c != '0');
    if value < 0.0 && !is_zero {
        format!("{MINUS}{text}")
    } else {
        text
    }
}

/// `a >= 0` in a compact unit with three significant digits, trailing zeros dropped.
fn compact_sig3(a: f64) -> String {
    let rounded = round_sig(a, 3);
    let (divisor, suffix) = unit(rounded);
    format!("{}{suffix}", plain_sig3(rounded / divisor))
}

/// `a >= 0` with three significant digits and no unit, trailing zeros dropped.
fn plain_sig3(a: f64) -> String {
    if a == 0.0 {
        return "0".to_owned();
    }
    let magnitude = round_sig(a, 3).log10().floor() as i32;
    fixed(a, (2 - magnitude).clamp(0, 6) as usize)
}

/// A tick `a >= 0` on a grid of `step`, in the unit that suits the tick itself.
fn compact_tick(a: f64, step: f64) -> String {
    let (divisor, suffix) = unit(a);
    format!(
        "{}{suffix}",
        fixed(a / divisor, decimals_for(step / divisor))
    )
}

/// Decimals needed to show multiples of `step` exactly (at most six).
fn decimals_for(step: f64) -> usize {
    let mut decimals = 0;
    let mut scaled = step.abs();
    while decimals < 6 && (scaled - scaled.round()).abs() > 1e-6 * scaled.max(1.0) {
        scaled *= 10.0;
        decimals += 1;
    }
    decimals
}

fn unit(a: f64) -> (f64, &'static str) {
    UNITS
        .iter()
        .copied()
        .find(|(divisor, _)| a >= *divisor)
        .unwrap_or((1.0, ""))
}

fn round_sig(a: f64, digits: i32) -> f64 {
    if a == 0.0 || !a.is_finite() {
        return a;
    }
    let factor = 10f64.powi(digits - 1 - a.log10().floor() as i32);
    (a * factor).round() / factor
}

/// `a` with `decimals` decimals, trailing zeros (and a bare point) dropped.
fn fixed(a: f64, decimals: usize) -> String {
    let text = format!("{a:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Round ticks within a range.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ticks {
    pub values: Vec<f64>,
    pub step: f64,
}

/// At most `max_ticks` round ticks within `[min, max]` (finite, `min < max`), as many as
/// that allows: the step is the smallest of 1, 2, 2.5, 5 × 10^k that keeps the count of
/// multiples of the step inside the range at or below `max_ticks`.
pub(super) fn nice_ticks(min: f64, max: f64, max_ticks: usize) -> Ticks {
    let max_ticks = max_ticks.max(2) as f64;
    let inside = |step: f64| (max / step + 1e-9).floor() - (min / step - 1e-9).ceil() + 1.0;
    let raw = (max - min) / max_ticks;
    if !raw.is_normal() {
        // A range too small (subnormal) or too large (overflowing) for round steps.
        return Ticks {
            values: vec![min],
            step: 1.0,
        };
    }
    let mut magnitude = 10f64.powf(raw.log10().floor());
    let mut step = max - min;
    // The first magnitude is at most `raw`; ten times it is more than `raw`, so one of the
    // first two rounds succeeds. The bound only guards against rounding surprises.
    'search: for _ in 0..4 {
        for candidate in [1.0, 2.0, 2.5, 5.0] {
            if inside(candidate * magnitude) <= max_ticks {
                step = candidate * magnitude;
                break 'search;
            }
        }
        magnitude *= 10.0;
    }
    let first = (min / step - 1e-9).ceil() as i64;
    let last = (max / step + 1e-9).floor() as i64;
    // Far from zero a short range spans few representable numbers, so `i × step` can round
    // a hair outside it (or several multiples onto one number): clamp, then drop repeats.
    let mut values: Vec<f64> = (first..=last)
        .map(|i| {
            let v = (i as f64 * step).clamp(min, max);
            if v == 0.0 { 0.0 } else { v }
        })
        .collect();
    values.dedup();
    Ticks { values, step }
}

/// A linear map from values to pixels along one axis.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scale {
    pub lo: f64,
    pub hi: f64,
    /// Pixel of `lo`.
    pub from: f64,
    /// Pixel of `hi` (smaller than `from` on a vertical axis).
    pub to: f64,
}

impl Scale {
    pub(super) fn px(&self, value: f64) -> f64 {
        self.from + (value - self.lo) / (self.hi - self.lo) * (self.to - self.from)
    }

    pub(super) fn ipx(&self, value: f64) -> i32 {
        self.px(value).round() as i32
    }

    /// Shrinks the axis so labels of `extent` pixels, placed `gap` past each bar end in the
    /// bar's direction, stay between the current `from` and `to`. `bars` lists
    /// `(value, extent)`; bars start at zero.
    pub(super) fn fit_labels(self, bars: &[(f64, f64)], gap: f64) -> Self {
        let dir = (self.to - self.from).signum();
        let length = (self.to - self.from).abs();
        let mut fitted = self;
        // Shrinking moves a bar end by less than the shrink unless the bar spans the axis,
        // so repeat; the overflow falls geometrically.
        for _ in 0..24 {
            let (mut over_hi, mut over_lo) = (0.0f64, 0.0f64);
            for &(value, extent) in bars {
                // Distance along the axis from the original `from`.
                let pos = (fitted.px(value) - self.from) * dir;
                if value >= 0.0 {
                    over_hi = over_hi.max(pos + gap + extent - length);
                } else {
                    over_lo = over_lo.max(gap + extent - pos);
                }
            }
            if over_hi <= 0.5 && over_lo <= 0.5 {
                return fitted;
            }
            let next = Self {
                from: fitted.from + over_lo.max(0.0) * dir,
                to: fitted.to - over_hi.max(0.0) * dir,
                ..fitted
            };
            if (next.to - next.from).abs() < length * 0.5 {
                // Labels wider than the plot: keep the bars readable and let labels clip.
                return fitted;
            }
            fitted = next;
        }
        fitted
    }
}
