//! Configuration loading, layering and validation errors.

use std::path::Path;

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
    assert_eq!(
        s.teams[0].stakeholders[3].quorum,
        crate::config::Quorum::Count(2)
    );
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

/// Loads a config file with `toml` (the built-in defaults are the base layer, but a
/// file's `[[teams]]` replaces their list, so tests write whole teams).
fn with_sources(toml: &str, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.toml");
    std::fs::write(&file, toml).unwrap();
    load(Some(&file), env(vars))
}

#[test]
fn a_url_source_takes_its_auth_value_from_the_environment_and_keeps_it_secret() {
    let s = with_sources(
        &format!(
            r#"{DEFAULT_TOML}
[teams.sources."spend.csv"]
url = "https://ads.example.com/q4.csv"
auth_env = "ADS_TOKEN"
auth_header = "X-Api-Key"
columns = {{ date = "Reporting Day", spend = "Amount Spent (USD)" }}
"#
        ),
        &[("ADS_TOKEN", "tok-123")],
    )
    .unwrap();

    let source = &s.teams[0].sources["spend.csv"];

    let Origin::Url { url, auth } = &source.origin else {
        panic!("expected a URL source, found {:?}", source.origin);
    };
    assert_eq!(url, "https://ads.example.com/q4.csv");
    let (header, value) = auth.as_ref().unwrap();
    assert_eq!((header.as_str(), value.expose()), ("X-Api-Key", "tok-123"));
    assert_eq!(source.columns["spend"], "Amount Spent (USD)");
    assert!(!format!("{s:?}").contains("tok-123"));
}

#[test]
fn bad_sources_name_the_key_and_what_was_expected() {
    // A `[teams.sources.…]` table after the defaults belongs to their (last) team.
    let team = |body: &str| format!("{DEFAULT_TOML}\n{body}");
    let cases = [
        (
            team("[teams.sources.\"spend.csv\"]\nurl = \"https://x/a.csv\"\nauth_env = \"NOPE\"\n"),
            "teams[0].sources.\"spend.csv\".auth_env",
            "NOPE is not set",
        ),
        (
            team("[teams.sources.\"notes.txt\"]\npath = \"/tmp/notes.txt\"\n"),
            "teams[0].sources.\"notes.txt\"",
            "expected one of the input files",
        ),
        (
            team("[teams.sources.\"spend.csv\"]\npath = \"/a\"\nurl = \"https://x/a.csv\"\n"),
            "teams[0].sources.\"spend.csv\"",
            "not both",
        ),
        (
            team("[teams.sources.\"spend.csv\"]\nurl = \"ftp://x/a.csv\"\n"),
            "teams[0].sources.\"spend.csv\".url",
            "expected an http:// or https:// URL",
        ),
        (
            team("[teams.sources.\"spend.csv\"]\npath = \"/a\"\nauth_env = \"T\"\n"),
            "teams[0].sources.\"spend.csv\".auth_env",
            "only sent with a `url`",
        ),
    ];

    for (toml, key, message) in cases {
        let err = with_sources(&toml, &[("T", "x")]).unwrap_err().to_string();

        assert!(err.contains(key) && err.contains(message), "{err}");
    }
}

#[test]
fn every_file_a_stage_reads_can_be_given_a_source() {
    for stage in 1..=12 {
        for file in crate::stages::inputs_of(stage) {
            assert!(
                crate::sources::INPUT_FILES.contains(file),
                "stage {stage} reads {file}, which [teams.sources] would refuse"
            );
        }
    }
}

#[test]
fn a_team_block_states_only_what_differs_from_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        r#"
[[teams]]
name = "olist"
data_dir = "exports"
channel_aliases = { "Paid Search" = "paid_search" }

[teams.sources."leads.csv"]
columns = { lead_id = "mql_id", created_at = "first_contact_date", mql_at = "first_contact_date", source = "origin" }
date_format = "%d-%m-%Y"

[teams.sources."weekly_media.csv"]
wide = { date = "DATE", channels = { tv = "tv_S", search = "search_S" } }
"#,
    )
    .unwrap();

    let s = load(Some(&file), env(&[])).unwrap();
    let team = &s.teams[0];

    assert_eq!(team.name, "olist");
    assert_eq!(team.data_dir, Path::new("exports"));
    // Everything else comes from the built-in team.
    assert_eq!(team.stakeholders.len(), 4);
    assert_eq!(team.timeline.quarter.to_string(), "2027-Q1");
    assert_eq!(team.channels.default, "growth-planning");
    assert_eq!(team.channel_aliases["Paid Search"], "paid_search");
    let leads = &team.sources["leads.csv"];
    assert_eq!(leads.date_format.as_deref(), Some("%d-%m-%Y"));
    assert_eq!(leads.columns["mql_at"], "first_contact_date");
    let wide = team.sources["weekly_media.csv"].wide.as_ref().unwrap();
    assert_eq!(wide.date.as_deref(), Some("DATE"));
    assert_eq!(wide.channels["tv"], "tv_S");
}

#[test]
fn a_bad_date_format_or_a_wide_non_media_file_is_refused_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    let load_with = |text: &str| {
        std::fs::write(&file, text).unwrap();
        load(Some(&file), env(&[])).unwrap_err().to_string()
    };

    let bad_format = load_with(
        "[[teams]]\nname = \"a\"\n[teams.sources.\"leads.csv\"]\ndate_format = \"%d-%m\"\n",
    );
    let wide_leads = load_with(
        "[[teams]]\nname = \"a\"\n[teams.sources.\"leads.csv\"]\nwide = { channels = { tv = \"tv_S\" } }\n",
    );

    assert!(
        bad_format.contains("date_format") && bad_format.contains("%d-%m"),
        "{bad_format}"
    );
    assert!(
        wide_leads.contains("wide") && wide_leads.contains("weekly_media.csv"),
        "{wide_leads}"
    );
}
