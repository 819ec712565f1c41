//! Bench binary (`cargo bench --bench discord`): the Discord side against the tests'
//! emulator (the same REST + gateway look-alike, every body checked against Discord's
//! spec), with the `quarterdeck` binary of the same profile (release under `cargo
//! bench`):
//!
//! - command → engine decision persisted → interaction answered: `/away` (an engine event,
//!   audited and stored in SQLite) sent at 100 commands/s for 10 s through the gateway;
//!   latency from the dispatch to the answer's arrival at the emulator, p50 and p99
//!   (target p99 < 20 ms);
//! - a stage post with three charts (a headline with the first chart, a thread with the
//!   detail and the other two) delivered by the adapter's chat port (target < 200 ms);
//! - `serve`'s resident memory once ready and idle for 5 s (target < 60 MB).
//!
//! Prints figures; asserts nothing, so it never flakes in CI.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use quarterdeck::chat::{Attachment, ChatPort, File, Message, Outgoing};
use quarterdeck_discord::chat::DiscordChat;
use quarterdeck_discord::rest::{Rest, RetryPolicy};
use serde_json::json;

#[allow(dead_code)]
#[path = "../../../tests/system/discord/emulator.rs"]
mod emulator;

use emulator::{Emulator, member, slash};

const CHANNEL: &str = "1180000000000000001";
/// Commands sent, and their rate (`BENCH_RATE` overrides it, e.g. to see the latency
/// without queueing).
const COMMANDS: usize = 1000;
const RATE_PER_S: u64 = 100;

fn rate() -> u64 {
    std::env::var("BENCH_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0)
        .unwrap_or(RATE_PER_S)
}

#[tokio::main]
async fn main() {
    let emu = Emulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &emu.origin);
    let mut serve = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .env("DISCORD_TOKEN", "bench-token.abc")
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    emu.wait_for(60, "command registration", |w| {
        (w.commands.len() >= 5).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss = rss_kb(serve.id());

    let latencies = commands_at_rate(&emu).await;
    let post = post_with_three_charts(&emu).await;

    let _ = serve.kill();
    let _ = serve.wait();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "command → decision persisted → answer, {} commands at {}/s on SQLite: \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 < 20 ms at 100/s)",
        latencies.len(),
        rate(),
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or_default()
    );
    println!(
        "a stage post with three charts (headline, thread, 2 more charts), 20 posts: \
         median {:.1} ms, worst {:.1} ms (target < 200 ms)",
        post.0, post.1
    );
    match rss {
        Some(kb) => println!(
            "serve idle resident memory: {:.1} MB (target < 60 MB)",
            kb as f64 / 1024.0
        ),
        None => println!("serve idle resident memory: unavailable (no /proc)"),
    }
    let violations = emu.lock().violations.len();
    println!("emulator spec violations: {violations}");
}

/// `/away` from distinct members at a steady rate; each latency is from the dispatch to
/// the last answer (the follow-up after the defer) reaching the emulator.
async fn commands_at_rate(emu: &Emulator) -> Vec<f64> {
    let away = emulator_command_id(emu, "away");
    let start = Instant::now();
    let mut sent = Vec::with_capacity(COMMANDS);
    for i in 0..COMMANDS {
        let due = start + Duration::from_micros(i as u64 * 1_000_000 / rate());
        tokio::time::sleep_until(due.into()).await;
        let id = format!("{}", 1_400_000_000_000_000_000u64 + i as u64);
        let user = format!("{}", 1_150_000_000_000_100_000u64 + i as u64);
        let options = json!([
            { "name": "from", "type": 3, "value": "2027-01-04" },
            { "name": "until", "type": 3, "value": "2027-01-08" },
        ]);
        let at = Instant::now();
        emu.dispatch(
            "INTERACTION_CREATE",
            slash(
                &id,
                &away,
                CHANNEL,
                member(&user, "Bench", &[]),
                ("away", None),
                options,
                None,
            ),
        );
        sent.push((id, at));
    }
    let answered = |w: &emulator::World, id: &str| {
        let token = format!("/tok{id}");
        w.requests
            .iter()
            .filter(|r| r.path.contains(&token) && !r.path.ends_with("/callback"))
            .filter_map(|r| r.answered)
            .max()
    };
    emu.wait_for(120, "every command answered", |w| {
        sent.iter()
            .all(|(id, _)| answered(w, id).is_some())
            .then_some(())
    })
    .await;
    let w = emu.lock();
    let mut out: Vec<f64> = sent
        .iter()
        .filter_map(|(id, at)| answered(&w, id).map(|t| (t - *at).as_secs_f64() * 1000.0))
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

fn emulator_command_id(emu: &Emulator, name: &str) -> String {
    emu.lock().commands[name]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A long post (text for a thread) with three 60 kB charts, 20 times with fresh keys.
async fn post_with_three_charts(emu: &Emulator) -> (f64, f64) {
    let rest = Rest::new(&emu.origin, "bench-token.abc", RetryPolicy::default()).unwrap();
    let chat = DiscordChat::new(rest, Default::default());
    let files: Vec<File> = ["roi-by-channel.png", "spend-curve.png", "mix-shift.png"]
        .iter()
        .map(|name| File {
            name: (*name).to_owned(),
            content_type: "image/png".into(),
            bytes: vec![7u8; 60_000],
        })
        .collect();
    let mut message = Message::new(
        "Stage 6 · Budget allocation",
        "The budget moves toward paid search and webinars. ".repeat(60),
    );
    message.attachments = files
        .iter()
        .map(|f| Attachment {
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            sha256: "0".repeat(64),
        })
        .collect();
    let mut times = Vec::new();
    for i in 0..20 {
        let key = format!("bench/2027-Q1/s06/result/{i}");
        let post = Outgoing {
            key: &key,
            channel: CHANNEL,
            kind: "stage_result",
            at: Utc::now(),
            message: &message,
            files: &files,
            thread: None,
        };
        let t = Instant::now();
        chat.post(post).await.expect("delivered");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1])
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The tests' serve config: sample data for a quarter months away (nothing due while
/// the bench runs), SQLite, channels and roles as Discord ids.
fn write_config(dir: &std::path::Path, origin: &str) -> std::path::PathBuf {
    let d = Utc::now().date_naive() + chrono::Duration::days(120);
    let quarter = format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1);
    let data = dir.join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["sample-data", "--out", data.to_str().unwrap()])
        .args(["--quarter", &quarter, "--seed", "7"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = dir.join("bench.db");
    let text = format!(
        r#"
[database]
url = "sqlite://{db}"
max_connections = 4

[scheduler]
poll_seconds = 1

[discord]
api_base_url = "{origin}"
guild_ids = ["{guild}"]

[dashboard]
listen = "127.0.0.1:0"

[[teams]]
name = "growth"
quarter = "{quarter}"
timezone = "Europe/Berlin"
data_dir = "{data}"

[teams.channels]
default = "{CHANNEL}"
approvals = "1180000000000000002"
checkins = "1180000000000000003"

[teams.roles]
run_stages = ["1170000000000000001"]
owner = "1170000000000000002"

[[teams.stakeholders]]
group = "marketing"
label = "Marketing leadership"
role_ids = ["1170000000000000010"]
quorum = 1
"#,
        db = db.display(),
        guild = emulator::GUILD_ID,
        data = data.display(),
    );
    let path = dir.join("bench.toml");
    std::fs::write(&path, text).unwrap();
    path
}
