//! A risk's words, rendered from its figures: the title, the evidence quoting the numbers
//! and the mitigation. Nothing here decides whether a risk fires.

use super::{CONCENTRATION, FinanceAsk, ForecastGap, RiskFigures, Shortfall, Stretched};
use crate::stages::content_plan::conflict_text;
use crate::stages::funnel_health::post::bottleneck_at;
use crate::stages::plan::sections::metric_name;
use crate::stages::plan::{change, money, pct, whole};
use crate::stages::{analysis_name, stage_title};

pub(super) struct Text {
    pub title: String,
    pub evidence: String,
    pub mitigation: String,
}

pub(super) fn render(f: &RiskFigures) -> Text {
    let (title, evidence, mitigation) = match f {
        RiskFigures::Concentration {
            channel,
            spend,
            allocatable,
            share,
        } => (
            format!("Concentration in {channel}"),
            format!(
                "{} of the allocatable budget ({} of {}) goes to one channel.",
                pct(*share),
                money(*spend),
                money(*allocatable)
            ),
            format!(
                "Cap {channel} at {:.0}% unless its response curve is confirmed by a holdout test this quarter; \
                 pre-agree where the excess moves if its marginal return drops.",
                CONCENTRATION * 100.0
            ),
        ),
        RiskFigures::OverCommitted {
            channel,
            booked,
            allocation,
            excess,
        } => (
            format!("Bookings exceed the {channel} budget"),
            format!(
                "Campaigns booked last quarter take {} of {channel} this quarter against its {} allocation.",
                money(*booked),
                money(*allocation)
            ),
            format!(
                "Trim the bookings by {} or move that much to {channel} from the reserve before kickoff.",
                money(*excess)
            ),
        ),
        RiskFigures::FallingReturn {
            channel,
            previous_roas,
            roas,
            planned,
            last_quarter_spend,
        } => (
            format!("Falling return in {channel}"),
            format!(
                "Attributed ROAS fell from {previous_roas:.2} to {roas:.2} ({}), yet the plan gives it {} against {} last quarter.",
                change(*previous_roas, *roas),
                money(*planned),
                money(*last_quarter_spend)
            ),
            format!(
                "Release {channel}'s budget monthly against a ROAS floor of {roas:.2}; review creative and targeting in the first check-in."
            ),
        ),
        RiskFigures::FunnelBottleneck { step, measured } => (
            "Funnel bottleneck".into(),
            format!("{}.", bottleneck_at(step, measured)),
            "Goals use the measured rate, not the benchmark; the step's owner reports its rate at every check-in.".into(),
        ),
        RiskFigures::OverCapacity {
            person,
            role,
            hours,
            capacity_hours,
            load,
        } => (
            format!("{person} over capacity"),
            format!(
                "{hours:.0} hours planned against {capacity_hours:.0} available this quarter ({}).",
                pct(*load)
            ),
            format!(
                "Move {:.0} hours of {role}'s work to a colleague or to freelance support before launch.",
                hours - capacity_hours
            ),
        ),
        RiskFigures::ContentConflicts { count, first } => (
            "Content production conflicts".into(),
            format!(
                "{}, the first: {}",
                crate::report::plural(*count, "conflict", "conflicts"),
                conflict_text(first)
            ),
            "Re-sequence or outsource the pieces named in Appendix B before their brief dates."
                .into(),
        ),
        RiskFigures::OutOfReach(gap) => (
            "Targets out of reach at the planned budget".into(),
            forecast_evidence(gap),
            finance_ask(gap),
        ),
        RiskFigures::HeldBack(h) => (
            format!("{} money held back by a change request", h.channel),
            format!(
                "{} ({}) asked to hold back {} of {}: {} sits in the test reserve; released to \
                 {} it would bring about {} more at stage 6's curve.",
                h.by,
                h.group,
                crate::report::percent(h.share),
                h.channel,
                money(h.amount),
                h.channel,
                money(h.revenue_if_released)
            ),
            format!(
                "Release it to {} at the first monthly check-in if the channel paces to plan, or \
                 commit it to a test; until then it counts as uncommitted reserve.",
                h.channel
            ),
        ),
        RiskFigures::Stretch {
            against,
            targets,
            rate_gaps,
        } => (
            "Stretch targets".into(),
            format!(
                "Against {against}: {}.{}",
                targets.iter().map(stretched).collect::<Vec<_>>().join("; "),
                crate::stages::goals::post::rate_gaps(rate_gaps)
                    .map_or_else(String::new, |why| format!(" {why}"))
            ),
            "Track each against its monthly milestone at the weekly check-ins; if month one lands below 90% \
             of its milestone, re-plan the quarter's targets or fund the gap from the test reserve."
                .into(),
        ),
        RiskFigures::UnfinishedTest {
            test,
            sample_size_per_arm,
            end,
            quarter_end,
        } => (
            format!("Test runs past the quarter: {test}"),
            format!(
                "It needs {sample_size_per_arm} per arm and ends {end} (the quarter ends {quarter_end})."
            ),
            "Raise the minimum detectable effect, add traffic, or plan its decision for next quarter's review.".into(),
        ),
        RiskFigures::DataGap { stage } => (
            format!("Data gap: {}", stage_title(*stage)),
            format!("{} produced no findings.", analysis_name(*stage)),
            "Supply its input files before the next review; decisions that depend on it rest on judgement meanwhile.".into(),
        ),
        RiskFigures::DataProblem {
            file,
            stages,
            details,
            distorts,
            ..
        } => (
            format!("Data problem: {file}"),
            format!("{}.", details.join("; ")),
            data_mitigation(file, stages, distorts),
        ),
    };
    Text {
        title,
        evidence,
        mitigation,
    }
}

/// A metric's figure: MQLs are counted, the rest is money.
fn figure(metric: &str, v: f64) -> String {
    if metric == "mqls" { whole(v) } else { money(v) }
}

fn forecast_evidence(gap: &ForecastGap) -> String {
    let clause = |l: &Shortfall| {
        format!(
            "{} expected {} ({:.0}% interval {} to {}) against the target of {}: short by {}{}",
            metric_name(&l.metric),
            figure(&l.metric, l.expected),
            gap.level * 100.0,
            figure(&l.metric, l.low),
            figure(&l.metric, l.high),
            figure(&l.metric, l.target),
            figure(&l.metric, l.shortfall),
            if l.beyond_interval {
                ", beyond the interval"
            } else {
                ""
            }
        )
    };
    format!(
        "At the planned budget (stage 7's forecast): {}.",
        gap.short.iter().map(clause).collect::<Vec<_>>().join("; ")
    )
}

/// The decision the executive summary asks of finance first.
fn finance_ask(gap: &ForecastGap) -> String {
    let forecasts = gap
        .short
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                metric_name(&l.metric),
                figure(&l.metric, l.expected)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let FinanceAsk {
        extra_leads,
        extra_opportunities,
        priced,
    } = &gap.ask;
    match priced {
        Some(p) => format!(
            "Finance, before approval: fund about {} more for the quarter (≈{} more leads and \
             {} more opportunities, enough to close every gap, at last quarter's {} a lead and \
             {} an opportunity; with diminishing returns the real cost is higher), or lower \
             the targets to the forecast ({forecasts}).",
            money(p.cost),
            whole(*extra_leads),
            whole(*extra_opportunities),
            money(p.cost_per_lead),
            money(p.cost_per_opportunity),
        ),
        None => format!(
            "Finance, before approval: lower the targets to the forecast ({forecasts}), or \
             fund the ≈{} more leads closing every gap needs (no cost per lead was measured \
             last quarter).",
            whole(*extra_leads),
        ),
    }
}

fn stretched(t: &Stretched) -> String {
    let (need, had) = if matches!(t.metric.as_str(), "revenue" | "pipeline") {
        (money(t.target), money(t.reached))
    } else {
        (whole(t.target), whole(t.reached))
    };
    format!(
        "{} {need} against {had} ({}{})",
        metric_name(&t.metric),
        change(t.reached, t.target),
        if t.above_history {
            ", above every quarter on record"
        } else {
            ""
        }
    )
}

fn data_mitigation(file: &str, stages: &[u8], distorts: &[String]) -> String {
    let numbers: Vec<String> = stages.iter().map(u8::to_string).collect();
    let which = match numbers.as_slice() {
        [one] => format!("stage {one}"),
        [init @ .., last] => format!("stages {} and {last}", init.join(", ")),
        [] => "the stages that read it".to_owned(),
    };
    let mut mitigation = format!("Ask for a complete {file} and re-run {which} before approval");
    if distorts.is_empty() {
        mitigation.push('.');
    } else {
        mitigation.push_str(&format!(
            "; until then, read these with care: {}.",
            distorts.join("; ")
        ));
    }
    mitigation
}
