//! Stage 5, market & competitive analysis: competitor activity, trends, our journeys'
//! shifts between the quarter under review and the one before (see
//! `quarterdeck_analyses::journey_shift`), our funnel rates against the published
//! benchmarks, and the opportunities and threats the documented rules in
//! `quarterdeck_analyses::market` draw from them. The post is written in `post`.
//!
//! Our rates: the whole funnel from stage 2's handoff when it ran (its mature rates),
//! else from `leads.csv`; per channel from `leads.csv`, over leads created in the quarter
//! *before* the one under review, so that every lead had at least a quarter to move
//! through the funnel (the sample's median lead-to-won time is about two months) and
//! young leads do not drag the rates below benchmark.

pub(super) mod post;
#[cfg(test)]
mod stage_tests;

use chrono::{DateTime, NaiveDate, Utc};
use quarterdeck_analyses::attribution::Journey;
use quarterdeck_analyses::funnel;
use quarterdeck_analyses::journey_shift::{self, JourneyShift};
use quarterdeck_analyses::market::{self, Market, OurRate, normalise_channel};
use serde_json::json;

use super::handoff::{self, BenchmarkGap, FunnelHandoff, MarketHandoff};
use super::{FINDINGS_SCHEMA, StageError, StageInputs, StageOutput};
use crate::sources::{self, DataSet, Quarters};
use quarterdeck_analyses::roi::Period;

/// What the stage computed, for the post, the findings and the command line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MarketFindings {
    pub review_start: NaiveDate,
    pub quarter_start: NaiveDate,
    pub market: Market,
    pub journeys: Option<JourneyShift>,
    /// What the stage could not cover, and the inputs it lacked (the post says it in
    /// words).
    pub missing: Vec<NotCovered>,
}

/// An analysis stage 5 could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCovered {
    /// No competitors.csv: no competitor timeline, moves or threats from them.
    Competitors,
    /// No trends.csv: no market trends.
    Trends,
    /// No benchmarks.csv: no comparison with industry rates.
    Benchmarks,
    /// No touchpoints.csv with conversions.csv: no journey shifts, no leading channels.
    Journeys,
    /// Both journey files, but no journeys in the quarter under review or in the one
    /// before it: no journey shifts.
    JourneysOneQuarter,
}

impl NotCovered {
    pub fn key(self) -> &'static str {
        match self {
            Self::Competitors => "competitors",
            Self::Trends => "trends",
            Self::Benchmarks => "benchmarks",
            Self::Journeys => "journeys",
            Self::JourneysOneQuarter => "journeys_one_quarter",
        }
    }

    /// The input files the analysis reads.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Self::Competitors => &["competitors.csv"],
            Self::Trends => &["trends.csv"],
            Self::Benchmarks => &["benchmarks.csv"],
            Self::Journeys | Self::JourneysOneQuarter => &["touchpoints.csv", "conversions.csv"],
        }
    }
}

/// In the findings: `{"kind": "trends", "files": ["trends.csv"]}`.
impl serde::Serialize for NotCovered {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("NotCovered", 2)?;
        out.serialize_field("kind", self.key())?;
        out.serialize_field("files", self.files())?;
        out.end()
    }
}

/// The four research inputs; at least one must be present.
const RESEARCH: [&str; 4] = [
    "competitors.csv",
    "trends.csv",
    "benchmarks.csv",
    "touchpoints.csv",
];

pub fn compute(inputs: &StageInputs) -> Result<StageOutput, StageError> {
    if !RESEARCH.iter().any(|f| inputs.data.has(f)) {
        return Ok(super::inventory::unavailable(
            5,
            inputs,
            "none of competitors.csv, trends.csv, benchmarks.csv or touchpoints.csv is in the data folder".into(),
        ));
    }
    let funnel = inputs.handoff::<FunnelHandoff>(2);
    let f = gather(
        &inputs.data,
        &super::data_notes::covered(inputs).quarters(),
        funnel.as_ref(),
    )?;
    let quarter = inputs.review_label();
    let (message, headline) = post::message(&f, &quarter, &inputs.names);
    let handoff = MarketHandoff {
        opportunities: f.market.opportunities.clone(),
        threats: f.market.threats.clone(),
        benchmark_gaps: f
            .market
            .comparisons
            .iter()
            .filter(|c| c.below)
            .map(|c| BenchmarkGap {
                metric: match &c.channel {
                    Some(ch) => format!("{} ({ch})", c.metric),
                    None => c.metric.clone(),
                },
                ours: c.ours,
                benchmark: c.benchmark,
                source: c.source.clone(),
            })
            .collect(),
        emerging_channels: f.market.emerging_channels.clone(),
        channels: post::named_channels(&f),
    };
    let files = post::chart(&f, &quarter, &inputs.names)
        .into_iter()
        .collect();
    Ok(StageOutput::available(
        message,
        json!({
            "schema": FINDINGS_SCHEMA, "stage": 5, "available": true, "headline": headline,
            "market": f.market, "journeys": f.journeys, "missing": f.missing,
            (handoff::KEY): handoff,
        }),
    )
    .with_files(files))
}

fn start_of(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Reads whatever of the stage's inputs `data` holds and runs the analyses. The quarter
/// under review is `q`'s current one; the one before it is as long and ends where it
/// starts. Journeys are compared like for like: read before the quarter closed, those of
/// the quarter before are the ones that started on the same days of it (`Quarters`).
pub fn gather(
    data: &DataSet,
    q: &Quarters,
    funnel: Option<&FunnelHandoff>,
) -> Result<MarketFindings, StageError> {
    let review_start = q.current_start;
    let quarter_start = q.current_end + chrono::Duration::days(1);
    let mut missing = Vec::new();
    let competitors = match data.table("competitors.csv")? {
        Some(t) => sources::read_competitors(&t)?,
        None => {
            missing.push(NotCovered::Competitors);
            Vec::new()
        }
    };
    let trends = match data.table("trends.csv")? {
        Some(t) => sources::read_trends(&t)?,
        None => {
            missing.push(NotCovered::Trends);
            Vec::new()
        }
    };
    let benchmarks = match data.table("benchmarks.csv")? {
        Some(t) => sources::read_benchmarks(&t)?,
        None => {
            missing.push(NotCovered::Benchmarks);
            Vec::new()
        }
    };
    let span = quarter_start - review_start;
    let before_start = review_start - span;
    let journeys = match (
        data.table("touchpoints.csv")?,
        data.table("conversions.csv")?,
    ) {
        (Some(tp), Some(cv)) => {
            let all = sources::read_journeys(&tp, &cv, None)?;
            let period = |j: &Journey| {
                let t = j.touches.iter().map(|t| t.at_seconds).min()?;
                q.period(DateTime::from_timestamp(t, 0)?.date_naive())
            };
            let (now, before): (Vec<Journey>, Vec<Journey>) = all
                .into_iter()
                .filter(|j| period(j).is_some())
                .partition(|j| period(j) == Some(Period::Current));
            (!now.is_empty() && !before.is_empty()).then(|| journey_shift::analyze(&before, &now))
        }
        _ => {
            missing.push(NotCovered::Journeys);
            None
        }
    };
    if journeys.is_none() && data.has("touchpoints.csv") && data.has("conversions.csv") {
        missing.push(NotCovered::JourneysOneQuarter);
    }
    let ours = our_rates(data, before_start, review_start, funnel)?;
    let market = market::analyze(&market::Input {
        review_start: review_start.to_string(),
        review_end_exclusive: quarter_start.to_string(),
        competitors,
        trends,
        benchmarks,
        ours,
        journeys: journeys.clone(),
    });
    Ok(MarketFindings {
        review_start,
        quarter_start,
        market,
        journeys,
        missing,
    })
}

/// `funnel_<from>_to_<to>`, with `won` read as `close` (the benchmarks' name).
fn metric(from: &str, to: &str) -> String {
    let to = if to == "won" { "close" } else { to };
    format!("funnel_{from}_to_{to}")
}

/// Our funnel rates: overall (stage 2's, else leads.csv) and per channel (leads.csv),
/// over leads created from `from` to the day before `to`.
fn our_rates(
    data: &DataSet,
    from: NaiveDate,
    to: NaiveDate,
    handoff: Option<&FunnelHandoff>,
) -> Result<Vec<OurRate>, StageError> {
    let mut out: Vec<OurRate> = handoff
        .map(|h| {
            h.steps
                .iter()
                .map(|s| OurRate {
                    metric: metric(&s.from, &s.to),
                    channel: None,
                    rate: s.rate,
                    counts: None,
                })
                .collect()
        })
        .unwrap_or_default();
    let Some((table, leads, _)) = sources::read_leads_and_deals(data)? else {
        return Ok(out);
    };
    let (from, to) = (start_of(from), start_of(to));
    let cohort: Vec<funnel::Lead> = leads
        .leads
        .iter()
        .zip(&leads.first_seen)
        .filter(|(_, t)| t.is_some_and(|t| t >= from && t < to))
        .map(|(l, _)| l.clone())
        .collect();
    if cohort.is_empty() {
        return Ok(out);
    }
    let f = funnel::analyze(&leads.stages, &cohort, Some("source")).map_err(|e| {
        StageError::BadFile {
            file: table.file.clone(),
            message: e.to_string(),
        }
    })?;
    let rate = |t: &funnel::Transition, channel: Option<String>| {
        t.rate.map(|r| OurRate {
            metric: metric(&t.from, &t.to),
            channel,
            rate: r,
            counts: Some((t.entered, t.converted)),
        })
    };
    if handoff.is_none() {
        out.extend(f.transitions.iter().filter_map(|t| rate(t, None)));
    }
    for (source, transitions) in &f.by {
        let channel = normalise_channel(source);
        out.extend(
            transitions
                .iter()
                .filter_map(|t| rate(t, Some(channel.clone()))),
        );
    }
    Ok(out)
}
