//! The market rules on hand-made inputs; expected values worked out in comments.

use std::collections::BTreeMap;

use super::*;
use crate::journey_shift::{ChannelShift, PeriodStats};

fn event(date: &str, who: &str, channel: &str) -> CompetitorEvent {
    CompetitorEvent {
        date: date.into(),
        competitor: who.into(),
        kind: "campaign".into(),
        channel: channel.into(),
        summary: format!("{who} in {channel}"),
        source: "notes".into(),
    }
}

fn input() -> Input {
    Input {
        review_start: "2026-10-01".into(),
        review_end_exclusive: "2027-01-01".into(),
        competitors: vec![],
        trends: vec![],
        benchmarks: vec![],
        ours: vec![],
        journeys: None,
    }
}

fn journeys(first: &[(&str, u64)], shifts: Vec<ChannelShift>) -> JourneyShift {
    let period = PeriodStats {
        journeys: first.iter().map(|f| f.1).sum(),
        converted: 0,
        mean_path_length: None,
        median_path_length: None,
        first_touch: first.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect(),
        reach: BTreeMap::new(),
    };
    JourneyShift {
        before: period.clone(),
        now: period,
        shifts,
    }
}

#[test]
fn a_competitor_moving_into_a_channel_we_lead_is_a_threat() {
    // We lead seo (50%), paid_search, linkedin; display is fourth.
    let mut i = input();
    i.journeys = Some(journeys(
        &[
            ("seo", 50),
            ("paid_search", 25),
            ("linkedin", 15),
            ("display", 10),
        ],
        vec![],
    ));
    i.competitors = vec![
        event("2026-08-01", "Acme", "linkedin"), // before: not a move in review
        event("2026-11-01", "Acme", "linkedin"),
        event("2026-11-02", "Acme", "Organic"), // new: seo
        event("2026-11-03", "Beta", "display"), // new, but we do not lead display
    ];

    let m = analyze(&i);

    assert_eq!(m.leading_channels, ["seo", "paid_search", "linkedin"]);
    assert_eq!(m.moves.len(), 2);
    assert_eq!(m.threats.len(), 1, "{:?}", m.threats);
    assert!(m.threats[0].starts_with("Acme moved into seo, where 50.0%"));
    assert_eq!(m.activity["Acme"], (1, 2));
    assert!(m.emerging_channels.is_empty());
}

#[test]
fn two_competitors_moving_into_one_channel_make_it_emerging() {
    let mut i = input();
    i.competitors = vec![
        event("2026-10-05", "Acme", "webinar"),
        event("2026-12-01", "Beta", "webinars"),
        event("2027-01-05", "Gamma", "events"), // after the quarter: ignored
    ];

    let m = analyze(&i);

    assert_eq!(m.emerging_channels, ["webinars"]);
    assert_eq!(m.timeline.len(), 2);
}

#[test]
fn a_significant_rise_in_journeys_is_emerging_and_an_opportunity() {
    let mut i = input();
    i.journeys = Some(journeys(
        &[("seo", 10)],
        vec![ChannelShift {
            channel: "webinars".into(),
            measure: "first_touch".into(),
            before: 0.05,
            now: 0.08,
            z: 4.0,
            p_adjusted: 0.001,
            significant: true,
        }],
    ));

    let m = analyze(&i);

    assert_eq!(m.emerging_channels, ["webinars"]);
    assert!(m.opportunities[0].starts_with("8.0% of journeys start on webinars now, up from 5.0%"));
}

#[test]
fn a_gap_counts_only_when_the_whole_interval_is_below_the_benchmark() {
    // seo lead → mql: 80 of 200 = 40%; Wilson 95% upper = 0.4692 < 0.50 → gap,
    // extra at benchmark 200 × (0.50 − 0.40) = 20.
    // email: 45 of 100 = 45%; upper 0.549 > 0.50 → no gap.
    let mut i = input();
    let bench = |channel: &str| Benchmark {
        metric: "funnel_lead_to_mql".into(),
        segment: format!("b2b_saas;channel={channel}"),
        value: 0.5,
        unit: "percent".into(),
        source: "Pub (details)".into(),
        year: Some(2025),
    };
    i.benchmarks = vec![bench("seo"), bench("email")];
    i.ours = vec![
        OurRate {
            metric: "funnel_lead_to_mql".into(),
            channel: Some("seo".into()),
            rate: 0.4,
            counts: Some((200, 80)),
        },
        OurRate {
            metric: "funnel_lead_to_mql".into(),
            channel: Some("email".into()),
            rate: 0.45,
            counts: Some((100, 45)),
        },
    ];

    let m = analyze(&i);

    let seo = &m.comparisons[0];
    assert!(seo.below);
    assert!((seo.ours_high.unwrap() - 0.4692).abs() < 1e-3);
    assert!((seo.extra_at_benchmark.unwrap() - 20.0).abs() < 1e-9);
    assert_eq!(seo.source, "Pub");
    assert!(!m.comparisons[1].below);
    assert_eq!(m.opportunities.len(), 1);
}

#[test]
fn an_overall_rate_is_compared_with_the_median_segment() {
    // Segments 30%, 40%, 60% → median 40%. Ours 35% (no counts): 35 < 40 × 0.9 = 36.
    let mut i = input();
    i.benchmarks = [0.3, 0.4, 0.6]
        .iter()
        .enumerate()
        .map(|(k, v)| Benchmark {
            metric: "funnel_mql_to_sql".into(),
            segment: format!("b2b;channel=c{k}"),
            value: *v,
            unit: "percent".into(),
            source: "Pub".into(),
            year: None,
        })
        .collect();
    i.ours = vec![OurRate {
        metric: "funnel_mql_to_sql".into(),
        channel: None,
        rate: 0.35,
        counts: None,
    }];

    let m = analyze(&i);

    assert_eq!(m.comparisons[0].benchmark, 0.4);
    assert!(m.comparisons[0].below);
}

#[test]
fn trends_report_first_and_last_value_per_topic() {
    let mut i = input();
    let p = |date: &str, v: f64| TrendPoint {
        date: date.into(),
        topic: "cpc".into(),
        metric: "usd".into(),
        value: v,
        source: "news".into(),
    };
    i.trends = vec![
        p("2026-09-01", 5.0),
        p("2026-07-01", 4.0),
        p("2026-12-01", 5.0),
    ];

    let m = analyze(&i);

    assert_eq!(m.trends.len(), 1);
    assert_eq!((m.trends[0].first, m.trends[0].last), (4.0, 5.0));
    assert_eq!(m.trends[0].relative_change, Some(0.25));
}
