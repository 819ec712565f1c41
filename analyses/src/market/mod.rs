//! The market picture (stage 5): competitor activity, trends, our funnel rates against
//! published benchmarks, and the rule-based opportunities and threats that follow.
//!
//! Channel names are normalised before matching (lower case; `ppc`, `sem`, `paid search`
//! → `paid_search`; `webinar` → `webinars`; `event` → `events`; `organic`,
//! `organic_search` → `seo`; `social_paid` → `paid_social`).
//!
//! Rules, each applied in this order and each producing one sentence:
//! 1. **Competitor move** — a competitor is active in a channel in the quarter under
//!    review where it had no activity before (in the file). The channel is *emerging* when
//!    at least [`EMERGING_MOVES`] competitors moved into it.
//! 2. **Threat** — a competitor moved into one of *our leading channels*: the
//!    [`LEADING`] channels with the largest first-touch share of our journeys this quarter.
//! 3. **Emerging in our journeys** — a channel whose first-touch share or reach rose with
//!    a Holm-adjusted p < 0.05 (see `journey_shift`) is emerging and an opportunity
//!    (more buyers start or pass there: fund it ahead of competitors).
//! 4. **Losing ground** — a channel whose first-touch share fell significantly is a threat.
//! 5. **Benchmark gap** — our rate of a funnel step is below the benchmark when its 95%
//!    Wilson upper bound is below the benchmark value (counts known), or, with a rate
//!    only, when it is more than [`GAP_WITHOUT_COUNTS`] (relative) below. Each gap is an
//!    opportunity sized as the extra conversions at the benchmark rate.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::journey_shift::JourneyShift;

mod benchmarks;

use benchmarks::compare;

/// Competitors moving into a channel in one quarter that make it emerging.
pub const EMERGING_MOVES: usize = 2;
/// How many of our top first-touch channels count as "where we lead".
pub const LEADING: usize = 3;
/// Relative shortfall that flags a gap when only a rate (no counts) is known.
pub const GAP_WITHOUT_COUNTS: f64 = 0.10;

/// Our name for a channel as others spell it.
pub fn normalise_channel(name: &str) -> String {
    let n = name.trim().to_lowercase().replace([' ', '-'], "_");
    match n.as_str() {
        "ppc" | "sem" | "paid_search" | "search_ads" | "google_ads" => "paid_search",
        "webinar" | "webinars" => "webinars",
        "event" | "events" => "events",
        "organic" | "organic_search" | "seo" => "seo",
        "social_paid" | "paid_social" => "paid_social",
        other => other,
    }
    .to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetitorEvent {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub competitor: String,
    pub kind: String,
    pub channel: String,
    pub summary: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub date: String,
    pub topic: String,
    pub metric: String,
    pub value: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    pub metric: String,
    pub segment: String,
    /// As a fraction when the unit is `percent` (41 → 0.41).
    pub value: f64,
    pub unit: String,
    pub source: String,
    pub year: Option<i32>,
}

/// One of our measured rates, with counts when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OurRate {
    /// `funnel_lead_to_mql`, ... as in benchmarks.csv.
    pub metric: String,
    /// `None` for the whole funnel, else the (normalised) channel.
    pub channel: Option<String>,
    pub rate: f64,
    /// `(entered, converted)`.
    pub counts: Option<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// First day of the quarter under review (`YYYY-MM-DD`); events before it are "before".
    pub review_start: String,
    /// First day of the quarter being planned; events from it on are ignored.
    pub review_end_exclusive: String,
    pub competitors: Vec<CompetitorEvent>,
    pub trends: Vec<TrendPoint>,
    pub benchmarks: Vec<Benchmark>,
    pub ours: Vec<OurRate>,
    pub journeys: Option<JourneyShift>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move {
    pub competitor: String,
    pub channel: String,
    pub date: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub topic: String,
    pub metric: String,
    pub first_date: String,
    pub first: f64,
    pub last_date: String,
    pub last: f64,
    pub change: f64,
    /// `change / first`, when first ≠ 0.
    pub relative_change: Option<f64>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub metric: String,
    pub channel: Option<String>,
    pub ours: f64,
    pub ours_high: Option<f64>,
    pub benchmark: f64,
    /// The benchmark segment matched.
    pub segment: String,
    pub source: String,
    pub below: bool,
    /// Extra conversions at the benchmark rate over the same entrants.
    pub extra_at_benchmark: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Market {
    /// Every event up to the end of the quarter under review, oldest first.
    pub timeline: Vec<CompetitorEvent>,
    /// Events per competitor: (earlier, in the quarter under review).
    pub activity: BTreeMap<String, (u64, u64)>,
    pub moves: Vec<Move>,
    pub trends: Vec<Trend>,
    pub comparisons: Vec<Comparison>,
    pub leading_channels: Vec<String>,
    pub emerging_channels: Vec<String>,
    pub opportunities: Vec<String>,
    pub threats: Vec<String>,
}

/// Applies the rules above.
pub fn analyze(input: &Input) -> Market {
    let review =
        |d: &str| d >= input.review_start.as_str() && d < input.review_end_exclusive.as_str();
    let mut timeline: Vec<CompetitorEvent> = input
        .competitors
        .iter()
        .filter(|e| e.date.as_str() < input.review_end_exclusive.as_str())
        .map(|e| CompetitorEvent {
            channel: normalise_channel(&e.channel),
            ..e.clone()
        })
        .collect();
    timeline.sort_by(|a, b| (&a.date, &a.competitor).cmp(&(&b.date, &b.competitor)));
    let mut activity: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for e in &timeline {
        let entry = activity.entry(e.competitor.clone()).or_default();
        if review(&e.date) {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    // Rule 1: first activity of a competitor in a channel falls in the review quarter.
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut moves = Vec::new();
    for e in &timeline {
        if seen.insert((&e.competitor, &e.channel)) && review(&e.date) {
            moves.push(Move {
                competitor: e.competitor.clone(),
                channel: e.channel.clone(),
                date: e.date.clone(),
                summary: e.summary.clone(),
            });
        }
    }
    let mut movers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &moves {
        movers.entry(&m.channel).or_default().push(&m.competitor);
    }
    let mut emerging: BTreeSet<String> = movers
        .iter()
        .filter(|(_, who)| who.len() >= EMERGING_MOVES)
        .map(|(c, _)| (*c).to_owned())
        .collect();

    let mut opportunities = Vec::new();
    let mut threats = Vec::new();
    let leading = leading_channels(input.journeys.as_ref());
    // Rule 2.
    for c in &leading {
        if let Some(who) = movers.get(c.as_str()) {
            let share = input
                .journeys
                .as_ref()
                .map(|j| share(j.now.first_touch.get(c), j.now.journeys))
                .unwrap_or(0.0);
            threats.push(format!(
                "{} moved into {c}, where {:.1}% of our journeys start: expect dearer clicks and a crowded message there",
                who.join(" and "),
                share * 100.0
            ));
        }
    }
    // Rules 3 and 4.
    if let Some(j) = &input.journeys {
        for s in j.shifts.iter().filter(|s| s.significant) {
            let what = if s.measure == "first_touch" {
                "of journeys start on"
            } else {
                "of journeys touch"
            };
            if s.now > s.before {
                emerging.insert(s.channel.clone());
                opportunities.push(format!(
                    "{:.1}% {what} {} now, up from {:.1}% (Holm-adjusted p {:.3}): more buyers find us there, fund it before competitors do",
                    s.now * 100.0, s.channel, s.before * 100.0, s.p_adjusted
                ));
            } else if s.measure == "first_touch" {
                threats.push(format!(
                    "{:.1}% {what} {} now, down from {:.1}% (Holm-adjusted p {:.3}): find out where those buyers start instead",
                    s.now * 100.0, s.channel, s.before * 100.0, s.p_adjusted
                ));
            }
        }
    }
    // Rule 5.
    let comparisons = compare(&input.ours, &input.benchmarks);
    for c in comparisons.iter().filter(|c| c.below) {
        let step = c
            .metric
            .trim_start_matches("funnel_")
            .replace("_to_", " → ");
        let scope = c
            .channel
            .as_deref()
            .map_or_else(|| "overall".to_owned(), |ch| format!("for {ch}"));
        let reached = step.rsplit(" → ").next().unwrap_or("conversion");
        let extra = c
            .extra_at_benchmark
            .map(|x| {
                format!(": reaching it would add ≈{x:.0} {reached}s a quarter at the same volume")
            })
            .unwrap_or_default();
        opportunities.push(format!(
            "{step} {scope} is {:.1}% against a benchmark of {:.1}% ({}){extra}",
            c.ours * 100.0,
            c.benchmark * 100.0,
            c.source
        ));
    }
    Market {
        timeline,
        activity,
        moves,
        trends: trends(&input.trends),
        comparisons,
        leading_channels: leading,
        emerging_channels: emerging.into_iter().collect(),
        opportunities,
        threats,
    }
}

fn share(k: Option<&u64>, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        k.copied().unwrap_or(0) as f64 / n as f64
    }
}

fn leading_channels(j: Option<&JourneyShift>) -> Vec<String> {
    let Some(j) = j else { return Vec::new() };
    let mut by: Vec<(&String, &u64)> = j.now.first_touch.iter().collect();
    by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    by.into_iter()
        .take(LEADING)
        .map(|(c, _)| c.clone())
        .collect()
}

/// Per topic and metric: first and last value by date.
fn trends(points: &[TrendPoint]) -> Vec<Trend> {
    let mut by: BTreeMap<(&str, &str), Vec<&TrendPoint>> = BTreeMap::new();
    for p in points {
        by.entry((&p.topic, &p.metric)).or_default().push(p);
    }
    by.into_iter()
        .filter_map(|((topic, metric), mut ps)| {
            ps.sort_by(|a, b| a.date.cmp(&b.date));
            let (first, last) = (ps.first()?, ps.last()?);
            let change = last.value - first.value;
            Some(Trend {
                topic: topic.to_owned(),
                metric: metric.to_owned(),
                first_date: first.date.clone(),
                first: first.value,
                last_date: last.date.clone(),
                last: last.value,
                change,
                relative_change: (first.value != 0.0).then(|| change / first.value),
                source: last.source.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
