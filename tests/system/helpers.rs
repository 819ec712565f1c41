//! Shared test plumbing: settings with a test's own paths, a fresh PostgreSQL database
//! per test (dropped afterwards), transcript readers, and the command-line runner.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use quarterdeck::config::{self, Settings};
use quarterdeck::transcript::{TranscriptEntry, read_entries};
use sqlx::Connection;

pub fn settings(env: &[(&str, &str)]) -> Settings {
    config::load(
        None,
        env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .expect("test settings load")
}

/// The server tests run against; CI starts it (see .ci/run).
pub fn pg_base() -> String {
    std::env::var("QUARTERDECK_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A new, empty PostgreSQL database, dropped when the guard goes.
pub struct PgDb {
    pub url: String,
    name: String,
}

impl PgDb {
    pub async fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "qd_test_{}_{}_{}",
            std::process::id(),
            nanos,
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_base()))
            .await
            .expect("PostgreSQL must be running for the tests (see .ci/run)");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        Self {
            url: format!("{}/{name}", pg_base()),
            name,
        }
    }

    pub async fn drop_db(self) {
        let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_base()))
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await
        .unwrap();
    }
}

/// The default team's quarter simulated with `seed` on SQLite, into `TEMP/out`.
pub async fn simulated_quarter(seed: u64) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    quarterdeck::simulate::simulate(
        &settings(&[]),
        &quarterdeck::simulate::SimulateOptions {
            out: out.clone(),
            data: None,
            seed: Some(seed),
            database: None,
            team: None,
            progress: false,
        },
    )
    .await
    .unwrap();
    (dir, out)
}

pub fn transcript(out: &Path) -> Vec<TranscriptEntry> {
    read_entries(&out.join("transcript.jsonl")).unwrap()
}

pub fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// Runs the built `quarterdeck` binary with `args`.
pub fn quarterdeck(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(args)
        .output()
        .unwrap()
}

/// Exit 2, nothing on stdout, and stderr naming each of `mentions`.
pub fn assert_bad_input(out: &std::process::Output, mentions: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for m in mentions {
        assert!(err.contains(m), "expected {m:?} in: {err}");
    }
}
