//! Stage 7's forecast against the targets: what the planned budget is expected to
//! deliver in revenue, pipeline and MQLs, and what closing a shortfall would cost.
//!
//! - Growth: stage 6's outlook prices the planned split and last quarter's actual spend
//!   on the same calibrated curves; the quarter is expected to bring
//!   `g = 1 + Δ ÷ R`, with `Δ` the change in media-driven revenue and `R` last quarter's
//!   revenue in `weekly_revenue.csv` (the baseline of trend, season and controls held
//!   at last quarter's level). Its interval is `Δ`'s interval over the curves' refits
//!   (the quantiles carry over because every figure below rises with `g`).
//! - Expected volumes: last quarter's actuals × `g`: revenue won (`leads.csv`),
//!   pipeline = last quarter's opportunities × stage 2's average deal, MQLs (stage 4's
//!   expected MQLs at its proposed threshold when it proposed one, else last quarter's).
//!   Volumes are assumed to move with revenue (revenue per lead held).
//! - Costs at last quarter's prices: cost per lead = last quarter's paid spend (stage 1)
//!   ÷ the leads its paid channels brought (`leads.csv` leads × the paid channels'
//!   share); cost per opportunity = cost per lead ÷ lead → opportunity (stage 2's rates,
//!   the product lead → MQL × MQL → SQL × SQL → opportunity). These are averages: with
//!   diminishing returns the extra leads cost more, so the cost to close is a floor.
//! - Closing a shortfall `s`: revenue needs `s ÷ deal ÷ (opportunity → won)` more
//!   opportunities, pipeline `s ÷ deal`, MQLs `s ÷ (lead → MQL)` more leads; leads =
//!   opportunities ÷ (lead → opportunity); cost = leads × cost per lead.
//! - A target is out of reach when it lies above the interval's upper end.

use quarterdeck_analyses::goals::FunnelRates;

use crate::chat::Table;
use crate::report::{money, whole};
use crate::stages::handoff::{Forecast, ForecastLine, MediaOutlook, Target};

/// Last quarter as the forecast starts from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Start {
    pub revenue: f64,
    pub opportunities: f64,
    pub mqls: f64,
    /// Leads created last quarter from the paid channels.
    pub paid_leads: f64,
    /// Last quarter's spend on the paid channels.
    pub paid_spend: f64,
}

pub fn forecast(
    outlook: &MediaOutlook,
    start: &Start,
    rates: &FunnelRates,
    targets: &[Target],
) -> Option<Forecast> {
    if outlook.last_quarter_revenue <= 0.0 {
        return None;
    }
    let g = |change: f64| 1.0 + change / outlook.last_quarter_revenue;
    let (growth, low, high) = (
        g(outlook.change),
        g(outlook.change_low),
        g(outlook.change_high),
    );
    let lead_to_opportunity = rates.lead_to_mql * rates.mql_to_sql * rates.sql_to_opportunity;
    let cost_per_lead = (start.paid_leads > 0.0 && start.paid_spend > 0.0)
        .then(|| start.paid_spend / start.paid_leads);
    let cost_per_opportunity = cost_per_lead
        .filter(|_| lead_to_opportunity > 0.0)
        .map(|c| c / lead_to_opportunity);
    let deal = rates.average_deal;
    let lines = [
        ("revenue", start.revenue),
        ("pipeline", start.opportunities * deal),
        ("mqls", start.mqls),
    ]
    .into_iter()
    .filter_map(|(metric, last)| {
        let target = targets.iter().find(|t| t.metric == metric)?.value;
        let expected = last * growth;
        let shortfall = (target - expected).max(0.0);
        let (extra_leads, extra_opportunities) = match metric {
            "revenue" => {
                let opps = safe_div(shortfall, deal * rates.opportunity_to_won);
                (safe_div(opps, lead_to_opportunity), opps)
            }
            "pipeline" => {
                let opps = safe_div(shortfall, deal);
                (safe_div(opps, lead_to_opportunity), opps)
            }
            _ => {
                let leads = safe_div(shortfall, rates.lead_to_mql);
                (leads, leads * lead_to_opportunity)
            }
        };
        Some(ForecastLine {
            metric: metric.to_owned(),
            target,
            last_quarter: last,
            expected,
            low: last * low,
            high: last * high,
            shortfall,
            out_of_reach: target > last * high,
            extra_leads,
            extra_opportunities,
            cost_to_close: cost_per_lead.map(|c| c * extra_leads),
        })
    })
    .collect();
    Some(Forecast {
        growth,
        growth_low: low,
        growth_high: high,
        level: outlook.level,
        lines,
        cost_per_lead,
        cost_per_opportunity,
        basis: format!(
            "last quarter's actuals × {growth:.3}: the planned split changes media-driven \
             revenue by {} against last quarter's spend (stage 6's curves), on the {} of \
             revenue the weekly media history records for last quarter (the curves' measure, \
             not closed-won), with trend, season and controls held at last quarter's level; \
             closed-won revenue, pipeline and volumes move by the same factor",
            money(outlook.change),
            money(outlook.last_quarter_revenue),
        ),
    })
}

/// The forecast as a table, the same in stage 7's post and the plan.
pub(crate) fn table(f: &Forecast) -> Table {
    let fig = |metric: &str, v: f64| {
        if metric == "mqls" { whole(v) } else { money(v) }
    };
    let mut t = Table::new(
        "Forecast at the planned budget",
        &[
            "Metric",
            "Target",
            "Base",
            "Expected",
            "Interval",
            "Short by",
            "To close it",
        ],
    );
    for l in &f.lines {
        t = t.row(vec![
            match l.metric.as_str() {
                "mqls" => "MQLs".to_owned(),
                "revenue" => "Revenue".to_owned(),
                "pipeline" => "Pipeline".to_owned(),
                m => m.to_owned(),
            },
            fig(&l.metric, l.target),
            fig(&l.metric, l.last_quarter),
            fig(&l.metric, l.expected),
            format!("{} to {}", fig(&l.metric, l.low), fig(&l.metric, l.high)),
            if l.shortfall > 0.0 {
                format!(
                    "{}{}",
                    fig(&l.metric, l.shortfall),
                    if l.out_of_reach {
                        " (out of reach)"
                    } else {
                        ""
                    }
                )
            } else {
                "—".into()
            },
            match (l.shortfall > 0.0, l.cost_to_close) {
                (false, _) => "—".into(),
                (true, Some(c)) => format!(
                    "≈{} leads, {} opportunities: {}",
                    whole(l.extra_leads.ceil()),
                    whole(l.extra_opportunities.ceil()),
                    money(c)
                ),
                (true, None) => format!(
                    "≈{} leads, {} opportunities",
                    whole(l.extra_leads.ceil()),
                    whole(l.extra_opportunities.ceil())
                ),
            },
        ]);
    }
    t
}

/// The forecast in a paragraph, for stage 7's post.
pub(crate) fn paragraph(f: &Forecast) -> String {
    let costs = match (f.cost_per_lead, f.cost_per_opportunity) {
        (Some(l), Some(o)) => format!(
            " Closing a shortfall is priced at last quarter's {} a lead and {} an \
             opportunity (paid spend ÷ paid leads, stage 1 and leads.csv; stage 2's rates), \
             a floor, since extra leads cost more as channels saturate.",
            money(l),
            money(o)
        ),
        _ => String::new(),
    };
    let short: Vec<String> = f
        .lines
        .iter()
        .filter(|l| l.shortfall > 0.0)
        .map(|l| {
            format!(
                "{} by {}{}",
                if l.metric == "mqls" {
                    "MQLs"
                } else {
                    &l.metric
                },
                if l.metric == "mqls" {
                    whole(l.shortfall)
                } else {
                    money(l.shortfall)
                },
                if l.out_of_reach {
                    " (out of reach)"
                } else {
                    ""
                }
            )
        })
        .collect();
    format!(
        "**At the planned budget:** {} ({:.0}% interval ×{:.3} to ×{:.3}). {}{costs}",
        f.basis,
        f.level * 100.0,
        f.growth_low,
        f.growth_high,
        if short.is_empty() {
            "Every target is within the forecast.".to_owned()
        } else {
            format!(
                "Short: {}; stage 10 asks finance to fund the gap or lower the target before approval.",
                short.join(", ")
            )
        }
    )
}

fn safe_div(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(metric: &str, value: f64) -> Target {
        Target {
            metric: metric.into(),
            value,
            basis: String::new(),
            last_quarter: None,
            stretch: false,
            above_history: false,
        }
    }

    #[test]
    fn a_target_above_the_interval_is_out_of_reach_and_priced_at_last_quarters_costs() {
        // Media adds 100,000 (interval 50,000 to 150,000) on last quarter's 2,000,000:
        // g = 1.05 (1.025 to 1.075). Revenue 1,000,000 → 1,050,000 (1,025,000 to
        // 1,075,000) against 1,200,000: short 150,000, out of reach. At a 10,000 deal
        // and opportunity → won 0.25 that is 150,000 / 2,500 = 60 opportunities; lead →
        // opportunity 0.4 × 0.5 × 0.5 = 0.1, so 600 leads. Paid spend 300,000 over 1,000
        // paid leads: 300 a lead, 3,000 an opportunity, 180,000 to close.
        let outlook = MediaOutlook {
            last_quarter_revenue: 2_000_000.0,
            media_last_quarter: 500_000.0,
            media_planned: 600_000.0,
            change: 100_000.0,
            change_low: 50_000.0,
            change_high: 150_000.0,
            level: 0.9,
        };
        let start = Start {
            revenue: 1_000_000.0,
            opportunities: 300.0,
            mqls: 800.0,
            paid_leads: 1_000.0,
            paid_spend: 300_000.0,
        };
        let rates = FunnelRates {
            lead_to_mql: 0.4,
            mql_to_sql: 0.5,
            sql_to_opportunity: 0.5,
            opportunity_to_won: 0.25,
            lag_days: [0.0; 4],
            average_deal: 10_000.0,
        };
        // Pipeline: 300 × 10,000 × 1.05 = 3,150,000 against 3,100,000: reached. MQLs:
        // 800 × 1.05 = 840 against 850 (high 860): short 10, within reach; 10 / 0.4 = 25
        // leads, 7,500.
        let targets = [
            target("revenue", 1_200_000.0),
            target("pipeline", 3_100_000.0),
            target("mqls", 850.0),
        ];

        let f = forecast(&outlook, &start, &rates, &targets).unwrap();

        let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.abs().max(1.0);
        assert!(close(f.growth, 1.05) && close(f.growth_low, 1.025) && close(f.growth_high, 1.075));
        assert_eq!(f.cost_per_lead, Some(300.0));
        assert!(close(f.cost_per_opportunity.unwrap(), 3_000.0));
        let r = &f.lines[0];
        assert_eq!(r.metric, "revenue");
        assert!(
            close(r.expected, 1_050_000.0)
                && close(r.low, 1_025_000.0)
                && close(r.high, 1_075_000.0)
        );
        assert!(close(r.shortfall, 150_000.0) && r.out_of_reach);
        assert!(close(r.extra_opportunities, 60.0) && close(r.extra_leads, 600.0));
        assert!(close(r.cost_to_close.unwrap(), 180_000.0));
        let p = &f.lines[1];
        assert!(close(p.expected, 3_150_000.0) && p.shortfall == 0.0 && !p.out_of_reach);
        assert_eq!(p.cost_to_close, Some(0.0));
        let m = &f.lines[2];
        assert!(close(m.shortfall, 10.0) && !m.out_of_reach);
        assert!(close(m.extra_leads, 25.0) && close(m.cost_to_close.unwrap(), 7_500.0));
    }
}
