//! Attribution checked against hand-worked numbers, the classic three-path Markov
//! example, brute-force Shapley values, and properties every model must keep.

use proptest::prelude::*;
use quarterdeck_analyses::attribution::{
    Attribution, AttributionError, Conversion, Credit, Journey, Params, Path, Touch,
    attribute_journeys, attribute_paths,
};

fn path(p: &str, conversions: f64, value: f64, nulls: f64) -> Path {
    Path {
        channels: p.split('>').map(|c| c.trim().to_owned()).collect(),
        conversions,
        value,
        nulls,
    }
}

fn credit(model: &[Credit], channel: &str) -> (f64, f64) {
    let c = model.iter().find(|c| c.channel == channel).unwrap();
    (c.conversions, c.value)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

fn assert_credits(model: &[Credit], expected: &[(&str, f64, f64)]) {
    for (ch, conv, value) in expected {
        let (c, v) = credit(model, ch);
        assert!(
            close(c, *conv) && close(v, *value),
            "{ch}: got ({c}, {v}), expected ({conv}, {value})"
        );
    }
}

/// A > B > C (2 conversions, $200), A (1, $50, 1 null), B > A (1, $100, 3 nulls),
/// C > C (5 nulls). Totals: 4 conversions, $350.
fn worked() -> Attribution {
    let paths = [
        path("A > B > C", 2.0, 200.0, 0.0),
        path("A", 1.0, 50.0, 1.0),
        path("B > A", 1.0, 100.0, 3.0),
        path("C > C", 0.0, 0.0, 5.0),
    ];
    attribute_paths(
        &paths,
        &Params {
            half_life: 1.0,
            markov_order: 1,
        },
    )
    .unwrap()
}

#[test]
fn first_and_last_touch_give_everything_to_one_end() {
    let a = worked();

    assert_eq!((a.total_conversions, a.total_value), (4.0, 350.0));
    // First: A opens P1 and P2 (3 conv, $250), B opens P3 (1, $100).
    assert_credits(
        &a.models.first,
        &[("A", 3.0, 250.0), ("B", 1.0, 100.0), ("C", 0.0, 0.0)],
    );
    // Last: C closes P1 (2, $200), A closes P2 and P3 (2, $150).
    assert_credits(
        &a.models.last,
        &[("A", 2.0, 150.0), ("B", 0.0, 0.0), ("C", 2.0, 200.0)],
    );
}

#[test]
fn linear_and_position_spread_by_their_rules() {
    let a = worked();

    // Linear: P1 2/3 each; P2 A 1; P3 1/2 each. A = 2/3 + 1 + 1/2.
    assert_credits(
        &a.models.linear,
        &[
            ("A", 2.0 / 3.0 + 1.5, 200.0 / 3.0 + 100.0),
            ("B", 2.0 / 3.0 + 0.5, 200.0 / 3.0 + 50.0),
            ("C", 2.0 / 3.0, 200.0 / 3.0),
        ],
    );
    // Position: P1 40/20/40 of 2; P2 100% A; P3 50/50. A = 0.8 + 1 + 0.5.
    assert_credits(
        &a.models.position,
        &[
            ("A", 2.3, 80.0 + 50.0 + 50.0),
            ("B", 0.9, 40.0 + 50.0),
            ("C", 0.8, 80.0),
        ],
    );
}

#[test]
fn time_decay_halves_per_half_life_of_distance() {
    let a = worked();

    // h = 1 touch. P1 distances 2,1,0 -> weights 1/4, 1/2, 1 (sum 7/4): A 1/7, B 2/7, C 4/7 of 2.
    // P3 distances 1,0 -> B 1/3, A 2/3. A = 2/7 + 1 + 2/3.
    assert_credits(
        &a.models.time_decay,
        &[
            (
                "A",
                2.0 / 7.0 + 1.0 + 2.0 / 3.0,
                200.0 / 7.0 + 50.0 + 200.0 / 3.0,
            ),
            ("B", 4.0 / 7.0 + 1.0 / 3.0, 400.0 / 7.0 + 100.0 / 3.0),
            ("C", 8.0 / 7.0, 800.0 / 7.0),
        ],
    );
}

#[test]
fn shapley_splits_each_channel_set_equally_and_ignores_repeats() {
    let a = attribute_paths(&[path("C > C > A", 3.0, 30.0, 0.0)], &Params::default()).unwrap();

    // One set {A, C} worth 3: 1.5 each (linear would give C 2, A 1).
    assert_credits(&a.models.shapley, &[("A", 1.5, 15.0), ("C", 1.5, 15.0)]);
    assert_credits(&a.models.linear, &[("A", 1.0, 10.0), ("C", 2.0, 20.0)]);
}

#[test]
fn markov_matches_the_classic_three_path_example() {
    // C1 > C2 > C3 converts once; C1 and C2 > C3 end in null.
    // start -> C1 2/3, C2 1/3; C1 -> C2 1/2, null 1/2; C2 -> C3 1; C3 -> conv 1/2.
    // P(conv) = 2/3·1/2·1/2 + 1/3·1/2 = 1/3. Without C1: 1/6 (RE 1/2); without C2 or C3: 0 (RE 1).
    // Credits: 1 × (0.5, 1, 1)/2.5 = 0.2, 0.4, 0.4.
    let paths = [
        path("C1 > C2 > C3", 1.0, 100.0, 0.0),
        path("C1", 0.0, 0.0, 1.0),
        path("C2 > C3", 0.0, 0.0, 1.0),
    ];

    let a = attribute_paths(&paths, &Params::default()).unwrap();

    assert_credits(
        &a.removal_effects,
        &[("C1", 0.5, 0.5), ("C2", 1.0, 1.0), ("C3", 1.0, 1.0)],
    );
    assert_credits(
        &a.models.markov,
        &[("C1", 0.2, 20.0), ("C2", 0.4, 40.0), ("C3", 0.4, 40.0)],
    );
}

#[test]
fn a_second_order_chain_remembers_where_a_journey_came_from() {
    // A > B converts, C > B does not. Order 1 forgets the origin at B and credits C;
    // order 2 keeps (A,B) and (C,B) apart: removing C changes nothing.
    let paths = [path("A > B", 1.0, 10.0, 0.0), path("C > B", 0.0, 0.0, 1.0)];

    let first = attribute_paths(
        &paths,
        &Params {
            half_life: 7.0,
            markov_order: 1,
        },
    )
    .unwrap();
    let second = attribute_paths(
        &paths,
        &Params {
            half_life: 7.0,
            markov_order: 2,
        },
    )
    .unwrap();

    // Order 1: P = 1/2; without A or C 1/4 (RE 1/2), without B 0 (RE 1): 0.25, 0.5, 0.25.
    assert_credits(
        &first.models.markov,
        &[("A", 0.25, 2.5), ("B", 0.5, 5.0), ("C", 0.25, 2.5)],
    );
    // Order 2: RE A 1, B 1, C 0: 0.5, 0.5, 0.
    assert_credits(
        &second.models.markov,
        &[("A", 0.5, 5.0), ("B", 0.5, 5.0), ("C", 0.0, 0.0)],
    );
}

#[test]
fn journeys_drop_touches_after_the_conversion_and_decay_by_days() {
    let day = 86_400;
    let t = |d: i64, c: &str| Touch {
        at_seconds: d * day,
        channel: c.into(),
    };
    let journeys = [
        Journey {
            id: "1".into(),
            touches: vec![t(0, "A"), t(1, "B"), t(3, "C")],
            conversion: Some(Conversion {
                at_seconds: 2 * day,
                value: 10.0,
            }),
        },
        Journey {
            id: "2".into(),
            touches: vec![t(0, "B")],
            conversion: None,
        },
    ];

    let a = attribute_journeys(
        &journeys,
        &Params {
            half_life: 1.0,
            markov_order: 1,
        },
    )
    .unwrap();

    // A is 2 days before the conversion (weight 1/4), B 1 day (1/2): A 1/3, B 2/3.
    assert_eq!((a.total_conversions, a.total_value), (1.0, 10.0));
    assert_credits(
        &a.models.time_decay,
        &[("A", 1.0 / 3.0, 10.0 / 3.0), ("B", 2.0 / 3.0, 20.0 / 3.0)],
    );
    assert!(
        a.models.last.iter().all(|c| c.channel != "C"),
        "C came after the conversion"
    );
}

#[test]
fn bad_parameters_and_paths_are_refused_naming_the_path() {
    let ok = [path("A", 1.0, 1.0, 0.0)];

    assert_eq!(
        attribute_paths(
            &ok,
            &Params {
                half_life: 7.0,
                markov_order: 5
            }
        ),
        Err(AttributionError::BadOrder(5))
    );
    assert_eq!(
        attribute_paths(
            &ok,
            &Params {
                half_life: 7.0,
                markov_order: 0
            }
        ),
        Err(AttributionError::BadOrder(0))
    );
    let bad = [path("A", 1.0, 1.0, 0.0), path("B", -1.0, 0.0, 0.0)];
    assert!(matches!(
        attribute_paths(&bad, &Params::default()),
        Err(AttributionError::BadPath { index: 1, .. })
    ));
    let empty_name = [Path {
        channels: vec!["A".into(), " ".into()],
        conversions: 1.0,
        value: 0.0,
        nulls: 0.0,
    }];
    assert!(matches!(
        attribute_paths(&empty_name, &Params::default()),
        Err(AttributionError::BadPath { index: 0, .. })
    ));
}

/// Shapley by its definition: Σ over coalitions S without i of |S|!(n−|S|−1)!/n! · (v(S∪i) − v(S)).
fn brute_force_shapley(paths: &[Path], channels: &[String]) -> Vec<f64> {
    let n = channels.len();
    let bit = |c: &str| 1u32 << channels.iter().position(|x| x == c).unwrap();
    let sets: Vec<(u32, f64)> = paths
        .iter()
        .map(|p| (p.channels.iter().fold(0, |m, c| m | bit(c)), p.conversions))
        .collect();
    let v = |s: u32| {
        sets.iter()
            .filter(|(m, _)| m & !s == 0)
            .map(|(_, w)| w)
            .sum::<f64>()
    };
    let fact = |k: usize| (1..=k).product::<usize>() as f64;
    (0..n)
        .map(|i| {
            (0u32..1 << n)
                .filter(|s| s & (1 << i) == 0)
                .map(|s| {
                    let k = s.count_ones() as usize;
                    fact(k) * fact(n - k - 1) / fact(n) * (v(s | 1 << i) - v(s))
                })
                .sum()
        })
        .collect()
}

fn arb_paths() -> impl Strategy<Value = Vec<Path>> {
    let channel = prop::sample::select(vec!["a", "b", "c", "d", "e"]);
    let one = (
        prop::collection::vec(channel, 1..6),
        0u32..5,
        0u32..500,
        0u32..5,
    )
        .prop_map(|(ch, c, v, n)| Path {
            channels: ch.into_iter().map(str::to_owned).collect(),
            conversions: f64::from(c),
            value: f64::from(v),
            nulls: f64::from(n),
        });
    prop::collection::vec(one, 1..12)
}

proptest! {
    #[test]
    fn every_model_sums_to_the_totals_and_removal_effects_stay_in_range(paths in arb_paths(), order in 1usize..=4) {
        let a = attribute_paths(&paths, &Params { half_life: 2.0, markov_order: order }).unwrap();
        let m = &a.models;
        for (name, model) in [("first", &m.first), ("last", &m.last), ("linear", &m.linear), ("time_decay", &m.time_decay), ("position", &m.position), ("shapley", &m.shapley), ("markov", &m.markov)] {
            let (c, v): (f64, f64) = model.iter().fold((0.0, 0.0), |(c, v), x| (c + x.conversions, v + x.value));
            // Markov has nothing to share when no path converts through the chain.
            if name != "markov" || a.removal_effects.iter().any(|r| r.conversions > 0.0) {
                prop_assert!(close(c, a.total_conversions), "{} conversions {} vs {}", name, c, a.total_conversions);
            }
            if name != "markov" || a.removal_effects.iter().any(|r| r.value > 0.0) {
                prop_assert!(close(v, a.total_value), "{} value {} vs {}", name, v, a.total_value);
            }
        }
        prop_assert!(a.removal_effects.iter().all(|r| (0.0..=1.0).contains(&r.conversions) && (0.0..=1.0).contains(&r.value)));
    }

    #[test]
    fn the_order_of_the_input_does_not_matter(paths in arb_paths()) {
        let mut reversed = paths.clone();
        reversed.reverse();

        let a = attribute_paths(&paths, &Params { half_life: 3.0, markov_order: 2 }).unwrap();
        let b = attribute_paths(&reversed, &Params { half_life: 3.0, markov_order: 2 }).unwrap();

        for (x, y) in a.models.markov.iter().zip(&b.models.markov).chain(a.models.shapley.iter().zip(&b.models.shapley)) {
            prop_assert!(x.channel == y.channel && close(x.conversions, y.conversions) && close(x.value, y.value));
        }
    }

    #[test]
    fn shapley_equals_the_brute_force_definition(paths in arb_paths()) {
        let a = attribute_paths(&paths, &Params::default()).unwrap();
        let channels: Vec<String> = a.models.shapley.iter().map(|c| c.channel.clone()).collect();

        let expected = brute_force_shapley(&paths, &channels);

        for (c, e) in a.models.shapley.iter().zip(expected) {
            prop_assert!(close(c.conversions, e), "{}: {} vs {}", c.channel, c.conversions, e);
        }
    }
}

#[test]
fn long_paths_and_many_channels_aggregate_like_short_ones() {
    // Paths past the packed key (16+ touches, channel ids past 254) take the general
    // index; the same path given twice is one path with summed counts.
    let long: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
    let mut set = quarterdeck_analyses::attribution::PathSet::default();
    for i in 0..300 {
        set.add([format!("x{i}").as_str()], 0.0, 0.0, 1.0).unwrap();
    }
    for _ in 0..2 {
        set.add(long.iter().map(String::as_str), 1.0, 10.0, 0.0)
            .unwrap();
    }
    set.add(["x299", "x298"], 1.0, 5.0, 0.0).unwrap();

    assert_eq!((set.rows(), set.distinct()), (303, 302));
    let a = quarterdeck_analyses::attribution::attribute_path_set(set, &Params::default()).unwrap();
    assert_eq!(a.total_conversions, 3.0);
    let linear: f64 = a.models.linear.iter().map(|c| c.conversions).sum();
    assert!((linear - 3.0).abs() < 1e-12);
}
