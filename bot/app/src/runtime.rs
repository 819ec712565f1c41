//! The runtime that `serve` and `simulate` share: the worker (due jobs, one transaction
//! at a time), the outbox dispatcher (posts through a chat port), and the opening of
//! each team's runs as the timeline reaches them. `serve` drives it with the wall clock
//! ([`Runtime::run`]: sleep until the next due job, wake when a commit schedules one,
//! stop on shutdown); `simulate` drives the same passes with a manual clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::watch;

use crate::chat::ChatPort;
use crate::config::TeamSettings;
use crate::engine::{Engine, EngineError, deliver_outbox};
use crate::sources::Catalog;
use crate::store::StoreError;
use crate::timeline::{self, Quarter, Timeline};

/// How long before its first stage is due a quarter's run is opened (its jobs are
/// scheduled then; nothing is posted before the first stage's slot).
pub const OPEN_AHEAD_DAYS: i64 = 7;

/// The longest wait between two delivery attempts while chat keeps failing.
const MAX_DELIVERY_BACKOFF: StdDuration = StdDuration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("team {team}: cannot build the timeline of {quarter}: {message}")]
    Timeline {
        team: String,
        quarter: Quarter,
        message: String,
    },
}

/// A team whose runs the runtime opens, quarter after quarter.
#[derive(Debug, Clone)]
pub struct TeamRuns {
    pub team: TeamSettings,
    pub sources: Catalog,
}

/// The stop signal: `true` once shutdown has begun.
pub type Shutdown = watch::Receiver<bool>;

#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    chat: Arc<dyn ChatPort>,
    poll: StdDuration,
    teams: Vec<TeamRuns>,
    /// The dispatcher delivers only while this is true (`serve`: while this replica
    /// holds the gateway, so one replica posts a given row).
    dispatching: Arc<AtomicBool>,
}

impl Runtime {
    pub fn new(engine: Engine, chat: Arc<dyn ChatPort>, poll: StdDuration) -> Self {
        Self {
            engine,
            chat,
            poll,
            teams: Vec::new(),
            dispatching: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Delivers posts only while `gate` is true.
    #[must_use]
    pub fn with_dispatch_gate(mut self, gate: Arc<AtomicBool>) -> Self {
        self.dispatching = gate;
        self
    }

    /// Opens this team's runs as the timeline reaches them (see [`Runtime::open_due_runs`]).
    #[must_use]
    pub fn with_team(mut self, team: TeamSettings, sources: Catalog) -> Self {
        self.teams.push(TeamRuns { team, sources });
        self
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Opens, for every team, the configured quarter's run and each later quarter's run
    /// whose first stage is due within [`OPEN_AHEAD_DAYS`]: the next quarter's week 1
    /// begins in the current quarter's last week, so its run opens itself while the
    /// current one is still executing. A later quarter that ended while nothing ran is
    /// not opened. Opening an existing run only registers it here. Returns the ids of
    /// the runs served.
    pub async fn open_due_runs(&self) -> Result<Vec<String>, RuntimeError> {
        let now = self.engine.clock().now();
        for t in &self.teams {
            let mut quarter = t.team.timeline.quarter;
            loop {
                let tl = timeline_of(&t.team, quarter)?;
                let first_due = tl.stages[0].due.with_timezone(&Utc);
                let is_first = quarter == t.team.timeline.quarter;
                if !is_first && first_due - Duration::days(OPEN_AHEAD_DAYS) > now {
                    break;
                }
                let over = now.date_naive() > tl.ends;
                let id = format!("{}/{quarter}", t.team.name);
                if (is_first || !over) && self.engine.setup(&id).is_none() {
                    self.engine
                        .open_run(&t.team, &tl, t.sources.clone())
                        .await?;
                    tracing::info!(run = %id, first_stage_due = %first_due, "run opened");
                }
                quarter = quarter.next();
            }
        }
        Ok(self.engine.run_ids())
    }

    /// Runs every due job, one transaction at a time, until none is due or shutdown
    /// begins (the job in flight is finished first). Returns how many jobs ran.
    pub async fn work(&self, shutdown: &Shutdown) -> Result<usize, EngineError> {
        let mut processed = 0;
        while !*shutdown.borrow() {
            match self.engine.run_next().await? {
                Some(n) => processed += n,
                None => break,
            }
        }
        Ok(processed)
    }

    /// Delivers every unsent post through the chat port; returns how many were sent.
    pub async fn dispatch(&self) -> Result<usize, EngineError> {
        Ok(deliver_outbox(
            self.engine.store(),
            self.chat.as_ref(),
            self.engine.clock().as_ref(),
        )
        .await?)
    }

    /// Runs the worker and the dispatcher on the wall clock until `shutdown` turns
    /// true: no new job or post is started after that, and the one in flight finishes,
    /// so nothing is lost. Returns once both loops have stopped.
    pub async fn run(&self, shutdown: Shutdown) -> Result<(), RuntimeError> {
        self.open_due_runs().await?;
        let worker = {
            let rt = self.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move { rt.worker_loop(shutdown).await })
        };
        let dispatcher = {
            let rt = self.clone();
            tokio::spawn(async move { rt.dispatcher_loop(shutdown).await })
        };
        let (w, d) = tokio::join!(worker, dispatcher);
        w.map_err(|e| EngineError::Batch(format!("the worker stopped: {e}")))??;
        d.map_err(|e| EngineError::Batch(format!("the dispatcher stopped: {e}")))??;
        Ok(())
    }

    async fn worker_loop(&self, mut shutdown: Shutdown) -> Result<(), RuntimeError> {
        let jobs = self.engine.signals().jobs.clone();
        while !*shutdown.borrow() {
            let ran = async {
                self.open_due_runs().await?;
                Ok::<_, RuntimeError>(self.work(&shutdown).await?)
            }
            .await;
            match ran {
                Ok(n) if n > 0 => tracing::debug!(jobs = n, "worker pass"),
                Ok(_) => {}
                // A store outage: log it and try again on the next wake-up.
                Err(e) => tracing::error!(error = %e, "worker pass failed"),
            }
            let wait = self.until_next_job().await;
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = jobs.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("worker stopped");
        Ok(())
    }

    async fn dispatcher_loop(&self, mut shutdown: Shutdown) -> Result<(), RuntimeError> {
        let posts = self.engine.signals().posts.clone();
        let mut backoff = StdDuration::from_secs(1);
        while !*shutdown.borrow() {
            if !self.dispatching.load(Ordering::Acquire) {
                tokio::select! {
                    () = tokio::time::sleep(self.poll) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let wait = match self.dispatch().await {
                Ok(_) if self.engine.store().unsent_posts(1).await?.is_empty() => {
                    backoff = StdDuration::from_secs(1);
                    self.poll
                }
                // Chat refused for now (rate limit, outage): wait longer each time.
                Ok(_) | Err(_) => {
                    let wait = backoff;
                    backoff = (backoff * 2).min(MAX_DELIVERY_BACKOFF);
                    wait
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = posts.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("dispatcher stopped");
        Ok(())
    }

    /// How long to sleep: until the next due job, at most the poll interval.
    async fn until_next_job(&self) -> StdDuration {
        let now = self.engine.clock().now();
        match self.engine.store().next_due().await {
            Ok(Some(at)) => wait_until(now, at).min(self.poll),
            _ => self.poll,
        }
    }
}

fn wait_until(now: DateTime<Utc>, at: DateTime<Utc>) -> StdDuration {
    (at - now).to_std().unwrap_or(StdDuration::ZERO)
}

/// The team's timeline for `quarter` (the configured spec, that quarter).
pub fn timeline_of(team: &TeamSettings, quarter: Quarter) -> Result<Timeline, RuntimeError> {
    let mut spec = team.timeline.clone();
    spec.quarter = quarter;
    timeline::build(&spec).map_err(|e| RuntimeError::Timeline {
        team: team.name.clone(),
        quarter,
        message: e.to_string(),
    })
}
