//! The quarter-end actuals: what campaign owners reported at the check-ins
//! ([`QuarterRun::reported_actuals`]) in the shape stage 1 reads for the next quarter's
//! review: `spend.csv` (`date, channel, campaign, spend, leads, mqls, pipeline`) and
//! `campaigns.csv` (the approved plan's campaigns: `campaign, channel, start, end,
//! planned_budget, owner`). One writer for both commands: `simulate` writes them to
//! `OUT/actuals/`, `serve` to `<team data_dir>/actuals/<quarter>/` once the run completes,
//! and announces them once in the team's channel with the files attached. The next
//! quarter's run reads them for its stage 1 ([`carry_stored`]), re-running it if it ran
//! before they were stored.

use std::path::{Path, PathBuf};

use crate::config::TeamSettings;
use crate::domain::{QuarterRun, RunStatus};
use crate::engine::{Engine, EngineError, Event, Outcome};

pub const SPEND_CSV: &str = "spend.csv";
pub const CAMPAIGNS_CSV: &str = "campaigns.csv";

#[derive(Debug, thiserror::Error)]
pub enum ActualsError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The two files' names and contents.
pub fn files(run: &QuarterRun) -> [(&'static str, Vec<u8>); 2] {
    let spend = run.reported_actuals().into_iter().map(|r| {
        [
            r.date.to_string(),
            r.channel,
            r.campaign,
            format!("{:.2}", r.spend),
            r.leads.to_string(),
            r.mqls.to_string(),
            format!("{:.2}", r.pipeline),
        ]
    });
    let campaigns = run.approved_campaigns().into_iter().map(|c| {
        [
            c.name,
            c.channel,
            c.start.to_string(),
            c.end.to_string(),
            format!("{:.2}", c.budget),
            c.owner,
        ]
    });
    [
        (
            SPEND_CSV,
            csv_bytes(
                &[
                    "date", "channel", "campaign", "spend", "leads", "mqls", "pipeline",
                ],
                spend,
            ),
        ),
        (
            CAMPAIGNS_CSV,
            csv_bytes(
                &[
                    "campaign",
                    "channel",
                    "start",
                    "end",
                    "planned_budget",
                    "owner",
                ],
                campaigns,
            ),
        ),
    ]
}

/// A header and records as CSV (quoted where a field needs it).
fn csv_bytes<const N: usize>(
    header: &[&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail: a Vec's writes always succeed.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

/// Writes both files into `dir` (created if needed), each replaced atomically; the
/// same run writes the same bytes, so writing again changes nothing.
pub fn write(run: &QuarterRun, dir: &Path) -> Result<Vec<PathBuf>, ActualsError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ActualsError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    for (name, bytes) in files(run) {
        let path = dir.join(name);
        let tmp = path.with_extension("csv.tmp");
        std::fs::write(&tmp, &bytes).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Carries the quarter under review's stored actuals (`<data_dir>/actuals/<quarter>/`,
/// written when that quarter's run completed) into a stage's data: of `inputs`, the
/// files `spend.csv` and `campaigns.csv`, merged with the team's exports by the rules of
/// `sources::carried` (exports win where both have data; the actuals fill the rest). A
/// stored file that cannot be read fails the stage naming it.
pub async fn carry_stored(
    data: &mut crate::sources::DataSet,
    data_dir: &Path,
    ctx: &crate::engine::PlanContext,
    inputs: &[&str],
) -> Result<(), crate::sources::InputError> {
    let Ok(quarter) = ctx.quarter.parse::<crate::timeline::Quarter>() else {
        return Ok(());
    };
    let dir = data_dir.join("actuals").join(quarter.prior().to_string());
    let read = |name: &'static str| {
        let path = dir.join(name);
        async move {
            if !inputs.contains(&name) {
                return Ok(None);
            }
            match tokio::fs::read(&path).await {
                Ok(bytes) => Ok(Some((path.display().to_string(), bytes))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(crate::sources::InputError::File {
                    file: path.display().to_string(),
                    message: format!("cannot read: {e}"),
                }),
            }
        }
    };
    let (spend, campaigns) = (read(SPEND_CSV).await?, read(CAMPAIGNS_CSV).await?);
    if spend.is_none() && campaigns.is_none() {
        return Ok(());
    }
    data.carry_actuals(spend, campaigns, (ctx.review_start, ctx.quarter_start))
}

/// The next quarter's run reviews `quarter`: when its stage 1 has already run (its
/// slot is in `quarter`'s last week, before the actuals exist), it is computed again
/// with them, as when a data file arrives; otherwise they are read when it runs.
async fn rerun_next_review(
    engine: &Engine,
    team: &TeamSettings,
    quarter: &str,
) -> Result<(), ActualsError> {
    let Ok(q) = quarter.parse::<crate::timeline::Quarter>() else {
        return Ok(());
    };
    let next = format!("{}/{}", team.name, q.next());
    if engine.setup(&next).is_none() {
        return Ok(());
    }
    let roles: Vec<&str> = team
        .roles
        .run_stages
        .iter()
        .take(1)
        .map(String::as_str)
        .collect();
    let event = Event::DataArrived {
        actor: crate::domain::Actor::new("quarterdeck", "Quarterdeck (stored actuals)", &roles),
        file: SPEND_CSV.to_owned(),
    };
    if let Outcome::Refused(why) = engine.handle(&next, event).await? {
        tracing::info!(run = %next, %why, "stored actuals: nothing to re-run");
    }
    Ok(())
}

/// Where `serve` keeps a quarter's actuals: `<data_dir>/actuals/<quarter>/`.
pub fn folder(team: &TeamSettings, quarter: &str) -> PathBuf {
    team.data_dir.join("actuals").join(quarter)
}

/// For each of `team`'s completed runs: writes its actuals to [`folder`] unless they are
/// there, and announces them once (the run records it, so a restart, or another replica,
/// says nothing twice). Returns the runs announced now.
pub async fn store_completed(engine: &Engine, team: &TeamSettings) -> Result<usize, ActualsError> {
    let prefix = format!("{}/", team.name);
    let mut announced = 0;
    for id in engine.run_ids().iter().filter(|id| id.starts_with(&prefix)) {
        let Some(stored) = engine.store().load_run(id).await? else {
            continue;
        };
        let run = stored.run;
        if run.status != RunStatus::Completed {
            continue;
        }
        let dir = folder(team, &run.quarter);
        if ![SPEND_CSV, CAMPAIGNS_CSV]
            .iter()
            .all(|name| dir.join(name).is_file())
        {
            write(&run, &dir)?;
            tracing::info!(run = %id, folder = %dir.display(), "quarter-end actuals written");
            rerun_next_review(engine, team, &run.quarter).await?;
        }
        if run.actuals_stored.is_some() {
            continue;
        }
        let (attachments, rows): (Vec<_>, Vec<_>) = files(&run)
            .into_iter()
            .map(|(name, bytes)| {
                crate::engine::attachment(name.to_owned(), "text/csv".into(), bytes)
            })
            .unzip();
        let event = Event::ActualsStored {
            folder: dir.display().to_string(),
            files: attachments,
        };
        if let Outcome::Applied { .. } = engine.handle_with_files(id, event, rows).await? {
            announced += 1;
        }
    }
    Ok(announced)
}

/// `serve`'s keeper: stores and announces completed quarters' actuals now and every
/// `every` until shutdown (an error is logged and tried again next time).
pub async fn keep_stored(
    engine: Engine,
    teams: Vec<TeamSettings>,
    every: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        for team in &teams {
            if let Err(e) = store_completed(&engine, team).await {
                tracing::warn!(team = %team.name, error = %e, "quarter-end actuals not stored yet");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
    }
}
