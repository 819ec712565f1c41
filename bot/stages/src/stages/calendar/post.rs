//! The campaign planning post: headline, campaign calendar, testing roadmap, workload
//! against capacity; a bar chart of budget by month and the ICS calendar attached.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use super::CalendarPlan;
use crate::charts::{self, Bar, BarChart, Orientation, Size, ValueFormat};
use crate::chat::{Message, Table};
use crate::ics;
use crate::report::{DisplayNames, count, money, plural};
use crate::stages::handoff::{self, PlannedCampaign};
use crate::stages::{FINDINGS_SCHEMA, OutputFile, StageOutput, stage_title};

/// The run the calendar is for, taken from the stage's inputs once.
pub struct Context<'a> {
    /// Prefixes each event's UID, so a revised plan updates its events.
    pub run_id: &'a str,
    pub team: &'a str,
    /// The planned quarter (`2027-Q1`) and its first day (the calendar's timestamp).
    pub quarter: &'a str,
    pub quarter_start: NaiveDate,
    pub names: &'a DisplayNames,
}

/// The stage's output: the post, the budget chart, the ICS calendar and the findings
/// (with the headline), from the plan alone.
pub fn output(plan: &CalendarPlan, ctx: &Context) -> StageOutput {
    let (message, headline) = message(plan, ctx.names);
    let mut files: Vec<OutputFile> = chart(&plan.handoff.campaigns, ctx.quarter)
        .into_iter()
        .collect();
    files.push(calendar_file(plan, ctx));
    StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 8, "available": true, "headline": headline,
            "carried_over": plan.carried_over, "roadmap_note": plan.roadmap_note,
            (handoff::KEY): plan.handoff,
        }),
    )
    .with_files(files)
}

/// The post and its headline.
pub fn message(plan: &CalendarPlan, names: &DisplayNames) -> (Message, String) {
    let h = &plan.handoff;
    let headline = headline(plan);
    let mut body = headline.clone();
    body.push_str(&notes(plan, names));

    let mut campaigns = Table::new(
        "Campaign calendar",
        &[
            "Campaign",
            "Channel",
            "Dates",
            "Budget",
            "Owner",
            "Objective",
            "Success metrics",
        ],
    );
    for c in &h.campaigns {
        campaigns = campaigns.row(vec![
            c.name.clone(),
            names.name(&c.channel),
            format!("{} – {}", c.start.format("%b %-d"), c.end.format("%b %-d")),
            money(c.budget),
            c.owner.clone(),
            c.objective.clone(),
            c.success_metrics.join("; "),
        ]);
    }
    let mut tests = Table::new(
        format!(
            "Testing roadmap, by value of the information per dollar (landing pages: \
             two-proportion z-test, α 0.05, power 0.8, MDE +{:.0}%)",
            super::roadmap::MDE * 100.0
        ),
        &[
            "Test", "Kind", "Baseline", "Detects", "Per arm", "Weeks", "Runs", "Value", "Budget",
            "Owner", "Status",
        ],
    );
    for t in &h.tests {
        let status = match (t.funded, t.fits_quarter) {
            (true, true) => "funded",
            (false, true) => "not funded: reserve used up",
            (_, false) => "cannot finish in the quarter: not scheduled",
        };
        let (baseline, detects) = match t.kind.as_str() {
            "geo lift" => (
                format!("ROAS {:.2}", t.baseline),
                format!("±{:.2} ROAS", t.minimum_detectable_effect),
            ),
            "pilot" => ("—".into(), "—".into()),
            _ => (
                format!("{:.2}%", t.baseline * 100.0),
                format!("+{:.2} pts", t.minimum_detectable_effect * 100.0),
            ),
        };
        tests = tests.row(vec![
            t.name.clone(),
            t.kind.clone(),
            baseline,
            detects,
            if t.sample_size_per_arm > 0 {
                count(t.sample_size_per_arm as usize)
            } else {
                "—".into()
            },
            t.weeks.to_string(),
            format!(
                "{} – {}",
                t.start.format("%b %-d"),
                t.end.format("%b %-d %Y")
            ),
            t.value.map_or_else(|| "not priced".into(), money),
            money(t.budget),
            t.owner.clone(),
            status.into(),
        ]);
    }
    let mut workload = Table::new(
        "Workload over the quarter (content hours estimated here; stage 9 schedules the pieces and the plan counts those)",
        &["Person", "Role", "Hours", "Capacity", "Load", ""],
    );
    for w in &h.workload {
        let load = if w.capacity_hours > 0.0 {
            w.hours / w.capacity_hours
        } else {
            f64::INFINITY
        };
        workload = workload.row(vec![
            w.person.clone(),
            w.role.clone(),
            format!("{:.0}", w.hours),
            format!("{:.0}", w.capacity_hours),
            if load.is_finite() {
                format!("{:.0}%", load * 100.0)
            } else {
                "—".into()
            },
            if w.hours > w.capacity_hours {
                "over capacity".into()
            } else {
                String::new()
            },
        ]);
    }
    let mut functions = Table::new(
        "Hours by function",
        &[
            "Function",
            "Hours needed",
            "Capacity of the people doing it",
        ],
    );
    for (f, needed, capacity) in &plan.functions {
        functions = functions.row(vec![
            f.label().into(),
            format!("{needed:.0}"),
            format!("{capacity:.0}"),
        ]);
    }

    let message = Message::new(
        format!("{} — campaigns, tests and workload", stage_title(8)),
        body,
    )
    .table(campaigns)
    .table(tests)
    .table(workload)
    .table(functions);
    (message, headline)
}

fn headline(plan: &CalendarPlan) -> String {
    let h = &plan.handoff;
    let channels: std::collections::BTreeSet<&str> =
        h.campaigns.iter().map(|c| c.channel.as_str()).collect();
    let total: f64 = h.campaigns.iter().map(|c| c.budget).sum();
    let funded: Vec<_> = h.tests.iter().filter(|t| t.funded).collect();
    let test_money: f64 = funded.iter().map(|t| t.budget).sum();
    let over = h
        .workload
        .iter()
        .filter(|w| w.hours > w.capacity_hours)
        .count();
    format!(
        "**{}** across {} carry **{}** of the {} allocation. \
         **{}** of {} sized tests are funded with **{}** of the {} reserve{}. {}",
        plural(h.campaigns.len(), "campaign", "campaigns"),
        plural(channels.len(), "channel", "channels"),
        money(total),
        money(plan.allocatable),
        funded.len(),
        h.tests.len(),
        money(test_money),
        money(plan.reserve),
        match h.tests.iter().filter(|t| !t.fits_quarter).count() {
            0 => String::new(),
            n => format!("; {n} would need more traffic than the quarter brings"),
        },
        match over {
            0 if h.workload.is_empty() =>
                "No roster in objectives.toml: nobody is assigned.".to_owned(),
            0 => format!("All {} people stay within capacity.", h.workload.len()),
            n => format!("**{n}** of {} people are over capacity.", h.workload.len()),
        }
    )
}

/// How to read a test's value beside its budget (the roadmap post and the plan's appendix).
pub(crate) const VALUE_AND_BUDGET: &str = "A test's *value* is what its result is expected \
     to add to next quarter's decisions; its *budget* is the media money it spends from the \
     reserve, which still buys its channel's clicks and earns their return, so a test can be \
     worth funding with a value below its budget.";

fn notes(plan: &CalendarPlan, names: &DisplayNames) -> String {
    let h = &plan.handoff;
    let mut out = format!("\n\n{VALUE_AND_BUDGET}\n\n**What to do**");
    out.push_str(
        "\n- Import the attached campaign-calendar.ics; each campaign keeps its id, so a \
         revised plan updates the events instead of duplicating them.",
    );
    let slow: Vec<String> = h
        .tests
        .iter()
        .filter(|t| !t.fits_quarter && t.kind == "landing page")
        .map(|t| match t.detectable_in_quarter {
            Some(l) => format!(
                "{} ({} weeks; within the quarter it could detect +{:.0}%)",
                names.name(&t.channel),
                t.weeks,
                l * 100.0
            ),
            None => format!("{} ({} weeks)", names.name(&t.channel), t.weeks),
        })
        .collect();
    if !slow.is_empty() {
        out.push_str(&format!(
            "\n- Too little traffic to detect +{:.0}% within the quarter: {}. Accept a larger \
             effect, pool channels into one test, or plan them across two quarters.",
            super::roadmap::MDE * 100.0,
            slow.join(", ")
        ));
    }
    let unspent = plan.reserve - h.tests.iter().map(|t| t.budget).sum::<f64>();
    if unspent >= 0.5 {
        let waiting = h
            .tests
            .iter()
            .filter(|t| !t.funded && t.fits_quarter)
            .count();
        out.push_str(&format!(
            "\n- {} of the reserve stays uncommitted: {}. It is held for the quarter's \
             surprises (a channel beating its curve, a competitor's move) and returns to \
             the channels at the first monthly check-in if nothing claims it.",
            money(unspent),
            if waiting > 0 {
                format!("{waiting} tests that fit the quarter cost more than is left")
            } else {
                "every test that can finish in the quarter is funded, and the rest cannot \
                 conclude before it ends"
                    .to_owned()
            }
        ));
    }
    for w in h.workload.iter().filter(|w| w.hours > w.capacity_hours) {
        out.push_str(&format!(
            "\n- {} ({}) is booked {:.0} h against {:.0} h: move work or add help.",
            w.person, w.role, w.hours, w.capacity_hours
        ));
    }
    if let Some(n) = &plan.roadmap_note {
        out.push_str(&format!("\n- No testing roadmap: {n}."));
    }
    let unfunded = h
        .tests
        .iter()
        .filter(|t| !t.funded && t.fits_quarter)
        .count();
    if unfunded > 0 {
        out.push_str(&format!(
            "\n- {} not fit in the reserve and {} not scheduled.",
            plural(unfunded, "sized test does", "sized tests do"),
            if unfunded == 1 { "is" } else { "are" }
        ));
    }
    if !plan.carried_over.is_empty() {
        out.push_str(&format!(
            "\n- Booked last quarter and running into this one, counted against their \
             channels' budgets (pro rata by days): {}.",
            plan.carried_over
                .iter()
                .map(|b| format!("{} ({})", b.name, money(b.in_quarter)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for o in &h.over_committed {
        out.push_str(&format!(
            "\n- **{}** is over-committed: bookings take {} of its {} allocation, so it gets no \
             new campaign. Trim a booking by {} or move money to it.",
            names.name(&o.channel),
            money(o.booked),
            money(o.allocation),
            money(o.booked - o.allocation)
        ));
    }
    out
}

/// Campaign budget by month, each campaign's money spread evenly over its days.
fn chart(campaigns: &[PlannedCampaign], quarter: &str) -> Option<OutputFile> {
    let mut months: BTreeMap<(i32, u32), f64> = BTreeMap::new();
    for c in campaigns {
        let days = (c.end - c.start).num_days() + 1;
        for d in c.start.iter_days().take(usize::try_from(days).unwrap_or(0)) {
            *months.entry((d.year(), d.month())).or_insert(0.0) += c.budget / days as f64;
        }
    }
    let bars = months
        .iter()
        .map(|((y, m), v)| Bar {
            label: chrono::NaiveDate::from_ymd_opt(*y, *m, 1)
                .map_or_else(|| format!("{y}-{m:02}"), |d| d.format("%b %Y").to_string()),
            value: *v,
        })
        .collect();
    let spec = BarChart {
        title: "Campaign budget by month".into(),
        subtitle: Some(format!(
            "{quarter} · each campaign's budget spread evenly over its days"
        )),
        bars,
        orientation: Orientation::Vertical,
        format: ValueFormat::Currency { symbol: "$".into() },
        value_axis: "Budget".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    };
    match charts::bar_chart(&spec) {
        Ok(png) => Some(OutputFile::png("budget-by-month.png", png.bytes)),
        Err(e) => {
            tracing::warn!(chart = "budget-by-month", error = %e, "chart left out");
            None
        }
    }
}

/// Every campaign and funded test as an all-day event.
fn calendar_file(plan: &CalendarPlan, ctx: &Context) -> OutputFile {
    let slug = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
    };
    let uid = |name: &str| format!("{}-{}@quarterdeck", slug(ctx.run_id), slug(name));
    let h = &plan.handoff;
    let mut events: Vec<ics::Event> = h
        .campaigns
        .iter()
        .map(|c| ics::Event {
            uid: uid(&c.name),
            summary: c.name.clone(),
            description: format!(
                "Channel: {}\nBudget: {}\nOwner: {}\nObjective: {}\nSuccess: {}",
                c.channel,
                money(c.budget),
                c.owner,
                c.objective,
                c.success_metrics.join("; ")
            ),
            first_day: c.start,
            last_day: c.end,
            categories: vec!["campaign".into(), c.channel.clone()],
        })
        .collect();
    events.extend(h.tests.iter().filter(|t| t.funded).map(|t| ics::Event {
        uid: uid(&t.name),
        summary: t.name.clone(),
        description: format!(
            "Hypothesis: {}\nSample: {} per arm\nBudget: {}\nOwner: {}",
            t.hypothesis,
            t.sample_size_per_arm,
            money(t.budget),
            t.owner
        ),
        first_day: t.start,
        last_day: t.end,
        categories: vec!["test".into(), t.channel.clone()],
    }));
    let stamp = ctx.quarter_start.and_time(chrono::NaiveTime::MIN).and_utc();
    let text = ics::calendar(
        &format!("{} {} campaign calendar", ctx.team, ctx.quarter),
        stamp,
        &events,
    );
    OutputFile::new("campaign-calendar.ics", "text/calendar", text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::calendar::campaigns::Booked;
    use crate::stages::calendar::work::Function;
    use crate::stages::handoff::{CalendarHandoff, PlannedTest, Workload};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn campaign(name: &str, channel: &str, budget: f64, kind: &str) -> PlannedCampaign {
        PlannedCampaign {
            name: name.into(),
            channel: channel.into(),
            start: d("2027-01-04"),
            end: d("2027-03-31"),
            budget,
            owner: "Ann".into(),
            objective: "pipeline".into(),
            success_metrics: vec!["MQLs at plan".into()],
            kind: kind.into(),
            expected_revenue: 0.0,
        }
    }

    fn planned_test(name: &str, kind: &str, budget: f64, funded: bool, fits: bool) -> PlannedTest {
        PlannedTest {
            kind: kind.into(),
            value: None,
            name: name.into(),
            channel: "search".into(),
            hypothesis: "a shorter form converts better".into(),
            metric: "conversion rate".into(),
            baseline: 0.04,
            minimum_detectable_effect: 0.006,
            sample_size_per_arm: 11_000,
            start: d("2027-01-11"),
            end: d("2027-02-21"),
            budget,
            owner: "Bo".into(),
            weeks: 6,
            funded,
            fits_quarter: fits,
            detectable_in_quarter: None,
        }
    }

    /// $1,000 over two channels (one booked campaign among them), a $150 reserve of which
    /// one $50 test is funded and a geo lift cannot finish; Ann is over capacity.
    fn plan() -> CalendarPlan {
        CalendarPlan {
            handoff: CalendarHandoff {
                campaigns: vec![
                    campaign("Always on", "search", 600.0, "always-on"),
                    campaign("Spring flight", "social", 300.0, "flight"),
                    campaign("Winter promo", "social", 100.0, "booked"),
                ],
                tests: vec![
                    planned_test("Form test", "landing page", 50.0, true, true),
                    planned_test("Search geo lift", "geo lift", 0.0, false, false),
                ],
                workload: vec![Workload {
                    person: "Ann".into(),
                    role: "manager".into(),
                    hours: 120.0,
                    capacity_hours: 100.0,
                    creative_hours: 0.0,
                }],
                over_committed: Vec::new(),
            },
            carried_over: vec![Booked {
                name: "Winter promo".into(),
                channel: "social".into(),
                owner: "Ann".into(),
                objective: "pipeline".into(),
                first_day: d("2027-01-01"),
                last_day: d("2027-01-31"),
                in_quarter: 100.0,
            }],
            functions: vec![(Function::Manage, 120.0, 100.0)],
            roadmap_note: None,
            reserve: 150.0,
            allocatable: 1000.0,
        }
    }

    #[test]
    fn the_post_states_money_tests_and_load_and_attaches_the_calendar() {
        let names = DisplayNames::default();
        let ctx = Context {
            run_id: "growth/2027-Q1",
            team: "growth",
            quarter: "2027-Q1",
            quarter_start: d("2027-01-01"),
            names: &names,
        };

        let out = output(&plan(), &ctx);

        let m = &out.result.message;
        let headline = out.findings["headline"].as_str().unwrap();
        assert_eq!(
            headline,
            "**3 campaigns** across 2 channels carry **$1,000** of the $1,000 allocation. \
             **1** of 2 sized tests are funded with **$50** of the $150 reserve; 1 would need \
             more traffic than the quarter brings. **1** of 1 people are over capacity."
        );
        assert!(m.body.starts_with(headline));
        // $150 − $50 stays in the reserve; the geo lift cannot finish, so nothing waits.
        for line in [
            "\n- $100 of the reserve stays uncommitted: every test that can finish in the \
             quarter is funded, and the rest cannot conclude before it ends.",
            "\n- Ann (manager) is booked 120 h against 100 h: move work or add help.",
            "\n- Booked last quarter and running into this one, counted against their \
             channels' budgets (pro rata by days): Winter promo ($100).",
        ] {
            assert!(m.body.contains(line), "{line:?} in {}", m.body);
        }
        assert_eq!(
            m.tables[0].rows[1][..4],
            // Channels by their display name.
            ["Spring flight", "Social", "Jan 4 – Mar 31", "$300"]
        );
        assert_eq!(
            m.tables[1].rows[1].last().map(String::as_str),
            Some("cannot finish in the quarter: not scheduled")
        );
        assert_eq!(m.tables[2].rows[0][4], "120%");
        assert_eq!(m.tables[3].rows[0], ["campaign management", "120", "100"]);

        let files: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(files, ["budget-by-month.png", "campaign-calendar.ics"]);
        let ics = crate::ics::unfold(std::str::from_utf8(&out.files[1].bytes).unwrap());
        let uids: Vec<&str> = ics.iter().filter_map(|l| l.strip_prefix("UID:")).collect();
        // Three campaigns and the one funded test, each keyed by the run and its name.
        assert_eq!(
            uids,
            [
                "growth-2027-q1-always-on@quarterdeck",
                "growth-2027-q1-spring-flight@quarterdeck",
                "growth-2027-q1-winter-promo@quarterdeck",
                "growth-2027-q1-form-test@quarterdeck",
            ]
        );
        assert!(ics.contains(&"X-WR-CALNAME:growth 2027-Q1 campaign calendar".to_owned()));
    }
}
