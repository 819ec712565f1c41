//! `quarterdeck serve`: the bot, live. One process runs, for every configured team, the
//! runtime (the worker with its scheduled jobs and the outbox dispatcher, as `simulate`
//! does on a virtual clock) with Discord as the chat port, and the gateway with the
//! slash commands, whose requests the [`backend`] turns into engine events. SIGTERM or
//! Ctrl-C stops taking events, lets the transaction in flight finish, and exits 0.
//!
//! The dashboard (another crate) would be started here beside the gateway; see
//! [`start_dashboard`].

mod answers;
mod backend;
mod capabilities;
mod data;
mod forms;
mod people;
mod reactions;
mod timezone;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use quarterdeck_discord::chat::{DiscordChat, OwnerAlert};
use quarterdeck_discord::gateway::{self, GatewayConfig};
use quarterdeck_discord::rest::{Rest, RetryPolicy};
use quarterdeck_discord::spec::is_snowflake;
use tokio::sync::watch;

use crate::clock::SystemClock;
use crate::config::{Settings, TeamSettings};
use crate::engine::Engine;
use crate::runtime::Runtime;
use crate::sources::Catalog;
use crate::store::Store;

pub use backend::AppBackend;
pub use capabilities::{Capability, capabilities};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration or the environment is incomplete or wrong (exit 2).
    #[error("{0}")]
    Config(String),
    /// Something failed while running (exit 1).
    #[error("{0}")]
    Failed(String),
}

/// How long shutdown waits for the gateway to close and the loops to finish their work
/// in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(6);
/// How long the exit waits for the database's connections to come back.
const STORE_CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The leadership role of the replica that holds the Discord gateway.
pub const GATEWAY_ROLE: &str = "quarterdeck/discord-gateway";
/// How often a standby replica asks for the gateway (a dead holder's lock frees at once).
pub const LEADER_RETRY: Duration = Duration::from_secs(5);

/// Checks what `serve` needs before connecting: the token, guild ids, and Discord ids
/// in the teams' channels and roles. Each error names the key or variable.
pub fn check(settings: &Settings) -> Result<String, ServeError> {
    let token = settings
        .discord_token
        .as_ref()
        .map(|t| t.expose().to_owned())
        .ok_or_else(|| {
            ServeError::Config(
                "DISCORD_TOKEN is not set: export the bot's token (Discord developer portal → your application → Bot → Reset Token)".into(),
            )
        })?;
    if settings.discord.guild_ids.is_empty() {
        return Err(ServeError::Config(
            "config key `discord.guild_ids`: list the id of at least one server (guild) to register the slash commands in".into(),
        ));
    }
    for (i, g) in settings.discord.guild_ids.iter().enumerate() {
        if !is_snowflake(g) {
            return Err(ServeError::Config(format!(
                "config key `discord.guild_ids[{i}]`: {g:?} is not a Discord id (digits only)"
            )));
        }
    }
    for (i, t) in settings.teams.iter().enumerate() {
        let mut ids: Vec<(String, &str)> = vec![
            (format!("teams[{i}].channels.default"), &t.channels.default),
            (
                format!("teams[{i}].channels.approvals"),
                &t.channels.approvals,
            ),
            (
                format!("teams[{i}].channels.checkins"),
                &t.channels.checkins,
            ),
            (format!("teams[{i}].roles.owner"), &t.roles.owner),
        ];
        for (n, c) in &t.channels.stages {
            ids.push((format!("teams[{i}].channels.stages.{n}"), c));
        }
        for (j, r) in t.roles.run_stages.iter().enumerate() {
            ids.push((format!("teams[{i}].roles.run_stages[{j}]"), r));
        }
        for (key, id) in ids {
            if !is_snowflake(id) {
                return Err(ServeError::Config(format!(
                    "config key `{key}`: {id:?} is not a Discord id; use the channel's or role's id (Developer Mode → Copy ID)"
                )));
            }
        }
    }
    Ok(token)
}

/// The catalog of a team's sources as configured.
pub fn catalog(team: &TeamSettings, settings: &Settings) -> Result<Catalog, ServeError> {
    Catalog::new(team.data_dir.clone(), team.sources.clone(), &settings.http)
        .map_err(|e| ServeError::Config(format!("team {}: {e}", team.name)))
}

/// Runs the bot until `shutdown` turns true (or the gateway fails).
pub async fn serve(
    settings: Settings,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ServeError> {
    let token = check(&settings)?;
    let store = Store::connect(
        settings.database.url.expose(),
        settings.database.max_connections,
    )
    .await
    .map_err(|e| ServeError::Failed(format!("database: {e}")))?;
    let instance = format!("serve-{}", std::process::id());
    let engine = Engine::new(
        store.clone(),
        Arc::new(SystemClock),
        &settings.scheduler,
        instance,
    );
    let rest = Rest::new(
        &settings.discord.api_base_url,
        &token,
        RetryPolicy::default(),
    )
    .map_err(|e| ServeError::Failed(e.to_string()))?;
    let alerts: HashMap<String, OwnerAlert> = settings
        .teams
        .iter()
        .flat_map(|t| {
            let alert = OwnerAlert {
                channel: t.channels.default.clone(),
                owner_role: t.roles.owner.clone(),
            };
            let mut channels = vec![
                t.channels.default.clone(),
                t.channels.approvals.clone(),
                t.channels.checkins.clone(),
            ];
            channels.extend(t.channels.stages.values().cloned());
            channels.into_iter().map(move |c| (c, alert.clone()))
        })
        .collect();
    let chat = Arc::new(DiscordChat::new(rest, alerts));
    let poll = Duration::from_secs(u64::from(settings.scheduler.poll_seconds));
    // Posts leave from the replica that holds the gateway; every replica runs due jobs.
    let gate = Arc::new(AtomicBool::new(false));
    let mut runtime = Runtime::new(engine.clone(), chat, poll).with_dispatch_gate(gate.clone());
    for team in &settings.teams {
        runtime = runtime.with_team(team.clone(), catalog(team, &settings)?);
    }
    runtime
        .open_due_runs()
        .await
        .map_err(|e| ServeError::Failed(e.to_string()))?;
    let dashboard_addr = Arc::new(std::sync::OnceLock::new());
    let backend = Arc::new(AppBackend::new(
        engine.clone(),
        settings.clone(),
        dashboard_addr.clone(),
    ));
    let config = GatewayConfig {
        api_base_url: settings.discord.api_base_url.clone(),
        guild_ids: settings
            .discord
            .guild_ids
            .iter()
            .filter_map(|g| g.parse().ok())
            .collect(),
        max_upload_bytes: u64::from(settings.discord.max_upload_kilobytes) * 1024,
    };
    start_dashboard(&settings, &store, shutdown.clone(), dashboard_addr);
    let store_for_lead = store.clone();

    let loops = {
        let runtime = runtime.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move { runtime.run(shutdown).await })
    };
    // Completed quarters' actuals, where the next quarter's review reads them.
    tokio::spawn(crate::actuals::keep_stored(
        engine.clone(),
        settings.teams.clone(),
        poll.max(Duration::from_secs(1)) * 10,
        shutdown.clone(),
    ));
    let gateway_shutdown = shutdown.clone();
    let mut gateway = tokio::spawn(async move {
        // One gateway session per bot: replicas on one PostgreSQL elect its holder.
        let mut standby = gateway_shutdown.clone();
        let mut said = false;
        let lead = loop {
            match store_for_lead.try_lead(GATEWAY_ROLE).await {
                Ok(Some(lead)) => break lead,
                Ok(None) if !said => {
                    said = true;
                    eprintln!(
                        "quarterdeck serve: standby (another replica holds the gateway); running due jobs"
                    );
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot ask for the gateway lock"),
            }
            tokio::select! {
                () = tokio::time::sleep(LEADER_RETRY) => {}
                () = wait_for(&mut standby) => return Ok(()),
            }
        };
        gate.store(true, Ordering::Release);
        let result = gateway::run(&token, config, backend, gateway_shutdown)
            .await
            .map_err(|e| e.to_string());
        gate.store(false, Ordering::Release);
        drop(lead);
        result
    });
    let gateway_result = tokio::select! {
        r = &mut gateway => Some(r),
        _ = wait_for(&mut shutdown) => None,
    };
    // From here the gateway and the loops share one grace period.
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    let result = match gateway_result {
        // The gateway ended by itself: a bad token, a refused intent, a lost server.
        Some(Ok(Err(e))) => Err(ServeError::Failed(format!("Discord gateway: {e}"))),
        Some(Err(e)) => Err(ServeError::Failed(format!("Discord gateway stopped: {e}"))),
        Some(Ok(Ok(()))) => Ok(()),
        None => {
            if tokio::time::timeout_at(deadline, gateway).await.is_err() {
                tracing::warn!("the gateway did not close within the grace period");
            }
            Ok(())
        }
    };
    // The loops stop after their transaction in flight.
    match tokio::time::timeout_at(deadline, loops).await {
        Ok(Ok(Err(e))) => tracing::error!(error = %e, "runtime stopped with an error"),
        Err(_) => tracing::warn!("the runtime did not stop within the grace period"),
        _ => {}
    }
    // A connection still held (a long dashboard stream) must not hold up the exit.
    if tokio::time::timeout(STORE_CLOSE_GRACE, store.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still busy at exit");
    }
    eprintln!("quarterdeck serve: stopped");
    result
}

async fn wait_for(shutdown: &mut watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if shutdown.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The read-only dashboard on `[dashboard] listen`, until shutdown. A port already in use
/// is logged, not fatal: the bot runs without its dashboard.
fn start_dashboard(
    settings: &Settings,
    store: &Store,
    mut shutdown: watch::Receiver<bool>,
    bound: Arc<std::sync::OnceLock<std::net::SocketAddr>>,
) {
    let d = &settings.dashboard;
    let opts = quarterdeck_dashboard::Options {
        listen: d.listen,
        public_url: Some(d.public_url.clone()).filter(|u| !u.is_empty()),
        key: d.key.as_ref().map(|k| k.expose().to_owned()),
    };
    let store = store.clone();
    tokio::spawn(async move {
        let stop = async move {
            let _ = shutdown.wait_for(|s| *s).await;
        };
        match quarterdeck_dashboard::start(store, &opts, stop).await {
            Ok(server) => {
                tracing::info!(addr = %server.addr, "dashboard listening");
                let _ = bound.set(server.addr);
                if let Err(e) = server.wait().await {
                    tracing::error!(error = %e, "dashboard stopped");
                }
            }
            Err(e) => tracing::error!(error = %e, "dashboard not started"),
        }
    });
}

/// A watch that turns true on SIGTERM or Ctrl-C.
pub fn shutdown_on_signals() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = match signal(SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for SIGTERM");
                    let _ = tokio::signal::ctrl_c().await;
                    let _ = tx.send(true);
                    return;
                }
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("quarterdeck serve: shutting down");
        let _ = tx.send(true);
    });
    rx
}
