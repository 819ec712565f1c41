//! `quarterdeck timeline`: the planning timeline of a quarter in a zone, using the first
//! configured team's calendar (working days, holidays, stage slots, check-in cron).

use super::{Failure, Format};
use crate::config::Settings;
use crate::timeline::{self, Quarter};

pub fn run(
    settings: &Settings,
    quarter: &str,
    tz: &str,
    fiscal: Option<u32>,
    format: Format,
) -> Result<(), Failure> {
    let mut spec = settings
        .teams
        .first()
        .map(|t| t.timeline.clone())
        .ok_or_else(|| Failure::input("no team is configured"))?;
    spec.quarter = quarter
        .parse::<Quarter>()
        .map_err(|e| Failure::input(format!("--quarter: {e}")))?;
    spec.tz = timeline::parse_tz(tz).map_err(|e| Failure::input(format!("--tz: {e}")))?;
    if let Some(m) = fiscal {
        if !(1..=12).contains(&m) {
            return Err(Failure::input(format!(
                "--fiscal-year-start-month: expected a month 1-12, found {m}"
            )));
        }
        spec.fiscal_year_start_month = m;
    }
    let t = timeline::build(&spec).map_err(|e| Failure::input(e.to_string()))?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&t.to_json()).unwrap_or_default()
        ),
        Format::Table => print!("{}", t.render_table()),
    }
    Ok(())
}
