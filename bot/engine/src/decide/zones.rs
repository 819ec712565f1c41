//! Owners' own time zones (`/timezone`): each owner's weekly check-in prompt goes at the
//! team's check-in time on their own wall clock, their reminder and close relative to it.
//! A zone is recorded on the run with the person's chat id and name and matched to an
//! owner like a check-in answer (by id when the owner has one, else by name); choosing
//! the team's zone removes the record.
//! Check-in jobs are scheduled per (week, zone): the team's zone always, each owner's
//! zone when it differs ([`schedule_week`]).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::{Actor, PersonZone, QuarterRun, RosterEntry, RunStatus};
use crate::{Decision, Event, Job, MissedPolicy, PlanContext, Rejection};

/// The zone an owner's check-ins follow: their own, or `None` for the team's.
pub(super) fn of(run: &QuarterRun, owner: &RosterEntry) -> Option<String> {
    run.zones
        .iter()
        .find(|z| match &owner.owner_id {
            Some(id) => z.id == *id,
            None => z.name == owner.owner,
        })
        .map(|z| z.zone.clone())
}

/// The distinct own zones of the roster's owners, sorted.
pub(super) fn roster_zones(run: &QuarterRun) -> Vec<String> {
    let mut zones: Vec<String> = run.roster.iter().filter_map(|r| of(run, r)).collect();
    zones.sort();
    zones.dedup();
    zones
}

/// A job key's suffix for a zone: nothing for the team's, `/{zone-slug}` otherwise.
pub(super) fn suffix(zone: Option<&str>) -> String {
    zone.map(|z| format!("/{}", super::kickoff::slug(z)))
        .unwrap_or_default()
}

/// Schedules check-in `week` for the owners in `zone` at the team's check-in time on
/// that zone's wall clock (now, if that has passed).
pub(super) fn schedule_week(
    d: &mut Decision,
    ctx: &PlanContext,
    week: u32,
    zone: Option<&str>,
    now: DateTime<Utc>,
) {
    let Some(at) = ctx.checkin_at(week, zone) else {
        return;
    };
    let id = format!("{}/checkin/w{week:02}/due{}", d.run.id, suffix(zone));
    let event = Event::CheckinDue {
        week,
        zone: zone.map(str::to_owned),
    };
    d.schedule(
        id,
        at.max(now),
        Job::Deliver {
            event: Box::new(event),
        },
        MissedPolicy::SkipAfterGrace,
    );
}

/// `/timezone`: records a person's zone. For a roster owner during the quarter, the
/// check-ins not yet opened are scheduled on their zone's clock too (a week already
/// open keeps the zone it opened with).
pub(super) fn owner_zone(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    zone: &str,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    let tz: Tz = zone.trim().parse().map_err(|_| {
        Rejection::Invalid(format!(
            "zone: expected an IANA time zone such as Europe/Berlin, found {zone:?}"
        ))
    })?;
    let own = (tz != ctx.tz).then(|| tz.name().to_owned());
    let before = d.run.zones.iter().position(|z| z.id == actor.id);
    if before.map(|i| d.run.zones[i].zone.clone()) == own {
        return Err(Rejection::Duplicate(format!(
            "{}'s time zone {}",
            actor.name,
            tz.name()
        )));
    }
    if let Some(i) = before {
        d.run.zones.remove(i);
    }
    if let Some(name) = &own {
        d.run.zones.push(PersonZone {
            id: actor.id.clone(),
            name: actor.name.clone(),
            zone: name.clone(),
        });
    }
    d.audit(actor, "timezone", tz.name().to_owned());
    let owner = d.run.roster.iter().any(|r| super::kickoff::owns(actor, r));
    if let (Some(name), true, RunStatus::Executing) = (&own, owner, d.run.status) {
        for week in (1u32..).take(ctx.checkins.len()) {
            if !d.run.checkins.iter().any(|w| w.week == week) {
                schedule_week(d, ctx, week, Some(name), now);
            }
        }
    }
    Ok(())
}
