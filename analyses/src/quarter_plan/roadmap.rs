//! The testing roadmap's numbers: for each candidate A/B test on a channel's
//! click → conversion rate, the sample it needs, how long the channel's traffic takes to
//! deliver it, what it costs, and whether the reserve funds it.
//!
//! - Sample per arm: two-proportion z-test (R's `power.prop.test`, via
//!   [`crate::sample_size`]), α = 0.05 two-sided, power 0.8, the MDE relative to the
//!   measured baseline.
//! - Duration: the arms split the channel's expected weekly clicks 50/50, so
//!   `weeks = ⌈2·n / weekly clicks⌉`.
//! - Budget: the variant arm's clicks at the channel's cost per click, `n·CPC`, paid from
//!   the reserve so a losing variant does not eat into the channel's own target.
//! - Funding: candidates in the given order (callers put the fastest first) while the
//!   running total stays within the reserve; the rest are listed as unfunded.
//! - A test whose duration exceeds the weeks available is kept and marked, not dropped,
//!   and is not funded: money for a test that cannot conclude is better left in reserve.
//!   It carries the smallest relative effect the channel's traffic could detect within the
//!   weeks available (bisection on the same sample-size formula), so the team can decide
//!   whether a larger bet is worth testing.

use serde::{Deserialize, Serialize};

use crate::sample_size::{self, Metric, Params, SampleSizeError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub channel: String,
    /// Measured conversions ÷ clicks.
    pub baseline: f64,
    /// Expected clicks per week next quarter.
    pub weekly_clicks: f64,
    pub cost_per_click: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestPlan {
    pub channel: String,
    pub baseline: f64,
    /// Absolute change in the rate the test can detect.
    pub mde_absolute: f64,
    pub per_arm: u64,
    pub weeks: u64,
    pub budget: f64,
    pub funded: bool,
    /// False when `weeks` exceeds the weeks available.
    pub fits_quarter: bool,
    /// When it does not fit: the smallest relative lift (0.27 = +27%) detectable within
    /// the weeks available; `None` when even doubling the rate could not be detected.
    pub detectable_in_time: Option<f64>,
}

/// The smallest relative lift on `baseline` whose per-arm sample fits in `weeks` of
/// `weekly_clicks` split over two arms, to 1e-4; `None` when none up to the largest
/// possible lift (the rate reaching 99.9%, capped at +100%) fits.
pub fn detectable_lift(baseline: f64, weekly_clicks: f64, weeks: u64) -> Option<f64> {
    let capacity = (weekly_clicks * weeks as f64 / 2.0).floor();
    let per_arm = |lift: f64| {
        sample_size::sample_size(&Metric::Proportion { baseline }, &Params::new(lift))
            .ok()
            .map(|s| s.per_arm as f64)
    };
    let mut hi = (0.999 / baseline - 1.0).min(1.0);
    // NaN (a baseline of 0) fails this too.
    if hi.is_nan() || hi <= 0.0 || per_arm(hi)? > capacity {
        return None;
    }
    let mut lo = 0.0;
    while hi - lo > 1e-4 {
        let mid = (lo + hi) / 2.0;
        match per_arm(mid) {
            Some(n) if n <= capacity => hi = mid,
            _ => lo = mid,
        }
    }
    Some(hi)
}

/// Sizes, times, prices and funds the candidates; `mde` is relative (0.1 = +10%).
pub fn plan_tests(
    candidates: &[Candidate],
    mde: f64,
    reserve: f64,
    weeks_available: u64,
) -> Result<Vec<TestPlan>, SampleSizeError> {
    let mut left = reserve;
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let n = sample_size::sample_size(
            &Metric::Proportion {
                baseline: c.baseline,
            },
            &Params::new(mde),
        )?
        .per_arm;
        let weeks = if c.weekly_clicks > 0.0 {
            (2.0 * n as f64 / c.weekly_clicks).ceil() as u64
        } else {
            u64::MAX
        };
        let budget = (n as f64 * c.cost_per_click * 100.0).round() / 100.0;
        let fits_quarter = weeks <= weeks_available;
        let funded = fits_quarter && budget <= left + 1e-9;
        if funded {
            left -= budget;
        }
        out.push(TestPlan {
            channel: c.channel.clone(),
            baseline: c.baseline,
            mde_absolute: c.baseline * mde,
            per_arm: n,
            weeks,
            budget,
            funded,
            fits_quarter,
            detectable_in_time: if fits_quarter {
                None
            } else {
                detectable_lift(c.baseline, c.weekly_clicks, weeks_available)
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_five_percent_baseline_needs_r_s_sample_and_the_reserve_funds_in_order() {
        // By hand, n = (z.975·√(2p̄q̄) + z.8·√(p1q1 + p2q2))² / (p2 − p1)² with p1 = 0.05,
        // p2 = 0.055, p̄ = 0.0525: (1.95996·0.315416 + 0.841621·0.315397)² / 0.005² =
        // 31,233.5 (R's power.prop.test: 31,233.4), so 31,234 per arm. At 6,000 clicks a
        // week: ⌈62,468 / 6,000⌉ = 11 weeks. Budget 31,234 × $1.50 = $46,851. The second
        // test (1,000 clicks a week) needs ⌈62,468 / 1,000⌉ = 63 weeks and
        // 31,234 × $2 = $62,468, more than the $60,000 − $46,851 left.
        let candidates = [
            Candidate {
                channel: "search".into(),
                baseline: 0.05,
                weekly_clicks: 6000.0,
                cost_per_click: 1.5,
            },
            Candidate {
                channel: "social".into(),
                baseline: 0.05,
                weekly_clicks: 1000.0,
                cost_per_click: 2.0,
            },
        ];

        let plans = plan_tests(&candidates, 0.1, 60_000.0, 13).unwrap();

        assert_eq!(plans[0].per_arm, 31_234);
        assert_eq!(plans[0].weeks, 11);
        assert_eq!(plans[0].budget, 46_851.0);
        assert!(plans[0].funded && plans[0].fits_quarter);
        assert!((plans[0].mde_absolute - 0.005).abs() < 1e-12);
        assert_eq!(plans[1].weeks, 63);
        assert!(!plans[1].funded && !plans[1].fits_quarter);
    }

    #[test]
    fn a_test_that_cannot_finish_is_listed_but_not_funded() {
        // Same 5% baseline (31,234 per arm) on 2,000 clicks a week: ⌈62,468 / 2,000⌉ = 32
        // weeks, past 13. The next test, which fits, takes the money.
        let slow = Candidate {
            channel: "slow".into(),
            baseline: 0.05,
            weekly_clicks: 2000.0,
            cost_per_click: 0.01,
        };
        let fast = Candidate {
            channel: "fast".into(),
            weekly_clicks: 10_000.0,
            ..slow.clone()
        };

        let plans = plan_tests(&[slow, fast], 0.1, 1000.0, 13).unwrap();

        assert_eq!(
            (plans[0].weeks, plans[0].fits_quarter, plans[0].funded),
            (32, false, false)
        );
        assert_eq!(
            (plans[1].weeks, plans[1].fits_quarter, plans[1].funded),
            (7, true, true)
        );
        assert_eq!(plans[1].budget, 312.34);
        // 2,000 clicks × 13 weeks ÷ 2 = 13,000 per arm. The lift found needs at most that
        // and a lift 1e-3 smaller needs more (per-arm samples from the tested formula).
        let lift = plans[0].detectable_in_time.unwrap();
        let n = |l: f64| {
            sample_size::sample_size(&Metric::Proportion { baseline: 0.05 }, &Params::new(l))
                .unwrap()
                .per_arm
        };
        assert!(n(lift) <= 13_000 && n(lift - 1e-3) > 13_000, "{lift}");
        // Roughly (0.1 × √(31,234 / 13,000)) = +15.5% by the 1/MDE² scaling.
        assert!((lift - 0.155).abs() < 0.01, "{lift}");
        assert_eq!(plans[1].detectable_in_time, None);
    }

    #[test]
    fn no_lift_is_detectable_without_traffic() {
        assert_eq!(detectable_lift(0.05, 10.0, 13), None);
        assert_eq!(detectable_lift(0.05, 0.0, 13), None);
    }

    #[test]
    fn a_baseline_that_is_not_a_rate_is_an_error() {
        let c = Candidate {
            channel: "x".into(),
            baseline: 1.2,
            weekly_clicks: 10.0,
            cost_per_click: 1.0,
        };
        assert!(plan_tests(&[c], 0.1, 1.0, 13).is_err());
    }
}
