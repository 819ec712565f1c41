//! Stage 7, goals & KPIs: the revenue objective worked backwards through stage 2's
//! measured funnel (see `quarterdeck_analyses::goals` for the arithmetic and the lag
//! rule), monthly milestones shaped by last year's seasonality, channel targets from
//! stage 6's allocation, and the KPIs the team tracks (see `post`; history and
//! seasonality are read in `history`).
//!
//! Sources of each figure:
//! - Rates, median lags and average deal: stage 2's handoff. When stage 4 proposed a new
//!   MQL threshold, its expected MQL → SQL rate replaces the measured one (the MQLs the
//!   quarter needs are MQLs by the new definition).
//! - Last quarter's actuals and the best quarter on record: `leads.csv`, counting each
//!   stage by the date it was reached (leads by `created_at`, MQLs by `mql_at`, ..., won
//!   deals and revenue by `won_at` and `amount`), per quarter-long window back from the
//!   quarter under review.
//! - Seasonality: `weekly_revenue.csv`, the same months one year earlier (see
//!   `goals::seasonal_shares`); without it, months are weighted by their days.
//! - Channel MQL shares: `leads.csv`, MQLs reached in the quarter under review by source.

pub(crate) mod forecast;
mod history;
pub(crate) mod post;
#[cfg(test)]
mod stage_tests;

use std::collections::BTreeMap;

use quarterdeck_analyses::goals::{self, FunnelRates, Goals};
use quarterdeck_analyses::quarter_plan::rounding::{from_cents, split_cents, to_cents};
use serde_json::json;

use super::handoff::{
    self, BudgetHandoff, ChannelTarget, FunnelHandoff, GoalsHandoff, Milestone, PerformanceHandoff,
    ScoringHandoff, Target,
};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput};
use crate::report::{money, whole};
use crate::sources::Objectives;
use history::{History, history, planned_months, seasonality};

/// Everything the post needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GoalsFindings {
    pub goals: Goals,
    pub objectives: Objectives,
    pub rates: FunnelRates,
    /// The MQL → SQL rate came from stage 4's proposed threshold.
    pub scoring_rate: bool,
    /// The MQLs the revenue needs against the stated target and stage 4's threshold.
    pub mqls: MqlCheck,
    /// How the months were weighted.
    pub seasonality: String,
    pub channel_targets: Vec<ChannelTarget>,
    /// Why there are no channel targets, when there are none.
    pub channel_note: Option<String>,
    /// Opportunities open (neither won nor lost) in leads.csv at the export.
    pub open_opportunities: Option<u64>,
    pub handoff: GoalsHandoff,
}

/// The MQLs the revenue target needs, against `objectives.toml`'s `mql_target` and
/// against what stage 4's proposed threshold yields at last quarter's lead volume.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MqlCheck {
    /// Stage 7's MQL requirement for the quarter.
    pub needed: f64,
    /// The stated `mql_target`, and whether it falls short of `needed` (by half an MQL or
    /// more, so rounding does not call a tie short).
    pub stated: Option<f64>,
    pub stated_short: bool,
    /// MQLs stage 4 expects in the quarter at its threshold (3 × its monthly figure), and
    /// whether lead volume has to grow to reach `needed`.
    pub expected: Option<f64>,
    pub expected_short: bool,
}

impl MqlCheck {
    fn new(needed: f64, stated: Option<f64>, expected: Option<f64>) -> Self {
        let short = |v: Option<f64>| v.is_some_and(|v| v + 0.5 < needed);
        Self {
            needed,
            stated,
            stated_short: short(stated),
            expected,
            expected_short: short(expected),
        }
    }
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let unavailable = |reason: &str| Ok(super::inventory::unavailable(7, inputs, reason.into()));
    let Some(objectives) = Objectives::read(&inputs.data)? else {
        return unavailable("objectives.toml is not in the data folder");
    };
    let Some(revenue_target) = objectives.revenue_target else {
        return unavailable("objectives.toml states no revenue_target to work back from");
    };
    let Some(funnel) = inputs.handoff::<FunnelHandoff>(2) else {
        return unavailable("stage 2 (funnel health) has no measured funnel to work back through");
    };
    let scoring = inputs.handoff::<ScoringHandoff>(4);
    let Some(rates) = rates(&funnel, scoring.as_ref()) else {
        return unavailable(
            "stage 2's funnel lacks a lead → mql → sql → opportunity → won rate or an average deal",
        );
    };
    let months = planned_months(inputs.quarter_start);
    let (shares, seasonality) = seasonality(inputs, &months)?;
    let History {
        last: last_quarter,
        best: best_quarter,
        mql_shares,
        lead_shares,
        open_opportunities,
    } = history(inputs)?;
    let goals = goals::analyze(&goals::Input {
        revenue_target,
        funnel: rates.clone(),
        months: months.iter().map(|m| m.0.clone()).zip(shares).collect(),
        last_quarter,
        best_quarter,
    })
    .map_err(|e| StageError::BadFile {
        file: "objectives.toml".into(),
        message: e.to_string(),
    })?;
    let budget = inputs.handoff::<BudgetHandoff>(6);
    let required = |metric: &str| {
        goals
            .requirements
            .iter()
            .find(|r| r.metric == metric)
            .map_or(0.0, |r| r.quarter)
    };
    let (mqls, leads) = (required("mqls"), required("leads"));
    let (channel_targets, channel_note) = match &budget {
        Some(b) => (
            channel_targets(b, &mql_shares, &lead_shares, mqls, leads),
            None,
        ),
        None => (
            Vec::new(),
            Some("stage 6 (budget) has not produced an allocation, so there are no channel spend or revenue targets yet".to_owned()),
        ),
    };
    let handoff = handoff_of(
        &goals,
        &objectives,
        &rates,
        &channel_targets,
        scoring.is_some(),
    );
    let expected_mqls = scoring.as_ref().map(|s| 3.0 * s.expected_mqls_per_month);
    let forecast = match (&budget, last_quarter) {
        (Some(b), Some(last)) => b.outlook.as_ref().and_then(|o| {
            let norm = quarterdeck_analyses::market::normalise_channel;
            let paid_share: f64 = b
                .channels
                .iter()
                .filter_map(|c| lead_shares.get(&norm(&c.channel)))
                .sum();
            // Last quarter's paid spend as stage 1 measured it; stage 6's reference
            // weeks without stage 1.
            let paid_spend = inputs
                .handoff::<PerformanceHandoff>(1)
                .map(|p| p.channels.iter().map(|c| c.spend).sum::<f64>())
                .filter(|s| *s > 0.0)
                .unwrap_or_else(|| b.channels.iter().map(|c| c.last_quarter_spend).sum());
            let start = forecast::Start {
                revenue: last.revenue,
                opportunities: last.opportunities,
                mqls: expected_mqls.unwrap_or(last.mqls),
                paid_leads: last.leads * paid_share,
                paid_spend,
            };
            let mut f = forecast::forecast(o, &start, &rates, &handoff.targets)?;
            // The MQL base is the proposed score's quarter, not last quarter's count: say
            // so, so the table's base is not read as a second value of last quarter's MQLs.
            if let Some(m) = expected_mqls {
                f.basis.push_str(&format!(
                    "; the base for MQLs is {} a quarter at stage 4's proposed threshold \
                     (last quarter counted {} at today's), the threshold the targets assume",
                    crate::report::whole(m),
                    crate::report::whole(last.mqls),
                ));
            }
            Some(f)
        }),
        _ => None,
    };
    let mql_check = MqlCheck::new(mqls, objectives.mql_target, expected_mqls);
    let findings = GoalsFindings {
        handoff: GoalsHandoff {
            kpis: post::kpis(&objectives),
            forecast,
            ..handoff
        },
        goals,
        objectives,
        rates,
        scoring_rate: scoring.is_some(),
        mqls: mql_check,
        seasonality,
        channel_targets,
        channel_note,
        open_opportunities,
    };
    let (message, headline) = post::message(&findings, &inputs.names);
    let files = post::chart(&findings).into_iter().collect();
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 7, "available": true, "headline": headline,
            "goals": findings.goals, "rates": findings.rates, "seasonality": findings.seasonality,
            "scoring_rate": findings.scoring_rate, "channel_note": findings.channel_note,
            "mqls": findings.mqls,
            "open_opportunities": findings.open_opportunities,
            (handoff::KEY): findings.handoff,
        }),
    )
    .with_files(files))
}

/// The four steps from lead to won, with stage 4's MQL → SQL when it proposed one.
fn rates(f: &FunnelHandoff, scoring: Option<&ScoringHandoff>) -> Option<FunnelRates> {
    let step = |from: &str, to: &str| f.steps.iter().find(|s| s.from == from && s.to == to);
    let names = [
        ("lead", "mql"),
        ("mql", "sql"),
        ("sql", "opportunity"),
        ("opportunity", "won"),
    ];
    let steps: Vec<_> = names
        .iter()
        .map(|(a, b)| step(a, b))
        .collect::<Option<_>>()?;
    let lag = |k: usize| steps[k].median_lag_days.unwrap_or(0.0);
    Some(FunnelRates {
        lead_to_mql: steps[0].rate,
        mql_to_sql: scoring.map_or(steps[1].rate, |s| s.expected_mql_to_sql),
        sql_to_opportunity: steps[2].rate,
        opportunity_to_won: steps[3].rate,
        lag_days: [lag(0), lag(1), lag(2), lag(3)],
        average_deal: f.average_deal?,
    })
}

/// Every source of volume with its share of the lead and MQL targets: stage 6's paid
/// channels (with their spend and expected media revenue) and the sources without
/// spend that brought leads or MQLs last quarter (organic search, referrals). Leads and
/// MQLs are whole numbers split by largest remainder, so they add up to the rounded
/// targets exactly; without any share (no leads.csv) they are split by spend.
fn channel_targets(
    b: &BudgetHandoff,
    mql_shares: &BTreeMap<String, f64>,
    lead_shares: &BTreeMap<String, f64>,
    mqls: f64,
    leads: f64,
) -> Vec<ChannelTarget> {
    let norm = quarterdeck_analyses::market::normalise_channel;
    let mut rows: Vec<ChannelTarget> = b
        .channels
        .iter()
        .map(|c| ChannelTarget {
            channel: c.channel.clone(),
            spend: c.spend,
            revenue: c.expected_revenue,
            mqls: 0.0,
            leads: 0.0,
        })
        .collect();
    let paid: Vec<String> = rows.iter().map(|r| norm(&r.channel)).collect();
    let unpaid: std::collections::BTreeSet<&String> = mql_shares
        .keys()
        .chain(lead_shares.keys())
        .filter(|k| !k.is_empty() && !paid.contains(k))
        .collect();
    rows.extend(unpaid.into_iter().map(|k| ChannelTarget {
        channel: k.clone(),
        spend: 0.0,
        revenue: 0.0,
        mqls: 0.0,
        leads: 0.0,
    }));
    let spend: Vec<f64> = rows.iter().map(|r| r.spend).collect();
    let weights = |shares: &BTreeMap<String, f64>| -> Vec<f64> {
        let w: Vec<f64> = rows
            .iter()
            .map(|r| shares.get(&norm(&r.channel)).copied().unwrap_or(0.0))
            .collect();
        if w.iter().sum::<f64>() > 0.0 {
            w
        } else {
            spend.clone()
        }
    };
    let (mql_parts, lead_parts) = (
        split_whole(mqls, &weights(mql_shares)),
        split_whole(leads, &weights(lead_shares)),
    );
    for (i, r) in rows.iter_mut().enumerate() {
        r.mqls = mql_parts.get(i).copied().unwrap_or(0.0);
        r.leads = lead_parts.get(i).copied().unwrap_or(0.0);
    }
    rows
}

/// `total` rounded to a whole number and split in proportion to `weights` by largest
/// remainder: whole parts that add up to the rounded total exactly. All-zero weights
/// split evenly.
pub(crate) fn split_whole(total: f64, weights: &[f64]) -> Vec<f64> {
    split_units(total.round() as i64, weights)
        .into_iter()
        .map(|u| u as f64)
        .collect()
}

/// Money rounded to the cent and split like [`split_whole`], to the cent.
pub(crate) fn split_money(total: f64, weights: &[f64]) -> Vec<f64> {
    split_units(to_cents(total), weights)
        .into_iter()
        .map(from_cents)
        .collect()
}

fn split_units(units: i64, weights: &[f64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    split_cents(units.max(0), weights)
        .or_else(|| split_cents(units.max(0), &vec![1.0; weights.len()]))
        .unwrap_or_else(|| vec![0; weights.len()])
}

fn handoff_of(
    g: &Goals,
    o: &Objectives,
    r: &FunnelRates,
    channels: &[ChannelTarget],
    scoring: bool,
) -> GoalsHandoff {
    let basis = |metric: &str| -> String {
        match metric {
            "revenue" => "revenue_target in objectives.toml".into(),
            "won" => format!("revenue ÷ average deal of {}", money(r.average_deal)),
            "opportunities" => format!("won ÷ opportunity → won {:.3}", r.opportunity_to_won),
            "sqls" => format!(
                "opportunities ÷ sql → opportunity {:.3}",
                r.sql_to_opportunity
            ),
            "mqls" => format!(
                "SQLs ÷ mql → sql {:.3}{}",
                r.mql_to_sql,
                if scoring {
                    " (stage 4's proposed threshold)"
                } else {
                    ""
                }
            ),
            "leads" => format!("MQLs ÷ lead → mql {:.3}", r.lead_to_mql),
            _ => String::new(),
        }
    };
    let mut targets: Vec<Target> = g
        .requirements
        .iter()
        .map(|q| Target {
            metric: q.metric.clone(),
            value: q.quarter,
            basis: match (q.metric.as_str(), o.mql_target) {
                ("mqls", Some(stated)) => format!(
                    "{}; objectives.toml's mql_target is {}",
                    basis("mqls"),
                    whole(stated)
                ),
                _ => basis(&q.metric),
            },
            last_quarter: q.last_quarter,
            stretch: q.stretch,
            above_history: q.above_history,
        })
        .collect();
    targets.push(Target {
        metric: "pipeline".into(),
        value: g.implied_pipeline,
        basis: match o.pipeline_target {
            Some(p) => format!(
                "opportunities × average deal (what the revenue target needs); objectives.toml's pipeline_target is {}",
                money(p)
            ),
            None => "opportunities × average deal".into(),
        },
        last_quarter: None,
        stretch: false,
        above_history: false,
    });
    if let Some(brand) = &o.brand
        && let Some(v) = brand_value(brand)
    {
        targets.push(Target {
            metric: "brand".into(),
            value: v,
            basis: format!("brand objective as stated: {brand}"),
            last_quarter: None,
            stretch: false,
            above_history: false,
        });
    }
    // With stage 4's threshold, last quarter's MQLs were counted by another score: its
    // MQL → SQL ratio is not the same step's.
    let rate_gaps = (g.rate_gaps.iter())
        .filter(|gap| !(scoring && gap.step == "mql → sql"))
        .cloned()
        .collect();
    GoalsHandoff {
        milestones: milestones(g, &targets),
        targets,
        channel_targets: channels.to_vec(),
        kpis: Vec::new(),
        forecast: None,
        rate_gaps,
    }
}

/// Each target split over the months in proportion to the analysis' monthly volumes
/// (seasonality and lags), by largest remainder: every metric's months add up to its
/// target rounded (money to the cent, counts to the unit).
fn milestones(g: &Goals, targets: &[Target]) -> Vec<Milestone> {
    let target = |m: &str| {
        targets
            .iter()
            .find(|t| t.metric == m)
            .map_or(0.0, |t| t.value)
    };
    let col = |pick: fn(&quarterdeck_analyses::goals::MonthPlan) -> f64| -> Vec<f64> {
        g.months.iter().map(pick).collect()
    };
    let revenue = split_money(target("revenue"), &col(|m| m.revenue));
    let pipeline = split_money(target("pipeline"), &col(|m| m.pipeline));
    let won = split_whole(target("won"), &col(|m| m.won));
    let opps = split_whole(target("opportunities"), &col(|m| m.opportunities));
    let sqls = split_whole(target("sqls"), &col(|m| m.sqls));
    let mqls = split_whole(target("mqls"), &col(|m| m.mqls));
    let leads = split_whole(target("leads"), &col(|m| m.leads));
    g.months
        .iter()
        .enumerate()
        .map(|(i, m)| Milestone {
            month: m.month.clone(),
            revenue: revenue[i],
            pipeline: pipeline[i],
            won: won[i],
            opportunities: opps[i],
            sqls: sqls[i],
            mqls: mqls[i],
            leads: leads[i],
        })
        .collect()
}

/// The first number in a brand objective, a percentage as a fraction
/// (`share of search 22%` → 0.22).
fn brand_value(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let v: f64 = rest[..end].parse().ok()?;
    Some(if rest[end..].trim_start().starts_with('%') {
        v / 100.0
    } else {
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brand_percentage_becomes_a_fraction() {
        assert_eq!(brand_value("share of search 22%"), Some(0.22));
        // A space before the sign is still a percentage (French and SI style).
        assert_eq!(brand_value("aided awareness 35.5 %"), Some(0.355));
        assert_eq!(
            brand_value("NPS 41"),
            Some(41.0),
            "no sign: the number as stated"
        );
        assert_eq!(brand_value("be loved"), None);
    }
}
