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
async fn stage_four_proposes_a_points_threshold_that_beats_the_current_score_out_of_time() {
    let dir = tempfile::tempdir().unwrap();

    simulate(&settings(&[]), &opts(dir.path(), None))
        .await
        .unwrap();

    let url = format!("sqlite://{}", dir.path().join("quarterdeck.db").display());
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let text: String = sqlx::query_scalar(
        "SELECT findings FROM stage_outputs WHERE stage = 4 ORDER BY version DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let f: Value = serde_json::from_str(&text).unwrap();
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("data/truth.json")).unwrap())
            .unwrap();
    let handoff: quarterdeck::stages::handoff::ScoringHandoff =
        serde_json::from_value(f["handoff"].clone()).unwrap();
    assert_eq!(f["available"], true);
    // The sample's objectives ask for 1,100 MQLs a quarter: 366.7 a month. Ties at the
    // threshold may add a few leads, never take any away.
    assert!(
        (366.6..385.0).contains(&handoff.expected_mqls_per_month),
        "{handoff:?}"
    );
    // Out of time, the refit ranks SQLs better than the current score (a noisy transform
    // of the generating model) on the same month's MQLs.
    let oot = &f["refit"]["out_of_time"];
    let refit_auc = oot["refit"]["auc"].as_f64().unwrap();
    let current_auc = oot["current"]["auc"].as_f64().unwrap();
    assert_eq!(handoff.out_of_time_auc, Some(refit_auc));
    assert!(refit_auc > current_auc, "{refit_auc} vs {current_auc}");
    // Every generating coefficient is positive, and any two that differ by a factor of two
    // or more in truth.json come out in the same order from the refit.
    let fitted: std::collections::BTreeMap<String, f64> = f["refit"]["proposal"]["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["feature"].as_str().unwrap().to_owned(),
                c["coef"].as_f64().unwrap(),
            )
        })
        .collect();
    let generating = truth["leads"]["mql_to_sql_model"]["coefficients"]
        .as_object()
        .unwrap();
    for (a, ta) in generating {
        assert!(fitted[a] > 0.0, "{a}: {}", fitted[a]);
        for (b, tb) in generating {
            if ta.as_f64().unwrap() >= 2.0 * tb.as_f64().unwrap() {
                assert!(
                    fitted[a] > fitted[b],
                    "{a} {} vs {b} {}",
                    fitted[a],
                    fitted[b]
                );
            }
        }
    }
    // The points follow the coefficients, and sales' verdicts were read.
    assert!(handoff.weights.iter().all(|w| w.points >= 0.0));
    assert!(f["sales_feedback"]["decisions"].as_u64().unwrap() > 0);
    let post = transcript(dir.path())
        .into_iter()
        .find(|p| p.key.contains("/s04/result/"))
        .unwrap();
    assert!(post.text.contains("out of time"), "{}", post.text);
    assert_eq!(post.attachments, ["lift-by-decile.png"]);
}
