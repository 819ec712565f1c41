//! Stage 8, campaign planning: the planned quarter's campaigns (channel, budget summing
//! to stage 6's allocation to the cent, dates, owner, objective, success metrics), the
//! testing roadmap funded by stage 6's reserve, the team's workload against capacity, and
//! the calendar as an ICS file.
//!
//! Reads `campaigns.csv` (last quarter's patterns, see [`campaigns`]), `objectives.toml`
//! (roster), `spend.csv` (test baselines and traffic, see [`roadmap`]) through
//! `inputs.data`, and the handoffs of stages 6 (budget, required) and 1 (channel ROAS).

pub(crate) mod campaigns;
mod post;
pub(crate) use post::VALUE_AND_BUDGET;
mod roadmap;
#[cfg(test)]
mod tests;
mod work;

use chrono::{Months, NaiveDate};
use quarterdeck_analyses::quarter_plan::rounding::{from_cents, to_cents};

use campaigns::{Draft, Kind, Span};
use roadmap::Test;
use work::{Function, Item};

use super::handoff::{
    BudgetHandoff, CalendarHandoff, FunnelHandoff, MarketHandoff, OverCommitment,
    PerformanceHandoff, PlannedCampaign, PlannedTest, ScoringHandoff, Workload,
};
use super::{StageError, StageInputs, StageOutput};
use crate::report::money;
use crate::sources::{Member, Objectives};

/// The plan before it is posted.
#[derive(Debug, Clone)]
pub struct CalendarPlan {
    pub handoff: CalendarHandoff,
    pub carried_over: Vec<campaigns::Booked>,
    /// Hours needed and capacity of people with a fitting role, per function.
    pub functions: Vec<(Function, f64, f64)>,
    /// Why the roadmap is short or empty, when it is.
    pub roadmap_note: Option<String>,
    pub reserve: f64,
    pub allocatable: f64,
}

/// The planned quarter from kickoff on: nothing new starts before kickoff, the plan is
/// approved by then.
fn after_launch(inputs: &StageInputs) -> Span {
    let (_, next) = Span::quarters(inputs);
    let launch = super::plan::ledger::launch_from(inputs);
    Span {
        first: launch.clamp(next.first, next.last),
        last: next.last,
    }
}

/// The first day a test can start (after kickoff and set-up) and the whole weeks the
/// quarter leaves from it: stage 6 sizes its geo lift test to them, stage 8 schedules
/// every test in them.
pub(crate) fn test_window(inputs: &StageInputs) -> (NaiveDate, u32) {
    let (first_day, weeks) = roadmap::window(after_launch(inputs));
    (first_day, u32::try_from(weeks).unwrap_or(u32::MAX))
}

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    let Some(budget) = inputs.handoff::<BudgetHandoff>(6) else {
        return Ok(super::inventory::unavailable(
            8,
            inputs,
            "stage 6 produced no budget, so there is no money to plan campaigns with".into(),
        ));
    };
    let Some(table) = inputs.data.table("campaigns.csv")? else {
        return Ok(super::inventory::unavailable(
            8,
            inputs,
            "campaigns.csv is not in the team's data, so last quarter's campaign patterns \
             are unknown"
                .into(),
        ));
    };
    let roster = Objectives::read(&inputs.data)?
        .map(|o| o.roster)
        .unwrap_or_default();
    let next = Span {
        first: inputs.quarter_start,
        last: inputs
            .quarter_start
            .checked_add_months(Months::new(3))
            .and_then(|d| d.pred_opt())
            .unwrap_or(inputs.quarter_start),
    };
    let review = Span {
        first: inputs.review_start,
        last: inputs
            .quarter_start
            .pred_opt()
            .unwrap_or(inputs.quarter_start),
    };
    let label = inputs.run.quarter.clone();
    let history = campaigns::read_history(&table, review, next)?;
    let launch = super::plan::ledger::launch_from(inputs);
    let drafts = campaigns::draft(&budget, &history, next, launch, &label);
    let after_launch = after_launch(inputs);

    let performance = inputs.handoff::<PerformanceHandoff>(1);
    let (mut tests, roadmap_note) = match inputs.data.table("spend.csv")? {
        Some(spend) => {
            let candidates = roadmap::candidates(&spend, review, &budget, performance.as_ref())?;
            let note = candidates.is_empty().then(|| {
                "spend.csv has no channel with both clicks and conversions last quarter, so \
                 no landing-page test could be sized"
                    .to_owned()
            });
            (
                roadmap::plan(&candidates, &budget, after_launch, &label)?,
                note,
            )
        }
        None => (
            Vec::new(),
            Some(
                "spend.csv is not in the data folder: no measured baselines, no landing-page \
                 tests sized"
                    .into(),
            ),
        ),
    };
    tests.extend(
        budget
            .holdout
            .as_ref()
            .and_then(|h| roadmap::geo_lift(h, &budget, after_launch, &label)),
    );
    tests.extend(inputs.handoff::<ScoringHandoff>(4).and_then(|s| {
        roadmap::lead_score(
            &s,
            inputs.handoff::<FunnelHandoff>(2).as_ref(),
            after_launch,
            &label,
        )
    }));
    if let Some(m) = inputs.handoff::<MarketHandoff>(5) {
        tests.extend(roadmap::pilots(
            &m.emerging_channels,
            &budget,
            after_launch,
            &label,
        ));
    }
    roadmap::rank_and_fund(&mut tests, budget.reserve);

    let plan = assemble(
        &budget,
        performance.as_ref(),
        &drafts,
        &tests,
        &roster,
        next,
    );
    let mut plan = CalendarPlan {
        roadmap_note,
        ..plan
    };
    book(&mut plan, &budget, history.carried_over);
    let amended =
        super::amendments::amend_calendar(&mut plan.handoff, &inputs.run.amendments, next.last);
    let context = post::Context {
        run_id: &inputs.run.id,
        team: &inputs.run.team,
        quarter: &inputs.run.quarter,
        quarter_start: inputs.quarter_start,
        names: &inputs.names,
    };
    let mut out = post::output(&plan, &context);
    super::amendments::note_on(&mut out, &amended);
    Ok(out)
}

/// Adds last quarter's bookings to the calendar (their owners keep them) and names the
/// channels whose bookings exceed their allocation.
fn book(plan: &mut CalendarPlan, budget: &BudgetHandoff, booked: Vec<campaigns::Booked>) {
    for ch in &budget.channels {
        let cents = booked
            .iter()
            .filter(|b| b.channel == ch.channel)
            .map(|b| to_cents(b.in_quarter))
            .sum::<i64>();
        if cents > to_cents(ch.spend) {
            plan.handoff.over_committed.push(OverCommitment {
                channel: ch.channel.clone(),
                booked: from_cents(cents),
                allocation: ch.spend,
            });
        }
    }
    for b in &booked {
        let expected_revenue = budget
            .channels
            .iter()
            .find(|c| c.channel == b.channel && c.spend > 0.0)
            .map_or(0.0, |c| c.expected_revenue * b.in_quarter / c.spend);
        plan.handoff.campaigns.push(PlannedCampaign {
            name: b.name.clone(),
            channel: b.channel.clone(),
            start: b.first_day,
            end: b.last_day,
            budget: b.in_quarter,
            owner: if b.owner.is_empty() {
                "unassigned".into()
            } else {
                b.owner.clone()
            },
            objective: b.objective.clone(),
            success_metrics: vec![format!(
                "spend no more than its booked {} this quarter",
                money(b.in_quarter)
            )],
            kind: "booked".into(),
            expected_revenue,
        });
    }
    plan.carried_over = booked;
}

fn weeks_between(first: NaiveDate, last: NaiveDate) -> f64 {
    ((last - first).num_days() + 1) as f64 / 7.0
}

/// Owners, success metrics and workload around the drafted campaigns and tests.
fn assemble(
    budget: &BudgetHandoff,
    performance: Option<&PerformanceHandoff>,
    drafts: &[Draft],
    tests: &[Test],
    roster: &[Member],
    next: Span,
) -> CalendarPlan {
    let funded: Vec<&Test> = tests.iter().filter(|t| t.plan.funded).collect();
    let mut items: Vec<Item> = drafts
        .iter()
        .map(|d| Item {
            channel: d.channel.clone(),
            hours: work::campaign_hours(
                d.kind == Kind::AlwaysOn,
                weeks_between(d.first_day, d.last_day),
            ),
        })
        .collect();
    items.extend(funded.iter().map(|t| Item {
        channel: t.plan.channel.clone(),
        hours: work::test_hours(weeks_between(t.first_day, t.last_day.min(next.last))),
    }));
    let staffing = work::staff(roster, &items);
    let owner = |i: usize| {
        staffing.as_ref().map_or_else(
            || "unassigned".to_owned(),
            |s| roster[s.owners[i][0]].name.clone(),
        )
    };
    let campaigns = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| PlannedCampaign {
            name: d.name.clone(),
            channel: d.channel.clone(),
            start: d.first_day,
            end: d.last_day,
            budget: d.budget,
            owner: owner(i),
            objective: d.objective.clone(),
            success_metrics: success_metrics(d, performance),
            kind: d.kind.label().to_owned(),
            expected_revenue: d.expected_revenue,
        })
        .collect();
    let mut funded_index = drafts.len();
    let tests = tests
        .iter()
        .map(|t| {
            let who = if t.plan.funded {
                funded_index += 1;
                owner(funded_index - 1)
            } else {
                "—".to_owned()
            };
            PlannedTest {
                kind: t.kind.label().to_owned(),
                value: t.value,
                name: t.name.clone(),
                channel: t.plan.channel.clone(),
                hypothesis: t.hypothesis.clone(),
                metric: t.metric.clone(),
                baseline: t.plan.baseline,
                minimum_detectable_effect: t.plan.mde_absolute,
                sample_size_per_arm: t.plan.per_arm,
                start: t.first_day,
                end: t.last_day,
                budget: if t.plan.funded { t.plan.budget } else { 0.0 },
                owner: who,
                weeks: t.plan.weeks,
                funded: t.plan.funded,
                fits_quarter: t.plan.fits_quarter,
                detectable_in_quarter: t.plan.detectable_in_time,
            }
        })
        .collect();
    let weeks = weeks_between(next.first, next.last);
    let workload = roster
        .iter()
        .enumerate()
        .map(|(p, m)| Workload {
            person: m.name.clone(),
            role: m.role.clone(),
            hours: staffing.as_ref().map_or(0.0, |s| s.hours[p]),
            capacity_hours: m.capacity_hours_per_week * weeks,
            creative_hours: staffing.as_ref().map_or(0.0, |s| {
                let creative = Function::ALL
                    .iter()
                    .position(|f| *f == Function::Creative)
                    .unwrap_or(1);
                items
                    .iter()
                    .zip(&s.owners)
                    .filter(|(_, o)| o[creative] == p)
                    .map(|(i, _)| i.hours[creative])
                    .sum()
            }),
        })
        .collect();
    let functions = Function::ALL
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let needed: f64 = items.iter().map(|i| i.hours[k]).sum();
            let capacity: f64 = staffing.as_ref().map_or(0.0, |s| {
                let doers: std::collections::BTreeSet<usize> =
                    s.owners.iter().map(|o| o[k]).collect();
                doers
                    .iter()
                    .map(|p| roster[*p].capacity_hours_per_week * weeks)
                    .sum()
            });
            (*f, needed, capacity)
        })
        .collect();
    CalendarPlan {
        handoff: CalendarHandoff {
            campaigns,
            tests,
            workload,
            over_committed: Vec::new(),
        },
        carried_over: Vec::new(),
        functions,
        roadmap_note: None,
        reserve: budget.reserve,
        allocatable: budget.allocatable,
    }
}

/// What the campaign is judged on, by its objective.
fn success_metrics(d: &Draft, performance: Option<&PerformanceHandoff>) -> Vec<String> {
    let roas = performance
        .and_then(|p| p.channels.iter().find(|c| c.channel == d.channel))
        .and_then(|c| c.roas);
    let mut m = vec![format!(
        "media-driven revenue ≥ {} (its share of stage 6's expected revenue)",
        money(d.expected_revenue)
    )];
    match d.objective.as_str() {
        "revenue" => m.push(match roas {
            Some(r) => format!("attributed ROAS ≥ {r:.2} (last quarter's, stage 1)"),
            None => "attributed ROAS, weekly".into(),
        }),
        "awareness" => m.extend([
            "reach and impressions against plan, weekly".to_owned(),
            "branded search volume vs the previous quarter".to_owned(),
        ]),
        "retention" => m.push("renewal and expansion revenue of engaged accounts".into()),
        _ => m.extend([
            "MQLs and sourced pipeline against stage 7's monthly milestones".to_owned(),
            "cost per MQL no higher than last quarter's".to_owned(),
        ]),
    }
    m
}
