//! The fetcher against a real HTTP/1.1 server on loopback (a few lines of tokio, so
//! every failure mode can be staged): success, auth header, 404, 5xx then success,
//! a body over the cap without `Content-Length`, and a server too slow to answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use std::collections::BTreeMap;

use super::*;
use crate::sources::{Catalog, Origin, Source};

struct Server {
    base: String,
    hits: Arc<AtomicUsize>,
}

/// Serves: /ok, /auth (needs `x-api-key: s3cret`), /missing, /flaky (503 once), /big
/// (2 MB, close-delimited), /slow (answers after 3 s).
async fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let flaky = hits.clone();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let flaky = flaky.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = sock.read(&mut chunk).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let request = String::from_utf8_lossy(&buf).to_ascii_lowercase();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let ok = |body: &str| {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let status = |code: &str| {
                    format!("HTTP/1.1 {code}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                };
                let reply = match path.as_str() {
                    "/ok" => ok("date,spend\n2027-01-04,10\n"),
                    "/auth" if request.contains("x-api-key: s3cret\r\n") => ok("granted"),
                    "/auth" => status("401 Unauthorized"),
                    "/flaky" if flaky.fetch_add(1, Ordering::SeqCst) == 0 => {
                        status("503 Service Unavailable")
                    }
                    "/flaky" => ok("second time lucky"),
                    "/big" => {
                        let _ = sock
                            .write_all(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n")
                            .await;
                        let block = vec![b'x'; 64 * 1024];
                        for _ in 0..32 {
                            if sock.write_all(&block).await.is_err() {
                                return;
                            }
                        }
                        return;
                    }
                    "/slow" => {
                        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                        ok("late")
                    }
                    _ => status("404 Not Found"),
                };
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    Server { base, hits }
}

fn fetcher(timeout_seconds: u64) -> Fetcher {
    Fetcher::new(&HttpSettings {
        connect_timeout_seconds: 1,
        timeout_seconds,
        max_megabytes: 1,
        retries: 1,
    })
    .unwrap()
}

#[tokio::test]
async fn a_file_is_fetched_whole() {
    let s = server().await;

    let body = fetcher(5)
        .get(&format!("{}/ok", s.base), None)
        .await
        .unwrap();

    assert_eq!(body, b"date,spend\n2027-01-04,10\n");
}

#[tokio::test]
async fn the_auth_header_is_sent_and_never_shown_in_errors() {
    let s = server().await;
    let good = ("X-Api-Key".to_owned(), Secret::new("s3cret"));
    let bad = ("X-Api-Key".to_owned(), Secret::new("wrong-token"));
    let url = format!("{}/auth", s.base);

    let granted = fetcher(5).get(&url, Some(&good)).await.unwrap();
    let refused = fetcher(5)
        .get(&url, Some(&bad))
        .await
        .unwrap_err()
        .to_string();

    assert_eq!(granted, b"granted");
    assert!(
        refused.contains("expected HTTP 200, found 401"),
        "{refused}"
    );
    assert!(refused.contains(&url), "{refused}");
    assert!(!refused.contains("wrong-token"), "{refused}");
}

#[tokio::test]
async fn a_client_error_is_final_and_a_server_error_is_retried() {
    let s = server().await;

    let missing = fetcher(5)
        .get(&format!("{}/missing", s.base), None)
        .await
        .unwrap_err()
        .to_string();
    let flaky = fetcher(5)
        .get(&format!("{}/flaky", s.base), None)
        .await
        .unwrap();

    assert!(missing.contains("found 404 Not Found"), "{missing}");
    assert!(!missing.contains("attempts"), "{missing}");
    assert_eq!(flaky, b"second time lucky");
    assert_eq!(s.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_while_streaming() {
    let s = server().await;

    let err = fetcher(5)
        .with_max_bytes(100_000)
        .get(&format!("{}/big", s.base), None)
        .await
        .unwrap_err()
        .to_string();

    assert!(err.contains("expected at most"), "{err}");
}

#[tokio::test]
async fn a_slow_server_times_out_with_a_clear_message() {
    let s = server().await;

    let err = Fetcher::new(&HttpSettings {
        connect_timeout_seconds: 1,
        timeout_seconds: 1,
        max_megabytes: 1,
        retries: 0,
    })
    .unwrap()
    .get(&format!("{}/slow", s.base), None)
    .await
    .unwrap_err()
    .to_string();

    assert!(err.contains("timed out"), "{err}");
}

#[tokio::test]
async fn a_catalog_mixes_the_data_folder_a_path_and_a_url_with_renamed_columns() {
    let s = server().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("leads.csv"),
        "lead_id,created_at,mql_at\n1,2027-01-01,\n",
    )
    .unwrap();
    let other = dir.path().join("elsewhere.csv");
    std::fs::write(&other, "campaign\nspring\n").unwrap();
    let sources = BTreeMap::from([
        (
            "spend.csv".to_owned(),
            Source {
                origin: Origin::Url {
                    url: format!("{}/ok", s.base),
                    auth: None,
                },
                columns: BTreeMap::from([("spend".into(), "SPEND".into())]),
                ..Source::default()
            },
        ),
        (
            "campaigns.csv".to_owned(),
            Source {
                origin: Origin::Path(other),
                ..Source::default()
            },
        ),
    ]);
    let catalog = Catalog::new(dir.path().to_owned(), sources, &HttpSettings::default()).unwrap();

    let set = catalog
        .load(&["spend.csv", "campaigns.csv", "leads.csv", "keywords.csv"])
        .await
        .unwrap();
    let spend = set.require_table("spend.csv").unwrap();

    assert_eq!(set.row_count("leads.csv"), Some(1));
    assert_eq!(set.row_count("campaigns.csv"), Some(1));
    assert!(!set.has("keywords.csv"));
    assert!(spend.find("spend", &[]).is_some());
    assert_eq!(spend.file, format!("{}/ok", s.base));
}
