//! Content and search: 60 pieces of content with traffic, engagement and conversions in
//! both quarters, and 150 keywords with our ranking position and two competitors'.
//! Clicks = impressions × CTR(position); the CTR curve is SISTRIX 2020 (positions 1, 2,
//! 3 and 10: 28.5%, 15.7%, 11.0%, 2.5%; see docs/data/benchmarks.md, Table D) with
//! positions 4-9 interpolated geometrically between 3 and 10, and 1% on page two.
//! Impressions = monthly search volume × 3 × 0.9 (share of searches that show us).
//! Both files hold one row per quarter (`period`, its first day) with `through`, the last
//! day the row's totals cover: the quarter's last day in the final export.

use std::fmt::Write as _;

use chrono::Duration;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};
use serde_json::{Value, json};

use super::{SampleSpec, stream};

pub struct Content {
    pub content_csv: String,
    pub keywords_csv: String,
    pub truth: Value,
}

/// Organic click-through rate at a ranking position.
pub fn ctr(position: f64) -> f64 {
    let p = position.round().max(1.0);
    match p as u32 {
        1 => 0.285,
        2 => 0.157,
        3 => 0.110,
        4..=10 => 0.110 * (0.025f64 / 0.110).powf((p - 3.0) / 7.0),
        11..=20 => 0.01,
        _ => 0.002,
    }
}

const TYPES: [(&str, f64, f64); 6] = [
    // (type, median sessions per quarter, conversion rate per session)
    ("blog", 1_800.0, 0.004),
    ("guide", 2_600.0, 0.012),
    ("case_study", 700.0, 0.020),
    ("webinar_page", 900.0, 0.045),
    ("landing_page", 1_200.0, 0.060),
    ("comparison", 1_500.0, 0.025),
];
const TOPICS: [&str; 10] = [
    "attribution",
    "pipeline",
    "forecasting",
    "data quality",
    "dashboards",
    "lead scoring",
    "budgeting",
    "crm sync",
    "revenue ops",
    "benchmarks",
];

pub fn generate(spec: &SampleSpec) -> Content {
    let mut rng = stream(spec.seed, 4);
    let (bs, be) = spec.before();
    // Each quarter's row runs from its first day to `through`, the last day it covers.
    let periods = [bs, spec.prior_start];
    let ends = [be, spec.prior_end];
    let mut content = String::from(
        "url,title,type,published,period,sessions,engaged_sessions,engagement_time_s,conversions,through\n",
    );
    let mut urls = Vec::new();
    for i in 0..60 {
        let (kind, median, cvr) = TYPES[i % TYPES.len()];
        let topic = TOPICS[(i * 7) % TOPICS.len()];
        let url = format!(
            "/{}/{}-{}",
            kind.replace('_', "-"),
            topic.replace(' ', "-"),
            i + 1
        );
        let published = bs - Duration::days(rng.gen_range(0..540));
        let base = LogNormal::new(median.ln(), 0.6)
            .map(|d| d.sample(&mut rng))
            .unwrap_or(median);
        let growth: f64 = rng.gen_range(0.7..1.4);
        for (k, period) in periods.iter().enumerate() {
            let sessions = (base * if k == 1 { growth } else { 1.0 }).round();
            let engaged = (sessions * rng.gen_range(0.35..0.75)).round();
            let time = rng.gen_range(40.0..240.0);
            let conv = (sessions * cvr * rng.gen_range(0.7..1.3)).round();
            let _ = writeln!(
                content,
                "{url},{} {topic},{kind},{published},{period},{sessions},{engaged},{time:.0},{conv},{}",
                title(kind),
                ends[k]
            );
        }
        urls.push(url);
    }
    let mut keywords = String::from(
        "keyword,url,period,position,clicks,impressions,search_volume,competitor_a_position,competitor_b_position,through\n",
    );
    let modifiers = [
        "software",
        "tool",
        "best",
        "how to",
        "template",
        "vs",
        "pricing",
        "guide",
        "examples",
        "for b2b",
        "benchmark",
        "strategy",
        "metrics",
        "report",
        "checklist",
    ];
    for i in 0..150 {
        let kw = format!(
            "{} {}",
            TOPICS[i % TOPICS.len()],
            modifiers[i / TOPICS.len() % modifiers.len()]
        );
        let volume = LogNormal::new(700f64.ln(), 1.0)
            .map(|d| d.sample(&mut rng))
            .unwrap_or(700.0)
            .round();
        // One keyword in eight is a gap: competitors rank, we do not.
        let gap = i % 8 == 7;
        let mut pos: f64 = rng.gen_range(1.0..28.0);
        for (period, end) in periods.into_iter().zip(ends) {
            let (ours, clicks, impressions) = if gap {
                (String::new(), 0.0, 0.0)
            } else {
                let impressions = (volume * 3.0 * 0.9).round();
                (
                    format!("{pos:.1}"),
                    (impressions * ctr(pos)).round(),
                    impressions,
                )
            };
            let ca = rng.gen_range(1.0..15.0f64);
            let cb = if rng.gen_bool(0.7) {
                format!("{:.1}", rng.gen_range(1.0..30.0f64))
            } else {
                String::new()
            };
            let url = if gap {
                String::new()
            } else {
                urls[i % urls.len()].clone()
            };
            let _ = writeln!(
                keywords,
                "{kw},{url},{period},{ours},{clicks},{impressions},{volume},{ca:.1},{cb},{end}"
            );
            pos = (pos + rng.gen_range(-4.0..3.0)).clamp(1.0, 40.0);
        }
    }
    Content {
        content_csv: content,
        keywords_csv: keywords,
        truth: json!({
            "pieces": 60, "keywords": 150, "gap_share": 0.125,
            "ctr_by_position": (1..=20).map(|p| json!({"position": p, "ctr": ctr(f64::from(p))})).collect::<Vec<_>>(),
            "ctr_source": "SISTRIX 2020 positions 1, 2, 3, 10; 4-9 interpolated geometrically; page two 1%",
            "impressions": "search_volume × 3 × 0.9",
            "types": TYPES.iter().map(|(k, m, c)| json!({"type": k, "median_sessions": m, "conversion_rate": c})).collect::<Vec<_>>(),
        }),
    }
}

fn title(kind: &str) -> &'static str {
    match kind {
        "blog" => "Blog:",
        "guide" => "Guide:",
        "case_study" => "Case study:",
        "webinar_page" => "Webinar:",
        "landing_page" => "Landing:",
        _ => "Compare:",
    }
}
