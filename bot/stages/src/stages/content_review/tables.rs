//! The tables of the content review, shared by the stage's post and the
//! `quarterdeck analyze content|seo` command.

use quarterdeck_analyses::content::{ContentPerformance, Opportunity, SeoFindings};

use crate::chat::Table;
use crate::report::{DisplayNames, count};
use crate::report::{change_or_dash, percent_or_dash};

/// How many rows a ranked table shows.
pub const ROWS: usize = 10;

fn num(x: f64) -> String {
    count(x.max(0.0).round() as usize)
}

/// Pages with the most conversions per 1k sessions (the conversion ranking).
pub fn top_content(c: &ContentPerformance, names: &DisplayNames) -> Table {
    let mut t = Table::new(
        format!("Top content by conversions per 1k sessions ({})", c.period),
        &[
            "Page",
            "Type",
            "Sessions",
            "Traffic index",
            "Engaged",
            "Conv. / 1k",
            "Sessions vs last",
        ],
    );
    for url in c.top_by_conversions.iter().take(ROWS) {
        if let Some(p) = c.pages.iter().find(|p| &p.url == url) {
            t = t.row(vec![
                p.url.clone(),
                names.name(&p.content_type),
                num(p.sessions),
                format!("{:.2}", p.traffic_index),
                percent_or_dash(p.engagement_rate),
                p.conversions_per_1k
                    .map_or_else(|| "—".into(), |v| format!("{v:.1}")),
                change_or_dash(p.sessions_change),
            ]);
        }
    }
    t
}

pub fn by_type(c: &ContentPerformance, names: &DisplayNames) -> Table {
    let mut t = Table::new(
        "By content type",
        &[
            "Type",
            "Pages",
            "Sessions",
            "vs last",
            "Conversions",
            "Conv. rate",
            "Engaged",
        ],
    );
    for k in &c.by_type {
        let change = (k.previous_sessions > 0.0)
            .then(|| (k.sessions - k.previous_sessions) / k.previous_sessions);
        t = t.row(vec![
            names.name(&k.content_type),
            k.pages.to_string(),
            num(k.sessions),
            change_or_dash(change),
            num(k.conversions),
            percent_or_dash(k.conversion_rate),
            percent_or_dash(k.engagement_rate),
        ]);
    }
    t
}

pub fn trend(c: &ContentPerformance) -> Table {
    let mut t = Table::new(
        "Trend by quarter",
        &[
            "Quarter starting",
            "Pages",
            "Sessions",
            "Engaged",
            "Engagement time / session",
            "Conversions",
            "Conv. / 1k",
        ],
    );
    for p in &c.trend {
        t = t.row(vec![
            p.period.clone(),
            p.pages.to_string(),
            num(p.sessions),
            percent_or_dash(p.engagement_rate),
            p.mean_engagement_time_s
                .map_or_else(|| "—".into(), |t| format!("{t:.0} s")),
            num(p.conversions),
            p.conversions_per_1k
                .map_or_else(|| "—".into(), |v| format!("{v:.1}")),
        ]);
    }
    t
}

pub fn striking(s: &SeoFindings) -> Table {
    let mut t = Table::new(
        "Striking-distance keywords (positions 4-20)",
        &[
            "Keyword",
            "Page",
            "Position",
            "Target",
            "Searches / month",
            "Extra clicks / month",
        ],
    );
    for k in s.striking_distance.iter().take(ROWS) {
        t = t.row(vec![
            k.keyword.clone(),
            k.url.clone().unwrap_or_else(|| "—".into()),
            format!("{:.1}", k.position),
            format!("{:.0}", k.target_position),
            num(k.search_volume),
            format!("{:.0}", k.extra_clicks_per_month),
        ]);
    }
    t
}

pub fn gaps(s: &SeoFindings) -> Table {
    let mut t = Table::new(
        "Content gaps (competitors rank, we do not)",
        &[
            "Keyword",
            "Searches / month",
            "Best competitor",
            "Clicks / month at position 10",
        ],
    );
    for g in s.gaps.iter().take(ROWS) {
        t = t.row(vec![
            g.keyword.clone(),
            num(g.search_volume),
            format!("{:.1}", g.best_competitor_position),
            format!("{:.0}", g.extra_clicks_per_month),
        ]);
    }
    t
}

pub fn moves(s: &SeoFindings) -> Table {
    let mut t = Table::new(
        "Largest ranking moves",
        &[
            "Keyword",
            "From",
            "To",
            "Clicks before",
            "Clicks now",
            "Clicks / month at stake",
        ],
    );
    let half = ROWS / 2;
    for m in s.gains.iter().take(half).chain(s.losses.iter().take(half)) {
        t = t.row(vec![
            m.keyword.clone(),
            format!("{:.1}", m.from),
            format!("{:.1}", m.to),
            num(m.clicks_before),
            num(m.clicks_now),
            format!("{:.0}", m.clicks_per_month_at_stake),
        ]);
    }
    t
}

pub fn strategy(o: &[Opportunity], names: &DisplayNames) -> Table {
    let mut t = Table::new(
        "Next quarter's content strategy (ranked by extra organic clicks)",
        &[
            "#",
            "Action",
            "Type",
            "Position now → target",
            "Extra clicks / month",
            "Extra conv. / quarter",
        ],
    );
    for (i, x) in o.iter().take(ROWS).enumerate() {
        t = t.row(vec![
            (i + 1).to_string(),
            x.title.clone(),
            names.name(&x.content_type),
            format!(
                "{} → {:.0}",
                x.current_position
                    .map_or_else(|| "none".into(), |p| format!("{p:.1}")),
                x.target_position
            ),
            format!("{:.0}", x.extra_clicks_per_month),
            format!("{:.1}", x.extra_conversions_per_quarter),
        ]);
    }
    t
}
