//! The real `quarterdeck serve` binary against the emulator: its config, its process,
//! and waiting for what it logs.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};

pub const DEFAULT_CHANNEL: &str = "1180000000000000001";
pub const APPROVALS_CHANNEL: &str = "1180000000000000002";
pub const CHECKINS_CHANNEL: &str = "1180000000000000003";
pub const RUN_STAGES_ROLE: &str = "1170000000000000001";
pub const OWNER_ROLE: &str = "1170000000000000002";
pub const MARKETING_ROLE: &str = "1170000000000000010";

/// A quarter whose first stage is weeks away, so nothing is due while a test runs.
pub fn quiet_quarter() -> String {
    let d = Utc::now().date_naive() + chrono::Duration::days(120);
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// A folder with the config, the database and the team's sample data.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Setup {
    pub fn new(origin: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let quarter = quiet_quarter();
        let data = dir.path().join("data");
        let out = crate::helpers::quarterdeck(&[
            "sample-data",
            "--out",
            data.to_str().unwrap(),
            "--quarter",
            &quarter,
            "--seed",
            "7",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let db = dir.path().join("bot.db");
        let text = format!(
            r#"
[database]
url = "sqlite://{db}"
max_connections = 4

[scheduler]
lease_seconds = 60
grace_minutes = 240
poll_seconds = 1

[discord]
api_base_url = "{origin}"
guild_ids = ["{guild}"]
max_upload_kilobytes = 1024

[dashboard]
listen = "127.0.0.1:0"

[[teams]]
name = "growth"
quarter = "{quarter}"
fiscal_year_start_month = 1
timezone = "Europe/Berlin"
working_days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
holidays = []
checkin_cron = "0 9 * * Mon"
checkin_window_hours = 48
plan_deadline_time = "17:00"
data_dir = "{data}"
stage_slots = [
    {{ stage = 1, week = 1, day = 1, time = "09:30" }},
    {{ stage = 2, week = 1, day = 2, time = "09:30" }},
    {{ stage = 3, week = 1, day = 3, time = "09:30" }},
    {{ stage = 4, week = 1, day = 4, time = "09:30" }},
    {{ stage = 5, week = 1, day = 5, time = "09:30" }},
    {{ stage = 6, week = 2, day = 1, time = "09:30" }},
    {{ stage = 7, week = 2, day = 2, time = "09:30" }},
    {{ stage = 8, week = 2, day = 3, time = "09:30" }},
    {{ stage = 9, week = 2, day = 4, time = "09:30" }},
    {{ stage = 10, week = 3, day = 1, time = "09:30" }},
    {{ stage = 11, week = 3, day = 2, time = "09:30" }},
    {{ stage = 12, week = 4, day = 1, time = "09:30" }},
]

[teams.channels]
default = "{DEFAULT_CHANNEL}"
approvals = "{APPROVALS_CHANNEL}"
checkins = "{CHECKINS_CHANNEL}"

[teams.roles]
run_stages = ["{RUN_STAGES_ROLE}"]
owner = "{OWNER_ROLE}"

[[teams.stakeholders]]
group = "marketing"
label = "Marketing leadership"
role_ids = ["{MARKETING_ROLE}"]
quorum = 1
"#,
            db = db.display(),
            guild = super::emulator::GUILD_ID,
            data = data.display(),
        );
        let config = dir.path().join("bot.toml");
        std::fs::write(&config, text).unwrap();
        Self { dir, config }
    }

    /// Adds `text` at the end of the config (inside the last team: more stakeholder
    /// groups, say).
    pub fn append(&self, text: &str) {
        let mut config = std::fs::read_to_string(&self.config).unwrap();
        config.push_str(text);
        std::fs::write(&self.config, config).unwrap();
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

/// A running `quarterdeck serve`; killed when dropped.
pub struct Bot {
    pub child: Child,
    pub log: PathBuf,
}

impl Bot {
    pub fn start(setup: &Setup, name: &str) -> Self {
        Self::start_on(setup, name, None)
    }

    /// With `database`, the state is there (`DATABASE_URL`) instead of the setup's SQLite.
    pub fn start_on(setup: &Setup, name: &str, database: Option<&str>) -> Self {
        let log = setup.dir.path().join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_quarterdeck"));
        command
            .args(["serve", "--config", setup.config.to_str().unwrap()])
            .env("DISCORD_TOKEN", "test-token.abc")
            .env("RUST_LOG", "info,serenity=warn,poise=warn")
            .env_remove("DATABASE_URL");
        if let Some(url) = database {
            command.env("DATABASE_URL", url);
        }
        let child = command.stdout(Stdio::null()).stderr(file).spawn().unwrap();
        Self { child, log }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for a log line containing `needle`.
    pub async fn wait_log(&mut self, needle: &str, secs: u64) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            if self.log_text().contains(needle) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "serve exited with {status} before logging {needle:?}:\n{}",
                    self.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "serve did not log {needle:?} within {secs} s:\n{}",
            self.log_text()
        );
    }

    /// The process's resident memory, in kB (Linux).
    pub fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// SIGTERM, then the exit status (within `secs`).
    pub fn terminate(&mut self, secs: u64) -> (std::process::ExitStatus, Duration) {
        let start = Instant::now();
        // SAFETY-free: `kill` the command, with the child's own pid.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return (status, start.elapsed());
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "serve did not exit within {secs} s of SIGTERM:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
