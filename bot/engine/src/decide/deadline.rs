//! Plan-deadline warnings: while the plan is not approved, the groups still pending are
//! warned (their roles, never @everyone) at 09:00 local on the business day the
//! configured number of business days before the deadline (default 3 and 1; Monday to
//! Friday in the team's zone, so DST never moves the hour), and once more when the
//! deadline passes unapproved. Each warning is one job with its own id and one post with
//! its own key, so it is said once; nothing is said once the plan is approved.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};

use super::stages::APPROVAL_STAGE;
use crate::domain::RunStatus;
use crate::notice::Awaited;
use crate::{Decision, Event, Job, MissedPolicy, Notice, PlanContext, Rejection};

/// When the warning `business_days` before the deadline is due (0: the deadline itself).
pub fn warning_at(ctx: &PlanContext, business_days: u32) -> DateTime<Utc> {
    if business_days == 0 {
        return ctx.plan_deadline;
    }
    let weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let mut day = ctx.plan_deadline.with_timezone(&ctx.tz).date_naive();
    let mut left = business_days;
    while left > 0 {
        day = day.pred_opt().unwrap_or(day);
        if !weekend(day) {
            left -= 1;
        }
    }
    let nine = day.and_hms_opt(9, 0, 0).unwrap_or_default();
    ctx.tz
        .from_local_datetime(&nine)
        .earliest()
        .map_or(ctx.plan_deadline, |t| t.with_timezone(&Utc))
}

/// Schedules the warnings, and the deadline's own, that are still ahead of `now` when
/// the review opens (scheduling again changes nothing: the job ids are fixed).
pub(super) fn schedule(d: &mut Decision, ctx: &PlanContext, now: DateTime<Utc>) {
    let leads = ctx
        .people
        .plan_deadline_warning_days
        .iter()
        .copied()
        .filter(|n| *n > 0)
        .chain([0]);
    for n in leads {
        let at = warning_at(ctx, n);
        if at <= now {
            // Already past when the review opens: the request itself states the deadline.
            continue;
        }
        d.schedule(
            job_id(&d.run.id, n),
            at,
            Job::Deliver {
                event: Box::new(Event::PlanDeadline { business_days: n }),
            },
            MissedPolicy::SkipAfterGrace,
        );
    }
}

fn job_id(run: &str, business_days: u32) -> String {
    match business_days {
        0 => format!("{run}/s11/deadline/passed"),
        n => format!("{run}/s11/deadline/{n}bd"),
    }
}

/// Warns the groups that have not approved the latest version; silent once approved.
pub(super) fn warn(
    d: &mut Decision,
    ctx: &PlanContext,
    business_days: u32,
) -> Result<(), Rejection> {
    if d.run.approved_version.is_some() || d.run.status != RunStatus::AwaitingApproval {
        return Ok(());
    }
    let Some(version) = d.run.latest_plan().map(|p| p.version) else {
        return Ok(());
    };
    let awaited: Vec<Awaited> = ctx
        .stakeholders
        .iter()
        .filter(|g| !super::approval::group_done(&d.run, g, version))
        .map(|g| Awaited::Group {
            label: g.label.clone(),
            roles: g.role_ids.clone(),
        })
        .collect();
    if awaited.is_empty() {
        return Ok(());
    }
    let what = match business_days {
        0 => "deadline/passed".to_owned(),
        n => format!("deadline/{n}bd"),
    };
    let key = super::stage_key(&d.run, APPROVAL_STAGE, &what);
    d.post(
        key,
        &ctx.channels.approvals,
        Notice::PlanDeadlineWarning {
            version,
            deadline: ctx.plan_deadline,
            business_days,
            awaited,
        },
    );
    Ok(())
}
