//! The simulated people: stakeholders who review the plan (sales asks for a structured
//! hold-back of 5% of paid_social on v1), campaign owners who acknowledge the kickoff (all
//! but one), confirm their launches (one month-1 launch three days late) and answer the
//! weekly check-ins with their numbers to date: spend = planned spend to date × a pace
//! drawn per campaign from the seed (one campaign under-spends, one over-spends); pipeline
//! = what the sample's true response curves and funnel rates give at that spend
//! ([`produced`]), so a channel whose fitted curve was optimistic under-delivers; MQLs =
//! that pipeline at the plan's MQLs per pipeline dollar (MQLs are counted by the score the
//! plan adopted), leads in the generator's proportion to them; and one blocker that stays
//! open and escalates. One owner works from London (a simulated `/timezone`), so their
//! prompt comes at the check-in time on London's clock. They watch the run's
//! state and schedule their answers
//! as ordinary jobs carrying the same events a Discord click would produce, so the
//! engine cannot tell them from people. Every choice is a pure function of the seed and
//! the state, and job ids are stable, so a resumed simulation schedules nothing twice.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::{SimulationSettings, StakeholderGroup};
use crate::domain::pacing::{campaign_milestone_to_date, planned_to_date};
use crate::domain::{
    Actor, AmendmentKind, CampaignFigures, CheckinNumbers, CheckinStatus, QuarterRun, RunStatus,
    StageStatus, Verdict,
};
use crate::engine::{Event, Job, JobSpec, MissedPolicy, PlanContext, slug};
use crate::sample::Truth;

/// Jobs the simulated people want scheduled, given the run as it stands and, when the
/// data was generated, the sample's truth (what the owners' campaigns really produce).
pub fn reactions(
    run: &QuarterRun,
    ctx: &PlanContext,
    sim: &SimulationSettings,
    truth: Option<&Truth>,
) -> Vec<JobSpec> {
    let mut jobs = Vec::new();
    review(run, ctx, sim, &mut jobs);
    kickoff(run, ctx, sim, &mut jobs);
    checkins(run, ctx, sim, truth, &mut jobs);
    jobs
}

/// The stakeholder who speaks for `group` in the simulation.
pub fn stakeholder(group: &StakeholderGroup) -> Actor {
    let name = match group.group.as_str() {
        // Plain names: posts name the group beside them ("Sam Okafor (Sales leadership)").
        "marketing" => "Morgan Reyes".to_owned(),
        "sales" => "Sam Okafor".to_owned(),
        "finance" => "Priya Natarajan".to_owned(),
        "executive" => "Dana Whitfield".to_owned(),
        other => format!("{} lead", other),
    };
    let roles: Vec<&str> = group.role_ids.iter().take(1).map(String::as_str).collect();
    Actor::new(format!("sim-{}", group.group), name, &roles)
}

const CHANGE_REQUEST: &str = "Hold back 5% of the paid social budget until the first two weeks of results are in, and show it as a risk.";

fn review(run: &QuarterRun, ctx: &PlanContext, sim: &SimulationSettings, jobs: &mut Vec<JobSpec>) {
    let in_review = run.stage(11).map(|s| s.status) == Some(StageStatus::InReview);
    let revising = run.stages.iter().any(|s| {
        s.number < 11
            && (s.stale || matches!(s.status, StageStatus::Running | StageStatus::Waiting))
    });
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
        let hold_back = AmendmentKind::HoldBack {
            channel: "paid_social".into(),
            share: 0.05,
        };
        let structured = plan
            .figures
            .as_ref()
            .is_some_and(|f| hold_back.check(f).is_ok());
        let event = match verdict {
            Verdict::RequestChanges if structured => Event::Amend {
                actor,
                group: g.group.clone(),
                version: plan.version,
                amendment: hold_back,
                note: Some(CHANGE_REQUEST.to_owned()),
            },
            _ => Event::Verdict {
                actor,
                group: g.group.clone(),
                verdict,
                version: plan.version,
                note: (verdict == Verdict::RequestChanges).then(|| CHANGE_REQUEST.to_owned()),
            },
        };
        let hours = 1 + i64::try_from(i).unwrap_or(0);
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

/// Owners acknowledge the kickoff (all but the last, by name) and confirm their
/// campaigns' launches on the start date (one month-1 launch three days late).
fn kickoff(run: &QuarterRun, ctx: &PlanContext, sim: &SimulationSettings, jobs: &mut Vec<JobSpec>) {
    let Some(at) = run.kickoff.at else {
        return;
    };
    if run.status != RunStatus::Executing {
        return;
    }
    let mut owners: Vec<&str> = run.roster.iter().map(|r| r.owner.as_str()).collect();
    owners.sort_unstable();
    owners.dedup();
    // The last owner never acknowledges.
    for (i, owner) in owners
        .iter()
        .enumerate()
        .take(owners.len().saturating_sub(1))
    {
        if run.kickoff.acknowledged.iter().any(|a| a.name == *owner) {
            continue;
        }
        jobs.push(JobSpec {
            id: format!("{}/sim/ack/{}", run.id, slug(owner)),
            due_at: at + Duration::minutes(45 + 20 * i64::try_from(i).unwrap_or(0)),
            job: Job::Deliver {
                event: Box::new(Event::KickoffAcknowledged {
                    actor: owner_actor(owner),
                }),
            },
            policy: MissedPolicy::RunLate,
        });
    }
    // The first owner works from London and says so with /timezone after kickoff.
    if let Some(owner) = owners.first()
        && !run.zones.iter().any(|z| z.name == *owner)
    {
        jobs.push(JobSpec {
            id: format!("{}/sim/timezone/{}", run.id, slug(owner)),
            due_at: at + Duration::minutes(30),
            job: Job::Deliver {
                event: Box::new(Event::OwnerZone {
                    actor: owner_actor(owner),
                    zone: remote_zone(ctx).to_owned(),
                }),
            },
            policy: MissedPolicy::RunLate,
        });
    }
    let campaigns = crate::engine::approved_campaigns(run);
    let late = late_launch(&campaigns, ctx, sim.seed);
    for c in campaigns.iter().filter(|c| !c.booked) {
        if run.kickoff.launches.iter().any(|l| l.campaign == c.name) {
            continue;
        }
        let due = crate::engine::launch_due(run, ctx, c);
        let day = if Some(&c.name) == late.as_ref() {
            due + Duration::days(3)
        } else {
            due
        };
        let mut rng = rng(sim.seed, 0x1A0 ^ hash(&c.name));
        let local = day.and_hms_opt(9, 0, 0).unwrap_or_default()
            + Duration::minutes(rng.gen_range(0..=120));
        let due = ctx
            .tz
            .from_local_datetime(&local)
            .earliest()
            .map_or(at, |t| t.with_timezone(&Utc));
        jobs.push(JobSpec {
            id: format!("{}/sim/launch/{}", run.id, slug(&c.name)),
            due_at: due.max(at),
            job: Job::Deliver {
                event: Box::new(Event::CampaignLaunched {
                    actor: owner_actor(&c.owner),
                    campaign: c.name.clone(),
                }),
            },
            policy: MissedPolicy::RunLate,
        });
    }
}

/// The zone of the simulated owner who is not in the team's: London, or New York for a
/// team in London.
fn remote_zone(ctx: &PlanContext) -> &'static str {
    if ctx.tz == chrono_tz::Europe::London {
        "America/New_York"
    } else {
        "Europe/London"
    }
}

/// The month-1 campaign that launches late: drawn from the seed.
fn late_launch(campaigns: &[CampaignFigures], ctx: &PlanContext, seed: u64) -> Option<String> {
    let first = ctx.quarter_start;
    let m1: Vec<&CampaignFigures> = campaigns
        .iter()
        .filter(|c| !c.booked && c.start >= first && c.start < first + Duration::days(28))
        .collect();
    if m1.is_empty() {
        return None;
    }
    let i = rng(seed, 0x1A7E).gen_range(0..m1.len());
    Some(m1[i].name.clone())
}

fn owner_actor(owner: &str) -> Actor {
    Actor::new(format!("sim-owner-{}", slug(owner)), owner.to_owned(), &[])
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Each campaign's pace against plan: most within ±10%, one at 55% (under-spending),
/// one at 140% (over-spending); and the campaign whose blocker stays open.
struct Paces {
    under: Option<String>,
    over: Option<String>,
    blocked: Option<String>,
}

fn paces(campaigns: &[CampaignFigures], seed: u64) -> Paces {
    let mut names: Vec<&str> = campaigns
        .iter()
        .filter(|c| !c.booked && c.budget > 0.0)
        .map(|c| c.name.as_str())
        .collect();
    names.shuffle(&mut rng(seed, 0x9ACE));
    Paces {
        under: names.first().map(|s| (*s).to_owned()),
        over: names.get(1).map(|s| (*s).to_owned()),
        blocked: names.get(2).map(|s| (*s).to_owned()),
    }
}

const BLOCKER: &str = "Creative approval waiting on legal";

/// A campaign's pace against its planned spend.
fn pace(c: &CampaignFigures, p: &Paces, seed: u64) -> f64 {
    if p.under.as_ref() == Some(&c.name) {
        0.55
    } else if p.over.as_ref() == Some(&c.name) {
        1.4
    } else {
        rng(seed, hash(&c.name)).gen_range(0.9..1.1)
    }
}

/// Spend to date: the planned pro-rata spend × the campaign's pace, to the cent.
fn spend_to_date(c: &CampaignFigures, p: &Paces, seed: u64, date: NaiveDate) -> f64 {
    cents(planned_to_date(c, date) * pace(c, p, seed))
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What the generated world returns for a campaign to date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Produced {
    pub leads: f64,
    pub mqls: f64,
    pub pipeline: f64,
}

/// What the sample's truth produces for a campaign that spent `campaign_spend` of its
/// channel's `channel_spend` over the quarter's first `weeks` weeks: the channel's true
/// curve at its average weekly spend, held (steady adstock x / (1 − θ)), times the weeks;
/// the campaign's share by spend; that revenue won is pipeline ÷ opportunity→won, and
/// back up the funnel: opportunities = pipeline ÷ mean deal, SQLs = ÷ SQL→opportunity,
/// MQLs = ÷ MQL→SQL, leads = ÷ lead→MQL (the generator's rates for the channel's
/// source). `None` for a channel the truth has no curve or rates for.
pub(crate) fn produced(
    truth: &Truth,
    channel: &str,
    campaign_spend: f64,
    channel_spend: f64,
    weeks: f64,
) -> Option<Produced> {
    let curve = truth.curves.get(channel)?;
    let rates = truth.funnel.get(channel)?;
    if channel_spend <= 0.0 || weeks <= 0.0 {
        return Some(Produced {
            leads: 0.0,
            mqls: 0.0,
            pipeline: 0.0,
        });
    }
    let revenue =
        weeks * curve.steady_weekly_revenue(channel_spend / weeks) * campaign_spend / channel_spend;
    let pipeline = revenue / rates.opportunity_to_won;
    let mqls = pipeline / truth.mean_deal / rates.sql_to_opportunity / rates.mql_to_sql;
    Some(Produced {
        leads: (mqls / rates.lead_to_mql).round(),
        mqls: mqls.round(),
        pipeline: cents(pipeline),
    })
}

/// The numbers an owner reports for `c` on `date`, week `week` (`None` if not in the
/// plan): spend to date at the campaign's pace; leads, MQLs and pipeline from the
/// sample's truth at that spend (without a truth, the plan's milestones to date × the
/// pace).
#[allow(clippy::too_many_arguments)]
fn numbers(
    run: &QuarterRun,
    ctx: &PlanContext,
    truth: Option<&Truth>,
    campaigns: &[CampaignFigures],
    c: Option<&CampaignFigures>,
    p: &Paces,
    week: u32,
    date: NaiveDate,
    seed: u64,
) -> (CheckinStatus, Option<CheckinNumbers>, Option<&'static str>) {
    let Some(c) = c else {
        return (CheckinStatus::OnTrack, None, None);
    };
    let pace = pace(c, p, seed);
    let spend = spend_to_date(c, p, seed, date);
    let channel_spend: f64 = campaigns
        .iter()
        .filter(|o| o.channel == c.channel)
        .map(|o| spend_to_date(o, p, seed, date))
        .sum();
    let weeks = ((date - ctx.quarter_start).num_days() + 1) as f64 / 7.0;
    let world = truth.and_then(|t| produced(t, &c.channel, spend, channel_spend, weeks));
    let plan = crate::engine::locked_plan(run);
    let to_date = |pick: fn(&crate::domain::MonthMilestone) -> f64| {
        plan.map_or(0.0, |f| campaign_milestone_to_date(f, c, date, pick))
    };
    let (leads, mqls, pipeline) = match world {
        Some(w) => {
            // MQLs are counted by the score the plan adopted (stage 4's threshold), whose
            // conversion stage 7's milestones carry: the truth decides the pipeline, the
            // plan's MQLs per dollar of pipeline turn it into MQLs (the generator's rates
            // count MQLs by the old score, about twice as many per dollar).
            let (mql_plan, pipeline_plan) = (to_date(|m| m.mqls), to_date(|m| m.pipeline));
            let mqls = if pipeline_plan > 0.0 && w.mqls > 0.0 {
                (w.pipeline * mql_plan / pipeline_plan).round()
            } else {
                w.mqls
            };
            let leads = if w.mqls > 0.0 {
                (w.leads * mqls / w.mqls).round()
            } else {
                w.leads
            };
            (leads, mqls, w.pipeline)
        }
        None => {
            let mqls = (to_date(|m| m.mqls) * pace).round();
            (
                (mqls * 3.0).round(),
                mqls,
                cents(to_date(|m| m.pipeline) * pace),
            )
        }
    };
    let blocked = p.blocked.as_ref() == Some(&c.name) && (2..=5).contains(&week);
    let n = CheckinNumbers {
        spend_to_date: spend,
        leads,
        mqls,
        pipeline,
        blockers: if blocked {
            vec![BLOCKER.to_owned()]
        } else {
            Vec::new()
        },
    };
    let (status, note) = if pace < 0.75 {
        (
            CheckinStatus::OffTrack,
            Some("Spend is under-delivering; asking for a budget review."),
        )
    } else if blocked || pace > 1.25 {
        (
            CheckinStatus::AtRisk,
            Some("Pacing away from plan; adjusting this week."),
        )
    } else {
        (CheckinStatus::OnTrack, None)
    };
    (status, Some(n), note)
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
    truth: Option<&Truth>,
    jobs: &mut Vec<JobSpec>,
) {
    let plan = fates(run, ctx, sim);
    let campaigns = crate::engine::approved_campaigns(run);
    let p = paces(&campaigns, sim.seed);
    for week in run.checkins.iter().filter(|w| w.open) {
        let date = ctx.local_date(week.due_at);
        for (idx, e) in week.entries.iter().enumerate() {
            // Owners answer their prompt, which comes at 09:00 on their own clock.
            let Some(prompted) = e.prompted_at else {
                continue;
            };
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
            let c = campaigns.iter().find(|c| c.name == e.campaign);
            let (status, numbers, note) = numbers(
                run, ctx, truth, &campaigns, c, &p, week.week, date, sim.seed,
            );
            let event = Event::CheckinAnswered {
                actor: owner_actor(&e.owner),
                week: week.week,
                campaign: e.campaign.clone(),
                status,
                note: note.map(str::to_owned),
                numbers,
            };
            jobs.push(JobSpec {
                id: format!(
                    "{}/sim/checkin/w{:02}/{}",
                    run.id,
                    week.week,
                    slug(&e.campaign)
                ),
                due_at: at_least(prompted + delay, prompted),
                job: Job::Deliver {
                    event: Box::new(event),
                },
                policy: MissedPolicy::RunLate,
            });
        }
    }
}

/// Which (week, roster index) pairs answer late or not at all: drawn once from the seed,
/// among the weeks someone is asked (a holiday week excuses everyone).
fn fates(
    run: &QuarterRun,
    ctx: &PlanContext,
    sim: &SimulationSettings,
) -> Vec<(u32, usize, Answer)> {
    let weeks = u32::try_from(ctx.checkins.len()).unwrap_or(0);
    let n = run.roster.len();
    let mut grid: Vec<(u32, usize)> = (1..=weeks)
        .filter(|w| !ctx.holiday_checkins.contains(w))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{Curve, FunnelRates};

    /// paid_social's true curve: logistic, β = 10,000 a week, λ = 1/1,000, θ = 0.5;
    /// paid_social's funnel: lead→MQL 0.30, MQL→SQL 0.22, SQL→opportunity 0.35,
    /// opportunity→won 0.30; a mean deal of 10,000.
    fn truth() -> Truth {
        Truth {
            curves: [(
                "paid_social".to_owned(),
                Curve::Logistic {
                    beta: 10_000.0,
                    lambda: 0.001,
                    adstock_decay: 0.5,
                },
            )]
            .into(),
            funnel: [(
                "paid_social".to_owned(),
                FunnelRates {
                    lead_to_mql: 0.30,
                    mql_to_sql: 0.22,
                    sql_to_opportunity: 0.35,
                    opportunity_to_won: 0.30,
                },
            )]
            .into(),
            mean_deal: 10_000.0,
        }
    }

    #[test]
    fn a_campaigns_results_are_its_spend_share_of_the_true_curve_through_the_funnel() {
        // The channel spent 2,000 over two weeks, the campaign 1,400 of it.
        let got = produced(&truth(), "paid_social", 1_400.0, 2_000.0, 2.0).unwrap();

        // 1,000 a week held: adstock 1,000 / (1 − 0.5) = 2,000, λA = 2, so a week
        // brings 10,000 · (1 − e⁻²)/(1 + e⁻²) = 10,000 · tanh(1) = 7,615.94; two weeks
        // 15,231.88; the campaign's 70% is 10,662.32 won; pipeline = ÷ 0.30 =
        // 35,541.06; opportunities 3.5541; SQLs ÷ 0.35 = 10.1546; MQLs ÷ 0.22 = 46.16
        // → 46; leads ÷ 0.30 = 153.9 → 154.
        assert!((got.pipeline - 35_541.06).abs() <= 0.02, "{got:?}");
        assert_eq!((got.mqls, got.leads), (46.0, 154.0));
    }

    #[test]
    fn a_channel_without_a_true_curve_has_no_world_figures_and_no_spend_produces_nothing() {
        assert_eq!(produced(&truth(), "seo", 100.0, 100.0, 2.0), None);
        let none = produced(&truth(), "paid_social", 0.0, 0.0, 2.0).unwrap();
        assert_eq!((none.leads, none.mqls, none.pipeline), (0.0, 0.0, 0.0));
    }
}
