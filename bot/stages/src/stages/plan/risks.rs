//! Section 9's risks, by rule. Each rule reads the stages' handoffs and fires on a
//! stated threshold; the evidence quotes the numbers that made it fire. Rules:
//!
//! - **Channel concentration**: one channel takes more than 40% of the allocatable
//!   budget (high above 60%).
//! - **Falling return**: a channel whose attributed ROAS fell by more than 20% quarter
//!   over quarter keeps or grows its budget.
//! - **Funnel bottleneck**: a step stage 2 found below benchmark.
//! - **Capacity overload**: a person planned above their capacity over the quarter
//!   (high above 120%); content production conflicts.
//! - **Target out of reach**: stage 7's forecast at the planned budget falls short of a
//!   revenue, pipeline or MQL target (high when the target lies above the forecast's
//!   interval); the mitigation is the finance decision the executive summary asks for.
//! - **Stretch target**: a volume the goals require is more than 20% above what the
//!   quarter under review achieved (high above 50%, or above every quarter on record).
//! - **Test that cannot finish**: a funded test whose planned end falls after the quarter.
//! - **Over-committed channel**: last quarter's bookings take more of a channel's money
//!   than its allocation.
//! - **Data gap**: a planning stage produced no findings.
//! - **Data problem**: a file the stages read has a gap, a drop in weekly volume, an
//!   export ending before the period, duplicates, a vanished channel or deals with no
//!   lead (the data check's distorting problems, as the stages' data notes state them).

use serde::Serialize;

use super::{Sources, change, money, pct, whole};
use crate::stages::{analysis_name, stage_title};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// `high` or `medium`.
    pub severity: &'static str,
    pub title: String,
    pub evidence: String,
    pub mitigation: String,
}

pub const CONCENTRATION: f64 = 0.40;
pub const CONCENTRATION_HIGH: f64 = 0.60;
pub const ROAS_DROP: f64 = 0.20;
pub const OVERLOAD_HIGH: f64 = 1.20;
pub const STRETCH: f64 = 0.20;
pub const STRETCH_HIGH: f64 = 0.50;

pub fn assess(s: &Sources) -> Vec<Risk> {
    let mut risks = Vec::new();
    concentration(s, &mut risks);
    falling_return(s, &mut risks);
    bottlenecks(s, &mut risks);
    capacity(s, &mut risks);
    over_committed(s, &mut risks);
    out_of_reach(s, &mut risks);
    stretch(s, &mut risks);
    unfinished_tests(s, &mut risks);
    data_gaps(s, &mut risks);
    data_problems(s, &mut risks);
    // High first; within a severity, in rule order.
    risks.sort_by_key(|r| r.severity != "high");
    risks
}

fn concentration(s: &Sources, out: &mut Vec<Risk>) {
    let Some(b) = &s.budget else { return };
    if b.allocatable <= 0.0 {
        return;
    }
    for c in &b.channels {
        let share = c.spend / b.allocatable;
        if share > CONCENTRATION {
            out.push(Risk {
                severity: if share > CONCENTRATION_HIGH { "high" } else { "medium" },
                title: format!("Concentration in {}", c.channel),
                evidence: format!(
                    "{} of the allocatable budget ({} of {}) goes to one channel.",
                    pct(share),
                    money(c.spend),
                    money(b.allocatable)
                ),
                mitigation: format!(
                    "Cap {} at {:.0}% unless its response curve is confirmed by a holdout test this quarter; \
                     pre-agree where the excess moves if its marginal return drops.",
                    c.channel,
                    CONCENTRATION * 100.0
                ),
            });
        }
    }
}

fn over_committed(s: &Sources, out: &mut Vec<Risk>) {
    let Some(c) = &s.calendar else { return };
    for o in &c.over_committed {
        out.push(Risk {
            severity: "medium",
            title: format!("Bookings exceed the {} budget", o.channel),
            evidence: format!(
                "Campaigns booked last quarter take {} of {} this quarter against its {} allocation.",
                money(o.booked),
                o.channel,
                money(o.allocation)
            ),
            mitigation: format!(
                "Trim the bookings by {} or move that much to {} from the reserve before kickoff.",
                money(o.booked - o.allocation),
                o.channel
            ),
        });
    }
}

fn falling_return(s: &Sources, out: &mut Vec<Risk>) {
    let (Some(p), Some(b)) = (&s.performance, &s.budget) else {
        return;
    };
    for r in &p.channels {
        let (Some(now), Some(before)) = (r.roas, r.previous_roas) else {
            continue;
        };
        let Some(planned) = b.channels.iter().find(|c| c.channel == r.channel) else {
            continue;
        };
        if before > 0.0 && now < before * (1.0 - ROAS_DROP) && planned.spend >= r.spend {
            out.push(Risk {
                severity: "medium",
                title: format!("Falling return in {}", r.channel),
                evidence: format!(
                    "Attributed ROAS fell from {before:.2} to {now:.2} ({}), yet the plan gives it {} against {} last quarter.",
                    change(before, now),
                    money(planned.spend),
                    money(r.spend)
                ),
                mitigation: format!(
                    "Release {}'s budget monthly against a ROAS floor of {now:.2}; review creative and targeting in the first check-in.",
                    r.channel
                ),
            });
        }
    }
}

fn bottlenecks(s: &Sources, out: &mut Vec<Risk>) {
    let Some(f) = &s.funnel else { return };
    for b in &f.bottlenecks {
        out.push(Risk {
            severity: "medium",
            title: "Funnel bottleneck".into(),
            evidence: format!("{b}."),
            mitigation: "Goals use the measured rate, not the benchmark; the step's owner reports its rate at every check-in.".into(),
        });
    }
}

fn capacity(s: &Sources, out: &mut Vec<Risk>) {
    if let Some(c) = &s.calendar {
        for w in &c.workload {
            if w.capacity_hours > 0.0 && w.hours > w.capacity_hours {
                let load = w.hours / w.capacity_hours;
                out.push(Risk {
                    severity: if load > OVERLOAD_HIGH { "high" } else { "medium" },
                    title: format!("{} over capacity", w.person),
                    evidence: format!(
                        "{:.0} hours planned against {:.0} available this quarter ({}).",
                        w.hours,
                        w.capacity_hours,
                        pct(load)
                    ),
                    mitigation: format!(
                        "Move {:.0} hours of {}'s work to a colleague or to freelance support before launch.",
                        w.hours - w.capacity_hours,
                        w.role
                    ),
                });
            }
        }
    }
    if let Some(p) = &s.content_plan
        && !p.conflicts.is_empty()
    {
        out.push(Risk {
            severity: "medium",
            title: "Content production conflicts".into(),
            evidence: format!(
                "{}, the first: {}",
                crate::report::plural(p.conflicts.len(), "conflict", "conflicts"),
                p.conflicts[0]
            ),
            mitigation:
                "Re-sequence or outsource the pieces named in Appendix B before their brief dates."
                    .into(),
        });
    }
}

/// The title of the forecast risk (the summary does not repeat it as "the top risk").
pub const OUT_OF_REACH: &str = "Targets out of reach at the planned budget";

/// Stage 7's forecast against its targets, in the words the risk and the finance
/// decision share: the evidence (one clause per short metric) and the ask.
pub(super) fn forecast_gap(s: &Sources) -> Option<(bool, String, String)> {
    let f = s.goals.as_ref()?.forecast.as_ref()?;
    let short: Vec<_> = f.lines.iter().filter(|l| l.shortfall > 0.0).collect();
    if short.is_empty() {
        return None;
    }
    let fig = |metric: &str, v: f64| {
        if metric == "mqls" { whole(v) } else { money(v) }
    };
    let evidence = short
        .iter()
        .map(|l| {
            format!(
                "{} expected {} ({:.0}% interval {} to {}) against the target of {}: short by {}{}",
                super::sections::metric_name(&l.metric),
                fig(&l.metric, l.expected),
                f.level * 100.0,
                fig(&l.metric, l.low),
                fig(&l.metric, l.high),
                fig(&l.metric, l.target),
                fig(&l.metric, l.shortfall),
                if l.out_of_reach {
                    ", beyond the interval"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    // Buying leads closes every gap at once, so the ask is priced on the gap that needs
    // the most of them.
    let worst = short
        .iter()
        .max_by(|a, b| a.extra_leads.total_cmp(&b.extra_leads))
        .copied()?;
    let forecasts = short
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                super::sections::metric_name(&l.metric),
                fig(&l.metric, l.expected)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let ask = match (worst.cost_to_close, f.cost_per_opportunity, f.cost_per_lead) {
        (Some(cost), Some(cpo), Some(cpl)) => format!(
            "Finance, before approval: fund about {} more for the quarter (≈{} more leads and \
             {} more opportunities, enough to close every gap, at last quarter's {} a lead and \
             {} an opportunity; with diminishing returns the real cost is higher), or lower \
             the targets to the forecast ({forecasts}).",
            money(cost),
            whole(worst.extra_leads.ceil()),
            whole(worst.extra_opportunities.ceil()),
            money(cpl),
            money(cpo),
        ),
        _ => format!(
            "Finance, before approval: lower the targets to the forecast ({forecasts}), or \
             fund the ≈{} more leads closing every gap needs (no cost per lead was measured \
             last quarter).",
            whole(worst.extra_leads.ceil()),
        ),
    };
    Some((
        short.iter().any(|l| l.out_of_reach),
        format!("At the planned budget (stage 7's forecast): {evidence}."),
        ask,
    ))
}

fn out_of_reach(s: &Sources, out: &mut Vec<Risk>) {
    let Some((beyond, evidence, ask)) = forecast_gap(s) else {
        return;
    };
    out.push(Risk {
        severity: if beyond { "high" } else { "medium" },
        title: OUT_OF_REACH.into(),
        evidence,
        mitigation: ask,
    });
}

fn stretch(s: &Sources, out: &mut Vec<Risk>) {
    let Some(g) = &s.goals else { return };
    // What the quarter under review reached: stage 7's measurement, or the count of
    // leads converting into the stage in stage 2's funnel.
    let from_funnel = |metric: &str| {
        let to = match metric {
            "mqls" => "mql",
            "sqls" => "sql",
            "opportunities" => "opportunity",
            "won" => "won",
            _ => return None,
        };
        let step = s.funnel.as_ref()?.steps.iter().find(|st| st.to == to)?;
        (step.converted > 0).then_some(step.converted as f64)
    };
    let mut stretched = Vec::new();
    let mut high = false;
    for t in &g.targets {
        let Some(actual) = t.last_quarter.or_else(|| from_funnel(&t.metric)) else {
            continue;
        };
        if actual <= 0.0 {
            continue;
        }
        let over = t.value / actual - 1.0;
        if over > STRETCH {
            high |= over > STRETCH_HIGH || t.above_history;
            let (need, had) = if matches!(t.metric.as_str(), "revenue" | "pipeline") {
                (money(t.value), money(actual))
            } else {
                (whole(t.value), whole(actual))
            };
            stretched.push(format!(
                "{} {need} against {had} ({}{})",
                super::sections::metric_name(&t.metric),
                change(actual, t.value),
                if t.above_history {
                    ", above every quarter on record"
                } else {
                    ""
                }
            ));
        }
    }
    if stretched.is_empty() {
        return;
    }
    out.push(Risk {
        severity: if high { "high" } else { "medium" },
        title: "Stretch targets".into(),
        evidence: format!(
            "Against {}: {}.",
            s.inputs.review_label(),
            stretched.join("; ")
        ),
        mitigation: "Track each against its monthly milestone at the weekly check-ins; if month one lands below 90% \
                     of its milestone, re-plan the quarter's targets or fund the gap from the test reserve."
            .into(),
    });
}

fn unfinished_tests(s: &Sources, out: &mut Vec<Risk>) {
    let Some(c) = &s.calendar else { return };
    let Some(end) = quarter_end(s) else { return };
    // Unfunded tests are not run, so only funded ones can overrun.
    for t in c.tests.iter().filter(|t| t.funded && t.end > end) {
        out.push(Risk {
            severity: "medium",
            title: format!("Test runs past the quarter: {}", t.name),
            evidence: format!(
                "It needs {} per arm and ends {} (the quarter ends {end}).",
                t.sample_size_per_arm, t.end
            ),
            mitigation: "Raise the minimum detectable effect, add traffic, or plan its decision for next quarter's review.".into(),
        });
    }
}

fn data_gaps(s: &Sources, out: &mut Vec<Risk>) {
    for n in (1..=9).filter(|n| !s.available(*n)) {
        out.push(Risk {
            severity: "medium",
            title: format!("Data gap: {}", stage_title(n)),
            evidence: format!("{} produced no findings.", analysis_name(n)),
            mitigation: "Supply its input files before the next review; decisions that depend on it rest on judgement meanwhile.".into(),
        });
    }
}

/// One file's distorting problems (once, however many stages read it), the stages that
/// read it and the comparisons it distorts in them.
#[derive(Default)]
struct FileProblems {
    details: Vec<String>,
    stages: Vec<u8>,
    distorts: Vec<String>,
}

fn data_problems(s: &Sources, out: &mut Vec<Risk>) {
    use std::collections::BTreeMap;
    let mut files: BTreeMap<String, FileProblems> = BTreeMap::new();
    for (n, findings) in s.inputs.outputs.range(1..=9) {
        for note in crate::stages::data_notes::of(findings) {
            if !crate::data_check::DISTORTING.contains(&note.kind.as_str()) {
                continue;
            }
            let FileProblems {
                details,
                stages,
                distorts,
            } = files.entry(note.file.clone()).or_default();
            if !details.contains(&note.detail) {
                details.push(note.detail.clone());
            }
            if !stages.contains(n) {
                stages.push(*n);
            }
            if let Some(d) = note.distorts
                && !distorts.contains(&d)
            {
                distorts.push(d);
            }
        }
    }
    for (
        file,
        FileProblems {
            details,
            stages,
            distorts,
        },
    ) in files
    {
        let numbers: Vec<String> = stages.iter().map(u8::to_string).collect();
        let which = match numbers.as_slice() {
            [one] => format!("stage {one}"),
            [init @ .., last] => format!("stages {} and {last}", init.join(", ")),
            [] => "the stages that read it".to_owned(),
        };
        let mut mitigation =
            format!("Ask for a complete {file} and re-run {which} before approval");
        if distorts.is_empty() {
            mitigation.push('.');
        } else {
            mitigation.push_str(&format!(
                "; until then, read these with care: {}.",
                distorts.join("; ")
            ));
        }
        out.push(Risk {
            severity: "medium",
            title: format!("Data problem: {file}"),
            evidence: format!("{}.", details.join("; ")),
            mitigation,
        });
    }
}

/// Last day of the quarter being planned.
pub(super) fn quarter_end(s: &Sources) -> Option<chrono::NaiveDate> {
    s.inputs
        .quarter_start
        .checked_add_months(chrono::Months::new(3))?
        .pred_opt()
}
