//! The command line: parses arguments, loads settings, calls one library entry point,
//! prints the result. Exit codes: 0 done, 1 unexpected failure, 2 bad input (an
//! argument, the configuration or the data), with one message naming what was wrong.

mod analyze;
mod content;
mod dashboard;
pub(crate) mod data;
mod goals;
mod market;
mod planning;
mod timeline_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, Settings};
use crate::simulate::{self, SimulateError, SimulateOptions};

#[derive(Debug, Parser)]
#[command(
    name = "quarterdeck",
    version,
    about = "Runs a marketing team's quarterly planning"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a whole planning quarter on a virtual clock, posting to a transcript.
    Simulate {
        #[arg(long)]
        config: Option<PathBuf>,
        /// Folder with the team's data; default: a generated sample in OUT/data.
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, default_value = "out")]
        out: PathBuf,
        #[arg(long)]
        seed: Option<u64>,
        /// Database URL; default: sqlite://OUT/quarterdeck.db.
        #[arg(long)]
        database: Option<String>,
        /// Which configured team to simulate; default: the first.
        #[arg(long)]
        team: Option<String>,
        /// No progress lines.
        #[arg(long)]
        quiet: bool,
        /// After the quarter, serve its dashboard on ADDR (e.g. 127.0.0.1:0) until
        /// interrupted; standard output gets one line, `dashboard: URL`.
        #[arg(long, value_name = "ADDR")]
        serve: Option<std::net::SocketAddr>,
    },
    /// The live dashboard's links: print a signed link, or rotate the stored key.
    Dashboard {
        #[command(subcommand)]
        command: dashboard::DashboardCommand,
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
    /// Print the four-week planning timeline and check-ins of a quarter.
    Timeline {
        #[arg(long)]
        quarter: String,
        #[arg(long)]
        tz: String,
        #[arg(long)]
        fiscal_year_start_month: Option<u32>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run one analysis on files, as a stage would (see the analyses contract).
    Analyze {
        #[command(subcommand)]
        analysis: analyze::Analysis,
    },
    /// Check a folder of the team's data before the stages read it.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Runs the bot in Discord: needs DISCORD_TOKEN and a config with `[discord]
    /// guild_ids` and the teams' channel and role ids (see config/discord.example.toml).
    Serve {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Write the generated sample dataset (the one `simulate` uses).
    SampleData {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The quarter being planned; the sample covers the two quarters before it.
        #[arg(long, default_value = "2027-Q1")]
        quarter: String,
        #[arg(long, default_value_t = 1)]
        fiscal_year_start_month: u32,
    },
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Each file: the input it is, rows, column mapping, date format and range, problems
    /// with counts and a first example row; each stage: ready, degraded or blocked.
    Check {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Which configured team's source settings to use; default: the first.
        #[arg(long)]
        team: Option<String>,
        /// Dates after it are from the future; default: the last day of the quarter
        /// under review.
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Table,
}

/// A failure and its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
}

impl From<config::ConfigError> for Failure {
    fn from(e: config::ConfigError) -> Self {
        Self::input(e.to_string())
    }
}

/// An error and its causes, outermost first: "database error: … : connection refused".
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn settings(file: Option<&PathBuf>) -> Result<Settings, Failure> {
    Ok(config::load(file.map(PathBuf::as_path), std::env::vars())?)
}

async fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Simulate {
            config,
            data,
            out,
            seed,
            database,
            team,
            quiet,
            serve,
        } => {
            let settings = settings(config.as_ref())?;
            let opts = SimulateOptions {
                out,
                data,
                seed,
                database,
                team,
                progress: !quiet,
            };
            let report = simulate::simulate(&settings, &opts)
                .await
                .map_err(|e| match e {
                    SimulateError::Input(m) => Failure::input(m),
                    other => Failure::internal(chain(&other)),
                })?;
            if let Some(listen) = serve {
                // Standard output carries only the dashboard's line.
                eprintln!("{} is complete in {}.", report.run_id, report.out.display());
                return dashboard::serve_simulated(
                    &settings,
                    &opts.database_url(),
                    &report.run_id,
                    listen,
                )
                .await;
            }
            if report.already_complete {
                println!(
                    "{} is already complete in {}; nothing changed ({} posts).",
                    report.run_id,
                    report.out.display(),
                    report.posts
                );
            } else {
                println!(
                    "{} completed{}: {} posts in {:.2}s. Transcript: {}, plan: {}, summary: {}",
                    report.run_id,
                    if report.resumed { " (resumed)" } else { "" },
                    report.posts,
                    report.elapsed.as_secs_f64(),
                    report.out.join("transcript.md").display(),
                    report.out.join("plan/plan.html").display(),
                    report.out.join("summary.json").display(),
                );
            }
            Ok(())
        }
        Command::Timeline {
            quarter,
            tz,
            fiscal_year_start_month,
            format,
            config,
        } => {
            let settings = settings(config.as_ref())?;
            timeline_cmd::run(&settings, &quarter, &tz, fiscal_year_start_month, format)
        }
        Command::Analyze { analysis } => analyze::run(analysis),
        Command::Dashboard { command, config } => {
            let settings = settings(config.as_ref())?;
            dashboard::run(&settings, command).await
        }
        Command::Serve { config } => {
            let settings = settings(config.as_ref())?;
            crate::serve::check(&settings).map_err(|e| Failure::input(e.to_string()))?;
            let shutdown = crate::serve::shutdown_on_signals();
            crate::serve::serve(settings, shutdown)
                .await
                .map_err(|e| match e {
                    crate::serve::ServeError::Config(m) => Failure::input(m),
                    crate::serve::ServeError::Failed(m) => Failure::internal(m),
                })
        }
        Command::Data {
            command:
                DataCommand::Check {
                    data,
                    config,
                    team,
                    as_of,
                    format,
                },
        } => {
            let settings = settings(config.as_ref())?;
            data::check(&settings, &data, team.as_deref(), as_of.as_deref(), format)
        }
        Command::SampleData {
            out,
            seed,
            quarter,
            fiscal_year_start_month,
        } => {
            let q: crate::timeline::Quarter = quarter
                .parse()
                .map_err(|e| Failure::input(format!("--quarter: {e}")))?;
            if !(1..=12).contains(&fiscal_year_start_month) {
                return Err(Failure::input(format!(
                    "--fiscal-year-start-month: expected a month 1-12, found {fiscal_year_start_month}"
                )));
            }
            let prior = q.prior();
            let spec = crate::sample::SampleSpec {
                seed,
                prior_start: prior.starts(fiscal_year_start_month),
                prior_end: prior.ends(fiscal_year_start_month),
                next_start: q.starts(fiscal_year_start_month),
                next_end: q.ends(fiscal_year_start_month),
            };
            let files = crate::sample::generate(&spec)
                .write_to(&out)
                .map_err(|e| Failure::input(e.to_string()))?;
            println!(
                "Wrote {} files to {} (seed {seed}).",
                files.len(),
                out.display()
            );
            Ok(())
        }
    }
}
