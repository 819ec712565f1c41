//! Campaign ROI: spend against plan and return per channel and campaign, quarter over
//! quarter, and ranked findings from explicit rules.
//!
//! Definitions (per channel, per quarter):
//! - utilisation = actual spend / planned budget (campaigns' planned budgets);
//! - platform ROAS = platform-reported revenue / spend;
//! - revenue = attributed revenue when given (e.g. Markov value credit), else the revenue
//!   of won deals sourced by the channel; ROAS = revenue / spend; ROI = (revenue − spend) /
//!   spend; pipeline ROAS = pipeline / spend;
//! - cost per MQL / SQL = spend / MQLs / SQLs; CAC = spend / won customers.
//!
//! Rules (thresholds in [`RoiParams`]; each finding carries the numbers that fired it and
//! is weighted by the money at stake, so the list is ranked by impact):
//! - worked: ROAS at least `strong` × the portfolio ROAS;
//! - didn't work: ROAS below 1 (the channel lost money), or ROAS down more than `drop`
//!   quarter over quarter;
//! - watch: platform revenue over `overclaim` × attributed revenue (the ad platform
//!   over-reports), a campaign's utilisation below `underspend` or above `overspend`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Previous,
    Current,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpendLine {
    pub period: Period,
    pub channel: String,
    pub campaign: String,
    pub spend: f64,
    pub platform_revenue: Option<f64>,
    /// Delivery as the ad platform reports it, when the export has it.
    #[serde(default)]
    pub delivery: Delivery,
}

/// Impressions, clicks and platform-reported conversions (absent = not exported).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub impressions: Option<f64>,
    pub clicks: Option<f64>,
    pub conversions: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignPlan {
    pub period: Period,
    pub campaign: String,
    pub channel: String,
    pub owner: String,
    pub planned_budget: f64,
}

/// What a channel produced in a quarter, from the CRM and attribution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    pub mqls: f64,
    pub sqls: f64,
    pub won: f64,
    pub won_revenue: f64,
    pub pipeline: f64,
    pub attributed_revenue: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoiParams {
    pub strong: f64,
    pub drop: f64,
    pub overclaim: f64,
    pub underspend: f64,
    pub overspend: f64,
}

impl RoiParams {
    pub const DEFAULT: Self = Self {
        strong: 1.25,
        drop: 0.2,
        overclaim: 1.3,
        underspend: 0.85,
        overspend: 1.05,
    };
}

impl Default for RoiParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRoi {
    pub channel: String,
    pub spend: f64,
    pub planned: f64,
    pub utilisation: Option<f64>,
    pub platform_revenue: f64,
    pub platform_roas: Option<f64>,
    /// Sums over the rows that report them; `None` when no row does.
    pub impressions: Option<f64>,
    pub clicks: Option<f64>,
    pub platform_conversions: Option<f64>,
    /// clicks / impressions, spend / clicks and spend / platform conversions, each over
    /// the rows that report the denominator (so a partial export is not diluted).
    pub ctr: Option<f64>,
    pub cpc: Option<f64>,
    pub platform_cpa: Option<f64>,
    pub revenue: f64,
    pub roas: Option<f64>,
    pub roi: Option<f64>,
    pub pipeline: f64,
    pub pipeline_roas: Option<f64>,
    pub cost_per_mql: Option<f64>,
    pub cost_per_sql: Option<f64>,
    pub cac: Option<f64>,
    pub previous_roas: Option<f64>,
    pub roas_change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignRoi {
    pub campaign: String,
    pub channel: String,
    pub owner: String,
    pub planned: f64,
    pub spend: f64,
    pub utilisation: Option<f64>,
    pub platform_roas: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Worked,
    DidNotWork,
    Watch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub verdict: Verdict,
    pub subject: String,
    pub rule: String,
    pub evidence: BTreeMap<String, f64>,
    /// Money at stake; findings are ranked by it within each verdict.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roi {
    pub channels: Vec<ChannelRoi>,
    pub campaigns: Vec<CampaignRoi>,
    pub portfolio_roas: Option<f64>,
    pub findings: Vec<Finding>,
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// ROI of the current quarter, with the previous one for comparison.
pub fn analyze(
    spend: &[SpendLine],
    plans: &[CampaignPlan],
    outcomes: &BTreeMap<(Period, String), Outcomes>,
    params: &RoiParams,
) -> Roi {
    let mut channels: Vec<String> = spend.iter().map(|s| s.channel.clone()).collect();
    channels.sort();
    channels.dedup();
    let sum = |period: Period, ch: &str, f: &dyn Fn(&SpendLine) -> f64| -> f64 {
        spend
            .iter()
            .filter(|s| s.period == period && s.channel == ch)
            .map(f)
            .sum()
    };
    let revenue_of = |period: Period, ch: &str| {
        outcomes
            .get(&(period, ch.to_owned()))
            .map_or(0.0, |o| o.attributed_revenue.unwrap_or(o.won_revenue))
    };
    let rows: Vec<ChannelRoi> = channels
        .iter()
        .map(|ch| {
            let cur = Period::Current;
            let s = sum(cur, ch, &|l| l.spend);
            let planned: f64 = plans
                .iter()
                .filter(|p| p.period == cur && &p.channel == ch)
                .map(|p| p.planned_budget)
                .sum();
            let platform = sum(cur, ch, &|l| l.platform_revenue.unwrap_or(0.0));
            let reported = |f: &dyn Fn(&Delivery) -> Option<f64>| {
                let rows: Vec<&SpendLine> = spend
                    .iter()
                    .filter(|l| l.period == cur && &l.channel == ch && f(&l.delivery).is_some())
                    .collect();
                let total: f64 = rows.iter().filter_map(|l| f(&l.delivery)).sum();
                let spend: f64 = rows.iter().map(|l| l.spend).sum();
                (!rows.is_empty()).then_some((total, spend))
            };
            let (impressions, clicks, conversions) = (
                reported(&|d| d.impressions),
                reported(&|d| d.clicks),
                reported(&|d| d.conversions),
            );
            let ctr = {
                let both: Vec<&SpendLine> = spend
                    .iter()
                    .filter(|l| l.period == cur && &l.channel == ch)
                    .filter(|l| l.delivery.impressions.is_some() && l.delivery.clicks.is_some())
                    .collect();
                let i: f64 = both.iter().filter_map(|l| l.delivery.impressions).sum();
                let c: f64 = both.iter().filter_map(|l| l.delivery.clicks).sum();
                ratio(c, i)
            };
            let o = outcomes
                .get(&(cur, ch.clone()))
                .cloned()
                .unwrap_or_default();
            let revenue = revenue_of(cur, ch);
            let roas = ratio(revenue, s);
            let previous_roas = ratio(
                revenue_of(Period::Previous, ch),
                sum(Period::Previous, ch, &|l| l.spend),
            );
            ChannelRoi {
                channel: ch.clone(),
                spend: s,
                planned,
                utilisation: ratio(s, planned),
                platform_revenue: platform,
                platform_roas: ratio(platform, s),
                impressions: impressions.map(|x| x.0),
                clicks: clicks.map(|x| x.0),
                platform_conversions: conversions.map(|x| x.0),
                ctr,
                cpc: clicks.and_then(|(c, spend)| ratio(spend, c)),
                platform_cpa: conversions.and_then(|(c, spend)| ratio(spend, c)),
                revenue,
                roas,
                roi: ratio(revenue - s, s),
                pipeline: o.pipeline,
                pipeline_roas: ratio(o.pipeline, s),
                cost_per_mql: ratio(s, o.mqls),
                cost_per_sql: ratio(s, o.sqls),
                cac: ratio(s, o.won),
                previous_roas,
                roas_change: match (roas, previous_roas) {
                    (Some(now), Some(before)) if before > 0.0 => Some(now / before - 1.0),
                    _ => None,
                },
            }
        })
        .collect();
    let campaigns: Vec<CampaignRoi> = plans
        .iter()
        .filter(|p| p.period == Period::Current)
        .map(|p| {
            let lines = spend
                .iter()
                .filter(|s| s.period == Period::Current && s.campaign == p.campaign);
            let (s, platform) = lines.fold((0.0, 0.0), |(a, b), l| {
                (a + l.spend, b + l.platform_revenue.unwrap_or(0.0))
            });
            CampaignRoi {
                campaign: p.campaign.clone(),
                channel: p.channel.clone(),
                owner: p.owner.clone(),
                planned: p.planned_budget,
                spend: s,
                utilisation: ratio(s, p.planned_budget),
                platform_roas: ratio(platform, s),
            }
        })
        .collect();
    let total_spend: f64 = rows.iter().map(|r| r.spend).sum();
    let portfolio = ratio(rows.iter().map(|r| r.revenue).sum(), total_spend);
    let findings = findings(&rows, &campaigns, portfolio, params);
    Roi {
        channels: rows,
        campaigns,
        portfolio_roas: portfolio,
        findings,
    }
}

fn evidence(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn findings(
    rows: &[ChannelRoi],
    campaigns: &[CampaignRoi],
    portfolio: Option<f64>,
    p: &RoiParams,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in rows {
        let Some(roas) = r.roas else { continue };
        if let Some(port) = portfolio.filter(|port| roas >= p.strong * port) {
            out.push(Finding {
                verdict: Verdict::Worked,
                subject: r.channel.clone(),
                rule: format!(
                    "ROAS {roas:.2} is at least {:.2}× the portfolio's {port:.2}",
                    p.strong
                ),
                evidence: evidence(&[("roas", roas), ("portfolio_roas", port), ("spend", r.spend)]),
                weight: (roas - port) * r.spend,
            });
        }
        if roas < 1.0 {
            out.push(Finding {
                verdict: Verdict::DidNotWork,
                subject: r.channel.clone(),
                rule: format!("ROAS {roas:.2} is below 1: it returned less than it cost"),
                evidence: evidence(&[("roas", roas), ("spend", r.spend), ("revenue", r.revenue)]),
                weight: (1.0 - roas) * r.spend,
            });
        }
        if let (Some(change), Some(before)) = (r.roas_change, r.previous_roas)
            && change < -p.drop
        {
            out.push(Finding {
                verdict: Verdict::DidNotWork,
                subject: r.channel.clone(),
                rule: format!(
                    "ROAS fell {:.0}% quarter over quarter ({before:.2} → {roas:.2})",
                    -change * 100.0
                ),
                evidence: evidence(&[
                    ("roas", roas),
                    ("previous_roas", before),
                    ("change", change),
                ]),
                weight: -change * r.spend,
            });
        }
        if let Some(over) = ratio(r.platform_revenue, r.revenue).filter(|o| *o >= p.overclaim) {
            out.push(Finding {
                verdict: Verdict::Watch,
                subject: r.channel.clone(),
                rule: format!(
                    "the ad platform reports {:.0}% more revenue than is attributed",
                    (over - 1.0) * 100.0
                ),
                evidence: evidence(&[
                    ("platform_revenue", r.platform_revenue),
                    ("revenue", r.revenue),
                ]),
                weight: r.platform_revenue - r.revenue,
            });
        }
    }
    for c in campaigns {
        let Some(u) = c.utilisation else { continue };
        if u < p.underspend || u > p.overspend {
            let what = if u < p.underspend {
                "under-spent"
            } else {
                "over-spent"
            };
            out.push(Finding {
                verdict: Verdict::Watch,
                subject: c.campaign.clone(),
                rule: format!(
                    "{what}: {:.0}% of its planned budget used (owner {})",
                    u * 100.0,
                    c.owner
                ),
                evidence: evidence(&[
                    ("utilisation", u),
                    ("planned", c.planned),
                    ("spend", c.spend),
                ]),
                weight: (c.planned - c.spend).abs(),
            });
        }
    }
    out.sort_by(|a, b| {
        a.verdict
            .cmp(&b.verdict)
            .then(b.weight.total_cmp(&a.weight))
            .then(a.subject.cmp(&b.subject))
    });
    out
}

/// The quarter's key learnings, each a sentence built from the numbers above:
/// where a dollar returned most and least (attributed ROAS), the largest platform
/// over-report (platform ROAS ÷ attributed ROAS, when ≥ `overclaim`), and the spend gap
/// of channels off plan (budget use below `underspend` or above `overspend`). Channels
/// are named by `name` and money written by `money`: the caller's formatters.
pub fn learnings(
    r: &Roi,
    params: &RoiParams,
    name: impl Fn(&str) -> String,
    money: impl Fn(f64) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_roas: Vec<&ChannelRoi> = r
        .channels
        .iter()
        .filter(|c| c.spend > 0.0 && c.roas.is_some())
        .collect();
    by_roas.sort_by(|a, b| b.roas.unwrap_or(0.0).total_cmp(&a.roas.unwrap_or(0.0)));
    if let (Some(best), Some(worst)) = (by_roas.first(), by_roas.last())
        && by_roas.len() >= 2
    {
        out.push(format!(
            "A dollar in {} returned {:.2} in attributed revenue, against {:.2} in {}: the \
             marginal test for next quarter's mix starts there.",
            name(&best.channel),
            best.roas.unwrap_or(0.0),
            worst.roas.unwrap_or(0.0),
            name(&worst.channel)
        ));
    }
    let overclaim = r
        .channels
        .iter()
        .filter_map(|c| Some((c, c.platform_roas? / c.roas.filter(|x| *x > 0.0)?)))
        .filter(|(_, x)| *x >= params.overclaim)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((c, x)) = overclaim {
        out.push(format!(
            "{}'s platform reports {:.1}× the revenue the attribution credits it; budget on \
             attributed numbers, not the platform's.",
            name(&c.channel),
            x
        ));
    }
    let off_plan: Vec<&ChannelRoi> = r
        .channels
        .iter()
        .filter(|c| {
            c.utilisation
                .is_some_and(|u| u < params.underspend || u > params.overspend)
        })
        .collect();
    if !off_plan.is_empty() {
        let gap: f64 = off_plan.iter().map(|c| (c.spend - c.planned).abs()).sum();
        let names: Vec<String> = off_plan.iter().map(|c| name(&c.channel)).collect();
        out.push(format!(
            "Spend strayed from plan in {} ({} in all): plan with the pacing the \
             channels actually allow.",
            names.join(", "),
            money(gap)
        ));
    }
    out
}
