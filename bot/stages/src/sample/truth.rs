//! The sample's generating parameters read back from `truth.json` as types: each paid
//! channel's true response curve (see [`super::media`]) and each source's funnel rates
//! and deal size (see [`super::leads`]), so a simulation can ask what the generated world
//! produces at a given spend. One formula per curve: the generator evaluates the same
//! [`Curve::at`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A channel's weekly revenue as a function of its adstocked spend A.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Curve {
    /// β·A^α / (A^α + γ^α): S-shaped, half of β at A = γ.
    Hill {
        beta: f64,
        alpha: f64,
        gamma: f64,
        adstock_decay: f64,
    },
    /// β·(1 − e^(−λA)) / (1 + e^(−λA)): concave from the first unit.
    Logistic {
        beta: f64,
        lambda: f64,
        adstock_decay: f64,
    },
}

impl Curve {
    /// Weekly revenue at adstocked spend `adstock`.
    pub fn at(&self, adstock: f64) -> f64 {
        match *self {
            Self::Hill {
                beta, alpha, gamma, ..
            } => beta * adstock.powf(alpha) / (adstock.powf(alpha) + gamma.powf(alpha)),
            Self::Logistic { beta, lambda, .. } => {
                let e = (-lambda * adstock).exp();
                beta * (1.0 - e) / (1.0 + e)
            }
        }
    }

    /// Weekly revenue once `weekly_spend` has been held long enough for the adstock
    /// A = x + θ·A to settle at x / (1 − θ).
    pub fn steady_weekly_revenue(&self, weekly_spend: f64) -> f64 {
        let decay = match *self {
            Self::Hill { adstock_decay, .. } | Self::Logistic { adstock_decay, .. } => {
                adstock_decay
            }
        };
        self.at(weekly_spend / (1.0 - decay))
    }
}

/// A lead source's stage-to-stage conversion rates.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct FunnelRates {
    pub lead_to_mql: f64,
    #[serde(rename = "mql_to_sql_at_mean_features")]
    pub mql_to_sql: f64,
    pub sql_to_opportunity: f64,
    pub opportunity_to_won: f64,
}

/// What the generated world is: curves by paid channel, funnel rates by source, and the
/// mean deal amount (log-normal: median × e^(σ²/2)).
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub curves: BTreeMap<String, Curve>,
    pub funnel: BTreeMap<String, FunnelRates>,
    pub mean_deal: f64,
}

#[derive(Deserialize)]
struct File {
    media: Media,
    leads: Leads,
}

#[derive(Deserialize)]
struct Media {
    channels: BTreeMap<String, Channel>,
}

#[derive(Deserialize)]
struct Channel {
    curve: Curve,
}

#[derive(Deserialize)]
struct Leads {
    rates_by_source: BTreeMap<String, FunnelRates>,
    amount: Amount,
}

#[derive(Deserialize)]
struct Amount {
    median: f64,
    sigma: f64,
}

impl Truth {
    /// Reads `truth.json` as the generator writes it.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let f: File = serde_json::from_str(text)?;
        Ok(Self {
            curves: f
                .media
                .channels
                .into_iter()
                .map(|(k, c)| (k, c.curve))
                .collect(),
            funnel: f.leads.rates_by_source,
            mean_deal: f.leads.amount.median * (f.leads.amount.sigma.powi(2) / 2.0).exp(),
        })
    }
}
