//! Campaign ROI on a two-channel fixture worked by hand (arithmetic in the comments).

use std::collections::BTreeMap;

use quarterdeck_analyses::roi::{
    CampaignPlan, Delivery, Outcomes, Period, RoiParams, SpendLine, Verdict, analyze,
};

fn line(period: Period, channel: &str, campaign: &str, spend: f64, platform: f64) -> SpendLine {
    SpendLine {
        period,
        channel: channel.into(),
        campaign: campaign.into(),
        spend,
        platform_revenue: Some(platform),
        delivery: Delivery::default(),
    }
}

fn plan(campaign: &str, channel: &str, planned: f64) -> CampaignPlan {
    CampaignPlan {
        period: Period::Current,
        campaign: campaign.into(),
        channel: channel.into(),
        owner: "Avery".into(),
        planned_budget: planned,
    }
}

fn fixture() -> quarterdeck_analyses::roi::Roi {
    use Period::{Current, Previous};
    let spend = [
        line(Current, "search", "S1", 600.0, 3000.0),
        line(Current, "search", "S2", 400.0, 2000.0),
        line(Current, "display", "D1", 500.0, 1500.0),
        line(Previous, "search", "S0", 1000.0, 0.0),
        line(Previous, "display", "D0", 500.0, 0.0),
    ];
    let plans = [
        plan("S1", "search", 800.0),
        plan("S2", "search", 200.0),
        plan("D1", "display", 1000.0),
    ];
    let outcome = |a: f64| Outcomes {
        attributed_revenue: Some(a),
        ..Outcomes::default()
    };
    let outcomes = BTreeMap::from([
        (
            (Current, "search".to_owned()),
            Outcomes {
                mqls: 20.0,
                sqls: 10.0,
                won: 4.0,
                won_revenue: 2500.0,
                pipeline: 8000.0,
                attributed_revenue: Some(3000.0),
            },
        ),
        ((Current, "display".to_owned()), outcome(300.0)),
        ((Previous, "search".to_owned()), outcome(4000.0)),
        ((Previous, "display".to_owned()), outcome(250.0)),
    ]);
    analyze(&spend, &plans, &outcomes, &RoiParams::default())
}

#[test]
fn channel_figures_follow_their_definitions() {
    let r = fixture();
    let search = r.channels.iter().find(|c| c.channel == "search").unwrap();

    // Spend 1,000 against 1,000 planned; attributed revenue 3,000 -> ROAS 3, ROI 2.
    assert_eq!(
        (search.spend, search.planned, search.utilisation),
        (1000.0, 1000.0, Some(1.0))
    );
    assert_eq!(
        (search.roas, search.roi, search.platform_roas),
        (Some(3.0), Some(2.0), Some(5.0))
    );
    // 1,000 / 20 MQLs, / 10 SQLs, / 4 customers; pipeline 8,000 / 1,000.
    assert_eq!(
        (
            search.cost_per_mql,
            search.cost_per_sql,
            search.cac,
            search.pipeline_roas
        ),
        (Some(50.0), Some(100.0), Some(250.0), Some(8.0))
    );
    // Previous ROAS 4,000 / 1,000 = 4 -> change 3/4 - 1 = -25%.
    assert_eq!(
        (search.previous_roas, search.roas_change),
        (Some(4.0), Some(-0.25))
    );
    // Portfolio: (3,000 + 300) / 1,500 = 2.2.
    assert!((r.portfolio_roas.unwrap() - 2.2).abs() < 1e-12);
}

#[test]
fn findings_are_ranked_by_money_at_stake_within_each_verdict() {
    let r = fixture();

    let order: Vec<(Verdict, &str, f64)> = r
        .findings
        .iter()
        .map(|f| (f.verdict, f.subject.as_str(), f.weight))
        .collect();

    // Worked: search 3.0 >= 1.25 × 2.2 = 2.75, weight (3 − 2.2) × 1,000 = 800.
    // Didn't: search fell 25% (0.25 × 1,000 = 250); display ROAS 0.6 (0.4 × 500 = 200).
    // Watch: platform over-claims search 5,000 vs 3,000 (2,000) and display 1,500 vs 300
    // (1,200); D1 used 50% (500 unspent); S1 75% and S2 200% (200 each).
    let expected = [
        (Verdict::Worked, "search", 800.0),
        (Verdict::DidNotWork, "search", 250.0),
        (Verdict::DidNotWork, "display", 200.0),
        (Verdict::Watch, "search", 2000.0),
        (Verdict::Watch, "display", 1200.0),
        (Verdict::Watch, "D1", 500.0),
        (Verdict::Watch, "S1", 200.0),
        (Verdict::Watch, "S2", 200.0),
    ];
    assert_eq!(order.len(), expected.len(), "{order:?}");
    for (got, want) in order.iter().zip(expected) {
        assert!(
            got.0 == want.0 && got.1 == want.1 && (got.2 - want.2).abs() < 1e-9,
            "{got:?} vs {want:?}"
        );
    }
    assert!(
        r.findings[1].rule.contains("fell 25%"),
        "{}",
        r.findings[1].rule
    );
}

#[test]
fn delivery_ratios_use_only_the_rows_that_report_them() {
    // Two search rows report delivery: 10,000 + 30,000 impressions, 200 + 400 clicks,
    // 10 + 20 conversions on 300 + 900 spend; a third row (500 spend) reports nothing.
    // CTR = 600/40,000 = 1.5%; CPC = 1,200/600 = 2; CPA = 1,200/30 = 40.
    let with = |spend: f64, i: f64, c: f64, k: f64| SpendLine {
        delivery: Delivery {
            impressions: Some(i),
            clicks: Some(c),
            conversions: Some(k),
        },
        ..line(Period::Current, "search", "a", spend, 0.0)
    };
    let spend = [
        with(300.0, 10_000.0, 200.0, 10.0),
        with(900.0, 30_000.0, 400.0, 20.0),
        line(Period::Current, "search", "b", 500.0, 0.0),
        line(Period::Current, "email", "c", 100.0, 0.0),
    ];

    let r = analyze(&spend, &[], &Default::default(), &RoiParams::default());

    let search = r.channels.iter().find(|c| c.channel == "search").unwrap();
    assert_eq!(
        (
            search.impressions,
            search.clicks,
            search.platform_conversions
        ),
        (Some(40_000.0), Some(600.0), Some(30.0))
    );
    assert!((search.ctr.unwrap() - 0.015).abs() < 1e-15);
    assert_eq!((search.cpc, search.platform_cpa), (Some(2.0), Some(40.0)));
    let email = r.channels.iter().find(|c| c.channel == "email").unwrap();
    assert_eq!(
        (email.impressions, email.ctr, email.cpc),
        (None, None, None)
    );
}

#[test]
fn learnings_name_the_best_and_worst_return_the_over_report_and_the_off_plan_spend() {
    // search: 1,000 spend, 4,000 attributed (ROAS 4), platform 4,000; social: 1,000
    // spend, 500 attributed (0.5), platform 2,000 (4× over); plan 800 each, so search
    // (125%) and social (125%) are both off plan by 200: 400 in all.
    let spend = [
        line(Period::Current, "search", "s", 1_000.0, 4_000.0),
        line(Period::Current, "social", "o", 1_000.0, 2_000.0),
    ];
    let plans = [plan("s", "search", 800.0), plan("o", "social", 800.0)];
    let mut outcomes = std::collections::BTreeMap::new();
    for (ch, rev) in [("search", 4_000.0), ("social", 500.0)] {
        outcomes.insert(
            (Period::Current, ch.to_owned()),
            Outcomes {
                attributed_revenue: Some(rev),
                ..Default::default()
            },
        );
    }
    let p = RoiParams::default();
    let r = analyze(&spend, &plans, &outcomes, &p);

    let l = quarterdeck_analyses::roi::learnings(&r, &p, str::to_uppercase, |x| format!("${x:.0}"));

    assert_eq!(l.len(), 3, "{l:?}");
    assert!(
        l[0].contains("SEARCH returned 4.00") && l[0].contains("0.50 in SOCIAL"),
        "{}",
        l[0]
    );
    assert!(
        l[1].starts_with("SOCIAL's platform reports 4.0×"),
        "{}",
        l[1]
    );
    assert!(l[2].contains("SEARCH, SOCIAL ($400 in all)"), "{}", l[2]);
}
