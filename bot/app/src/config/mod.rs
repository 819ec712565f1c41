//! Layered configuration: the compiled-in `config/default.toml`, then `--config FILE`,
//! then `QUARTERDECK_…` environment variables, validated into typed [`Settings`].
//! Secrets (`DISCORD_TOKEN`, `DATABASE_URL`) come only from the environment and are
//! wrapped in [`Secret`] so they never reach a log line. This module reads files and the
//! environment it is handed; it never opens connections.

mod layers;
mod raw;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::timeline::{self, StageSlot, TimelineSpec, WorkCalendar};
use layers::{apply_env_vars, complete_teams, merge, parse_toml};
use raw::{RawSettings, RawSource, RawTeam};

use crate::sources::{HttpSettings, Origin, Source};

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../../../config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("config key `{key}`: {message}")]
    Invalid { key: String, message: String },
}

impl ConfigError {
    fn invalid(key: impl Into<String>, message: impl fmt::Display) -> Self {
        Self::Invalid {
            key: key.into(),
            message: message.to_string(),
        }
    }
}

pub use quarterdeck_domain::Secret;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub scheduler: SchedulerSettings,
    pub simulation: SimulationSettings,
    pub http: HttpSettings,
    pub teams: Vec<TeamSettings>,
    pub discord: DiscordSettings,
    pub discord_token: Option<Secret>,
    pub dashboard: DashboardSettings,
}

/// `[dashboard]`: where the read-only dashboard listens, and its link-signing key from
/// `QUARTERDECK_DASHBOARD_KEY` (environment only; unset: generated once and stored in the
/// database).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardSettings {
    pub listen: std::net::SocketAddr,
    /// How links are written when the dashboard sits behind a proxy; empty: the bound
    /// address.
    #[serde(default)]
    pub public_url: String,
    /// How long a link handed out stays valid.
    pub link_hours: u32,
    #[serde(skip)]
    pub key: Option<Secret>,
}

/// Where `serve` connects: Discord itself by default, or any Discord-compatible server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    /// The origin of the REST API (`/api/v10` below it); the gateway URL is asked from it.
    pub api_base_url: String,
    /// The servers (guilds) whose slash commands are registered.
    pub guild_ids: Vec<String>,
    /// The largest CSV `/data upload` accepts.
    pub max_upload_kilobytes: u32,
}

impl Default for DiscordSettings {
    fn default() -> Self {
        Self {
            api_base_url: DISCORD_API.to_owned(),
            guild_ids: Vec::new(),
            max_upload_kilobytes: 10_240,
        }
    }
}

/// Discord's own API origin.
pub const DISCORD_API: &str = "https://discord.com";

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    pub lease_seconds: u32,
    pub grace_minutes: u32,
    pub poll_seconds: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSettings {
    pub seed: u64,
    pub change_request: bool,
    pub late_checkins: u32,
    pub missed_checkins: u32,
}

#[derive(Debug, Clone)]
pub struct TeamSettings {
    pub name: String,
    pub timeline: TimelineSpec,
    pub checkin_window_hours: u32,
    pub data_dir: PathBuf,
    /// Per input file: a path or URL other than `data_dir/<file>`, and column names.
    pub sources: BTreeMap<String, Source>,
    /// Export channel names -> the team's channel names (`"Paid Search" = "paid_search"`).
    pub channel_aliases: BTreeMap<String, String>,
    pub channels: ChannelSettings,
    pub roles: RoleSettings,
    pub stakeholders: Vec<StakeholderGroup>,
    pub people: PeopleSettings,
    /// `[teams.display_names]`: identifier -> the name posts, the plan and charts show
    /// for a channel, status, page type or feature (`paid_social = "Meta ads"`); any
    /// identifier not listed reads in title case (`paid_social` -> `Paid Social`).
    pub display_names: BTreeMap<String, String>,
}

// The team facts and timings the engine reads are its own settings values; this module
// deserializes and validates them, and converts its sections into them.
pub use quarterdeck_engine::settings::{
    ApprovalOrder, ChannelSettings, EngineSettings, PeopleSettings, PersonRef, Quorum,
    RoleSettings, StakeholderGroup, TeamPlan,
};

impl From<&SchedulerSettings> for EngineSettings {
    fn from(s: &SchedulerSettings) -> Self {
        Self {
            lease: chrono::Duration::seconds(i64::from(s.lease_seconds)),
            grace: chrono::Duration::minutes(i64::from(s.grace_minutes)),
        }
    }
}

impl From<&TeamSettings> for TeamPlan {
    fn from(t: &TeamSettings) -> Self {
        Self {
            name: t.name.clone(),
            fiscal_year_start_month: t.timeline.fiscal_year_start_month,
            checkin_window_hours: t.checkin_window_hours,
            channels: t.channels.clone(),
            roles: t.roles.clone(),
            stakeholders: t.stakeholders.clone(),
            people: t.people.clone(),
            display_names: t.display_names.clone(),
        }
    }
}

// ---- loading ---------------------------------------------------------------------------

/// Loads settings from the compiled-in defaults, an optional file and the given
/// environment (pass `std::env::vars()` in production; tests pass their own).
pub fn load(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Settings, ConfigError> {
    let mut merged = parse_toml(DEFAULT_TOML, "config/default.toml (built in)")?;
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut top = parse_toml(&text, &path.display().to_string())?;
        complete_teams(&merged, &mut top);
        merge(&mut merged, top);
    }
    let mut discord_token = None;
    let mut database_url = None;
    let mut dashboard_key = None;
    let env = env.into_iter().filter_map(|(var, value)| {
        if var == DASHBOARD_KEY_ENV {
            dashboard_key = Some(value).filter(|v| !v.is_empty()).map(Secret::new);
            None
        } else {
            Some((var, value))
        }
    });
    let rest = apply_env_vars(&mut merged, env.collect::<Vec<_>>())?;
    for (var, value) in rest.iter().cloned() {
        match var.as_str() {
            "DISCORD_TOKEN" if !value.is_empty() => discord_token = Some(Secret::new(value)),
            "DATABASE_URL" if !value.is_empty() => database_url = Some(value),
            _ => {}
        }
    }
    let raw: RawSettings = serde_path_to_error::deserialize(merged).map_err(|e| {
        let key = e.path().to_string();
        ConfigError::invalid(key, e.into_inner())
    })?;
    let mut settings = validate(raw, database_url, discord_token, &rest)?;
    settings.dashboard.key = dashboard_key;
    Ok(settings)
}

/// The dashboard's link-signing key (a secret: environment only, never in a file).
pub const DASHBOARD_KEY_ENV: &str = "QUARTERDECK_DASHBOARD_KEY";

fn validate(
    raw: RawSettings,
    database_url: Option<String>,
    discord_token: Option<Secret>,
    env: &[(String, String)],
) -> Result<Settings, ConfigError> {
    if raw.database.max_connections == 0 {
        return Err(ConfigError::invalid(
            "database.max_connections",
            "expected at least 1",
        ));
    }
    if raw.scheduler.lease_seconds == 0 || raw.scheduler.poll_seconds == 0 {
        return Err(ConfigError::invalid(
            "scheduler",
            "lease_seconds and poll_seconds must be at least 1",
        ));
    }
    if raw.teams.is_empty() {
        return Err(ConfigError::invalid("teams", "expected at least one team"));
    }
    let mut teams = Vec::with_capacity(raw.teams.len());
    for (i, team) in raw.teams.into_iter().enumerate() {
        let key = format!("teams[{i}]");
        if teams.iter().any(|t: &TeamSettings| t.name == team.name) {
            return Err(ConfigError::invalid(
                format!("{key}.name"),
                format!("team name {:?} is used twice", team.name),
            ));
        }
        teams.push(validate_team(team, &key, env)?);
    }
    let url = database_url.unwrap_or(raw.database.url);
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres:")
        || url.starts_with("postgresql:"))
    {
        return Err(ConfigError::invalid(
            "database.url",
            "expected sqlite://PATH or postgres://… (the value is not shown: it may hold a password)",
        ));
    }
    Ok(Settings {
        database: DatabaseSettings {
            url: Secret::new(url),
            max_connections: raw.database.max_connections,
        },
        scheduler: raw.scheduler,
        simulation: raw.simulation,
        http: raw.http,
        teams,
        discord: raw.discord,
        discord_token,
        dashboard: raw.dashboard,
    })
}

fn validate_team(
    team: RawTeam,
    key: &str,
    env: &[(String, String)],
) -> Result<TeamSettings, ConfigError> {
    if team.name.is_empty()
        || !team
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ConfigError::invalid(
            format!("{key}.name"),
            format!("expected letters, digits, - or _, found {:?}", team.name),
        ));
    }
    if !(1..=12).contains(&team.fiscal_year_start_month) {
        return Err(ConfigError::invalid(
            format!("{key}.fiscal_year_start_month"),
            format!(
                "expected a month 1-12, found {}",
                team.fiscal_year_start_month
            ),
        ));
    }
    if team.working_days.is_empty() {
        return Err(ConfigError::invalid(
            format!("{key}.working_days"),
            "expected at least one working day",
        ));
    }
    if team.checkin_window_hours == 0 {
        return Err(ConfigError::invalid(
            format!("{key}.checkin_window_hours"),
            "expected at least 1 hour",
        ));
    }
    timeline::parse_cron(&team.checkin_cron)
        .map_err(|e| ConfigError::invalid(format!("{key}.checkin_cron"), e))?;
    if team.stakeholders.is_empty() {
        return Err(ConfigError::invalid(
            format!("{key}.stakeholders"),
            "expected at least one stakeholder group",
        ));
    }
    for (j, g) in team.stakeholders.iter().enumerate() {
        if g.quorum == Quorum::Count(0) || g.role_ids.is_empty() {
            return Err(ConfigError::invalid(
                format!("{key}.stakeholders[{j}]"),
                format!(
                    "group {:?} needs a quorum of at least 1 and at least one role id",
                    g.group
                ),
            ));
        }
        if g.quorum == Quorum::All && g.members.is_empty() {
            return Err(ConfigError::invalid(
                format!("{key}.stakeholders[{j}].quorum"),
                format!(
                    "group {:?} has quorum \"all\" but lists no members",
                    g.group
                ),
            ));
        }
        if team.stakeholders[..j].iter().any(|o| o.group == g.group) {
            return Err(ConfigError::invalid(
                format!("{key}.stakeholders[{j}].group"),
                format!("group {:?} is listed twice", g.group),
            ));
        }
    }
    if !(team.people.pacing_tolerance.is_finite()
        && (0.0..=1.0).contains(&team.people.pacing_tolerance))
    {
        return Err(ConfigError::invalid(
            format!("{key}.people.pacing_tolerance"),
            format!(
                "expected a share in [0, 1] such as 0.15, found {}",
                team.people.pacing_tolerance
            ),
        ));
    }
    let slots: Vec<StageSlot> = team
        .stage_slots
        .iter()
        .map(|s| StageSlot {
            stage: s.stage,
            week: s.week,
            day: s.day,
            time: s.time,
        })
        .collect();
    let spec = TimelineSpec {
        quarter: team.quarter,
        fiscal_year_start_month: team.fiscal_year_start_month,
        tz: team.timezone,
        calendar: WorkCalendar {
            working_days: team.working_days,
            holidays: team.holidays.into_iter().collect(),
        },
        slots,
        checkin_cron: team.checkin_cron,
        plan_deadline_time: team.plan_deadline_time,
    };
    let mut sources = BTreeMap::new();
    for (file, raw) in team.sources {
        let source = validate_source(&file, raw, &format!("{key}.sources.\"{file}\""), env)?;
        sources.insert(file, source);
    }
    // Building the timeline validates the slots against the calendar.
    timeline::build(&spec).map_err(|e| ConfigError::invalid(format!("{key}.stage_slots"), e))?;
    Ok(TeamSettings {
        name: team.name,
        timeline: spec,
        checkin_window_hours: team.checkin_window_hours,
        data_dir: team.data_dir,
        sources,
        channel_aliases: team.channel_aliases,
        channels: team.channels,
        roles: team.roles,
        stakeholders: team.stakeholders,
        people: team.people,
        display_names: team.display_names,
    })
}

/// One `[teams.sources."<file>"]` entry: a known input file, at most one of `path` and
/// `url`, an auth header only for a URL and only with its value in the environment.
fn validate_source(
    file: &str,
    raw: RawSource,
    key: &str,
    env: &[(String, String)],
) -> Result<Source, ConfigError> {
    if !crate::sources::INPUT_FILES.contains(&file) {
        return Err(ConfigError::invalid(
            key,
            format!(
                "expected one of the input files {}",
                crate::sources::INPUT_FILES.join(", ")
            ),
        ));
    }
    if raw.auth_env.is_some() && raw.url.is_none() {
        return Err(ConfigError::invalid(
            format!("{key}.auth_env"),
            "an auth header is only sent with a `url`",
        ));
    }
    let origin = match (raw.path, raw.url) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::invalid(
                key,
                "expected `path` or `url`, not both",
            ));
        }
        (Some(p), None) => Origin::Path(p),
        (None, Some(url)) => {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(ConfigError::invalid(
                    format!("{key}.url"),
                    format!("expected an http:// or https:// URL, found {url:?}"),
                ));
            }
            let auth = match raw.auth_env {
                None => None,
                Some(var) => {
                    let value = env
                        .iter()
                        .find(|(k, v)| *k == var && !v.is_empty())
                        .map(|(_, v)| Secret::new(v.clone()))
                        .ok_or_else(|| {
                            ConfigError::invalid(
                                format!("{key}.auth_env"),
                                format!("the environment variable {var} is not set"),
                            )
                        })?;
                    let header = raw.auth_header.unwrap_or_else(|| "Authorization".into());
                    Some((header, value))
                }
            };
            Origin::Url { url, auth }
        }
        (None, None) => Origin::DataDir,
    };
    if let Some(format) = &raw.date_format {
        let probe = chrono::NaiveDate::from_ymd_opt(2027, 12, 31).expect("a valid date");
        let mut written = String::new();
        let wrote =
            std::fmt::Write::write_fmt(&mut written, format_args!("{}", probe.format(format)));
        if wrote.is_err() || chrono::NaiveDate::parse_from_str(&written, format) != Ok(probe) {
            return Err(ConfigError::invalid(
                format!("{key}.date_format"),
                format!(
                    "expected a strftime date format with day, month and year such as \
                     \"%d-%m-%Y\", found {format:?}"
                ),
            ));
        }
    }
    if let Some(wide) = &raw.wide {
        if file != "weekly_media.csv" {
            return Err(ConfigError::invalid(
                format!("{key}.wide"),
                "only weekly_media.csv can be read wide (one spend column per channel)",
            ));
        }
        if wide.channels.is_empty() {
            return Err(ConfigError::invalid(
                format!("{key}.wide.channels"),
                "expected at least one channel = \"spend column\"",
            ));
        }
    }
    Ok(Source {
        origin,
        columns: raw.columns,
        date_format: raw.date_format,
        wide: raw.wide,
    })
}

#[cfg(test)]
mod tests;
