//! `sales_feedback.csv` (lead_id, date, decision, reason, comment): sales' verdict on
//! each handed-over MQL, joined to leads.csv on `lead_id` for the source. `decision` is
//! `accepted` or `rejected` (any case); `reason` and `comment` may be empty. A lead id
//! that is not in leads.csv is not an error: the decision is counted as unmatched and
//! the post says how many there were.

use std::collections::BTreeMap;

use quarterdeck_analyses::feedback::Decision;

use crate::sources::{CsvTable, InputError};

pub fn read(t: &CsvTable, sources: &BTreeMap<String, String>) -> Result<Vec<Decision>, InputError> {
    let id = t.require("lead_id", &["id"])?;
    let date = t.require("date", &["decided_at"])?;
    let decision = t.require("decision", &["status"])?;
    let reason = t.find("reason", &[]);
    let comment = t.find("comment", &["comments", "note"]);
    let mut out = Vec::with_capacity(t.len());
    for r in t.rows() {
        let accepted = match r.str(decision).to_ascii_lowercase().as_str() {
            "accepted" => true,
            "rejected" => false,
            _ => return Err(r.invalid(decision, "`accepted` or `rejected`")),
        };
        let lead = r.text(id)?;
        out.push(Decision {
            month: r.date(date)?.format("%Y-%m").to_string(),
            accepted,
            reason: reason
                .map(|c| r.str(c))
                .filter(|s| !s.is_empty())
                .unwrap_or("(none given)")
                .to_owned(),
            comment: comment.map_or_else(String::new, |c| r.str(c).to_owned()),
            source: sources.get(lead).cloned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> CsvTable {
        CsvTable::parse("sales_feedback.csv", text.as_bytes()).unwrap()
    }

    fn sources() -> BTreeMap<String, String> {
        BTreeMap::from([("L1".to_owned(), "seo".to_owned())])
    }

    #[test]
    fn an_unknown_lead_is_kept_as_unmatched_and_decisions_are_case_blind() {
        let t = table(
            "lead_id,date,decision,reason,comment\nL1,2026-10-02,Accepted,good_fit,ok\nL9,2026-11-03,rejected,,\n",
        );

        let d = read(&t, &sources()).unwrap();

        assert_eq!(d.len(), 2);
        assert_eq!((d[0].accepted, d[0].source.as_deref()), (true, Some("seo")));
        assert_eq!((d[1].accepted, d[1].source.as_deref()), (false, None));
        assert_eq!(
            (d[1].month.as_str(), d[1].reason.as_str()),
            ("2026-11", "(none given)")
        );
    }

    #[test]
    fn a_bad_decision_names_file_row_and_column() {
        let t = table("lead_id,date,decision\nL1,2026-10-02,accepted\nL1,2026-10-03,maybe\n");

        let err = read(&t, &sources()).unwrap_err().to_string();

        assert!(
            err.contains("sales_feedback.csv")
                && err.contains("row 3")
                && err.contains("`decision`")
                && err.contains("maybe"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_date_and_a_missing_column_are_reported() {
        let date = read(
            &table("lead_id,date,decision\nL1,last week,accepted\n"),
            &sources(),
        )
        .unwrap_err()
        .to_string();
        let column = read(&table("lead_id,date\nL1,2026-10-02\n"), &sources())
            .unwrap_err()
            .to_string();

        assert!(
            date.contains("row 2") && date.contains("`date`") && date.contains("last week"),
            "{date}"
        );
        assert!(column.contains("decision"), "{column}");
    }
}
