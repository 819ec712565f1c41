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

#[test]
fn the_ctr_curve_is_the_one_the_generator_used() {
    let (_, truth) = sample();

    for point in truth["ctr_by_position"].as_array().unwrap() {
        let p = point["position"].as_f64().unwrap();
        assert!(
            (ctr(p) - point["ctr"].as_f64().unwrap()).abs() < 1e-12,
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
