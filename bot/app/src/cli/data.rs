//! `quarterdeck data check`: the data check of a folder, with a team's source settings
//! (contract: docs/contracts/discord-people-dashboard.md). Exit 0 when the folder
//! could be read (problems or not), 2 when a file cannot be read at all.

use std::path::Path;

use chrono::NaiveDate;

use super::{Failure, Format};
use crate::config::{Settings, TeamSettings};
use crate::data_check;
use crate::sources::{DataSet, INPUT_FILES};

pub fn check(
    settings: &Settings,
    dir: &Path,
    team: Option<&str>,
    as_of: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    if !dir.is_dir() {
        return Err(Failure::input(format!(
            "--data {}: expected a folder with the team's files, found no such folder",
            dir.display()
        )));
    }
    let team = match team {
        None => &settings.teams[0],
        Some(name) => settings
            .teams
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| {
                Failure::input(format!(
                    "--team {name}: no such team in the configuration (teams: {})",
                    settings
                        .teams
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
    };
    let as_of = match as_of {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Failure::input(format!("--as-of: expected YYYY-MM-DD, found {s:?}")))?,
        None => review_end(team),
    };
    let report = team_check(team, dir, as_of).map_err(Failure::input)?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| Failure::internal(e.to_string()))?
        ),
        Format::Table => print!("{}", data_check::render_table(&report)),
    }
    if report.unreadable() {
        return Err(Failure::input(
            "some files could not be read at all (problem kind `unreadable` above)",
        ));
    }
    Ok(())
}

/// The last day of the quarter under review: the default as-of date of a data check.
pub fn review_end(team: &TeamSettings) -> NaiveDate {
    team.timeline
        .quarter
        .starts(team.timeline.fiscal_year_start_month)
        - chrono::Duration::days(1)
}

/// The data check of `dir` read with `team`'s source settings (column mappings, date
/// formats, blank policies, channel aliases), as the stages will read it. The one way
/// `quarterdeck data check` and Discord's `/data check` build the report.
pub fn team_check(
    team: &TeamSettings,
    dir: &Path,
    as_of: NaiveDate,
) -> Result<data_check::DataCheck, String> {
    let mut data = DataSet::from_dir(dir, &INPUT_FILES).map_err(|e| e.to_string())?;
    for file in INPUT_FILES {
        let source = team.sources.get(file).cloned().unwrap_or_default();
        data.set_options(file, source.read_options(&team.channel_aliases));
    }
    Ok(data_check::check(&data, as_of))
}
