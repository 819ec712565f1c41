//! The data notes of a stage's post: the data check run on the files the stage read
//! (issue 12: "data checks before analysis"), as added lines under **Data checks** at the
//! end of the post and as `data_notes` in its findings, where the plan's risks read
//! them. Owns only those added lines; the stage's own wording is the stage's.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::{StageInputs, StageOutput};
use crate::data_check::{self, DataCheck, DataNote, schema};
use crate::domain::{StageId, StageKind};
use crate::sources::Quarters;

/// Findings key of the notes (a list of [`DataNote`]).
pub const KEY: &str = "data_notes";
/// Findings key of the date the stage's data runs to (a [`DataThrough`]).
pub const THROUGH_KEY: &str = "data_through";

/// The date the data is checked against: the last whole day before the files were read,
/// and never after the last day of the quarter under review (rows after it are from the
/// future; an export ending well before it is cut short).
pub fn as_of(inputs: &StageInputs) -> NaiveDate {
    let quarter_end = review_end(inputs);
    inputs
        .data
        .read_on()
        .and_then(|d| d.pred_opt())
        .map_or(quarter_end, |d| d.min(quarter_end))
}

/// Where the stage's data runs to ([`through`] on the files it read), else the day before
/// it read them: the one date its like-for-like comparisons, run rates and maturity are
/// measured against, and the one its **Data through** line states.
pub fn covered(inputs: &StageInputs) -> DataThrough {
    let check = inputs.data.check(as_of(inputs));
    through(inputs, &check).unwrap_or(DataThrough {
        through: as_of(inputs),
        quarter_start: inputs.review_start,
        quarter_end: review_end(inputs),
    })
}

fn review_end(inputs: &StageInputs) -> NaiveDate {
    inputs
        .quarter_start
        .pred_opt()
        .unwrap_or(inputs.quarter_start)
}

/// The date a stage's data runs to: the last day its dated history files (spend,
/// journeys, leads, weekly media) reach, against the quarter under review. Stages that
/// ran before the quarter closed cover part of it; comparisons with the quarter before
/// are then made on the same days (`days` of `quarter_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataThrough {
    /// The last day the data covers.
    pub through: NaiveDate,
    pub quarter_start: NaiveDate,
    pub quarter_end: NaiveDate,
}

impl DataThrough {
    /// Days of the quarter the data covers (1 Oct – 21 Dec is 82).
    pub fn days(&self) -> i64 {
        ((self.through - self.quarter_start).num_days() + 1).max(0)
    }

    /// Days in the quarter under review (92 for October – December).
    pub fn quarter_days(&self) -> i64 {
        (self.quarter_end - self.quarter_start).num_days() + 1
    }

    /// `months` of the quarter scaled to the days covered: the divisor of a run rate a
    /// month (3 months over 82 of 92 days is 2.67).
    pub fn months_covered(&self, months: f64) -> f64 {
        if self.partial() {
            months * self.days() as f64 / self.quarter_days() as f64
        } else {
            months
        }
    }

    /// Whether the data runs into the quarter but not to its end: the only case that is
    /// cut, projected or compared on the same days (data that does not reach the quarter
    /// at all is left as whole-quarter, with nothing to scale by).
    pub fn partial(&self) -> bool {
        !self.complete() && self.days() > 0
    }

    /// The quarter under review and the one before, compared like for like: read before
    /// the quarter closed, the quarter before is cut to the same days ([`Quarters`]).
    /// Stages 1, 2 and 5 compare quarters through it.
    pub fn quarters(&self) -> Quarters {
        Quarters {
            current_start: self.quarter_start,
            current_end: self.quarter_end,
            through: self.partial().then_some(self.through),
        }
    }

    /// The last second of the day the data runs to: a rate counts an entry as mature by
    /// its distance from this moment, not from a quarter end the data has not reached.
    pub fn end(&self) -> DateTime<Utc> {
        let day = if self.partial() {
            self.through
        } else {
            self.quarter_end
        };
        day.and_time(NaiveTime::MIN).and_utc() + Duration::days(1) - Duration::seconds(1)
    }

    /// Whether the data covers the whole quarter (the final exports).
    pub fn complete(&self) -> bool {
        self.through >= self.quarter_end
    }

    /// The post's line: `**Data through** 21 Dec 2026: 82 of the quarter's 92 days …`.
    pub fn line(&self) -> String {
        let day = |d: NaiveDate| d.format("%-d %b %Y").to_string();
        if self.complete() {
            format!(
                "**Data through** {}: the whole quarter under review ({} days).",
                day(self.through),
                self.quarter_days()
            )
        } else {
            format!(
                "**Data through** {}: {} of the quarter's {} days (it ends {}); the final exports \
                 re-run this stage after the quarter closes.",
                day(self.through),
                self.days(),
                self.quarter_days(),
                day(self.quarter_end),
            )
        }
    }
}

/// Findings key of how a stage read before the quarter closed compares it (a
/// [`Comparison`]).
pub const COMPARISON_KEY: &str = "comparison";

/// How a stage that ran before the quarter closed keeps its comparisons like for like:
/// on the same days of the quarter before (`same_days`: stages 1, 2 and 5, through
/// [`DataThrough::quarters`]) or as a run rate over the days covered (`run_rate`: stage 3's quarter
/// totals, stage 4's volumes a month). Stated in the post after the **Data through** line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// `same_days` or `run_rate`.
    pub method: String,
    /// Days of the quarter the comparison covers.
    pub days: i64,
    pub quarter_days: i64,
    pub sentence: String,
}

impl Comparison {
    /// Stage `n`'s comparison when its data covers part of the quarter; `None` for a whole
    /// quarter or a stage that compares nothing across quarters.
    pub fn of(n: u8, covered: &DataThrough) -> Option<Comparison> {
        if !covered.partial() {
            return None;
        }
        let (days, quarter_days) = (covered.days(), covered.quarter_days());
        let (method, sentence) = match n {
            1 => (
                "same_days",
                format!(
                    "Quarter-over-quarter ROAS compares the same {days} days of each quarter; \
                     budget used is spend against the campaigns' plan to the same day (pro rata \
                     by campaign days)."
                ),
            ),
            2 => (
                "same_days",
                format!(
                    "Last quarter's rates are over the leads created in the same {days} days \
                     of it."
                ),
            ),
            3 => (
                "run_rate",
                format!(
                    "The quarter's sessions, conversions and clicks are projected from its \
                     {days} days to all {quarter_days} (a run rate) to compare with the quarter \
                     before."
                ),
            ),
            4 => (
                "run_rate",
                format!(
                    "Volumes a month are a run rate over the {days} days covered (a month = a \
                     third of the quarter's {quarter_days} days)."
                ),
            ),
            5 => (
                "same_days",
                format!(
                    "Journey shifts compare the journeys that started in the same {days} days \
                     of each quarter."
                ),
            ),
            _ => return None,
        };
        Some(Comparison {
            method: method.to_owned(),
            days,
            quarter_days,
            sentence,
        })
    }
}

/// Where the data the stage read runs to; `None` when it read no dated history.
pub fn through(inputs: &StageInputs, check: &DataCheck) -> Option<DataThrough> {
    let as_of = as_of(inputs);
    let last = check
        .files
        .iter()
        .filter(|f| {
            schema::INPUTS
                .iter()
                .any(|s| s.file == f.file && (s.steady || s.volume) && !s.future_ok)
        })
        .filter_map(|f| {
            let end = f.date_range?[1];
            // Weekly files date a row by its Monday: the week runs six days more.
            let weekly = f.file.starts_with("weekly_") || f.file == "controls.csv";
            Some(if weekly { end + Duration::days(6) } else { end })
        })
        .max()
        .or_else(|| totals_through(inputs))?;
    Some(DataThrough {
        through: last.min(as_of),
        quarter_start: inputs.review_start,
        quarter_end: review_end(inputs),
    })
}

/// Files of quarter totals (stage 3's) whose rows say the last day they cover.
const TOTALS_FILES: [&str; 2] = ["content.csv", "keywords.csv"];

/// The last day the quarter totals the stage read cover (their `through` column), when it
/// read no dated history.
fn totals_through(inputs: &StageInputs) -> Option<NaiveDate> {
    TOTALS_FILES
        .iter()
        .filter_map(|file| inputs.data.table(file).ok().flatten())
        .filter_map(|t| {
            let col = t.find("through", &["period_end", "end_date"])?;
            t.rows().filter_map(|r| r.date(col).ok()).max()
        })
        .max()
}

/// The date stage `n` stored its data as running to.
pub fn through_of(findings: &serde_json::Value) -> Option<DataThrough> {
    serde_json::from_value(findings.get(THROUGH_KEY)?.clone()).ok()
}

/// Adds stage `n`'s data notes to its post and findings (analysis stages only).
pub fn attach(n: u8, inputs: &StageInputs, out: &mut StageOutput) {
    let Some(id) = StageId::from_number(n) else {
        return;
    };
    if id.spec().kind != StageKind::Analysis || inputs.data.names().next().is_none() {
        return;
    }
    let check = inputs.data.check(as_of(inputs));
    if let Some(through) = through(inputs, &check) {
        let body = &mut out.result.message.body;
        body.push_str("\n\n");
        body.push_str(&through.line());
        let comparison = Comparison::of(n, &through);
        if let Some(c) = &comparison {
            body.push(' ');
            body.push_str(&c.sentence);
        }
        if let Some(map) = out.findings.as_object_mut() {
            map.insert(
                THROUGH_KEY.to_owned(),
                serde_json::to_value(through).unwrap_or_default(),
            );
            if let Some(c) = comparison {
                map.insert(
                    COMPARISON_KEY.to_owned(),
                    serde_json::to_value(c).unwrap_or_default(),
                );
            }
        }
    }
    let notes = data_check::stage_notes(&check, n);
    if notes.is_empty() {
        return;
    }
    let body = &mut out.result.message.body;
    body.push_str("\n\n**Data checks** (the files this stage read)");
    for note in &notes {
        body.push_str("\n- ");
        body.push_str(&note.line());
    }
    if let Some(map) = out.findings.as_object_mut() {
        map.insert(
            KEY.to_owned(),
            serde_json::to_value(&notes).unwrap_or_default(),
        );
    }
}

/// The data notes stage `n` stored in its findings.
pub fn of(findings: &serde_json::Value) -> Vec<DataNote> {
    findings
        .get(KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}
