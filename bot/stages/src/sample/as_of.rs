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
//! - quarter totals (`content.csv`, `keywords.csv`: one row per `period`, the quarter's
//!   first day, with `through`, the last day its totals cover) keep the quarters begun by
//!   `through`; the one still running ends at `through`, its totals (sessions, engaged
//!   sessions, conversions; clicks, impressions) the share of its days elapsed (traffic
//!   spread evenly over the quarter), rounded to the unit.
//!
//! Plans and the rest (`campaigns.csv`, `experiments.csv`, `objectives.toml`,
//! `benchmarks.csv`) are unchanged. Cutting at or after the quarter's last day returns
//! the dataset unchanged: that is the final export.

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
/// Files of quarter totals and their additive columns.
const PERIOD_FILES: [(&str, &[&str]); 2] = [
    (
        "content.csv",
        &["sessions", "engaged_sessions", "conversions"],
    ),
    ("keywords.csv", &["clicks", "impressions"]),
];
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
                } else if let Some((_, totals)) = PERIOD_FILES.iter().find(|(f, _)| f == name) {
                    totals_through(text, totals, through)
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

/// Quarter totals as an export pulled after `through` holds them: quarters begun by then,
/// the running one ended at `through` with its `totals` its elapsed share of the quarter.
fn totals_through(text: &str, totals: &[&str], through: NaiveDate) -> Option<String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().ok()?.clone();
    let find = |name: &str| header.iter().position(|h| h == name);
    let (period, end) = (find("period")?, find("through")?);
    let columns: Vec<usize> = totals.iter().filter_map(|c| find(c)).collect();
    let mut w = writer();
    w.write_record(&header).ok()?;
    for rec in r.records() {
        let rec = rec.ok()?;
        let start: NaiveDate = rec.get(period)?.parse().ok()?;
        let last: NaiveDate = rec.get(end)?.parse().ok()?;
        if start > through {
            continue;
        }
        let mut cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        if last > through {
            let share =
                ((through - start).num_days() + 1) as f64 / ((last - start).num_days() + 1) as f64;
            for c in &columns {
                if let Ok(v) = cells[*c].parse::<f64>() {
                    cells[*c] = (v * share).round().to_string();
                }
            }
            cells[end] = through.to_string();
        }
        w.write_record(&cells).ok()?;
    }
    finish(w)
}
