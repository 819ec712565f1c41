//! `quarterdeck analyze goals`: stage 7's backwards arithmetic from the command line — a
//! revenue target through given funnel rates, lags and average deal to the won deals,
//! opportunities, SQLs, MQLs and leads it needs, with monthly milestones.

use chrono::{Months, NaiveDate};
use quarterdeck_analyses::goals::{self, FunnelRates, Goals};

use super::{Failure, Format};
use crate::report::money;
use crate::timeline::Quarter;

#[derive(Debug, clap::Args)]
pub struct GoalsArgs {
    /// Revenue target for the quarter.
    #[arg(long)]
    pub revenue: f64,
    /// Mean amount of a won deal.
    #[arg(long)]
    pub average_deal: f64,
    /// lead→mql, mql→sql, sql→opportunity, opportunity→won as fractions.
    #[arg(long, value_delimiter = ',', required = true)]
    pub rates: Vec<f64>,
    /// Median days of the same four steps (default: no lags).
    #[arg(long, value_delimiter = ',')]
    pub lag_days: Option<Vec<f64>>,
    /// The quarter being planned (calendar quarters), e.g. 2027-Q1.
    #[arg(long)]
    pub quarter: String,
    /// Seasonal revenue share of each of the quarter's months (default: by days).
    #[arg(long, value_delimiter = ',')]
    pub shares: Option<Vec<f64>>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: &GoalsArgs) -> Result<(), Failure> {
    for (flag, values, n) in [
        ("--rates", Some(&args.rates), 4),
        ("--lag-days", args.lag_days.as_ref(), 4),
        ("--shares", args.shares.as_ref(), 3),
    ] {
        if let Some(v) = values
            && v.len() != n
        {
            return Err(Failure::input(format!(
                "{flag}: expected {n} comma-separated numbers, found {}",
                v.len()
            )));
        }
    }
    let q: Quarter = args
        .quarter
        .parse()
        .map_err(|e| Failure::input(format!("--quarter: {e}")))?;
    let start = q.starts(1);
    let months: Vec<(String, u32)> = (0..3)
        .map(|k| {
            let first = add(start, k);
            (
                first.format("%Y-%m").to_string(),
                (add(start, k + 1) - first).num_days() as u32,
            )
        })
        .collect();
    let shares = match &args.shares {
        Some(s) => s.clone(),
        None => {
            let days: u32 = months.iter().map(|m| m.1).sum();
            months
                .iter()
                .map(|m| f64::from(m.1) / f64::from(days))
                .collect()
        }
    };
    let lags = args.lag_days.clone().unwrap_or_else(|| vec![0.0; 4]);
    let r = &args.rates;
    let input = goals::Input {
        revenue_target: args.revenue,
        funnel: FunnelRates {
            lead_to_mql: r[0],
            mql_to_sql: r[1],
            sql_to_opportunity: r[2],
            opportunity_to_won: r[3],
            lag_days: [lags[0], lags[1], lags[2], lags[3]],
            average_deal: args.average_deal,
        },
        months: months.into_iter().map(|m| m.0).zip(shares).collect(),
        last_quarter: None,
        best_quarter: None,
    };
    let g = goals::analyze(&input)
        .map_err(|e| Failure::input(format!("--rates/--average-deal/--revenue/--shares: {e}")))?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string(&g).map_err(|e| Failure::internal(e.to_string()))?
        ),
        Format::Table => print!("{}", table(&g)),
    }
    Ok(())
}

fn add(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

fn table(g: &Goals) -> String {
    let mut out = format!(
        "{:<15}{:>14}{:>10}{:>12}\n",
        "metric", "quarter", "due (mo)", "in flight"
    );
    for r in &g.requirements {
        let v = |x: f64| {
            if r.metric == "revenue" {
                money(x)
            } else {
                format!("{x:.1}")
            }
        };
        out.push_str(&format!(
            "{:<15}{:>14}{:>10}{:>12}\n",
            r.metric,
            v(r.quarter),
            r.lead_months,
            v(r.in_flight)
        ));
    }
    out.push_str(&format!(
        "implied pipeline {}\n\n",
        money(g.implied_pipeline)
    ));
    out.push_str(&format!(
        "{:<9}{:>14}{:>14}{:>8}{:>8}{:>8}{:>8}\n",
        "month", "revenue", "pipeline", "opps", "sqls", "mqls", "leads"
    ));
    for m in &g.months {
        out.push_str(&format!(
            "{:<9}{:>14}{:>14}{:>8.1}{:>8.1}{:>8.1}{:>8.1}\n",
            m.month,
            money(m.revenue),
            money(m.pipeline),
            m.opportunities,
            m.sqls,
            m.mqls,
            m.leads
        ));
    }
    out
}
