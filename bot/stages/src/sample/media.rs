//! Media: 104 weeks of spend per paid channel, the revenue it drives, and the campaigns
//! and daily platform reports of the last two quarters.
//!
//! Revenue in week t = intercept + trend·t + seasonality (yearly cosine, B2B peak in
//! Q4) − 60,000·(price_index − 1) − 25,000·competitor_promo + Σ_c f_c(A_c,t) + noise
//! (normal, sd 20,000), where A_c,t = x_c,t + θ_c·A_c,t−1 is geometric adstock
//! of spend x and f_c is either a Hill curve β·A^α/(A^α+γ^α) (S-shaped, α > 1) or a
//! logistic curve β·(1−e^(−λA))/(1+e^(−λA)). Curve parameters are set from each
//! channel's typical spend and a target return on ad spend, and written to truth.json.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal};
use serde_json::{Value, json};

use super::truth::Curve;
use super::{OWNERS, PAID, SampleSpec, stream};

pub struct Campaign {
    pub name: String,
    pub channel: &'static str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub planned: f64,
    pub owner: &'static str,
    pub objective: &'static str,
    /// Share of the channel's spend while live.
    pub share: f64,
}

pub struct Media {
    pub campaigns: Vec<Campaign>,
    pub campaigns_csv: String,
    pub spend_csv: String,
    pub weekly_media_csv: String,
    pub weekly_revenue_csv: String,
    pub controls_csv: String,
    pub truth: Value,
}

/// Per channel: weekly base spend, adstock decay, curve, target ROAS, platform over-claim.
pub(super) struct ChannelTruth {
    base: f64,
    decay: f64,
    hill_alpha: Option<f64>,
    pub(super) roas: f64,
    overclaim: f64,
}

pub(super) fn channel_truth(c: &str) -> ChannelTruth {
    let (base, decay, hill_alpha, roas, overclaim) = match c {
        "paid_search" => (26_000.0, 0.15, None, 3.2, 1.25),
        "paid_social" => (14_000.0, 0.35, None, 1.6, 1.55),
        "linkedin" => (18_000.0, 0.40, Some(1.8), 2.4, 1.40),
        "display" => (8_000.0, 0.50, None, 1.2, 1.60),
        "email" => (4_000.0, 0.10, None, 4.5, 1.20),
        "webinars" => (9_000.0, 0.55, Some(2.2), 2.9, 1.30),
        _ => (12_000.0, 0.65, None, 2.0, 1.35),
    };
    ChannelTruth {
        base,
        decay,
        hill_alpha,
        roas,
        overclaim,
    }
}

/// The response curve of a channel (written to truth.json in the JSON shape the budget
/// analysis reads).
fn curve(t: &ChannelTruth) -> Curve {
    let mean_adstock = t.base / (1.0 - t.decay);
    match t.hill_alpha {
        // Half-saturation at the typical adstocked spend: f(mean) = β/2.
        Some(alpha) => Curve::Hill {
            beta: 2.0 * t.roas * t.base,
            alpha,
            gamma: mean_adstock,
            adstock_decay: t.decay,
        },
        // λ·mean = 1: f(mean) = β·(1−e⁻¹)/(1+e⁻¹) ≈ 0.4621·β.
        None => {
            let k = (1.0 - (-1.0f64).exp()) / (1.0 + (-1.0f64).exp());
            Curve::Logistic {
                beta: t.roas * t.base / k,
                lambda: 1.0 / mean_adstock,
                adstock_decay: t.decay,
            }
        }
    }
}

fn monday_on_or_before(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

pub fn generate(spec: &SampleSpec) -> Media {
    let mut rng = stream(spec.seed, 1);
    let last_week = monday_on_or_before(spec.prior_end);
    let weeks: Vec<NaiveDate> = (0..104)
        .rev()
        .map(|k| last_week - Duration::weeks(k))
        .collect();
    let noise = LogNormal::new(0.0, 0.15).unwrap_or_else(|_| unreachable!("valid parameters"));
    let (intercept, trend, season_amp) = (180_000.0, 350.0, 30_000.0);
    let mut weekly_media = String::from("date,channel,spend\n");
    let mut revenue = vec![0.0; weeks.len()];
    let mut weekly_spend: Vec<Vec<f64>> = Vec::new();
    let mut channels_truth = serde_json::Map::new();
    for (ci, c) in PAID.iter().enumerate() {
        let t = channel_truth(c);
        let cv = curve(&t);
        let mut adstock = 0.0;
        let mut series = Vec::with_capacity(weeks.len());
        for (w, week) in weeks.iter().enumerate() {
            let season = 1.0
                + 0.25
                    * (2.0
                        * std::f64::consts::PI
                        * (f64::from(week.ordinal()) / 365.0 + ci as f64 / 7.0))
                        .sin();
            // Flighting: events and webinars pause some weeks, so the curves are identifiable.
            let on = match *c {
                "events" => (w / 3) % 3 != 2,
                "webinars" => w % 5 != 4,
                _ => true,
            };
            let x = if on {
                t.base * season * noise.sample(&mut rng)
            } else {
                0.0
            };
            adstock = x + t.decay * adstock;
            revenue[w] += cv.at(adstock);
            series.push(x);
            let _ = writeln!(weekly_media, "{week},{c},{x:.2}");
        }
        weekly_spend.push(series);
        channels_truth.insert((*c).to_owned(), json!({ "curve": cv, "weekly_base_spend": t.base, "target_roas": t.roas, "platform_overclaim": t.overclaim }));
    }
    let mut weekly_revenue = String::from("date,revenue\n");
    let mut controls = String::from("date,price_index,competitor_promo\n");
    let normal =
        Normal::new(0.0, 0.05 * 400_000.0).unwrap_or_else(|_| unreachable!("valid parameters"));
    for (w, week) in weeks.iter().enumerate() {
        let doy = 2.0 * std::f64::consts::PI * f64::from(week.ordinal()) / 365.0;
        let price = 1.0 + 0.03 * (w as f64 / 26.0).sin();
        let promo = u8::from(rng.gen_bool(0.15));
        let r =
            intercept + trend * w as f64 + season_amp * (doy - 1.2 * std::f64::consts::PI).cos()
                - 60_000.0 * (price - 1.0)
                - 25_000.0 * f64::from(promo)
                + revenue[w]
                + normal.sample(&mut rng);
        let _ = writeln!(weekly_revenue, "{week},{:.2}", r.max(0.0));
        let _ = writeln!(controls, "{week},{price:.4},{promo}");
    }
    let mut campaigns = campaigns(spec, &mut rng);
    let spend_csv = daily_spend(spec, &mut campaigns, &weeks, &weekly_spend, &mut rng);
    let mut campaigns_csv =
        String::from("campaign,channel,start,end,planned_budget,owner,objective\n");
    for c in &campaigns {
        let _ = writeln!(
            campaigns_csv,
            "{},{},{},{},{:.2},{},{}",
            c.name, c.channel, c.start, c.end, c.planned, c.owner, c.objective
        );
    }
    Media {
        campaigns,
        campaigns_csv,
        spend_csv,
        weekly_media_csv: weekly_media,
        weekly_revenue_csv: weekly_revenue,
        controls_csv: controls,
        truth: json!({
            "weeks": 104, "intercept": intercept, "trend_per_week": trend, "seasonality_amplitude": season_amp,
            "price_index_effect": -60_000.0, "competitor_promo_effect": -25_000.0, "noise_sd": 0.05 * 400_000.0,
            "channels": channels_truth,
        }),
    }
}

/// Two campaigns per channel per quarter (always-on, and a six-week flight), plus one
/// continuing campaign per channel except display that runs into the planned quarter.
fn campaigns(spec: &SampleSpec, rng: &mut impl Rng) -> Vec<Campaign> {
    let (bs, _) = spec.before();
    let mut out = Vec::new();
    let quarters = [
        ("Q-1", bs, spec.before().1),
        ("Q0", spec.prior_start, spec.prior_end),
    ];
    for (qi, (label, start, end)) in quarters.iter().enumerate() {
        for (ci, c) in PAID.iter().enumerate() {
            let owner = OWNERS[(ci + qi) % OWNERS.len()];
            let flight_start = *start + Duration::weeks(rng.gen_range(2..6));
            out.push(Campaign {
                name: format!("{label} {} always-on", title(c)),
                channel: c,
                start: *start,
                end: *end,
                planned: 0.0,
                owner,
                objective: "pipeline",
                share: 0.6,
            });
            out.push(Campaign {
                name: format!("{label} {} flight", title(c)),
                channel: c,
                start: flight_start,
                end: (flight_start + Duration::weeks(6)).min(*end),
                planned: 0.0,
                owner: OWNERS[(ci + qi + 3) % OWNERS.len()],
                objective: if ci % 2 == 0 { "revenue" } else { "awareness" },
                share: 0.4,
            });
        }
    }
    for (ci, c) in PAID.iter().enumerate().filter(|(_, c)| **c != "display") {
        let start = spec.prior_end - Duration::weeks(3);
        out.push(Campaign {
            name: format!("{} {} programme", title(c), spec.next_start.year()),
            channel: c,
            start,
            end: spec
                .next_end
                .min(spec.next_start + Duration::weeks(8 + ci as i64)),
            planned: 0.0,
            owner: OWNERS[ci % OWNERS.len()],
            objective: if *c == "email" {
                "retention"
            } else {
                "pipeline"
            },
            share: 0.0,
        });
    }
    out
}

/// A channel as people write it in a campaign's name (`LinkedIn`, `Paid Search`): the
/// one display formatter's default name.
fn title(c: &str) -> String {
    crate::report::label(c)
}

/// Daily rows: each week's channel spend split across its live campaigns and days.
/// Planned budgets are actuals divided by a utilisation factor (some under-spent, a
/// couple over); platform conversions and revenue are inflated by the over-claim factor.
fn daily_spend(
    spec: &SampleSpec,
    campaigns: &mut [Campaign],
    weeks: &[NaiveDate],
    spend: &[Vec<f64>],
    rng: &mut impl Rng,
) -> String {
    let mut out =
        String::from("date,channel,campaign,spend,impressions,clicks,conversions,revenue\n");
    let (bs, _) = spec.before();
    let mut actual = vec![0.0; campaigns.len()];
    // Click-through rates by channel, near the benchmarks in benchmarks.md (search ~2.4%,
    // LinkedIn ~0.4-0.6%, display ~0.5%).
    let ctr = [0.024, 0.009, 0.005, 0.005, 0.021, 0.012, 0.008];
    for (ci, c) in PAID.iter().enumerate() {
        let t = channel_truth(c);
        let cpm = 18.0 + 8.0 * ci as f64;
        for (w, week) in weeks
            .iter()
            .enumerate()
            .filter(|(_, wk)| **wk + Duration::days(6) >= bs)
        {
            for day in week
                .iter_days()
                .take(7)
                .filter(|d| *d >= bs && *d <= spec.prior_end && d.weekday() != Weekday::Sun)
            {
                let live: Vec<usize> = (0..campaigns.len())
                    .filter(|i| {
                        campaigns[*i].channel == *c
                            && campaigns[*i].start <= day
                            && day <= campaigns[*i].end
                            && campaigns[*i].share > 0.0
                    })
                    .collect();
                let total_share: f64 = live.iter().map(|i| campaigns[*i].share).sum();
                for i in live {
                    let s = spend[ci][w] / 6.0 * campaigns[i].share / total_share;
                    if s <= 0.0 {
                        continue;
                    }
                    actual[i] += s;
                    let impressions = (s / cpm * 1000.0).round();
                    let clicks = (impressions * ctr[ci] * rng.gen_range(0.8..1.2)).round();
                    // Platforms count leads (3% of clicks) and revenue generously.
                    let conversions = clicks * 0.03 * t.overclaim;
                    let revenue = s * t.roas * t.overclaim * rng.gen_range(0.8..1.2);
                    let _ = writeln!(
                        out,
                        "{day},{c},{},{s:.2},{impressions},{clicks},{conversions:.2},{revenue:.2}",
                        campaigns[i].name
                    );
                }
            }
        }
    }
    for (i, c) in campaigns.iter_mut().enumerate() {
        // Utilisation 0.75-1.1; continuing campaigns are planned from the channel's base.
        let utilisation = if i % 9 == 4 {
            1.12
        } else {
            rng.gen_range(0.75..1.02)
        };
        c.planned = if c.share > 0.0 {
            (actual[i] / utilisation / 100.0).round() * 100.0
        } else {
            (channel_truth(c.channel).base * 10.0 / 100.0).round() * 100.0
        };
    }
    out
}
