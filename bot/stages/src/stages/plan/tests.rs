use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use super::risks::{
    FinanceAsk, ForecastGap, PricedAsk, Risk, RiskFigures, Severity, Shortfall, Stretched,
};
use super::{Sources, Summary, SummaryBudget, compute};
use crate::domain::{PlanVersion, QuarterRun};
use crate::sources::DataSet;
use crate::stages::handoff::*;
use crate::stages::{StageInputs, StageOutput};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn inputs(outputs: BTreeMap<u8, Value>) -> StageInputs {
    let mut data = DataSet::default();
    data.insert(
        "objectives.toml",
        "objectives.toml".into(),
        b"revenue_target = 4000000\nmql_target = 1100\ntotal_budget = 1000000\nreserve_share = 0.12\n".to_vec(),
    );
    let due = vec![Utc.with_ymd_and_hms(2026, 12, 24, 14, 0, 0).unwrap(); 12];
    StageInputs {
        run: QuarterRun::new("growth", "2027-Q1", &due),
        tz: chrono_tz::UTC,
        quarter_start: d("2027-01-01"),
        review_start: d("2026-10-01"),
        checkins: Vec::new(),
        data,
        outputs,
        names: Default::default(),
    }
}

fn mql_to_sql_below_benchmark() -> Bottleneck {
    Bottleneck {
        from: "mql".into(),
        to: "sql".into(),
        mature_rate: Some(0.3),
        interval_high: 0.33,
        leads: 800,
        lag_days: 14.0,
        benchmark: 0.39,
        source: "Example benchmark".into(),
    }
}

fn stage(n: u8, handoff: impl serde::Serialize) -> (u8, Value) {
    (
        n,
        json!({"stage": n, "available": true, "headline": format!("stage {n} headline"), "handoff": handoff}),
    )
}

/// A complete set of handoffs, small enough to check by hand.
fn full() -> BTreeMap<u8, Value> {
    BTreeMap::from([
        stage(
            1,
            PerformanceHandoff {
                channels: vec![
                    ChannelResult {
                        channel: "linkedin".into(),
                        spend: 200_000.0,
                        attributed_revenue: 500_000.0,
                        roas: Some(2.5),
                        previous_roas: Some(2.4),
                        platform_revenue: None,
                    },
                    ChannelResult {
                        channel: "display".into(),
                        spend: 100_000.0,
                        attributed_revenue: 60_000.0,
                        roas: Some(0.6),
                        // Fell 40%: with a held budget the falling-return rule fires.
                        previous_roas: Some(1.0),
                        platform_revenue: None,
                    },
                ],
            },
        ),
        stage(
            2,
            FunnelHandoff {
                stages: vec!["lead".into(), "mql".into(), "sql".into()],
                steps: vec![
                    FunnelStep {
                        from: "lead".into(),
                        to: "mql".into(),
                        rate: 0.4,
                        entered: 2000,
                        converted: 800,
                        median_lag_days: Some(5.0),
                    },
                    FunnelStep {
                        from: "mql".into(),
                        to: "sql".into(),
                        rate: 0.3,
                        entered: 800,
                        converted: 240,
                        median_lag_days: Some(9.0),
                    },
                ],
                average_deal: Some(15_000.0),
                leads_by_month: vec![],
                bottlenecks: vec![mql_to_sql_below_benchmark()],
            },
        ),
        stage(
            6,
            BudgetHandoff {
                total: 1_000_000.0,
                reserve: 120_000.0,
                allocatable: 880_000.0,
                // linkedin takes 500k / 880k = 56.8% (> 40%, ≤ 60%: medium).
                channels: vec![
                    ChannelBudget {
                        channel: "linkedin".into(),
                        spend: 500_000.0,
                        last_quarter_spend: 200_000.0,
                        expected_revenue: 1_100_000.0,
                        marginal_roi: 1.4,
                        rationale: "steep curve, far from saturation".into(),
                        ..Default::default()
                    },
                    ChannelBudget {
                        channel: "display".into(),
                        spend: 380_000.0,
                        last_quarter_spend: 100_000.0,
                        expected_revenue: 400_000.0,
                        marginal_roi: 1.4,
                        rationale: "equal marginal return".into(),
                        ..Default::default()
                    },
                ],
                expected_revenue: 1_500_000.0,
                total_basis: "fixed in objectives.toml".into(),
                ..Default::default()
            },
        ),
        stage(
            7,
            GoalsHandoff {
                targets: vec![
                    Target {
                        metric: "revenue".into(),
                        value: 4_000_000.0,
                        basis: "objectives.toml".into(),
                        last_quarter: None,
                        stretch: false,
                        above_history: false,
                    },
                    // 1,300 MQLs against 800 reached: +62.5%, a high stretch.
                    Target {
                        metric: "mqls".into(),
                        value: 1300.0,
                        basis: "SQLs ÷ 30%".into(),
                        last_quarter: None,
                        stretch: true,
                        above_history: false,
                    },
                ],
                milestones: vec![
                    Milestone {
                        month: "2027-01".into(),
                        revenue: 1_900_000.0,
                        pipeline: 3_000_000.0,
                        won: 40.0,
                        opportunities: 100.0,
                        sqls: 120.0,
                        mqls: 870.0,
                        leads: 1_000.0,
                    },
                    Milestone {
                        month: "2027-02".into(),
                        revenue: 2_100_000.0,
                        pipeline: 3_100_000.0,
                        won: 41.0,
                        opportunities: 104.0,
                        sqls: 130.0,
                        mqls: 430.0,
                        leads: 1_100.0,
                    },
                ],
                channel_targets: vec![],
                kpis: vec![Kpi {
                    name: "MQL → SQL".into(),
                    definition: "SQLs ÷ MQLs of the month".into(),
                    source: "leads.csv".into(),
                    cadence: "weekly".into(),
                    owner: Some("Riley Gomez".into()),
                }],
                forecast: None,
                rate_gaps: Vec::new(),
            },
        ),
        stage(
            8,
            CalendarHandoff {
                campaigns: vec![
                    PlannedCampaign {
                        name: "LinkedIn always-on".into(),
                        channel: "linkedin".into(),
                        start: d("2027-01-04"),
                        end: d("2027-03-31"),
                        budget: 500_000.0,
                        owner: "Avery Chen".into(),
                        objective: "pipeline".into(),
                        success_metrics: vec!["cost per SQL below $2,000".into()],
                        kind: "always-on".into(),
                        expected_revenue: 1_100_000.0,
                    },
                    PlannedCampaign {
                        name: "Display always-on".into(),
                        channel: "display".into(),
                        start: d("2027-01-04"),
                        end: d("2027-03-31"),
                        budget: 380_000.0,
                        owner: "Sasha Novak".into(),
                        objective: "pipeline".into(),
                        success_metrics: vec!["cost per SQL below $2,000".into()],
                        kind: "always-on".into(),
                        expected_revenue: 400_000.0,
                    },
                ],
                tests: vec![
                    PlannedTest {
                        kind: "landing page".into(),
                        value: None,
                        name: "Display creative A/B".into(),
                        channel: "display".into(),
                        hypothesis: "Benefit-led creative lifts CTR".into(),
                        metric: "CTR".into(),
                        baseline: 0.004,
                        minimum_detectable_effect: 0.001,
                        sample_size_per_arm: 69_000,
                        start: d("2027-02-01"),
                        // Past the quarter's end: the unfinished-test rule fires.
                        end: d("2027-04-20"),
                        budget: 30_000.0,
                        owner: "Sasha Novak".into(),
                        weeks: 11,
                        funded: true,
                        fits_quarter: false,
                        detectable_in_quarter: None,
                    },
                    PlannedTest {
                        kind: "landing page".into(),
                        value: None,
                        name: "Email landing-page test".into(),
                        channel: "email".into(),
                        hypothesis: "A shorter form lifts conversion".into(),
                        metric: "click → conversion rate".into(),
                        baseline: 0.05,
                        minimum_detectable_effect: 0.005,
                        sample_size_per_arm: 31_234,
                        start: d("2027-01-15"),
                        end: d("2028-03-01"),
                        budget: 0.0,
                        owner: "Quinn Adeyemi".into(),
                        weeks: 63,
                        funded: false,
                        fits_quarter: false,
                        detectable_in_quarter: Some(0.274),
                    },
                ],
                workload: vec![Workload {
                    person: "Avery Chen".into(),
                    role: "demand gen".into(),
                    hours: 500.0,
                    // 500 / 416 = 120.2%: high.
                    capacity_hours: 416.0,
                    creative_hours: 0.0,
                }],
                over_committed: vec![OverCommitment {
                    channel: "email".into(),
                    booked: 31_776.0,
                    allocation: 28_620.0,
                }],
            },
        ),
    ])
}

fn markdown(out: &StageOutput) -> &str {
    &out.plan.as_ref().unwrap().markdown
}

/// The risks stage 10 stored, read back as the typed values they were written from.
fn risks(out: &StageOutput) -> Vec<Risk> {
    serde_json::from_value(out.findings["risks"].clone()).unwrap()
}

/// Each risk's severity and figures, in the stored order.
fn figures(out: &StageOutput) -> Vec<(Severity, RiskFigures)> {
    risks(out)
        .into_iter()
        .map(|r| (r.severity, r.figures))
        .collect()
}

#[test]
fn the_plan_has_nine_sections_with_the_stages_numbers() {
    let out = compute(&inputs(full())).unwrap();
    let md = markdown(&out);

    for (i, title) in [
        "Executive summary",
        "Prior-quarter review",
        "Market landscape",
        "Strategy for the quarter: channels, content, lead generation",
        "Budget allocation",
        "Campaign calendar and testing roadmap",
        "Goals and metrics",
        "Resource plan",
        "Risks and mitigation",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            md.contains(&format!("\n## {}. {title}\n", i + 1)),
            "{title}"
        );
    }
    assert!(md.contains("## Appendix A. Channel plans"));
    assert!(md.contains("## Appendix D. Method and sources"));
    // Budget: envelope, the allocation row of linkedin (200k → 500k is +150%, ROAS
    // 1.1M / 500k = 2.20) and the total row (880k for 1.5M: 1.70).
    assert!(md.contains("| Test reserve (12.0%) | $120,000 |"), "{md}");
    assert!(
        md.contains("| LinkedIn | $200,000 | $500,000 | +150% | $1,100,000 | 2.20 | 1.40 |"),
        "{md}"
    );
    assert!(
        md.contains("| $300,000 | $880,000 |  | $1,500,000 | 1.70 |"),
        "{md}"
    );
    // Funnel steps and the goals' milestones are quoted.
    assert!(
        md.contains("| MQL → SQL | 800 | 240 | 30.0% | 9 days |"),
        "{md}"
    );
    assert!(
        md.contains("| 2027-02 | $2,100,000 | $3,100,000 | 130 | 430 |"),
        "{md}"
    );
    // The unfunded test says what the quarter's traffic could detect instead.
    assert!(
        md.contains("- Not funded: **Email landing-page test** needs 31,234 per arm, about 63 weeks at last quarter's traffic (would end 2028-03-01); within the quarter it could only detect a lift of +27% or more."),
        "{md}"
    );
    // Stages 3, 4, 5 and 9 are not in the outputs: their places say so.
    for n in [3, 4, 5, 9] {
        assert!(
            md.contains(&format!("**Stage {n} ·")) && md.contains("no findings"),
            "stage {n}"
        );
    }
}

#[test]
fn risks_fire_on_their_rules_with_the_figures_that_made_them_fire() {
    let out = compute(&inputs(full())).unwrap();

    let got = figures(&out);

    use RiskFigures::*;
    use Severity::*;
    let gap = |stage| (Medium, DataGap { stage });
    let expected = vec![
        // High first, each severity in rule order. Avery: 500 h of 416 is 120.2% (> 120%).
        (
            High,
            OverCapacity {
                person: "Avery Chen".into(),
                role: "demand gen".into(),
                hours: 500.0,
                capacity_hours: 416.0,
                load: 500.0 / 416.0,
            },
        ),
        // 1,300 MQLs against the 800 stage 2 counted: +62.5% (> 50%). The revenue target
        // has no measured last quarter here, so it is not compared.
        (
            High,
            Stretch {
                against: "2026-Q4".into(),
                targets: vec![Stretched {
                    metric: "mqls".into(),
                    target: 1300.0,
                    reached: 800.0,
                    over: 0.625,
                    above_history: false,
                }],
                rate_gaps: Vec::new(),
            },
        ),
        // 500k and 380k of the 880k allocatable: 56.8% and 43.2%, both within (40%, 60%].
        (
            Medium,
            Concentration {
                channel: "LinkedIn".into(),
                spend: 500_000.0,
                allocatable: 880_000.0,
                share: 500.0 / 880.0,
            },
        ),
        (
            Medium,
            Concentration {
                channel: "Display".into(),
                spend: 380_000.0,
                allocatable: 880_000.0,
                share: 380.0 / 880.0,
            },
        ),
        // Display's ROAS fell 1.0 → 0.6 (−40%) while its budget grew 100k → 380k;
        // linkedin's rose (2.4 → 2.5): no risk for it.
        (
            Medium,
            FallingReturn {
                channel: "Display".into(),
                previous_roas: 1.0,
                roas: 0.6,
                planned: 380_000.0,
                last_quarter_spend: 100_000.0,
            },
        ),
        (
            Medium,
            FunnelBottleneck {
                step: "MQL → SQL".into(),
                measured: mql_to_sql_below_benchmark(),
            },
        ),
        // 31,776 booked against 28,620: 3,156 over.
        (
            Medium,
            OverCommitted {
                channel: "Email".into(),
                booked: 31_776.0,
                allocation: 28_620.0,
                excess: 3_156.0,
            },
        ),
        // Funded and ending 20 April; the unfunded email test is not run, so not a risk.
        (
            Medium,
            UnfinishedTest {
                test: "Display creative A/B".into(),
                sample_size_per_arm: 69_000,
                end: d("2027-04-20"),
                quarter_end: d("2027-03-31"),
            },
        ),
        // Exactly the stages without findings.
        gap(3),
        gap(4),
        gap(5),
        gap(9),
    ];
    assert_eq!(got, expected);
}

#[test]
fn the_html_embeds_the_charts_and_the_post_attaches_the_documents() {
    let out = compute(&inputs(full())).unwrap();
    let plan = out.plan.as_ref().unwrap();
    let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();

    assert_eq!(
        names,
        [
            "plan-roas-by-channel.png",
            "plan-budget-by-channel.png",
            "plan-monthly-milestones.png",
            "plan-v1.html",
            "plan-v1.md",
            "plan-v1.json",
        ]
    );
    assert_eq!(plan.html.matches("src=\"data:image/png;base64,").count(), 3);
    assert!(plan.markdown.contains(
        "![Budget by channel, 2027-Q1 against last quarter](plan-budget-by-channel.png)"
    ));
    assert!(!plan.html.contains("src=\"http"));
    assert_eq!(out.files[3].bytes, plan.html.as_bytes());
    assert_eq!(out.result.plan_hash(), Some(plan.hash.as_str()));
}

#[test]
fn without_findings_the_plan_says_what_is_missing_and_invents_nothing() {
    let out = compute(&inputs(BTreeMap::new())).unwrap();
    let f = &out.findings["figures"];

    // No channel, campaign, test, milestone or content piece in the plan's figures; the
    // document quotes only objectives.toml (its budget, and 12% of it held back).
    assert_eq!(
        out.findings["missing_stages"],
        json!([1, 2, 3, 4, 5, 6, 7, 8, 9])
    );
    assert_eq!(f["budget"]["by_channel"], json!({}));
    let md = markdown(&out);
    assert!(md.contains("$1,000,000") && md.contains("$120,000") && md.contains("$880,000"));
    for list in [
        "campaigns",
        "tests",
        "milestones",
        "channel_targets",
        "content",
    ] {
        assert_eq!(f[list], json!([]), "{list}");
    }
    assert_eq!(
        figures(&out),
        (1..=9)
            .map(|stage| (Severity::Medium, RiskFigures::DataGap { stage }))
            .collect::<Vec<_>>(),
        "one data gap per stage"
    );
    assert!(out.files.iter().all(|f| !f.name.ends_with(".png")));
}

#[test]
fn a_second_version_records_the_change_request_and_diffs_against_the_first() {
    let first = compute(&inputs(full())).unwrap();
    let mut outputs = full();
    // Display's budget cut after the change request.
    let mut budget: BudgetHandoff = serde_json::from_value(outputs[&6]["handoff"].clone()).unwrap();
    // The cut goes to the reserve, and display's campaign shrinks with it: the money
    // still balances.
    budget.channels[1].spend = 300_000.0;
    budget.reserve = 200_000.0;
    budget.allocatable = 800_000.0;
    outputs.insert(6, stage(6, budget).1);
    let mut calendar: CalendarHandoff =
        serde_json::from_value(outputs[&8]["handoff"].clone()).unwrap();
    calendar.campaigns[1].budget = 300_000.0;
    outputs.insert(8, stage(8, calendar).1);
    outputs.insert(10, first.findings.clone());
    let mut second = inputs(outputs);
    second.run.plan_versions.push(PlanVersion {
        version: 1,
        hash: first.plan.as_ref().unwrap().hash.clone(),
        created_at: Utc::now(),
        reason: "first draft".into(),
        figures: None,
        amendments: Vec::new(),
    });
    second.run.pending_changes = vec!["Finance: cut display".into()];

    let out = compute(&second).unwrap();
    let md = markdown(&out);
    let diff = out
        .files
        .iter()
        .find(|f| f.name == "plan-v1-to-v2.diff")
        .expect("a diff is attached");
    let diff = std::str::from_utf8(&diff.bytes).unwrap();

    assert!(md.contains("**Change requested:** Finance: cut display"));
    assert!(diff.starts_with("--- plan-v1.md\n+++ plan-v2.md\n"));
    assert_eq!(out.findings["version"], 2);
    let display =
        |f: &StageOutput| f.findings["figures"]["budget"]["by_channel"]["display"].clone();
    assert_eq!(
        (display(&first), display(&out)),
        (json!(380_000.0), json!(300_000.0))
    );
    assert_eq!(
        out.findings["figures"]["budget"]["reserve"],
        json!(200_000.0)
    );
    assert_ne!(out.result.plan_hash(), first.result.plan_hash());
    let changed = out.findings["changed_sections"].as_array().unwrap();
    assert!(
        changed.iter().any(|s| s == "5. Budget allocation"),
        "{changed:?}"
    );
}

#[test]
fn the_figures_travel_as_plan_json_with_the_contract_keys() {
    let out = compute(&inputs(full())).unwrap();
    let file = out
        .files
        .iter()
        .find(|f| f.name == "plan-v1.json")
        .expect("plan-v1.json is attached");
    let v: Value = serde_json::from_slice(&file.bytes).unwrap();
    for key in [
        "version",
        "hash",
        "quarter",
        "approved_at",
        "budget",
        "campaigns",
        "tests",
        "targets",
        "milestones",
        "channel_targets",
        "content",
        "process_started",
    ] {
        assert!(v.get(key).is_some(), "{key} missing");
    }
    assert_eq!(v["hash"], json!(out.plan.as_ref().unwrap().hash));
    assert_eq!(v["approved_at"], Value::Null);
    // $880,000 over the channels + $120,000 reserve; the funded test's $30,000 is committed.
    assert_eq!(v["budget"]["by_channel"]["display"], json!(380_000.0));
    assert_eq!(v["budget"]["reserve_committed"], json!(30_000.0));
    assert_eq!(v["budget"]["reserve_uncommitted"], json!(90_000.0));
    assert_eq!(v["targets"]["mqls"], json!(1300.0));
    assert_eq!(v["milestones"][0]["revenue"], json!(1_900_000.0));
    assert_eq!(out.findings["figures"], v);
}

#[test]
fn figures_that_do_not_balance_block_the_plan_with_an_error_naming_them() {
    let mut outputs = full();
    let mut calendar: CalendarHandoff =
        serde_json::from_value(outputs[&8]["handoff"].clone()).unwrap();
    calendar.campaigns[1].budget = 379_999.99;
    outputs.insert(8, stage(8, calendar).1);

    let out = compute(&inputs(outputs)).unwrap();

    assert!(out.plan.is_none() && out.result.plan_hash().is_none());
    assert!(!out.result.available);
    let v = &out.findings["violations"];
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(
        (
            &v[0]["kind"],
            &v[0]["channel"],
            &v[0]["campaigns"],
            &v[0]["allocation"]
        ),
        (
            &json!("campaigns_do_not_match_channel"),
            &json!("display"),
            &json!(379_999.99),
            &json!(380_000.0)
        )
    );
    // The post is the blocked one (`post::tests` renders it from a violation).
    assert!(out.result.message.title.ends_with("plan v1 blocked"));
}

#[test]
fn the_posts_key_figures_are_stage_sixs_budget_the_revenue_target_and_stage_eights_calendar() {
    let outputs = full();
    let complete = inputs(outputs.clone());
    let s = Sources::gather(&complete).unwrap();

    // Stage 6: $1,000,000 with $120,000 held back, $1,500,000 expected; objectives.toml's
    // revenue target; stage 8: two campaigns and one of its two tests funded.
    assert_eq!(
        Summary::of(&s),
        Summary {
            budget: Some(SummaryBudget::Allocated {
                total: 1_000_000.0,
                reserve: 120_000.0,
                expected_revenue: 1_500_000.0,
            }),
            revenue_target: Some(4_000_000.0),
            calendar: Some((2, 1)),
        }
    );

    // Without stage 6 the budget is objectives.toml's total, and nothing is allocated.
    let mut without = outputs;
    without.remove(&6);
    without.remove(&8);
    let bare = inputs(without);
    let s = Sources::gather(&bare).unwrap();
    assert_eq!(
        Summary::of(&s).budget,
        Some(SummaryBudget::Stated { total: 1_000_000.0 })
    );
    assert_eq!(Summary::of(&s).calendar, None);
}

#[test]
fn a_target_out_of_reach_is_a_high_risk_and_the_first_decision_asked_of_finance() {
    // Stage 7's forecast: revenue 3,000,000 expected (2,900,000 to 3,100,000) against
    // 4,000,000, short 1,000,000 beyond the interval; closing it takes 400 opportunities,
    // 4,000 leads at 150 a lead (600,000), 1,500 an opportunity.
    let mut outputs = full();
    let mut goals: GoalsHandoff = serde_json::from_value(outputs[&7]["handoff"].clone()).unwrap();
    goals.forecast = Some(Forecast {
        growth: 1.0,
        growth_low: 0.9667,
        growth_high: 1.0333,
        level: 0.9,
        lines: vec![ForecastLine {
            metric: "revenue".into(),
            target: 4_000_000.0,
            last_quarter: 3_000_000.0,
            expected: 3_000_000.0,
            low: 2_900_000.0,
            high: 3_100_000.0,
            shortfall: 1_000_000.0,
            out_of_reach: true,
            extra_leads: 4_000.0,
            extra_opportunities: 400.0,
            cost_to_close: Some(600_000.0),
        }],
        cost_per_lead: Some(150.0),
        cost_per_opportunity: Some(1_500.0),
        basis: "last quarter's actuals × 1.000".into(),
    });
    let (n, seven) = stage(7, goals);
    outputs.insert(n, seven);

    let out = compute(&inputs(outputs)).unwrap();

    let high: Vec<RiskFigures> = figures(&out)
        .into_iter()
        .filter(|(severity, _)| *severity == Severity::High)
        .map(|(_, f)| f)
        .collect();
    let gap = ForecastGap {
        level: 0.9,
        short: vec![Shortfall {
            metric: "revenue".into(),
            expected: 3_000_000.0,
            low: 2_900_000.0,
            high: 3_100_000.0,
            target: 4_000_000.0,
            shortfall: 1_000_000.0,
            beyond_interval: true,
        }],
        ask: FinanceAsk {
            extra_leads: 4_000.0,
            extra_opportunities: 400.0,
            priced: Some(PricedAsk {
                cost: 600_000.0,
                cost_per_lead: 150.0,
                cost_per_opportunity: 1_500.0,
            }),
        },
    };
    assert!(high.contains(&RiskFigures::OutOfReach(gap)), "{high:#?}");
    // The one rendering test of the risks: the executive summary's first decision is
    // this risk's evidence and its ask, in words.
    let risk = risks(&out)
        .into_iter()
        .find(|r| matches!(r.figures, RiskFigures::OutOfReach(_)))
        .unwrap();
    let md = markdown(&out);
    let decisions = md.split("Decisions this plan asks for").nth(1).unwrap();
    let first = decisions.lines().find(|l| l.starts_with("- ")).unwrap();
    assert_eq!(first, format!("- {} {}", risk.evidence, risk.mitigation));
    assert!(
        first.starts_with(
            "- At the planned budget (stage 7's forecast): revenue expected $3,000,000 (90% \
             interval $2,900,000 to $3,100,000) against the target of $4,000,000: short by \
             $1,000,000, beyond the interval. Finance, before approval: fund about $600,000 \
             more for the quarter (≈4,000 more leads and 400 more opportunities, enough to \
             close every gap, at last quarter's $150 a lead and $1,500 an opportunity"
        ),
        "{first}"
    );
    assert!(md.contains("Forecast at the planned budget"));
}

#[test]
fn the_market_section_names_every_channel_stage_five_names_as_the_team_does() {
    let mut outputs = full();
    let (n, market) = stage(
        5,
        MarketHandoff {
            opportunities: Vec::new(),
            threats: vec!["Contoso moved into seo, where 25.9% of our journeys start".into()],
            benchmark_gaps: vec![BenchmarkGap {
                metric: "Lead → MQL (paid_search)".into(),
                ours: 0.2,
                benchmark: 0.3,
                source: "Benchmarks".into(),
            }],
            emerging_channels: Vec::new(),
            channels: vec!["paid_search".into(), "seo".into()],
        },
    );
    outputs.insert(n, market);

    let out = compute(&inputs(outputs)).unwrap();
    let md = markdown(&out);

    // An organic channel (not among stage 1's paid ones) is named too.
    assert!(md.contains("- Contoso moved into SEO, where 25.9%"), "{md}");
    assert!(md.contains("| Lead → MQL (Paid Search) |"), "{md}");
}

#[test]
fn the_stretch_risk_says_why_volumes_grow_faster_than_revenue_as_stage_seven_does() {
    let mut outputs = full();
    let gap = quarterdeck_analyses::goals::RateGap {
        step: "opportunity → won".into(),
        used: 0.332,
        last_quarter: 76.0 / 195.0,
        entered: 195.0,
        converted: 76.0,
    };
    let goals = outputs.get_mut(&7).unwrap();
    goals["handoff"]["rate_gaps"] = serde_json::to_value([&gap]).unwrap();

    let out = compute(&inputs(outputs)).unwrap();
    let md = markdown(&out);

    // 76 ÷ 195 = 39.0%: the sentence stage 7's post writes, quoted by the risk.
    let why = crate::stages::goals::post::rate_gaps(&[gap]).unwrap();
    assert_eq!(
        why,
        "Volumes grow faster than revenue because the targets use stage 2's mature rate \
         below last quarter's own: opportunity → won 33.2% against last quarter's 39.0% \
         (76 of 195)."
    );
    let risk = md
        .lines()
        .find(|l| l.contains("| Stretch targets |"))
        .expect("the stretch risk");
    assert!(risk.contains(&why), "{risk}");
}

#[test]
fn a_hold_back_is_a_risk_with_the_money_in_the_reserve_and_what_releasing_it_brings() {
    let mut outputs = full();
    let held = HeldBack {
        channel: "display".into(),
        share: 0.05,
        amount: 19_000.0,
        revenue_if_released: 11_400.4,
        by: "Sam Okafor".into(),
        group: "sales".into(),
    };
    let budget = outputs.get_mut(&6).unwrap();
    budget["handoff"]["held_back"] = serde_json::to_value([&held]).unwrap();

    let out = compute(&inputs(outputs)).unwrap();

    let risk = risks(&out)
        .into_iter()
        .find(|r| matches!(r.figures, RiskFigures::HeldBack(_)))
        .expect("the hold-back is a risk");
    assert_eq!(risk.severity, Severity::Medium);
    assert_eq!(risk.title, "Display money held back by a change request");
    assert_eq!(
        risk.evidence,
        "Sam Okafor (sales) asked to hold back 5.0% of Display: $19,000 sits in the test \
         reserve; released to Display it would bring about $11,400 more at stage 6's curve."
    );
    assert!(markdown(&out).contains("| Display money held back by a change request |"));
}
