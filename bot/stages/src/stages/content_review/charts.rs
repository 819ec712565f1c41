//! The content review's charts: striking-distance keywords by the clicks they would add,
//! and the pages converting best per 1k sessions.

use quarterdeck_analyses::content::{ContentPerformance, SeoFindings};

use crate::charts::{self, Bar, BarChart, Orientation, Size, ValueFormat};
use crate::stages::OutputFile;

const BARS: usize = 12;

fn keep(name: &str, rendered: Result<charts::Png, charts::ChartError>) -> Option<OutputFile> {
    match rendered {
        Ok(png) => Some(OutputFile::png(format!("{name}.png"), png.bytes)),
        Err(e) => {
            tracing::warn!(chart = name, error = %e, "chart left out");
            None
        }
    }
}

/// Horizontal bars: extra organic clicks per month if each keyword reached its target.
pub fn striking_distance(s: &SeoFindings, curve: &str) -> Option<OutputFile> {
    let bars: Vec<Bar> = s
        .striking_distance
        .iter()
        .take(BARS)
        .map(|k| Bar {
            label: format!(
                "{} ({:.0} → {:.0})",
                k.keyword, k.position, k.target_position
            ),
            value: k.extra_clicks_per_month,
        })
        .collect();
    if bars.is_empty() {
        return None;
    }
    let spec = BarChart {
        title: "Striking-distance keywords: extra clicks per month".into(),
        subtitle: Some(format!("Quarter starting {} · {curve}", s.period)),
        bars,
        orientation: Orientation::Horizontal,
        format: ValueFormat::Number,
        value_axis: "Extra organic clicks per month".into(),
        category_axis: None,
        reference: None,
        size: Size {
            width: 1200,
            height: 800,
        },
    };
    keep("striking-distance", charts::bar_chart(&spec))
}

/// Horizontal bars: the best converting pages, conversions per 1k sessions.
pub fn top_converting(c: &ContentPerformance) -> Option<OutputFile> {
    let bars: Vec<Bar> = c
        .top_by_conversions
        .iter()
        .filter_map(|url| c.pages.iter().find(|p| &p.url == url))
        .filter_map(|p| {
            Some(Bar {
                label: p.url.clone(),
                value: p.conversions_per_1k?,
            })
        })
        .collect();
    if bars.is_empty() {
        return None;
    }
    let spec = BarChart {
        title: "Top content by conversions per 1k sessions".into(),
        subtitle: Some(format!(
            "Quarter starting {} · pages with at least {:.0} sessions",
            c.period,
            quarterdeck_analyses::content::pages::MIN_SESSIONS
        )),
        bars,
        orientation: Orientation::Horizontal,
        format: ValueFormat::Number,
        value_axis: "Conversions per 1,000 sessions".into(),
        category_axis: None,
        reference: None,
        size: Size {
            width: 1200,
            height: 800,
        },
    };
    keep("top-content-conversions", charts::bar_chart(&spec))
}
