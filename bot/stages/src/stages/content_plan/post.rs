//! The content production plan's post: headline, pieces by month, the schedule, each
//! writer's load against capacity, the conflicts, and a weekly load chart.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use quarterdeck_analyses::production::{Schedule, Writer};

use super::{hours_by_writer, to_date};
use crate::charts::{self, LineChart, LineSeries, ReferenceLine, Size, ValueFormat};
use crate::chat::{Message, Table};
use crate::stages::handoff::ContentConflict;
use crate::stages::{OutputFile, stage_title};

pub struct Context<'a> {
    pub schedule: &'a Schedule,
    pub writers: &'a [Writer],
    pub conflicts: &'a [ContentConflict],
    pub has_strategy: bool,
    pub has_calendar: bool,
    /// SEO opportunities left for a later quarter.
    pub backlog: usize,
    pub quarter: (NaiveDate, NaiveDate),
    pub names: &'a crate::report::DisplayNames,
}

/// A conflict as a sentence (no final stop), in this post, the plan's risk and its
/// Appendix B.
pub(crate) fn conflict_text(c: &ContentConflict) -> String {
    match c {
        ContentConflict::OverCapacity {
            person,
            week,
            hours,
            capacity,
        } => format!(
            "{person} is over capacity in the week of {week}: {hours:.1} h of content against {capacity:.0} h"
        ),
        ContentConflict::PublishesLate {
            title,
            publish,
            publish_by,
        } => format!(
            "\"{title}\" can be briefed no earlier than this plan, so it publishes on {publish}, after the {publish_by} it was needed by: its campaign starts on an existing page"
        ),
        ContentConflict::NoWriters { pieces } => format!(
            "no one on the roster has a content role: {pieces} pieces have no writer (add a roster entry with role \"content\" to objectives.toml)"
        ),
    }
}

/// The post and its headline.
pub fn message(c: &Context) -> (Message, String) {
    let s = c.schedule;
    let seo = s
        .pieces
        .iter()
        .filter(|p| p.serves.starts_with("SEO: "))
        .count();
    let campaign = s.pieces.len() - seo;
    let hours: f64 = s.pieces.iter().map(|p| p.hours).sum();
    let weeks = ((c.quarter.1 - c.quarter.0).num_days() + 1) as f64 / 7.0;
    let capacity: f64 = c
        .writers
        .iter()
        .map(|w| w.capacity_hours_per_week)
        .sum::<f64>()
        * weeks;
    let writers = c
        .writers
        .iter()
        .map(|w| w.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let headline = format!(
        "{} pieces to produce for the quarter {} to {}: {campaign} for campaigns and {seo} for SEO opportunities, {hours:.0} hours of work against {capacity:.0} hours of content capacity{}. {}",
        s.pieces.len(),
        c.quarter.0,
        c.quarter.1,
        if writers.is_empty() {
            String::new()
        } else {
            format!(" ({writers})")
        },
        match c.conflicts.len() {
            0 => "No conflicts: every piece fits its writer's week.".to_owned(),
            1 => "One conflict to resolve.".to_owned(),
            n => format!("{n} conflicts to resolve."),
        }
    );
    let mut body = headline.clone();
    if !c.has_calendar {
        body.push_str("\n\nStage 8 handed on no campaign calendar, so only SEO pieces are scheduled; campaign pieces follow when the calendar exists.");
    }
    if !c.has_strategy {
        body.push_str(
            "\n\nStage 3 handed on no content strategy, so only campaign pieces are scheduled.",
        );
    }
    if c.backlog > 0 {
        body.push_str(&format!(
            "\n\n{} further SEO opportunities from stage 3 stay in the backlog: the plan takes them best first, up to {} a quarter or {:.0}% of content capacity, whichever comes first.",
            c.backlog,
            super::MAX_SEO_PIECES,
            super::SEO_SHARE * 100.0
        ));
    }
    if !c.conflicts.is_empty() {
        body.push_str("\n\n**Conflicts**");
        for conflict in c.conflicts.iter().take(12) {
            body.push_str(&format!("\n- {}.", conflict_text(conflict)));
        }
        if c.conflicts.len() > 12 {
            body.push_str(&format!(
                "\n- … and {} more (in the findings).",
                c.conflicts.len() - 12
            ));
        }
    }
    body.push_str(&format!(
        "\n\nMilestones run back from the publish date in working days: brief → draft {}, draft → review {}, review → publish {}; campaign pieces go live {} working days before launch.",
        quarterdeck_analyses::production::BRIEF_DAYS,
        quarterdeck_analyses::production::DRAFT_DAYS,
        quarterdeck_analyses::production::REVIEW_DAYS,
        super::CAMPAIGN_LEAD_WORKING_DAYS
    ));
    let message = Message::new(format!("{} — production schedule", stage_title(9)), body)
        .table(by_month(s))
        .table(load(c))
        .table(schedule_table(s, c.names));
    (message, headline)
}

fn by_month(s: &Schedule) -> Table {
    let mut months: BTreeMap<String, (usize, usize, f64)> = BTreeMap::new();
    for p in &s.pieces {
        let m = months
            .entry(to_date(p.publish).format("%Y-%m").to_string())
            .or_default();
        if p.serves.starts_with("SEO: ") {
            m.1 += 1;
        } else {
            m.0 += 1;
        }
        m.2 += p.hours;
    }
    let mut t = Table::new(
        "Pieces by month of publication",
        &["Month", "Campaign pieces", "SEO pieces", "Hours"],
    );
    for (m, (a, b, h)) in months {
        t = t.row(vec![m, a.to_string(), b.to_string(), format!("{h:.0}")]);
    }
    t
}

fn load(c: &Context) -> Table {
    let totals = hours_by_writer(c.schedule);
    let mut t = Table::new(
        "Load per person",
        &[
            "Person",
            "Capacity / week",
            "Pieces",
            "Hours",
            "Busiest week",
            "Weeks over capacity",
        ],
    );
    for w in c.writers {
        let weeks: Vec<_> = c
            .schedule
            .weeks
            .iter()
            .filter(|x| x.person == w.name)
            .collect();
        let busiest = weeks.iter().max_by(|a, b| a.hours.total_cmp(&b.hours));
        t = t.row(vec![
            w.name.clone(),
            format!("{:.0} h", w.capacity_hours_per_week),
            c.schedule
                .pieces
                .iter()
                .filter(|p| p.owner.as_deref() == Some(w.name.as_str()))
                .count()
                .to_string(),
            format!("{:.0}", totals.get(&w.name).copied().unwrap_or(0.0)),
            busiest.map_or_else(
                || "—".into(),
                |b| format!("{:.1} h (week of {})", b.hours, to_date(b.week)),
            ),
            weeks
                .iter()
                .filter(|x| x.hours > x.capacity + 0.01)
                .count()
                .to_string(),
        ]);
    }
    t
}

fn schedule_table(s: &Schedule, names: &crate::report::DisplayNames) -> Table {
    let mut t = Table::new(
        "Schedule",
        &[
            "Piece", "Type", "Serves", "Owner", "Brief", "Draft", "Review", "Publish", "Hours",
        ],
    );
    for p in &s.pieces {
        t = t.row(vec![
            p.title.clone(),
            names.name(&p.content_type),
            p.serves.clone(),
            p.owner.clone().unwrap_or_else(|| "unassigned".into()),
            to_date(p.brief).to_string(),
            to_date(p.draft).to_string(),
            to_date(p.review).to_string(),
            to_date(p.publish).to_string(),
            format!("{:.0}", p.hours),
        ]);
    }
    t
}

/// Weekly content hours per writer, with capacity as the reference line when every
/// writer has the same capacity (else as a line per writer).
pub fn load_chart(c: &Context) -> Option<OutputFile> {
    let s = c.schedule;
    let first = s.weeks.iter().map(|w| w.week).min()?;
    let last = s.weeks.iter().map(|w| w.week).max()?;
    let weeks: Vec<i64> = (first..=last).step_by(7).collect();
    let series_of = |name: &str| LineSeries {
        name: name.to_owned(),
        values: weeks
            .iter()
            .map(|wk| {
                Some(
                    s.weeks
                        .iter()
                        .filter(|w| w.person == name && w.week == *wk)
                        .map(|w| w.hours)
                        .sum(),
                )
            })
            .collect(),
    };
    let mut series: Vec<LineSeries> = c.writers.iter().map(|w| series_of(&w.name)).collect();
    let capacities: Vec<f64> = c
        .writers
        .iter()
        .map(|w| w.capacity_hours_per_week)
        .collect();
    let same = capacities.windows(2).all(|w| w[0] == w[1]);
    let reference = match capacities.first() {
        Some(cap) if same => Some(ReferenceLine {
            value: *cap,
            label: "Capacity".into(),
        }),
        _ => None,
    };
    if !same {
        for w in c.writers {
            series.push(LineSeries {
                name: format!("{} capacity", w.name),
                values: weeks
                    .iter()
                    .map(|_| Some(w.capacity_hours_per_week))
                    .collect(),
            });
        }
    }
    let spec = LineChart {
        title: "Weekly content hours against capacity".into(),
        subtitle: Some(format!(
            "Quarter {} to {} · hours spread evenly from brief to publish",
            c.quarter.0, c.quarter.1
        )),
        x_labels: weeks
            .iter()
            .map(|w| to_date(*w).format("%d %b").to_string())
            .collect(),
        series,
        format: ValueFormat::Number,
        value_axis: "Hours per week".into(),
        x_axis: Some("Week starting".into()),
        reference,
        y_from_zero: true,
        size: Size::default(),
    };
    match charts::line_chart(&spec) {
        Ok(png) => Some(OutputFile::png("content-load.png", png.bytes)),
        Err(e) => {
            tracing::warn!(chart = "content-load", error = %e, "chart left out");
            None
        }
    }
}
