use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::stages::plan::ledger::{
    BudgetFigures, CampaignFigure, ChannelTargetFigure, ContentFigure, PlanFigures, TestFigure,
};

fn day(m: u32, d: u32) -> NaiveDate {
    let y = if m >= 10 { 2026 } else { 2027 };
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A plan that balances, worked by hand: total $100,000 = search $50,000 + email
/// $38,000 + reserve $12,000; the reserve funds one $4,000 test and keeps $8,000.
/// Search: a booked $10,000.50 and a new $39,999.50; email one new $38,000.
/// Targets: 100 MQLs (60 + 40 by month; 55 search, 25 email, 20 organic), 250 leads.
pub(super) fn balanced() -> PlanFigures {
    let campaign = |name: &str, channel: &str, budget: f64, start, booked| CampaignFigure {
        name: name.into(),
        channel: channel.into(),
        budget,
        start,
        end: day(3, 31),
        owner: "Avery Chen".into(),
        booked,
    };
    let month = |m: &str, revenue: f64, mqls: f64, leads: f64| {
        [
            ("month".to_owned(), json!(m)),
            ("revenue".to_owned(), json!(revenue)),
            ("mqls".to_owned(), json!(mqls)),
            ("leads".to_owned(), json!(leads)),
        ]
        .into_iter()
        .collect::<BTreeMap<_, _>>()
    };
    let target = |channel: &str, leads: f64, mqls: f64| ChannelTargetFigure {
        channel: channel.into(),
        owner: "Avery Chen".into(),
        leads,
        mqls,
    };
    PlanFigures {
        version: 1,
        hash: String::new(),
        quarter: "2027-Q1".into(),
        approved_at: None,
        budget: BudgetFigures {
            total: 100_000.0,
            reserve: 12_000.0,
            reserve_committed: 4_000.0,
            reserve_uncommitted: 8_000.0,
            by_channel: [("search".into(), 50_000.0), ("email".into(), 38_000.0)]
                .into_iter()
                .collect(),
            unallocated: 0.0,
        },
        campaigns: vec![
            campaign("Search booked", "search", 10_000.5, day(1, 1), true),
            campaign("Search new", "search", 39_999.5, day(1, 19), false),
            campaign("Email new", "email", 38_000.0, day(1, 19), false),
        ],
        tests: vec![
            TestFigure {
                name: "Search test".into(),
                channel: "search".into(),
                cost: 4_000.0,
                funded: true,
                start: day(1, 19),
                end: day(2, 19),
            },
            TestFigure {
                name: "Email test".into(),
                channel: "email".into(),
                cost: 0.0,
                funded: false,
                start: day(1, 4),
                end: day(9, 1),
            },
        ],
        targets: [
            ("revenue".into(), 300_000.0),
            ("mqls".into(), 100.0),
            ("leads".into(), 250.0),
        ]
        .into_iter()
        .collect(),
        milestones: vec![
            month("2027-01", 140_000.25, 60.0, 150.0),
            month("2027-02", 159_999.75, 40.0, 100.0),
        ],
        channel_targets: vec![
            target("search", 130.0, 55.0),
            target("email", 70.0, 25.0),
            target("organic", 50.0, 20.0),
        ],
        content: vec![ContentFigure {
            piece: "Landing page".into(),
            owner: "Jordan Patel".into(),
            brief: day(1, 7),
            publish: day(1, 28),
            hours: 20.0,
        }],
        process_started: day(12, 21),
        launch_from: day(1, 19),
        hours: vec![],
    }
}

fn messages(f: &PlanFigures) -> Vec<String> {
    check(f).iter().map(ToString::to_string).collect()
}

#[test]
fn a_plan_worked_by_hand_balances() {
    assert_eq!(check(&balanced()), []);
}

#[test]
fn a_cent_missing_from_the_channels_is_named_with_the_figures() {
    let mut f = balanced();
    f.budget.by_channel.insert("email".into(), 37_999.99);
    f.campaigns[2].budget = 37_999.99;
    assert_eq!(
        messages(&f),
        [
            "the channels' budgets ($87,999.99) plus the test reserve ($12,000) make $99,999.99, not the total budget of $100,000"
        ]
    );
}

#[test]
fn a_reserve_committed_beyond_the_funded_tests_is_a_violation() {
    let mut f = balanced();
    f.budget.reserve_committed = 5_000.0;
    f.budget.reserve_uncommitted = 7_000.0;
    assert_eq!(
        messages(&f),
        [
            "the reserve does not balance: $5,000 committed (funded tests cost $4,000) plus $7,000 uncommitted against a reserve of $12,000"
        ]
    );
}

#[test]
fn bookings_above_the_channel_budget_name_stage_6() {
    // Email's booking of $40,000 (the case: money already booked exceeds the
    // allocation) leaves no room for a new campaign: campaigns total $40,000.
    let mut f = balanced();
    f.campaigns[2] = CampaignFigure {
        booked: true,
        budget: 40_000.0,
        start: day(1, 1),
        ..f.campaigns[2].clone()
    };
    assert_eq!(
        messages(&f),
        [
            "email: campaigns total $40,000 against the channel's budget of $38,000 — $40,000 was booked last quarter, more than the allocation: stage 6 must keep the channel at or above its bookings"
        ]
    );
}

#[test]
fn campaigns_in_a_channel_without_budget_are_a_violation() {
    let mut f = balanced();
    f.campaigns.push(CampaignFigure {
        channel: "tv".into(),
        budget: 1.0,
        ..f.campaigns[1].clone()
    });
    assert_eq!(
        messages(&f),
        ["tv: campaigns total $1 against the channel's budget of $0"]
    );
}

#[test]
fn milestones_that_do_not_add_up_name_the_metric() {
    // The case: lead milestones 1,465 + 1,412 + 1,412 = 4,289 against 4,237.
    let mut f = balanced();
    f.targets = [("leads".to_owned(), 4_237.0)].into_iter().collect();
    f.milestones = [1_465.0, 1_412.0, 1_412.0]
        .iter()
        .map(|l| [("leads".to_owned(), json!(l))].into_iter().collect())
        .collect();
    f.channel_targets.clear();
    assert_eq!(
        messages(&f),
        ["the monthly leads milestones add up to 4,289, not the target of 4,237"]
    );
    // Money milestones are compared to the cent.
    let mut f = balanced();
    f.milestones[0].insert("revenue".into(), json!(140_000.24));
    assert_eq!(
        messages(&f),
        ["the monthly revenue milestones add up to $299,999.99, not the target of $300,000"]
    );
}

#[test]
fn channel_targets_without_organic_do_not_add_up() {
    // The case: paid channels' MQL targets sum to less than the MQL target
    // because organic has none.
    let mut f = balanced();
    f.channel_targets.pop();
    assert_eq!(
        messages(&f),
        [
            "the channels' leads targets add up to 200, not the target of 250",
            "the channels' mqls targets add up to 80, not the target of 100",
        ]
    );
}

#[test]
fn a_source_of_volume_without_an_owner_is_a_violation() {
    let mut f = balanced();
    f.channel_targets[2].owner = "unassigned".into();
    assert_eq!(messages(&f), ["organic has a target but no owner"]);
}

#[test]
fn unbooked_campaigns_and_funded_tests_wait_for_the_process() {
    let mut f = balanced();
    f.campaigns[1].start = day(1, 1);
    f.tests[0].start = day(1, 15);
    // The unfunded test does not run, and the booked campaign is already committed.
    assert_eq!(
        messages(&f),
        [
            "campaign \"Search new\" starts on 2027-01-01, before 2027-01-19, the first day the process allows (it is not booked)",
            "test \"Search test\" starts on 2027-01-15, before 2027-01-19, the first day the process allows (it is not booked)",
        ]
    );
    // Once approved, the approval's date is the bar when it is later.
    let mut f = balanced();
    f.approved_at = Some("2027-01-21T15:00:00Z".into());
    assert_eq!(check(&f).len(), 3);
}

#[test]
fn a_brief_before_planning_started_is_a_violation() {
    let mut f = balanced();
    f.content[0].brief = day(12, 8);
    assert_eq!(
        messages(&f),
        [
            "content \"Landing page\" is briefed on 2026-12-08, before planning started on 2026-12-21"
        ]
    );
}

/// Random budgets, bookings and targets built the way the stages build them (largest
/// remainder splits), so every invariant must hold.
fn random_plan() -> impl Strategy<Value = PlanFigures> {
    (
        1_000_000i64..500_000_000,
        0.05f64..0.2,
        prop::collection::vec((0.01f64..1.0, 0.0f64..1.5, 0.01f64..1.0), 1..8),
        0.0f64..1.0,
        (1.0f64..5_000.0, prop::collection::vec(0.01f64..1.0, 1..4)),
    )
        .prop_map(
            |(total, reserve_share, channels, test_share, (mqls, months))| {
                use quarterdeck_analyses::quarter_plan::rounding::split_cents;
                let reserve = (total as f64 * reserve_share).round() as i64;
                let weights: Vec<f64> = channels.iter().map(|c| c.0).collect();
                let parts = split_cents(total - reserve, &weights).unwrap();
                let mut f = balanced();
                f.budget.total = total as f64 / 100.0;
                f.budget.reserve = reserve as f64 / 100.0;
                let test = (reserve as f64 * test_share).floor() as i64;
                f.tests[0].cost = test as f64 / 100.0;
                f.budget.reserve_committed = test as f64 / 100.0;
                f.budget.reserve_uncommitted = (reserve - test) as f64 / 100.0;
                f.budget.by_channel.clear();
                f.campaigns.clear();
                for (i, (cents, (_, booked_share, _))) in parts.iter().zip(&channels).enumerate() {
                    let name = format!("channel {i}");
                    f.budget
                        .by_channel
                        .insert(name.clone(), *cents as f64 / 100.0);
                    // Bookings are a floor: at most the channel's money; the rest is new.
                    let booked = ((*cents as f64) * booked_share.min(1.0)).floor() as i64;
                    for (amount, is_booked) in [(booked, true), (cents - booked, false)] {
                        if amount > 0 {
                            f.campaigns.push(CampaignFigure {
                                name: format!("{name} {is_booked}"),
                                channel: name.clone(),
                                budget: amount as f64 / 100.0,
                                start: if is_booked { day(1, 1) } else { day(1, 19) },
                                end: day(3, 31),
                                owner: "Avery Chen".into(),
                                booked: is_booked,
                            });
                        }
                    }
                }
                let mqls = mqls.round();
                f.targets = [("mqls".to_owned(), mqls)].into_iter().collect();
                let month_parts = split_cents(mqls as i64, &months).unwrap();
                f.milestones = month_parts
                    .iter()
                    .map(|m| {
                        [("mqls".to_owned(), json!(*m as f64))]
                            .into_iter()
                            .collect()
                    })
                    .collect();
                let shares: Vec<f64> = channels.iter().map(|c| c.2).collect();
                f.channel_targets = split_cents(mqls as i64, &shares)
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(i, m)| ChannelTargetFigure {
                        channel: format!("channel {i}"),
                        owner: "Avery Chen".into(),
                        leads: 0.0,
                        mqls: *m as f64,
                    })
                    .collect();
                f
            },
        )
}

proptest! {
    #[test]
    fn plans_built_by_the_stages_rules_hold_every_invariant(f in random_plan()) {
        prop_assert_eq!(check(&f), vec![]);
    }

    #[test]
    fn moving_a_cent_between_a_campaign_and_nothing_is_always_caught(f in random_plan(), k in 0usize..16) {
        let mut f = f;
        let i = k % f.campaigns.len();
        f.campaigns[i].budget += 0.01;
        let v = check(&f);
        prop_assert_eq!(v.len(), 1);
        let is_channel_violation = matches!(v[0], Violation::CampaignsDoNotMatchChannel { .. });
        prop_assert!(is_channel_violation);
    }
}
