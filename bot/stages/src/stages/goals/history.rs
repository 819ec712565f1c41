//! Stage 7's reading of history: the planned months and their seasonal shares from
//! `weekly_revenue.csv`, last quarter's and the best quarter's volumes, last quarter's MQL
//! share by source, and the opportunities still open, from `leads.csv`.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use quarterdeck_analyses::goals::{self, Volumes};

use crate::sources;
use crate::stages::{StageError, StageInputs};

/// The planned quarter's months: `(YYYY-MM, the same month a year earlier, days)`.
pub(super) fn planned_months(quarter_start: NaiveDate) -> Vec<(String, String, u32)> {
    (0..3)
        .filter_map(|k| {
            let first = quarter_start.checked_add_months(Months::new(k))?;
            let next = first.checked_add_months(Months::new(1))?;
            let last_year = first.checked_sub_months(Months::new(12))?;
            Some((
                first.format("%Y-%m").to_string(),
                last_year.format("%Y-%m").to_string(),
                (next - first).num_days() as u32,
            ))
        })
        .collect()
}

/// Seasonal shares of the planned months, and how they were set.
pub(super) fn seasonality(
    inputs: &StageInputs,
    months: &[(String, String, u32)],
) -> Result<(Vec<f64>, String), StageError> {
    let by_days = || {
        let total: u32 = months.iter().map(|m| m.2).sum();
        months
            .iter()
            .map(|m| f64::from(m.2) / f64::from(total))
            .collect()
    };
    let Some(t) = inputs.data.table("weekly_revenue.csv")? else {
        return Ok((
            by_days(),
            "weekly_revenue.csv is not in the data folder: months weighted by their days".into(),
        ));
    };
    let (date, revenue) = (t.require("date", &["week"])?, t.require("revenue", &[])?);
    let mut weeks = Vec::new();
    for r in t.rows() {
        weeks.push((
            r.date(date)?.format("%Y-%m").to_string(),
            r.amount(revenue)?,
        ));
    }
    let last_year: Vec<(String, u32)> = months.iter().map(|m| (m.1.clone(), m.2)).collect();
    Ok(match goals::seasonal_shares(&weeks, &last_year) {
        Some(s) => (
            s,
            format!(
                "revenue milestones follow {} to {} in weekly_revenue.csv: each month's mean weekly revenue × its days",
                months[0].1,
                months[months.len() - 1].1
            ),
        ),
        None => (
            by_days(),
            format!(
                "weekly_revenue.csv does not cover {} to {}: months weighted by their days",
                months[0].1,
                months[months.len() - 1].1
            ),
        ),
    })
}

pub(super) struct History {
    pub last: Option<Volumes>,
    pub best: Option<Volumes>,
    pub mql_shares: BTreeMap<String, f64>,
    /// Last quarter's share of leads created, by source.
    pub lead_shares: BTreeMap<String, f64>,
    /// Opportunities neither won nor lost at the export.
    pub open_opportunities: Option<u64>,
}

/// Last quarter's volumes, the best quarter's per stage, and last quarter's MQL share
/// by source, from leads.csv.
pub(super) fn history(inputs: &StageInputs) -> Result<History, StageError> {
    let Some((t, leads, _)) = sources::read_leads_and_deals(&inputs.data)? else {
        return Ok(History {
            last: None,
            best: None,
            mql_shares: BTreeMap::new(),
            lead_shares: BTreeMap::new(),
            open_opportunities: None,
        });
    };
    let open_opportunities = open_opportunities(&t, &leads)?;
    let span = inputs.quarter_start - inputs.review_start;
    let earliest = leads
        .first_seen
        .iter()
        .flatten()
        .min()
        .map(|t| t.date_naive());
    let window = |k: i32| {
        let from = inputs.review_start - span * k;
        (from, from + span)
    };
    let stage = |name: &str| leads.stages.iter().position(|s| s == name);
    let in_window = |t: Option<i64>, (from, to): (NaiveDate, NaiveDate)| {
        t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .is_some_and(|t| t.date_naive() >= from && t.date_naive() < to)
    };
    let volumes = |w: (NaiveDate, NaiveDate)| {
        let reached = |name: &str| {
            stage(name).map_or(0.0, |s| {
                leads
                    .leads
                    .iter()
                    .filter(|l| in_window(l.stages[s], w))
                    .count() as f64
            })
        };
        let revenue = stage("won").map_or(0.0, |s| {
            leads
                .leads
                .iter()
                .zip(&leads.amounts)
                .filter(|(l, _)| in_window(l.stages[s], w))
                .filter_map(|(_, a)| *a)
                .sum()
        });
        Volumes {
            leads: leads
                .first_seen
                .iter()
                .filter(|t| in_window(t.map(|t| t.timestamp()), w))
                .count() as f64,
            mqls: reached("mql"),
            sqls: reached("sql"),
            opportunities: reached("opportunity"),
            won: reached("won"),
            revenue,
        }
    };
    let last = volumes(window(0));
    let mut best = last;
    let mut k = 1;
    while let Some(e) = earliest
        && window(k).1 > e
        && k < 40
    {
        let v = volumes(window(k));
        best = Volumes {
            leads: best.leads.max(v.leads),
            mqls: best.mqls.max(v.mqls),
            sqls: best.sqls.max(v.sqls),
            opportunities: best.opportunities.max(v.opportunities),
            won: best.won.max(v.won),
            revenue: best.revenue.max(v.revenue),
        };
        k += 1;
    }
    let mut shares = BTreeMap::new();
    if let Some(s) = stage("mql")
        && last.mqls > 0.0
    {
        for l in leads
            .leads
            .iter()
            .filter(|l| in_window(l.stages[s], window(0)))
        {
            let source = l.groups.get("source").cloned().unwrap_or_default();
            *shares
                .entry(quarterdeck_analyses::market::normalise_channel(&source))
                .or_insert(0.0) += 1.0 / last.mqls;
        }
    }
    let mut lead_shares = BTreeMap::new();
    if last.leads > 0.0 {
        for (l, t) in leads.leads.iter().zip(&leads.first_seen) {
            if in_window(t.map(|t| t.timestamp()), window(0)) {
                let source = l.groups.get("source").cloned().unwrap_or_default();
                *lead_shares
                    .entry(quarterdeck_analyses::market::normalise_channel(&source))
                    .or_insert(0.0) += 1.0 / last.leads;
            }
        }
    }
    Ok(History {
        last: Some(last),
        best: Some(best),
        mql_shares: shares,
        lead_shares,
        open_opportunities,
    })
}

/// Leads at the opportunity stage with neither a won nor a lost date (`None` without a
/// `lost_at` column, when open and lost cannot be told apart).
fn open_opportunities(
    t: &crate::sources::CsvTable,
    leads: &sources::LeadTable,
) -> Result<Option<u64>, StageError> {
    let (Some(lost), Some(opp), Some(won)) = (
        t.find("lost_at", &[]),
        leads.stages.iter().position(|s| s == "opportunity"),
        leads.stages.iter().position(|s| s == "won"),
    ) else {
        return Ok(None);
    };
    let mut open = 0;
    for (r, l) in t.rows().zip(&leads.leads) {
        if l.stages[opp].is_some() && l.stages[won].is_none() && r.opt_time(lost)?.is_none() {
            open += 1;
        }
    }
    Ok(Some(open))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_planned_months_map_to_the_same_months_last_year() {
        let m = planned_months(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());

        assert_eq!(
            m,
            [
                ("2027-01".to_owned(), "2026-01".to_owned(), 31),
                ("2027-02".to_owned(), "2026-02".to_owned(), 28),
                ("2027-03".to_owned(), "2026-03".to_owned(), 31),
            ]
        );
    }
}
