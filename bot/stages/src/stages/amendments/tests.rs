//! Each amendment kind changes exactly the figures it should, worked by hand on a
//! two-channel budget: total 1,000.00, reserve 120.00, paid_social 400.00, search 480.00.

use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::{Actor, QuarterRun};
use crate::stages::handoff::{ChannelBudget, HeldBack, PlannedCampaign};

fn by(kind: AmendmentKind) -> Amendment {
    Amendment {
        kind,
        by: Actor::new("u-sam", "Sam", &["sales"]),
        group: "sales".into(),
        on_version: 1,
        at: Utc.with_ymd_and_hms(2027, 1, 12, 15, 0, 0).unwrap(),
        note: None,
    }
}

fn channel(name: &str, spend: f64) -> ChannelBudget {
    ChannelBudget {
        channel: name.into(),
        spend,
        last_quarter_spend: spend,
        expected_revenue: spend * 3.0,
        marginal_roi: 1.0,
        rationale: String::new(),
        ..ChannelBudget::default()
    }
}

fn budget() -> BudgetHandoff {
    BudgetHandoff {
        total: 1000.0,
        reserve: 120.0,
        allocatable: 880.0,
        channels: vec![channel("paid_social", 400.0), channel("search", 480.0)],
        expected_revenue: 2640.0,
        total_basis: "fixed".into(),
        ..BudgetHandoff::default()
    }
}

/// Revenue = 2 × spend, so a changed channel's revenue is easy to check by hand.
fn spend(h: &BudgetHandoff, ch: &str) -> f64 {
    h.channels.iter().find(|c| c.channel == ch).unwrap().spend
}

#[test]
fn hold_back_never_takes_a_channel_below_the_money_already_booked_into_it() {
    let mut h = budget();
    h.channels[0].booked = 390.0;

    let lines = amend_budget(
        &mut h,
        &[by(AmendmentKind::HoldBack {
            channel: "paid_social".into(),
            share: 0.05,
        })],
    );

    // 5% of 400.00 is 20.00, but 390.00 is booked: only 10.00 is held back.
    assert_eq!(spend(&h, "paid_social"), 390.0);
    assert_eq!(h.reserve, 130.0);
    assert_eq!(h.allocatable, 870.0);
    // The line says it fell short, and why.
    assert!(
        lines[0].contains(
            "Paid Social $400.00 → $390.00; reserve $120.00 → $130.00 (held back $10.00 of \
             the $20.00 asked: $390.00 of Paid Social's $400.00 is already booked into the \
             quarter and stays with it)"
        ),
        "{lines:?}"
    );
}

#[test]
fn hold_back_on_a_fully_booked_channel_moves_nothing_and_says_why() {
    let mut h = budget();
    h.channels[0].booked = 400.0;

    let lines = amend_budget(
        &mut h,
        &[by(AmendmentKind::HoldBack {
            channel: "paid_social".into(),
            share: 0.05,
        })],
    );

    assert_eq!((spend(&h, "paid_social"), h.reserve), (400.0, 120.0));
    assert!(h.held_back.is_empty(), "nothing held, no risk");
    assert!(
        lines[0].ends_with(
            ": nothing moved (none of the $20.00 asked could be held back: $400.00 of Paid \
             Social's $400.00 is already booked into the quarter and stays with it)"
        ),
        "{lines:?}"
    );
}

#[test]
fn hold_back_moves_the_share_of_one_channel_into_the_reserve_and_nothing_else() {
    let mut h = budget();

    let lines = amend_budget(
        &mut h,
        &[by(AmendmentKind::HoldBack {
            channel: "paid_social".into(),
            share: 0.05,
        })],
    );

    // 5% of 400.00 = 20.00: paid_social 380.00, reserve 140.00, search untouched.
    assert_eq!(spend(&h, "paid_social"), 380.0);
    assert_eq!(spend(&h, "search"), 480.0);
    assert_eq!(h.reserve, 140.0);
    assert_eq!(h.allocatable, 860.0);
    assert_eq!(h.total, 1000.0);
    // Recorded for stage 10's risk; stage 6 prices what releasing it would bring.
    assert_eq!(
        h.held_back,
        [HeldBack {
            channel: "paid_social".into(),
            share: 0.05,
            amount: 20.0,
            revenue_if_released: 0.0,
            by: "Sam".into(),
            group: "sales".into(),
        }]
    );
    assert!(
        lines[0].contains("Paid Social $400.00 → $380.00"),
        "{lines:?}"
    );
    assert!(lines[0].contains("reserve $120.00 → $140.00"), "{lines:?}");
}

#[test]
fn move_money_changes_two_channels_and_keeps_the_reserve() {
    let mut h = budget();

    amend_budget(
        &mut h,
        &[by(AmendmentKind::MoveMoney {
            from: "search".into(),
            to: "paid_social".into(),
            amount: 80.5,
        })],
    );

    assert_eq!(spend(&h, "search"), 399.5);
    assert_eq!(spend(&h, "paid_social"), 480.5);
    assert_eq!(h.reserve, 120.0);
    assert_eq!(h.allocatable, 880.0);
}

#[test]
fn set_channel_takes_the_difference_from_the_reserve() {
    let mut h = budget();

    amend_budget(
        &mut h,
        &[by(AmendmentKind::SetChannel {
            channel: "search".into(),
            amount: 500.0,
        })],
    );

    assert_eq!(spend(&h, "search"), 500.0);
    assert_eq!(spend(&h, "paid_social"), 400.0);
    assert_eq!(h.reserve, 100.0);
    assert_eq!(h.allocatable, 900.0);
}

#[test]
fn amendments_apply_in_order_on_top_of_each_other() {
    let mut h = budget();

    amend_budget(
        &mut h,
        &[
            by(AmendmentKind::HoldBack {
                channel: "paid_social".into(),
                share: 0.5,
            }),
            by(AmendmentKind::HoldBack {
                channel: "paid_social".into(),
                share: 0.5,
            }),
        ],
    );

    // 400 → 200 → 100; the reserve gains 200 + 100.
    assert_eq!(spend(&h, "paid_social"), 100.0);
    assert_eq!(h.reserve, 420.0);
}

#[test]
fn objective_amendments_rewrite_objectives_toml_and_nothing_else() {
    let mut run = QuarterRun::new("growth", "2027-Q1", &[]);
    run.amendments = vec![
        by(AmendmentKind::Target {
            metric: "mqls".into(),
            value: 1500.0,
        }),
        by(AmendmentKind::Total { amount: 900000.0 }),
        by(AmendmentKind::ReserveShare { share: 0.2 }),
        by(AmendmentKind::HoldBack {
            channel: "search".into(),
            share: 0.1,
        }),
    ];
    let mut data = crate::sources::DataSet::default();
    data.insert(
        "objectives.toml",
        "team/objectives.toml".into(),
        b"revenue_target = 100\nmql_target = 900\ngrowth_factor = 1.1\n".to_vec(),
    );
    let inputs = StageInputs {
        run,
        tz: chrono_tz::UTC,
        quarter_start: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        review_start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        checkins: Vec::new(),
        data,
        outputs: Default::default(),
        names: Default::default(),
    };

    let amended = amend_inputs(&inputs).unwrap().unwrap();

    let o = crate::sources::Objectives::read(&amended.data)
        .unwrap()
        .unwrap();
    assert_eq!(o.mql_target, Some(1500.0));
    assert_eq!(o.revenue_target, Some(100.0), "untouched");
    assert_eq!(o.total_budget, Some(900000.0));
    assert_eq!(o.reserve_share, 0.2);
    assert!(o.allow_reserve_outside_range);
}

#[test]
fn without_objective_amendments_the_inputs_are_used_as_they_are() {
    let mut run = QuarterRun::new("growth", "2027-Q1", &[]);
    run.amendments = vec![by(AmendmentKind::HoldBack {
        channel: "search".into(),
        share: 0.1,
    })];
    let inputs = StageInputs {
        run,
        tz: chrono_tz::UTC,
        quarter_start: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        review_start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        checkins: Vec::new(),
        data: crate::sources::DataSet::default(),
        outputs: Default::default(),
        names: Default::default(),
    };

    assert!(amend_inputs(&inputs).unwrap().is_none());
}

fn campaign(name: &str, start: (u32, u32), end: (u32, u32)) -> PlannedCampaign {
    PlannedCampaign {
        name: name.into(),
        channel: "search".into(),
        start: NaiveDate::from_ymd_opt(2027, start.0, start.1).unwrap(),
        end: NaiveDate::from_ymd_opt(2027, end.0, end.1).unwrap(),
        budget: 100.0,
        owner: "Avery".into(),
        objective: String::new(),
        success_metrics: Vec::new(),
        kind: "flight".into(),
        expected_revenue: 0.0,
    }
}

#[test]
fn moving_a_campaign_keeps_its_length_within_the_quarter_and_reowning_changes_only_the_owner() {
    let mut h = CalendarHandoff {
        campaigns: vec![
            campaign("Spring launch", (1, 4), (1, 31)),
            campaign("Webinars", (2, 1), (3, 31)),
        ],
        tests: Vec::new(),
        workload: Vec::new(),
        over_committed: Vec::new(),
    };
    let last = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();

    amend_calendar(
        &mut h,
        &[
            by(AmendmentKind::MoveCampaign {
                campaign: "Spring launch".into(),
                start: NaiveDate::from_ymd_opt(2027, 1, 18).unwrap(),
            }),
            by(AmendmentKind::MoveCampaign {
                campaign: "Webinars".into(),
                start: NaiveDate::from_ymd_opt(2027, 2, 15).unwrap(),
            }),
            by(AmendmentKind::ReownCampaign {
                campaign: "Webinars".into(),
                owner: "Jordan".into(),
                owner_id: None,
            }),
        ],
        last,
    );

    // 4–31 Jan is 27 days after the start: 18 Jan + 27 = 14 Feb.
    assert_eq!(h.campaigns[0].start.to_string(), "2027-01-18");
    assert_eq!(h.campaigns[0].end.to_string(), "2027-02-14");
    assert_eq!(h.campaigns[0].owner, "Avery");
    assert_eq!(h.campaigns[1].end, last, "clipped to the quarter");
    assert_eq!(h.campaigns[1].owner, "Jordan");
    assert_eq!(h.campaigns[1].budget, 100.0);
}

#[test]
fn the_digest_ignores_sub_cent_noise_and_changes_with_any_figure() {
    let f = PlanFigures {
        total: 1000.0,
        reserve: 120.0,
        budget_by_channel: [("search".to_owned(), 880.0)].into(),
        ..PlanFigures::default()
    };
    let mut noise = f.clone();
    noise.reserve = 120.001;
    let mut moved = f.clone();
    moved.reserve = 121.0;

    assert_eq!(digest(&f), digest(&noise));
    assert_ne!(digest(&f), digest(&moved));
}
