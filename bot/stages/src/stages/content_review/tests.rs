//! The content review recovers what the sample generator planted (`truth.json`,
//! `content` section): its CTR curve, its impression share, its gaps and its
//! conversion rates by content type.

use chrono::NaiveDate;
use quarterdeck_analyses::content::{self, ctr::ctr};

use crate::sample::{SampleSpec, generate};
use crate::sources::{CsvTable, read_content, read_keywords};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn sample() -> (content::ContentReview, serde_json::Value) {
    let data = generate(&SampleSpec {
        seed: 42,
        prior_start: day(2026, 10, 1),
        prior_end: day(2026, 12, 31),
        next_start: day(2027, 1, 1),
        next_end: day(2027, 3, 31),
    });
    let table = |name: &str| CsvTable::parse(name, data.file(name).unwrap().as_bytes()).unwrap();
    let pages = read_content(&table("content.csv")).unwrap();
    let keywords = read_keywords(&table("keywords.csv")).unwrap();
    let truth: serde_json::Value = serde_json::from_str(data.file("truth.json").unwrap()).unwrap();
    (
        content::review(Some(&pages), Some(&keywords)).unwrap(),
        truth["content"].clone(),
    )
}

/// CTR at a whole position, typed from the published source and its documented rule
/// (docs/data/benchmarks.md, Table D): SISTRIX 2020 publishes positions 1, 2, 3 and 10;
/// 4-9 lie on the geometric line between 3 and 10; page two is 1%.
fn published_ctr(position: u32) -> f64 {
    match position {
        1 => 0.285,
        2 => 0.157,
        3 => 0.110,
        4..=10 => 0.110 * (0.025_f64 / 0.110).powf(f64::from(position - 3) / 7.0),
        _ => 0.01,
    }
}

#[test]
fn the_ctr_curve_read_from_the_samples_clicks_is_sistrixs_published_curve() {
    let data = generate(&SampleSpec {
        seed: 42,
        prior_start: day(2026, 10, 1),
        prior_end: day(2026, 12, 31),
        next_start: day(2027, 1, 1),
        next_end: day(2027, 3, 31),
    });
    let keywords = read_keywords(
        &CsvTable::parse(
            "keywords.csv",
            data.file("keywords.csv").unwrap().as_bytes(),
        )
        .unwrap(),
    )
    .unwrap();

    // Each row's clicks / impressions, by whole position. The file states positions to
    // one decimal, so a row near a half rank can land on the neighbouring rank: the
    // median of a rank's rows is the estimate, from rows large enough that rounding
    // clicks moves the ratio by under 0.001.
    let mut by_position: std::collections::BTreeMap<u32, Vec<f64>> = Default::default();
    for k in keywords.iter().filter(|k| k.impressions >= 500.0) {
        if let Some(p) = k.position {
            by_position
                .entry(p.round() as u32)
                .or_default()
                .push(k.clicks / k.impressions);
        }
    }
    let mut checked = 0;
    for (position, mut ratios) in by_position.into_iter().filter(|(p, _)| *p <= 20) {
        if ratios.len() < 3 {
            continue;
        }
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        assert!(
            (median - published_ctr(position)).abs() < 0.001,
            "position {position}: {median} from the data, {} published",
            published_ctr(position)
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} positions had enough rows");
    // The analysis' curve is the same one.
    for p in 1..=20 {
        assert!(
            (ctr(f64::from(p)) - published_ctr(p)).abs() < 1e-12,
            "position {p}"
        );
    }
}

#[test]
fn the_planted_gaps_and_impression_share_are_recovered() {
    let (r, truth) = sample();
    let seo = r.seo.unwrap();

    // One keyword in eight is planted as a gap: i % 8 == 7 for i < 150 → 18 keywords
    // (0.12, the nearest a 150-keyword file gets to gap_share 0.125).
    assert_eq!(seo.keywords, truth["keywords"].as_u64().unwrap() as usize);
    assert_eq!(seo.keywords - seo.ranking, 18);
    assert!((seo.gap_share - truth["gap_share"].as_f64().unwrap()).abs() <= 1.0 / 150.0);
    // Every planted gap has competitor A in the top 15, so each one with 100+ searches is
    // reported; none of them is a page we rank for.
    assert!(!seo.gaps.is_empty() && seo.gaps.len() <= 18);
    // Impressions = volume × 3 × 0.9 (rounded), so the median share is 0.9.
    assert!(
        (seo.impression_share - 0.9).abs() < 0.005,
        "{}",
        seo.impression_share
    );
    assert!(
        seo.striking_distance
            .windows(2)
            .all(|w| w[0].extra_clicks_per_month >= w[1].extra_clicks_per_month)
    );
}

#[test]
fn conversion_rates_by_type_are_near_the_generators() {
    let (r, truth) = sample();
    let c = r.content.unwrap();

    // Conversions = sessions × rate × U(0.7, 1.3), rounded: over ten pages a type's
    // pooled rate lands within a quarter of the planted one (rounding weighs on the 0.4% blogs).
    for t in truth["types"].as_array().unwrap() {
        let kind = t["type"].as_str().unwrap();
        let planted = t["conversion_rate"].as_f64().unwrap();
        let found = c
            .by_type
            .iter()
            .find(|x| x.content_type == kind)
            .and_then(|x| x.conversion_rate)
            .unwrap();
        assert!(
            (found / planted - 1.0).abs() < 0.25,
            "{kind}: {found} vs {planted}"
        );
        assert_eq!(
            c.by_type
                .iter()
                .find(|x| x.content_type == kind)
                .unwrap()
                .pages,
            10
        );
    }
}
