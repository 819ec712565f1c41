//! Content production scheduling against a tiny schedule worked by hand: milestones back
//! from publish in working days, writers balanced, over-capacity weeks and early briefs
//! named as conflicts.

use quarterdeck_analyses::production::{
    Conflict, PieceRequest, Writer, schedule, spread_publish_days, weekday, working_days_before,
};

// 1970-01-01 (day 0) was a Thursday; 2027-01-01 is day 57 × 365 + 14 leap days = 20819,
// a Friday, so Monday 2027-01-04 is day 20822.
const MON: i64 = 20_822;

fn piece(title: &str, kind: &str, publish_by: i64) -> PieceRequest {
    PieceRequest {
        title: title.into(),
        content_type: kind.into(),
        serves: "test".into(),
        publish_by,
        hours: None,
    }
}

fn writer(name: &str, capacity: f64) -> Writer {
    Writer {
        name: name.into(),
        capacity_hours_per_week: capacity,
    }
}

#[test]
fn weekdays_count_from_a_thursday_epoch() {
    assert_eq!(weekday(0), 3);
    assert_eq!(weekday(20_819), 4);
    assert_eq!(weekday(MON), 0);
    // Two working days before Monday is Thursday.
    assert_eq!(working_days_before(MON, 2), MON - 4);
}

#[test]
fn milestones_are_scheduled_back_from_publish_in_working_days() {
    let s = schedule(
        &[piece("P1", "blog", MON + 18)],
        &[writer("Ann", 10.0)],
        MON,
    );

    // Publish Fri 22 Jan; review 3 working days earlier (Tue 19); draft 5 before that
    // (Tue 12); brief 5 before that (Tue 5).
    let p = &s.pieces[0];
    assert_eq!(
        (p.brief, p.draft, p.review, p.publish),
        (MON + 1, MON + 8, MON + 15, MON + 18)
    );
    assert_eq!(p.owner.as_deref(), Some("Ann"));
    assert_eq!(p.hours, 10.0);
    // 10 h over 13 working days (Tue 5 – Thu 21): 4, 5 and 4 days a week.
    let hours: Vec<f64> = s.weeks.iter().map(|w| w.hours).collect();
    let expected = [40.0 / 13.0, 50.0 / 13.0, 40.0 / 13.0];
    assert!(
        hours
            .iter()
            .zip(expected)
            .all(|(a, b)| (a - b).abs() < 1e-9),
        "{hours:?}"
    );
    assert!(s.conflicts.is_empty());
}

#[test]
fn pieces_go_to_the_writer_with_room_and_an_overloaded_week_is_a_conflict() {
    let requests = [
        piece("P1", "blog", MON + 18),
        piece("P2", "blog", MON + 18),
        piece("P3", "guide", MON + 18),
    ];

    let s = schedule(&requests, &[writer("Ann", 10.0), writer("Ben", 10.0)], MON);

    // P1 → Ann (tie, by name); P2 → Ben (Ann already busy); P3 (24 h) ties again → Ann.
    let owners: Vec<(&str, &str)> = s
        .pieces
        .iter()
        .map(|p| (p.title.as_str(), p.owner.as_deref().unwrap()))
        .collect();
    assert_eq!(owners, [("P1", "Ann"), ("P2", "Ben"), ("P3", "Ann")]);
    // Ann carries 34 h over 13 days: 4 × 34/13 = 10.46, 5 × 34/13 = 13.08, 10.46 — all over 10.
    let over: Vec<(String, i64, f64)> = s
        .conflicts
        .iter()
        .filter_map(|c| match c {
            Conflict::OverCapacity {
                person,
                week,
                hours,
                capacity,
            } => {
                assert_eq!(*capacity, 10.0);
                Some((person.clone(), *week, *hours))
            }
            _ => None,
        })
        .collect();
    assert_eq!(over.len(), 3);
    assert!(over.iter().all(|o| o.0 == "Ann"));
    assert_eq!(
        over.iter().map(|o| o.1).collect::<Vec<_>>(),
        [MON, MON + 7, MON + 14]
    );
    assert!((over[1].2 - 5.0 * 34.0 / 13.0).abs() < 1e-9);
}

#[test]
fn a_piece_that_would_need_a_brief_before_the_earliest_day_starts_then_and_publishes_late() {
    // Publish by Saturday 9 Jan → Friday 8; working back, the brief would be Tue 22 Dec,
    // before the earliest allowed Monday. Worked forward from Monday: brief MON, draft
    // 5 working days later (MON + 7), review 5 later (MON + 14), publish 3 later (MON + 17).
    let s = schedule(
        &[piece("Launch page", "landing_page", MON + 5)],
        &[writer("Ann", 30.0)],
        MON,
    );

    assert_eq!(s.pieces[0].brief, MON);
    assert_eq!(s.pieces[0].draft, MON + 7);
    assert_eq!(s.pieces[0].review, MON + 14);
    assert_eq!(s.pieces[0].publish, MON + 17);
    assert_eq!(
        s.conflicts,
        [Conflict::PublishesLate {
            title: "Launch page".into(),
            publish: MON + 17,
            publish_by: MON + 5
        }]
    );
}

#[test]
fn without_writers_pieces_stay_unassigned_and_that_is_a_conflict() {
    let s = schedule(&[piece("P1", "blog", MON + 18)], &[], MON);

    assert_eq!(s.pieces[0].owner, None);
    assert_eq!(s.conflicts, [Conflict::NoWriters { pieces: 1 }]);
}

#[test]
fn seo_pieces_are_spread_from_the_first_feasible_day_to_a_week_before_the_end() {
    // Quarter Mon 4 Jan – Wed 31 Mar (MON + 86). First publish: 13 working days after
    // Mon 4 Jan = Thu 21 Jan (MON + 17); last: 31 Mar − 7 = MON + 79; middle MON + 48.
    let days = spread_publish_days(MON, MON + 86, 3);

    assert_eq!(days, [MON + 17, MON + 48, MON + 79]);
    assert_eq!(working_days_before(MON + 17, 13), MON);
}

mod properties {
    use proptest::prelude::*;

    use super::{MON, piece, writer};
    use quarterdeck_analyses::production::{schedule, weekday};

    proptest! {
        /// Milestones run in order on working days, and every planned hour lands in
        /// exactly one writer's week.
        #[test]
        fn milestones_are_ordered_working_days_and_hours_are_conserved(
            offsets in proptest::collection::vec(0i64..90, 1..12),
            kinds in proptest::collection::vec(0usize..4, 12),
            writers in 1usize..4,
        ) {
            let types = ["blog", "guide", "landing_page", "email"];
            let requests: Vec<_> = offsets
                .iter()
                .enumerate()
                .map(|(i, o)| piece(&format!("P{i}"), types[kinds[i]], MON + o))
                .collect();
            let team: Vec<_> = (0..writers).map(|i| writer(&format!("W{i}"), 20.0)).collect();

            let s = schedule(&requests, &team, MON);

            for p in &s.pieces {
                prop_assert!(p.brief < p.draft && p.draft < p.review && p.review < p.publish);
                for d in [p.brief, p.draft, p.review, p.publish] {
                    prop_assert!(weekday(d) < 5);
                }
            }
            let planned: f64 = s.pieces.iter().map(|p| p.hours).sum();
            let loaded: f64 = s.weeks.iter().map(|w| w.hours).sum();
            prop_assert!((planned - loaded).abs() < 1e-6);
        }
    }
}
