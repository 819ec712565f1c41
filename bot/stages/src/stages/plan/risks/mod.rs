//! Section 9's risks, by rule. Each rule reads the stages' handoffs and fires on a
//! stated threshold; it records the figures that made it fire ([`RiskFigures`]), and
//! the risk's severity, title, evidence and mitigation are rendered from those figures
//! (`text`). Rules:
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

mod text;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Sources;
use crate::stages::handoff::{Bottleneck, ContentConflict, HeldBack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
        }
    }
}

/// A risk as stage 10 stores it: `kind` and `figures` (the rule and the numbers that
/// made it fire), and the words rendered from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub severity: Severity,
    #[serde(flatten)]
    pub figures: RiskFigures,
    pub title: String,
    pub evidence: String,
    pub mitigation: String,
}

impl Risk {
    fn new(figures: RiskFigures) -> Self {
        let text = text::render(&figures);
        Self {
            severity: figures.severity(),
            figures,
            title: text.title,
            evidence: text.evidence,
            mitigation: text.mitigation,
        }
    }
}

/// What each rule found, with its numbers (money in the team's currency, shares and
/// loads as fractions; channels by the team's names for them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "figures", rename_all = "snake_case")]
pub enum RiskFigures {
    Concentration {
        channel: String,
        spend: f64,
        allocatable: f64,
        share: f64,
    },
    FallingReturn {
        channel: String,
        previous_roas: f64,
        roas: f64,
        planned: f64,
        last_quarter_spend: f64,
    },
    /// A funnel step below its benchmark (stage 2), with the step as people name it.
    FunnelBottleneck {
        step: String,
        measured: Bottleneck,
    },
    OverCapacity {
        person: String,
        role: String,
        hours: f64,
        capacity_hours: f64,
        load: f64,
    },
    ContentConflicts {
        count: usize,
        first: ContentConflict,
    },
    OverCommitted {
        channel: String,
        booked: f64,
        allocation: f64,
        excess: f64,
    },
    OutOfReach(ForecastGap),
    /// Money a change request held back from a channel into the reserve (stage 6).
    HeldBack(HeldBack),
    Stretch {
        /// The quarter under review's label.
        against: String,
        targets: Vec<Stretched>,
        /// Stage 7's steps whose rate is below last quarter's own, the reason volumes
        /// grow faster than revenue.
        #[serde(default)]
        rate_gaps: Vec<quarterdeck_analyses::goals::RateGap>,
    },
    UnfinishedTest {
        test: String,
        sample_size_per_arm: u64,
        end: NaiveDate,
        quarter_end: NaiveDate,
    },
    DataGap {
        stage: u8,
    },
    DataProblem {
        file: String,
        /// The stages that read the file.
        stages: Vec<u8>,
        /// The data check's problem kinds, once each, in the order the stages noted them.
        problems: Vec<String>,
        /// The data notes' details, once each.
        details: Vec<String>,
        /// The comparisons the problems distort.
        distorts: Vec<String>,
    },
}

/// Stage 7's forecast against its targets: each short metric and the finance ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastGap {
    /// The forecast interval's level (0.9 for 90%).
    pub level: f64,
    pub short: Vec<Shortfall>,
    pub ask: FinanceAsk,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    pub metric: String,
    pub expected: f64,
    pub low: f64,
    pub high: f64,
    pub target: f64,
    pub shortfall: f64,
    /// The target lies above the forecast's interval.
    pub beyond_interval: bool,
}

/// Buying leads closes every gap at once, so the ask is priced on the gap that needs
/// the most of them (leads and opportunities rounded up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinanceAsk {
    pub extra_leads: f64,
    pub extra_opportunities: f64,
    /// Present when last quarter measured both a cost per lead and per opportunity.
    pub priced: Option<PricedAsk>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedAsk {
    pub cost: f64,
    pub cost_per_lead: f64,
    pub cost_per_opportunity: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stretched {
    pub metric: String,
    pub target: f64,
    /// What the quarter under review reached.
    pub reached: f64,
    /// `target / reached − 1`.
    pub over: f64,
    pub above_history: bool,
}

impl RiskFigures {
    pub fn severity(&self) -> Severity {
        let high = match self {
            Self::Concentration { share, .. } => *share > CONCENTRATION_HIGH,
            Self::OverCapacity { load, .. } => *load > OVERLOAD_HIGH,
            Self::OutOfReach(gap) => gap.short.iter().any(|l| l.beyond_interval),
            Self::Stretch { targets, .. } => targets
                .iter()
                .any(|t| t.over > STRETCH_HIGH || t.above_history),
            _ => false,
        };
        if high {
            Severity::High
        } else {
            Severity::Medium
        }
    }
}

pub const CONCENTRATION: f64 = 0.40;
pub const CONCENTRATION_HIGH: f64 = 0.60;
pub const ROAS_DROP: f64 = 0.20;
pub const OVERLOAD_HIGH: f64 = 1.20;
pub const STRETCH: f64 = 0.20;
pub const STRETCH_HIGH: f64 = 0.50;

pub fn assess(s: &Sources) -> Vec<Risk> {
    let mut found = Vec::new();
    concentration(s, &mut found);
    falling_return(s, &mut found);
    bottlenecks(s, &mut found);
    capacity(s, &mut found);
    over_committed(s, &mut found);
    found.extend(forecast_gap(s).map(RiskFigures::OutOfReach));
    stretch(s, &mut found);
    found.extend((s.budget.iter()).flat_map(|b| &b.held_back).map(|h| {
        RiskFigures::HeldBack(HeldBack {
            channel: s.inputs.names.name(&h.channel),
            ..h.clone()
        })
    }));
    unfinished_tests(s, &mut found);
    data_gaps(s, &mut found);
    data_problems(s, &mut found);
    let mut risks: Vec<Risk> = found.into_iter().map(Risk::new).collect();
    // High first; within a severity, in rule order.
    risks.sort_by_key(|r| r.severity != Severity::High);
    risks
}

fn concentration(s: &Sources, out: &mut Vec<RiskFigures>) {
    let Some(b) = &s.budget else { return };
    if b.allocatable <= 0.0 {
        return;
    }
    for c in &b.channels {
        let share = c.spend / b.allocatable;
        if share > CONCENTRATION {
            out.push(RiskFigures::Concentration {
                channel: s.inputs.names.name(&c.channel),
                spend: c.spend,
                allocatable: b.allocatable,
                share,
            });
        }
    }
}

fn over_committed(s: &Sources, out: &mut Vec<RiskFigures>) {
    let Some(c) = &s.calendar else { return };
    for o in &c.over_committed {
        out.push(RiskFigures::OverCommitted {
            channel: s.inputs.names.name(&o.channel),
            booked: o.booked,
            allocation: o.allocation,
            excess: o.booked - o.allocation,
        });
    }
}

fn falling_return(s: &Sources, out: &mut Vec<RiskFigures>) {
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
            out.push(RiskFigures::FallingReturn {
                channel: s.inputs.names.name(&r.channel),
                previous_roas: before,
                roas: now,
                planned: planned.spend,
                last_quarter_spend: r.spend,
            });
        }
    }
}

fn bottlenecks(s: &Sources, out: &mut Vec<RiskFigures>) {
    let Some(f) = &s.funnel else { return };
    let names = &s.inputs.names;
    for b in &f.bottlenecks {
        out.push(RiskFigures::FunnelBottleneck {
            step: format!("{} → {}", names.name(&b.from), names.name(&b.to)),
            measured: b.clone(),
        });
    }
}

fn capacity(s: &Sources, out: &mut Vec<RiskFigures>) {
    if let Some(c) = &s.calendar {
        for w in &c.workload {
            if w.capacity_hours > 0.0 && w.hours > w.capacity_hours {
                out.push(RiskFigures::OverCapacity {
                    person: w.person.clone(),
                    role: w.role.clone(),
                    hours: w.hours,
                    capacity_hours: w.capacity_hours,
                    load: w.hours / w.capacity_hours,
                });
            }
        }
    }
    if let Some(p) = &s.content_plan
        && let Some(first) = p.conflicts.first()
    {
        out.push(RiskFigures::ContentConflicts {
            count: p.conflicts.len(),
            first: first.clone(),
        });
    }
}

/// Stage 7's forecast against its targets: the metrics it falls short of and the ask
/// that closes every gap.
fn forecast_gap(s: &Sources) -> Option<ForecastGap> {
    let f = s.goals.as_ref()?.forecast.as_ref()?;
    let short: Vec<_> = f.lines.iter().filter(|l| l.shortfall > 0.0).collect();
    let worst = short
        .iter()
        .max_by(|a, b| a.extra_leads.total_cmp(&b.extra_leads))
        .copied()?;
    let priced = match (worst.cost_to_close, f.cost_per_lead, f.cost_per_opportunity) {
        (Some(cost), Some(cost_per_lead), Some(cost_per_opportunity)) => Some(PricedAsk {
            cost,
            cost_per_lead,
            cost_per_opportunity,
        }),
        _ => None,
    };
    Some(ForecastGap {
        level: f.level,
        short: short
            .iter()
            .map(|l| Shortfall {
                metric: l.metric.clone(),
                expected: l.expected,
                low: l.low,
                high: l.high,
                target: l.target,
                shortfall: l.shortfall,
                beyond_interval: l.out_of_reach,
            })
            .collect(),
        ask: FinanceAsk {
            extra_leads: worst.extra_leads.ceil(),
            extra_opportunities: worst.extra_opportunities.ceil(),
            priced,
        },
    })
}

fn stretch(s: &Sources, out: &mut Vec<RiskFigures>) {
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
    let targets: Vec<Stretched> = g
        .targets
        .iter()
        .filter_map(|t| {
            let reached = t.last_quarter.or_else(|| from_funnel(&t.metric))?;
            let over = t.value / reached - 1.0;
            (reached > 0.0 && over > STRETCH).then(|| Stretched {
                metric: t.metric.clone(),
                target: t.value,
                reached,
                over,
                above_history: t.above_history,
            })
        })
        .collect();
    if !targets.is_empty() {
        out.push(RiskFigures::Stretch {
            against: s.inputs.review_label(),
            targets,
            rate_gaps: g.rate_gaps.clone(),
        });
    }
}

fn unfinished_tests(s: &Sources, out: &mut Vec<RiskFigures>) {
    let Some(c) = &s.calendar else { return };
    let Some(end) = quarter_end(s) else { return };
    // Unfunded tests are not run, so only funded ones can overrun.
    for t in c.tests.iter().filter(|t| t.funded && t.end > end) {
        out.push(RiskFigures::UnfinishedTest {
            test: t.name.clone(),
            sample_size_per_arm: t.sample_size_per_arm,
            end: t.end,
            quarter_end: end,
        });
    }
}

fn data_gaps(s: &Sources, out: &mut Vec<RiskFigures>) {
    for stage in (1..=9).filter(|n| !s.available(*n)) {
        out.push(RiskFigures::DataGap { stage });
    }
}

fn data_problems(s: &Sources, out: &mut Vec<RiskFigures>) {
    use std::collections::BTreeMap;
    // One entry per file, however many stages read it.
    let mut files: BTreeMap<String, RiskFigures> = BTreeMap::new();
    for (n, findings) in s.inputs.outputs.range(1..=9) {
        for note in crate::stages::data_notes::of(findings) {
            if !crate::data_check::DISTORTING.contains(&note.kind.as_str()) {
                continue;
            }
            let RiskFigures::DataProblem {
                stages,
                problems,
                details,
                distorts,
                ..
            } = files
                .entry(note.file.clone())
                .or_insert_with(|| RiskFigures::DataProblem {
                    file: note.file.clone(),
                    stages: Vec::new(),
                    problems: Vec::new(),
                    details: Vec::new(),
                    distorts: Vec::new(),
                })
            else {
                continue;
            };
            let add = |list: &mut Vec<String>, item: &String| {
                if !list.contains(item) {
                    list.push(item.clone());
                }
            };
            add(problems, &note.kind);
            add(details, &note.detail);
            if let Some(d) = &note.distorts {
                add(distorts, d);
            }
            if !stages.contains(n) {
                stages.push(*n);
            }
        }
    }
    out.extend(files.into_values());
}

/// Last day of the quarter being planned.
pub(super) fn quarter_end(s: &Sources) -> Option<NaiveDate> {
    s.inputs
        .quarter_start
        .checked_add_months(chrono::Months::new(3))?
        .pred_opt()
}
