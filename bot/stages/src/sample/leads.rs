//! Leads walking the funnel lead → MQL → SQL → opportunity → won/lost, created uniformly
//! over the two quarters up to the export's last second (~6,000; steady to the last day,
//! so the newest weeks are as full as the rest). Stage rates per source follow First Page Sage's B2B
//! SaaS benchmarks (see `benchmarks.csv`); MQL → SQL is driven by a latent logistic
//! model over the lead's features (coefficients in `truth.json`) calibrated to the
//! source's rate. Lags between stages are log-normal with medians of 5, 9, 14 and 35
//! days. Dates after the export date (the last day under review) are left empty:
//! the data is right-censored, as a real CRM export is. `score` (0-100) is an
//! informative but imperfect transform of the latent model.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Poisson};
use serde_json::{Value, json};

use super::{SampleSpec, stream};

pub struct Leads {
    pub csv: String,
    pub rows: Vec<LeadRow>,
    pub truth: Value,
}

/// What the feedback and objectives generators need to know about a lead.
pub struct LeadRow {
    pub id: String,
    pub mql_at: Option<DateTime<Utc>>,
    pub sql: bool,
    /// When it became an opportunity, and the deal's amount.
    pub opportunity: Option<(DateTime<Utc>, f64)>,
    /// When the deal was won.
    pub won_at: Option<DateTime<Utc>>,
}

/// (source, share of leads, lead→MQL, MQL→SQL, SQL→opportunity, opportunity→won).
/// Rates for seo, paid_search (ppc), linkedin, email and webinars are First Page Sage's;
/// paid_social, display and events are set near them (no published B2B figure).
const SOURCES: [(&str, f64, f64, f64, f64, f64); 8] = [
    ("seo", 0.24, 0.41, 0.51, 0.49, 0.36),
    ("paid_search", 0.20, 0.36, 0.26, 0.38, 0.35),
    ("linkedin", 0.14, 0.38, 0.30, 0.41, 0.39),
    ("email", 0.08, 0.43, 0.46, 0.48, 0.32),
    ("webinars", 0.09, 0.44, 0.39, 0.42, 0.40),
    ("paid_social", 0.12, 0.30, 0.22, 0.35, 0.30),
    ("display", 0.06, 0.25, 0.18, 0.33, 0.28),
    ("events", 0.07, 0.45, 0.35, 0.44, 0.38),
];
const SEGMENTS: [&str; 3] = ["smb", "mid_market", "enterprise"];
const REGIONS: [&str; 3] = ["na", "emea", "apac"];
/// Latent MQL→SQL model: log-odds per unit of each (standardised) feature.
const COEF: [(&str, f64); 6] = [
    ("pages_viewed", 0.08),
    ("email_clicks", 0.15),
    ("webinar_attended", 0.6),
    ("company_size", 0.35),
    ("is_target_industry", 0.8),
    ("demo_requested", 1.2),
];
const LAG_MEDIANS: [f64; 4] = [5.0, 9.0, 14.0, 35.0];
/// An opportunity's amount: log-normal with this median and σ.
const AMOUNT_MEDIAN: f64 = 24_000.0;
const AMOUNT_SIGMA: f64 = 0.7;

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub fn generate(spec: &SampleSpec) -> Leads {
    let mut rng = stream(spec.seed, 3);
    let (bs, _) = spec.before();
    let export = spec
        .prior_end
        .and_hms_opt(23, 59, 59)
        .unwrap_or_default()
        .and_utc();
    let start = bs.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let span = (export - start).num_seconds();
    let lags: Vec<LogNormal<f64>> = LAG_MEDIANS
        .iter()
        .map(|m| LogNormal::new(m.ln(), 0.5).unwrap_or_else(|_| unreachable!("valid")))
        .collect();
    let amount =
        LogNormal::new(AMOUNT_MEDIAN.ln(), AMOUNT_SIGMA).unwrap_or_else(|_| unreachable!("valid"));
    let pages = Poisson::new(6.0).unwrap_or_else(|_| unreachable!("valid"));
    let clicks = Poisson::new(2.0).unwrap_or_else(|_| unreachable!("valid"));
    let shares: Vec<f64> = SOURCES.iter().map(|s| s.1).collect();
    // Centre of the latent score so each source's MQL→SQL rate holds on average.
    let mean_latent = 6.0 * 0.08 + 2.0 * 0.15 + 0.3 * 0.6 + 0.0 * 0.35 + 0.4 * 0.8 + 0.15 * 1.2;
    let mut csv = String::from(
        "lead_id,created_at,source,segment,region,mql_at,sql_at,opportunity_at,won_at,lost_at,amount,score,pages_viewed,email_clicks,webinar_attended,company_size,is_target_industry,demo_requested\n",
    );
    let mut rows = Vec::new();
    let n = 6_000;
    for i in 0..n {
        let src = SOURCES[super::journeys::pick(&shares, &mut rng)];
        let created = start + Duration::seconds(rng.gen_range(0..span));
        let seg = SEGMENTS[rng.gen_range(0..3)];
        let f_pages: f64 = pages.sample(&mut rng);
        let f_clicks: f64 = clicks.sample(&mut rng);
        let webinar = u8::from(rng.gen_bool(if src.0 == "webinars" { 0.8 } else { 0.2 }));
        let size: f64 = rng.gen_range(-1.5..1.5)
            + if seg == "enterprise" {
                1.0
            } else if seg == "smb" {
                -1.0
            } else {
                0.0
            };
        let target = u8::from(rng.gen_bool(0.4));
        let demo = u8::from(rng.gen_bool(0.15));
        let latent = COEF[0].1 * f_pages
            + COEF[1].1 * f_clicks
            + COEF[2].1 * f64::from(webinar)
            + COEF[3].1 * size
            + COEF[4].1 * f64::from(target)
            + COEF[5].1 * f64::from(demo)
            - mean_latent;
        let mut t = created;
        let mut reached = [None; 4];
        let p_sql = sigmoid(logit(src.3) + latent);
        let probs = [src.2, p_sql, src.4, src.5];
        for (k, p) in probs.iter().enumerate() {
            if !rng.gen_bool(*p) {
                break;
            }
            t += Duration::seconds((lags[k].sample(&mut rng) * 86_400.0) as i64);
            if t > export {
                break;
            }
            reached[k] = Some(t);
        }
        // An opportunity that did not win is lost after the closing lag, if before export.
        let lost = match (reached[2], reached[3]) {
            (Some(opp), None) => {
                Some(opp + Duration::seconds((lags[3].sample(&mut rng) * 86_400.0) as i64))
                    .filter(|l| *l <= export)
            }
            _ => None,
        };
        let score = (100.0 * sigmoid(0.8 * latent + rng.gen_range(-0.8..0.8) + 0.3))
            .round()
            .clamp(1.0, 99.0);
        let d = |o: Option<DateTime<Utc>>| {
            o.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default()
        };
        // Rounded to the cent as the CSV states it, so totals match what stages read.
        let deal = reached[2].map(|_| (amount.sample(&mut rng) * 100.0).round() / 100.0);
        let amt = deal.map(|a| format!("{a:.2}")).unwrap_or_default();
        let id = format!("L{:05}", i + 1);
        let _ = writeln!(
            csv,
            "{id},{},{},{seg},{},{},{},{},{},{},{amt},{score},{f_pages},{f_clicks},{webinar},{size:.3},{target},{demo}",
            d(Some(created)),
            src.0,
            REGIONS[rng.gen_range(0..3)],
            d(reached[0]),
            d(reached[1]),
            d(reached[2]),
            d(reached[3]),
            d(lost)
        );
        rows.push(LeadRow {
            id,
            mql_at: reached[0],
            sql: reached[1].is_some(),
            opportunity: reached[2].zip(deal),
            won_at: reached[3],
        });
    }
    Leads {
        csv,
        rows,
        truth: json!({
            "leads": n,
            "export_at": export,
            "stages": ["lead", "mql", "sql", "opportunity", "won"],
            "rates_by_source": SOURCES.iter().map(|s| (s.0.to_owned(), json!({"share": s.1, "lead_to_mql": s.2, "mql_to_sql_at_mean_features": s.3, "sql_to_opportunity": s.4, "opportunity_to_won": s.5}))).collect::<serde_json::Map<_, _>>(),
            "mql_to_sql_model": { "intercept": "logit(source rate) - centre", "centre": mean_latent, "coefficients": COEF.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>() },
            "lag_days": { "distribution": "lognormal", "sigma": 0.5, "medians": LAG_MEDIANS },
            "amount": { "distribution": "lognormal", "median": AMOUNT_MEDIAN, "sigma": AMOUNT_SIGMA },
            "score": "100·σ(0.8·latent + U(-0.8, 0.8) + 0.3), clamped to 1-99",
        }),
    }
}
