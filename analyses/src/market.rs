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

use crate::funnel::{Z95, wilson};
use crate::journey_shift::JourneyShift;

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

/// The channel a benchmark segment names (`b2b_saas;channel=seo` → `seo`).
fn segment_channel(segment: &str) -> Option<String> {
    segment
        .split(';')
        .find_map(|part| part.trim().strip_prefix("channel="))
        .map(normalise_channel)
}

/// A source without its parenthesised details (`Pub (50 clients; 2025)` → `Pub`).
fn short(source: &str) -> &str {
    source.split(" (").next().unwrap_or(source).trim()
}

/// Our rates against the benchmark for the same metric: the segment naming the same
/// channel, or, for overall rates, the median over every segment of the metric.
fn compare(ours: &[OurRate], benchmarks: &[Benchmark]) -> Vec<Comparison> {
    ours.iter()
        .filter_map(|o| {
            let candidates: Vec<&Benchmark> = benchmarks
                .iter()
                .filter(|b| b.metric == o.metric && b.unit == "percent")
                .filter(|b| match &o.channel {
                    Some(c) => segment_channel(&b.segment).as_deref() == Some(c.as_str()),
                    None => true,
                })
                .collect();
            let (benchmark, segment, source) = match candidates.as_slice() {
                [] => return None,
                [one] => (
                    one.value,
                    one.segment.clone(),
                    short(&one.source).to_owned(),
                ),
                many => {
                    let mut v: Vec<f64> = many.iter().map(|b| b.value).collect();
                    v.sort_by(f64::total_cmp);
                    let n = v.len();
                    let median = if n % 2 == 1 {
                        v[n / 2]
                    } else {
                        (v[n / 2 - 1] + v[n / 2]) / 2.0
                    };
                    let mut sources: Vec<&str> = many.iter().map(|b| short(&b.source)).collect();
                    sources.sort_unstable();
                    sources.dedup();
                    let named = if sources.len() > 3 {
                        format!(
                            "{}; and {} more",
                            sources[..3].join("; "),
                            sources.len() - 3
                        )
                    } else {
                        sources.join("; ")
                    };
                    (median, format!("median of {n} published figures"), named)
                }
            };
            let high = o.counts.and_then(|(n, k)| wilson(k, n, Z95)).map(|w| w.1);
            let below = match high {
                Some(h) => h < benchmark,
                None => o.rate < benchmark * (1.0 - GAP_WITHOUT_COUNTS),
            };
            Some(Comparison {
                metric: o.metric.clone(),
                channel: o.channel.clone(),
                ours: o.rate,
                ours_high: high,
                benchmark,
                segment,
                source,
                below,
                extra_at_benchmark: o
                    .counts
                    .map(|(n, _)| (n as f64 * (benchmark - o.rate)).max(0.0)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey_shift::{ChannelShift, PeriodStats};

    fn event(date: &str, who: &str, channel: &str) -> CompetitorEvent {
        CompetitorEvent {
            date: date.into(),
            competitor: who.into(),
            kind: "campaign".into(),
            channel: channel.into(),
            summary: format!("{who} in {channel}"),
            source: "notes".into(),
        }
    }

    fn input() -> Input {
        Input {
            review_start: "2026-10-01".into(),
            review_end_exclusive: "2027-01-01".into(),
            competitors: vec![],
            trends: vec![],
            benchmarks: vec![],
            ours: vec![],
            journeys: None,
        }
    }

    fn journeys(first: &[(&str, u64)], shifts: Vec<ChannelShift>) -> JourneyShift {
        let period = PeriodStats {
            journeys: first.iter().map(|f| f.1).sum(),
            converted: 0,
            mean_path_length: None,
            median_path_length: None,
            first_touch: first.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect(),
            reach: BTreeMap::new(),
        };
        JourneyShift {
            before: period.clone(),
            now: period,
            shifts,
        }
    }

    #[test]
    fn a_competitor_moving_into_a_channel_we_lead_is_a_threat() {
        // We lead seo (50%), paid_search, linkedin; display is fourth.
        let mut i = input();
        i.journeys = Some(journeys(
            &[
                ("seo", 50),
                ("paid_search", 25),
                ("linkedin", 15),
                ("display", 10),
            ],
            vec![],
        ));
        i.competitors = vec![
            event("2026-08-01", "Acme", "linkedin"), // before: not a move in review
            event("2026-11-01", "Acme", "linkedin"),
            event("2026-11-02", "Acme", "Organic"), // new: seo
            event("2026-11-03", "Beta", "display"), // new, but we do not lead display
        ];

        let m = analyze(&i);

        assert_eq!(m.leading_channels, ["seo", "paid_search", "linkedin"]);
        assert_eq!(m.moves.len(), 2);
        assert_eq!(m.threats.len(), 1, "{:?}", m.threats);
        assert!(m.threats[0].starts_with("Acme moved into seo, where 50.0%"));
        assert_eq!(m.activity["Acme"], (1, 2));
        assert!(m.emerging_channels.is_empty());
    }

    #[test]
    fn two_competitors_moving_into_one_channel_make_it_emerging() {
        let mut i = input();
        i.competitors = vec![
            event("2026-10-05", "Acme", "webinar"),
            event("2026-12-01", "Beta", "webinars"),
            event("2027-01-05", "Gamma", "events"), // after the quarter: ignored
        ];

        let m = analyze(&i);

        assert_eq!(m.emerging_channels, ["webinars"]);
        assert_eq!(m.timeline.len(), 2);
    }

    #[test]
    fn a_significant_rise_in_journeys_is_emerging_and_an_opportunity() {
        let mut i = input();
        i.journeys = Some(journeys(
            &[("seo", 10)],
            vec![ChannelShift {
                channel: "webinars".into(),
                measure: "first_touch".into(),
                before: 0.05,
                now: 0.08,
                z: 4.0,
                p_adjusted: 0.001,
                significant: true,
            }],
        ));

        let m = analyze(&i);

        assert_eq!(m.emerging_channels, ["webinars"]);
        assert!(
            m.opportunities[0].starts_with("8.0% of journeys start on webinars now, up from 5.0%")
        );
    }

    #[test]
    fn a_gap_counts_only_when_the_whole_interval_is_below_the_benchmark() {
        // seo lead → mql: 80 of 200 = 40%; Wilson 95% upper = 0.4692 < 0.50 → gap,
        // extra at benchmark 200 × (0.50 − 0.40) = 20.
        // email: 45 of 100 = 45%; upper 0.549 > 0.50 → no gap.
        let mut i = input();
        let bench = |channel: &str| Benchmark {
            metric: "funnel_lead_to_mql".into(),
            segment: format!("b2b_saas;channel={channel}"),
            value: 0.5,
            unit: "percent".into(),
            source: "Pub (details)".into(),
            year: Some(2025),
        };
        i.benchmarks = vec![bench("seo"), bench("email")];
        i.ours = vec![
            OurRate {
                metric: "funnel_lead_to_mql".into(),
                channel: Some("seo".into()),
                rate: 0.4,
                counts: Some((200, 80)),
            },
            OurRate {
                metric: "funnel_lead_to_mql".into(),
                channel: Some("email".into()),
                rate: 0.45,
                counts: Some((100, 45)),
            },
        ];

        let m = analyze(&i);

        let seo = &m.comparisons[0];
        assert!(seo.below);
        assert!((seo.ours_high.unwrap() - 0.4692).abs() < 1e-3);
        assert!((seo.extra_at_benchmark.unwrap() - 20.0).abs() < 1e-9);
        assert_eq!(seo.source, "Pub");
        assert!(!m.comparisons[1].below);
        assert_eq!(m.opportunities.len(), 1);
    }

    #[test]
    fn an_overall_rate_is_compared_with_the_median_segment() {
        // Segments 30%, 40%, 60% → median 40%. Ours 35% (no counts): 35 < 40 × 0.9 = 36.
        let mut i = input();
        i.benchmarks = [0.3, 0.4, 0.6]
            .iter()
            .enumerate()
            .map(|(k, v)| Benchmark {
                metric: "funnel_mql_to_sql".into(),
                segment: format!("b2b;channel=c{k}"),
                value: *v,
                unit: "percent".into(),
                source: "Pub".into(),
                year: None,
            })
            .collect();
        i.ours = vec![OurRate {
            metric: "funnel_mql_to_sql".into(),
            channel: None,
            rate: 0.35,
            counts: None,
        }];

        let m = analyze(&i);

        assert_eq!(m.comparisons[0].benchmark, 0.4);
        assert!(m.comparisons[0].below);
    }

    #[test]
    fn trends_report_first_and_last_value_per_topic() {
        let mut i = input();
        let p = |date: &str, v: f64| TrendPoint {
            date: date.into(),
            topic: "cpc".into(),
            metric: "usd".into(),
            value: v,
            source: "news".into(),
        };
        i.trends = vec![
            p("2026-09-01", 5.0),
            p("2026-07-01", 4.0),
            p("2026-12-01", 5.0),
        ];

        let m = analyze(&i);

        assert_eq!(m.trends.len(), 1);
        assert_eq!((m.trends[0].first, m.trends[0].last), (4.0, 5.0));
        assert_eq!(m.trends[0].relative_change, Some(0.25));
    }
}
