//! The whole simulated quarter through the library entry point, on both databases.

use std::collections::HashSet;

use quarterdeck::simulate::{SimulateOptions, simulate};
use serde_json::Value;

use crate::helpers::{PgDb, settings, summary, transcript};

fn opts(out: &std::path::Path, database: Option<String>) -> SimulateOptions {
    SimulateOptions {
        out: out.to_owned(),
        data: None,
        seed: Some(7),
        database,
        team: None,
        progress: false,
    }
}

/// What a user checks in the outputs of a completed quarter.
fn assert_complete_quarter(out: &std::path::Path) {
    let s = summary(out);
    let posts = transcript(out);

    assert_eq!(s["status"], "completed");
    assert_eq!(s["quarter"], "2027-Q1");
    let stages = s["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 12);
    assert!(stages.iter().all(|st| st["status"] == "done"), "{stages:?}");
    // The change request produced v2, and v2 is what everyone approved.
    let versions: Vec<u64> = s["plan_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(s["approved_version"], 2);
    let approvals = s["approvals"].as_array().unwrap();
    assert!(
        approvals
            .iter()
            .any(|a| a["decision"] == "request_changes" && a["version"] == 1)
    );
    let v2_groups: HashSet<&str> = approvals
        .iter()
        .filter(|a| a["version"] == 2 && a["decision"] == "approve")
        .map(|a| a["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        v2_groups,
        HashSet::from(["marketing", "sales", "finance", "executive"])
    );
    // Owners checked in every week; the configured one missed, two were late.
    let checkins = s["checkins"].as_array().unwrap();
    assert!(!checkins.is_empty());
    assert_eq!(
        checkins.iter().filter(|c| c["status"] == "missed").count(),
        1
    );
    assert_eq!(checkins.iter().filter(|c| c["late"] == true).count(), 2);
    // Every post once, in time order, and the summary counts them.
    let keys: HashSet<&str> = posts.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys.len(), posts.len());
    assert_eq!(s["posts"].as_u64().unwrap() as usize, posts.len());
    assert!(posts.windows(2).all(|w| w[0].at <= w[1].at));
    // The approved plan is on disk and is the version whose hash the summary names.
    let md = std::fs::read_to_string(out.join("plan/plan.md")).unwrap();
    assert!(md.contains("Version 2"));
    assert!(
        std::fs::read_to_string(out.join("plan/plan.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    assert!(out.join("transcript.md").is_file());
    // Stages 1 and 2 attach their charts; each is a PNG beside the transcript, through
    // the database's attachment store (both backends) and the outbox.
    for (stage, charts) in [
        ("s01", &["roas-by-channel.png", "model-comparison.png"][..]),
        ("s02", &["funnel.png"][..]),
    ] {
        let post = posts
            .iter()
            .find(|p| p.key.contains(&format!("/{stage}/result/")))
            .unwrap();
        assert_eq!(post.attachments, charts, "{stage}");
        for name in charts {
            let file = out
                .join(quarterdeck::chat::attachments_dir(&post.key))
                .join(name);
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
                "{}",
                file.display()
            );
        }
    }
}

#[tokio::test]
async fn a_whole_quarter_completes_on_sqlite_with_one_reapproval() {
    let dir = tempfile::tempdir().unwrap();

    let report = simulate(&settings(&[]), &opts(dir.path(), None))
        .await
        .unwrap();

    assert!(!report.already_complete);
    assert_complete_quarter(dir.path());
}

#[tokio::test]
async fn a_whole_quarter_completes_on_postgres_with_the_same_posts_as_on_sqlite() {
    let pg = PgDb::new().await;
    let on_pg = tempfile::tempdir().unwrap();
    let on_sqlite = tempfile::tempdir().unwrap();

    simulate(&settings(&[]), &opts(on_pg.path(), Some(pg.url.clone())))
        .await
        .unwrap();
    simulate(&settings(&[]), &opts(on_sqlite.path(), None))
        .await
        .unwrap();

    assert_complete_quarter(on_pg.path());
    assert_eq!(transcript(on_pg.path()), transcript(on_sqlite.path()));
    pg.drop_db().await;
}

#[tokio::test]
async fn the_same_seed_gives_the_same_posts_at_the_same_virtual_times() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();

    simulate(&settings(&[]), &opts(a.path(), None))
        .await
        .unwrap();
    simulate(&settings(&[]), &opts(b.path(), None))
        .await
        .unwrap();

    assert_eq!(transcript(a.path()), transcript(b.path()));
    assert_eq!(
        std::fs::read(a.path().join("plan/plan.md")).unwrap(),
        std::fs::read(b.path().join("plan/plan.md")).unwrap()
    );
}

#[tokio::test]
async fn running_again_on_a_completed_quarter_changes_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    simulate(&settings(&[]), &opts(dir.path(), None))
        .await
        .unwrap();
    let before = std::fs::read(dir.path().join("transcript.jsonl")).unwrap();
    let summary_before = std::fs::read(dir.path().join("summary.json")).unwrap();

    let report = simulate(&settings(&[]), &opts(dir.path(), None))
        .await
        .unwrap();

    assert!(report.already_complete);
    assert_eq!(
        std::fs::read(dir.path().join("transcript.jsonl")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(dir.path().join("summary.json")).unwrap(),
        summary_before
    );
}

#[tokio::test]
async fn without_a_change_request_plan_v1_is_approved_directly() {
    let dir = tempfile::tempdir().unwrap();

    simulate(
        &settings(&[("QUARTERDECK_SIMULATION__CHANGE_REQUEST", "false")]),
        &opts(dir.path(), None),
    )
    .await
    .unwrap();

    let s = summary(dir.path());
    assert_eq!(s["approved_version"], 1);
    assert_eq!(s["plan_versions"].as_array().unwrap().len(), 1);
    assert!(
        s["approvals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["decision"] == "approve")
    );
}

#[tokio::test]
async fn stages_without_a_built_analysis_say_so_instead_of_inventing_numbers() {
    let dir = tempfile::tempdir().unwrap();

    simulate(&settings(&[]), &opts(dir.path(), None))
        .await
        .unwrap();

    let s = summary(dir.path());
    let posts = transcript(dir.path());
    for st in s["stages"].as_array().unwrap() {
        if st["available"] == Value::Bool(false) {
            let n = st["number"].as_u64().unwrap();
            let post = posts
                .iter()
                .find(|p| p.key.ends_with(&format!("/s{n:02}/result/v1")))
                .unwrap();
            assert!(post.title.contains("not available"), "{}", post.title);
            assert!(
                !post.text.contains('%'),
                "an unavailable stage printed a rate: {}",
                post.text
            );
        }
    }
}

#[tokio::test]
async fn the_budget_and_campaign_calendar_are_posted_with_the_money_carried_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();

    simulate(&settings(&[]), &opts(dir.path(), None))
        .await
        .unwrap();

    let s = summary(dir.path());
    for n in [6, 8] {
        let st = s["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|st| st["number"] == n)
            .unwrap();
        assert_eq!(st["available"], Value::Bool(true), "stage {n}");
    }
    let store = quarterdeck::store::Store::connect(
        &format!("sqlite://{}", dir.path().join("quarterdeck.db").display()),
        1,
    )
    .await
    .unwrap();
    let findings: std::collections::BTreeMap<i64, Value> = store
        .latest_outputs("growth/2027-Q1")
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.stage, serde_json::from_str(&o.findings).unwrap()))
        .collect();
    let cents = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as i64;
    // The team's objectives.toml states the total and the reserve share.
    let objectives: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.path().join("data/objectives.toml")).unwrap())
            .unwrap();
    let total = objectives["total_budget"].as_integer().unwrap() * 100;
    let budget = &findings[&6]["handoff"];
    assert_eq!(cents(&budget["total"]), total);
    let reserve = cents(&budget["reserve"]);
    assert!(
        reserve * 100 >= total * 10 && reserve * 100 <= total * 15,
        "{reserve}"
    );
    let allocatable = cents(&budget["allocatable"]);
    assert_eq!(allocatable + reserve, total);
    let channels = budget["channels"].as_array().unwrap();
    assert_eq!(
        channels.iter().map(|c| cents(&c["spend"])).sum::<i64>(),
        allocatable
    );
    // Stage 8's campaigns carry every channel's money to the cent; tests fit the reserve.
    let calendar = &findings[&8]["handoff"];
    for ch in channels {
        let carried: i64 = calendar["campaigns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["channel"] == ch["channel"])
            .map(|c| cents(&c["budget"]))
            .sum();
        assert_eq!(carried, cents(&ch["spend"]), "{}", ch["channel"]);
    }
    let tests = calendar["tests"].as_array().unwrap();
    assert!(tests.iter().map(|t| cents(&t["budget"])).sum::<i64>() <= reserve);

    // The post attaches the calendar; it parses, one event per campaign and funded test.
    let posts = transcript(dir.path());
    let post = posts
        .iter()
        .find(|p| p.key.contains("/s08/result/"))
        .unwrap();
    assert_eq!(
        post.attachments,
        ["budget-by-month.png", "campaign-calendar.ics"]
    );
    let ics = std::fs::read_to_string(
        dir.path()
            .join(quarterdeck::chat::attachments_dir(&post.key))
            .join("campaign-calendar.ics"),
    )
    .unwrap();
    let lines = quarterdeck::ics::unfold(&ics);
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    let events = lines.iter().filter(|l| *l == "BEGIN:VEVENT").count();
    let funded = tests.iter().filter(|t| t["funded"] == true).count();
    assert_eq!(
        events,
        calendar["campaigns"].as_array().unwrap().len() + funded
    );
    let six = posts
        .iter()
        .find(|p| p.key.contains("/s06/result/"))
        .unwrap();
    assert_eq!(
        six.attachments,
        ["budget-by-channel.png", "marginal-roi.png"]
    );
    assert!(
        six.text.contains("Last quarter's mix, scaled"),
        "{}",
        six.text
    );
}
