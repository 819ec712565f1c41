//! Live updates. One watcher task per run polls the run's version (one indexed `SELECT`
//! of two integers) every [`POLL`] and publishes it on a `watch` channel; every open page
//! of that run subscribes to the channel through a server-sent-events stream. So 200 open
//! pages cost one query per poll, not 200. The watcher stops when its last page closes.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::StreamExt;
use quarterdeck_store::Store;
use tokio::sync::watch;
use tokio_stream::wrappers::WatchStream;

/// How often a watched run's version is read.
pub const POLL: Duration = Duration::from_millis(200);
/// How long a browser waits before reconnecting after the stream drops.
pub const RETRY: Duration = Duration::from_millis(1000);

#[derive(Clone)]
pub struct Watchers {
    store: Store,
    runs: Arc<Mutex<HashMap<String, watch::Receiver<i64>>>>,
}

impl Watchers {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            runs: Arc::default(),
        }
    }

    /// The run's version now and on every change.
    pub fn subscribe(&self, run_id: &str, current: i64) -> watch::Receiver<i64> {
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = runs.get(run_id)
            && rx.has_changed().is_ok()
        {
            return rx.clone();
        }
        let (tx, rx) = watch::channel(current);
        runs.insert(run_id.to_owned(), rx.clone());
        let store = self.store.clone();
        let id = run_id.to_owned();
        let registry = self.runs.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // The registry's own receiver is one; the pages hold the others.
                if tx.receiver_count() <= 1 {
                    let mut runs = registry.lock().unwrap_or_else(|e| e.into_inner());
                    if tx.receiver_count() <= 1 {
                        runs.remove(&id);
                        return;
                    }
                }
                match store.run_mark(&id).await {
                    Ok(Some(mark)) => {
                        tx.send_if_modified(|v| {
                            let changed = *v != mark.version;
                            *v = mark.version;
                            changed
                        });
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(run = %id, error = %e, "dashboard: cannot read the run's version")
                    }
                }
            }
        });
        rx
    }
}

/// The SSE response: `retry`, then a `version` event now and on every change, until
/// `shutdown` resolves.
pub fn stream(
    versions: watch::Receiver<i64>,
    shutdown: watch::Receiver<bool>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut first = true;
    let events = WatchStream::new(versions).map(move |v| {
        let mut e = Event::default().event("version").data(v.to_string());
        if std::mem::take(&mut first) {
            e = e.retry(RETRY);
        }
        Ok(e)
    });
    let mut down = shutdown;
    let stop = async move {
        let _ = down.wait_for(|d| *d).await;
    };
    Sse::new(events.take_until(Box::pin(stop)))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
