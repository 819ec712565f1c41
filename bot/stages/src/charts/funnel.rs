//! Funnel: stage counts as bars, and the conversion from each stage to the next.
//!
//! The left panel draws each stage's count as a bar whose length is proportional to the
//! count (`count_i / max count`). The right panel is a dot plot of step conversion
//! `rate_i = count_i / count_(i-1)` for every stage after the first (undefined, shown as
//! "–", when the previous count is zero), on a shared axis from 0 %, with the caller's
//! interval for that rate (e.g. a 95 % Wilson interval) as a whisker. A note under the chart
//! gives overall conversion `count_last / count_first`.

use serde::{Deserialize, Serialize};

use super::canvas::{self, Align, Canvas};
use super::format::{self, Scale};
use super::{ChartError, Png, Size, ValueFormat, axis, finite, theme};

/// Bounds of an interval for a conversion rate, as fractions in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// One stage of a funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStage {
    pub name: String,
    pub count: u64,
    /// Interval for the conversion from the previous stage into this one; the first stage
    /// has none.
    #[serde(default)]
    pub interval: Option<Interval>,
}

/// A funnel chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub stages: Vec<FunnelStage>,
    #[serde(default)]
    pub size: Size,
}

/// Renders a funnel chart.
pub fn funnel_chart(spec: &Funnel) -> Result<Png, ChartError> {
    if spec.stages.is_empty() {
        return Err(ChartError::Empty("stages"));
    }
    for (i, stage) in spec.stages.iter().enumerate() {
        let Some(interval) = stage.interval else {
            continue;
        };
        let invalid = |reason| ChartError::InvalidInterval {
            stage: stage.name.clone(),
            reason,
        };
        if i == 0 {
            return Err(invalid(
                "the first stage has no previous stage to convert from",
            ));
        }
        finite(interval.low, || {
            format!("interval low of stage \"{}\"", stage.name)
        })?;
        finite(interval.high, || {
            format!("interval high of stage \"{}\"", stage.name)
        })?;
        if !(0.0 <= interval.low && interval.low <= interval.high && interval.high <= 1.0) {
            return Err(invalid("bounds must satisfy 0 ≤ low ≤ high ≤ 1"));
        }
    }
    canvas::render(spec.size, |c| draw(spec, c))
}

/// Step conversion into stage `i` (`i >= 1`), if the previous stage has any count.
fn step_rate(stages: &[FunnelStage], i: usize) -> Option<f64> {
    let previous = stages[i - 1].count;
    (previous > 0).then(|| stages[i].count as f64 / previous as f64)
}

fn draw(spec: &Funnel, c: &Canvas<'_>) -> Result<(), ChartError> {
    let t = &c.theme;
    let (label_font, value_font, axis_font, note_font, tick_font) =
        (t.label(), t.value(), t.axis_title(), t.note(), t.tick());
    let stages = &spec.stages;
    let n = stages.len();
    let margin = t.margin();
    let top = c.header(&spec.title, spec.subtitle.as_deref())?;
    let show_rates = n > 1;

    let band = Canvas::line_height(axis_font) + t.ipx(8.0);
    let note_row = if show_rates {
        Canvas::line_height(note_font) + t.ipx(10.0)
    } else {
        0
    };
    let tick_row = if show_rates {
        t.ipx(12.0) + Canvas::cap_height(tick_font)
    } else {
        0
    };
    let rows_top = top + band;
    let rows_bottom = c.height - t.ipx(26.0) - note_row - tick_row;
    let row = f64::from(rows_bottom - rows_top) / n as f64;
    let min_row = f64::from(Canvas::line_height(label_font)) * 1.4;
    if row < min_row {
        return Err(ChartError::TooCrowded {
            what: "stages",
            found: n,
            max: (f64::from(rows_bottom - rows_top) / min_row).floor() as usize,
            width: c.width as u32,
            height: c.height as u32,
        });
    }
    let lines = if row >= f64::from(Canvas::line_height(label_font)) * 2.6 {
        2
    } else {
        1
    };

    // Columns: names | bars and counts | step conversion panel.
    let panel_width = if show_rates {
        (f64::from(c.width) * 0.36) as i32
    } else {
        0
    };
    let panel_left = c.width - margin - panel_width;
    let name_width = (f64::from(c.width) * 0.2) as i32;
    let names: Vec<Vec<String>> = stages
        .iter()
        .map(|s| c.wrap(&s.name, label_font, name_width, lines))
        .collect();
    let column = names
        .iter()
        .flatten()
        .map(|l| c.text_width(l, label_font))
        .max()
        .unwrap_or(0);
    let bars_left = margin + column + t.ipx(16.0);
    let bars_right = if show_rates {
        panel_left - t.ipx(48.0)
    } else {
        c.width - margin
    };
    c.ensure_room(bars_right - bars_left, rows_bottom - rows_top)?;
    let max_count = stages.iter().map(|s| s.count).max().unwrap_or(0).max(1) as f64;
    let gap = t.px(10.0);
    let extents: Vec<(f64, f64)> = stages
        .iter()
        .map(|s| {
            let label = format::count_label(s.count);
            (s.count as f64, f64::from(c.text_width(&label, value_font)))
        })
        .collect();
    let scale = Scale {
        lo: 0.0,
        hi: max_count,
        from: f64::from(bars_left),
        to: f64::from(bars_right),
    }
    .fit_labels(&extents, gap);

    let thickness = (row * 0.62).min(t.px(72.0));
    for (i, stage) in stages.iter().enumerate() {
        let center = (f64::from(rows_top) + row * (i as f64 + 0.5)).round() as i32;
        let half = (thickness / 2.0).round() as i32;
        let end = scale.ipx(stage.count as f64);
        c.rect(
            (bars_left, center - half),
            (end, center + half),
            theme::PRIMARY,
        )?;
        let label = format::count_label(stage.count);
        let x = end + gap.round() as i32;
        c.text_centered_on(&label, x, center, value_font, theme::TEXT, Align::Left)?;
        let line_height = Canvas::line_height(label_font);
        let first_center = center - line_height * (names[i].len() as i32 - 1) / 2;
        for (k, line) in names[i].iter().enumerate() {
            let y = first_center + line_height * k as i32;
            let x = bars_left - t.ipx(16.0);
            c.text_centered_on(line, x, y, label_font, theme::TEXT, Align::Right)?;
        }
    }
    c.vline(
        bars_left,
        rows_top,
        rows_bottom,
        t.ipx(2.0),
        theme::BASELINE,
    )?;

    if show_rates {
        draw_rates(c, stages, (panel_left, rows_top, rows_bottom), row)?;
        let first = stages[0].count;
        let last = stages[n - 1].count;
        if first > 0 {
            let overall_rate = last as f64 / first as f64;
            let overall = format::percent_fixed(overall_rate, format::rate_decimals(overall_rate));
            let note = format!(
                "Overall conversion, {} → {}: {overall}",
                stages[0].name.trim(),
                stages[n - 1].name.trim()
            );
            let note = c.fit(&note, note_font, c.width - 2 * margin);
            let baseline = c.height - t.ipx(26.0);
            c.text(
                &note,
                margin,
                baseline,
                note_font,
                theme::MUTED,
                Align::Left,
            )?;
        }
    }
    Ok(())
}

/// The step conversion panel: header, rate text, dot and whisker per stage, shared axis.
fn draw_rates(
    c: &Canvas<'_>,
    stages: &[FunnelStage],
    (panel_left, rows_top, rows_bottom): (i32, i32, i32),
    row: f64,
) -> Result<(), ChartError> {
    let t = &c.theme;
    let (value_font, axis_font, note_font) = (t.value(), t.axis_title(), t.note());
    let percent = ValueFormat::Percent;
    let panel_right = c.width - t.margin();
    let header = c.fit(
        "Conversion from previous stage",
        axis_font,
        panel_right - panel_left,
    );
    let header_baseline = rows_top - t.ipx(12.0);
    c.text(
        &header,
        panel_left,
        header_baseline,
        axis_font,
        theme::MUTED,
        Align::Left,
    )?;

    let rate_column = c
        .text_width("100.0%", value_font)
        .max(c.text_width("88.8–88.8%", note_font));
    let track_left = panel_left + rate_column + t.ipx(22.0);
    let track_right = panel_right - t.ipx(12.0);
    let highest = (1..stages.len())
        .filter_map(|i| {
            let rate = step_rate(stages, i);
            let high = stages[i].interval.map(|iv| iv.high);
            rate.into_iter().chain(high).reduce(f64::max)
        })
        .fold(0.0, f64::max);
    let range = axis::pad(axis::domain([highest].into_iter(), None, true), 0.06);
    let ticks = axis::ticks(c, range, track_right - track_left, true, &percent);
    let scale = Scale {
        lo: range.0,
        hi: range.1,
        from: f64::from(track_left),
        to: f64::from(track_right),
    };
    let first_row_top = rows_top + row.round() as i32 / 2;
    axis::draw_horizontal(c, &scale, &ticks, (first_row_top, rows_bottom), &percent)?;
    c.vline(
        track_left,
        first_row_top,
        rows_bottom,
        t.ipx(2.0),
        theme::BASELINE,
    )?;

    for i in 1..stages.len() {
        let center = (f64::from(rows_top) + row * (i as f64 + 0.5)).round() as i32;
        let rate = step_rate(stages, i);
        let interval = stages[i].interval;
        // One number of decimals for the rate and its interval, enough for the smallest.
        let smallest = interval.map_or(rate.unwrap_or(1.0), |iv| {
            iv.low.max(1e-4).min(rate.unwrap_or(1.0))
        });
        let decimals = format::rate_decimals(smallest);
        let text = rate.map_or_else(|| "–".to_owned(), |r| format::percent_fixed(r, decimals));
        let rate_x = panel_left + rate_column;
        let rate_center = if interval.is_some() {
            center - Canvas::line_height(note_font) / 2
        } else {
            center
        };
        c.text_centered_on(
            &text,
            rate_x,
            rate_center,
            value_font,
            theme::INK,
            Align::Right,
        )?;
        if let Some(iv) = interval {
            let range = format!(
                "{}–{}",
                format::percent_fixed(iv.low, decimals).trim_end_matches('%'),
                format::percent_fixed(iv.high, decimals)
            );
            let y = rate_center + Canvas::line_height(note_font);
            c.text_centered_on(&range, rate_x, y, note_font, theme::MUTED, Align::Right)?;
            let (x0, x1) = (scale.ipx(iv.low), scale.ipx(iv.high));
            let thick = t.ipx(2.0);
            let cap = t.ipx(7.0);
            c.hline(x0, x1 + 1, center - thick / 2, thick, theme::BASELINE)?;
            c.vline(
                x0 - thick / 2,
                center - cap,
                center + cap,
                thick,
                theme::BASELINE,
            )?;
            c.vline(
                x1 - thick / 2,
                center - cap,
                center + cap,
                thick,
                theme::BASELINE,
            )?;
        }
        if let Some(r) = rate {
            let x = scale.ipx(r);
            c.disc((x, center), t.px(7.0), theme::BACKGROUND)?;
            c.disc((x, center), t.px(5.5), theme::ACCENT)?;
        }
    }
    Ok(())
}
