//! Bench binary (`cargo bench --bench people`): an amendment → plan v(N+1) on the sample
//! (target < 1 s: the engine records the amendment, stages 6–10 compute again and v2's
//! approval request is committed to the outbox), and the weekly check-in digest of a
//! plan with 200 campaigns (target < 50 ms to compute and render). Prints figures;
//! asserts nothing, so it never flakes in CI.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quarterdeck::clock::ManualClock;
use quarterdeck::config;
use quarterdeck::domain::{
    Actor, AmendmentKind, CampaignFigures, CheckinEntry, CheckinNumbers, CheckinStatus,
    CheckinWeek, MonthMilestone, PlanFigures, PlanVersion, QuarterRun, RunStatus,
};
use quarterdeck::engine::{Engine, Event, PlanContext, weekly_digest};
use quarterdeck::sample::{SampleSpec, generate};
use quarterdeck::store::Store;
use quarterdeck::timeline;

#[tokio::main]
async fn main() {
    let settings = config::load(None, Vec::new()).expect("default settings");
    amendment_to_next_version(&settings).await;
    digest_for_200_campaigns(&settings);
}

async fn amendment_to_next_version(settings: &config::Settings) {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let data = dir.path().join("data");
    generate(&SampleSpec {
        seed: 42,
        prior_start: d("2026-10-01"),
        prior_end: d("2026-12-31"),
        next_start: d("2027-01-01"),
        next_end: d("2027-03-31"),
    })
    .write_to(&data)
    .unwrap();
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
    clock.advance_to(ctx.stage_due[10]);
    engine.run_due().await.unwrap();
    let run = engine.store().load_run(&run_id).await.unwrap().unwrap().run;
    assert_eq!(run.status, RunStatus::AwaitingApproval);

    let sales = ctx
        .stakeholders
        .iter()
        .find(|g| g.group == "sales")
        .unwrap();
    let event = Event::Amend {
        actor: Actor::new("u-sales", "Sam", &[sales.role_ids[0].as_str()]),
        group: "sales".into(),
        version: 1,
        amendment: AmendmentKind::HoldBack {
            channel: "paid_social".into(),
            share: 0.05,
        },
        note: None,
    };
    let t = Instant::now();
    engine.handle(&run_id, event).await.unwrap();
    engine.run_due().await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    let run = engine.store().load_run(&run_id).await.unwrap().unwrap().run;
    assert_eq!(run.plan_versions.len(), 2, "v2 was made");
    println!(
        "amendment → plan v2 on the sample (stages 6-10 recomputed, v2's request in the outbox): {:.0} ms",
        secs * 1e3
    );
}

fn digest_for_200_campaigns(settings: &config::Settings) {
    let team = &settings.teams[0];
    let tl = timeline::build(&team.timeline).unwrap();
    let ctx = PlanContext::new(&team.into(), &tl);
    let start = ctx.quarter_start;
    let campaigns: Vec<CampaignFigures> = (0..200)
        .map(|i| CampaignFigures {
            name: format!("Campaign {i:03}"),
            channel: format!("channel-{}", i % 7),
            budget: 10_000.0 + f64::from(i) * 37.0,
            start: start + Duration::days(i64::from(i % 30)),
            end: start + Duration::days(60 + i64::from(i % 29)),
            owner: format!("Owner {}", i % 40),
            booked: false,
        })
        .collect();
    let figures = PlanFigures {
        campaigns: campaigns.clone(),
        milestones: ["2027-01", "2027-02", "2027-03"]
            .iter()
            .map(|m| MonthMilestone {
                month: (*m).into(),
                mqls: 400.0,
                pipeline: 4e6,
            })
            .collect(),
        ..PlanFigures::default()
    };
    let mut run = QuarterRun::new(&ctx.team, &ctx.quarter, &ctx.stage_due);
    run.plan_versions.push(PlanVersion {
        version: 1,
        hash: "h".into(),
        created_at: ctx.stage_due[9],
        reason: "bench".into(),
        figures: Some(figures),
        amendments: Vec::new(),
    });
    run.approved_version = Some(1);
    run.status = RunStatus::Executing;
    for (week, at) in (1u32..).zip(&ctx.checkins) {
        run.checkins.push(CheckinWeek {
            week,
            due_at: *at,
            open: false,
            opened: Vec::new(),
            holiday: false,
            digest_edits: 0,
            entries: campaigns
                .iter()
                .enumerate()
                .map(|(i, c)| CheckinEntry {
                    campaign: c.name.clone(),
                    owner: c.owner.clone(),
                    owner_id: None,
                    status: CheckinStatus::OnTrack,
                    answered_at: Some(*at),
                    late: false,
                    note: None,
                    numbers: Some(CheckinNumbers {
                        spend_to_date: 1000.0 * f64::from(week) * (0.5 + (i % 10) as f64 / 10.0),
                        leads: 30.0,
                        mqls: 10.0,
                        pipeline: 50_000.0,
                        blockers: if i % 9 == 0 {
                            vec!["waiting on legal".into()]
                        } else {
                            Vec::new()
                        },
                    }),
                    excused: false,
                    zone: None,
                    prompted_at: None,
                    closed: false,
                })
                .collect(),
        });
    }
    let last = u32::try_from(ctx.checkins.len()).unwrap();
    let runs = 50;
    let t = Instant::now();
    let mut chars = 0;
    for _ in 0..runs {
        let msg = weekly_digest(&run, &ctx, last);
        chars += serde_json::to_string(&msg).unwrap().len();
    }
    let ms = t.elapsed().as_secs_f64() * 1e3 / f64::from(runs);
    println!(
        "weekly digest, 200 campaigns × {last} weeks: {ms:.2} ms to compute and render ({} chars)",
        chars / runs as usize
    );
}
