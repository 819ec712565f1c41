//! Stage 3's post, written from its typed findings ([`ContentFindings`]) alone: the
//! headline, what to do first, what the stage could not cover, the strategy and SEO
//! tables, the content tables, and the two charts.

use quarterdeck_analyses::content::ContentReview;

use super::{ContentFindings, charts, tables};
use crate::chat::Message;
use crate::report::{DisplayNames, count};
use crate::stages::{OutputFile, stage_title};

/// The post and its headline.
pub fn message(f: &ContentFindings, names: &DisplayNames) -> (Message, String) {
    let review = &f.review;
    let headline = headline(f);
    let mut body = headline.clone();
    for line in actions(review) {
        body.push_str(&format!("\n- {line}"));
    }
    if f.content_missing {
        body.push_str("\n\ncontent.csv is not in the data folder: no page performance, and opportunities are valued in clicks only.");
    }
    if f.keywords_missing {
        body.push_str("\n\nkeywords.csv is not in the data folder: no ranking moves, striking-distance keywords, gaps or SEO strategy.");
    }
    body.push_str(&format!(
        "\n\nUplift = monthly searches × our impression share × (CTR at target − CTR now), CTR curve: {}.",
        review.ctr_curve
    ));
    let mut message = Message::new(
        format!(
            "{} — what worked and next quarter's strategy",
            stage_title(3)
        ),
        body,
    );
    if let Some(s) = &review.seo {
        message = message
            .table(tables::strategy(&review.opportunities, names))
            .table(tables::striking(s))
            .table(tables::gaps(s))
            .table(tables::moves(s));
    }
    if let Some(c) = &review.content {
        message = message
            .table(tables::top_content(c, names))
            .table(tables::by_type(c, names))
            .table(tables::trend(c));
    }
    (message, headline)
}

/// The striking-distance chart (with keywords) and the top converters (with pages).
pub fn files(f: &ContentFindings) -> Vec<OutputFile> {
    let mut files = Vec::new();
    if let Some(s) = &f.review.seo {
        files.extend(charts::striking_distance(s, "SISTRIX 2020 CTR curve"));
    }
    if let Some(c) = &f.review.content {
        files.extend(charts::top_converting(c));
    }
    files
}

/// ` (+12% on the quarter before)`, or nothing without a change.
fn on_the_quarter_before(change: Option<f64>) -> String {
    change
        .map(|x| format!(" ({:+.0}% on the quarter before)", x * 100.0))
        .unwrap_or_default()
}

fn headline(f: &ContentFindings) -> String {
    let r = &f.review;
    let mut s = String::new();
    if let Some(c) = &r.content {
        if let Some(now) = c.trend.last() {
            let change = on_the_quarter_before(f.sessions_change);
            s.push_str(&format!(
                "{} pages drew {} sessions in the quarter starting {}{change} and {} conversions ({} per 1k sessions).",
                now.pages,
                count(now.sessions.round() as usize),
                now.period,
                count(now.conversions.round() as usize),
                now.conversions_per_1k.map_or_else(|| "—".into(), |v| format!("{v:.1}")),
            ));
        }
        if let Some(best) = c
            .by_type
            .iter()
            .filter(|t| t.conversion_rate.is_some())
            .max_by(|a, b| {
                a.conversion_rate
                    .unwrap_or(0.0)
                    .total_cmp(&b.conversion_rate.unwrap_or(0.0))
            })
        {
            s.push_str(&format!(
                " Best-converting type: {} ({} of sessions convert).",
                best.content_type.replace('_', " "),
                crate::report::percent_or_dash(best.conversion_rate)
            ));
        }
    }
    if let Some(seo) = &r.seo {
        let striking = f.striking_extra_clicks.unwrap_or(0.0);
        let gaps = f.gap_extra_clicks.unwrap_or(0.0);
        let delta = on_the_quarter_before(f.clicks_change);
        s.push_str(&format!(
            " Tracked keywords brought {} organic clicks{delta}.",
            count(seo.clicks.round() as usize)
        ));
        s.push_str(&format!(
            " We rank for {} of {} tracked keywords; {} sit in striking distance (positions 4-20), worth ≈{} extra organic clicks a month at target, and {} content gaps (competitors rank, we do not) ≈{} more.",
            seo.ranking,
            seo.keywords,
            seo.striking_distance.len(),
            count(striking.round() as usize),
            seo.gaps.len(),
            count(gaps.round() as usize),
        ));
    }
    s.trim_start().to_owned()
}

/// What to do about it, most valuable first.
fn actions(r: &ContentReview) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(o) = r.opportunities.first() {
        out.push(format!(
            "Start with: {} — ≈{:.0} extra clicks a month, ≈{:.1} conversions a quarter.",
            o.title, o.extra_clicks_per_month, o.extra_conversions_per_quarter
        ));
    }
    if let Some(seo) = &r.seo {
        if let Some(g) = seo.gaps.first() {
            out.push(format!(
                "Largest gap: \"{}\" ({} searches a month, a competitor at {:.0}); brief a new page.",
                g.keyword,
                count(g.search_volume.round() as usize),
                g.best_competitor_position
            ));
        }
        if let Some(m) = seo.losses.first() {
            out.push(format!(
                "Biggest loss: \"{}\" fell from {:.0} to {:.0}; refresh {} before it drops off page one.",
                m.keyword,
                m.from,
                m.to,
                m.url.as_deref().unwrap_or("the page")
            ));
        }
    }
    if let Some(c) = &r.content {
        if let Some(url) = c.top_by_conversions.first() {
            out.push(format!(
                "Best converter per session: {url}; link to it from the high-traffic pages."
            ));
        }
        if !c.declining.is_empty() {
            out.push(format!(
                "{} pages lost a fifth or more of their sessions (worst: {}).",
                c.declining.len(),
                c.declining[0]
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use quarterdeck_analyses::content::pages::{
        ContentPerformance, PageScore, PeriodTotals, TypeSummary,
    };

    use super::*;

    fn totals(period: &str, sessions: f64, conversions: f64) -> PeriodTotals {
        PeriodTotals {
            period: period.into(),
            pages: 1,
            sessions,
            engaged_sessions: sessions / 2.0,
            conversions,
            engagement_rate: Some(0.5),
            conversions_per_1k: Some(conversions / sessions * 1000.0),
            mean_engagement_time_s: None,
        }
    }

    /// One guide: 900 sessions in Q3, 920 in Q4 (+2.2%) with 9 conversions (9.8 per 1k,
    /// 1.0% of sessions); no keywords.csv.
    fn findings() -> ContentFindings {
        let content = ContentPerformance {
            period: "2026-10-01".into(),
            previous_period: Some("2026-07-01".into()),
            pages: vec![PageScore {
                url: "/guide/a".into(),
                title: "Guide A".into(),
                content_type: "guide".into(),
                sessions: 920.0,
                traffic_index: 1.0,
                engagement_rate: Some(0.5),
                conversions: 9.0,
                conversions_per_1k: Some(9.0 / 0.92),
                sessions_change: Some(20.0 / 900.0),
                conversions_change: None,
            }],
            top_by_traffic: vec!["/guide/a".into()],
            top_by_engagement: vec!["/guide/a".into()],
            top_by_conversions: vec!["/guide/a".into()],
            declining: Vec::new(),
            by_type: vec![TypeSummary {
                content_type: "how_to_guide".into(),
                pages: 1,
                sessions: 920.0,
                conversions: 9.0,
                conversion_rate: Some(9.0 / 920.0),
                engagement_rate: Some(0.5),
                previous_sessions: 900.0,
                previous_conversions: 8.0,
            }],
            trend: vec![
                totals("2026-07-01", 900.0, 8.0),
                totals("2026-10-01", 920.0, 9.0),
            ],
        };
        ContentFindings {
            review: ContentReview {
                content: Some(content),
                seo: None,
                opportunities: Vec::new(),
                ctr_curve: "SISTRIX 2020".into(),
            },
            content_missing: false,
            keywords_missing: true,
            sessions_change: Some(20.0 / 900.0),
            clicks_change: None,
            striking_extra_clicks: None,
            gap_extra_clicks: None,
        }
    }

    #[test]
    fn the_post_states_traffic_its_change_the_best_type_and_what_it_lacked() {
        let (message, headline) = message(&findings(), &DisplayNames::default());

        assert_eq!(
            headline,
            "1 pages drew 920 sessions in the quarter starting 2026-10-01 (+2% on the \
             quarter before) and 9 conversions (9.8 per 1k sessions). Best-converting type: \
             how to guide (1.0% of sessions convert)."
        );
        assert_eq!(
            message.body,
            format!(
                "{headline}\n- Best converter per session: /guide/a; link to it from the \
                 high-traffic pages.\n\nkeywords.csv is not in the data folder: no ranking \
                 moves, striking-distance keywords, gaps or SEO strategy.\n\nUplift = monthly \
                 searches × our impression share × (CTR at target − CTR now), CTR curve: \
                 SISTRIX 2020."
            )
        );
        let titles: Vec<&str> = message.tables.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Top content by conversions per 1k sessions (2026-10-01)",
                "By content type",
                "Trend by quarter"
            ]
        );
    }
}
