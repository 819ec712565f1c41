//! `quarterdeck dashboard link|rotate-key`, and `simulate --serve`: the dashboard over
//! the simulated quarter's database.

use std::io::Write;
use std::net::SocketAddr;

use clap::Subcommand;
use quarterdeck_dashboard as dashboard;

use super::{Failure, chain};
use crate::config::Settings;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum DashboardCommand {
    /// Print a signed link to a team quarter's dashboard.
    Link {
        #[arg(long)]
        team: String,
        /// e.g. 2027-Q1
        #[arg(long)]
        quarter: String,
        /// Validity; default `[dashboard] link_hours`.
        #[arg(long)]
        hours: Option<u32>,
    },
    /// Replace the stored signing key: every link handed out so far stops working.
    RotateKey,
}

fn options(settings: &Settings, listen: SocketAddr) -> dashboard::Options {
    let d = &settings.dashboard;
    dashboard::Options {
        listen,
        public_url: Some(d.public_url.clone()).filter(|u| !u.is_empty()),
        key: d.key.as_ref().map(|k| k.expose().to_owned()),
    }
}

async fn open(url: &str, settings: &Settings) -> Result<Store, Failure> {
    Store::connect(url, settings.database.max_connections)
        .await
        .map_err(|e| Failure::internal(chain(&e)))
}

pub async fn run(settings: &Settings, command: DashboardCommand) -> Result<(), Failure> {
    let store = open(settings.database.url.expose(), settings).await?;
    match command {
        DashboardCommand::Link {
            team,
            quarter,
            hours,
        } => {
            let key =
                dashboard::resolve_key(&store, settings.dashboard.key.as_ref().map(|k| k.expose()))
                    .await
                    .map_err(|e| Failure::input(e.to_string()))?;
            if store
                .run_id_of(&team, &quarter)
                .await
                .map_err(|e| Failure::internal(chain(&e)))?
                .is_none()
            {
                return Err(Failure::input(format!(
                    "--team {team} --quarter {quarter}: the database has no such run"
                )));
            }
            let hours = hours.unwrap_or(settings.dashboard.link_hours);
            let base = Some(settings.dashboard.public_url.clone())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| format!("http://{}", settings.dashboard.listen));
            let expires = chrono::Utc::now() + chrono::Duration::hours(i64::from(hours));
            println!(
                "{}",
                dashboard::link_url(&base, &key, &team, &quarter, expires)
            );
            Ok(())
        }
        DashboardCommand::RotateKey => {
            if settings.dashboard.key.is_some() {
                return Err(Failure::input(format!(
                    "{} is set: rotate the key by changing that variable",
                    crate::config::DASHBOARD_KEY_ENV
                )));
            }
            dashboard::rotate_key(&store)
                .await
                .map_err(|e| Failure::internal(e.to_string()))?;
            println!("The dashboard key was replaced; links handed out before no longer work.");
            Ok(())
        }
    }
}

/// Serves the simulated run's dashboard until Ctrl-C or SIGTERM; prints `dashboard: URL`.
pub async fn serve_simulated(
    settings: &Settings,
    database_url: &str,
    run_id: &str,
    listen: SocketAddr,
) -> Result<(), Failure> {
    let store = open(database_url, settings).await?;
    let run = store
        .load_run(run_id)
        .await
        .map_err(|e| Failure::internal(chain(&e)))?
        .ok_or_else(|| Failure::internal(format!("run {run_id} is not in the database")))?
        .run;
    let server = dashboard::start(store, &options(settings, listen), shutdown_signal())
        .await
        .map_err(|e| match e {
            dashboard::DashboardError::Bind { .. } | dashboard::DashboardError::Key(_) => {
                Failure::input(format!("--serve: {e}"))
            }
            other => Failure::internal(chain(&other)),
        })?;
    let hours = i64::from(settings.dashboard.link_hours.max(1));
    let link = server
        .link_for(&run.team, &run.quarter, hours)
        .await
        .map_err(|e| Failure::internal(e.to_string()))?;
    println!("dashboard: {link}");
    let _ = std::io::stdout().flush();
    server
        .wait()
        .await
        .map_err(|e| Failure::internal(format!("dashboard: {e}")))
}

/// Ctrl-C, or SIGTERM on Unix.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async {
                match term.as_mut() {
                    Some(t) => { t.recv().await; }
                    None => std::future::pending::<()>().await,
                }
            } => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
