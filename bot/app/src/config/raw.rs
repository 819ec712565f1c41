//! The configuration as written in TOML, before validation, and the deserializers that
//! turn strings into typed values (time zones, dates, weekdays, local times) with errors
//! that say what was expected.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::fmt;

use super::{
    ChannelSettings, DashboardSettings, RoleSettings, SchedulerSettings, SimulationSettings,
    StakeholderGroup,
};
use crate::timeline::{self, Quarter};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub(super) database: RawDatabase,
    pub(super) scheduler: SchedulerSettings,
    pub(super) simulation: SimulationSettings,
    pub(super) http: crate::sources::HttpSettings,
    pub(super) teams: Vec<RawTeam>,
    pub(super) dashboard: DashboardSettings,
    #[serde(default)]
    pub(super) discord: super::DiscordSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    pub(super) url: String,
    pub(super) max_connections: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTeam {
    pub(super) name: String,
    #[serde(deserialize_with = "from_str")]
    pub(super) quarter: Quarter,
    pub(super) fiscal_year_start_month: u32,
    #[serde(deserialize_with = "time_zone")]
    pub(super) timezone: Tz,
    #[serde(deserialize_with = "weekdays")]
    pub(super) working_days: Vec<Weekday>,
    #[serde(deserialize_with = "dates")]
    pub(super) holidays: Vec<NaiveDate>,
    pub(super) checkin_cron: String,
    pub(super) checkin_window_hours: u32,
    #[serde(deserialize_with = "clock_time")]
    pub(super) plan_deadline_time: NaiveTime,
    pub(super) data_dir: PathBuf,
    #[serde(default)]
    pub(super) sources: BTreeMap<String, RawSource>,
    /// Export channel names -> the team's channel names, in every file.
    #[serde(default)]
    pub(super) channel_aliases: BTreeMap<String, String>,
    pub(super) stage_slots: Vec<RawSlot>,
    pub(super) channels: ChannelSettings,
    pub(super) roles: RoleSettings,
    pub(super) stakeholders: Vec<StakeholderGroup>,
    #[serde(default)]
    pub(super) people: super::PeopleSettings,
    /// Identifier -> the name posts show (`paid_social = "Paid Social"`).
    #[serde(default)]
    pub(super) display_names: BTreeMap<String, String>,
}

/// `[teams.sources."spend.csv"]`: where one input file comes from.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) path: Option<PathBuf>,
    pub(super) url: Option<String>,
    /// Environment variable holding the auth header's value.
    pub(super) auth_env: Option<String>,
    pub(super) auth_header: Option<String>,
    #[serde(default)]
    pub(super) columns: BTreeMap<String, String>,
    /// strftime format of dates the file does not settle itself.
    pub(super) date_format: Option<String>,
    /// Weekly media with one spend column per channel.
    pub(super) wide: Option<crate::sources::WideMedia>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSlot {
    pub(super) stage: u8,
    pub(super) week: u8,
    pub(super) day: u8,
    #[serde(deserialize_with = "clock_time")]
    pub(super) time: NaiveTime,
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
