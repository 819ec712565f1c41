//! Layered configuration: the compiled-in `config/default.toml`, then `--config FILE`,
//! then `QUARTERDECK_…` environment variables, validated into typed [`Settings`].
//! Secrets (`DISCORD_TOKEN`, `DATABASE_URL`) come only from the environment and are
//! wrapped in [`Secret`] so they never reach a log line. This module reads files and the
//! environment it is handed; it never opens connections.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::timeline::{self, Quarter, StageSlot, TimelineSpec, WorkCalendar};

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");
const ENV_PREFIX: &str = "QUARTERDECK_";

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

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub scheduler: SchedulerSettings,
    pub simulation: SimulationSettings,
    pub teams: Vec<TeamSettings>,
    pub discord_token: Option<Secret>,
}

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
    pub channels: ChannelSettings,
    pub roles: RoleSettings,
    pub stakeholders: Vec<StakeholderGroup>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    pub default: String,
    pub approvals: String,
    pub checkins: String,
    #[serde(default)]
    pub stages: BTreeMap<String, String>,
}

impl ChannelSettings {
    /// The channel that receives stage `n`'s findings.
    pub fn for_stage(&self, n: u8) -> &str {
        self.stages
            .get(&n.to_string())
            .map_or(self.default.as_str(), String::as_str)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSettings {
    pub run_stages: Vec<String>,
    pub owner: String,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StakeholderGroup {
    pub group: String,
    pub label: String,
    pub role_ids: Vec<String>,
    pub quorum: u32,
}

// ---- raw (file-shaped) settings -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    database: RawDatabase,
    scheduler: SchedulerSettings,
    simulation: SimulationSettings,
    teams: Vec<RawTeam>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: String,
    max_connections: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    name: String,
    #[serde(deserialize_with = "from_str")]
    quarter: Quarter,
    fiscal_year_start_month: u32,
    #[serde(deserialize_with = "time_zone")]
    timezone: Tz,
    #[serde(deserialize_with = "weekdays")]
    working_days: Vec<Weekday>,
    #[serde(deserialize_with = "dates")]
    holidays: Vec<NaiveDate>,
    checkin_cron: String,
    checkin_window_hours: u32,
    #[serde(deserialize_with = "clock_time")]
    plan_deadline_time: NaiveTime,
    data_dir: PathBuf,
    stage_slots: Vec<RawSlot>,
    channels: ChannelSettings,
    roles: RoleSettings,
    stakeholders: Vec<StakeholderGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    stage: u8,
    week: u8,
    day: u8,
    #[serde(deserialize_with = "clock_time")]
    time: NaiveTime,
}

fn from_str<'de, D: Deserializer<'de>, T>(d: D) -> Result<T, D::Error>
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
    let s = String::deserialize(d)?;
    s.parse().map_err(de::Error::custom)
}

fn time_zone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    let s = String::deserialize(d)?;
    timeline::parse_tz(&s).map_err(de::Error::custom)
}

fn clock_time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let s = String::deserialize(d)?;
    NaiveTime::parse_from_str(&s, "%H:%M")
        .map_err(|_| de::Error::custom(format!("expected a local time HH:MM, found {s:?}")))
}

fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| de::Error::custom(format!("expected a date YYYY-MM-DD, found {s:?}")))
        })
        .collect()
}

fn weekdays<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            s.parse::<Weekday>().map_err(|_| {
                de::Error::custom(format!("expected a weekday such as Mon, found {s:?}"))
            })
        })
        .collect()
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
        merge(&mut merged, parse_toml(&text, &path.display().to_string())?);
    }
    let mut discord_token = None;
    let mut database_url = None;
    for (var, value) in env {
        match var.as_str() {
            "DISCORD_TOKEN" if !value.is_empty() => discord_token = Some(Secret::new(value)),
            "DATABASE_URL" if !value.is_empty() => database_url = Some(value),
            _ => {
                if let Some(path) = var.strip_prefix(ENV_PREFIX) {
                    apply_env(&mut merged, &var, path, &value)?;
                }
            }
        }
    }
    let raw: RawSettings = serde_path_to_error::deserialize(merged).map_err(|e| {
        let key = e.path().to_string();
        ConfigError::invalid(key, e.into_inner())
    })?;
    validate(raw, database_url, discord_token)
}

fn parse_toml(text: &str, origin: &str) -> Result<toml::Value, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: origin.to_owned(),
        message: e.to_string(),
    })
}

/// Deep-merges `top` into `base`: tables merge key by key, everything else replaces.
fn merge(base: &mut toml::Value, top: toml::Value) {
    match (base, top) {
        (toml::Value::Table(b), toml::Value::Table(t)) => {
            for (k, v) in t {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, t) => *b = t,
    }
}

/// `QUARTERDECK_TEAMS__0__TIMEZONE=Europe/Berlin` sets `teams[0].timezone`.
fn apply_env(root: &mut toml::Value, var: &str, path: &str, raw: &str) -> Result<(), ConfigError> {
    let env_err = |message: String| ConfigError::Env {
        var: var.to_owned(),
        message,
    };
    let segments: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
    if segments.iter().any(String::is_empty) {
        return Err(env_err("expected QUARTERDECK_SECTION__KEY".into()));
    }
    let value = parse_env_value(raw);
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match node {
            toml::Value::Table(t) => {
                if last {
                    t.insert(seg.clone(), value);
                    return Ok(());
                }
                t.entry(seg.clone())
                    .or_insert_with(|| toml::Value::Table(toml::map::Map::new()))
            }
            toml::Value::Array(a) => {
                let idx: usize = seg.parse().map_err(|_| {
                    env_err(format!("expected a list index at `{seg}`, found a name"))
                })?;
                let len = a.len();
                let slot = a.get_mut(idx).ok_or_else(|| {
                    env_err(format!("index {idx} is out of range (the list has {len})"))
                })?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            _ => return Err(env_err(format!("`{seg}` is not inside a table"))),
        };
    }
    Ok(())
}

/// Environment values are TOML when they parse as TOML (numbers, booleans, arrays),
/// otherwise plain strings.
fn parse_env_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn validate(
    raw: RawSettings,
    database_url: Option<String>,
    discord_token: Option<Secret>,
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
        teams.push(validate_team(team, &key)?);
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
        teams,
        discord_token,
    })
}

fn validate_team(team: RawTeam, key: &str) -> Result<TeamSettings, ConfigError> {
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
        if g.quorum == 0 || g.role_ids.is_empty() {
            return Err(ConfigError::invalid(
                format!("{key}.stakeholders[{j}]"),
                format!(
                    "group {:?} needs a quorum of at least 1 and at least one role id",
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
    // Building the timeline validates the slots against the calendar.
    timeline::build(&spec).map_err(|e| ConfigError::invalid(format!("{key}.stage_slots"), e))?;
    Ok(TeamSettings {
        name: team.name,
        timeline: spec,
        checkin_window_hours: team.checkin_window_hours,
        data_dir: team.data_dir,
        channels: team.channels,
        roles: team.roles,
        stakeholders: team.stakeholders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn built_in_defaults_load_without_any_file_or_secret() {
        let s = load(None, env(&[])).unwrap();

        assert_eq!(s.teams.len(), 1);
        assert_eq!(s.teams[0].timeline.quarter.to_string(), "2027-Q1");
        assert_eq!(s.teams[0].stakeholders.len(), 4);
        assert!(s.discord_token.is_none());
    }

    #[test]
    fn environment_overrides_nested_keys_and_list_items() {
        let s = load(
            None,
            env(&[
                ("QUARTERDECK_TEAMS__0__TIMEZONE", "Europe/Berlin"),
                ("QUARTERDECK_SCHEDULER__GRACE_MINUTES", "30"),
            ]),
        )
        .unwrap();

        assert_eq!(s.teams[0].timeline.tz, chrono_tz::Europe::Berlin);
        assert_eq!(s.scheduler.grace_minutes, 30);
    }

    #[test]
    fn a_bad_time_zone_names_the_key_and_what_was_expected() {
        let err = load(
            None,
            env(&[("QUARTERDECK_TEAMS__0__TIMEZONE", "Mars/Olympus")]),
        )
        .unwrap_err()
        .to_string();

        assert!(err.contains("teams[0].timezone"), "{err}");
        assert!(err.contains("IANA"), "{err}");
    }

    #[test]
    fn an_unknown_key_in_a_file_is_rejected_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[scheduler]\ngrace_minute = 5\n").unwrap();

        let err = load(Some(&file), env(&[])).unwrap_err().to_string();

        assert!(err.contains("scheduler"), "{err}");
        assert!(err.contains("grace_minute"), "{err}");
    }

    #[test]
    fn a_bad_cron_expression_is_rejected_with_its_key() {
        let err = load(
            None,
            env(&[("QUARTERDECK_TEAMS__0__CHECKIN_CRON", "every monday")]),
        )
        .unwrap_err()
        .to_string();

        assert!(err.contains("teams[0].checkin_cron"), "{err}");
    }

    #[test]
    fn the_discord_example_config_is_valid() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/discord.example.toml");

        let s = load(Some(&file), env(&[])).unwrap();

        assert_eq!(s.teams[0].timeline.tz, chrono_tz::Europe::Berlin);
        assert_eq!(s.teams[0].stakeholders[3].quorum, 2);
    }

    #[test]
    fn secrets_come_from_the_environment_and_never_print() {
        let s = load(
            None,
            env(&[
                ("DISCORD_TOKEN", "tok-123"),
                ("DATABASE_URL", "postgres://u:pw@h/db"),
            ]),
        )
        .unwrap();

        let shown = format!("{s:?}");
        assert!(
            !shown.contains("tok-123") && !shown.contains("pw@"),
            "{shown}"
        );
        assert_eq!(s.database.url.expose(), "postgres://u:pw@h/db");
    }
}
