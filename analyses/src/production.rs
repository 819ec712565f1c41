//! Content production scheduling (stage 9): each piece gets a publish date, milestones
//! scheduled back from it in working days, and a writer; weekly load is checked against
//! each writer's capacity.
//!
//! Days are whole days counted from 1970-01-01 (day 0, a Thursday), so the crate needs
//! no calendar library; weeks start on Monday. Rules (planning assumptions, named so a
//! team can argue with them):
//! - hours per piece by content type: [`hours_for`];
//! - milestones, in working days (Monday-Friday) before publish: review starts
//!   [`REVIEW_DAYS`] before, draft [`REVIEW_DAYS`] + [`DRAFT_DAYS`] before, brief
//!   [`REVIEW_DAYS`] + [`DRAFT_DAYS`] + [`BRIEF_DAYS`] before; a publish date on a
//!   weekend moves back to the Friday;
//! - a piece's hours are spread evenly over its working days from brief to the day
//!   before publish, and a week's load is the sum of those daily shares;
//! - writers are assigned piece by piece (earliest brief first): the writer whose
//!   busiest week would be lightest relative to capacity, then the least loaded overall,
//!   then by name;
//! - conflicts: a writer's week over capacity (person, week, hours vs capacity), a brief
//!   before the quarter's first day, and pieces no one can write (no writers).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Working days from brief to first draft.
pub const BRIEF_DAYS: i64 = 5;
/// Working days from first draft to review.
pub const DRAFT_DAYS: i64 = 5;
/// Working days from review to publish.
pub const REVIEW_DAYS: i64 = 3;

/// Hours of writing, editing and design for one piece of a content type; `refresh`
/// is the update of an existing page. Unknown types take a blog's hours.
pub fn hours_for(content_type: &str) -> f64 {
    match content_type {
        "guide" => 24.0,
        "comparison" => 14.0,
        "case_study" => 16.0,
        "landing_page" => 10.0,
        "webinar_page" => 6.0,
        "email" => 4.0,
        "refresh" => 6.0,
        _ => 10.0,
    }
}

/// 0 = Monday … 6 = Sunday.
pub fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The Monday of the week holding `day`.
pub fn week_start(day: i64) -> i64 {
    day - weekday(day)
}

fn is_working(day: i64) -> bool {
    weekday(day) < 5
}

/// `day` if it is a working day, else the Friday before.
pub fn working_on_or_before(mut day: i64) -> i64 {
    while !is_working(day) {
        day -= 1;
    }
    day
}

/// `day` if it is a working day, else the Monday after.
pub fn working_on_or_after(mut day: i64) -> i64 {
    while !is_working(day) {
        day += 1;
    }
    day
}

/// The working day `n` working days after `day`.
pub fn working_days_after(mut day: i64, n: i64) -> i64 {
    let mut left = n;
    while left > 0 {
        day += 1;
        if is_working(day) {
            left -= 1;
        }
    }
    day
}

/// The working day `n` working days before `day`.
pub fn working_days_before(mut day: i64, n: i64) -> i64 {
    let mut left = n;
    while left > 0 {
        day -= 1;
        if is_working(day) {
            left -= 1;
        }
    }
    day
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PieceRequest {
    pub title: String,
    pub content_type: String,
    /// The campaign or opportunity the piece serves.
    pub serves: String,
    /// The day it must be live.
    pub publish_by: i64,
    /// Hours; `None` takes [`hours_for`] of the type.
    pub hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Writer {
    pub name: String,
    pub capacity_hours_per_week: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledPiece {
    pub title: String,
    pub content_type: String,
    pub serves: String,
    /// The writer, or `None` when the team has no writers.
    pub owner: Option<String>,
    pub brief: i64,
    pub draft: i64,
    pub review: i64,
    pub publish: i64,
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekLoad {
    pub person: String,
    /// Monday of the week.
    pub week: i64,
    pub hours: f64,
    pub capacity: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Conflict {
    OverCapacity {
        person: String,
        week: i64,
        hours: f64,
        capacity: f64,
    },
    /// Briefed on the earliest day allowed, the piece still publishes after the day it
    /// was needed by.
    PublishesLate {
        title: String,
        publish: i64,
        publish_by: i64,
    },
    NoWriters {
        pieces: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// By publish date, then title.
    pub pieces: Vec<ScheduledPiece>,
    /// Every writer's load in every week a piece touches, by person then week.
    pub weeks: Vec<WeekLoad>,
    pub conflicts: Vec<Conflict>,
}

/// The working days of a piece's effort: brief up to the day before publish.
fn effort_days(brief: i64, publish: i64) -> Vec<i64> {
    (brief..publish).filter(|d| is_working(*d)).collect()
}

/// Hours a piece puts in each week (Monday → hours).
fn weekly_hours(p: &ScheduledPiece) -> BTreeMap<i64, f64> {
    let days = effort_days(p.brief, p.publish);
    let mut out = BTreeMap::new();
    if days.is_empty() {
        *out.entry(week_start(p.publish)).or_default() += p.hours;
        return out;
    }
    let each = p.hours / days.len() as f64;
    for d in days {
        *out.entry(week_start(d)).or_default() += each;
    }
    out
}

pub fn schedule(requests: &[PieceRequest], writers: &[Writer], earliest_brief: i64) -> Schedule {
    let mut pieces: Vec<ScheduledPiece> = requests
        .iter()
        .map(|r| {
            let mut publish = working_on_or_before(r.publish_by);
            let mut review = working_days_before(publish, REVIEW_DAYS);
            let mut draft = working_days_before(review, DRAFT_DAYS);
            let mut brief = working_days_before(draft, BRIEF_DAYS);
            if brief < earliest_brief {
                // Too late to work back from the deadline: start on the first allowed
                // working day and work forward.
                brief = working_on_or_after(earliest_brief);
                draft = working_days_after(brief, BRIEF_DAYS);
                review = working_days_after(draft, DRAFT_DAYS);
                publish = working_days_after(review, REVIEW_DAYS);
            }
            ScheduledPiece {
                title: r.title.clone(),
                content_type: r.content_type.clone(),
                serves: r.serves.clone(),
                owner: None,
                brief,
                draft,
                review,
                publish,
                hours: r.hours.unwrap_or_else(|| hours_for(&r.content_type)),
            }
        })
        .collect();
    pieces.sort_by(|a, b| a.brief.cmp(&b.brief).then_with(|| a.title.cmp(&b.title)));
    let mut load: BTreeMap<&str, BTreeMap<i64, f64>> = writers
        .iter()
        .map(|w| (w.name.as_str(), BTreeMap::new()))
        .collect();
    for p in &mut pieces {
        let hours = weekly_hours(p);
        let pick = writers
            .iter()
            .map(|w| {
                let mine = &load[w.name.as_str()];
                let peak = hours
                    .iter()
                    .map(|(wk, h)| mine.get(wk).copied().unwrap_or(0.0) + h)
                    .fold(0.0, f64::max);
                let total: f64 = mine.values().sum::<f64>() + p.hours;
                let cap = w.capacity_hours_per_week.max(f64::MIN_POSITIVE);
                (w, peak / cap, total / cap)
            })
            .min_by(|a, b| {
                a.1.total_cmp(&b.1)
                    .then_with(|| a.2.total_cmp(&b.2))
                    .then_with(|| a.0.name.cmp(&b.0.name))
            });
        if let Some((w, _, _)) = pick {
            let mine = load
                .get_mut(w.name.as_str())
                .expect("every writer has a load");
            for (wk, h) in hours {
                *mine.entry(wk).or_default() += h;
            }
            p.owner = Some(w.name.clone());
        }
    }
    pieces.sort_by(|a, b| {
        a.publish
            .cmp(&b.publish)
            .then_with(|| a.title.cmp(&b.title))
    });
    let mut weeks = Vec::new();
    let mut conflicts = Vec::new();
    for w in writers {
        for (week, hours) in &load[w.name.as_str()] {
            weeks.push(WeekLoad {
                person: w.name.clone(),
                week: *week,
                hours: *hours,
                capacity: w.capacity_hours_per_week,
            });
            // A hundredth of an hour of slack absorbs the rounding of even splits.
            if *hours > w.capacity_hours_per_week + 0.01 {
                conflicts.push(Conflict::OverCapacity {
                    person: w.name.clone(),
                    week: *week,
                    hours: *hours,
                    capacity: w.capacity_hours_per_week,
                });
            }
        }
    }
    weeks.sort_by(|a, b| a.person.cmp(&b.person).then(a.week.cmp(&b.week)));
    for (p, r) in pieces.iter().filter_map(|p| {
        requests
            .iter()
            .find(|r| r.title == p.title && r.serves == p.serves)
            .map(|r| (p, r))
    }) {
        if p.publish > r.publish_by {
            conflicts.push(Conflict::PublishesLate {
                title: p.title.clone(),
                publish: p.publish,
                publish_by: r.publish_by,
            });
        }
    }
    if writers.is_empty() && !pieces.is_empty() {
        conflicts.push(Conflict::NoWriters {
            pieces: pieces.len(),
        });
    }
    Schedule {
        pieces,
        weeks,
        conflicts,
    }
}

/// Publish days for `n` pieces with no external deadline (SEO work), spread evenly from
/// the first day whose brief falls inside the quarter to a week before its end, best
/// first.
pub fn spread_publish_days(quarter_start: i64, quarter_end: i64, n: usize) -> Vec<i64> {
    let lead = BRIEF_DAYS + DRAFT_DAYS + REVIEW_DAYS;
    let mut first = quarter_start;
    while !is_working(first) {
        first += 1;
    }
    let mut first_publish = first;
    let mut counted = 0;
    while counted < lead {
        first_publish += 1;
        if is_working(first_publish) {
            counted += 1;
        }
    }
    let last = (quarter_end - 7).max(first_publish);
    if n <= 1 {
        return vec![first_publish; n];
    }
    let span = (last - first_publish) as f64;
    (0..n)
        .map(|i| first_publish + (span * i as f64 / (n - 1) as f64).round() as i64)
        .collect()
}
