//! The live performance dashboard (issue 11): one page per team quarter showing the
//! stages on the timeline, the plan's versions and approvals, budget, goals, calendar,
//! check-ins, risks and success criteria, updated live over server-sent events, with
//! exports. Read-only: it reads the store and never writes a run's state nor calls the
//! engine (the one row it may write is its own signing key).
//!
//! `quarterdeck simulate --serve ADDR` and `quarterdeck serve` both call [`start`].

pub mod export;
mod html;
mod link;
mod live;
mod page;
mod routes;
mod snapshot;
mod svg;
#[doc(hidden)]
pub mod synthetic;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::net::SocketAddr;

use chrono::{DateTime, Duration, Utc};
use quarterdeck_store::{Store, StoreError};
use tokio::sync::watch;

pub use export::cell as csv_cell;
pub use link::{LinkKey, Refusal};
pub use page::{HASH_CHARS, Links, render, short_hash};
pub use snapshot::Snapshot;

/// The environment variable that holds the signing key (at least 32 characters). When it
/// is unset a key is generated once and stored in the database.
pub const KEY_ENV: &str = "QUARTERDECK_DASHBOARD_KEY";

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error("dashboard: cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("dashboard: {0}")]
    Key(String),
    #[error("dashboard: {0}")]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct Options {
    /// `[dashboard] listen`; port 0 picks a free one.
    pub listen: SocketAddr,
    /// How links are written (`https://plans.example.com`); default `http://` + the bound
    /// address.
    pub public_url: Option<String>,
    /// `QUARTERDECK_DASHBOARD_KEY`, when set.
    pub key: Option<String>,
}

/// Where the signing key comes from: the environment (fixed), or the database (read on
/// every request, so a rotation revokes links at once on every instance).
#[derive(Debug, Clone)]
pub enum KeySource {
    Fixed(LinkKey),
    Stored(Store),
}

impl KeySource {
    /// The configured key, else the stored one (generated and stored on first use).
    pub async fn new(store: &Store, configured: Option<&str>) -> Result<Self, DashboardError> {
        match configured {
            Some(text) => Ok(Self::Fixed(
                LinkKey::from_text(text).map_err(DashboardError::Key)?,
            )),
            None => {
                store
                    .dashboard_key_or_insert(&LinkKey::generate_text(), Utc::now())
                    .await?;
                Ok(Self::Stored(store.clone()))
            }
        }
    }

    pub async fn current(&self) -> Result<LinkKey, DashboardError> {
        match self {
            Self::Fixed(k) => Ok(k.clone()),
            Self::Stored(store) => {
                let text = store
                    .dashboard_key_or_insert(&LinkKey::generate_text(), Utc::now())
                    .await?;
                LinkKey::from_text(&text).map_err(DashboardError::Key)
            }
        }
    }
}

/// The key links are signed with now (see [`KeySource`]).
pub async fn resolve_key(
    store: &Store,
    configured: Option<&str>,
) -> Result<LinkKey, DashboardError> {
    KeySource::new(store, configured).await?.current().await
}

/// Replaces the stored key: every link signed so far stops working. (A key set in the
/// environment is rotated by changing the variable.)
pub async fn rotate_key(store: &Store) -> Result<(), DashboardError> {
    store
        .rotate_dashboard_key(&LinkKey::generate_text(), Utc::now())
        .await?;
    Ok(())
}

/// A running dashboard server.
pub struct Server {
    pub addr: SocketAddr,
    base_url: String,
    key: KeySource,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// The signed link to `team`'s `quarter`, valid until `expires`.
    pub async fn link(
        &self,
        team: &str,
        quarter: &str,
        expires: DateTime<Utc>,
    ) -> Result<String, DashboardError> {
        let key = self.key.current().await?;
        Ok(link_url(&self.base_url, &key, team, quarter, expires))
    }

    /// A link valid for `hours` from now.
    pub async fn link_for(
        &self,
        team: &str,
        quarter: &str,
        hours: i64,
    ) -> Result<String, DashboardError> {
        self.link(team, quarter, Utc::now() + Duration::hours(hours))
            .await
    }

    /// Waits until the server has shut down.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// `BASE/d/TEAM/QUARTER?token=…`.
pub fn link_url(
    base: &str,
    key: &LinkKey,
    team: &str,
    quarter: &str,
    expires: DateTime<Utc>,
) -> String {
    format!(
        "{}/d/{team}/{quarter}?token={}",
        base.trim_end_matches('/'),
        key.sign(team, quarter, expires)
    )
}

/// Binds `opts.listen` and serves the dashboard until `shutdown` resolves; open
/// live-update streams end then too, so the server stops promptly.
pub async fn start(
    store: Store,
    opts: &Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Server, DashboardError> {
    let key = KeySource::new(&store, opts.key.as_deref()).await?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| DashboardError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| DashboardError::Bind {
            addr: opts.listen,
            source,
        })?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = routes::AppState {
        watchers: live::Watchers::new(store.clone()),
        store,
        key: key.clone(),
        shutdown: stop_rx,
    };
    let app = routes::router(state);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop_tx.send(true);
            })
            .await
    });
    let base_url = opts
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    Ok(Server {
        addr,
        base_url,
        key,
        task,
    })
}
