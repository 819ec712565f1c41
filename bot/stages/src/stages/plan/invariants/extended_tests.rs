//! Checks 8–12 (issue 12, item 3): each kind of violation worked by hand on the balanced
//! plan of `tests.rs`, with the message the error post shows; and a property: plans
//! built from random rosters and content assignments the way the ledger builds them
//! keep every invariant, and any hour moved off the content plan is caught.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::stages::plan::ledger::{ContentFigure, HoursFigure, PlanFigures};

fn day(m: u32, d: u32) -> NaiveDate {
    let y = if m >= 10 { 2026 } else { 2027 };
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The balanced plan of `tests.rs`, with its one content piece (Jordan Patel, 20 h)
/// in the resource plan: 180 h of campaigns and tests, 20 h of content, 480 h capacity.
fn balanced() -> PlanFigures {
    let mut f = super::tests::balanced();
    f.hours = vec![HoursFigure {
        person: "Jordan Patel".into(),
        campaign_hours: 180.0,
        content_hours: 20.0,
        capacity: 480.0,
    }];
    f
}

fn messages(f: &PlanFigures) -> Vec<String> {
    check(f).iter().map(ToString::to_string).collect()
}

#[test]
fn the_balanced_plan_with_its_hours_holds_every_invariant() {
    assert_eq!(check(&balanced()), []);
}

#[test]
fn a_month_without_a_milestone_for_a_target_is_named() {
    let mut f = balanced();
    // February's MQL milestone (40) is dropped: January's 60 alone cannot make 100.
    f.milestones[1].remove("mqls");

    assert_eq!(
        messages(&f),
        [
            "the monthly mqls milestones add up to 60, not the target of 100",
            "the mqls target has no milestone for 2027-02, so its months cannot add up to it",
        ]
    );
}

#[test]
fn a_paid_channel_without_a_target_is_named_even_when_the_sums_hold() {
    let mut f = balanced();
    // Email's targets (70 leads, 25 MQLs) are folded into search's: the sums still
    // make 250 and 100, but email has money and no target.
    f.channel_targets.remove(1);
    f.channel_targets[0].leads = 200.0;
    f.channel_targets[0].mqls = 80.0;

    assert_eq!(
        messages(&f),
        ["email has a budget but no lead or MQL target"]
    );
}

#[test]
fn a_figure_stated_twice_is_named() {
    let mut f = balanced();
    // Organic's 50 leads and 20 MQLs split over two rows: sums hold, organic is twice.
    f.channel_targets[2].leads = 30.0;
    f.channel_targets[2].mqls = 10.0;
    let mut again = f.channel_targets[2].clone();
    again.leads = 20.0;
    again.mqls = 10.0;
    f.channel_targets.push(again);

    assert_eq!(
        messages(&f),
        ["the channel target \"organic\" is stated twice"]
    );
}

#[test]
fn resource_plan_hours_that_differ_from_the_content_plan_are_named() {
    // The case: §8 gives Jordan Patel 204 h while 242 h of content are his.
    let mut f = balanced();
    f.content[0].hours = 242.0;
    f.hours[0].content_hours = 204.0;

    assert_eq!(
        messages(&f),
        ["Jordan Patel: the resource plan counts 204 h of content, the content plan assigns 242 h"]
    );
    // A writer the resource plan leaves out entirely.
    let mut f = balanced();
    f.content.push(ContentFigure {
        piece: "Case study".into(),
        owner: "Riley Gomez".into(),
        brief: day(1, 20),
        publish: day(2, 10),
        hours: 16.0,
    });
    assert_eq!(
        messages(&f),
        ["Riley Gomez: the resource plan counts 0 h of content, the content plan assigns 16 h"]
    );
}

#[test]
fn money_with_a_fraction_of_a_cent_is_named() {
    let mut f = balanced();
    // $0.004 moved from one search campaign to the other: the channel still sums to
    // $50,000.00 in cents, but neither campaign is stated to the cent.
    f.campaigns[0].budget = 10_000.504;
    f.campaigns[1].budget = 39_999.496;

    assert_eq!(
        messages(&f),
        [
            "campaign \"Search booked\" is 10000.504, a fraction of a cent: money is stated to the cent",
            "campaign \"Search new\" is 39999.496, a fraction of a cent: money is stated to the cent",
        ]
    );
}

/// A roster of 1–6 people with capacities, and 0–20 content pieces of whole or half
/// hours assigned among them, summed per person as `ledger::hours` does.
fn roster_and_content() -> impl Strategy<Value = PlanFigures> {
    (
        prop::collection::vec((0.0f64..400.0, 40.0f64..600.0), 1..7),
        prop::collection::vec((0usize..6, 1u32..80), 0..20),
    )
        .prop_map(|(people, pieces)| {
            let mut f = balanced();
            f.content = pieces
                .iter()
                .enumerate()
                .map(|(i, (who, half_hours))| ContentFigure {
                    piece: format!("Piece {i}"),
                    owner: format!("Person {}", who % people.len()),
                    brief: day(1, 20),
                    publish: day(2, 20),
                    hours: f64::from(*half_hours) / 2.0,
                })
                .collect();
            let mut content: BTreeMap<String, f64> = BTreeMap::new();
            for p in &f.content {
                *content.entry(p.owner.clone()).or_default() += p.hours;
            }
            f.hours = people
                .iter()
                .enumerate()
                .map(|(i, (campaign, capacity))| HoursFigure {
                    person: format!("Person {i}"),
                    campaign_hours: campaign.round(),
                    content_hours: content.get(&format!("Person {i}")).copied().unwrap_or(0.0),
                    capacity: capacity.round(),
                })
                .collect();
            f
        })
}

proptest! {
    #[test]
    fn rosters_and_content_built_like_the_ledger_hold_every_invariant(f in roster_and_content()) {
        prop_assert_eq!(check(&f), vec![]);
    }

    #[test]
    fn an_hour_added_to_any_piece_is_caught_for_its_owner(f in roster_and_content(), k in 0usize..20) {
        prop_assume!(!f.content.is_empty());
        let mut f = f;
        let i = k % f.content.len();
        f.content[i].hours += 1.0;
        let owner = f.content[i].owner.clone();

        let v = check(&f);

        prop_assert_eq!(v.len(), 1);
        let names_owner = matches!(&v[0], Violation::HoursDoNotMatch { person, .. } if *person == owner);
        prop_assert!(names_owner, "{:?}", v);
    }
}

#[test]
fn the_milestone_months_are_checked_in_the_json_the_plan_writes() {
    // A milestone row written without its month still counts as a missing month.
    let mut f = balanced();
    f.milestones
        .push([("revenue".to_owned(), json!(0.0))].into_iter().collect());

    assert_eq!(
        messages(&f),
        [
            "the leads target has no milestone for a month, so its months cannot add up to it",
            "the mqls target has no milestone for a month, so its months cannot add up to it",
        ]
    );
}
