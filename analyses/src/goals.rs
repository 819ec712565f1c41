//! Goals worked backwards through the funnel (stage 7): from a revenue target to the won
//! deals, opportunities, SQLs, MQLs and leads it takes, dated by the stage lags and spread
//! over the quarter's months by seasonality.
//!
//! Definitions (rates are fractions of the step's entrants, lags median days):
//! - won = revenue / average deal; opportunities = won / rate(opportunity → won);
//!   SQLs = opportunities / rate(sql → opportunity); MQLs = SQLs / rate(mql → sql);
//!   leads = MQLs / rate(lead → mql); implied pipeline = opportunities × average deal.
//!   These are the *quarter requirements*: the volumes one quarter's revenue needs.
//! - Lag rule: a requirement is due `k` months before the revenue it serves, where `k` is
//!   the cumulative median lag from that stage to won divided by 30.44 days and rounded
//!   to whole months (an MQL with 58 days to won is due two months before the deal
//!   closes). Month `j` of the quarter therefore needs the volume that serves revenue in
//!   month `j + k`; revenue beyond the quarter is taken at the quarter's average monthly
//!   pace, so the funnel keeps feeding the next quarter at the same rate (steady-state
//!   rule). The volume that serves this quarter's first `k` months was due before the
//!   quarter starts: it is reported as `in_flight` (it must already be in the pipeline).
//! - Monthly revenue milestones are the revenue target × the month's seasonal share.
//! - A requirement is `above_history` when it exceeds the best quarter on record, and a
//!   `stretch` when it exceeds last quarter's actual by more than 20%.

use serde::{Deserialize, Serialize};

/// Days per average month (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;
/// A requirement more than this much above last quarter is a stretch.
pub const STRETCH: f64 = 1.2;
/// A rate used more than this below last quarter's own ratio (one percentage point) is
/// named as a reason the volumes before it must grow faster than revenue.
pub const RATE_GAP: f64 = 0.01;

/// The funnel the requirements are worked through: the four steps from lead to won.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelRates {
    pub lead_to_mql: f64,
    pub mql_to_sql: f64,
    pub sql_to_opportunity: f64,
    pub opportunity_to_won: f64,
    /// Median days of each step, in the same order (lead→mql, mql→sql, sql→opp, opp→won).
    pub lag_days: [f64; 4],
    pub average_deal: f64,
}

/// Volumes at each funnel stage (also used for actuals).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Volumes {
    pub leads: f64,
    pub mqls: f64,
    pub sqls: f64,
    pub opportunities: f64,
    pub won: f64,
    pub revenue: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub revenue_target: f64,
    pub funnel: FunnelRates,
    /// The planned quarter's months (`YYYY-MM`) with their seasonal revenue shares
    /// (summing to 1).
    pub months: Vec<(String, f64)>,
    /// Last quarter's actual volumes, when known.
    pub last_quarter: Option<Volumes>,
    /// The best quarter on record per stage, when known.
    pub best_quarter: Option<Volumes>,
}

/// One requirement: the quarter's volume at a stage and how it compares with history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// `revenue`, `won`, `opportunities`, `sqls`, `mqls`, `leads`, `pipeline`.
    pub metric: String,
    pub quarter: f64,
    /// Whole months before the revenue it serves that this stage is due.
    pub lead_months: u32,
    /// Volume due before the quarter starts (serves this quarter's first months).
    pub in_flight: f64,
    pub last_quarter: Option<f64>,
    pub best_quarter: Option<f64>,
    pub stretch: bool,
    pub above_history: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthPlan {
    pub month: String,
    pub revenue: f64,
    pub won: f64,
    /// Opportunities opened in the month × average deal.
    pub pipeline: f64,
    pub opportunities: f64,
    pub sqls: f64,
    pub mqls: f64,
    pub leads: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goals {
    pub requirements: Vec<Requirement>,
    pub months: Vec<MonthPlan>,
    /// Implied pipeline: quarter opportunities × average deal.
    pub implied_pipeline: f64,
    /// The steps whose rate used is below last quarter's own ratio by more than
    /// [`RATE_GAP`] (empty without last quarter's volumes).
    #[serde(default)]
    pub rate_gaps: Vec<RateGap>,
}

/// A funnel step whose rate the goals use is below the ratio of last quarter's volumes at
/// its two ends (`converted ÷ entered`): every volume before it must grow faster than
/// revenue to make up for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateGap {
    /// `lead → mql`, `mql → sql`, `sql → opportunity` or `opportunity → won`.
    pub step: String,
    pub used: f64,
    pub last_quarter: f64,
    /// Last quarter's volumes at the step's two ends.
    pub entered: f64,
    pub converted: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GoalsError {
    #[error("the {0} rate must be in (0, 1], found {1}")]
    Rate(&'static str, f64),
    #[error("the average deal must be above 0, found {0}")]
    Deal(f64),
    #[error("the revenue target must be a number of at least 0, found {0}")]
    Target(f64),
    #[error("expected at least one month with seasonal shares summing to 1, found {0}")]
    Shares(f64),
}

/// Works the revenue target back through the funnel.
pub fn analyze(input: &Input) -> Result<Goals, GoalsError> {
    let f = &input.funnel;
    let rates = [
        ("lead → mql", f.lead_to_mql),
        ("mql → sql", f.mql_to_sql),
        ("sql → opportunity", f.sql_to_opportunity),
        ("opportunity → won", f.opportunity_to_won),
    ];
    for (name, r) in rates {
        if !(r > 0.0 && r <= 1.0) {
            return Err(GoalsError::Rate(name, r));
        }
    }
    if !(f.average_deal > 0.0 && f.average_deal.is_finite()) {
        return Err(GoalsError::Deal(f.average_deal));
    }
    if !(input.revenue_target >= 0.0 && input.revenue_target.is_finite()) {
        return Err(GoalsError::Target(input.revenue_target));
    }
    let share_sum: f64 = input.months.iter().map(|m| m.1).sum();
    if input.months.is_empty() || (share_sum - 1.0).abs() > 1e-6 {
        return Err(GoalsError::Shares(share_sum));
    }

    // Multipliers from won back to each stage: won ÷ cumulative rate.
    let per_won = |stage: usize| -> f64 {
        // stage: 0 leads, 1 mqls, 2 sqls, 3 opps, 4 won
        rates[stage..].iter().map(|r| 1.0 / r.1).product()
    };
    // Cumulative median lag from each stage to won, in whole months.
    let lead_months = |stage: usize| -> u32 {
        let days: f64 = f.lag_days[stage..].iter().map(|d| d.max(0.0)).sum();
        (days / DAYS_PER_MONTH).round() as u32
    };
    let won_total = input.revenue_target / f.average_deal;
    let n = input.months.len();
    let pace = won_total / n as f64;
    let won_in = |j: usize| -> f64 { input.months.get(j).map_or(pace, |m| won_total * m.1) };
    // Volume of `stage` due in month j (it serves revenue in month j + k).
    let due = |stage: usize, j: usize| won_in(j + lead_months(stage) as usize) * per_won(stage);
    let in_flight = |stage: usize| -> f64 {
        let k = lead_months(stage) as usize;
        (0..k.min(n)).fold(0.0, |acc, j| acc + won_in(j) * per_won(stage))
    };
    let months: Vec<MonthPlan> = input
        .months
        .iter()
        .enumerate()
        .map(|(j, (month, share))| MonthPlan {
            month: month.clone(),
            revenue: input.revenue_target * share,
            won: won_in(j),
            pipeline: due(3, j) * f.average_deal,
            opportunities: due(3, j),
            sqls: due(2, j),
            mqls: due(1, j),
            leads: due(0, j),
        })
        .collect();

    let history = |pick: fn(&Volumes) -> f64| {
        (
            input.last_quarter.as_ref().map(pick),
            input.best_quarter.as_ref().map(pick),
        )
    };
    let requirement =
        |metric: &str, quarter: f64, stage: Option<usize>, pick: fn(&Volumes) -> f64| {
            let (last, best) = history(pick);
            Requirement {
                metric: metric.to_owned(),
                quarter,
                lead_months: stage.map_or(0, lead_months),
                in_flight: stage.map_or(0.0, in_flight),
                last_quarter: last,
                best_quarter: best,
                stretch: last.is_some_and(|l| quarter > l * STRETCH),
                above_history: best.is_some_and(|b| quarter > b),
            }
        };
    let opps = won_total * per_won(3);
    let requirements = vec![
        requirement("revenue", input.revenue_target, None, |v| v.revenue),
        requirement("won", won_total, Some(4), |v| v.won),
        requirement("opportunities", opps, Some(3), |v| v.opportunities),
        requirement("sqls", won_total * per_won(2), Some(2), |v| v.sqls),
        requirement("mqls", won_total * per_won(1), Some(1), |v| v.mqls),
        requirement("leads", won_total * per_won(0), Some(0), |v| v.leads),
    ];
    let rate_gaps = input.last_quarter.as_ref().map_or_else(Vec::new, |v| {
        let ends = [
            (v.leads, v.mqls),
            (v.mqls, v.sqls),
            (v.sqls, v.opportunities),
            (v.opportunities, v.won),
        ];
        rates
            .iter()
            .zip(ends)
            .filter(|(_, (entered, _))| *entered > 0.0)
            .map(|((step, used), (entered, converted))| RateGap {
                step: (*step).to_owned(),
                used: *used,
                last_quarter: converted / entered,
                entered,
                converted,
            })
            .filter(|g| g.used < g.last_quarter - RATE_GAP)
            .collect()
    });
    Ok(Goals {
        requirements,
        months,
        implied_pipeline: opps * f.average_deal,
        rate_gaps,
    })
}

/// Seasonal shares of the planned months from last year's same months: each month's mean
/// weekly revenue (weeks assigned to the month they start in) × its days in the planned
/// year ÷ 7, normalised to sum to 1. `weeks` are `(YYYY-MM of the week's start, revenue)`;
/// `months` are `(YYYY-MM last year, days in the planned month)`. A month without weeks
/// makes the shares unavailable (`None`).
pub fn seasonal_shares(weeks: &[(String, f64)], months: &[(String, u32)]) -> Option<Vec<f64>> {
    let raw: Option<Vec<f64>> = months
        .iter()
        .map(|(m, days)| {
            let values: Vec<f64> = weeks.iter().filter(|w| w.0 == *m).map(|w| w.1).collect();
            (!values.is_empty())
                .then(|| values.iter().sum::<f64>() / values.len() as f64 * f64::from(*days) / 7.0)
        })
        .collect();
    let raw = raw?;
    let total: f64 = raw.iter().sum();
    (total > 0.0).then(|| raw.iter().map(|r| r / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Revenue 120 000 at an average deal of 10 000; rates 0.5, 0.25, 0.5, 0.5.
    /// By hand: won 12, opportunities 12 / 0.5 = 24, SQLs 24 / 0.5 = 48,
    /// MQLs 48 / 0.25 = 192, leads 192 / 0.5 = 384, pipeline 24 × 10 000 = 240 000.
    fn tiny(lags: [f64; 4]) -> Input {
        Input {
            revenue_target: 120_000.0,
            funnel: FunnelRates {
                lead_to_mql: 0.5,
                mql_to_sql: 0.25,
                sql_to_opportunity: 0.5,
                opportunity_to_won: 0.5,
                lag_days: lags,
                average_deal: 10_000.0,
            },
            months: vec![
                ("2027-01".into(), 0.25),
                ("2027-02".into(), 0.25),
                ("2027-03".into(), 0.5),
            ],
            last_quarter: Some(Volumes {
                leads: 400.0,
                mqls: 150.0,
                sqls: 40.0,
                opportunities: 24.0,
                won: 12.0,
                revenue: 100_000.0,
            }),
            best_quarter: Some(Volumes {
                leads: 420.0,
                mqls: 180.0,
                sqls: 50.0,
                opportunities: 25.0,
                won: 13.0,
                revenue: 130_000.0,
            }),
        }
    }

    fn req<'a>(g: &'a Goals, metric: &str) -> &'a Requirement {
        g.requirements.iter().find(|r| r.metric == metric).unwrap()
    }

    #[test]
    fn a_tiny_funnel_is_worked_back_by_hand() {
        let g = analyze(&tiny([0.0; 4])).unwrap();

        for (metric, value) in [
            ("won", 12.0),
            ("opportunities", 24.0),
            ("sqls", 48.0),
            ("mqls", 192.0),
            ("leads", 384.0),
        ] {
            assert!((req(&g, metric).quarter - value).abs() < 1e-9, "{metric}");
        }
        assert!((g.implied_pipeline - 240_000.0).abs() < 1e-6);
    }

    #[test]
    fn steps_used_below_last_quarters_own_ratio_are_named_with_their_volumes() {
        let g = analyze(&tiny([0.0; 4])).unwrap();

        // Last quarter: MQL → SQL 40 ÷ 150 = 26.7% against 25% used; SQL → opportunity
        // 24 ÷ 40 = 60% against 50%. Lead → MQL (150 ÷ 400 = 37.5% against 50%) and
        // opportunity → won (12 ÷ 24 = 50%, equal) are not below.
        let steps: Vec<(&str, f64, f64, f64)> = g
            .rate_gaps
            .iter()
            .map(|r| (r.step.as_str(), r.used, r.entered, r.converted))
            .collect();
        assert_eq!(
            steps,
            [
                ("mql → sql", 0.25, 150.0, 40.0),
                ("sql → opportunity", 0.5, 40.0, 24.0)
            ]
        );
        assert!((g.rate_gaps[0].last_quarter - 40.0 / 150.0).abs() < 1e-12);
        let unknown = analyze(&Input {
            last_quarter: None,
            ..tiny([0.0; 4])
        })
        .unwrap();
        assert!(unknown.rate_gaps.is_empty());
    }

    #[test]
    fn targets_above_last_quarter_and_the_best_quarter_are_flagged() {
        let g = analyze(&tiny([0.0; 4])).unwrap();

        // MQLs 192 > 150 × 1.2 = 180 (stretch) and > best 180 (above history).
        assert!(req(&g, "mqls").stretch && req(&g, "mqls").above_history);
        // SQLs 48 > 40 × 1.2 = 48? No: equal is not above. Best 50 not exceeded.
        assert!(!req(&g, "sqls").stretch && !req(&g, "sqls").above_history);
        // Revenue 120 000 < best 130 000; 120 000 = 100 000 × 1.2, not above.
        assert!(!req(&g, "revenue").stretch && !req(&g, "revenue").above_history);
    }

    #[test]
    fn without_lags_milestones_follow_the_seasonal_shares() {
        let g = analyze(&tiny([0.0; 4])).unwrap();

        // March holds half the revenue: 60 000, 6 won, 12 opportunities, 96 MQLs.
        let march = &g.months[2];
        assert!((march.revenue - 60_000.0).abs() < 1e-6);
        assert!((march.opportunities - 12.0).abs() < 1e-9);
        assert!((march.mqls - 96.0).abs() < 1e-9);
        assert!((march.pipeline - 120_000.0).abs() < 1e-6);
    }

    #[test]
    fn an_mql_two_months_from_won_serves_revenue_two_months_later() {
        // Lags 5 + 9 + 14 + 35 = 63 days from lead to won: 2.07 months → 2 months.
        // MQL → won: 9 + 14 + 35 = 58 days → 1.91 → 2 months; opportunities: 35 → 1.
        let g = analyze(&tiny([5.0, 9.0, 14.0, 35.0])).unwrap();

        assert_eq!(req(&g, "mqls").lead_months, 2);
        assert_eq!(req(&g, "opportunities").lead_months, 1);
        // January's MQLs serve March revenue (6 won × 16 MQLs per won = 96); February's
        // and March's serve the next quarter at the average pace (4 won × 16 = 64).
        let mqls: Vec<f64> = g.months.iter().map(|m| m.mqls).collect();
        assert!((mqls[0] - 96.0).abs() < 1e-9, "{mqls:?}");
        assert!((mqls[1] - 64.0).abs() < 1e-9 && (mqls[2] - 64.0).abs() < 1e-9);
        // January's and February's revenue (3 + 3 won) needed 6 × 16 = 96 MQLs before
        // the quarter began.
        assert!((req(&g, "mqls").in_flight - 96.0).abs() < 1e-9);
    }

    #[test]
    fn a_zero_rate_is_refused_rather_than_dividing_by_it() {
        let mut input = tiny([0.0; 4]);
        input.funnel.sql_to_opportunity = 0.0;

        let e = analyze(&input).unwrap_err();

        assert!(e.to_string().contains("sql → opportunity"), "{e}");
    }

    #[test]
    fn seasonal_shares_weigh_mean_weekly_revenue_by_days() {
        // Jan: weeks 100, 100 → mean 100 × 31/7; Feb: 200 → 200 × 28/7.
        // Raw 442.857 and 800; shares 442.857/1242.857 = 0.35632, 0.64368.
        let weeks = vec![
            ("2026-01".to_owned(), 100.0),
            ("2026-01".to_owned(), 100.0),
            ("2026-02".to_owned(), 200.0),
        ];

        let s = seasonal_shares(
            &weeks,
            &[("2026-01".to_owned(), 31), ("2026-02".to_owned(), 28)],
        )
        .unwrap();

        assert!((s[0] - 0.356_32).abs() < 1e-5, "{s:?}");
        assert!((s[1] - 0.643_68).abs() < 1e-5);
        assert!(seasonal_shares(&weeks, &[("2026-03".to_owned(), 31)]).is_none());
    }
}
