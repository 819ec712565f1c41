//! Configuration layers and secrets, end to end: the environment beats a `--config`
//! file, an unknown key set through the environment is refused, `simulate --data` never
//! fetches a configured URL, and a simulation run with a Discord token, a database
//! password and a source token set (logging at debug) writes none of them anywhere.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use quarterdeck::config::{self, DEFAULT_TOML};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn an_environment_variable_beats_the_config_file_which_beats_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "[scheduler]\ngrace_minutes = 5\nlease_seconds = 60\n",
    )
    .unwrap();

    let from_file = config::load(Some(&file), env(&[])).unwrap();
    let from_env = config::load(
        Some(&file),
        env(&[("QUARTERDECK_SCHEDULER__GRACE_MINUTES", "7")]),
    )
    .unwrap();

    assert_eq!(from_file.scheduler.grace_minutes, 5);
    assert_eq!(from_env.scheduler.grace_minutes, 7, "the environment wins");
    assert_eq!(
        from_env.scheduler.lease_seconds, 60,
        "the file's other keys stay"
    );
    assert_eq!(
        from_env.scheduler.poll_seconds, 15,
        "the default fills the rest"
    );
}

#[test]
fn an_unknown_key_set_through_the_environment_is_refused_naming_it() {
    let err = config::load(None, env(&[("QUARTERDECK_SCHEDULER__GRACE_MINUTE", "5")]))
        .unwrap_err()
        .to_string();

    assert!(err.contains("scheduler"), "{err}");
    assert!(err.contains("grace_minute"), "{err}");
}

#[test]
fn the_http_defaults_are_the_documented_ones() {
    let s = config::load(None, env(&[])).unwrap();

    assert_eq!(
        (
            s.http.connect_timeout_seconds,
            s.http.timeout_seconds,
            s.http.max_megabytes,
            s.http.retries
        ),
        (10, 60, 256, 2)
    );
}

/// A loopback server that counts connections and answers 503.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            use tokio::io::AsyncWriteExt;
            let _ = sock
                .write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    (base, hits)
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_with_data_fetches_no_configured_url_and_writes_no_secret_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::scheduler::sample_data(dir.path());
    let (base, hits) = counting_server().await;
    let config_file = dir.path().join("team.toml");
    std::fs::write(
        &config_file,
        format!(
            "{DEFAULT_TOML}\n[teams.sources.\"spend.csv\"]\nurl = \"{base}/spend.csv\"\n\
             auth_env = \"ADS_TOKEN\"\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    // PostgreSQL with trust auth accepts (and ignores) a password in the URL.
    let pg = crate::helpers::PgDb::new().await;
    let database = pg.url.replacen("postgres@", "postgres:db-pw-71c2@", 1);
    assert_ne!(database, pg.url);
    let secrets = ["discord-tok-9f3a", "db-pw-71c2", "ads-tok-5d8e"];

    let run = tokio::task::spawn_blocking({
        let (config_file, data, out) = (config_file.clone(), data.clone(), out.clone());
        let database = database.clone();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
                .arg("simulate")
                .arg("--config")
                .arg(&config_file)
                .arg("--data")
                .arg(&data)
                .arg("--out")
                .arg(&out)
                .arg("--database")
                .arg(&database)
                .env("RUST_LOG", "debug")
                .env("DISCORD_TOKEN", "discord-tok-9f3a")
                .env(
                    "DATABASE_URL",
                    "postgres://qd:db-pw-71c2@127.0.0.1:5432/none",
                )
                .env("ADS_TOKEN", "ads-tok-5d8e")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();

    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the configured URL was fetched"
    );
    assert!(
        !run.stderr.is_empty(),
        "debug logging produced nothing to check"
    );
    let mut checked = vec![
        ("stdout".to_owned(), run.stdout),
        ("stderr".to_owned(), run.stderr),
    ];
    for f in files_under(&out) {
        checked.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    assert!(
        checked.len() > 4,
        "{:?}",
        checked.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &checked {
        for secret in secrets {
            assert!(!contains(bytes, secret), "{secret} appears in {name}");
        }
    }
    pg.drop_db().await;
}
