//! Presentation at the edge of the engine: turns each [`Notice`] `decide` emits into the
//! neutral chat [`Message`] (title, markdown body, tables, buttons). Mentions go into the
//! text as placeholders ([`Mention::inline`]) that each chat adapter renders in its own
//! syntax; nothing here knows a chat service. Times are shown in the team's zone.
//!
//! Decisions never read the text written here: tests of `decide` assert on notices.

use crate::chat::{Button, ButtonStyle, Mention, Message, Table};
use crate::domain::display::{DisplayNames, cents, count, money, percent, plural, whole};
use crate::domain::{QuarterRun, StageId, Verdict};
use chrono::{DateTime, Utc};

use super::notice::{
    Action, Awaited, DigestRow, Escalation, Figure, FigureMove, LaunchTiming, Notice, Person,
    PlanLine, Skipped, TallyGroup, WeekDigest,
};
use super::{Event, PlanContext};

/// The neutral message of `notice`, for the team of `ctx`.
pub fn present(notice: &Notice, ctx: &PlanContext) -> Message {
    match notice {
        Notice::StageResult { message } => message.clone(),
        Notice::StageFailed {
            stage,
            error,
            owner_role,
        } => Message::new(
            format!("Stage {stage} · {} could not run", stage_name(*stage)),
            format!(
                "{error}\n\nFix the input and ask for a re-run (`/plan rerun {stage}`); later stages wait for it. {}",
                role(owner_role)
            ),
        ),
        Notice::JobFailed {
            job,
            attempts,
            error,
            owner_role,
        } => {
            let tries = if *attempts == 1 {
                "its only attempt".to_owned()
            } else {
                format!("all {attempts} attempts")
            };
            Message::new(
                "A scheduled job failed",
                format!(
                    "`{job}` failed on {tries} and will not be tried again.\n\
                     Last error: {error}\n\nWhat it was for can be run again from `/stage rerun` \
                     once the cause is fixed."
                ),
            )
            .mention(Mention::Role(owner_role.clone()))
        }
        Notice::ApprovalRequest {
            version,
            reason,
            hash,
            groups,
            deadline,
            actions,
            amendments,
            moved,
        } => {
            let groups: Vec<String> = groups
                .iter()
                .map(|g| format!("{} ({}, {} needed)", g.label, roles(&g.roles), g.quorum))
                .collect();
            let mut msg = Message::new(
                format!("Stage 11 · Approve plan v{version}"),
                format!(
                    "Plan v{version} is ready for approval ({reason}).\nHash `{}`.\n\nEach group approves, rejects or requests changes: \
                     {}.\nA change request makes a new version that needs approval again. Deadline: {}.",
                    short_hash(hash),
                    groups.join("; "),
                    ctx.local(*deadline),
                ),
            );
            msg.buttons = actions.iter().map(button).collect();
            if !amendments.is_empty() {
                let lines: Vec<String> = amendments
                    .iter()
                    .map(|a| format!("- {} ({}, {})", a.describe, a.by, a.group))
                    .collect();
                msg.body.push_str(&format!(
                    "\n\n**Amendments in this version:**\n{}",
                    lines.join("\n")
                ));
            }
            if let Some((before, moves)) = moved.as_ref().filter(|(_, m)| !m.is_empty()) {
                let lines: Vec<String> = moves
                    .iter()
                    .map(|m| figure_move(m, &ctx.display_names))
                    .collect();
                msg.body.push_str(&format!(
                    "\n\n**Figures that moved since v{before}:**\n{}",
                    lines.join("\n")
                ));
            }
            msg
        }
        Notice::Verdict {
            version,
            group,
            actor,
            verdict,
            note,
            answered_by,
        } => {
            let what = match verdict {
                Verdict::Approve => "approved",
                Verdict::Reject => "rejected",
                Verdict::RequestChanges => "requested changes to",
            };
            let mut body = format!("{actor} ({group}) {what} plan v{version}.");
            if let Some(n) = note {
                body.push_str(&format!("\n> {n}"));
            }
            match verdict {
                Verdict::Approve => {}
                Verdict::Reject => body.push_str(
                    "\nThe plan cannot be approved in this version; request changes with a note to revise it.",
                ),
                Verdict::RequestChanges => body.push_str(&format!(
                    "\n{} please answer with `/amend` (a structured change) or new data; {actor} is told when \
                     plan v{} is ready.",
                    answered_by
                        .as_ref()
                        .map_or_else(|| "Plan owners".to_owned(), |r| roles(r)),
                    version + 1
                )),
            }
            Message::new(format!("Plan v{version} · {group}"), body)
        }
        Notice::AlignedShare {
            version,
            owners,
            share,
        } => aligned_message(*version, owners, *share),
        Notice::ApprovalTally {
            version,
            groups,
            approved,
        } => tally_message(*version, groups, *approved),
        Notice::Amendment {
            version,
            actor,
            group,
            describe,
            note,
            stages,
        } => {
            let stages: Vec<String> = stages.iter().map(u8::to_string).collect();
            // The note is the requester's own sentence: it keeps its punctuation.
            let said = note.as_ref().map_or_else(
                || ".".to_owned(),
                |n| {
                    let stop = if n.ends_with(['.', '!', '?']) {
                        ""
                    } else {
                        "."
                    };
                    format!(" — {n}{stop}")
                },
            );
            let body = format!(
                "{actor} ({group}) amends plan v{version}: **{describe}**{said}\nStages {} compute again; plan v{} follows \
                 and needs approval again if its figures change.",
                stages.join(", "),
                version + 1
            );
            Message::new(format!("Plan v{version} · amendment"), body)
        }
        Notice::PlanDeadlineWarning {
            version,
            deadline,
            business_days,
            awaited,
        } => {
            let who: Vec<String> = awaited
                .iter()
                .filter_map(|a| match a {
                    Awaited::Group { label, roles: r } => Some(format!("{} ({label})", roles(r))),
                    Awaited::Backup { .. } | Awaited::Member { .. } => None,
                })
                .collect();
            let (title, when) = match business_days {
                0 => (
                    format!("Plan deadline passed · v{version} not approved"),
                    format!(
                        "The plan was due to be approved by {}.",
                        ctx.local(*deadline)
                    ),
                ),
                1 => (
                    format!("Plan deadline tomorrow · v{version} awaits approval"),
                    format!(
                        "The plan is due to be approved by {}, one business day from now.",
                        ctx.local(*deadline)
                    ),
                ),
                n => (
                    format!("Plan deadline in {n} business days · v{version} awaits approval"),
                    format!(
                        "The plan is due to be approved by {}.",
                        ctx.local(*deadline)
                    ),
                ),
            };
            Message::new(
                title,
                format!(
                    "{when} Still waiting for: {}. Approve, request changes or reject on the \
                     approval message, or with `/approve`, `/request-changes`, `/reject`.",
                    who.join(", ")
                ),
            )
        }
        Notice::ApprovalReminder {
            version,
            awaited,
            deadline,
        } => {
            if let [Awaited::Member { label, name, .. }] = awaited.as_slice() {
                let mut msg = Message::new(
                    format!("Reminder · plan v{version} awaits your decision"),
                    format!(
                        "{name}, {label} has not decided on plan v{version} yet. Approve, request \
                         changes or reject on the approval message in the approvals channel, or \
                         with `/approve`, `/request-changes`, `/reject` there. The plan is due \
                         to be approved by {}.",
                        ctx.local(*deadline)
                    ),
                );
                msg.direct = notice.recipient().map(str::to_owned);
                return msg;
            }
            let who: Vec<String> = awaited
                .iter()
                .map(|a| match a {
                    Awaited::Backup { label, user } => {
                        format!(
                            "{} (backup for {label})",
                            Mention::User(user.clone()).inline()
                        )
                    }
                    Awaited::Member { label, user, .. } => {
                        format!("{} ({label})", Mention::User(user.clone()).inline())
                    }
                    Awaited::Group { label, roles: r } => format!("{} ({label})", roles(r)),
                })
                .collect();
            Message::new(
                format!("Reminder · plan v{version} awaits approval"),
                format!(
                    "Still waiting for: {}. The plan is due to be approved by {}.",
                    who.join(", "),
                    ctx.local(*deadline)
                ),
            )
        }
        Notice::PlanApproved {
            version,
            hash,
            kickoff_at,
        } => Message::new(
            format!("Plan v{version} approved"),
            format!(
                "Every stakeholder group approved plan v{version} (hash `{}`). {} follows on {}.",
                short_hash(hash),
                stage_name(StageId::Kickoff.number()),
                ctx.local(*kickoff_at),
            ),
        ),
        Notice::KickoffCampaign {
            campaign,
            owner,
            plan,
            actions,
        } => {
            let owner = person(owner);
            let body = match plan {
                Some(c) => format!(
                    "Owner: {owner}\nChannel: {}\nBudget in the quarter: {}\nDates: {} to {}\n\n\
                     Acknowledge that you have read the plan; confirm the launch with the button or \
                     `/campaign launched` when it is live.",
                    ctx.display_names.name(&c.channel),
                    cents(c.budget),
                    c.start,
                    c.end
                ),
                None => format!(
                    "Owner: {owner}\nBooked before this plan; it reports at the weekly check-ins.\n\n\
                     Acknowledge that you have read the plan."
                ),
            };
            let mut msg = Message::new(format!("Kickoff · {campaign}"), body);
            msg.buttons = actions.iter().map(button).collect();
            msg
        }
        Notice::CampaignLaunched {
            campaign,
            by,
            timing,
        } => {
            let when = match timing {
                LaunchTiming::OnSchedule { due } => format!("on schedule (due {due})"),
                LaunchTiming::Late { days, due } => format!("{days} days late (due {due})"),
                LaunchTiming::BookedBefore => "booked before the plan".into(),
            };
            Message::new(
                format!("Launched · {campaign}"),
                format!("{by} confirmed {campaign} is live, {when}."),
            )
        }
        Notice::LaunchNudge {
            campaign,
            owner,
            due,
        } => Message::new(
            format!("Not launched yet · {campaign}"),
            format!(
                "{}: {campaign} was due to launch on {} and no launch is confirmed. \
                 Confirm with `/campaign launched` when it is live, or say what blocks it.",
                person(owner),
                due.map(|d| d.to_string()).unwrap_or_default()
            ),
        ),
        Notice::SuccessCriteria {
            at,
            criteria: c,
            deadline,
        } => {
            let title = match at.as_str() {
                "week4" => "Success criteria · end of week 4",
                _ => "Success criteria · quarter end",
            };
            let approved = c
                .plan_approved_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| ctx.local(t.with_timezone(&Utc)));
            let approval = match (approved, c.approved_by_deadline) {
                (Some(at), true) => format!("met (approved {at})"),
                (Some(at), false) => format!("not met (approved {at})"),
                (None, _) => "not met (not approved)".to_owned(),
            };
            let launches = if c.month1_due < c.month1_launches {
                format!(
                    "{} of the {} due so far ({} more due later in the month)",
                    c.month1_launched_on_schedule,
                    c.month1_due,
                    c.month1_launches - c.month1_due
                )
            } else {
                format!("{} of {}", c.month1_launched_on_schedule, c.month1_launches)
            };
            let completion = if c.checkins_owed == 0 {
                "no check-in is due yet".to_owned()
            } else {
                format!(
                    "{} of the {} owed{} answered ({})",
                    count(c.checkins_answered),
                    plural(c.checkins_owed, "check-in", "check-ins"),
                    if at == "quarter_end" { "" } else { " so far" },
                    percent(c.checkin_completion)
                )
            };
            let body = format!(
                "- Plan approved by the deadline ({}): {approval}\n- Team aligned: {:.0}% of campaign owners acknowledged the plan\n\
                 - Month-1 launches on schedule: {launches}\n- Check-in completion: {completion}",
                ctx.local(*deadline),
                c.aligned_share * 100.0,
            );
            Message::new(title, body)
        }
        Notice::CheckinPrompt {
            week,
            weeks,
            closes,
            campaign,
            owner,
            plan,
            actions,
            thread,
            zone,
        } => {
            let closes = ctx.local_in(*closes, zone.as_deref());
            let mut msg = Message::new(
                format!("Check-in · week {week} of {weeks} · {campaign}"),
                checkin_prompt_body(ctx, campaign, owner, plan.as_ref(), &closes),
            );
            msg.buttons = actions.iter().map(button).collect();
            msg.direct = notice.recipient().map(str::to_owned);
            msg.fallback_thread_of = thread.clone();
            msg
        }
        Notice::CheckinReminder { week, pending } => {
            let pending: Vec<String> = pending
                .iter()
                .map(|(owner, campaign)| format!("{owner} ({campaign})"))
                .collect();
            Message::new(
                format!("Reminder · week {week} check-in"),
                format!("Still waiting for: {}.", pending.join(", ")),
            )
        }
        Notice::CheckinSummary { digest, .. } => weekly_digest(digest, &ctx.display_names),
        Notice::RunCompleted {
            quarter,
            weeks,
            excused_weeks,
            answered,
            owed,
        } => {
            let excused = match excused_weeks {
                0 => String::new(),
                n => format!(" ({} excused: a team holiday)", plural(*n, "week", "weeks")),
            };
            Message::new(
                format!("{quarter} complete"),
                format!(
                    "The quarter is over: {weeks} weekly check-ins{excused}, {} of the {} campaign \
                     updates owed received. Planning for the next quarter starts with week 1's \
                     performance review.",
                    count(*answered),
                    count(*owed)
                ),
            )
        }
        Notice::ActualsStored {
            quarter,
            folder,
            files,
        } => {
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            let mut msg = Message::new(
                format!("{quarter} actuals stored"),
                format!(
                    "What campaign owners reported at the check-ins, in the shape the performance \
                     review reads ({}), is stored in `{folder}` for the next quarter's review, and \
                     attached here.",
                    names.join(", ")
                ),
            );
            msg.attachments = files.clone();
            msg
        }
        Notice::JobsSkipped { owner_role, jobs } => {
            let lines: Vec<String> = jobs.iter().map(|j| skipped_line(j, ctx)).collect();
            Message::new(
                "Missed while Quarterdeck was offline",
                format!(
                    "{} these were due while no instance was running and are past the grace period, so they \
                     were skipped rather than sent late:\n{}",
                    role(owner_role),
                    lines.join("\n")
                ),
            )
        }
    }
}

/// The digest post of check-in week `week` as the run stands.
pub fn week_digest_message(run: &QuarterRun, ctx: &PlanContext, week: u32) -> Message {
    weekly_digest(
        &super::decide::week_digest(run, ctx, week),
        &ctx.display_names,
    )
}

fn stage_name(n: u8) -> &'static str {
    StageId::from_number(n).map_or("unknown stage", StageId::name)
}

fn short_hash(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

fn role(id: &str) -> String {
    Mention::Role(id.to_owned()).inline()
}

/// Roles as mentions, comma-separated (an empty list still names an empty role, as a
/// misconfiguration should show).
fn roles(ids: &[String]) -> String {
    if ids.is_empty() {
        return role("");
    }
    ids.iter().map(|r| role(r)).collect::<Vec<_>>().join(", ")
}

/// A check-in prompt's text: the owner, the campaign's own plan line to date (never the
/// whole roster), what to answer and by when.
fn checkin_prompt_body(
    ctx: &PlanContext,
    campaign: &str,
    owner: &Person,
    plan: Option<&PlanLine>,
    closes: &str,
) -> String {
    let line = match plan {
        Some(p) => format!(
            "Plan: {} in the quarter, {} to {}, {}\nPlanned spend to {}: {}\nMQL milestone to {}: {}",
            cents(p.figures.budget),
            p.figures.start,
            p.figures.end,
            ctx.display_names.name(&p.figures.channel),
            p.date,
            cents(p.planned_spend_to_date),
            p.date,
            whole(p.mql_milestone_to_date),
        ),
        None => "Booked before this plan: report what it has spent and brought in so far.".into(),
    };
    format!(
        "{}, how is {campaign} tracking against plan?\n\n{line}\n\n\
         Choose a status; a form then asks for spend to date, leads, MQLs, pipeline and \
         blockers. Answer by {}.",
        person(owner),
        closes
    )
}

/// A person as a mention when their chat id is known, else by name.
fn person(p: &Person) -> String {
    p.id.as_ref()
        .map_or_else(|| p.name.clone(), |id| Mention::User(id.clone()).inline())
}

fn button(action: &Action) -> Button {
    let (label, style) = match action {
        Action::Verdict { verb, .. } => match *verb {
            "approve" => ("Approve", ButtonStyle::Success),
            "reject" => ("Reject", ButtonStyle::Danger),
            _ => ("Request changes", ButtonStyle::Secondary),
        },
        Action::Checkin { status, .. } => match *status {
            "on_track" => ("On track", ButtonStyle::Success),
            "off_track" => ("Off track", ButtonStyle::Danger),
            _ => ("At risk", ButtonStyle::Secondary),
        },
        Action::Acknowledge { .. } => ("Acknowledge", ButtonStyle::Success),
        Action::Launched { .. } => ("Launched", ButtonStyle::Primary),
    };
    Button {
        custom_id: action.custom_id(),
        label: label.to_owned(),
        style,
    }
}

fn figure_move(m: &FigureMove, names: &DisplayNames) -> String {
    match m {
        FigureMove::Amount { what, from, to } => {
            // Money to the cent (an amendment moves cents); an MQL target in whole leads.
            let (name, show): (String, fn(f64) -> String) = match what {
                Figure::Total => ("Total".into(), cents),
                Figure::Reserve => ("Reserve".into(), cents),
                Figure::Channel(c) => (names.name(c), cents),
                Figure::Target(m) if m == "mqls" => (format!("{} target", names.name(m)), whole),
                Figure::Target(m) => (format!("{} target", names.name(m)), cents),
            };
            format!("- {name}: {} → {}", show(*from), show(*to))
        }
        FigureMove::Campaign { name, from, to } => {
            format!("- {name}: {} {} → {} {}", from.0, from.1, to.0, to.1)
        }
    }
}

fn skipped_line(j: &Skipped, ctx: &PlanContext) -> String {
    let what = match &j.event {
        Event::CheckinDue { week, .. } => format!("week {week} check-in"),
        Event::CheckinReminder { week, .. } => format!("week {week} check-in reminder"),
        Event::CheckinClose { week, .. } => format!("week {week} check-in close"),
        other => other.name().replace('_', " "),
    };
    format!("- {what} (due {})", ctx.local(j.due_at))
}

fn share(x: f64, of: f64) -> String {
    if of > 0.0 {
        format!("{:.0}%", x / of * 100.0)
    } else {
        "—".into()
    }
}

fn weekly_digest(g: &WeekDigest, names: &DisplayNames) -> Message {
    let week = g.week;
    if !g.held {
        return Message::new(
            format!("Check-in summary · week {week}"),
            "No check-in this week.",
        );
    }
    if g.holiday {
        // Nothing was reported: no pace against a plan that moved on without answers.
        return Message::new(
            format!("Check-in summary · week {week}"),
            format!(
                "Excused: holiday. The check-in fell on a team holiday: nobody was asked, \
                 and none of the {} campaigns owes this week.",
                g.away
            ),
        );
    }
    let mut body = format!(
        "{} on track, {} at risk, {} off track, {} did not check in, {} away.",
        g.on_track, g.at_risk, g.off_track, g.silent, g.away,
    );
    if let Some(p) = &g.pace {
        body.push_str(&format!(
            "\n\n**Against the approved plan, to {}:**\n- Spend {} of {} planned ({})\n- MQLs {} of {} \
             (stage 7 milestones, {})\n- Pipeline {} of {} ({})",
            p.date,
            money(p.spend_to_date),
            money(p.planned_spend_to_date),
            share(p.spend_to_date, p.planned_spend_to_date),
            whole(p.mqls_to_date),
            whole(p.mql_milestone_to_date),
            share(p.mqls_to_date, p.mql_milestone_to_date),
            money(p.pipeline_to_date),
            money(p.pipeline_milestone_to_date),
            share(p.pipeline_to_date, p.pipeline_milestone_to_date),
        ));
        // The channels add up to the spend line above: reported spend against the
        // planned spend of all their campaigns.
        let lines: Vec<String> = p
            .by_channel()
            .iter()
            .map(|c| {
                format!(
                    "- {}: {} of {} ({}), {} of {} reported",
                    names.name(&c.channel),
                    money(c.spend_to_date),
                    money(c.planned_spend_to_date),
                    share(c.spend_to_date, c.planned_spend_to_date),
                    c.reporting,
                    plural(c.campaigns, "campaign", "campaigns"),
                )
            })
            .collect();
        body.push_str(&format!(
            "\n\n**Spend by channel** (each campaign's latest report):\n{}",
            lines.join("\n")
        ));
    }
    let mut table = Table::new(
        "",
        &[
            "Campaign",
            "Owner",
            "Status",
            "Spend vs plan",
            "MQLs",
            "Blockers",
        ],
    );
    for r in &g.rows {
        table = table.row(digest_row(r));
    }
    if !g.not_checked_in.is_empty() {
        // In the order the chat shows them (people by their mention, others by name).
        let shown = |p: &Person| {
            p.id.as_ref().map_or_else(
                || p.name.clone(),
                |id| Mention::User(id.clone()).to_markdown(),
            )
        };
        let mut names: Vec<(String, String)> = g
            .not_checked_in
            .iter()
            .map(|p| (shown(p), person(p)))
            .collect();
        names.sort();
        names.dedup();
        let names: Vec<String> = names.into_iter().map(|(_, n)| n).collect();
        body.push_str(&format!("\n\nNot checked in: {}.", names.join(", ")));
    }
    if !g.escalations.is_empty() {
        let lines: Vec<String> = g.escalations.iter().map(escalation).collect();
        body.push_str(&format!(
            "\n\n**Escalated** ({}):\n- {}",
            role(&g.owner_role),
            lines.join("\n- ")
        ));
    }
    Message::new(format!("Check-in summary · week {week}"), body).table(table)
}

fn digest_row(r: &DigestRow) -> Vec<String> {
    let spend = match (r.spend, r.planned_spend) {
        (Some(n), Some(c)) => format!("{} / {} ({})", money(n), money(c), share(n, c)),
        (Some(n), None) => money(n),
        _ => "—".into(),
    };
    let blockers: Vec<String> = r
        .blockers
        .iter()
        .map(|(b, age)| {
            if *age > 1 {
                format!("{b} ({age} weeks)")
            } else {
                b.clone()
            }
        })
        .collect();
    let status = if r.late {
        format!("{} (late)", r.status.words())
    } else {
        r.status.words().to_owned()
    };
    vec![
        r.campaign.clone(),
        r.owner.clone(),
        status,
        spend,
        r.mqls.map_or_else(|| "—".into(), whole),
        if blockers.is_empty() {
            "—".into()
        } else {
            blockers.join("; ")
        },
    ]
}

fn escalation(e: &Escalation) -> String {
    match e {
        Escalation::OffPace {
            campaign,
            owner,
            off,
        } => format!(
            "{campaign} is {} plan by {:.0}% ({owner}): {}",
            if *off < 0.0 { "under" } else { "over" },
            off.abs() * 100.0,
            if *off < 0.0 {
                "under-spending; is the budget still needed?"
            } else {
                "over-spending; check the pacing with finance"
            }
        ),
        Escalation::BlockerOpen {
            campaign,
            owner,
            blocker,
            weeks,
        } => format!("{campaign}: blocker open {weeks} weeks — {blocker} ({owner})"),
    }
}

/// The live tally of a plan version: each group's approvals against its quorum and every
/// decision on the version, by name, with its note.
fn tally_message(version: u32, groups: &[TallyGroup], approved: bool) -> Message {
    let mut lines = Vec::new();
    for g in groups {
        let approvals = g
            .decisions
            .iter()
            .filter(|d| d.verdict == Verdict::Approve)
            .count();
        lines.push(format!(
            "**{}**: {approvals} of {} approval{} needed",
            g.label,
            g.needed,
            if g.needed == 1 { "" } else { "s" }
        ));
        if g.decisions.is_empty() {
            lines.push("- no decision yet".to_owned());
        }
        for d in &g.decisions {
            let what = match d.verdict {
                Verdict::Approve => "approved",
                Verdict::Reject => "rejected",
                Verdict::RequestChanges => "requested changes",
            };
            let carried = d
                .carried_from
                .map(|v| format!(" (carried over from v{v})"))
                .unwrap_or_default();
            let note = d
                .note
                .as_ref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            lines.push(format!("- {} {what}{carried}{note}", d.actor));
        }
    }
    let state = if approved {
        format!("Plan v{version} is approved by every group.")
    } else if groups
        .iter()
        .flat_map(|g| &g.decisions)
        .any(|d| d.verdict != Verdict::Approve)
    {
        format!(
            "Plan v{version} cannot be approved as it stands; a new version follows the changes."
        )
    } else {
        format!("Decisions on plan v{version} so far; this message is updated after each one.")
    };
    Message::new(
        format!("Plan v{version} · approval tally"),
        format!("{state}\n\n{}", lines.join("\n")),
    )
}

/// The kickoff's alignment count: the aligned share and each owner's acknowledgement.
fn aligned_message(version: u32, owners: &[(String, bool)], share: f64) -> Message {
    let done = owners.iter().filter(|(_, a)| *a).count();
    let lines: Vec<String> = owners
        .iter()
        .map(|(name, acked)| {
            format!(
                "- {name}: {}",
                if *acked { "acknowledged" } else { "not yet" }
            )
        })
        .collect();
    Message::new(
        format!("Plan v{version} · who is aligned"),
        format!(
            "{done} of {} campaign owners acknowledged the plan ({:.0}% aligned). \
             Acknowledge with the button on your campaign's post or a ✅ reaction here; \
             this message is updated after each one.\n\n{}",
            owners.len(),
            share * 100.0,
            lines.join("\n")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SuccessCriteria;
    use crate::decide::tests::ctx;
    use chrono::TimeZone;

    /// How a medium with `@` mentions would show them.
    fn at(m: &Mention) -> String {
        match m {
            Mention::Role(id) => format!("@&{id}"),
            Mention::User(id) => format!("@{id}"),
        }
    }

    #[test]
    fn a_failed_stage_addresses_the_owner_role_through_a_mention_the_medium_renders() {
        let notice = Notice::StageFailed {
            stage: 2,
            error: "leads.csv, row 7: bad date".into(),
            owner_role: "ops".into(),
        };

        let shown = present(&notice, &ctx()).render_mentions(at);

        assert_eq!(shown.title, "Stage 2 · Funnel health could not run");
        assert!(shown.body.starts_with("leads.csv, row 7: bad date\n\n"));
        assert!(
            shown.body.ends_with("later stages wait for it. @&ops"),
            "{}",
            shown.body
        );
    }

    #[test]
    fn an_amendment_quotes_the_requesters_sentence_with_one_full_stop() {
        let amendment = |note: Option<&str>| Notice::Amendment {
            version: 1,
            actor: "Sam Okafor".into(),
            group: "Sales leadership".into(),
            describe: "hold back 5% of Paid Social in the test reserve".into(),
            note: note.map(str::to_owned),
            stages: vec![6, 7],
        };
        let first_line = |n: &Notice| {
            let body = present(n, &ctx()).body;
            body.lines().next().unwrap_or_default().to_owned()
        };

        assert!(
            first_line(&amendment(Some("Show it as a risk."))).ends_with("— Show it as a risk.")
        );
        assert!(first_line(&amendment(Some("Why now?"))).ends_with("— Why now?"));
        assert!(
            first_line(&amendment(Some("Show it as a risk"))).ends_with("— Show it as a risk.")
        );
        assert!(first_line(&amendment(None)).ends_with("in the test reserve**."));
    }

    #[test]
    fn week_four_criteria_count_only_the_launches_and_check_ins_already_due() {
        let c = ctx();
        let criteria = SuccessCriteria {
            plan_approved_at: Some("2027-01-13T00:00:00Z".into()),
            plan_deadline: "2027-01-15T22:00:00Z".into(),
            approved_by_deadline: true,
            aligned_share: 5.0 / 6.0,
            month1_launches: 12,
            month1_launched_on_schedule: 8,
            month1_due: 9,
            checkin_completion: 0.0,
            checkins_owed: 0,
            checkins_answered: 0,
        };
        let notice = |at: &str, criteria: SuccessCriteria| Notice::SuccessCriteria {
            at: at.into(),
            criteria,
            deadline: c.plan_deadline,
        };

        let early = present(&notice("week4", criteria.clone()), &c).body;
        let end = present(
            &notice(
                "quarter_end",
                SuccessCriteria {
                    month1_due: 12,
                    month1_launched_on_schedule: 11,
                    checkin_completion: 0.995,
                    checkins_owed: 200,
                    checkins_answered: 199,
                    ..criteria
                },
            ),
            &c,
        )
        .body;

        // The approval instant is shown in the team's zone, not as RFC 3339.
        let approved = c.local(Utc.with_ymd_and_hms(2027, 1, 13, 0, 0, 0).unwrap());
        assert!(
            early.contains(&format!("met (approved {approved})")),
            "{early}"
        );
        assert!(
            early.contains("on schedule: 8 of the 9 due so far (3 more due later in the month)"),
            "{early}"
        );
        assert!(
            early.contains("Check-in completion: no check-in is due yet"),
            "{early}"
        );
        assert!(end.contains("on schedule: 11 of 12\n"), "{end}");
        assert!(
            end.contains("Check-in completion: 199 of the 200 check-ins owed answered (99.5%)"),
            "{end}"
        );
    }

    #[test]
    fn a_digest_paces_each_channel_and_the_channels_add_up_to_the_spend_line() {
        use crate::domain::pacing::{CampaignPace, WeekPace};
        let campaign = |name: &str, channel: &str, spend: Option<f64>, planned: f64| CampaignPace {
            campaign: name.into(),
            channel: channel.into(),
            owner: "Avery".into(),
            spend_to_date: spend,
            planned_spend_to_date: planned,
            off_pace: None,
        };
        let pace = WeekPace {
            week: 2,
            date: chrono::NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
            spend_to_date: 4_750.0,
            planned_spend_to_date: 9_000.0,
            mqls_to_date: 0.0,
            mql_milestone_to_date: 0.0,
            pipeline_to_date: 0.0,
            pipeline_milestone_to_date: 0.0,
            campaigns: vec![
                campaign("A", "paid_search", Some(4_000.0), 5_000.0),
                campaign("C", "events", None, 3_000.0),
                campaign("B", "paid_search", Some(750.0), 1_000.0),
            ],
        };
        let digest = WeekDigest {
            week: 2,
            held: true,
            holiday: false,
            on_track: 2,
            at_risk: 0,
            off_track: 0,
            silent: 1,
            away: 0,
            pace: Some(pace),
            rows: Vec::new(),
            not_checked_in: Vec::new(),
            escalations: Vec::new(),
            owner_role: "ops".into(),
        };
        let c = ctx();
        let notice = Notice::CheckinSummary {
            digest,
            update: false,
        };

        let body = present(&notice, &c).body;

        let search = c.display_names.name("paid_search");
        let events = c.display_names.name("events");
        assert!(
            body.contains("- Spend $4,750 of $9,000 planned (53%)"),
            "{body}"
        );
        assert!(
            body.contains(&format!(
                "**Spend by channel** (each campaign's latest report):\n- {search}: $4,750 of $6,000 (79%), 2 of 2 campaigns reported\n\
                 - {events}: $0 of $3,000 (0%), 0 of 1 campaign reported"
            )),
            "{body}"
        );
    }

    #[test]
    fn a_digest_names_silent_owners_by_mention_when_their_id_is_known_else_by_name() {
        let digest = WeekDigest {
            week: 3,
            held: true,
            holiday: false,
            on_track: 1,
            at_risk: 0,
            off_track: 0,
            silent: 2,
            away: 0,
            pace: None,
            rows: Vec::new(),
            not_checked_in: vec![
                Person {
                    id: None,
                    name: "Jordan".into(),
                },
                Person {
                    id: Some("42".into()),
                    name: "Avery".into(),
                },
            ],
            escalations: Vec::new(),
            owner_role: "ops".into(),
        };
        let notice = Notice::CheckinSummary {
            digest,
            update: false,
        };

        let shown = present(&notice, &ctx()).render_mentions(at);

        assert!(
            shown.body.contains("Not checked in: @42, Jordan."),
            "{}",
            shown.body
        );
        assert!(!shown.body.contains("Escalated"), "{}", shown.body);
    }

    #[test]
    fn an_approval_reminder_climbs_from_the_groups_roles_to_the_backup_approver() {
        let notice = Notice::ApprovalReminder {
            version: 2,
            awaited: vec![
                Awaited::Backup {
                    label: "Finance".into(),
                    user: "cfo".into(),
                },
                Awaited::Group {
                    label: "Sales".into(),
                    roles: vec!["sales".into(), "sales-ops".into()],
                },
            ],
            deadline: ctx().plan_deadline,
        };

        let shown = present(&notice, &ctx()).render_mentions(at);

        assert!(
            shown.body.starts_with(
                "Still waiting for: @cfo (backup for Finance), @&sales, @&sales-ops (Sales)."
            ),
            "{}",
            shown.body
        );
    }
}
