//! `leads.csv`: one row per lead with a timestamp per funnel stage reached
//! (`created_at, mql_at, sql_at, opportunity_at, won_at`; only `lead_id` and at least two
//! stage columns are required; an empty cell means the stage was not reached), and the
//! grouping columns `source, segment, region` when present.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use quarterdeck_analyses::funnel::Lead;

use super::{CsvTable, InputError};

/// Stage columns in funnel order, with the stage names used in the findings.
pub const STAGE_COLUMNS: [(&str, &str); 5] = [
    ("created_at", "lead"),
    ("mql_at", "mql"),
    ("sql_at", "sql"),
    ("opportunity_at", "opportunity"),
    ("won_at", "won"),
];
const GROUPS: [&str; 3] = ["source", "segment", "region"];

#[derive(Debug, Clone)]
pub struct LeadTable {
    pub stages: Vec<String>,
    pub leads: Vec<Lead>,
    /// When each lead was created (its first stamped stage), for windowing.
    pub first_seen: Vec<Option<DateTime<Utc>>>,
    /// The deal amount (`amount`), when the column exists and the cell is filled.
    pub amounts: Vec<Option<f64>>,
}

pub fn read_leads(t: &CsvTable) -> Result<LeadTable, InputError> {
    t.require_filled("lead_id", &["id"])?;
    let cols: Vec<_> = STAGE_COLUMNS
        .iter()
        .filter_map(|(c, name)| t.find(c, &[]).map(|col| (col, *name)))
        .collect();
    if cols.len() < 2 {
        return Err(InputError::File {
            file: t.file.clone(),
            message: format!(
                "expected at least two stage columns of {}, found {}",
                STAGE_COLUMNS.map(|c| c.0).join(", "),
                cols.len()
            ),
        });
    }
    let groups: Vec<_> = GROUPS
        .iter()
        .filter_map(|g| t.find(g, &[]).map(|c| (*g, c)))
        .collect();
    let mut leads = Vec::with_capacity(t.len());
    let mut first_seen = Vec::with_capacity(t.len());
    let amount = t.find("amount", &["deal_amount", "value"]);
    let mut amounts = Vec::with_capacity(t.len());
    for r in t.rows() {
        amounts.push(amount.map(|c| r.opt_number(c)).transpose()?.flatten());
        let times = cols
            .iter()
            .map(|(c, _)| r.opt_time(*c))
            .collect::<Result<Vec<_>, _>>()?;
        let first = times.iter().flatten().min().copied();
        leads.push(Lead {
            stages: times.iter().map(|t| t.map(|t| t.timestamp())).collect(),
            groups: groups
                .iter()
                .map(|(g, c)| {
                    let value = match *g {
                        "source" if !r.str(*c).is_empty() => r.channel(*c)?,
                        _ => r.category(*c).to_owned(),
                    };
                    Ok(((*g).to_owned(), value))
                })
                .collect::<Result<BTreeMap<_, _>, InputError>>()?,
            cohort: first.map(|t| t.format("%Y-%m").to_string()),
        });
        first_seen.push(first);
    }
    Ok(LeadTable {
        stages: cols.iter().map(|(_, n)| (*n).to_owned()).collect(),
        leads,
        first_seen,
        amounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_present_stage_columns_are_used_and_a_bad_date_is_located() {
        let table = |text: &str| CsvTable::parse("leads.csv", text.as_bytes()).unwrap();

        let t = read_leads(&table("lead_id,mql_at,sql_at,source\nL1,2026-10-01,,email\nL2,2026-10-02,2026-10-09T10:00:00Z,seo\n")).unwrap();
        let err = read_leads(&table("lead_id,mql_at,sql_at\nL1,2026-10-01,yesterday\n"))
            .unwrap_err()
            .to_string();

        assert_eq!(t.stages, ["mql", "sql"]);
        assert_eq!(t.leads[1].groups["source"], "seo");
        assert!(
            err.contains("row 2") && err.contains("`sql_at`") && err.contains("yesterday"),
            "{err}"
        );
    }
}
