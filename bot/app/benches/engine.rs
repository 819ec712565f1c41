//! Bench binary (`cargo bench --bench engine`): engine event throughput on a SQLite file
//! (target ≥ 5,000 events/s) and the wall time of the default simulated quarter
//! (target < 3 s). Prints figures; asserts nothing, so it never flakes in CI.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use quarterdeck::clock::ManualClock;
use quarterdeck::config;
use quarterdeck::domain::{Actor, CheckinStatus, Verdict};
use quarterdeck::engine::{Engine, Event};
use quarterdeck::sample::{SampleSpec, generate};
use quarterdeck::simulate::{SimulateOptions, simulate};
use quarterdeck::store::Store;
use quarterdeck::timeline;

const EVENTS: usize = 20_000;
const SUBMITTERS: usize = 8;

#[tokio::main]
async fn main() {
    let settings = config::load(None, Vec::new()).expect("default settings");
    event_throughput(&settings).await;
    simulated_quarter(&settings).await;
}

async fn event_throughput(settings: &config::Settings) {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let data = dir.path().join("data");
    let spec = SampleSpec {
        seed: 1,
        prior_start: d("2026-10-01"),
        prior_end: d("2026-12-31"),
        next_start: d("2027-01-01"),
        next_end: d("2027-03-31"),
    };
    generate(&spec).write_to(&data).unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::connect(&url, 4).await.unwrap();
    let start: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine::new(store, clock.clone(), &settings.scheduler, "bench");
    let team = &settings.teams[0];
    let tl = timeline::build(&team.timeline).unwrap();
    let run_id = engine
        .open_run(team, &tl, quarterdeck::sources::Catalog::data_dir(data))
        .await
        .unwrap();
    let ctx = engine.setup(&run_id).unwrap().ctx.clone();

    // Plan, approve, kick off, open week 1's check-in.
    clock.advance_to(ctx.stage_due[10]);
    engine.run_due().await.unwrap();
    for g in &ctx.stakeholders {
        let actor = Actor::new(
            format!("u-{}", g.group),
            g.label.clone(),
            &[g.role_ids[0].as_str()],
        );
        let e = Event::Verdict {
            actor,
            group: g.group.clone(),
            verdict: Verdict::Approve,
            version: 1,
            note: None,
        };
        engine.handle(&run_id, e).await.unwrap();
    }
    clock.advance_to(ctx.stage_due[11]);
    engine.run_due().await.unwrap();
    clock.advance_to(ctx.checkins[0]);
    engine.run_due().await.unwrap();
    let run = engine.store().load_run(&run_id).await.unwrap().unwrap().run;
    let roster = run.roster.clone();
    assert!(!roster.is_empty(), "the sample has live campaigns");

    let answer = |i: usize| {
        let r = &roster[i % roster.len()];
        let status = if i.is_multiple_of(3) {
            CheckinStatus::AtRisk
        } else {
            CheckinStatus::OnTrack
        };
        Event::CheckinAnswered {
            actor: Actor::new("o", r.owner.clone(), &[]),
            week: 1,
            campaign: r.campaign.clone(),
            status,
            note: None,
            numbers: None,
        }
    };

    // One person at a time: every event is its own transaction.
    let t = Instant::now();
    for i in 0..EVENTS {
        engine.handle(&run_id, answer(i)).await.unwrap();
    }
    report("one submitter", t.elapsed().as_secs_f64());

    // A burst from many people at once: events that queue up behind a commit share the next one.
    let t = Instant::now();
    let tasks: Vec<_> = (0..SUBMITTERS)
        .map(|k| {
            let (engine, run_id) = (engine.clone(), run_id.clone());
            let events: Vec<Event> = (0..EVENTS / SUBMITTERS)
                .map(|i| answer(k + i * SUBMITTERS))
                .collect();
            tokio::spawn(async move {
                for e in events {
                    engine.handle(&run_id, e).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    report(
        &format!("{SUBMITTERS} concurrent submitters"),
        t.elapsed().as_secs_f64(),
    );
}

fn report(how: &str, secs: f64) {
    println!(
        "engine events on a SQLite file, {how}: {EVENTS} events in {secs:.2} s = {:.0} events/s ({:.0} µs/event)",
        EVENTS as f64 / secs,
        secs * 1e6 / EVENTS as f64
    );
}

async fn simulated_quarter(settings: &config::Settings) {
    let mut times = Vec::new();
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let opts = SimulateOptions {
            out: dir.path().to_owned(),
            data: None,
            seed: None,
            database: None,
            team: None,
            progress: false,
        };
        let t = Instant::now();
        let report = simulate(settings, &opts).await.unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert!(report.posts > 0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "simulate, default quarter (sample generation included): median {:.3} s, min {:.3} s, max {:.3} s over 5 runs",
        times[2], times[0], times[4]
    );
}
