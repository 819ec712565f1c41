//! Inline SVG charts: one horizontal bar chart, drawn with a labelled value axis (with
//! its unit), a label per bar and the value at the bar's end. Each chart is an `<svg
//! role="img">` with a `<title>` and a `<desc>` listing every value, so a screen reader
//! reads the same figures the bars show. It scales to the page's width (viewBox).

use std::fmt::Write;

use super::html::esc;

pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The value as the page writes it (`$120,000`, `1,616`).
    pub text: String,
    /// CSS class of the bar (`plan`, `actual`, `reserve`).
    pub class: &'static str,
}

pub struct BarChart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// The value axis' label with its unit, e.g. `Budget (USD)`.
    pub axis: &'a str,
    pub bars: Vec<Bar>,
    /// Formats an axis tick.
    pub tick: fn(f64) -> String,
}

const WIDTH: f64 = 640.0;
const LABEL: f64 = 150.0;
const RIGHT: f64 = 90.0;
const ROW: f64 = 24.0;
const TOP: f64 = 8.0;
const AXIS: f64 = 44.0;

impl BarChart<'_> {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let max = self.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let scale_max = nice_ceiling(max);
        let plot = WIDTH - LABEL - RIGHT;
        let height = TOP + ROW * self.bars.len() as f64 + AXIS;
        let desc: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{}: {}", b.label, b.text))
            .collect();
        let _ = write!(
            out,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
            esc(self.title),
            esc(&desc.join("; ")),
            id = esc(self.id),
        );
        // Ticks and grid.
        for i in 0..=4 {
            let v = scale_max * f64::from(i) / 4.0;
            let x = LABEL + plot * f64::from(i) / 4.0;
            let bottom = TOP + ROW * self.bars.len() as f64;
            let _ = write!(
                out,
                r#"<line class="grid" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                bottom + 14.0,
                esc(&(self.tick)(v))
            );
        }
        for (i, b) in self.bars.iter().enumerate() {
            let y = TOP + ROW * i as f64;
            let w = if scale_max > 0.0 {
                plot * b.value.max(0.0) / scale_max
            } else {
                0.0
            };
            let _ = write!(
                out,
                r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar {}" x="{LABEL}" y="{:.1}" width="{w:.1}" height="{:.1}"/><text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
                LABEL - 6.0,
                y + ROW * 0.68,
                esc(&b.label),
                b.class,
                y + 3.0,
                ROW - 6.0,
                LABEL + w + 4.0,
                y + ROW * 0.68,
                esc(&b.text),
            );
        }
        let _ = write!(
            out,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></svg>"#,
            LABEL + plot / 2.0,
            height - 6.0,
            esc(self.axis)
        );
        out
    }
}

/// The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `x` (the axis' end).
fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|v| *v >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * mag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_ends_at_a_round_number_at_or_above_the_largest_bar() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(180_000.0), 200_000.0);
        assert_eq!(nice_ceiling(250_000.0), 250_000.0);
        assert_eq!(nice_ceiling(251_000.0), 500_000.0);
    }

    #[test]
    fn bars_are_proportional_and_every_value_is_in_the_description() {
        let chart = BarChart {
            id: "b",
            title: "Budget <by> channel",
            axis: "Budget (USD)",
            bars: vec![
                Bar {
                    label: "search".into(),
                    value: 100.0,
                    text: "$100".into(),
                    class: "plan",
                },
                Bar {
                    label: "social".into(),
                    value: 50.0,
                    text: "$50".into(),
                    class: "plan",
                },
            ],
            tick: |v| format!("{v:.0}"),
        };
        let svg = chart.render();
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"b-t\">Budget &lt;by&gt; channel</title>"));
        assert!(svg.contains("<desc id=\"b-d\">search: $100; social: $50</desc>"));
        assert!(svg.contains(">Budget (USD)</text>"));
        // Axis to 100 over 400 px: 100 → 400 px, 50 → 200 px.
        assert!(svg.contains(r#"width="400.0""#), "{svg}");
        assert!(svg.contains(r#"width="200.0""#), "{svg}");
    }
}
