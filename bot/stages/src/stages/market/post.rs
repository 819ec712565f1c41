//! Stage 5's post: the headline, the tables a marketing lead reads (competitor activity,
//! this quarter's moves, first-touch mix, benchmarks, trends), what to do, and the
//! first-touch mix chart (this quarter against the one before).

use std::fmt::Write as _;

use quarterdeck_analyses::journey_shift::ChannelShift;

use super::{MarketFindings, NotCovered};
use crate::charts::{self, BarSeries, GroupedBars, Orientation, Size, ValueFormat};
use crate::chat::{Message, Table};
use crate::report::percent;
use crate::report::{DisplayNames, count};
use crate::stages::{OutputFile, stage_title};

fn first_touch(f: &MarketFindings) -> Vec<&ChannelShift> {
    f.journeys
        .iter()
        .flat_map(|j| j.shifts.iter().filter(|s| s.measure == "first_touch"))
        .collect()
}

/// Every channel identifier the analysis's sentences (threats, opportunities, benchmark
/// metrics) may name, so a post or the plan can show the team's names for them.
pub(super) fn named_channels(f: &MarketFindings) -> Vec<String> {
    let m = &f.market;
    let mut ids: Vec<String> = m
        .timeline
        .iter()
        .map(|e| e.channel.clone())
        .chain(m.leading_channels.iter().cloned())
        .chain(m.emerging_channels.iter().cloned())
        .chain(first_touch(f).into_iter().map(|s| s.channel.clone()))
        .chain(m.comparisons.iter().filter_map(|c| c.channel.clone()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// What the stage lacked, as a sentence (no final stop).
pub(super) fn not_covered(m: NotCovered) -> String {
    match m {
        NotCovered::Competitors => {
            "no competitors.csv: no competitor timeline, moves or threats from them".into()
        }
        NotCovered::Trends => "no trends.csv: no market trends".into(),
        NotCovered::Benchmarks => "no benchmarks.csv: no comparison with industry rates".into(),
        NotCovered::Journeys => "no touchpoints.csv with conversions.csv: no customer-journey shifts and no channels where we lead".into(),
        NotCovered::JourneysOneQuarter => "journeys do not cover both the quarter under review and the one before: no journey shifts".into(),
    }
}

/// The post and its headline.
pub fn message(f: &MarketFindings, quarter: &str, names: &DisplayNames) -> (Message, String) {
    let m = &f.market;
    let channels = named_channels(f);
    let named = |text: &str| names.in_text(text, channels.iter().map(String::as_str));
    let list = |ids: &[String]| {
        ids.iter()
            .map(|c| names.name(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let in_review = m.activity.values().map(|a| a.1).sum::<u64>();
    let mut headline = format!(
        "{} competitor activities logged in {quarter}, {} of them in a channel the competitor had not used before; {} threat{} and {} opportunit{} follow from the rules below.",
        in_review,
        m.moves.len(),
        m.threats.len(),
        if m.threats.len() == 1 { "" } else { "s" },
        m.opportunities.len(),
        if m.opportunities.len() == 1 {
            "y"
        } else {
            "ies"
        },
    );
    if let Some(j) = &f.journeys {
        let shifted = j.shifts.iter().filter(|s| s.significant).count();
        let _ = write!(
            headline,
            " Our journeys: {} started in the quarter against {} the quarter before, mean path {:.2} touches (was {:.2}); {} channel share{} shifted significantly (Holm-adjusted).",
            count(j.now.journeys as usize),
            count(j.before.journeys as usize),
            j.now.mean_path_length.unwrap_or(0.0),
            j.before.mean_path_length.unwrap_or(0.0),
            if shifted == 0 {
                "no".to_owned()
            } else {
                shifted.to_string()
            },
            if shifted == 1 { "" } else { "s" },
        );
    }
    let gaps = m.comparisons.iter().filter(|c| c.below).count();
    if !m.comparisons.is_empty() {
        let _ = write!(
            headline,
            " {gaps} of {} funnel rates by channel, as observed in the quarter, are below their benchmark (stage 2 compares each step's mature rate).",
            m.comparisons.len()
        );
    }

    let mut body = headline.clone();
    let section = |body: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = write!(body, "\n\n**{title}**");
            for i in items {
                let _ = write!(body, "\n- {i}.");
            }
        }
    };
    let threats: Vec<String> = m.threats.iter().map(|t| named(t)).collect();
    let opportunities: Vec<String> = m.opportunities.iter().map(|t| named(t)).collect();
    section(&mut body, "Threats", &threats);
    section(&mut body, "Opportunities", &opportunities);
    if !m.emerging_channels.is_empty() {
        let _ = write!(
            body,
            "\n\n**Emerging channels:** {}.",
            list(&m.emerging_channels)
        );
    }
    let mut actions = Vec::new();
    if !m.threats.is_empty() && !m.leading_channels.is_empty() {
        actions.push(format!(
            "defend the channels where most of our journeys start ({}) before competitors' new activity raises their cost",
            list(&m.leading_channels)
        ));
    }
    if !m.emerging_channels.is_empty() {
        actions.push("test the emerging channels with part of the test reserve".to_owned());
    }
    if gaps > 0 {
        actions.push("put the benchmark gaps on stage 2's optimisation list".to_owned());
    }
    if !actions.is_empty() {
        let _ = write!(body, "\n\n**What to do:** {}.", actions.join("; "));
    }
    let missing: Vec<String> = f.missing.iter().map(|m| not_covered(*m)).collect();
    section(&mut body, "Not covered", &missing);
    body.push_str("\n\nRules: a competitor move is a first activity in a channel within the quarter; a move into one of our three leading first-touch channels is a threat; two or more competitors moving into one channel, or a significant rise in its share of our journeys (two-proportion z-test, Holm-adjusted p < 0.05), makes it emerging; a funnel rate is below benchmark when its whole 95% Wilson interval is.");

    let mut message = Message::new(format!("{} — market & competition", stage_title(5)), body);
    if !m.activity.is_empty() {
        let mut t = Table::new(
            "Competitor activity",
            &["Competitor", "Earlier", quarter, "New channels"],
        );
        for (who, (before, now)) in &m.activity {
            let new: Vec<String> = m
                .moves
                .iter()
                .filter(|mv| &mv.competitor == who)
                .map(|mv| names.name(&mv.channel))
                .collect();
            t = t.row(vec![
                who.clone(),
                before.to_string(),
                now.to_string(),
                if new.is_empty() {
                    "—".into()
                } else {
                    new.join(", ")
                },
            ]);
        }
        message = message.table(t);
        let start = f.review_start.to_string();
        let mut t = Table::new(
            format!("Timeline of {quarter}"),
            &["Date", "Competitor", "Channel", "What"],
        );
        for e in m.timeline.iter().filter(|e| e.date >= start) {
            t = t.row(vec![
                e.date.clone(),
                e.competitor.clone(),
                names.name(&e.channel),
                e.summary.clone(),
            ]);
        }
        message = message.table(t);
    }
    let shifts = first_touch(f);
    if !shifts.is_empty() {
        let mut t = Table::new(
            "First-touch channel mix of our journeys",
            &[
                "Channel",
                "First touch, quarter before",
                quarter,
                "Change",
                "Holm p",
                "Reach, before → now",
            ],
        );
        let reach = |channel: &str| {
            f.journeys
                .iter()
                .flat_map(|j| &j.shifts)
                .find(|r| r.measure == "reach" && r.channel == channel)
                .map_or_else(
                    || "—".to_owned(),
                    |r| {
                        format!(
                            "{} → {}{}",
                            percent(r.before),
                            percent(r.now),
                            if r.significant { " (significant)" } else { "" }
                        )
                    },
                )
        };
        for s in shifts {
            t = t.row(vec![
                names.name(&s.channel),
                percent(s.before),
                percent(s.now),
                format!("{:+.1} pts", (s.now - s.before) * 100.0),
                format!("{:.3}", s.p_adjusted),
                reach(&s.channel),
            ]);
        }
        message = message.table(t);
    }
    if !m.comparisons.is_empty() {
        let mut t = Table::new(
            "Our funnel rates against benchmarks",
            &["Step", "Channel", "Ours", "Benchmark", "Gap", "Source"],
        );
        for c in &m.comparisons {
            t = t.row(vec![
                c.metric
                    .trim_start_matches("funnel_")
                    .split("_to_")
                    .map(|s| names.name(s))
                    .collect::<Vec<_>>()
                    .join(" → "),
                c.channel
                    .as_deref()
                    .map_or_else(|| "All".into(), |c| names.name(c)),
                percent(c.ours),
                percent(c.benchmark),
                if c.below {
                    "below".into()
                } else {
                    "—".into()
                },
                c.source.clone(),
            ]);
        }
        message = message.table(t);
    }
    if !m.trends.is_empty() {
        let mut t = Table::new(
            "Market trends",
            &["Topic", "Metric", "First", "Last", "Change", "Source"],
        );
        for tr in &m.trends {
            t = t.row(vec![
                names.name(&tr.topic),
                names.name(&tr.metric),
                format!("{} ({})", tr.first, tr.first_date),
                format!("{} ({})", tr.last, tr.last_date),
                tr.relative_change.map_or_else(
                    || format!("{:+}", tr.change),
                    |r| format!("{:+.2} ({:+.1}%)", tr.change, r * 100.0),
                ),
                tr.source.clone(),
            ]);
        }
        message = message.table(t);
    }
    (message, headline)
}

/// First-touch share per channel, the quarter before against the quarter under review.
pub fn chart(f: &MarketFindings, quarter: &str, names: &DisplayNames) -> Option<OutputFile> {
    let shifts = first_touch(f);
    if shifts.is_empty() {
        return None;
    }
    let spec = GroupedBars {
        title: "First-touch channel mix".into(),
        subtitle: Some(format!(
            "{quarter} against the quarter before · share of journeys starting on each channel"
        )),
        categories: shifts.iter().map(|s| names.name(&s.channel)).collect(),
        series: vec![
            BarSeries {
                name: "Quarter before".into(),
                values: shifts.iter().map(|s| s.before).collect(),
            },
            BarSeries {
                name: quarter.to_owned(),
                values: shifts.iter().map(|s| s.now).collect(),
            },
        ],
        orientation: Orientation::Horizontal,
        format: ValueFormat::Percent,
        value_axis: "Share of journeys".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    };
    match charts::grouped_bars(&spec) {
        Ok(png) => Some(OutputFile::png("first-touch-mix.png", png.bytes)),
        Err(e) => {
            tracing::warn!(chart = "first-touch-mix", error = %e, "chart left out");
            None
        }
    }
}
