//! Stage 9, content production plan: a piece per campaign starting in the quarter (from
//! stage 8's calendar) and per top SEO opportunity (from stage 3's strategy), each with
//! brief, draft, review and publish dates scheduled back from when it must be live,
//! assigned to the roster's content people within their weekly capacity; over-capacity
//! weeks and briefs that would fall before the quarter are reported as conflicts.
//!
//! Production rules (planning assumptions; the scheduling rules themselves are in
//! `quarterdeck_analyses::production`):
//! - a campaign's piece publishes [`CAMPAIGN_LEAD_WORKING_DAYS`] working days before the
//!   campaign launches, so ads, emails and invitations can point at it;
//! - the content type follows the campaign's channel ([`type_for_channel`]);
//! - SEO opportunities are taken best first while their hours fit in [`SEO_SHARE`] of the
//!   writers' quarterly capacity left after campaign pieces (at most [`MAX_SEO_PIECES`];
//!   [`SEO_PIECES_WITHOUT_WRITERS`] when the roster has no content people), spread evenly
//!   over the quarter best first; improving an existing page (striking distance, refresh)
//!   takes a refresh's hours, a content gap a new page of its type;
//! - writers are roster members whose role contains "content".

mod post;

pub(crate) use post::conflict_text;

use chrono::{Months, NaiveDate};
use quarterdeck_analyses::production::{self, Conflict, PieceRequest, Schedule, Writer};
use serde_json::json;

use super::handoff::{
    self, CalendarHandoff, ContentConflict, ContentHandoff, ContentPiece, ContentPlanHandoff,
};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput};
use crate::sources::Objectives;

/// Working days between a campaign piece going live and the campaign's launch.
pub const CAMPAIGN_LEAD_WORKING_DAYS: i64 = 5;
/// Share of the content writers' capacity planned for SEO pieces: the rest is left for
/// campaign pieces and the writing no plan lists (ad copy, edits, social posts).
pub const SEO_SHARE: f64 = 0.6;
/// At most this many SEO pieces a quarter (the rest stay in the backlog).
pub const MAX_SEO_PIECES: usize = 24;
/// SEO pieces listed when no one has a content role (unassigned, as a conflict).
pub const SEO_PIECES_WITHOUT_WRITERS: usize = 8;

/// The content a campaign on `channel` needs.
pub fn type_for_channel(channel: &str) -> &'static str {
    let c = channel.to_ascii_lowercase();
    if c.contains("webinar") {
        "webinar_page"
    } else if c.contains("email") || c.contains("lifecycle") {
        "email"
    } else if c.contains("content") || c.contains("seo") || c.contains("organic") {
        "guide"
    } else {
        // Paid search and social, LinkedIn, display and events send people to a page.
        "landing_page"
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

pub(crate) fn to_day(d: NaiveDate) -> i64 {
    (d - epoch()).num_days()
}

pub(crate) fn to_date(day: i64) -> NaiveDate {
    epoch() + chrono::Duration::days(day)
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let strategy: Option<ContentHandoff> = inputs.handoff(3);
    let calendar: Option<CalendarHandoff> = inputs.handoff(8);
    if strategy.is_none() && calendar.is_none() {
        return Ok(super::inventory::unavailable(
            9,
            inputs,
            "there is nothing to produce: stage 3 handed on no content strategy and stage 8 no campaign calendar".into(),
        ));
    }
    let objectives = Objectives::read(&inputs.data)?;
    let writers: Vec<Writer> = objectives
        .iter()
        .flat_map(|o| &o.roster)
        .filter(|m| m.role.to_ascii_lowercase().contains("content"))
        .map(|m| Writer {
            name: m.name.clone(),
            capacity_hours_per_week: m.capacity_hours_per_week,
        })
        .collect();
    let start = inputs.quarter_start;
    let end = start
        .checked_add_months(Months::new(3))
        .and_then(|d| d.pred_opt())
        .unwrap_or(start);
    let weeks = ((end - start).num_days() + 1) as f64 / 7.0;
    let capacity: f64 = writers
        .iter()
        .map(|w| w.capacity_hours_per_week)
        .sum::<f64>()
        * weeks;
    // Nothing is briefed before this stage runs: its date is the earliest brief.
    let earliest = inputs
        .run
        .stage(9)
        .map_or(start, |s| s.due_at.with_timezone(&inputs.tz).date_naive());
    let requests = requests(
        strategy.as_ref(),
        calendar.as_ref(),
        (start, end),
        earliest.max(start),
        capacity,
    );
    let seo_taken = requests
        .iter()
        .filter(|r| r.serves.starts_with("SEO: "))
        .count();
    let schedule = production::schedule(&requests, &writers, to_day(earliest));
    let conflicts: Vec<ContentConflict> = schedule.conflicts.iter().map(typed).collect();
    let handoff = ContentPlanHandoff {
        pieces: schedule
            .pieces
            .iter()
            .map(|p| ContentPiece {
                title: p.title.clone(),
                content_type: p.content_type.clone(),
                serves: p.serves.clone(),
                owner: p.owner.clone().unwrap_or_else(|| "unassigned".into()),
                brief: to_date(p.brief),
                draft: to_date(p.draft),
                review: to_date(p.review),
                publish: to_date(p.publish),
                hours: p.hours,
            })
            .collect(),
        conflicts: conflicts.clone(),
    };
    let context = post::Context {
        schedule: &schedule,
        writers: &writers,
        conflicts: &conflicts,
        has_strategy: strategy.is_some(),
        has_calendar: calendar.is_some(),
        backlog: strategy
            .as_ref()
            .map_or(0, |s| s.opportunities.len().saturating_sub(seo_taken)),
        quarter: (start, end),
        names: &inputs.names,
    };
    let (message, headline) = post::message(&context);
    let files = post::load_chart(&context).into_iter().collect();
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 9, "available": true, "headline": headline,
            "schedule": schedule, "writers": writers,
            "rules": {
                "brief_to_draft_working_days": production::BRIEF_DAYS,
                "draft_to_review_working_days": production::DRAFT_DAYS,
                "review_to_publish_working_days": production::REVIEW_DAYS,
                "campaign_lead_working_days": CAMPAIGN_LEAD_WORKING_DAYS,
                "seo_share_of_capacity": SEO_SHARE,
                "max_seo_pieces": MAX_SEO_PIECES,
            },
            (handoff::KEY): handoff,
        }),
    )
    .with_files(files))
}

/// The pieces the quarter needs, with the day each must be live; `capacity` is the
/// content writers' hours over the quarter.
fn requests(
    strategy: Option<&ContentHandoff>,
    calendar: Option<&CalendarHandoff>,
    (start, end): (NaiveDate, NaiveDate),
    first_brief: NaiveDate,
    capacity: f64,
) -> Vec<PieceRequest> {
    let mut out = Vec::new();
    for c in calendar.iter().flat_map(|c| &c.campaigns) {
        // A campaign booked last quarter is already live: it launches nothing new.
        if c.kind == "booked" || c.start < start || c.start > end {
            continue;
        }
        let kind = type_for_channel(&c.channel);
        out.push(PieceRequest {
            title: format!("{}: {}", kind.replace('_', " "), c.name),
            content_type: kind.to_owned(),
            serves: c.name.clone(),
            publish_by: production::working_days_before(
                to_day(c.start),
                CAMPAIGN_LEAD_WORKING_DAYS,
            ),
            hours: None,
        });
    }
    let campaign_hours: f64 = out
        .iter()
        .map(|r| production::hours_for(&r.content_type))
        .sum();
    let mut budget = capacity * SEO_SHARE - campaign_hours;
    let hours = |o: &handoff::ContentOpportunity| {
        if o.url.is_some() {
            production::hours_for("refresh")
        } else {
            production::hours_for(&o.content_type)
        }
    };
    let mut top = Vec::new();
    for o in strategy.iter().flat_map(|s| &s.opportunities) {
        if capacity <= 0.0 {
            if top.len() == SEO_PIECES_WITHOUT_WRITERS {
                break;
            }
        } else if top.len() == MAX_SEO_PIECES || hours(o) > budget {
            break;
        } else {
            budget -= hours(o);
        }
        top.push(o);
    }
    let days = production::spread_publish_days(to_day(first_brief), to_day(end), top.len());
    for (o, day) in top.into_iter().zip(days) {
        out.push(PieceRequest {
            title: o.title.clone(),
            content_type: o.content_type.clone(),
            serves: format!(
                "SEO: {} (≈{:.0} clicks/month)",
                o.keyword.as_deref().unwrap_or(&o.title),
                o.extra_clicks_per_month
            ),
            publish_by: day,
            hours: Some(hours(o)),
        });
    }
    out
}

/// The analysis' conflict with its days as dates.
fn typed(c: &Conflict) -> ContentConflict {
    match c {
        Conflict::OverCapacity {
            person,
            week,
            hours,
            capacity,
        } => ContentConflict::OverCapacity {
            person: person.clone(),
            week: to_date(*week),
            hours: *hours,
            capacity: *capacity,
        },
        Conflict::PublishesLate {
            title,
            publish,
            publish_by,
        } => ContentConflict::PublishesLate {
            title: title.clone(),
            publish: to_date(*publish),
            publish_by: to_date(*publish_by),
        },
        Conflict::NoWriters { pieces } => ContentConflict::NoWriters { pieces: *pieces },
    }
}

/// Total planned hours per writer.
pub(crate) fn hours_by_writer(s: &Schedule) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    for w in &s.weeks {
        *out.entry(w.person.clone()).or_insert(0.0) += w.hours;
    }
    out
}

#[cfg(test)]
mod tests;
