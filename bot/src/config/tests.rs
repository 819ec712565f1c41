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
