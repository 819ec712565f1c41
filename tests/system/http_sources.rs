//! URL sources under `[http]`, through the public catalog against loopback servers: the
//! default of 2 retries with doubling back-off (0.25 s, then 0.5 s) after 5xx answers,
//! retries after refused and dropped connections and after a timeout, and the connect
//! timeout (a server whose accept queue is full never completes the handshake).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quarterdeck::sources::{Catalog, HttpSettings, Origin, Source};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server treats the n-th connection (0-based).
#[derive(Clone, Copy)]
enum Reply {
    Unavailable,
    /// Closes the connection without answering.
    Drop,
    /// Answers after this many milliseconds.
    SlowOk(u64),
    Ok,
}

/// A server answering connection n with `script(n)`; records when each one arrived.
async fn server(script: fn(usize) -> Reply) -> (String, Arc<Mutex<Vec<Instant>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/spend.csv", listener.local_addr().unwrap());
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let seen = arrivals.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let n = {
                let mut seen = seen.lock().unwrap();
                seen.push(Instant::now());
                seen.len() - 1
            };
            tokio::spawn(answer(sock, script(n)));
        }
    });
    (url, arrivals)
}

async fn answer(mut sock: TcpStream, reply: Reply) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = "date,channel,campaign,spend\n2027-01-04,search,Brand,10\n";
    let ok = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let text = match reply {
        Reply::Drop => return,
        Reply::Unavailable => {
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                .to_owned()
        }
        Reply::SlowOk(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            ok
        }
        Reply::Ok => ok,
    };
    let _ = sock.write_all(text.as_bytes()).await;
}

fn catalog(url: &str, http: &HttpSettings) -> Catalog {
    let source = Source {
        origin: Origin::Url {
            url: url.to_owned(),
            auth: None,
        },
        columns: BTreeMap::new(),
        ..Source::default()
    };
    let dir = std::env::temp_dir();
    Catalog::new(
        dir,
        BTreeMap::from([("spend.csv".to_owned(), source)]),
        http,
    )
    .unwrap()
}

async fn fetch(url: &str, http: &HttpSettings) -> Result<(), String> {
    catalog(url, http)
        .load(&["spend.csv"])
        .await
        .map(|d| assert!(d.has("spend.csv")))
        .map_err(|e| e.to_string())
}

fn gaps(arrivals: &Mutex<Vec<Instant>>) -> Vec<Duration> {
    let a = arrivals.lock().unwrap();
    a.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test]
async fn by_default_a_failing_server_gets_three_attempts_with_doubling_back_off() {
    let (url, arrivals) = server(|_| Reply::Unavailable).await;
    let http = HttpSettings::default();

    let err = fetch(&url, &http).await.unwrap_err();

    assert_eq!(http.retries, 2);
    assert_eq!(arrivals.lock().unwrap().len(), 3, "{err}");
    let g = gaps(&arrivals);
    assert!(g[0] >= Duration::from_millis(250), "{g:?}");
    assert!(g[1] >= Duration::from_millis(500), "{g:?}");
    assert!(
        err.contains(&url) && err.contains("503") && err.contains("after 3 attempts"),
        "{err}"
    );
}

#[tokio::test]
async fn dropped_connections_are_retried_until_one_answers() {
    let (url, arrivals) = server(|n| if n < 2 { Reply::Drop } else { Reply::Ok }).await;

    fetch(&url, &HttpSettings::default()).await.unwrap();

    assert_eq!(arrivals.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_timed_out_attempt_is_retried() {
    let (url, arrivals) = server(|n| {
        if n == 0 {
            Reply::SlowOk(3_000)
        } else {
            Reply::Ok
        }
    })
    .await;
    let http = HttpSettings {
        timeout_seconds: 1,
        retries: 1,
        ..HttpSettings::default()
    };

    fetch(&url, &http).await.unwrap();

    assert_eq!(arrivals.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported_with_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/spend.csv", listener.local_addr().unwrap());
    drop(listener);
    let started = Instant::now();

    let err = fetch(&url, &HttpSettings::default()).await.unwrap_err();

    assert!(
        started.elapsed() >= Duration::from_millis(750),
        "two back-offs"
    );
    assert!(
        err.contains(&url) && err.contains("could not connect") && err.contains("after 3 attempts"),
        "{err}"
    );
}

#[tokio::test]
async fn the_connect_timeout_bounds_a_handshake_that_never_completes() {
    // A listener that never accepts, with a backlog of one; once its queue is full the
    // kernel drops further handshakes, so a client's connect hangs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => held.push(s),
            _ => break,
        }
    }
    let http = HttpSettings {
        connect_timeout_seconds: 1,
        timeout_seconds: 30,
        retries: 0,
        ..HttpSettings::default()
    };
    let started = Instant::now();

    let err = fetch(&format!("http://{addr}/spend.csv"), &http)
        .await
        .unwrap_err();

    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "took {took:?}: {err}"
    );
    assert!(err.contains("timed out"), "{err}");
    drop(listener);
}
