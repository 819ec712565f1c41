//! `deals.csv`: deals or opportunities exported apart from the leads (Olist's closed
//! deals, a CRM's opportunity report), one row per deal keyed by the lead id, joined
//! onto `leads.csv`'s funnel. Columns: `lead_id` (required), `opportunity_at` and
//! `won_at` (at least one), `amount` (optional).
//!
//! Join rule: a lead's opportunity and won dates are the earliest of its deals' (and of
//! `leads.csv`'s own, when it has them); its amount is the sum of its deals' amounts and
//! replaces `leads.csv`'s. A deal whose lead id is not in `leads.csv` joins nothing and
//! is counted (the data check and the stages' data notes report it).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{CsvTable, DataSet, InputError, LeadTable, STAGE_COLUMNS};

/// What the join did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealJoin {
    pub deals: usize,
    pub matched: usize,
    /// Deals whose lead id is not in leads.csv, with the first one's row and id.
    pub unmatched: usize,
    pub first_unmatched: Option<(usize, String)>,
}

/// Joins `deals` (a parsed `deals.csv`) onto `table`, read from `leads`.
pub fn join_deals(
    leads: &CsvTable,
    table: &mut LeadTable,
    deals: &CsvTable,
) -> Result<DealJoin, InputError> {
    let lead_col = leads.require_filled("lead_id", &["id"])?;
    let deal_col = deals.require_filled("lead_id", &["id"])?;
    let stage_cols: Vec<(usize, super::Col)> = ["opportunity_at", "won_at"]
        .iter()
        .filter_map(|c| {
            let k = STAGE_COLUMNS.iter().position(|(name, _)| name == c)?;
            deals.find(c, &[]).map(|col| (k, col))
        })
        .collect();
    if stage_cols.is_empty() {
        return Err(InputError::File {
            file: deals.file.clone(),
            message:
                "expected a column `opportunity_at` or `won_at` (the deal's dates), found neither; \
                      map one with `columns = { won_at = \"…\" }`"
                    .into(),
        });
    }
    let amount_col = deals.find("amount", &["deal_amount", "value"]);
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(leads.len());
    for (i, r) in leads.rows().enumerate() {
        index.entry(r.str(lead_col)).or_insert(i);
    }
    // Every deal is read before the leads change: a bad cell leaves them as they were.
    let mut parsed = Vec::with_capacity(deals.len());
    let mut join = DealJoin::default();
    for r in deals.rows() {
        join.deals += 1;
        let times = stage_cols
            .iter()
            .map(|(_, c)| r.opt_time(*c))
            .collect::<Result<Vec<_>, _>>()?;
        let amount = amount_col.map(|c| r.opt_number(c)).transpose()?.flatten();
        let id = r.str(deal_col);
        match index.get(id) {
            Some(&i) => parsed.push((i, times, amount)),
            None => {
                join.unmatched += 1;
                if join.first_unmatched.is_none() {
                    join.first_unmatched = Some((r.number, id.to_owned()));
                }
            }
        }
    }
    join.matched = parsed.len();
    let positions: Vec<usize> = stage_cols
        .iter()
        .map(|(k, _)| ensure_stage(table, *k))
        .collect();
    let mut amounts: HashMap<usize, f64> = HashMap::new();
    for (i, times, amount) in parsed {
        let lead = &mut table.leads[i];
        for (p, t) in positions.iter().zip(&times) {
            if let Some(t) = t {
                let s = t.timestamp();
                lead.stages[*p] = Some(lead.stages[*p].map_or(s, |old| old.min(s)));
            }
        }
        if let Some(a) = amount {
            *amounts.entry(i).or_default() += a;
        }
        let first = lead
            .stages
            .iter()
            .flatten()
            .min()
            .and_then(|s| DateTime::<Utc>::from_timestamp(*s, 0));
        table.first_seen[i] = first;
        lead.cohort = first.map(|t| t.format("%Y-%m").to_string());
    }
    for (i, a) in amounts {
        table.amounts[i] = Some(a);
    }
    Ok(join)
}

/// Reads `leads.csv` with `deals.csv` joined when the data has it: the table read, the
/// leads, and what the join did.
pub fn read_leads_and_deals(
    data: &DataSet,
) -> Result<Option<(CsvTable, LeadTable, Option<DealJoin>)>, InputError> {
    let Some(t) = data.table("leads.csv")? else {
        return Ok(None);
    };
    let mut leads = super::read_leads(&t)?;
    let join = match data.table("deals.csv")? {
        Some(d) => Some(join_deals(&t, &mut leads, &d)?),
        None => None,
    };
    Ok(Some((t, leads, join)))
}

/// The position of funnel stage `k` (index into [`STAGE_COLUMNS`]) in `table.stages`,
/// inserting it (blank for every lead) in funnel order when leads.csv lacks it.
fn ensure_stage(table: &mut LeadTable, k: usize) -> usize {
    let name = STAGE_COLUMNS[k].1;
    if let Some(p) = table.stages.iter().position(|s| s == name) {
        return p;
    }
    let rank = |s: &str| STAGE_COLUMNS.iter().position(|(_, n)| *n == s);
    let p = table
        .stages
        .iter()
        .position(|s| rank(s).is_some_and(|r| r > k))
        .unwrap_or(table.stages.len());
    table.stages.insert(p, name.to_owned());
    for lead in &mut table.leads {
        lead.stages.insert(p, None);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, text: &str) -> CsvTable {
        CsvTable::parse(name, text.as_bytes()).unwrap()
    }

    #[test]
    fn deals_in_their_own_file_add_the_won_stage_and_unknown_leads_are_counted() {
        // Olist's shape: MQLs with a first contact date, closed deals keyed by mql_id.
        let leads = table(
            "leads.csv",
            "lead_id,created_at,mql_at,source\nA,2026-10-01,2026-10-02,email\nB,2026-10-03,2026-10-04,seo\nC,2026-10-05,,seo\n",
        );
        let deals = table(
            "deals.csv",
            "lead_id,won_at,amount\nB,2026-11-20,1000\nB,2026-12-01,500\nZ,2026-11-01,700\n",
        );
        let mut t = crate::sources::read_leads(&leads).unwrap();

        let join = join_deals(&leads, &mut t, &deals).unwrap();

        assert_eq!(t.stages, ["lead", "mql", "won"]);
        assert_eq!(t.leads[0].stages[2], None);
        let nov20 = "2026-11-20T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(t.leads[1].stages[2], Some(nov20.timestamp()));
        assert_eq!(t.amounts[1], Some(1500.0));
        assert_eq!(t.amounts[0], None);
        assert_eq!(
            join,
            DealJoin {
                deals: 3,
                matched: 2,
                unmatched: 1,
                first_unmatched: Some((4, "Z".into())),
            }
        );
    }

    #[test]
    fn a_deals_file_without_dates_or_with_a_bad_date_is_refused_with_its_row() {
        let leads = table("leads.csv", "lead_id,created_at,mql_at\nA,2026-10-01,\n");
        let mut t = crate::sources::read_leads(&leads).unwrap();

        let no_dates = join_deals(&leads, &mut t, &table("deals.csv", "lead_id,amount\nA,5\n"))
            .unwrap_err()
            .to_string();
        let bad = join_deals(
            &leads,
            &mut t,
            &table("deals.csv", "lead_id,won_at\nA,2026-11-01\nA,soon\n"),
        )
        .unwrap_err()
        .to_string();
        let untouched = t.stages.clone();

        assert!(
            no_dates.contains("deals.csv") && no_dates.contains("won_at"),
            "{no_dates}"
        );
        assert!(
            bad.contains("deals.csv")
                && bad.contains("row 3")
                && bad.contains("won_at")
                && bad.contains("soon"),
            "{bad}"
        );
        assert_eq!(
            untouched,
            ["lead", "mql"],
            "a refused deals file changes no lead"
        );
    }
}
