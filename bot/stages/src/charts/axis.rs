//! Value axes: choosing ticks whose labels do not collide, and drawing grid and labels.

use super::canvas::{Align, Canvas};
use super::format::{self, Scale, Ticks};
use super::{ReferenceLine, ValueFormat, theme};

/// The range a value axis must show: the data, zero when `with_zero`, and the reference;
/// never empty (a single value `v` widens to `v ± 10 %`, zero to `0 … 1`).
pub(super) fn domain(
    values: impl Iterator<Item = f64>,
    reference: Option<&ReferenceLine>,
    with_zero: bool,
) -> (f64, f64) {
    let start = if with_zero {
        (0.0, 0.0)
    } else {
        (f64::INFINITY, f64::NEG_INFINITY)
    };
    let (lo, hi) = values
        .chain(reference.map(|r| r.value))
        .fold(start, |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo < hi {
        (lo, hi)
    } else if lo == hi && lo != 0.0 {
        let pad = lo.abs() * 0.1;
        (
            if with_zero && lo > 0.0 { 0.0 } else { lo - pad },
            if with_zero && lo < 0.0 { 0.0 } else { hi + pad },
        )
    } else {
        (0.0, 1.0)
    }
}

/// `(lo, hi)` widened by `share` of its length at the ends that are not zero.
pub(super) fn pad((lo, hi): (f64, f64), share: f64) -> (f64, f64) {
    let extra = (hi - lo) * share;
    (
        if lo == 0.0 { lo } else { lo - extra },
        if hi == 0.0 { hi } else { hi + extra },
    )
}

/// Ticks within `(lo, hi)` on an axis `length` pixels long: as many as fit without labels
/// colliding, at most seven.
pub(super) fn ticks(
    canvas: &Canvas<'_>,
    (lo, hi): (f64, f64),
    length: i32,
    horizontal: bool,
    format: &ValueFormat,
) -> Ticks {
    let font = canvas.theme.tick();
    let mut chosen = format::nice_ticks(lo, hi, 2);
    for max_ticks in (3..=7).rev() {
        let ticks = format::nice_ticks(lo, hi, max_ticks);
        let spacing = f64::from(length) * ticks.step / (hi - lo);
        let needed = if horizontal {
            let widest = ticks
                .values
                .iter()
                .map(|&v| canvas.text_width(&format::tick_label(v, ticks.step, format), font))
                .max()
                .unwrap_or(0);
            f64::from(widest + canvas.theme.ipx(20.0))
        } else {
            f64::from(Canvas::line_height(font) * 2)
        };
        if spacing >= needed {
            chosen = ticks;
            break;
        }
    }
    chosen
}

/// Widest tick label, for reserving room beside a vertical axis.
pub(super) fn widest_label(canvas: &Canvas<'_>, ticks: &Ticks, format: &ValueFormat) -> i32 {
    ticks
        .values
        .iter()
        .map(|&v| {
            canvas.text_width(
                &format::tick_label(v, ticks.step, format),
                canvas.theme.tick(),
            )
        })
        .max()
        .unwrap_or(0)
}

/// Horizontal grid lines and tick labels left of `left` for a vertical value axis.
pub(super) fn draw_vertical(
    canvas: &Canvas<'_>,
    scale: &Scale,
    ticks: &Ticks,
    (left, right): (i32, i32),
    format: &ValueFormat,
) -> Result<(), super::ChartError> {
    let t = &canvas.theme;
    for &value in &ticks.values {
        let y = scale.ipx(value);
        if value != 0.0 {
            canvas.hline(left, right, y, 1, theme::GRID)?;
        }
        let label = format::tick_label(value, ticks.step, format);
        canvas.text_centered_on(
            &label,
            left - t.ipx(12.0),
            y,
            t.tick(),
            theme::MUTED,
            Align::Right,
        )?;
    }
    Ok(())
}

/// Vertical grid lines and tick labels below `bottom` for a horizontal value axis.
pub(super) fn draw_horizontal(
    canvas: &Canvas<'_>,
    scale: &Scale,
    ticks: &Ticks,
    (top, bottom): (i32, i32),
    format: &ValueFormat,
) -> Result<(), super::ChartError> {
    let t = &canvas.theme;
    let font = t.tick();
    for &value in &ticks.values {
        let x = scale.ipx(value);
        if value != 0.0 {
            canvas.vline(x, top, bottom, 1, theme::GRID)?;
        }
        let label = format::tick_label(value, ticks.step, format);
        let baseline = bottom + t.ipx(12.0) + Canvas::cap_height(font);
        canvas.text(&label, x, baseline, font, theme::MUTED, Align::Center)?;
    }
    Ok(())
}
