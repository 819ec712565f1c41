//! The server over a real SQLite store holding the synthetic quarter: the page with the
//! stored figures, refusals, exports, live updates and key rotation.

use std::time::{Duration, Instant};

use chrono::Utc;
use quarterdeck_store::{Commit, Store};
use tempfile::TempDir;

use super::synthetic::{self, HASH_V2, QUARTER, TEAM};
use super::{Options, Server, rotate_key, start};

const KEY: &str = "test-key-0123456789abcdef0123456789";

struct Fixture {
    _dir: TempDir,
    store: Store,
    server: Server,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn fixture(key: Option<&str>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("d.db").display());
    let store = Store::connect(&url, 4).await.unwrap();
    synthetic::seed(&store, 200).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = start(
        store.clone(),
        &Options {
            listen: "127.0.0.1:0".parse().unwrap(),
            public_url: None,
            key: key.map(str::to_owned),
        },
        async move {
            let _ = stopped.await;
        },
    )
    .await
    .unwrap();
    Fixture {
        _dir: dir,
        store,
        server,
        _stop: stop,
    }
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

fn without_token(link: &str) -> String {
    link.split('?').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_valid_link_shows_the_stored_figures() {
    let f = fixture(Some(KEY)).await;
    let link = f.server.link_for(TEAM, QUARTER, 1).await.unwrap();
    let (status, body) = get(&link).await;
    assert_eq!(status, 200);
    // Approved v2's hash, first 12 hex; the total and a channel as the plan writes money.
    assert!(body.contains(&HASH_V2[..12]), "no hash");
    assert!(!body.contains(&HASH_V2[..13]), "more than 12 hex shown");
    assert!(body.contains("$286,000"), "no total");
    assert!(body.contains("$120,000"), "no paid_search budget");
    assert!(body.contains("$26,000"), "no reserve");
    assert!(body.contains("Campaign 200"), "campaigns missing");
    assert!(body.contains("Fran Finance") && body.contains("request_changes"));
    assert!(
        body.contains("creative approval slipped"),
        "open blocker missing"
    );
    assert!(body.contains("Paid search concentration"), "risk missing");
    // 450 + 500 + 550 MQL milestones, as whole counts.
    assert!(body.contains(">450<") && body.contains(">550<"));
    // Charts are labelled images.
    assert_eq!(body.matches(r#"role="img""#).count(), 3);
    assert!(body.contains("Quarter&#39;s budget (USD)"));
    // The key never reaches the page.
    assert!(!body.contains(KEY));
}

#[tokio::test]
async fn missing_expired_and_forged_tokens_get_403_without_figures() {
    let f = fixture(Some(KEY)).await;
    let link = f.server.link_for(TEAM, QUARTER, 1).await.unwrap();
    let expired = f
        .server
        .link(TEAM, QUARTER, Utc::now() - chrono::Duration::seconds(1))
        .await
        .unwrap();
    let mut forged = link.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    let other_team = link.replace("/d/growth/", "/d/brand/");
    for (what, url) in [
        ("missing", without_token(&link)),
        ("expired", expired),
        ("forged", forged),
        ("other team", other_team),
        (
            "fragment without token",
            format!("{}/fragment", without_token(&link)),
        ),
        (
            "events without token",
            format!("{}/events", without_token(&link)),
        ),
        (
            "export without token",
            format!("{}/export/audit.csv", without_token(&link)),
        ),
    ] {
        let (status, body) = get(&url).await;
        assert_eq!(status, 403, "{what}");
        for figure in ["$286,000", &HASH_V2[..12], "Campaign 001", "Fran Finance"] {
            assert!(!body.contains(figure), "{what}: 403 page shows {figure}");
        }
    }
}

#[tokio::test]
async fn exports_serve_the_stored_plan_and_neutralised_csv() {
    let f = fixture(Some(KEY)).await;
    let link = f.server.link_for(TEAM, QUARTER, 1).await.unwrap();
    let export = |file: &str| link.replacen("?", &format!("/export/{file}?"), 1);
    let (status, md) = get(&export("plan.md")).await;
    assert_eq!(
        (status, md.as_str()),
        (200, "# Plan v2\n\nTotal budget: $286,000\n")
    );
    let (status, audit) = get(&export("audit.csv")).await;
    assert_eq!(status, 200);
    let mut rows = csv::Reader::from_reader(audit.as_bytes());
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(&row[7], "'=HYPERLINK(\"http://evil.example\",\"ok\")");
    let (status, checkins) = get(&export("checkins.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(checkins.lines().count(), 4, "{checkins}");
    let (status, pacing) = get(&export("pacing.csv")).await;
    assert_eq!(status, 200);
    // The synthetic approved version states no figures: a header and no weeks.
    assert_eq!(pacing.lines().count(), 1, "{pacing}");
    assert!(pacing.starts_with("week,date,spend_to_date,planned_spend_to_date,"));
    // Nothing posted stage 8's calendar file in the synthetic quarter.
    assert_eq!(get(&export("calendar.ics")).await.0, 404);
}

/// The next SSE event's `data`.
async fn next_data(r: &mut reqwest::Response, seen: &mut String) -> String {
    loop {
        if let Some(i) = seen.find("\n\n") {
            let event: String = seen.drain(..i + 2).collect();
            if let Some(v) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                return v.to_owned();
            }
            continue;
        }
        let chunk = r.chunk().await.unwrap().expect("the stream ended");
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test]
async fn an_engine_commit_reaches_an_open_event_stream_within_a_second() {
    let f = fixture(Some(KEY)).await;
    let link = f.server.link_for(TEAM, QUARTER, 1).await.unwrap();
    let events = link.replacen("?", "/events?", 1);
    let mut r = reqwest::get(&events).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let mut seen = String::new();
    let first = next_data(&mut r, &mut seen).await;
    let stored = f.store.load_run(synthetic::RUN_ID).await.unwrap().unwrap();
    assert_eq!(first, stored.version.to_string());
    let committed = Instant::now();
    f.store
        .commit(Commit {
            run: &stored.run,
            expected_version: stored.version,
            now: Utc::now(),
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
    let next = tokio::time::timeout(Duration::from_secs(1), next_data(&mut r, &mut seen))
        .await
        .expect("no live event within 1 s");
    assert_eq!(next, (stored.version + 1).to_string());
    assert!(committed.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn the_stored_key_is_kept_and_rotating_it_revokes_links() {
    let f = fixture(None).await;
    let link = f.server.link_for(TEAM, QUARTER, 1).await.unwrap();
    assert_eq!(get(&link).await.0, 200);
    // Another instance on the same database signs with the same key.
    let again = super::resolve_key(&f.store, None).await.unwrap();
    let token = link.split("token=").nth(1).unwrap();
    assert!(again.verify(TEAM, QUARTER, Some(token), Utc::now()).is_ok());
    rotate_key(&f.store).await.unwrap();
    assert_eq!(get(&link).await.0, 403, "the old link still works");
    let fresh = f.server.link_for(TEAM, QUARTER, 1).await.unwrap();
    assert_eq!(get(&fresh).await.0, 200);
}
