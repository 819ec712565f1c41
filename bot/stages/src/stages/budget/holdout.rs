//! The test that would settle the least identified channel: a geo lift test in which
//! the channel's spend doubles in a share `s` of regions (the extra paid from the test
//! reserve) while the others run the plan, sized so the ROAS estimate's 90%
//! half-width shrinks to the gap between the channel's ROAS and the channels' median
//! marginal ROI (the width at which the test says on which side of the others the
//! channel lies, so it can change the split), and never wider than a quarter of the ROAS.
//!
//! With `σ` the weekly revenue noise left by the response-curve fit
//! (`√((1 − R²)·var(revenue))`), `X` the channel's weekly spend and regions' revenue noise
//! in proportion to their share, the extra revenue in the test regions over `w` weeks
//! is estimated with sd `σ·√w·√(s + s²/(1 − s))`, so the ROAS (extra revenue ÷ extra
//! spend `s·X·w`) has sd `σ·√(1/s + 1/(1 − s)) / (X·√w)`, and `w` is the smallest whole
//! number of weeks with `1.645·sd ≤ h`.
//!
//! The proposal is the test the roadmap funds, computed once here: it runs `w` weeks or
//! the weeks the quarter leaves for testing, whichever is fewer, and states the
//! half-width and cost of that run.

use crate::stages::handoff::{ChannelBudget, HoldoutProposal};

/// Share of regions in the test arm: the most precise split.
pub const SHARE: f64 = 0.5;
const Z90: f64 = 1.644_853_626_951_472_2;

/// `refit_roas[i]`: channel `i`'s ROAS in each bootstrap refit (may be empty);
/// `weeks_available`: whole weeks the quarter leaves for a test.
pub fn propose(
    channels: &[ChannelBudget],
    refit_roas: &[Vec<f64>],
    marginal_return: f64,
    noise_sd: f64,
    weeks_available: u32,
) -> Option<HoldoutProposal> {
    let width = |c: &ChannelBudget| (c.roas_high - c.roas_low) / c.roas.max(1e-9);
    let (i, c) = channels
        .iter()
        .enumerate()
        .filter(|(_, c)| c.spend > 0.0 && c.roas_high > c.roas_low)
        .max_by(|(_, a), (_, b)| width(a).total_cmp(&width(b)))?;
    if weeks_available == 0 {
        return None;
    }
    let weekly = c.spend / 13.0;
    let target = (c.roas - marginal_return)
        .abs()
        .max(0.25 * c.roas)
        .max(0.05);
    let per_week = Z90 * noise_sd * (1.0 / SHARE + 1.0 / (1.0 - SHARE)).sqrt() / weekly;
    let weeks = ((per_week / target).powi(2).ceil() as u32).max(1);
    let run = weeks.min(weeks_available);
    let extra = (SHARE * weekly * f64::from(run) * 100.0).round() / 100.0;
    Some(HoldoutProposal {
        channel: c.channel.clone(),
        share_held_out: SHARE,
        weeks,
        fits_in_quarter: weeks <= weeks_available,
        target_half_width: target,
        run_weeks: run,
        half_width_reached: per_week / f64::from(run).sqrt(),
        test_spend: extra,
        expected_return: extra * c.roas,
        roas: c.roas,
        roas_low: c.roas_low,
        roas_high: c.roas_high,
        marginal_return,
        refit_roas: refit_roas.get(i).cloned().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_interval_is_tested_for_as_many_weeks_as_the_precision_needs() {
        let ch = |name: &str, roas: f64, low: f64, high: f64| ChannelBudget {
            channel: name.into(),
            spend: 130_000.0,
            roas,
            roas_low: low,
            roas_high: high,
            ..Default::default()
        };
        let channels = [ch("search", 3.0, 2.5, 3.5), ch("display", 2.0, 0.0, 6.0)];
        // Display: weekly 10,000; gap to the margin |2 − 1.5| = 0.5 (= 0.25·2).
        // sd per √week = 1.6449·20,000·2/10,000 = 6.5794; (6.5794/0.5)² = 173.2 → 174.
        // The quarter leaves 8 weeks: the test runs 8, reaching 6.5794/√8 = 2.3262.
        let p = propose(&channels, &[], 1.5, 20_000.0, 8).unwrap();
        assert_eq!(p.channel, "display");
        assert_eq!(p.weeks, 174);
        assert!(!p.fits_in_quarter);
        assert_eq!(p.run_weeks, 8);
        assert!((p.half_width_reached - 2.3262).abs() < 1e-3);
        assert_eq!(p.test_spend, 0.5 * 10_000.0 * 8.0);
        // Quieter revenue: (1.6449·2,000·2/10,000/0.5)² = 1.73 → 2 weeks, all it needs.
        let p = propose(&channels, &[], 1.5, 2_000.0, 8).unwrap();
        assert_eq!((p.weeks, p.fits_in_quarter, p.run_weeks), (2, true, 2));
        assert_eq!(p.test_spend, 0.5 * 10_000.0 * 2.0);
        // No weeks left in the quarter: no test.
        assert!(propose(&channels, &[], 1.5, 2_000.0, 0).is_none());
    }
}
