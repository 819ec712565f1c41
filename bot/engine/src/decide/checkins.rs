//! Weekly check-ins from kickoff to the quarter's end: a prompt to every campaign owner
//! at the team's check-in time on their own wall clock (their `/timezone`, else the
//! team's zone; see [`super::zones`]), a reminder halfway through their window if they
//! have not answered, and a close that records them as missed if still silent. When the
//! last owner's window has closed the week's digest is posted (pacing against the
//! locked plan, see [`super::digest`]). Owners answer with a status and their
//! campaign's numbers to date; an owner away that week (`/away`) is excused; an answer
//! after the close still counts and the digest is posted again, updated. Owners are
//! matched by chat id when configured, else by name; a delegate may answer for an owner
//! who is away. The last close completes the run. Jobs skipped after downtime are
//! reported in one message.

use chrono::{DateTime, Utc};

use crate::domain::pacing::{campaign_milestone_to_date, planned_to_date};
use crate::domain::{
    Absence, Actor, CheckinEntry, CheckinNumbers, CheckinStatus, CheckinWeek, RunStatus,
};
use crate::notice::{Action, CHECKIN_STATUSES, Person, PlanLine, Skipped};
use crate::{Decision, Event, Job, MissedPolicy, Notice, PlanContext, Rejection, SkippedJob};

fn key(d: &Decision, week: u32, what: &str) -> String {
    format!("{}/checkin/w{week:02}/{what}", d.run.id)
}

pub(super) fn due(
    d: &mut Decision,
    ctx: &PlanContext,
    week: u32,
    zone: &Option<String>,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if d.run.status != RunStatus::Executing {
        return Err(Rejection::NotNow("check-ins start after kickoff".into()));
    }
    let on_clock = zone
        .as_deref()
        .map(|z| format!(" on {z}'s clock"))
        .unwrap_or_default();
    match d.run.checkins.iter().find(|w| w.week == week) {
        // A week opened before zones were recorded was opened on the team's clock.
        Some(w) if w.opened.contains(zone) || (zone.is_none() && w.opened.is_empty()) => {
            return Err(Rejection::Duplicate(format!(
                "check-in week {week}{on_clock}"
            )));
        }
        Some(_) => {}
        None => {
            let roster_zones = super::zones::roster_zones(&d.run);
            if zone.as_ref().is_some_and(|z| !roster_zones.contains(z)) {
                return Err(Rejection::NotNow(format!(
                    "no campaign owner checks in{on_clock}"
                )));
            }
            open_week(d, ctx, week, zone.as_deref(), now);
            if ctx.holiday_checkins.contains(&week) {
                return holiday(d, ctx, week, zone, now);
            }
        }
    }
    // The week's date is the team's: away days and the plan line are read on it.
    let dated = d.run.checkins.iter().find(|w| w.week == week);
    let today = ctx.local_date(dated.map_or(now, |w| w.due_at));
    let closes = now + ctx.checkin_window;
    let Some(w) = d.run.checkin_week_mut(week) else {
        return Ok(());
    };
    w.opened.push(zone.clone());
    if !w.open {
        // Closed already: a holiday week, or one skipped after downtime.
        return Ok(());
    }
    let mut prompted = Vec::new();
    let mut owners_here = false;
    for e in w.entries.iter_mut().filter(|e| e.zone == *zone) {
        owners_here = true;
        if e.status == CheckinStatus::Pending && e.prompted_at.is_none() {
            e.prompted_at = Some(now);
            prompted.push(e.campaign.clone());
        }
    }
    prompt_owners(d, ctx, week, today, closes, (zone.as_deref(), &prompted));
    if !owners_here {
        return Ok(());
    }
    let suffix = super::zones::suffix(zone.as_deref());
    let half = now + ctx.checkin_window / 2;
    for (at, what, event) in [
        (
            half,
            "reminder",
            Event::CheckinReminder {
                week,
                zone: zone.clone(),
            },
        ),
        (
            closes,
            "close",
            Event::CheckinClose {
                week,
                zone: zone.clone(),
            },
        ),
    ] {
        d.schedule(
            key(d, week, &format!("{what}{suffix}")),
            at,
            Job::Deliver {
                event: Box::new(event),
            },
            MissedPolicy::SkipAfterGrace,
        );
    }
    Ok(())
}

/// A check-in on a team holiday: nobody is prompted, every owner is excused, and the
/// week closes at once with a digest that says so.
fn holiday(
    d: &mut Decision,
    ctx: &PlanContext,
    week: u32,
    zone: &Option<String>,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if let Some(w) = d.run.checkin_week_mut(week) {
        w.opened.push(zone.clone());
        for e in &mut w.entries {
            e.closed = true;
        }
        w.open = false;
    }
    d.audit(
        &Actor::system(),
        "checkin_holiday",
        format!("week {week}: a team holiday, every owner excused"),
    );
    post_digest(d, ctx, week, now);
    Ok(())
}

/// Opens check-in `week` with an entry per roster campaign, each on its owner's zone;
/// owners away on the week's date are excused. The week is dated at the team's check-in
/// time: now when the team's clock opens it, else the team's time (now, if that passed).
fn open_week(
    d: &mut Decision,
    ctx: &PlanContext,
    week: u32,
    zone: Option<&str>,
    now: DateTime<Utc>,
) {
    let due_at = match zone {
        None => now,
        Some(_) => ctx.checkin_at(week, None).map_or(now, |t| t.max(now)),
    };
    let today = ctx.local_date(due_at);
    let holiday = ctx.holiday_checkins.contains(&week);
    let entries = d
        .run
        .roster
        .iter()
        .map(|r| {
            let away = holiday
                || away_on(&d.run.absences, r.owner_id.as_deref(), &r.owner, today).is_some();
            CheckinEntry {
                campaign: r.campaign.clone(),
                owner: r.owner.clone(),
                owner_id: r.owner_id.clone(),
                status: if away {
                    CheckinStatus::Away
                } else {
                    CheckinStatus::Pending
                },
                answered_at: None,
                late: false,
                note: None,
                numbers: None,
                excused: away,
                zone: super::zones::of(&d.run, r),
                prompted_at: None,
                closed: false,
            }
        })
        .collect();
    d.run.checkins.push(CheckinWeek {
        week,
        due_at,
        open: true,
        entries,
        opened: Vec::new(),
        holiday,
        digest_edits: 0,
    });
}

/// One prompt per campaign of `campaigns` (owners on `zone`'s clock, not away), for that
/// owner alone (a direct message when their chat id is known; the campaign's kickoff
/// thread, else the check-ins channel, is the fallback), with the campaign's own plan
/// line, the close in the owner's zone, and buttons naming run, week, campaign, status.
fn prompt_owners(
    d: &mut Decision,
    ctx: &PlanContext,
    week: u32,
    today: chrono::NaiveDate,
    closes: DateTime<Utc>,
    (zone, campaigns): (Option<&str>, &[String]),
) {
    let plan = super::digest::locked_plan(&d.run).cloned();
    for r in d.run.roster.clone() {
        if !campaigns.contains(&r.campaign) {
            continue;
        }
        let slug = super::kickoff::slug(&r.campaign);
        let line = plan.as_ref().and_then(|p| {
            let c = p.campaigns.iter().find(|c| c.name == r.campaign)?;
            Some(PlanLine {
                figures: c.clone(),
                date: today,
                planned_spend_to_date: planned_to_date(c, today),
                mql_milestone_to_date: campaign_milestone_to_date(p, c, today, |m| m.mqls),
            })
        });
        let notice = Notice::CheckinPrompt {
            week,
            weeks: ctx.checkins.len(),
            closes,
            campaign: r.campaign.clone(),
            owner: Person {
                id: r.owner_id.clone(),
                name: r.owner.clone(),
            },
            plan: line,
            thread: d
                .run
                .kickoff
                .at
                .map(|_| super::kickoff::campaign_key(&d.run, &r.campaign)),
            zone: zone.map(str::to_owned),
            actions: CHECKIN_STATUSES
                .into_iter()
                .map(|status| Action::Checkin {
                    run: d.run.id.clone(),
                    week,
                    campaign: slug.clone(),
                    status,
                })
                .collect(),
        };
        d.post(
            key(d, week, &format!("prompt/{slug}")),
            &ctx.channels.checkins,
            notice,
        );
    }
}

/// The absence covering `date` for the person with this id (or, without one, name).
fn away_on<'a>(
    absences: &'a [Absence],
    id: Option<&str>,
    name: &str,
    date: chrono::NaiveDate,
) -> Option<&'a Absence> {
    absences.iter().find(|a| {
        (match id {
            Some(id) => a.id == id,
            None => a.name == name,
        }) && a.from <= date
            && date <= a.until
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn answer(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    week: u32,
    campaign: &str,
    status: CheckinStatus,
    note: Option<&str>,
    numbers: Option<&CheckinNumbers>,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if matches!(
        status,
        CheckinStatus::Pending | CheckinStatus::Missed | CheckinStatus::Away
    ) {
        return Err(Rejection::Invalid(
            "answer on track, at risk or off track".into(),
        ));
    }
    if let Some(n) = numbers {
        n.check()
            .map_err(|e| Rejection::Invalid(format!("check-in numbers: {e}")))?;
    }
    let may_speak_for_anyone = actor.has_any_role(&ctx.roles.run_stages);
    let next_due = ctx.checkins.get(week as usize).copied();
    let today = ctx.local_date(now);
    let absences = d.run.absences.clone();
    let w = d
        .run
        .checkin_week_mut(week)
        .ok_or_else(|| Rejection::NotNow(format!("check-in week {week} is not open")))?;
    // After the close an answer still counts, until the next week's check-in.
    let after_close = !w.open;
    if after_close && next_due.is_none_or(|t| now >= t) {
        return Err(Rejection::NotNow(format!(
            "check-in week {week} is closed; answer this week's check-in instead"
        )));
    }
    let entry = w
        .entries
        .iter_mut()
        .find(|e| e.campaign == campaign)
        .ok_or_else(|| {
            Rejection::Invalid(format!(
                "campaign {campaign:?} is not on this quarter's roster"
            ))
        })?;
    let owner = match &entry.owner_id {
        Some(id) => *id == actor.id,
        None => entry.owner == actor.name,
    };
    let delegate = away_on(&absences, entry.owner_id.as_deref(), &entry.owner, today)
        .and_then(|a| a.delegate.as_deref())
        == Some(actor.id.as_str());
    if !owner && !delegate && !may_speak_for_anyone {
        return Err(Rejection::NotAuthorized {
            actor: actor.name.clone(),
            action: format!("check in for {campaign}"),
            needed: format!("being its owner ({})", entry.owner),
        });
    }
    let same_again = entry.answered_at.is_some()
        && entry.status == status
        && entry.note.as_deref() == note
        && (numbers.is_none() || entry.numbers.as_ref() == numbers);
    if same_again {
        // A redelivered click or form counts once.
        return Err(Rejection::Duplicate(format!(
            "{}'s week {week} answer for {campaign} ({})",
            actor.name,
            status.words()
        )));
    }
    // After the owner's own window (their zone's close), or the week's.
    if after_close || entry.closed {
        entry.late = true;
    }
    entry.status = status;
    entry.answered_at = Some(now);
    entry.note = note.map(str::to_owned);
    entry.excused = false;
    if numbers.is_some() {
        entry.numbers = numbers.cloned();
    }
    d.audit(
        actor,
        "checkin",
        format!("week {week}, {campaign}: {}", status.as_str()),
    );
    if after_close {
        // The week's digest, edited in place to include this answer; each edit has its
        // own key (a status click and then its numbers form are two edits).
        let edits = d.run.checkin_week_mut(week).map_or(0, |w| {
            w.digest_edits += 1;
            w.digest_edits
        });
        let digest = super::digest::week_digest(&d.run, ctx, week);
        let k = key(d, week, &format!("summary/edit/{edits}"));
        let target = key(d, week, "summary");
        d.edit(
            k,
            &ctx.channels.checkins,
            target,
            Notice::CheckinSummary {
                digest,
                update: true,
            },
        );
    }
    Ok(())
}

/// `/away`: the owner is excused from check-ins on those dates; a delegate (a user id)
/// may answer for them meanwhile.
pub(super) fn away(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    from: chrono::NaiveDate,
    until: chrono::NaiveDate,
    delegate: Option<&str>,
) -> Result<(), Rejection> {
    if until < from {
        return Err(Rejection::Invalid(format!(
            "until: expected a date on or after {from}, found {until}"
        )));
    }
    if until > ctx.quarter_end + chrono::Duration::days(31) {
        return Err(Rejection::Invalid(format!(
            "until: expected a date within the quarter (ends {}), found {until}",
            ctx.quarter_end
        )));
    }
    d.run.absences.push(Absence {
        id: actor.id.clone(),
        name: actor.name.clone(),
        from,
        until,
        delegate: delegate.map(str::to_owned),
    });
    // Open weeks whose date falls in the absence excuse the owner now.
    for w in d.run.checkins.iter_mut().filter(|w| w.open) {
        let date = ctx.local_date(w.due_at);
        if date < from || date > until {
            continue;
        }
        for e in w.entries.iter_mut().filter(|e| {
            e.status == CheckinStatus::Pending
                && match &e.owner_id {
                    Some(id) => *id == actor.id,
                    None => e.owner == actor.name,
                }
        }) {
            e.status = CheckinStatus::Away;
            e.excused = true;
        }
    }
    d.audit(
        actor,
        "away",
        format!(
            "{from} to {until}{}",
            delegate
                .map(|x| format!(", delegate {x}"))
                .unwrap_or_default()
        ),
    );
    Ok(())
}

pub(super) fn remind(
    d: &mut Decision,
    ctx: &PlanContext,
    week: u32,
    zone: &Option<String>,
) -> Result<(), Rejection> {
    let w = d
        .run
        .checkin_week_mut(week)
        .filter(|w| w.open)
        .ok_or_else(|| Rejection::NotNow(format!("check-in week {week} is not open")))?;
    let mut pending = Vec::new();
    for e in w
        .entries
        .iter_mut()
        .filter(|e| e.zone == *zone && !e.closed && e.status == CheckinStatus::Pending)
    {
        // Whoever answers after this point answered late.
        e.late = true;
        pending.push((e.owner.clone(), e.campaign.clone()));
    }
    if pending.is_empty() {
        return Ok(());
    }
    let suffix = super::zones::suffix(zone.as_deref());
    d.post(
        key(d, week, &format!("reminder{suffix}")),
        &ctx.channels.checkins,
        Notice::CheckinReminder { week, pending },
    );
    Ok(())
}

/// The closed week's digest, once; the run completes when it was the last week.
fn post_digest(d: &mut Decision, ctx: &PlanContext, week: u32, now: DateTime<Utc>) {
    let digest = super::digest::week_digest(&d.run, ctx, week);
    d.post(
        key(d, week, "summary"),
        &ctx.channels.checkins,
        Notice::CheckinSummary {
            digest,
            update: false,
        },
    );
    complete_if_done(d, ctx, now);
}

/// The window of the owners on `zone`'s clock is over: the silent are missed. Once every
/// owner's window is over the week closes and its digest is posted.
pub(super) fn close(
    d: &mut Decision,
    ctx: &PlanContext,
    week: u32,
    zone: &Option<String>,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    let w = d
        .run
        .checkin_week_mut(week)
        .filter(|w| w.open)
        .ok_or_else(|| Rejection::NotNow(format!("check-in week {week} is not open")))?;
    if !close_zone(w, zone) {
        return Ok(());
    }
    post_digest(d, ctx, week, now);
    Ok(())
}

/// Ends the window of the entries on `zone`'s clock (the silent are missed) and closes
/// the week when no entry's window is left open; true when it did.
fn close_zone(w: &mut CheckinWeek, zone: &Option<String>) -> bool {
    for e in w.entries.iter_mut().filter(|e| e.zone == *zone) {
        e.closed = true;
        if e.status == CheckinStatus::Pending {
            e.status = CheckinStatus::Missed;
            e.late = false;
        }
    }
    if w.entries.iter().any(|e| !e.closed) {
        return false;
    }
    w.open = false;
    true
}

/// The run completes once every scheduled check-in week is closed (or was skipped).
fn complete_if_done(d: &mut Decision, ctx: &PlanContext, now: DateTime<Utc>) {
    let closed = d.run.checkins.iter().filter(|w| !w.open).count();
    if d.run.status == RunStatus::Executing && closed >= ctx.checkins.len() {
        complete(d, ctx, now);
    }
}

pub(super) fn complete(d: &mut Decision, ctx: &PlanContext, now: DateTime<Utc>) {
    d.run.status = RunStatus::Completed;
    d.run.completed_at = Some(now);
    let (owed, answered) = d.run.checkins_owed_and_answered();
    let notice = Notice::RunCompleted {
        quarter: d.run.quarter.clone(),
        weeks: d.run.checkins.len(),
        excused_weeks: d.run.checkins.iter().filter(|w| w.holiday).count(),
        answered,
        owed,
    };
    let k = format!("{}/complete", d.run.id);
    d.post(k, &ctx.channels.default, notice);
    if d.run.kickoff.at.is_some() {
        let _ = super::kickoff::post_criteria(d, ctx, "quarter_end", now);
    }
}

/// The completed quarter's actuals are stored in `folder`: said once, in the team's
/// channel, with the files attached.
pub(super) fn actuals_stored(
    d: &mut Decision,
    ctx: &PlanContext,
    folder: &str,
    files: &[crate::chat::Attachment],
) -> Result<(), Rejection> {
    if d.run.status != RunStatus::Completed {
        return Err(Rejection::NotNow(
            "the quarter's actuals are stored once it completes".into(),
        ));
    }
    if let Some(at) = &d.run.actuals_stored {
        return Err(Rejection::Duplicate(format!(
            "the quarter's actuals, stored in {at}"
        )));
    }
    d.run.actuals_stored = Some(folder.to_owned());
    let notice = Notice::ActualsStored {
        quarter: d.run.quarter.clone(),
        folder: folder.to_owned(),
        files: files.to_vec(),
    };
    let k = format!("{}/actuals", d.run.id);
    d.post(k, &ctx.channels.default, notice);
    Ok(())
}

pub(super) fn skipped(
    d: &mut Decision,
    ctx: &PlanContext,
    jobs: &[SkippedJob],
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if jobs.is_empty() {
        return Err(Rejection::Invalid("no skipped jobs".into()));
    }
    let mut skipped = Vec::new();
    for j in jobs {
        skipped.push(Skipped {
            event: (*j.event).clone(),
            due_at: j.due_at,
        });
        match j.event.as_ref() {
            Event::CheckinDue { week, .. } if !d.run.checkins.iter().any(|w| w.week == *week) => {
                d.run.checkins.push(CheckinWeek {
                    week: *week,
                    due_at: j.due_at,
                    open: false,
                    entries: Vec::new(),
                    opened: Vec::new(),
                    holiday: false,
                    digest_edits: 0,
                });
            }
            Event::CheckinClose { week, zone } => {
                if let Some(w) = d.run.checkin_week_mut(*week) {
                    close_zone(w, zone);
                }
            }
            _ => {}
        }
    }
    d.audit(
        &Actor::system(),
        "jobs_skipped",
        format!("{} jobs skipped after downtime", jobs.len()),
    );
    let notice = Notice::JobsSkipped {
        owner_role: ctx.roles.owner.clone(),
        jobs: skipped,
    };
    let prefix = format!("{}/", d.run.id);
    let first = jobs[0].id.strip_prefix(&prefix).unwrap_or(&jobs[0].id);
    let k = format!("{}/skipped/{first}", d.run.id);
    d.post(k, &ctx.channels.default, notice);
    complete_if_done(d, ctx, now);
    Ok(())
}
