//! `quarterdeck analyze market`: stage 5's market & competitive analysis from files —
//! competitor moves, trends, journey shifts, benchmark gaps, opportunities and threats.
//! The quarter under review is `--quarter`, or else the calendar quarter of the latest
//! competitor note.

use std::path::{Path, PathBuf};

use chrono::Datelike;

use super::{Failure, Format};
use crate::sources::{self, DataSet};
use crate::timeline::Quarter;

#[derive(Debug, clap::Args)]
pub struct MarketArgs {
    /// date,competitor,kind,channel,summary,source
    #[arg(long)]
    pub competitors: PathBuf,
    /// date,topic,metric,value,source
    #[arg(long)]
    pub trends: Option<PathBuf>,
    /// metric,segment,value,unit,source[,year,url]
    #[arg(long)]
    pub benchmarks: Option<PathBuf>,
    /// journey_id,timestamp,channel[,campaign]
    #[arg(long, requires = "conversions")]
    pub touchpoints: Option<PathBuf>,
    /// journey_id,timestamp,value
    #[arg(long, requires = "touchpoints")]
    pub conversions: Option<PathBuf>,
    /// leads.csv, for our funnel rates against the benchmarks.
    #[arg(long)]
    pub leads: Option<PathBuf>,
    /// The quarter under review (calendar quarters), e.g. 2026-Q4.
    #[arg(long)]
    pub quarter: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: &MarketArgs) -> Result<(), Failure> {
    let input = |e: sources::InputError| Failure::input(e.to_string());
    let files: Vec<(&str, &Path)> = [
        ("competitors.csv", Some(&args.competitors)),
        ("trends.csv", args.trends.as_ref()),
        ("benchmarks.csv", args.benchmarks.as_ref()),
        ("touchpoints.csv", args.touchpoints.as_ref()),
        ("conversions.csv", args.conversions.as_ref()),
        ("leads.csv", args.leads.as_ref()),
    ]
    .into_iter()
    .filter_map(|(name, path)| Some((name, path?.as_path())))
    .collect();
    let data = DataSet::from_paths(files).map_err(input)?;
    let quarter = match &args.quarter {
        Some(q) => q
            .parse::<Quarter>()
            .map_err(|e| Failure::input(format!("--quarter: {e}")))?,
        None => latest_quarter(&data)?,
    };
    let (review_start, quarter_start) = (quarter.starts(1), quarter.next().starts(1));
    // The command reviews a whole quarter: no like-for-like cut.
    let q = crate::sources::Quarters {
        current_start: review_start,
        current_end: quarter_start.pred_opt().unwrap_or(quarter_start),
        through: None,
    };
    let f = crate::stages::market_findings(&data, &q, None)
        .map_err(|e| Failure::input(e.to_string()))?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string(&f).map_err(|e| Failure::internal(e.to_string()))?
        ),
        Format::Table => {
            let (message, _) =
                crate::stages::market_message(&f, &quarter.to_string(), &Default::default());
            println!("{}", message.to_markdown());
        }
    }
    Ok(())
}

/// The calendar quarter of the latest competitor note.
fn latest_quarter(data: &DataSet) -> Result<Quarter, Failure> {
    let input = |e: sources::InputError| Failure::input(e.to_string());
    let t = data.require_table("competitors.csv").map_err(input)?;
    let latest = sources::read_competitors(&t)
        .map_err(input)?
        .into_iter()
        .filter_map(|e| chrono::NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").ok())
        .max()
        .ok_or_else(|| {
            Failure::input(format!(
                "{}: expected at least one competitor note to date the quarter, or --quarter",
                t.file
            ))
        })?;
    Quarter::new(latest.year(), (latest.month0() / 3 + 1) as u8)
        .ok_or_else(|| Failure::internal(format!("no quarter for {latest}")))
}
