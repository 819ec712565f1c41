//! Funnel rates, intervals, velocity and group tests against hand-worked values and
//! values computed independently (Python's math module, noted beside each).

use std::collections::BTreeMap;

use quarterdeck_analyses::funnel::{Lead, Z95, analyze, holm, two_sided_p, wilson};

const DAY: i64 = 86_400;

fn lead(source: &str, days: [Option<i64>; 3]) -> Lead {
    Lead {
        stages: days.iter().map(|d| d.map(|d| d * DAY)).collect(),
        groups: BTreeMap::from([("source".to_owned(), source.to_owned())]),
        cohort: Some("2026-10".into()),
    }
}

fn stages() -> Vec<String> {
    ["lead", "mql", "sql"].map(String::from).to_vec()
}

#[test]
fn wilson_intervals_match_newcombes_example_and_the_edges() {
    // Newcombe (1998): 81 of 263 -> 0.2553 to 0.3662; Python gives 0.2552885198782742, 0.36620957698280004.
    let (lo, hi) = wilson(81, 263, Z95).unwrap();
    assert!(
        (lo - 0.255_288_519_878_274_2).abs() < 1e-12
            && (hi - 0.366_209_576_982_800_04).abs() < 1e-12
    );
    // 0 of 10 -> [0, 0.2775327998628892]; nothing entered -> no interval.
    let (lo, hi) = wilson(0, 10, Z95).unwrap();
    assert!(lo == 0.0 && (hi - 0.277_532_799_862_889_2).abs() < 1e-12);
    assert_eq!(wilson(0, 0, Z95), None);
}

#[test]
fn the_z_test_and_holm_adjustment_match_hand_values() {
    // 30/100 vs 45/100: z = -2.1908902300206647, p = 0.02845973691631057 (math.erfc).
    assert!((two_sided_p(-2.190_890_230_020_664_7) - 0.028_459_736_916_310_57).abs() < 1e-6);
    // Holm: sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, max(0.06, 0.04).
    let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
    let expected = [0.03, 0.06, 0.06, 0.02];
    assert!(
        adj.iter().zip(expected).all(|(a, e)| (a - e).abs() < 1e-12),
        "{adj:?}"
    );
}

#[test]
fn rates_count_leads_that_skipped_a_stage_and_velocity_uses_stamped_pairs() {
    let leads = [
        lead("a", [Some(0), Some(2), Some(5)]),
        lead("a", [Some(0), Some(4), None]),
        lead("b", [Some(0), None, None]),
        lead("b", [Some(0), None, Some(10)]), // reached sql without an mql stamp
    ];

    let f = analyze(&stages(), &leads, Some("source")).unwrap();

    // lead -> mql: 4 entered; 3 reached mql or later. mql -> sql: 3 entered; 2 reached sql.
    let (t1, t2) = (&f.transitions[0], &f.transitions[1]);
    assert_eq!((t1.entered, t1.converted, t1.rate), (4, 3, Some(0.75)));
    assert_eq!((t2.entered, t2.converted), (3, 2));
    // Days lead -> mql over stamped pairs: 2 and 4; mql -> sql: only the first lead, 3.
    assert_eq!((t1.median_days, t1.mean_days), (Some(3.0), Some(3.0)));
    assert_eq!(t2.median_days, Some(3.0));
    // Group b: 2 entered, 1 reached mql-or-later; its mql -> sql has 1 entered, 1 converted.
    assert_eq!((f.by["b"][0].entered, f.by["b"][0].converted), (2, 1));
    assert_eq!(f.cohorts[0].month, "2026-10");
}

#[test]
fn an_empty_transition_has_no_rate_rather_than_nan() {
    let leads = [lead("a", [Some(0), None, None])];

    let f = analyze(&stages(), &leads, None).unwrap();

    assert_eq!(f.transitions[1].entered, 0);
    assert_eq!(f.transitions[1].rate, None);
    assert!(serde_json::to_string(&f).unwrap().contains("\"rate\":null"));
}

#[test]
fn only_real_differences_between_groups_are_flagged() {
    // Group x converts 80 of 100 leads, y 20 of 100: z ≈ 8.5, far past any correction.
    // Groups p and q (40/100 vs 42/100) are not different.
    let mut leads = Vec::new();
    for (g, n, k) in [("x", 100, 80), ("y", 100, 20)] {
        for i in 0..n {
            leads.push(lead(g, [Some(0), (i < k).then_some(1), None]));
        }
    }
    let f = analyze(&stages(), &leads, Some("source")).unwrap();
    assert!(
        f.differences
            .iter()
            .any(|d| d.group == "x" && d.from == "lead")
    );

    let mut similar = Vec::new();
    for (g, n, k) in [("p", 100, 40), ("q", 100, 42)] {
        for i in 0..n {
            similar.push(lead(g, [Some(0), (i < k).then_some(1), None]));
        }
    }
    assert!(
        analyze(&stages(), &similar, Some("source"))
            .unwrap()
            .differences
            .is_empty()
    );
}

#[test]
fn priorities_rank_steps_by_the_extra_leads_they_would_bring_to_the_end() {
    let t = |from: &str, to: &str, entered: u64| quarterdeck_analyses::funnel::Transition {
        from: from.into(),
        to: to.into(),
        entered,
        converted: 0,
        rate: None,
        wilson_low: None,
        wilson_high: None,
        median_days: None,
        mean_days: None,
    };
    let steps = [
        t("lead", "mql", 1000),
        t("mql", "sql", 300),
        t("sql", "won", 120),
    ];
    let rates = [Some(0.30), Some(0.40), Some(0.20)];
    let targets = [Some(0.35), Some(0.50), Some(0.15)];

    let p = quarterdeck_analyses::funnel::priorities(&steps, &rates, &targets);

    // lead→mql: 1000 × 0.05 × 0.40 × 0.20 = 4 won; mql→sql: 300 × 0.10 × 0.20 = 6 won;
    // sql→won already beats its target and is not listed.
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].from.as_str(), p[1].from.as_str()), ("mql", "lead"));
    assert!((p[0].extra_final - 6.0).abs() < 1e-9 && (p[1].extra_final - 4.0).abs() < 1e-9);
}
