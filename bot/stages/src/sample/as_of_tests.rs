//! The sample's volumes run steady to the export's last day, and an export read before
//! the quarter closes holds nothing dated after the day it covers.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;
use crate::data_check::{self, DataCheck};
use crate::sources::{CsvTable, DataSet};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn spec() -> SampleSpec {
    SampleSpec {
        seed: 42,
        prior_start: d("2026-10-01"),
        prior_end: d("2026-12-31"),
        next_start: d("2027-01-01"),
        next_end: d("2027-03-31"),
    }
}

fn table(ds: &Dataset, name: &str) -> CsvTable {
    CsvTable::parse(name, ds.file(name).unwrap().as_bytes()).unwrap()
}

fn leads_created_between(ds: &Dataset, from: &str, to: &str) -> usize {
    let t = table(ds, "leads.csv");
    let c = t.require("created_at", &[]).unwrap();
    t.rows()
        .filter(|r| {
            let day = r.date(c).unwrap();
            day >= d(from) && day <= d(to)
        })
        .count()
}

fn leads_only(text: String) -> DataSet {
    let mut set = DataSet::default();
    set.insert("leads.csv", "leads.csv".to_owned(), text.into_bytes());
    set
}

fn kinds(check: &DataCheck) -> Vec<String> {
    check.files[0]
        .problems
        .iter()
        .map(|p| p.kind.clone())
        .collect()
}

#[test]
fn leads_keep_coming_to_the_last_day_of_the_export() {
    let ds = generate(&spec());

    // 6,000 leads uniform over 1 Jul – 31 Dec (184 days): 32.6 a day, so about 978 in
    // November, 1,011 in December and 228 in the last week (Poisson sd ≈ 31, 31, 15).
    let november = leads_created_between(&ds, "2026-11-01", "2026-11-30");
    let december = leads_created_between(&ds, "2026-12-01", "2026-12-31");
    let last_week = leads_created_between(&ds, "2026-12-25", "2026-12-31");

    assert!((850..1_110).contains(&november), "November {november}");
    assert!((880..1_140).contains(&december), "December {december}");
    assert!((170..290).contains(&last_week), "last week {last_week}");
}

#[test]
fn the_data_check_finds_no_gap_in_the_sample_and_finds_a_planted_one() {
    let text = generate(&spec()).file("leads.csv").unwrap().to_owned();
    // The same file without the leads created in the week of Mon 7 Dec.
    let planted: String = text
        .lines()
        .filter(|l| {
            let created = l.split(',').nth(1).unwrap_or("");
            !(created.as_bytes().get(..10).is_some_and(|day| {
                (b"2026-12-07".as_slice()..=b"2026-12-13".as_slice()).contains(&day)
            }))
        })
        .map(|l| format!("{l}\n"))
        .collect();

    let clean = data_check::check(&leads_only(text), d("2026-12-31"));
    let gapped = data_check::check(&leads_only(planted), d("2026-12-31"));

    for kind in ["gap", "volume_drop", "ends_early"] {
        assert!(
            !kinds(&clean).iter().any(|k| k == kind),
            "{kind}: {clean:?}"
        );
    }
    let gap = gapped.files[0]
        .problems
        .iter()
        .find(|p| p.kind == "gap")
        .unwrap_or_else(|| panic!("no gap found: {gapped:?}"));
    assert_eq!(gap.count, 1);
    assert!(gap.detail.contains("2026-12-07"), "{gap:?}");
}

/// A CSV file's header and rows as text.
fn records(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Every date-like cell of every file, with its file, column and row.
fn dated_cells(ds: &Dataset) -> Vec<(String, String, String)> {
    let mut cells = Vec::new();
    for (name, text) in &ds.files {
        if !name.ends_with(".csv") || name == "campaigns.csv" || name == "benchmarks.csv" {
            continue;
        }
        let (header, rows) = records(text);
        let dated: Vec<(usize, &String)> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| *h == "date" || *h == "timestamp" || h.ends_with("_at"))
            .collect();
        for row in &rows {
            for (i, h) in &dated {
                if !row[*i].is_empty() {
                    cells.push((name.clone(), (*h).clone(), row[*i].clone()));
                }
            }
        }
    }
    cells
}

#[test]
fn an_export_read_before_the_quarter_closes_holds_nothing_after_the_day_it_covers() {
    let full = generate(&spec());
    let through = d("2026-12-21");

    let early = full.as_of(through, d("2026-12-31"));

    let late: Vec<_> = dated_cells(&early)
        .into_iter()
        .filter(|(name, _, cell)| {
            let day = d(&cell[..10]);
            // Weekly rows are dated by their Monday and kept once the week has ended.
            if name.starts_with("weekly_") || name == "controls.csv" {
                day > d("2026-12-15")
            } else {
                day > through
            }
        })
        .collect();
    assert!(
        late.is_empty(),
        "{} late cells, first {:?}",
        late.len(),
        late[0]
    );
    // 174 of the 184 days: about 5,674 of the 6,000 leads.
    let kept = table(&early, "leads.csv").len();
    assert_eq!(
        kept,
        leads_created_between(&full, "2026-07-01", "2026-12-21")
    );
    assert!((5_550..5_800).contains(&kept), "{kept}");
    // The weekly history loses the weeks of 21 and 28 Dec, which had not ended: 102 of
    // its 104 weeks.
    assert_eq!(table(&early, "weekly_revenue.csv").len(), 102);
    // The final export is the whole dataset.
    assert_eq!(full.as_of(d("2026-12-31"), d("2026-12-31")), full);
}

#[test]
fn a_lead_read_early_is_the_same_lead_with_its_later_stages_not_reached_yet() {
    let full = generate(&spec());
    let early = full.as_of(d("2026-12-21"), d("2026-12-31"));
    let rows = |ds: &Dataset| -> HashMap<String, Vec<String>> {
        records(ds.file("leads.csv").unwrap())
            .1
            .into_iter()
            .map(|cells| (cells[0].clone(), cells))
            .collect()
    };
    let (full_rows, early_rows) = (rows(&full), rows(&early));

    let mut cleared = 0;
    for (id, cells) in &early_rows {
        let whole = &full_rows[id];
        for (i, cell) in cells.iter().enumerate() {
            if cell != &whole[i] {
                assert!(
                    cell.is_empty(),
                    "{id} column {i}: {cell} against {}",
                    whole[i]
                );
                cleared += 1;
            }
        }
    }

    // Leads created before 21 Dec but reaching a stage after it lose that stage.
    assert!(cleared > 0);
}

/// `file`'s rows by `key` column value and period: (the row's cells by header).
fn by_key(
    ds: &Dataset,
    file: &str,
    key: &str,
) -> HashMap<(String, String), HashMap<String, String>> {
    let (header, rows) = records(ds.file(file).unwrap());
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (k, p) = (at(key), at("period"));
    rows.into_iter()
        .map(|cells| {
            let id = (cells[k].clone(), cells[p].clone());
            (id, header.iter().cloned().zip(cells).collect())
        })
        .collect()
}

#[test]
fn quarter_totals_read_early_run_to_the_day_read_with_the_elapsed_share_of_the_quarter() {
    let full = generate(&spec());

    let early = full.as_of(d("2026-12-21"), d("2026-12-31"));

    // Q4's row runs 1 Oct – 21 Dec: 82 of its 92 days, so each total is 82/92 of the
    // final one, rounded; Q3's row (1 Jul – 30 Sep) is whole and unchanged.
    let (whole, cut) = (
        by_key(&full, "content.csv", "url"),
        by_key(&early, "content.csv", "url"),
    );
    assert_eq!(whole.len(), cut.len());
    let num = |row: &HashMap<String, String>, col: &str| row[col].parse::<f64>().unwrap();
    for (id, row) in &whole {
        let now = &cut[id];
        if id.1 == "2026-10-01" {
            assert_eq!(
                (row["through"].as_str(), now["through"].as_str()),
                ("2026-12-31", "2026-12-21")
            );
            for col in ["sessions", "engaged_sessions", "conversions"] {
                assert_eq!(
                    num(now, col),
                    (num(row, col) * 82.0 / 92.0).round(),
                    "{id:?} {col}"
                );
            }
        } else {
            assert_eq!((row["through"].as_str(), row), ("2026-09-30", now));
        }
    }
    let (whole, cut) = (
        by_key(&full, "keywords.csv", "keyword"),
        by_key(&early, "keywords.csv", "keyword"),
    );
    for (id, row) in &whole {
        let now = &cut[id];
        if id.1 == "2026-10-01" {
            assert_eq!(now["through"], "2026-12-21");
            assert_eq!(
                num(now, "clicks"),
                (num(row, "clicks") * 82.0 / 92.0).round()
            );
            // A position is an average over the days, not a total: unchanged.
            assert_eq!(now["position"], row["position"]);
        }
    }
}
