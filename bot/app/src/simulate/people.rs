//! The simulated people: stakeholders who review the plan and campaign owners who
//! answer the weekly check-ins. They watch the run's state and schedule their answers
//! as ordinary jobs carrying the same events a Discord click would produce, so the
//! engine cannot tell them from people. Every choice is a pure function of the seed and
//! the state, and job ids are stable, so a resumed simulation schedules nothing twice.

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::{SimulationSettings, StakeholderGroup};
use crate::domain::{Actor, CheckinStatus, QuarterRun, StageStatus, Verdict};
use crate::engine::{Event, Job, JobSpec, MissedPolicy, PlanContext};

/// Jobs the simulated people want scheduled, given the run as it stands.
pub fn reactions(run: &QuarterRun, ctx: &PlanContext, sim: &SimulationSettings) -> Vec<JobSpec> {
    let mut jobs = Vec::new();
    review(run, ctx, sim, &mut jobs);
    checkins(run, ctx, sim, &mut jobs);
    jobs
}

/// The stakeholder who speaks for `group` in the simulation.
pub fn stakeholder(group: &StakeholderGroup) -> Actor {
    let name = match group.group.as_str() {
        "marketing" => "Morgan Reyes (VP Marketing)".to_owned(),
        "sales" => "Sam Okafor (VP Sales)".to_owned(),
        "finance" => "Priya Natarajan (Finance)".to_owned(),
        "executive" => "Dana Whitfield (CEO)".to_owned(),
        other => format!("{} lead", other),
    };
    let roles: Vec<&str> = group.role_ids.iter().take(1).map(String::as_str).collect();
    Actor::new(format!("sim-{}", group.group), name, &roles)
}

const CHANGE_REQUEST: &str = "Hold back 5% of the paid social budget until the first two weeks of results are in, and show it as a risk.";

fn review(run: &QuarterRun, ctx: &PlanContext, sim: &SimulationSettings, jobs: &mut Vec<JobSpec>) {
    let in_review = run.stage(11).map(|s| s.status) == Some(StageStatus::InReview);
    let revising = run.stage(10).map(|s| s.status) == Some(StageStatus::Running);
    let Some(plan) = run.latest_plan() else {
        return;
    };
    if !in_review || revising {
        return;
    }
    let opened = run
        .stage(11)
        .map_or(plan.created_at, |s| s.due_at.max(plan.created_at));
    let asks_changes = sim.change_request && plan.version == 1;
    for (i, g) in ctx.stakeholders.iter().enumerate() {
        // With a change request on v1, the first group approves and the second asks for
        // changes; the rest wait for v2.
        let verdict = match (asks_changes, i) {
            (false, _) | (true, 0) => Verdict::Approve,
            (true, 1) => Verdict::RequestChanges,
            (true, _) => continue,
        };
        let actor = stakeholder(g);
        let note = (verdict == Verdict::RequestChanges).then(|| CHANGE_REQUEST.to_owned());
        let event = Event::Verdict {
            actor,
            group: g.group.clone(),
            verdict,
            version: plan.version,
            note,
        };
        let hours = 1 + i64::try_from(i).unwrap_or(0) * 2;
        jobs.push(JobSpec {
            id: format!("{}/sim/verdict/v{}/{}", run.id, plan.version, g.group),
            due_at: opened + Duration::hours(hours),
            job: Job::Deliver {
                event: Box::new(event),
            },
            policy: MissedPolicy::RunLate,
        });
    }
}

/// How one owner answers one week's check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    OnTime,
    Late,
    Missed,
}

fn checkins(
    run: &QuarterRun,
    ctx: &PlanContext,
    sim: &SimulationSettings,
    jobs: &mut Vec<JobSpec>,
) {
    let plan = fates(run, ctx, sim);
    for week in run.checkins.iter().filter(|w| w.open) {
        for (idx, e) in week.entries.iter().enumerate() {
            if e.status != CheckinStatus::Pending {
                continue;
            }
            let answer = plan
                .iter()
                .find(|(w, i, _)| *w == week.week && *i == idx)
                .map_or(Answer::OnTime, |(_, _, a)| *a);
            let mut rng = rng(sim.seed, u64::from(week.week) * 1_000 + idx as u64);
            let delay = match answer {
                Answer::Missed => continue,
                Answer::OnTime => Duration::minutes(rng.gen_range(30..=300)),
                Answer::Late => ctx.checkin_window / 2 + Duration::minutes(rng.gen_range(60..=240)),
            };
            let roll: f64 = rng.r#gen();
            let (status, note) = if roll < 0.7 {
                (CheckinStatus::OnTrack, None)
            } else if roll < 0.9 {
                (
                    CheckinStatus::AtRisk,
                    Some("Pacing behind plan on qualified leads; testing new creative this week."),
                )
            } else {
                (
                    CheckinStatus::OffTrack,
                    Some("Spend is under-delivering; asking for a budget review."),
                )
            };
            let event = Event::CheckinAnswered {
                actor: Actor::new(
                    format!("sim-owner-{}", slug(&e.owner)),
                    e.owner.clone(),
                    &[],
                ),
                week: week.week,
                campaign: e.campaign.clone(),
                status,
                note: note.map(str::to_owned),
                numbers: None,
            };
            jobs.push(JobSpec {
                id: format!(
                    "{}/sim/checkin/w{:02}/{}",
                    run.id,
                    week.week,
                    slug(&e.campaign)
                ),
                due_at: at_least(week.due_at + delay, week.due_at),
                job: Job::Deliver {
                    event: Box::new(event),
                },
                policy: MissedPolicy::RunLate,
            });
        }
    }
}

/// Which (week, roster index) pairs answer late or not at all: drawn once from the seed.
fn fates(
    run: &QuarterRun,
    ctx: &PlanContext,
    sim: &SimulationSettings,
) -> Vec<(u32, usize, Answer)> {
    let weeks = u32::try_from(ctx.checkins.len()).unwrap_or(0);
    let n = run.roster.len();
    let mut grid: Vec<(u32, usize)> = (1..=weeks)
        .flat_map(|w| (0..n).map(move |i| (w, i)))
        .collect();
    grid.shuffle(&mut rng(sim.seed, 0xC0FFEE));
    let late = sim.late_checkins as usize;
    let missed = sim.missed_checkins as usize;
    grid.iter()
        .take(late + missed)
        .enumerate()
        .map(|(k, (w, i))| {
            (
                *w,
                *i,
                if k < late {
                    Answer::Late
                } else {
                    Answer::Missed
                },
            )
        })
        .collect()
}

fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn at_least(t: DateTime<Utc>, floor: DateTime<Utc>) -> DateTime<Utc> {
    t.max(floor)
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
