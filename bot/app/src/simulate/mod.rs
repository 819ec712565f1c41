//! `quarterdeck simulate`: one whole planning quarter through the real engine, store and
//! runtime (the worker and dispatcher passes `serve` runs) on a virtual clock, with
//! simulated people, posting to a transcript. The clock jumps from one due job to the
//! next, so a quarter takes seconds. Running it again
//! on the same output folder resumes the stored run; after a kill it finishes without
//! posting anything twice (the outbox and the transcript both dedupe by key).

mod discord_log;
mod exports;
mod outputs;
mod people;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;

use crate::clock::{Clock, ManualClock};
use crate::config::{Settings, TeamSettings};
use crate::domain::RunStatus;
use crate::engine::{Engine, EngineError, new_job};
use crate::runtime::Runtime;
use crate::sample::{self, SampleSpec};
use crate::sources::{Catalog, HttpSettings, Origin, Source};
use crate::store::{Store, StoreError};
use crate::timeline::{self, Timeline};
use crate::transcript::Transcript;

pub use outputs::Summary;

#[derive(Debug, Clone)]
pub struct SimulateOptions {
    pub out: PathBuf,
    pub data: Option<PathBuf>,
    pub seed: Option<u64>,
    pub database: Option<String>,
    pub team: Option<String>,
    /// Progress lines on stderr.
    pub progress: bool,
}

impl SimulateOptions {
    /// `--database`, or `sqlite://OUT/quarterdeck.db`.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.out.join("quarterdeck.db").display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// Something the user can fix (a path, an option, the data).
    #[error("{0}")]
    Input(String),
    #[error("the quarter did not complete: the run is {0} and nothing more is scheduled")]
    Stuck(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct SimulateReport {
    pub run_id: String,
    /// The run was complete before this invocation; nothing was changed.
    pub already_complete: bool,
    pub resumed: bool,
    pub posts: usize,
    pub elapsed: std::time::Duration,
    pub out: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SimulateError + '_ {
    move |source| SimulateError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Runs (or resumes) the simulated quarter.
pub async fn simulate(
    settings: &Settings,
    opts: &SimulateOptions,
) -> Result<SimulateReport, SimulateError> {
    let started = Instant::now();
    let team = pick_team(settings, opts.team.as_deref())?;
    let timeline =
        timeline::build(&team.timeline).map_err(|e| SimulateError::Input(e.to_string()))?;
    let mut sim = settings.simulation.clone();
    if let Some(seed) = opts.seed {
        sim.seed = seed;
    }
    // A bad --data folder is refused before anything is written.
    let checked = match &opts.data {
        Some(dir) => Some(check_data_dir(team, dir, &settings.http, timeline.starts).await?),
        None => None,
    };
    std::fs::create_dir_all(&opts.out).map_err(io(&opts.out))?;
    let (sources, exports) = match checked {
        Some(catalog) => (catalog, None),
        None => {
            let exports = generated_data(team, &timeline, opts, sim.seed)?;
            (Catalog::data_dir(exports.data.clone()), Some(exports))
        }
    };

    let truth = sample_truth(opts.data.as_deref().unwrap_or(&opts.out.join("data")));
    let url = opts.database_url();
    let store = Store::connect(&url, settings.database.max_connections).await?;
    // This process is the only worker on its database: leases held by a killed
    // predecessor are void.
    store.release_all_claims().await?;
    let start = timeline.stages[0].due.with_timezone(&chrono::Utc) - Duration::days(1);
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine::new(
        store.clone(),
        clock.clone(),
        &settings.scheduler,
        "simulate",
    );
    let run_id = engine.open_run(team, &timeline, sources).await?;
    let transcript_path = opts.out.join("transcript.jsonl");
    let transcript = Arc::new(Transcript::open(&transcript_path).map_err(io(&transcript_path))?);
    let resumed = !transcript.is_empty();
    let poll = std::time::Duration::from_secs(u64::from(settings.scheduler.poll_seconds));
    let runtime = Runtime::new(engine.clone(), transcript.clone(), poll);
    // The simulation never shuts down early: the quarter runs to its end.
    let (_never, running) = tokio::sync::watch::channel(false);

    let before = store.load_run(&run_id).await?.map(|s| s.run.status);
    if before == Some(RunStatus::Completed) && opts.out.join("summary.json").exists() {
        return Ok(SimulateReport {
            run_id,
            already_complete: true,
            resumed,
            posts: transcript.len(),
            elapsed: started.elapsed(),
            out: opts.out.clone(),
        });
    }

    let ctx = engine
        .setup(&run_id)
        .map(|s| s.ctx.clone())
        .ok_or_else(|| EngineError::UnknownRun(run_id.clone()))?;
    let progress = Progress::new(opts.progress, &transcript_path);
    loop {
        let sent = runtime.dispatch().await?;
        progress.show(sent, &ctx);
        let run = store
            .load_run(&run_id)
            .await?
            .ok_or_else(|| EngineError::UnknownRun(run_id.clone()))?
            .run;
        if run.status == RunStatus::Completed {
            break;
        }
        let mut wanted = people::reactions(&run, &ctx, &sim, truth.as_ref());
        if let Some(exports) = &exports {
            wanted.extend(exports.deliver(&run, &ctx, clock.now())?);
        }
        let wanted: Vec<_> = wanted.iter().map(|j| new_job(&run_id, j)).collect();
        store.schedule(&wanted, clock.now()).await?;
        if runtime.work(&running).await? > 0 {
            continue;
        }
        let next = store.next_due().await?;
        // The final exports' arrival is a moment the clock stops at, like a due job.
        let arrival = exports
            .as_ref()
            .and_then(|e| e.arrival)
            .filter(|a| *a > clock.now() && next.is_some_and(|t| t > *a));
        match arrival.or(next) {
            Some(t) if t > clock.now() => clock.advance_to(t),
            Some(_) => {}
            None => return Err(SimulateError::Stuck(run.status.as_str().to_owned())),
        }
    }
    runtime.dispatch().await?;
    outputs::write_all(&store, &ctx, &run_id, &opts.out, &transcript_path).await?;
    discord_log::write(&store, &run_id, &opts.out).await?;
    let posts = transcript.len();
    store.close().await;
    Ok(SimulateReport {
        run_id,
        already_complete: false,
        resumed,
        posts,
        elapsed: started.elapsed(),
        out: opts.out.clone(),
    })
}

/// The generating parameters beside the data (`truth.json`), which the simulated owners'
/// numbers come from; without them (a `--data` folder of real exports) owners report
/// the plan's milestones at their pace.
fn sample_truth(dir: &Path) -> Option<sample::Truth> {
    let path = dir.join("truth.json");
    let text = std::fs::read_to_string(&path).ok()?;
    sample::Truth::from_json(&text)
        .map_err(|e| tracing::warn!(path = %path.display(), error = %e, "truth.json not read; owners report plan pace"))
        .ok()
}

fn pick_team<'a>(
    settings: &'a Settings,
    name: Option<&str>,
) -> Result<&'a TeamSettings, SimulateError> {
    match name {
        None => settings
            .teams
            .first()
            .ok_or_else(|| SimulateError::Input("no team is configured".into())),
        Some(n) => settings.teams.iter().find(|t| t.name == n).ok_or_else(|| {
            let known: Vec<&str> = settings.teams.iter().map(|t| t.name.as_str()).collect();
            SimulateError::Input(format!(
                "--team {n}: no such team (configured: {})",
                known.join(", ")
            ))
        }),
    }
}

/// The generated sample: the exports read in week 1 in `OUT/data`, the final ones in
/// `OUT/data-final` until they arrive (see [`exports`]; generated once, a resumed run
/// reuses them).
fn generated_data(
    team: &TeamSettings,
    timeline: &Timeline,
    opts: &SimulateOptions,
    seed: u64,
) -> Result<exports::Exports, SimulateError> {
    let fy = team.timeline.fiscal_year_start_month;
    let prior = timeline.quarter.prior();
    let spec = SampleSpec {
        seed,
        prior_start: prior.starts(fy),
        prior_end: prior.ends(fy),
        next_start: timeline.starts,
        next_end: timeline.ends,
    };
    let stage_one = timeline.stages[0].due;
    let through = exports::first_read(stage_one.date_naive()).min(spec.prior_end);
    let stage_six = timeline
        .stages
        .iter()
        .find(|s| s.number == 6)
        .map_or(stage_one, |s| s.due);
    let arrival = (through < spec.prior_end)
        .then(|| {
            exports::arrival(
                stage_six.with_timezone(&chrono::Utc),
                team.timeline.tz,
                spec.prior_end,
            )
        })
        .flatten();
    // No refresh possible before the plan: the first exports are read whole.
    let through = if arrival.is_some() {
        through
    } else {
        spec.prior_end
    };
    let out = opts.out.as_path();
    if !out.join("data").join("truth.json").is_file() {
        exports::write(out, &sample::generate(&spec), through, spec.prior_end)?;
    }
    Ok(exports::Exports {
        data: out.join("data"),
        final_dir: out.join("data-final"),
        arrival,
    })
}

/// `--data DIR`: every input file is read from DIR (configured paths and URLs do not
/// apply to a simulation), with the team's configured column names. The whole folder is
/// checked before the run starts, so bad data stops it before anything is posted.
async fn check_data_dir(
    team: &TeamSettings,
    dir: &Path,
    http: &HttpSettings,
    quarter_start: chrono::NaiveDate,
) -> Result<Catalog, SimulateError> {
    if !dir.is_dir() {
        return Err(SimulateError::Input(format!(
            "--data {}: expected a folder with the team's CSV files, found no such folder",
            dir.display()
        )));
    }
    let local = team
        .sources
        .iter()
        .map(|(file, s)| {
            let source = Source {
                origin: Origin::DataDir,
                ..s.clone()
            };
            (file.clone(), source)
        })
        .collect();
    let bad = |e: String| SimulateError::Input(format!("--data: {e}"));
    let catalog = Catalog::new(dir.to_owned(), local, http)
        .map_err(|e| bad(e.to_string()))?
        .with_channel_aliases(team.channel_aliases.clone());
    let data = catalog
        .load(&crate::sources::INPUT_FILES)
        .await
        .map_err(|e| bad(e.to_string()))?;
    crate::stages::check_data(&data, quarter_start).map_err(|e| bad(e.to_string()))?;
    Ok(catalog)
}

/// Progress lines on stderr: one per post, with its virtual time.
struct Progress {
    on: bool,
    path: PathBuf,
    shown: std::cell::Cell<usize>,
}

impl Progress {
    fn new(on: bool, path: &Path) -> Self {
        let shown = crate::transcript::read_entries(path)
            .map(|e| e.len())
            .unwrap_or(0);
        Self {
            on,
            path: path.to_owned(),
            shown: std::cell::Cell::new(shown),
        }
    }

    fn show(&self, sent: usize, ctx: &crate::engine::PlanContext) {
        if !self.on || sent == 0 {
            return;
        }
        let Ok(entries) = crate::transcript::read_entries(&self.path) else {
            return;
        };
        for e in entries.iter().skip(self.shown.get()) {
            let when = chrono::DateTime::parse_from_rfc3339(&e.at)
                .map(|t| ctx.local(t.with_timezone(&chrono::Utc)))
                .unwrap_or_else(|_| e.at.clone());
            eprintln!("  {when:<28} #{:<24} {}", e.channel, e.title);
        }
        self.shown.set(entries.len());
    }
}
