//! Stage 2's post, written from its typed findings ([`FunnelFindings`]) alone: the
//! headline, the source differences, bottlenecks and optimisation priorities, and the
//! funnel tables (overall and by source).

use quarterdeck_analyses::funnel::Transition;

use super::{Bottleneck, FunnelFindings, Persistent};
use crate::chat::{Message, Table};
use crate::report::{DisplayNames, count, percent_or_dash};
use crate::stages::stage_title;

fn step(from: &str, to: &str, names: &DisplayNames) -> String {
    format!("{} → {}", names.name(from), names.name(to))
}

/// A step below its benchmark, as a sentence (no final stop).
pub fn bottleneck(b: &Bottleneck, names: &DisplayNames) -> String {
    bottleneck_at(&step(&b.from, &b.to, names), b)
}

/// [`bottleneck`] with the step already named (`MQL → SQL`); the plan's risk, whose
/// figures carry the step's name, words it the same way.
pub fn bottleneck_at(step: &str, b: &Bottleneck) -> String {
    format!(
        "{step}: mature rate {} (interval up to {}; {} leads in the data, earlier quarters included, at least {:.0} days past the step) is below the benchmark median {} ({})",
        percent_or_dash(b.mature_rate),
        percent_or_dash(Some(b.interval_high)),
        count(b.leads as usize),
        b.lag_days,
        percent_or_dash(Some(b.benchmark)),
        b.source
    )
}

fn persistent(p: &Persistent, names: &DisplayNames) -> String {
    format!(
        "{} was below the benchmark {} last quarter too ({})",
        step(&p.from, &p.to, names),
        percent_or_dash(Some(p.benchmark)),
        percent_or_dash(Some(p.previous_rate))
    )
}

/// The post and its headline.
pub fn message(f: &FunnelFindings, names: &DisplayNames) -> (Message, String) {
    let headline = headline(f, names);
    let mut overall = Table::new(
        "Funnel of leads created in the quarter",
        &[
            "Transition",
            "Entered",
            "Converted",
            "Rate (95% interval)",
            "Median days",
            "Mature rate",
            "Benchmark",
        ],
    );
    for (t, s) in f.funnel.transitions.iter().zip(&f.steps) {
        overall = overall.row(vec![
            step(&t.from, &t.to, names),
            count(t.entered as usize),
            count(t.converted as usize),
            rate_cell(t),
            t.median_days
                .map_or_else(|| "—".into(), |d| format!("{d:.1}")),
            s.mature
                .as_ref()
                .map_or_else(|| "—".into(), |m| rate_cell(&m.transition)),
            s.benchmark
                .as_ref()
                .map_or_else(|| "—".into(), |b| percent_or_dash(Some(b.median))),
        ]);
    }
    let mut by_source = Table::new("By source", &["Source", "Leads", "Lead → MQL", "MQL → SQL"]);
    for (source, rows) in &f.funnel.by {
        by_source = by_source.row(vec![
            names.name(source),
            count(rows.first().map_or(0, |t| t.entered as usize)),
            rows.first().map_or_else(|| "—".into(), rate_cell),
            rows.get(1).map_or_else(|| "—".into(), rate_cell),
        ]);
    }
    let mut body = headline.clone();
    for d in &f.funnel.differences {
        body.push_str(&format!(
            "\n- **{}** {} → {}: {} against {} for other sources (Holm-adjusted p {:.4}).",
            names.name(&d.group),
            names.name(&d.from),
            names.name(&d.to),
            percent_or_dash(Some(d.rate)),
            percent_or_dash(Some(d.rest_rate)),
            d.p_adjusted
        ));
    }
    for b in &f.below_benchmark {
        body.push_str(&format!("\n- Bottleneck: {}.", bottleneck(b, names)));
    }
    for p in &f.persistent_bottlenecks {
        body.push_str(&format!("\n- Persistent: {}.", persistent(p, names)));
    }
    if !f.priorities.is_empty() {
        body.push_str("\n\n**Optimisation priorities** (extra customers, i.e. leads reaching the last stage, if the step alone reached its target):");
        for (i, p) in f.priorities.iter().enumerate() {
            body.push_str(&format!(
                "\n{}. {}: {} to {} adds ≈{:.1}.",
                i + 1,
                step(&p.from, &p.to, names),
                percent_or_dash(Some(p.rate)),
                percent_or_dash(Some(p.target)),
                p.extra_final
            ));
        }
    }
    body.push_str("\n\nLeads created late in the quarter may still convert after the export; benchmark comparisons use each step's mature rate (leads in the step for at least its 90th-percentile lag).");
    let message = Message::new(format!("{} — funnel", stage_title(2)), body)
        .table(overall)
        .table(by_source);
    (message, headline)
}

fn rate_cell(t: &Transition) -> String {
    format!(
        "{} ({}–{})",
        percent_or_dash(t.rate),
        percent_or_dash(t.wilson_low),
        percent_or_dash(t.wilson_high)
    )
}

fn headline(f: &FunnelFindings, names: &DisplayNames) -> String {
    let weakest = f
        .steps
        .iter()
        .filter_map(|s| s.mature.as_ref())
        .map(|m| &m.transition)
        .filter(|t| t.rate.is_some())
        .min_by(|a, b| a.rate.unwrap_or(1.0).total_cmp(&b.rate.unwrap_or(1.0)));
    let mut s = format!(
        "{} leads created in the quarter under review; at the mature stage rates {} of leads become customers.",
        count(f.leads),
        percent_or_dash(Some(f.end_to_end))
    );
    if let Some(w) = weakest {
        s.push_str(&format!(
            " The weakest step is {} → {} at {}.",
            names.name(&w.from),
            names.name(&w.to),
            percent_or_dash(w.rate)
        ));
    }
    let differences = &f.funnel.differences;
    if let Some(d) = differences.first() {
        let n = differences.len();
        s.push_str(&format!(
            " {} between sources {} statistically real after Holm correction{}: {} converts {} → {} at {} against {} for the rest (the quarter's leads, conversions so far).",
            if n == 1 { "One difference".to_owned() } else { format!("{n} differences") },
            if n == 1 { "is" } else { "are" },
            if n == 1 { "" } else { ", the first" },
            names.name(&d.group),
            names.name(&d.from),
            names.name(&d.to),
            percent_or_dash(Some(d.rate)),
            percent_or_dash(Some(d.rest_rate))
        ));
    }
    if !f.below_benchmark.is_empty() {
        let steps: Vec<String> = f
            .below_benchmark
            .iter()
            .map(|b| step(&b.from, &b.to, names))
            .collect();
        s.push_str(&format!(
            " Below the industry benchmark: {}.",
            steps.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use quarterdeck_analyses::funnel::{Funnel, Priority};

    use super::super::{Benchmark, MatureRate, StepCheck};
    use super::*;

    fn transition(entered: u64, converted: u64, interval: (f64, f64)) -> Transition {
        Transition {
            from: "lead".into(),
            to: "mql".into(),
            entered,
            converted,
            rate: Some(converted as f64 / entered as f64),
            wilson_low: Some(interval.0),
            wilson_high: Some(interval.1),
            median_days: Some(3.0),
            mean_days: Some(4.0),
        }
    }

    /// 100 leads, 20 to MQL in the quarter; mature, 12 of 80 (15%, interval to 24%)
    /// against a 35% benchmark, and 10% the quarter before; lifting it to 35% adds 16.
    fn findings() -> FunnelFindings {
        FunnelFindings {
            leads: 100,
            funnel: Funnel {
                stages: vec!["lead".into(), "mql".into()],
                transitions: vec![transition(100, 20, (0.133, 0.289))],
                by: Default::default(),
                cohorts: Vec::new(),
                differences: Vec::new(),
            },
            steps: vec![StepCheck {
                mature: Some(MatureRate {
                    transition: transition(80, 12, (0.09, 0.24)),
                    lag_days: 14.0,
                }),
                benchmark: Some(Benchmark {
                    median: 0.35,
                    source: "Survey A".into(),
                }),
            }],
            end_to_end: 0.15,
            below_benchmark: vec![Bottleneck {
                from: "lead".into(),
                to: "mql".into(),
                mature_rate: Some(0.15),
                interval_high: 0.24,
                leads: 80,
                lag_days: 14.0,
                benchmark: 0.35,
                source: "Survey A".into(),
            }],
            persistent_bottlenecks: vec![Persistent {
                from: "lead".into(),
                to: "mql".into(),
                benchmark: 0.35,
                previous_rate: 0.10,
            }],
            prior_quarter: None,
            priorities: vec![Priority {
                from: "lead".into(),
                to: "mql".into(),
                rate: 0.15,
                target: 0.35,
                extra_final: 16.0,
            }],
        }
    }

    #[test]
    fn the_post_states_the_funnel_its_bottleneck_and_what_lifting_it_adds() {
        let (message, headline) = message(&findings(), &DisplayNames::default());

        assert_eq!(
            headline,
            "100 leads created in the quarter under review; at the mature stage rates 15.0% \
             of leads become customers. The weakest step is Lead → MQL at 15.0%. Below the \
             industry benchmark: Lead → MQL."
        );
        let lines: Vec<&str> = message.body.lines().collect();
        assert_eq!(
            lines[1..6],
            [
                "- Bottleneck: Lead → MQL: mature rate 15.0% (interval up to 24.0%; 80 leads in \
                 the data, earlier quarters included, at least 14 days past the step) is below \
                 the benchmark median 35.0% (Survey A).",
                "- Persistent: Lead → MQL was below the benchmark 35.0% last quarter too (10.0%).",
                "",
                "**Optimisation priorities** (extra customers, i.e. leads reaching the last \
                 stage, if the step alone reached its target):",
                "1. Lead → MQL: 15.0% to 35.0% adds ≈16.0.",
            ]
        );
        assert_eq!(
            message.tables[0].rows[0],
            [
                "Lead → MQL",
                "100",
                "20",
                "20.0% (13.3%–28.9%)",
                "3.0",
                "15.0% (9.0%–24.0%)",
                "35.0%"
            ]
        );
    }
}
