//! Customer journeys: ~20,000 in the quarter under review and ~18,000 in the one
//! before. A journey starts at a uniform time in its quarter; its length is 1 + a
//! geometric number of further touches (mean ≈ 3.5, at most 8); the first channel is
//! drawn from `FIRST`, each next one from a channel-to-channel preference that moves
//! journeys from awareness channels (seo, paid social, display) towards closing ones
//! (email, webinars, paid search). Gaps between touches are exponential (mean 2 days).
//! The journey converts with probability σ(b₀ + Σ_{distinct channels c} w_c) (`truth.json`
//! `contribution`; about 1% convert, in line with the media history's revenue); conversion happens after the last counted touch and is worth a
//! log-normal deal value (median $15,000). A fifth of converted journeys carry one or two
//! touches after the conversion, which attribution must drop.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use serde_json::{Value, json};

use super::media::Campaign;
use super::{SampleSpec, stream};

pub struct Journeys {
    pub touchpoints_csv: String,
    pub conversions_csv: String,
    pub truth: Value,
}

const CHANNELS: [&str; 8] = [
    "seo",
    "paid_search",
    "paid_social",
    "linkedin",
    "display",
    "email",
    "webinars",
    "events",
];
/// Start-of-journey weights, in `CHANNELS` order.
const FIRST: [f64; 8] = [0.26, 0.16, 0.18, 0.12, 0.12, 0.04, 0.05, 0.07];
/// Log-odds added by each distinct channel on the path.
const CONTRIBUTION: [f64; 8] = [0.35, 0.55, 0.15, 0.45, 0.05, 0.60, 0.70, 0.40];
const BASE_LOGIT: f64 = -5.6;

fn next_channel(from: usize, rng: &mut impl Rng) -> usize {
    // Later journeys lean to closing channels (email, webinars, paid search).
    let mut w = [1.0, 1.6, 0.8, 1.0, 0.5, 1.8, 1.4, 0.7];
    w[from] *= 0.6;
    pick(&w, rng)
}

pub(super) fn pick(weights: &[f64], rng: &mut impl Rng) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.gen_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn campaign_for<'a>(campaigns: &'a [Campaign], channel: &str, day: NaiveDate) -> &'a str {
    campaigns
        .iter()
        .find(|c| c.channel == channel && c.start <= day && day <= c.end)
        .map_or("", |c| c.name.as_str())
}

pub fn generate(spec: &SampleSpec, campaigns: &[Campaign]) -> Journeys {
    let mut rng = stream(spec.seed, 2);
    let gap = Exp::new(1.0 / (2.0 * 86_400.0)).unwrap_or_else(|_| unreachable!("valid rate"));
    let value =
        LogNormal::new(15_000f64.ln(), 0.6).unwrap_or_else(|_| unreachable!("valid parameters"));
    let mut touches = String::from("journey_id,timestamp,channel,campaign\n");
    let mut conversions = String::from("journey_id,timestamp,value\n");
    let (bs, be) = spec.before();
    let mut converted = [0usize; 2];
    for (qi, (start, end, n)) in [(bs, be, 18_000), (spec.prior_start, spec.prior_end, 20_000)]
        .into_iter()
        .enumerate()
    {
        let t0 = start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let t_end = end.and_hms_opt(23, 59, 59).unwrap_or_default().and_utc();
        let span = (end - start + Duration::days(1)).num_seconds();
        for j in 0..n {
            let id = format!("j{}-{j:05}", if qi == 0 { "b" } else { "p" });
            let mut t = t0 + Duration::seconds(rng.gen_range(0..span * 4 / 5));
            let mut ch = pick(&FIRST, &mut rng);
            let mut path = vec![(t, ch)];
            while path.len() < 8 && rng.gen_bool(0.71) {
                t += Duration::seconds(gap.sample(&mut rng) as i64 + 60);
                ch = next_channel(ch, &mut rng);
                if t > t_end {
                    break; // the journey's data ends with the quarter
                }
                path.push((t, ch));
            }
            let t = path.last().map_or(t, |p| p.0);
            let mut distinct = path.iter().map(|p| p.1).collect::<Vec<_>>();
            distinct.sort_unstable();
            distinct.dedup();
            let logit = BASE_LOGIT + distinct.iter().map(|c| CONTRIBUTION[*c]).sum::<f64>();
            let converts = rng.gen_bool(1.0 / (1.0 + (-logit).exp()));
            let at = t + Duration::seconds(gap.sample(&mut rng) as i64 / 2 + 60);
            if converts && at <= t_end {
                converted[qi] += 1;
                let _ = writeln!(conversions, "{id},{},{:.2}", ts(at), value.sample(&mut rng));
                if rng.gen_bool(0.2) {
                    for k in 0..rng.gen_range(1..=2) {
                        let after = at + Duration::hours(6 + 12 * k);
                        if after <= t_end {
                            path.push((after, next_channel(ch, &mut rng)));
                        }
                    }
                }
            }
            for (at, c) in path {
                let name = CHANNELS[c];
                let _ = writeln!(
                    touches,
                    "{id},{},{name},{}",
                    ts(at),
                    campaign_for(campaigns, name, at.date_naive())
                );
            }
        }
    }
    Journeys {
        touchpoints_csv: touches,
        conversions_csv: conversions,
        truth: json!({
            "journeys": { "before": 18_000, "prior": 20_000 },
            "converted": { "before": converted[0], "prior": converted[1] },
            "first_touch_weights": CHANNELS.iter().zip(FIRST).map(|(c, w)| (c.to_string(), json!(w))).collect::<serde_json::Map<_, _>>(),
            "base_logit": BASE_LOGIT,
            "contribution": CHANNELS.iter().zip(CONTRIBUTION).map(|(c, w)| (c.to_string(), json!(w))).collect::<serde_json::Map<_, _>>(),
            "continue_probability": 0.71, "max_touches": 8, "mean_gap_days": 2.0,
            "deal_value": { "distribution": "lognormal", "median": 15_000.0, "sigma": 0.6 },
            "touches_after_conversion_share": 0.2,
        }),
    }
}
