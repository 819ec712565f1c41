//! A synthetic team quarter stored through the real store, for the render benchmark and
//! the crate's own tests: a run with its twelve stages, two plan versions, approvals,
//! check-ins, and the handoffs of stages 6–8 and 10 with `campaigns` campaigns.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use quarterdeck_domain::{CheckinStatus, QuarterRun, RunStatus, StageStatus, Verdict};
use quarterdeck_store::{Commit, NewAudit, PlanDocRow, StageOutputRow, Store, StoreError};
use serde_json::json;

pub const TEAM: &str = "growth";
pub const QUARTER: &str = "2027-Q1";
pub const RUN_ID: &str = "growth/2027-Q1";
/// The budget's channels and their allocations; the reserve is the rest of [`TOTAL`].
pub const CHANNELS: [(&str, f64); 4] = [
    ("paid_search", 120_000.0),
    ("paid_social", 80_000.0),
    ("display", 40_000.0),
    ("email", 20_000.0),
];
pub const RESERVE: f64 = 26_000.0;
pub const TOTAL: f64 = 286_000.0;
pub const HASH_V2: &str = "9f2c1e7a4b3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
}

fn from<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("synthetic run parts")
}

/// The run as the engine would have left it after approval and two check-in weeks.
pub fn run() -> QuarterRun {
    let due: Vec<DateTime<Utc>> = (0..12u32).map(|i| t(1 + i * 2, 14)).collect();
    let mut run = QuarterRun::new(TEAM, QUARTER, &due);
    run.status = RunStatus::Executing;
    for st in &mut run.stages {
        st.status = StageStatus::Done;
        st.completed_at = Some(st.due_at - Duration::hours(1));
        st.available = true;
        st.output_version = 1;
    }
    // Built from JSON, as the store reads it, so fields other areas add with a default
    // need no change here.
    run.plan_versions = from(json!([
        {"version": 1, "hash": "1111111111111111aaaaaaaaaaaaaaaa1111111111111111aaaaaaaaaaaaaaaa",
         "created_at": t(19, 10), "reason": "first draft"},
        {"version": 2, "hash": HASH_V2, "created_at": t(20, 10),
         "reason": "finance: hold back 5% of paid_social for tests"},
    ]));
    let who = json!({"id": "u1", "name": "Fran Finance", "roles": ["r-finance"]});
    run.approvals = from(json!([
        {"group": "finance", "actor": who, "verdict": Verdict::RequestChanges, "version": 1,
         "at": t(19, 15), "note": "hold back 5%"},
        {"group": "finance", "actor": who, "verdict": Verdict::Approve, "version": 2,
         "at": t(21, 9), "note": null},
    ]));
    run.approved_version = Some(2);
    let entry = |campaign: &str, status: CheckinStatus, note: Option<&str>| {
        json!({"campaign": campaign, "owner": "Olu Owner", "status": status,
               "answered_at": (status != CheckinStatus::Missed).then(|| t(28, 12)),
               "late": false, "note": note})
    };
    run.checkins = from(json!([{
        "week": 1, "due_at": t(28, 9), "open": false,
        "entries": [
            entry("Campaign 001", CheckinStatus::OnTrack, None),
            entry("Campaign 002", CheckinStatus::AtRisk, Some("creative approval slipped")),
            entry("Campaign 003", CheckinStatus::Missed, None),
        ],
    }]));
    run
}

/// Findings of stages 6, 7, 8 and 10 as the stages store them (handoff under `handoff`).
pub fn outputs(campaigns: usize) -> Vec<StageOutputRow> {
    let day = |d: i64| NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + Duration::days(d);
    let channels: Vec<_> = CHANNELS
        .iter()
        .map(|(c, s)| {
            json!({"channel": c, "spend": s, "last_quarter_spend": s * 0.9,
            "expected_revenue": s * 3.0, "marginal_roi": 1.4, "rationale": "curve"})
        })
        .collect();
    let budget = json!({"handoff": {"total": TOTAL, "reserve": RESERVE, "allocatable": TOTAL - RESERVE,
        "channels": channels, "expected_revenue": 780_000.0, "total_basis": "fixed in objectives.toml"}});
    let goals = json!({"handoff": {
        "targets": [{"metric": "revenue", "value": 900_000.0, "basis": "objectives"},
                    {"metric": "mqls", "value": 1500.0, "basis": "funnel"}],
        "milestones": [
            {"month": "2027-01", "revenue": 250_000.0, "pipeline": 700_000.0, "sqls": 120.0, "mqls": 450.0},
            {"month": "2027-02", "revenue": 300_000.0, "pipeline": 800_000.0, "sqls": 140.0, "mqls": 500.0},
            {"month": "2027-03", "revenue": 350_000.0, "pipeline": 900_000.0, "sqls": 160.0, "mqls": 550.0}],
        "channel_targets": [], "kpis": []}});
    let per = (TOTAL - RESERVE) / campaigns.max(1) as f64;
    let list: Vec<_> = (0..campaigns)
        .map(|i| {
            let (ch, _) = CHANNELS[i % CHANNELS.len()];
            let start = day((i as i64 * 7) % 80);
            json!({"name": format!("Campaign {:03}", i + 1), "channel": ch, "start": start,
                "end": start + Duration::days(10), "budget": per, "owner": "Olu Owner",
                "objective": "mqls", "success_metrics": ["MQLs"], "kind": "flight"})
        })
        .collect();
    let calendar = json!({"handoff": {"campaigns": list, "tests": [
        {"name": "Landing page A/B", "channel": "paid_search", "hypothesis": "shorter form",
         "metric": "conversion rate", "baseline": 0.05, "minimum_detectable_effect": 0.01,
         "sample_size_per_arm": 8000, "start": day(7), "end": day(40), "budget": 12_000.0,
         "owner": "Tess", "weeks": 5, "funded": true, "fits_quarter": true}],
        "workload": []}});
    let plan = json!({"stage": 10, "version": 2, "hash": HASH_V2, "risks": [
        {"severity": "high", "title": "Paid search concentration", "evidence": "46% of spend",
         "mitigation": "cap at 40%"}]});
    [(6, budget), (7, goals), (8, calendar), (10, plan)]
        .into_iter()
        .map(|(stage, findings)| StageOutputRow {
            stage,
            version: 1,
            available: true,
            findings: findings.to_string(),
        })
        .collect()
}

/// Stores the synthetic quarter; returns the run id.
pub async fn seed(store: &Store, campaigns: usize) -> Result<String, StoreError> {
    let run = run();
    let now = t(28, 13);
    store.create_run(&run, &[], now).await?;
    store
        .commit(Commit {
            run: &run,
            expected_version: 1,
            now,
            posts: Vec::new(),
            jobs: Vec::new(),
            audit: vec![NewAudit {
                actor_id: "u1".into(),
                actor_name: "Fran Finance".into(),
                roles: "r-finance".into(),
                action: "verdict".into(),
                outcome: "accepted".into(),
                // A note someone typed that a spreadsheet would run as a formula.
                detail: "=HYPERLINK(\"http://evil.example\",\"ok\")".into(),
                plan_version: Some(2),
                plan_hash: Some(HASH_V2.into()),
                message_link: None,
            }],
            outputs: outputs(campaigns),
            plan: Some(PlanDocRow {
                version: 2,
                hash: HASH_V2.into(),
                reason: "finance: hold back 5% of paid_social for tests".into(),
                markdown: "# Plan v2\n\nTotal budget: $286,000\n".into(),
                html: "<h1>Plan v2</h1><p>Total budget: $286,000</p>".into(),
            }),
            attachments: Vec::new(),
            finish: Vec::new(),
        })
        .await?;
    Ok(run.id)
}
