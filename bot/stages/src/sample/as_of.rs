//! The sample as its exports read on a given day: the generated dataset holds the whole
//! quarter under review, and an export pulled before the quarter closes holds only what
//! had happened by then. [`Dataset::as_of`] cuts every dated file at `through` (the last
//! whole day the export covers), the way the source systems would have:
//!
//! - event files (`spend.csv`, `touchpoints.csv`, `conversions.csv`, `sales_feedback.csv`,
//!   `competitors.csv`, `trends.csv`) keep the rows dated on or before `through`;
//! - `leads.csv` keeps the leads created by then, with every later funnel date left
//!   empty (not reached yet) and the amount of an opportunity not yet opened;
//! - weekly files (`weekly_media.csv`, `weekly_revenue.csv`, `controls.csv`, dated by the
//!   week's Monday) keep the weeks that had ended by `through`.
//!
//! Plans and period aggregates (`campaigns.csv`, `content.csv`, `keywords.csv`,
//! `experiments.csv`, `objectives.toml`, `benchmarks.csv`) are unchanged. Cutting at or
//! after the quarter's last day returns the dataset unchanged: that is the final export.

use chrono::{Duration, NaiveDate};

use super::Dataset;

/// Files whose rows are events dated by the named column.
const EVENT_FILES: [(&str, &str); 6] = [
    ("spend.csv", "date"),
    ("touchpoints.csv", "timestamp"),
    ("conversions.csv", "timestamp"),
    ("sales_feedback.csv", "date"),
    ("competitors.csv", "date"),
    ("trends.csv", "date"),
];
/// Files with one row per week (or per week and channel), dated by the week's Monday.
const WEEKLY_FILES: [&str; 3] = ["weekly_media.csv", "weekly_revenue.csv", "controls.csv"];
/// The funnel dates of `leads.csv` after `created_at`, in order.
const LEAD_STAGES: [&str; 5] = ["mql_at", "sql_at", "opportunity_at", "won_at", "lost_at"];

impl Dataset {
    /// The dataset as exports read the day after `through` would hold it (see the
    /// module). `quarter_end` is the last day of the quarter under review.
    pub fn as_of(&self, through: NaiveDate, quarter_end: NaiveDate) -> Dataset {
        if through >= quarter_end {
            return self.clone();
        }
        let files = self
            .files
            .iter()
            .map(|(name, text)| {
                let cut = if let Some((_, col)) = EVENT_FILES.iter().find(|(f, _)| f == name) {
                    rows_through(text, col, through)
                } else if WEEKLY_FILES.contains(&name.as_str()) {
                    rows_through(text, "date", through - Duration::days(6))
                } else if name == "leads.csv" {
                    leads_through(text, through)
                } else {
                    None
                };
                (name.clone(), cut.unwrap_or_else(|| text.clone()))
            })
            .collect();
        Dataset { files }
    }
}

/// Whether a cell (a date or an RFC 3339 timestamp) falls after `through`.
fn after(cell: &str, through: &str) -> bool {
    cell.get(..10).is_some_and(|day| day > through)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Option<String> {
    String::from_utf8(w.into_inner().ok()?).ok()
}

/// `text` without the rows whose `column` is after `through`; `None` when the file has
/// no such column (left as it is).
fn rows_through(text: &str, column: &str, through: NaiveDate) -> Option<String> {
    let through = through.to_string();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().ok()?.clone();
    let col = header.iter().position(|h| h == column)?;
    let mut w = writer();
    w.write_record(&header).ok()?;
    for rec in r.records() {
        let rec = rec.ok()?;
        if !after(rec.get(col).unwrap_or(""), &through) {
            w.write_record(&rec).ok()?;
        }
    }
    finish(w)
}

/// Leads created by `through`, with the funnel dates after it (and the amount of an
/// opportunity not yet opened) left empty.
fn leads_through(text: &str, through: NaiveDate) -> Option<String> {
    let through = through.to_string();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().ok()?.clone();
    let find = |name: &str| header.iter().position(|h| h == name);
    let created = find("created_at")?;
    let stages: Vec<usize> = LEAD_STAGES.iter().filter_map(|s| find(s)).collect();
    let (opportunity, amount) = (find("opportunity_at"), find("amount"));
    let mut w = writer();
    w.write_record(&header).ok()?;
    for rec in r.records() {
        let rec = rec.ok()?;
        if after(rec.get(created).unwrap_or(""), &through) {
            continue;
        }
        let mut cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        for c in &stages {
            if after(&cells[*c], &through) {
                cells[*c].clear();
            }
        }
        if let (Some(o), Some(a)) = (opportunity, amount)
            && cells[o].is_empty()
        {
            cells[a].clear();
        }
        w.write_record(&cells).ok()?;
    }
    finish(w)
}
