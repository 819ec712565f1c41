//! Stage 12 and the quarter after it, the people's side: the approved plan handed to
//! each campaign (one post per campaign, which the Discord adapter opens as a thread,
//! with Acknowledge and Launched buttons), acknowledgements and the aligned share,
//! launches confirmed by owners, month-1 launches checked the day after their start
//! (late ones nudged), and the success criteria posted at the end of week 4 and at the
//! quarter's end.
//!
//! Aligned share = distinct campaign owners who acknowledged / distinct campaign owners.
//! A month-1 launch is a planned (not booked) campaign starting in the quarter's first
//! month; it is on schedule when confirmed on or before its scheduled date (local): its
//! start, or the kickoff date for one planned to start before kickoff.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use serde::Serialize;

use super::stage_key;
use super::stages::KICKOFF_STAGE;
use crate::domain::{
    Acknowledgement, Actor, CampaignFigures, Launch, QuarterRun, RosterEntry, RunStatus,
};
use crate::notice::{Action, LaunchTiming, Person};
use crate::{Decision, Event, Job, MissedPolicy, Notice, PlanContext, Rejection};

/// `summary.json`'s `success_criteria`, and the success-criteria post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuccessCriteria {
    pub plan_approved_at: Option<String>,
    pub plan_deadline: String,
    pub approved_by_deadline: bool,
    pub aligned_share: f64,
    pub month1_launches: usize,
    pub month1_launched_on_schedule: usize,
    /// Month-1 launches due (in the team's zone) by the time the criteria are measured:
    /// at the end of week 4 some of the month's launches are still ahead.
    pub month1_due: usize,
    /// Answered check-ins / check-ins owed (excused weeks not owed); 0 while none is owed.
    pub checkin_completion: f64,
    /// Check-ins owed so far (excused weeks not owed).
    pub checkins_owed: usize,
    /// Of those, answered (on time or late).
    pub checkins_answered: usize,
}

/// Lowercase words joined by `-`: campaign names in keys and button ids.
pub fn slug(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// The outbox key of a campaign's kickoff post (a thread on Discord).
pub(super) fn campaign_key(run: &QuarterRun, campaign: &str) -> String {
    stage_key(run, KICKOFF_STAGE, &format!("campaign/{}", slug(campaign)))
}

/// The campaigns of the approved plan (stage 10's figures of the approved version).
pub fn approved_campaigns(run: &QuarterRun) -> Vec<CampaignFigures> {
    run.approved_campaigns()
}

/// Campaigns starting in the quarter's first month, not booked last quarter.
fn month1(run: &QuarterRun, ctx: &PlanContext) -> Vec<CampaignFigures> {
    run.month1_campaigns(ctx.quarter_start)
}

/// The date a campaign is due to launch: its start, or kickoff day if that is later.
pub fn launch_due(run: &QuarterRun, ctx: &PlanContext, c: &CampaignFigures) -> NaiveDate {
    run.launch_due(c, ctx.tz)
}

/// The person `actor` is `entry`'s owner: by chat id when one is known, else by name.
pub fn owns(actor: &Actor, entry: &RosterEntry) -> bool {
    match &entry.owner_id {
        Some(id) => *id == actor.id,
        None => entry.owner == actor.name,
    }
}

/// Kickoff: hands out the campaigns and schedules launch checks and the week-4 post.
pub(super) fn start(d: &mut Decision, ctx: &PlanContext, now: DateTime<Utc>) {
    for r in &mut d.run.roster {
        if r.owner_id.is_none() {
            r.owner_id = ctx.people.id_of(&r.owner).map(str::to_owned);
        }
    }
    d.run.kickoff.at = Some(now);
    let version = d.run.approved_version.unwrap_or_default();
    let campaigns = approved_campaigns(&d.run);
    let channel = ctx.channels.for_stage(KICKOFF_STAGE).to_owned();
    for r in d.run.roster.clone() {
        let plan = campaigns.iter().find(|c| c.name == r.campaign).cloned();
        let s = slug(&r.campaign);
        let mut actions = vec![Action::Acknowledge {
            run: d.run.id.clone(),
            version,
        }];
        if plan.is_some() {
            actions.push(Action::Launched {
                run: d.run.id.clone(),
                campaign: s.clone(),
            });
        }
        let notice = Notice::KickoffCampaign {
            campaign: r.campaign.clone(),
            owner: Person {
                id: r.owner_id.clone(),
                name: r.owner.clone(),
            },
            plan,
            actions,
        };
        d.post(campaign_key(&d.run, &r.campaign), &channel, notice);
    }
    super::aligned::post(d, ctx);
    for c in month1(&d.run, ctx) {
        let due = launch_due(&d.run, ctx, &c);
        let at = local_time(ctx, due + Duration::days(1), 10).max(now);
        d.schedule(
            format!("{}/s12/launch-check/{}", d.run.id, slug(&c.name)),
            at,
            Job::Deliver {
                event: Box::new(Event::LaunchCheck { campaign: c.name }),
            },
            MissedPolicy::RunLate,
        );
    }
    // The end of week 4: Friday of kickoff week, 17:00 local.
    let mut day = ctx.local_date(ctx.stage_due.get(11).copied().unwrap_or(now));
    while day.weekday() != Weekday::Fri {
        day = day.succ_opt().unwrap_or(day);
    }
    d.schedule(
        format!("{}/s12/criteria/week4", d.run.id),
        local_time(ctx, day, 17).max(now),
        Job::Deliver {
            event: Box::new(Event::SuccessCriteria { at: "week4".into() }),
        },
        MissedPolicy::RunLate,
    );
}

fn local_time(ctx: &PlanContext, day: NaiveDate, hour: u32) -> DateTime<Utc> {
    let t = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    ctx.tz
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| t.and_utc(), |x| x.with_timezone(&Utc))
}

fn kicked_off(run: &QuarterRun) -> Result<(), Rejection> {
    if matches!(run.status, RunStatus::Executing) && run.kickoff.at.is_some() {
        Ok(())
    } else {
        Err(Rejection::NotNow("the plan has not been kicked off".into()))
    }
}

pub(super) fn acknowledge(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    kicked_off(&d.run)?;
    if d.run.kickoff.acknowledged.iter().any(|a| a.id == actor.id) {
        return Err(Rejection::Duplicate(format!(
            "{}'s acknowledgement",
            actor.name
        )));
    }
    d.run.kickoff.acknowledged.push(Acknowledgement {
        id: actor.id.clone(),
        name: actor.name.clone(),
        at: now,
    });
    d.audit(
        actor,
        "kickoff_acknowledged",
        format!("aligned share now {:.0}%", d.run.aligned_share() * 100.0),
    );
    super::aligned::edit(d, ctx);
    Ok(())
}

pub(super) fn launched(
    d: &mut Decision,
    ctx: &PlanContext,
    actor: &Actor,
    campaign: &str,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    kicked_off(&d.run)?;
    let entry = d
        .run
        .roster
        .iter()
        .find(|r| r.campaign == campaign || slug(&r.campaign) == campaign)
        .cloned()
        .ok_or_else(|| {
            Rejection::Invalid(format!(
                "campaign {campaign:?} is not on this quarter's roster"
            ))
        })?;
    if !owns(actor, &entry) && !actor.has_any_role(&ctx.roles.run_stages) {
        return Err(Rejection::NotAuthorized {
            actor: actor.name.clone(),
            action: format!("confirm the launch of {}", entry.campaign),
            needed: format!("being its owner ({})", entry.owner),
        });
    }
    if d.run
        .kickoff
        .launches
        .iter()
        .any(|l| l.campaign == entry.campaign)
    {
        return Err(Rejection::Duplicate(format!(
            "the launch of {}",
            entry.campaign
        )));
    }
    let on = ctx.local_date(now);
    d.run.kickoff.launches.push(Launch {
        campaign: entry.campaign.clone(),
        by: actor.name.clone(),
        at: now,
        on,
    });
    d.audit(
        actor,
        "campaign_launched",
        format!("{} on {on}", entry.campaign),
    );
    let planned = approved_campaigns(&d.run)
        .into_iter()
        .find(|c| c.name == entry.campaign);
    let timing = match planned {
        Some(c) => {
            let due = launch_due(&d.run, ctx, &c);
            if on <= due {
                LaunchTiming::OnSchedule { due }
            } else {
                LaunchTiming::Late {
                    days: (on - due).num_days(),
                    due,
                }
            }
        }
        None => LaunchTiming::BookedBefore,
    };
    let key = stage_key(
        &d.run,
        KICKOFF_STAGE,
        &format!("launched/{}", slug(&entry.campaign)),
    );
    d.post(
        key,
        ctx.channels.for_stage(KICKOFF_STAGE),
        Notice::CampaignLaunched {
            campaign: entry.campaign.clone(),
            by: actor.name.clone(),
            timing,
        },
    );
    Ok(())
}

pub(super) fn launch_check(
    d: &mut Decision,
    ctx: &PlanContext,
    campaign: &str,
) -> Result<(), Rejection> {
    if d.run
        .kickoff
        .launches
        .iter()
        .any(|l| l.campaign == campaign)
        || d.run.status != RunStatus::Executing
    {
        return Ok(());
    }
    let Some(entry) = d
        .run
        .roster
        .iter()
        .find(|r| r.campaign == campaign)
        .cloned()
    else {
        return Ok(());
    };
    let due = approved_campaigns(&d.run)
        .into_iter()
        .find(|c| c.name == campaign)
        .map(|c| launch_due(&d.run, ctx, &c));
    let key = stage_key(&d.run, KICKOFF_STAGE, &format!("nudge/{}", slug(campaign)));
    d.post(
        key,
        ctx.channels.for_stage(KICKOFF_STAGE),
        Notice::LaunchNudge {
            campaign: campaign.to_owned(),
            owner: Person {
                id: entry.owner_id.clone(),
                name: entry.owner.clone(),
            },
            due,
        },
    );
    Ok(())
}

/// The success criteria as they stand at `as_of`.
pub fn success_criteria(
    run: &QuarterRun,
    ctx: &PlanContext,
    as_of: DateTime<Utc>,
) -> SuccessCriteria {
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let approved_at = run.approved_at();
    let month1 = run.month1_launches(ctx.quarter_start, ctx.tz);
    let month1_due = run.month1_due_by(ctx.quarter_start, ctx.tz, ctx.local_date(as_of));
    let (owed, answered) = run.checkins_owed_and_answered();
    SuccessCriteria {
        plan_approved_at: approved_at.map(ts),
        plan_deadline: ts(ctx.plan_deadline),
        approved_by_deadline: approved_at.is_some_and(|t| t <= ctx.plan_deadline),
        aligned_share: run.aligned_share(),
        month1_launches: month1.planned,
        month1_launched_on_schedule: month1.on_schedule,
        month1_due,
        checkin_completion: if owed == 0 {
            0.0
        } else {
            answered as f64 / owed as f64
        },
        checkins_owed: owed,
        checkins_answered: answered,
    }
}

pub(super) fn post_criteria(
    d: &mut Decision,
    ctx: &PlanContext,
    at: &str,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    if d.run.kickoff.criteria_posted.iter().any(|p| p == at) {
        return Err(Rejection::Duplicate(format!("the {at} success criteria")));
    }
    d.run.kickoff.criteria_posted.push(at.to_owned());
    let criteria = success_criteria(&d.run, ctx, now);
    let key = stage_key(&d.run, KICKOFF_STAGE, &format!("criteria/{at}"));
    d.post(
        key,
        &ctx.channels.default,
        Notice::SuccessCriteria {
            at: at.to_owned(),
            criteria,
            deadline: ctx.plan_deadline,
        },
    );
    Ok(())
}
