//! Calibration of fitted response curves with what else the team knows about a
//! channel's return: lift tests (incremental ROAS with an interval, from
//! `experiments.csv`) and attribution-based ROAS, the way Meridian's ROI priors and
//! PyMC-Marketing's lift-test calibration use them.
//!
//! Per channel the weekly history gives a ROAS estimate `μ_M` with a bootstrap interval;
//! read as a normal, `σ_M = (high − low)/(2·z)`, `z` the normal quantile of the interval's
//! level. Each other source `e` gives `μ_e` and `σ_e` (a lift test: from its interval; an
//! attributed ROAS: `σ_e = ATTRIBUTION_RELATIVE_SD·μ_e`, a weak prior, because credit from
//! journeys is not incremental). The calibrated ROAS is the precision-weighted mean
//! `μ = (μ_M/σ_M² + Σ μ_e/σ_e²) / (1/σ_M² + Σ 1/σ_e²)` with `σ² = 1/(Σ precisions)`
//! (a normal–normal posterior). The curve keeps its shape and adstock; its height `beta`
//! is scaled by `μ/μ_M`, and each bootstrap draw `r_d` is moved to
//! `μ + (r_d − μ_M)·σ/σ_M` (its height scaled to match; a refit that found no effect takes the calibrated
//! point curve's shape), so the draws carry the narrower posterior into the allocation. A flat fit (`μ_M = 0`) cannot be scaled and is left as
//! it is, with a note.

use serde::{Deserialize, Serialize};

use super::{ChannelCurve, ResponseCurves};

/// Relative sd of an attributed ROAS used as a prior: wide, since journey credit
/// measures correlation, not the incremental return.
pub const ATTRIBUTION_RELATIVE_SD: f64 = 1.0;

/// Where a channel's ROAS evidence comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A lift test (geo or time holdout) and the period it ran.
    LiftTest { period: String },
    /// Revenue credited by attribution ÷ spend, last quarter.
    Attribution,
}

/// One piece of evidence about a channel's incremental ROAS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoasEvidence {
    pub channel: String,
    pub source: Source,
    pub roas: f64,
    /// Normal sd of the estimate.
    pub sd: f64,
}

impl RoasEvidence {
    /// A lift test's estimate with its interval at `level` (e.g. 0.9).
    pub fn lift_test(
        channel: &str,
        period: &str,
        roas: f64,
        low: f64,
        high: f64,
        level: f64,
    ) -> Self {
        RoasEvidence {
            channel: channel.to_owned(),
            source: Source::LiftTest {
                period: period.to_owned(),
            },
            roas,
            sd: ((high - low) / (2.0 * normal_quantile((1.0 + level) / 2.0))).max(1e-9),
        }
    }

    pub fn attribution(channel: &str, roas: f64) -> Self {
        RoasEvidence {
            channel: channel.to_owned(),
            source: Source::Attribution,
            roas,
            sd: (ATTRIBUTION_RELATIVE_SD * roas).max(1e-9),
        }
    }
}

/// How well a channel's return is pinned down, after calibration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identification {
    /// Interval narrower than half the estimate.
    Well,
    /// Interval between half and one and a half times the estimate.
    Partly,
    /// Wider: the data cannot tell a strong return from a weak one.
    Poorly,
}

impl Identification {
    pub fn of(roas: f64, low: f64, high: f64) -> Self {
        let width = (high - low) / roas.max(1e-9);
        if width < 0.5 {
            Identification::Well
        } else if width < 1.5 {
            Identification::Partly
        } else {
            Identification::Poorly
        }
    }

    pub fn phrase(self) -> &'static str {
        match self {
            Identification::Well => "well identified",
            Identification::Partly => "partly identified",
            Identification::Poorly => "poorly identified",
        }
    }
}

/// What calibration did to one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelCalibration {
    pub channel: String,
    /// The history's own estimate and interval, before calibration.
    pub history_roas: f64,
    pub history_low: f64,
    pub history_high: f64,
    /// After calibration (equal to the history's when nothing else is known).
    pub roas: f64,
    pub roas_low: f64,
    pub roas_high: f64,
    pub evidence: Vec<RoasEvidence>,
    /// Interval width ÷ estimate, after calibration; higher is less identified.
    pub relative_width: f64,
    pub identification: Identification,
    /// In a sentence, for people.
    pub statement: String,
}

use crate::sample_size::qnorm as normal_quantile;

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    super::bootstrap::quantile(&v, p)
}

/// Calibrates `curves` in place with `evidence` (channels not in `curves` are ignored)
/// and states per channel how well it is identified.
pub fn calibrate(
    curves: &mut ResponseCurves,
    evidence: &[RoasEvidence],
) -> Vec<ChannelCalibration> {
    let level = curves.interval_level;
    let z = normal_quantile((1.0 + level) / 2.0);
    let (lo_p, hi_p) = ((1.0 - level) / 2.0, (1.0 + level) / 2.0);
    let mut out = Vec::new();
    for i in 0..curves.channels.len() {
        let c: &ChannelCurve = &curves.channels[i];
        let name = c.channel.clone();
        let own: Vec<RoasEvidence> = evidence
            .iter()
            .filter(|e| e.channel == name)
            .cloned()
            .collect();
        let (mu_m, low_m, high_m) = (c.roas, c.roas_low, c.roas_high);
        let sd_m = ((high_m - low_m) / (2.0 * z)).max(1e-6 * mu_m.abs().max(1e-9));
        let usable = !own.is_empty() && mu_m > 0.0 && !curves.draws.is_empty();
        let (mu, sd) = if usable {
            let mut precision = 1.0 / (sd_m * sd_m);
            let mut weighted = mu_m * precision;
            for e in &own {
                let p = 1.0 / (e.sd * e.sd);
                precision += p;
                weighted += e.roas * p;
            }
            ((weighted / precision).max(0.0), precision.sqrt().recip())
        } else {
            (mu_m, sd_m)
        };
        if usable {
            let factor = mu / mu_m;
            let ch = &mut curves.channels[i];
            ch.curve = ch.curve.scaled(factor);
            ch.weekly_curve = ch.weekly_curve.scaled(factor);
            ch.roas = mu;
            ch.contribution *= factor;
            ch.marginal_roas *= factor;
            ch.marginal_roas_low *= factor;
            ch.marginal_roas_high *= factor;
            let calibrated = curves.channels[i].curve;
            let mut moved = Vec::with_capacity(curves.draws.len());
            for d in curves.draws.iter_mut() {
                let r = d[i].roas;
                let target = (mu + (r - mu_m) * sd / sd_m).max(0.0);
                // A refit that found no effect has no height to scale: it takes the
                // calibrated point curve's shape at the moved ROAS.
                d[i].curve = if r > 0.0 {
                    d[i].curve.scaled(target / r)
                } else {
                    calibrated.scaled(target / mu.max(1e-12))
                };
                d[i].roas = target;
                moved.push(target);
            }
            let ch = &mut curves.channels[i];
            ch.roas_low = percentile(&moved, lo_p);
            ch.roas_high = percentile(&moved, hi_p);
        }
        let ch = &curves.channels[i];
        let relative_width = (ch.roas_high - ch.roas_low) / ch.roas.max(1e-9);
        let identification = Identification::of(ch.roas, ch.roas_low, ch.roas_high);
        let tests = own
            .iter()
            .filter(|e| matches!(e.source, Source::LiftTest { .. }))
            .count();
        let statement = if mu_m <= 0.0 {
            format!(
                "{name}: the history shows no measurable return (ROAS interval {low_m:.2}–{high_m:.2}); \
                 nothing else can be scaled onto a flat fit, so only a holdout test can tell"
            )
        } else {
            let sources = match (tests, own.len() - tests) {
                (0, 0) => "weekly history only".to_owned(),
                (0, _) => {
                    "weekly history, with last quarter's attributed ROAS as a weak prior".to_owned()
                }
                (t, a) => format!(
                    "weekly history and {t} lift test{}{}",
                    if t == 1 { "" } else { "s" },
                    if a > 0 {
                        ", attributed ROAS as a weak prior"
                    } else {
                        ""
                    }
                ),
            };
            format!(
                "{name}: {} ({sources}): ROAS {:.2}, {:.0}% interval {:.2}–{:.2} (history alone {mu_m:.2}, {low_m:.2}–{high_m:.2})",
                identification.phrase(),
                ch.roas,
                level * 100.0,
                ch.roas_low,
                ch.roas_high
            )
        };
        out.push(ChannelCalibration {
            channel: name,
            history_roas: mu_m,
            history_low: low_m,
            history_high: high_m,
            roas: ch.roas,
            roas_low: ch.roas_low,
            roas_high: ch.roas_high,
            evidence: own,
            relative_width,
            identification,
            statement,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mmm::{DrawnCurve, FittedCurve};

    /// One logistic channel with ROAS 2 ± draws at 1 and 3 (a 90% interval 1.1–2.9).
    fn curves() -> ResponseCurves {
        let curve = FittedCurve::Logistic {
            beta: 100.0,
            lambda: 0.01,
        };
        let draw = |roas: f64| DrawnCurve {
            roas,
            curve: curve.scaled(roas / 2.0),
        };
        ResponseCurves {
            r2: 0.9,
            families: Vec::new(),
            channels: vec![ChannelCurve {
                channel: "display".into(),
                roas: 2.0,
                roas_low: 1.1,
                roas_high: 2.9,
                marginal_roas: 1.0,
                marginal_roas_low: 0.5,
                marginal_roas_high: 1.5,
                adstock_decay: 0.3,
                curve,
                weekly_curve: curve,
                spend: 1000.0,
                contribution: 2000.0,
                hill_evidence: None,
            }],
            weeks: 104,
            horizon_weeks: 13.0,
            interval_level: 0.9,
            bootstrap: 2,
            intercept: 0.0,
            trend: 0.0,
            controls: Vec::new(),
            draws: vec![vec![draw(1.0)], vec![draw(3.0)]],
        }
    }

    #[test]
    fn a_precise_lift_test_pulls_the_estimate_by_precision_weights() {
        let mut c = curves();
        // History: σ_M = 1.8/(2·1.6449) = 0.54715; lift test 1.2, 90% interval 1.0–1.4:
        // σ_L = 0.4/(2·1.6449) = 0.12159. Weights 1/σ²: 3.3403 and 67.638.
        let lift = RoasEvidence::lift_test("display", "2026-Q3", 1.2, 1.0, 1.4, 0.9);
        let out = calibrate(&mut c, &[lift]);
        let (wm, wl) = (1.0 / 0.547_152f64.powi(2), 1.0 / 0.121_589f64.powi(2));
        let mu = (2.0 * wm + 1.2 * wl) / (wm + wl);
        assert!((out[0].roas - mu).abs() < 1e-4, "{} vs {mu}", out[0].roas);
        assert!((mu - 1.2376).abs() < 1e-3);
        // The curve's height follows: β·μ/2, and the draws shrink around μ by σ/σ_M.
        let FittedCurve::Logistic { beta, .. } = c.channels[0].curve else {
            panic!()
        };
        assert!((beta - 100.0 * out[0].roas / 2.0).abs() < 1e-9);
        let shrink = (1.0 / (wm + wl)).sqrt() / 0.547_152;
        assert!((c.draws[0][0].roas - (mu - shrink)).abs() < 1e-4);
        // Moved draws μ ± 0.217: interval width 0.39 of 1.24, now well identified.
        assert_eq!(out[0].identification, Identification::Well);
        assert!(
            out[0].statement.contains("1 lift test"),
            "{}",
            out[0].statement
        );
    }

    #[test]
    fn without_other_evidence_the_history_stands() {
        let mut c = curves();
        let before = c.clone();
        let out = calibrate(&mut c, &[]);
        assert_eq!(c, before);
        assert_eq!(out[0].roas, 2.0);
        // Width 1.8 / 2 = 0.9 of the estimate.
        assert_eq!(out[0].identification, Identification::Partly);
        assert!(out[0].statement.contains("weekly history only"));
    }
}
