//! The budget spec of next quarter, from fitted response curves and last quarter's
//! spend, with per-channel bounds from the team's `[budget]` rules.
//!
//! Bounds per channel, last quarter's spend `s`: `min = min_vs_last_quarter·s` (default
//! 0.5) and `max = max_vs_last_quarter·s` (default 2.0), unless the channel's own table
//! states an absolute `min` or `max`. Half to double keeps the plan within what the team
//! has run and the curves have seen: a fitted curve says little about spend far outside
//! its data. A channel with no spend last quarter gets bounds 0–0 unless stated: new
//! channels are for the test reserve, not the optimiser.
//!
//! A channel whose fitted effect is zero (`beta = 0`: the history shows no return) has a
//! flat curve, which the optimiser's curve check refuses; it enters with a curve of
//! negligible height ([`NO_EFFECT_BETA`]), so the optimum holds it at its floor.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::budget::{BudgetSpec, ChannelSpec};
use crate::curves::Curve;
use crate::mmm::FittedCurve;

/// The `[budget]` rules; every key optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BudgetRules {
    /// Each channel's floor as a multiple of last quarter's spend.
    pub min_vs_last_quarter: f64,
    /// Each channel's ceiling as a multiple of last quarter's spend.
    pub max_vs_last_quarter: f64,
    /// Absolute bounds for named channels (`[budget.channels.linkedin] max = 300000`).
    pub channels: BTreeMap<String, ChannelBounds>,
}

impl Default for BudgetRules {
    fn default() -> Self {
        BudgetRules {
            min_vs_last_quarter: 0.5,
            max_vs_last_quarter: 2.0,
            channels: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelBounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl BudgetRules {
    /// What is wrong with the rules, as `key: expected …, found …`.
    pub fn check(&self) -> Result<(), String> {
        let (lo, hi) = (self.min_vs_last_quarter, self.max_vs_last_quarter);
        if !(lo.is_finite() && lo >= 0.0) {
            return Err(format!(
                "`budget.min_vs_last_quarter`: expected a multiple of at least 0 such as 0.5, found {lo}"
            ));
        }
        if !(hi.is_finite() && hi >= lo) {
            return Err(format!(
                "`budget.max_vs_last_quarter`: expected a multiple of at least min_vs_last_quarter ({lo}), found {hi}"
            ));
        }
        for (name, b) in &self.channels {
            for (key, v) in [("min", b.min), ("max", b.max)] {
                if let Some(v) = v
                    && !(v.is_finite() && v >= 0.0)
                {
                    return Err(format!(
                        "`budget.channels.{name}.{key}`: expected an amount of at least 0, found {v}"
                    ));
                }
            }
            if let (Some(min), Some(max)) = (b.min, b.max)
                && min > max
            {
                return Err(format!(
                    "`budget.channels.{name}`: expected min ≤ max, found min {min} and max {max}"
                ));
            }
        }
        Ok(())
    }

    /// `(min, max)` for a channel that spent `last_quarter`.
    pub fn bounds(&self, channel: &str, last_quarter: f64) -> (f64, f64) {
        let own = self.channels.get(channel).cloned().unwrap_or_default();
        let min = own.min.unwrap_or(self.min_vs_last_quarter * last_quarter);
        let max = own
            .max
            .unwrap_or(self.max_vs_last_quarter * last_quarter)
            .max(min);
        (min, max)
    }
}

/// One channel's inputs to the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelInput {
    pub name: String,
    /// Quarter response curve (money spent evenly over the quarter → revenue).
    pub curve: FittedCurve,
    pub last_quarter: f64,
}

/// Height given to a curve fitted flat: a millionth of a money unit at saturation.
pub const NO_EFFECT_BETA: f64 = 1e-6;

/// True when the fit found no return at all for the channel.
pub fn has_no_effect(c: &FittedCurve) -> bool {
    match *c {
        FittedCurve::Hill { beta, .. } | FittedCurve::Logistic { beta, .. } => beta <= 0.0,
    }
}

/// The fitted curve in the budget spec's shape (a flat one raised to [`NO_EFFECT_BETA`]).
pub fn to_curve(c: &FittedCurve) -> Curve {
    let lift = |beta: f64| if beta > 0.0 { beta } else { NO_EFFECT_BETA };
    match *c {
        FittedCurve::Hill { beta, alpha, gamma } => Curve::Hill {
            beta: lift(beta),
            alpha,
            gamma,
        },
        FittedCurve::Logistic { beta, lambda } => Curve::Logistic {
            beta: lift(beta),
            lambda,
        },
    }
}

/// The spec `budget::allocate` solves.
pub fn budget_spec(
    total: f64,
    reserve: f64,
    allow_reserve_outside_range: bool,
    channels: &[ChannelInput],
    rules: &BudgetRules,
) -> BudgetSpec {
    BudgetSpec {
        total,
        reserve,
        allow_reserve_outside_range,
        channels: channels
            .iter()
            .map(|c| {
                let (min, max) = rules.bounds(&c.name, c.last_quarter);
                ChannelSpec {
                    name: c.name.clone(),
                    min: Some(min),
                    max: Some(max),
                    historical: Some(c.last_quarter),
                    curve: to_curve(&c.curve),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_half_to_double_last_quarter_unless_a_channel_states_its_own() {
        let mut rules = BudgetRules::default();
        rules.channels.insert(
            "events".into(),
            ChannelBounds {
                min: None,
                max: Some(50_000.0),
            },
        );

        assert_eq!(rules.bounds("search", 100_000.0), (50_000.0, 200_000.0));
        assert_eq!(rules.bounds("events", 40_000.0), (20_000.0, 50_000.0));
        assert_eq!(rules.bounds("new", 0.0), (0.0, 0.0));
    }

    #[test]
    fn a_channel_fitted_flat_enters_with_a_negligible_curve() {
        let flat = FittedCurve::Hill {
            beta: 0.0,
            alpha: 1.5,
            gamma: 1000.0,
        };

        assert!(has_no_effect(&flat));
        assert_eq!(
            to_curve(&flat),
            Curve::Hill {
                beta: NO_EFFECT_BETA,
                alpha: 1.5,
                gamma: 1000.0
            }
        );
    }

    #[test]
    fn bad_rules_name_their_key() {
        for (rules, key) in [
            (
                BudgetRules {
                    min_vs_last_quarter: -0.1,
                    ..BudgetRules::default()
                },
                "min_vs_last_quarter",
            ),
            (
                BudgetRules {
                    max_vs_last_quarter: 0.4,
                    ..BudgetRules::default()
                },
                "max_vs_last_quarter",
            ),
            (
                BudgetRules {
                    channels: BTreeMap::from([(
                        "email".to_owned(),
                        ChannelBounds {
                            min: Some(10.0),
                            max: Some(5.0),
                        },
                    )]),
                    ..BudgetRules::default()
                },
                "budget.channels.email",
            ),
        ] {
            let e = rules.check().unwrap_err();
            assert!(e.contains(key), "{e}");
        }
    }

    #[test]
    fn the_spec_carries_bounds_history_and_the_curve() {
        let c = ChannelInput {
            name: "search".into(),
            curve: FittedCurve::Logistic {
                beta: 1e6,
                lambda: 1e-5,
            },
            last_quarter: 300_000.0,
        };

        let spec = budget_spec(1e6, 0.12, false, &[c], &BudgetRules::default());

        let ch = &spec.channels[0];
        assert_eq!((ch.min, ch.max), (Some(150_000.0), Some(600_000.0)));
        assert_eq!(ch.historical, Some(300_000.0));
        assert_eq!(
            ch.curve,
            Curve::Logistic {
                beta: 1e6,
                lambda: 1e-5
            }
        );
    }
}
