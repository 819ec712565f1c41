//! Bench binary (`cargo bench -p quarterdeck-dashboard --bench render`): the dashboard's
//! server time for a quarter of 200 campaigns, on a SQLite file store: the first request
//! (read everything, render the page) and repeated ones; then the time from an engine
//! commit to the live-update event on an open stream, and the memory 200 open streams
//! hold. Targets: first render < 100 ms; update < 1 s; 200 streams < 50 MB. Prints
//! figures; asserts nothing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use quarterdeck_dashboard::{Links, Options, Snapshot, render, start, synthetic};
use quarterdeck_store::{Commit, Store};

const CAMPAIGNS: usize = 200;
const RUNS: usize = 50;
const PAGES: usize = 200;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(bench());
}

async fn bench() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::connect(&url, 8).await.unwrap();
    let run_id = synthetic::seed(&store, CAMPAIGNS).await.unwrap();
    let links = Links {
        base: "/d/growth/2027-Q1".into(),
        query: "token=x".into(),
    };
    let t = Instant::now();
    let snap = Snapshot::load(&store, &run_id).await.unwrap().unwrap();
    let html = render(&snap, &links);
    let first = t.elapsed().as_secs_f64() * 1e3;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let snap = Snapshot::load(&store, &run_id).await.unwrap().unwrap();
        let _ = render(&snap, &links);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "page for {CAMPAIGNS} campaigns ({} KB): first {first:.1} ms, median {:.1} ms, max {:.1} ms over {RUNS}",
        html.len() / 1024,
        times[RUNS / 2],
        times[RUNS - 1]
    );

    // A server with open live-update streams.
    let key = "bench-key-0123456789abcdef0123456789";
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = start(
        store.clone(),
        &Options {
            listen: "127.0.0.1:0".parse().unwrap(),
            public_url: None,
            key: Some(key.into()),
        },
        async move {
            let _ = stopped.await;
        },
    )
    .await
    .unwrap();
    let link = server
        .link_for(synthetic::TEAM, synthetic::QUARTER, 1)
        .await
        .unwrap();
    let events = link.replacen("/d/growth/2027-Q1?", "/d/growth/2027-Q1/events?", 1);
    let path = events
        .trim_start_matches(&format!("http://{}", server.addr))
        .to_owned();
    let addr = server.addr;
    let before = rss_kb();
    let mut streams = tokio::task::spawn_blocking(move || {
        (0..PAGES)
            .map(|_| {
                let mut s = TcpStream::connect(addr).unwrap();
                write!(
                    s,
                    "GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
                )
                .unwrap();
                let mut r = BufReader::new(s);
                // Headers, then the first `version` event.
                let mut line = String::new();
                loop {
                    line.clear();
                    r.read_line(&mut line).unwrap();
                    if line.starts_with("data:") {
                        break;
                    }
                }
                r
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = rss_kb().saturating_sub(before);
    println!(
        "{PAGES} open live pages: {:.1} MB more resident memory (server and clients in one process)",
        held as f64 / 1024.0
    );

    // Commit a change as the engine does; time until the first stream sees it.
    let stored = store.load_run(&run_id).await.unwrap().unwrap();
    let committed = Instant::now();
    store
        .commit(Commit {
            run: &stored.run,
            expected_version: stored.version,
            now: chrono::Utc::now(),
            posts: Vec::new(),
            jobs: Vec::new(),
            audit: Vec::new(),
            outputs: Vec::new(),
            plan: None,
            attachments: Vec::new(),
            finish: Vec::new(),
        })
        .await
        .unwrap();
    let mut first_stream = streams.swap_remove(0);
    let seen = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        loop {
            line.clear();
            first_stream.read_line(&mut line).unwrap();
            if line.starts_with("data:") {
                return committed.elapsed();
            }
        }
    })
    .await
    .unwrap();
    println!(
        "engine commit to live event: {:.0} ms (poll every {} ms)",
        seen.as_secs_f64() * 1e3,
        200
    );
    drop(streams);
    let _ = stop.send(());
    let _ = server.wait().await;
}
