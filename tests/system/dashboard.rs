//! The dashboard end to end. A quarter planned by the real engine and runtime on SQLite
//! up to the approval, served by `quarterdeck_dashboard`, driven in headless Chromium over
//! WebDriver: the page shows the figures stored in the database; an approval applied
//! through the engine appears on the open page without a reload; refused links get a 403
//! page without figures; the audit CSV export comes neutralised. Screenshots at laptop
//! and phone widths go to `target/screenshots/`. Also `simulate --serve`'s contract.
//!
//! The browser tests need `chromium` and `chromedriver` (scripts/test installs them);
//! where either binary is absent they say so on stderr and do nothing else.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use quarterdeck::clock::{Clock, ManualClock};
use quarterdeck::domain::{Actor, RunStatus, Verdict};
use quarterdeck::engine::{Engine, Event};
use quarterdeck::report::money;
use quarterdeck::runtime::Runtime;
use quarterdeck::sample::{SampleSpec, generate};
use quarterdeck::sources::Catalog;
use quarterdeck::stages::handoff::BudgetHandoff;
use quarterdeck::store::Store;
use quarterdeck::timeline;
use quarterdeck::transcript::Transcript;
use quarterdeck_dashboard::{LinkKey, Options, short_hash};
use serde_json::json;

use crate::helpers::{PgDb, settings};

const KEY: &str = "system-test-key-0123456789abcdef01234";

/// A quarter planned through the engine until its plan awaits approval.
struct Planned {
    _dir: tempfile::TempDir,
    store: Store,
    engine: Engine,
    run_id: String,
    team: String,
    quarter: String,
    group: String,
    role: String,
}

async fn planned_quarter() -> Planned {
    planned_quarter_on(None).await
}

impl Planned {
    /// Stage 6's stored budget handoff: the figures the page must show.
    async fn stored_budget(&self) -> BudgetHandoff {
        let outputs = self.store.latest_outputs(&self.run_id).await.unwrap();
        let findings = &outputs.iter().find(|o| o.stage == 6).unwrap().findings;
        let value: serde_json::Value = serde_json::from_str(findings).unwrap();
        serde_json::from_value(value["handoff"].clone()).unwrap()
    }

    /// `approver` approves plan `version` for the first stakeholder group, through the
    /// engine.
    async fn approve(&self, approver: &str, version: u32) {
        self.engine
            .handle(
                &self.run_id,
                Event::Verdict {
                    actor: Actor::new("u-dana", approver, &[self.role.as_str()]),
                    group: self.group.clone(),
                    verdict: Verdict::Approve,
                    version,
                    note: None,
                },
            )
            .await
            .unwrap();
    }
}

/// The same on the given database (a fresh SQLite file when `None`).
async fn planned_quarter_on(database: Option<&str>) -> Planned {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(&[]);
    let team = s.teams[0].clone();
    let tl = timeline::build(&team.timeline).unwrap();
    let fy = team.timeline.fiscal_year_start_month;
    let prior = tl.quarter.prior();
    let data = dir.path().join("data");
    generate(&SampleSpec {
        seed: 42,
        prior_start: prior.starts(fy),
        prior_end: prior.ends(fy),
        next_start: tl.starts,
        next_end: tl.ends,
    })
    .write_to(&data)
    .unwrap();
    let url = database.map_or_else(
        || format!("sqlite://{}", dir.path().join("q.db").display()),
        str::to_owned,
    );
    let store = Store::connect(&url, 4).await.unwrap();
    let clock = Arc::new(ManualClock::new(
        tl.stages[0].due.with_timezone(&Utc) - Duration::days(1),
    ));
    let engine = Engine::new(store.clone(), clock.clone(), &s.scheduler, "test");
    let run_id = engine
        .open_run(&team, &tl, Catalog::data_dir(data))
        .await
        .unwrap();
    let chat = Arc::new(Transcript::open(&dir.path().join("t.jsonl")).unwrap());
    let runtime = Runtime::new(engine.clone(), chat, StdDuration::from_secs(1));
    let (_keep, running) = tokio::sync::watch::channel(false);
    loop {
        runtime.dispatch().await.unwrap();
        let run = store.load_run(&run_id).await.unwrap().unwrap().run;
        if run.status == RunStatus::AwaitingApproval {
            break;
        }
        if runtime.work(&running).await.unwrap() > 0 {
            continue;
        }
        match store.next_due().await.unwrap() {
            Some(t) if t > clock.now() => clock.advance_to(t),
            Some(_) => {}
            None => panic!("the run stopped at {:?} before the approval", run.status),
        }
    }
    let stakeholders = &team.stakeholders[0];
    Planned {
        _dir: dir,
        store,
        engine,
        run_id,
        team: team.name.clone(),
        quarter: tl.quarter.to_string(),
        group: stakeholders.group.clone(),
        role: stakeholders.role_ids[0].clone(),
    }
}

/// `chromedriver` on a free port, killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(bin: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
}

/// Headless Chromium over WebDriver, or `None` (said loudly) when a binary is absent.
async fn browser(test: &str) -> Option<(Driver, Client)> {
    if !(on_path("chromium") && on_path("chromedriver")) {
        eprintln!(
            "SKIPPED {test}: `chromium` or `chromedriver` is not installed (apt-get install chromium chromium-driver; scripts/test does)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut caps = serde_json::Map::new();
    let mut args = vec![
        "--headless=new",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
    ];
    // Chromium refuses to run as root inside its sandbox.
    args.push("--no-sandbox");
    caps.insert("goog:chromeOptions".into(), json!({ "args": args }));
    let deadline = Instant::now() + StdDuration::from_secs(30);
    loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return Some((driver, c)),
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(StdDuration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a WebDriver session: {e}"),
        }
    }
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn text_of_main(c: &Client) -> String {
    c.execute("return document.getElementById('main').innerText;", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_chromium_shows_stored_figures_updates_live_and_refuses_bad_links() {
    let test = "the_dashboard_in_chromium";
    let Some((_driver, c)) = browser(test).await else {
        return;
    };
    let p = planned_quarter().await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = quarterdeck_dashboard::start(
        p.store.clone(),
        &Options {
            listen: "127.0.0.1:0".parse().unwrap(),
            public_url: None,
            key: Some(KEY.into()),
        },
        async move {
            let _ = stopped.await;
        },
    )
    .await
    .unwrap();
    let link = server.link_for(&p.team, &p.quarter, 1).await.unwrap();

    // The figures as stored: the latest plan version's hash, the budget handoff's total,
    // and the plan document quoting that same total.
    let run = p.store.load_run(&p.run_id).await.unwrap().unwrap().run;
    let plan = run.latest_plan().unwrap().clone();
    let budget = p.stored_budget().await;
    let total = money(budget.total);
    let doc = p
        .store
        .plan_doc(&p.run_id, i64::from(plan.version))
        .await
        .unwrap()
        .unwrap();
    assert!(
        doc.markdown.contains(&total),
        "the plan does not quote {total}"
    );

    c.goto(&link).await.unwrap();
    let shown = text_of_main(&c).await;
    assert!(
        shown.contains(short_hash(&plan.hash)),
        "hash missing: {shown}"
    );
    assert!(shown.contains(&total), "total {total} missing");
    for ch in &budget.channels {
        assert!(shown.contains(&money(ch.spend)), "{} missing", ch.channel);
    }
    let shot = screenshots();
    std::fs::write(
        shot.join("dashboard-laptop.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // An approval through the engine reaches the open page without a reload.
    c.execute("window.__sameDocument = 'yes';", vec![])
        .await
        .unwrap();
    let approver = "=Dana(1) Approver";
    p.approve(approver, plan.version).await;
    let applied = Instant::now();
    loop {
        if text_of_main(&c).await.contains(approver) {
            break;
        }
        assert!(
            applied.elapsed() < StdDuration::from_secs(1),
            "the approval did not appear within 1 s"
        );
        tokio::time::sleep(StdDuration::from_millis(25)).await;
    }
    eprintln!(
        "dashboard: approval on the open page {} ms after the engine committed it",
        applied.elapsed().as_millis()
    );
    let same = c
        .execute("return window.__sameDocument || null;", vec![])
        .await
        .unwrap();
    assert_eq!(same, json!("yes"), "the page was reloaded");

    // The audit CSV, fetched from the page's own export link, is neutralised.
    let csv = c
        .execute_async(
            "const done = arguments[0]; fetch(document.querySelector('a[href*=\"export/audit.csv\"]').href).then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let dana: Vec<_> = rows
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[2] == "u-dana")
        .collect();
    assert!(!dana.is_empty(), "no audit row for the approval: {csv}");
    for r in &dana {
        assert_eq!(&r[3], format!("'{approver}"), "actor_name not neutralised");
    }

    // Laptop and phone widths, whole page.
    for (name, w) in [("laptop-full", 1366), ("phone", 390)] {
        c.set_window_size(w, 900).await.unwrap();
        let h = c
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(900)
            .min(12_000) as u32;
        if name == "laptop-full" {
            c.set_window_size(w, h).await.unwrap();
        }
        std::fs::write(
            shot.join(format!("dashboard-{name}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    c.set_window_size(1366, 900).await.unwrap();

    // Refused links: no token, an expired one, one character changed.
    let key = LinkKey::from_text(KEY).unwrap();
    let base = link.split('?').next().unwrap().to_owned();
    let expired = format!(
        "{base}?token={}",
        key.sign(&p.team, &p.quarter, Utc::now() - Duration::seconds(5))
    );
    let mut forged = link.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'a' { 'b' } else { 'a' });
    for (what, url) in [
        ("missing", base.clone()),
        ("expired", expired),
        ("forged", forged),
    ] {
        let status = reqwest::get(&url).await.unwrap().status().as_u16();
        assert_eq!(status, 403, "{what}");
        c.goto(&url).await.unwrap();
        let body = c.source().await.unwrap();
        assert!(body.contains("Link not valid"), "{what}: {body}");
        assert!(
            !body.contains(short_hash(&plan.hash)),
            "{what}: shows the hash"
        );
        assert!(!body.contains(&total), "{what}: shows the total");
    }
    c.close().await.unwrap();
    let _ = stop.send(());
    server.wait().await.unwrap();
}

#[test]
fn simulate_serve_prints_a_signed_link_that_alone_opens_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["simulate", "--quiet", "--serve", "127.0.0.1:0", "--out"])
        .arg(&out)
        .env("QUARTERDECK_DASHBOARD_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let guard = KillOnDrop(&mut child);
    let mut lines = BufReader::new(guard.0.stdout.take().unwrap()).lines();
    let line = lines.next().expect("a line on stdout").unwrap();
    let url = line
        .strip_prefix("dashboard: ")
        .unwrap_or_else(|| panic!("expected `dashboard: URL`, got {line:?}"))
        .to_owned();
    let summary = crate::helpers::summary(&out);
    let approved = summary["approved_version"].as_u64().unwrap();
    let hash = summary["plan_versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == approved)
        .unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let plan_md = std::fs::read_to_string(out.join("plan/plan.md")).unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let r = reqwest::get(&url).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let body = r.text().await.unwrap();
        assert!(body.contains(&hash[..12]), "no approved hash");
        let total = body
            .split(r#"id="total-budget">"#)
            .nth(1)
            .and_then(|t| t.split('<').next())
            .expect("the total budget on the page")
            .to_owned();
        assert!(plan_md.contains(&total), "the plan does not write {total}");
        // The aligned share is the one summary.json's success criteria state.
        let aligned = summary["success_criteria"]["aligned_share"]
            .as_f64()
            .unwrap();
        let shown = format!("Aligned share: <strong>{:.0}%</strong>", aligned * 100.0);
        assert!(body.contains(&shown), "{shown} missing");
        // So is whether the plan was approved by the deadline.
        let by_deadline = summary["success_criteria"]["approved_by_deadline"]
            .as_bool()
            .unwrap();
        let shown = format!(
            "Plan approved by the deadline: <strong>{}</strong>",
            if by_deadline { "yes" } else { "no" }
        );
        assert!(body.contains(&shown), "{shown} missing");
        // Statuses read as words, not identifiers.
        assert!(
            body.contains(">completed</dd>"),
            "the run's status in words"
        );
        assert!(
            !body.contains(">in_review<") && !body.contains(">on_track<"),
            "a raw status on the page"
        );
        // And the month-1 launches on schedule (the simulation has one launch late).
        let criteria = &summary["success_criteria"];
        let (on_time, planned) = (
            criteria["month1_launched_on_schedule"].as_u64().unwrap(),
            criteria["month1_launches"].as_u64().unwrap(),
        );
        assert!(on_time < planned, "the simulation's late launch is missing");
        let shown =
            format!("Month-1 launches on schedule: <strong>{on_time} of {planned}</strong>");
        assert!(body.contains(&shown), "{shown} missing");
        // Valid for at least an hour.
        let expires: i64 = url
            .split("token=")
            .nth(1)
            .and_then(|t| t.split('.').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(expires >= Utc::now().timestamp() + 3600 - 60);
        let base = url.split('?').next().unwrap();
        let key = LinkKey::from_text(KEY).unwrap();
        let (team, quarter) = summary["run_id"].as_str().unwrap().split_once('/').unwrap();
        let expired = format!(
            "{base}?token={}",
            key.sign(team, quarter, Utc::now() - Duration::minutes(1))
        );
        let mut forged = url.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        for (what, u) in [
            ("missing", base.to_owned()),
            ("expired", expired),
            ("forged", forged),
        ] {
            let r = reqwest::get(&u).await.unwrap();
            assert_eq!(r.status().as_u16(), 403, "{what}");
            let body = r.text().await.unwrap();
            assert!(
                !body.contains(&hash[..12]) && !body.contains(&total),
                "{what}"
            );
        }
    });
    // Nothing else on stdout while it serves.
    drop(guard);
    assert!(
        lines
            .next()
            .is_none_or(|l| l.is_err() || l.unwrap().is_empty())
    );
}

struct KillOnDrop<'a>(&'a mut Child);

impl Drop for KillOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The dashboard on PostgreSQL (no browser needed): the page shows the stored figures,
/// the event stream announces an approval applied through the engine within a second,
/// the approver and the month-1 launch count appear on the page, and rotating the key
/// stored in the database revokes the links signed with the old one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_the_dashboard_shows_stored_figures_streams_an_approval_and_revokes_on_rotation()
 {
    use futures_util::StreamExt;

    let db = PgDb::new().await;
    let p = planned_quarter_on(Some(&db.url)).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = quarterdeck_dashboard::start(
        p.store.clone(),
        &Options {
            listen: "127.0.0.1:0".parse().unwrap(),
            public_url: None,
            key: None,
        },
        async move {
            let _ = stopped.await;
        },
    )
    .await
    .unwrap();
    let link = server.link_for(&p.team, &p.quarter, 1).await.unwrap();
    let run = p.store.load_run(&p.run_id).await.unwrap().unwrap().run;
    let plan = run.latest_plan().unwrap().clone();
    let budget = p.stored_budget().await;
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains(short_hash(&plan.hash)), "hash missing");
    assert!(body.contains(&money(budget.total)), "total missing");
    assert!(
        body.contains("Month-1 launches: not yet (no approved plan)"),
        "month-1 launches before approval"
    );

    // The event stream: its first event is the current state; an approval applied
    // through the engine sends the next one.
    let (base, query) = link.split_once('?').unwrap();
    let mut events = reqwest::get(format!("{base}/events?{query}"))
        .await
        .unwrap()
        .bytes_stream();
    let mut seen = String::new();
    let mut next_event = async || loop {
        let chunk = tokio::time::timeout(StdDuration::from_secs(5), events.next())
            .await
            .expect("no server-sent event within 5 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(end) = seen.find("\n\n") {
            let event: String = seen.drain(..end + 2).collect();
            if event.contains("event: version") {
                return event;
            }
        }
    };
    let first = next_event().await;
    let approver = "Dana Approver";
    p.approve(approver, plan.version).await;
    let applied = Instant::now();
    let second = next_event().await;
    assert!(applied.elapsed() < StdDuration::from_secs(1), "event late");
    assert_ne!(first, second, "the stream repeated the same version");
    let body = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(body.contains(approver), "the approval is not on the page");

    // Rotation revokes: the old link is refused without figures, a new one opens.
    quarterdeck_dashboard::rotate_key(&p.store).await.unwrap();
    let refused = reqwest::get(&link).await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(
        !refused
            .text()
            .await
            .unwrap()
            .contains(short_hash(&plan.hash))
    );
    let fresh = server.link_for(&p.team, &p.quarter, 1).await.unwrap();
    assert_eq!(reqwest::get(&fresh).await.unwrap().status().as_u16(), 200);
    drop(events);
    let _ = stop.send(());
    server.wait().await.unwrap();
    drop(p);
    db.drop_db().await;
}
