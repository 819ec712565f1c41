//! Customer-journey shifts between two periods (stage 5): path length, first-touch channel
//! mix and channel reach, the quarter under review against the one before.
//!
//! Definitions:
//! - A journey's path is its touches in time order up to and including its conversion
//!   time; touches after the conversion do not count (the journey is already decided).
//! - Path length: touches on the path; mean and median per period.
//! - First-touch share of channel c: journeys whose first touch is c ÷ all journeys.
//! - Reach of channel c: journeys with at least one touch on c ÷ all journeys (one count
//!   per journey, so journeys stay the independent unit).
//! - Each channel's share now vs before: two-proportion z-test, pooled variance,
//!   two-sided. Holm's step-down adjustment runs over every test made (first touch and
//!   reach together); a shift is `significant` when its adjusted p < 0.05.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::attribution::Journey;
use crate::funnel::{holm, two_sided_p};

pub const ALPHA: f64 = 0.05;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodStats {
    pub journeys: u64,
    pub converted: u64,
    pub mean_path_length: Option<f64>,
    pub median_path_length: Option<f64>,
    /// Journeys by first-touch channel.
    pub first_touch: BTreeMap<String, u64>,
    /// Journeys touching each channel at least once.
    pub reach: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelShift {
    pub channel: String,
    /// `first_touch` or `reach`.
    pub measure: String,
    pub before: f64,
    pub now: f64,
    pub z: f64,
    pub p_adjusted: f64,
    pub significant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyShift {
    pub before: PeriodStats,
    pub now: PeriodStats,
    /// Every channel, first-touch shifts then reach shifts, channels by name.
    pub shifts: Vec<ChannelShift>,
}

/// The path of a journey: its channels in time order up to its conversion.
pub fn path(j: &Journey) -> Vec<&str> {
    let mut touches: Vec<_> = j
        .touches
        .iter()
        .filter(|t| j.conversion.is_none_or(|c| t.at_seconds <= c.at_seconds))
        .collect();
    touches.sort_by_key(|t| t.at_seconds);
    touches.into_iter().map(|t| t.channel.as_str()).collect()
}

fn stats(journeys: &[Journey]) -> PeriodStats {
    let mut lengths = Vec::new();
    let mut first_touch = BTreeMap::new();
    let mut reach = BTreeMap::new();
    let mut converted = 0;
    for j in journeys {
        let p = path(j);
        let Some(first) = p.first() else { continue };
        converted += u64::from(j.conversion.is_some());
        lengths.push(p.len() as f64);
        *first_touch.entry((*first).to_owned()).or_insert(0) += 1;
        for c in p.iter().collect::<BTreeSet<_>>() {
            *reach.entry((*c).to_owned()).or_insert(0) += 1;
        }
    }
    lengths.sort_by(f64::total_cmp);
    let n = lengths.len();
    PeriodStats {
        journeys: n as u64,
        converted,
        mean_path_length: (n > 0).then(|| lengths.iter().sum::<f64>() / n as f64),
        median_path_length: (n > 0).then(|| {
            if n % 2 == 1 {
                lengths[n / 2]
            } else {
                (lengths[n / 2 - 1] + lengths[n / 2]) / 2.0
            }
        }),
        first_touch,
        reach,
    }
}

/// Two-proportion z statistic (pooled), `None` when either period is empty or the
/// pooled share is 0 or 1.
fn z(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (k1, n1, k2, n2) = (k1 as f64, n1 as f64, k2 as f64, n2 as f64);
    let pooled = (k1 + k2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    (se > 0.0).then(|| (k2 / n2 - k1 / n1) / se)
}

/// Compares the journeys of the period under review (`now`) with those `before` it.
pub fn analyze(before: &[Journey], now: &[Journey]) -> JourneyShift {
    let (b, n) = (stats(before), stats(now));
    let mut tests = Vec::new();
    for (measure, bm, nm) in [
        ("first_touch", &b.first_touch, &n.first_touch),
        ("reach", &b.reach, &n.reach),
    ] {
        let channels: BTreeSet<&String> = bm.keys().chain(nm.keys()).collect();
        for c in channels {
            let (k1, k2) = (
                bm.get(c).copied().unwrap_or(0),
                nm.get(c).copied().unwrap_or(0),
            );
            if let Some(z) = z(k1, b.journeys, k2, n.journeys) {
                tests.push((measure, c.clone(), k1, k2, z));
            }
        }
    }
    let adjusted = holm(&tests.iter().map(|t| two_sided_p(t.4)).collect::<Vec<_>>());
    let share = |k: u64, total: u64| k as f64 / total as f64;
    let shifts = tests
        .into_iter()
        .zip(adjusted)
        .map(|((measure, channel, k1, k2, z), p)| ChannelShift {
            channel,
            measure: measure.to_owned(),
            before: share(k1, b.journeys),
            now: share(k2, n.journeys),
            z,
            p_adjusted: p,
            significant: p < ALPHA,
        })
        .collect();
    JourneyShift {
        before: b,
        now: n,
        shifts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::{Conversion, Touch};

    fn journey(channels: &[&str], converted_after: Option<usize>) -> Journey {
        Journey {
            id: String::new(),
            touches: channels
                .iter()
                .enumerate()
                .map(|(i, c)| Touch {
                    at_seconds: i as i64 * 100,
                    channel: (*c).to_owned(),
                })
                .collect(),
            conversion: converted_after.map(|i| Conversion {
                at_seconds: i as i64 * 100,
                value: 1.0,
            }),
        }
    }

    #[test]
    fn touches_after_the_conversion_are_not_on_the_path() {
        let j = journey(&["seo", "email", "display"], Some(1));

        assert_eq!(path(&j), ["seo", "email"]);
    }

    #[test]
    fn path_length_and_shares_are_counted_per_journey() {
        // Before: seo,email | seo | email,email,seo → lengths 2,1,3 (mean 2, median 2);
        // first touch seo 2, email 1; reach seo 3, email 2.
        let before = [
            journey(&["seo", "email"], None),
            journey(&["seo"], None),
            journey(&["email", "email", "seo"], None),
        ];

        let s = analyze(&before, &before);

        assert_eq!(s.before.mean_path_length, Some(2.0));
        assert_eq!(s.before.median_path_length, Some(2.0));
        assert_eq!(s.before.first_touch["seo"], 2);
        assert_eq!(s.before.reach["seo"], 3);
        assert_eq!(s.before.reach["email"], 2);
        // Identical periods: no shift anywhere (reach of seo is 100% in both: no test).
        assert!(s.shifts.iter().all(|x| !x.significant && x.z == 0.0));
    }

    #[test]
    fn a_channel_doubling_its_first_touch_share_is_a_significant_shift() {
        // Before: 100 of 1000 journeys start on linkedin (10%); now 200 of 1000 (20%).
        // Pooled 0.15, se = sqrt(0.15 × 0.85 × 2/1000) = 0.015969; z = 0.1/0.015969 = 6.26,
        // p ≈ 4e-10, far below 0.05 even × the 4 tests Holm makes.
        let make = |linkedin: usize| -> Vec<Journey> {
            (0..1000)
                .map(|i| journey(&[if i < linkedin { "linkedin" } else { "seo" }], None))
                .collect()
        };

        let s = analyze(&make(100), &make(200));

        let li = s
            .shifts
            .iter()
            .find(|x| x.channel == "linkedin" && x.measure == "first_touch")
            .unwrap();
        assert!((li.z - 6.262).abs() < 1e-3, "{}", li.z);
        assert!(li.significant && li.now > li.before);
    }

    #[test]
    fn a_small_wobble_is_not_called_a_shift() {
        // 100 vs 110 of 1000: z = 0.01/sqrt(0.105 × 0.895 × 0.002) = 0.73, p = 0.46.
        let make = |linkedin: usize| -> Vec<Journey> {
            (0..1000)
                .map(|i| journey(&[if i < linkedin { "linkedin" } else { "seo" }], None))
                .collect()
        };

        let s = analyze(&make(100), &make(110));

        assert!(s.shifts.iter().all(|x| !x.significant));
    }
}
