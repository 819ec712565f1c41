//! Stage 6 on the generated sample (whose `truth.json` holds the curves that made the
//! revenue) and on broken variants of its files.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use quarterdeck_analyses::budget::{self, BudgetSpec, ChannelSpec, uncertain};
use quarterdeck_analyses::curves::Curve;
use quarterdeck_analyses::mmm::{self, FittedCurve};
use quarterdeck_analyses::quarter_plan::spec::to_curve;
use serde_json::Value;

use crate::domain::QuarterRun;
use crate::report::money;
use crate::sample::{SampleSpec, generate};
use crate::sources::{DataSet, Objectives, weekly_series};
use crate::stages::handoff::{BudgetHandoff, ChannelBudget};
use crate::stages::{StageInputs, compute};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The sample company planning 2027-Q1 after reviewing 2026-Q4, with its files and truth.
pub(crate) fn sample_inputs(seed: u64) -> (StageInputs, Value) {
    let spec = SampleSpec {
        seed,
        prior_start: date("2026-10-01"),
        prior_end: date("2026-12-31"),
        next_start: date("2027-01-01"),
        next_end: date("2027-03-31"),
    };
    let set = generate(&spec);
    let mut data = DataSet::default();
    let mut truth = Value::Null;
    for (name, text) in &set.files {
        if name == "truth.json" {
            truth = serde_json::from_str(text).unwrap();
        } else {
            data.insert(name, format!("data/{name}"), text.clone().into_bytes());
        }
    }
    let inputs = StageInputs {
        run: QuarterRun::new("growth", "2027-Q1", &[]),
        tz: chrono_tz::UTC,
        quarter_start: spec.next_start,
        review_start: spec.prior_start,
        checkins: Vec::new(),
        data,
        outputs: BTreeMap::new(),
        names: Default::default(),
    };
    (inputs, truth)
}

fn with_file(mut inputs: StageInputs, name: &str, text: &str) -> StageInputs {
    inputs
        .data
        .insert(name, format!("data/{name}"), text.as_bytes().to_vec());
    inputs
}

fn objectives(inputs: &StageInputs) -> String {
    inputs
        .data
        .text("objectives.toml")
        .unwrap()
        .unwrap()
        .to_owned()
}

fn budget(inputs: &StageInputs) -> BudgetHandoff {
    let out = compute(6, inputs).unwrap();
    assert!(out.result.available, "{}", out.result.message.body);
    serde_json::from_value(out.findings["handoff"].clone()).unwrap()
}

/// The true quarter curve of each channel: the generating weekly curve over 13 weeks.
fn true_curves(truth: &Value) -> BTreeMap<String, FittedCurve> {
    truth["media"]["channels"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, c)| {
            let weekly: FittedCurve = serde_json::from_value(c["curve"].clone()).unwrap();
            let decay = c["curve"]["adstock_decay"].as_f64().unwrap();
            (name.clone(), weekly.over_weeks(decay, 13.0))
        })
        .collect()
}

/// Spend per channel in the weekly media rows dated inside 2026-Q4, read straight from
/// the CSV text.
fn q4_spend(inputs: &StageInputs) -> BTreeMap<String, f64> {
    let text = inputs.data.text("weekly_media.csv").unwrap().unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] >= "2026-10-01" && f[0] <= "2026-12-31" {
            *out.entry(f[1].to_owned()).or_insert(0.0) += f[2].parse::<f64>().unwrap();
        }
    }
    out
}

/// Quarter revenue under the true curves for (a) last quarter's mix scaled to the
/// allocatable amount, (b) the proposed split, (c) the true optimum within the same bounds
/// (half to double last quarter's spend, and never below money already booked).
pub(crate) fn quality(seed: u64) -> (f64, f64, f64, BudgetHandoff) {
    let (mut inputs, truth) = sample_inputs(seed);
    // As in a run: stage 1's attributed ROAS is there when stage 6 runs.
    let review = compute(1, &inputs).unwrap();
    inputs.outputs.insert(1, review.findings);
    let truth = true_curves(&truth);
    let b = budget(&inputs);
    let true_revenue = |spend: &dyn Fn(&ChannelBudget) -> f64| {
        b.channels
            .iter()
            .map(|c| truth[&c.channel].response(spend(c)))
            .sum::<f64>()
    };
    let proposed = true_revenue(&|c| c.spend);
    let (mix, optimum) = mix_and_optimum(&b, &truth);
    (mix, proposed, optimum, b)
}

/// Quarter revenue under the true curves of last quarter's mix scaled to the allocatable
/// amount, and of the true optimum within the stage's bounds (half to double last
/// quarter's spend, and never below money already booked).
fn mix_and_optimum(b: &BudgetHandoff, truth: &BTreeMap<String, FittedCurve>) -> (f64, f64) {
    let last: f64 = b.channels.iter().map(|c| c.last_quarter_spend).sum();
    let mix = (b.channels.iter())
        .map(|c| truth[&c.channel].response(c.last_quarter_spend / last * b.allocatable))
        .sum();
    let spec = BudgetSpec {
        total: b.total,
        reserve: b.reserve / b.total,
        allow_reserve_outside_range: true,
        channels: b
            .channels
            .iter()
            .map(|c| {
                let min = (0.5 * c.last_quarter_spend).max(c.booked);
                ChannelSpec {
                    name: c.channel.clone(),
                    min: Some(min),
                    max: Some((2.0 * c.last_quarter_spend).max(min)),
                    historical: None,
                    curve: to_curve(&truth[&c.channel]),
                }
            })
            .collect(),
    };
    (mix, budget::allocate(&spec).unwrap().total_response)
}

/// Per seed, the split's gain over last quarter's mix and the true optimum's (both
/// priced by the true curves), each seed's line printed; asserts the expected gain is
/// never negative and the split never spends below the bookings.
fn gains_over(seeds: &[u64]) -> (Vec<f64>, Vec<f64>) {
    let (mut gains, mut available) = (Vec::new(), Vec::new());
    for &seed in seeds {
        let (mix, proposed, optimum, b) = quality(seed);
        let u = b.uncertainty.as_ref().unwrap();
        println!(
            "seed {seed}: mix {mix:.0}, plan {proposed:.0} ({:+.2}%), true optimum {optimum:.0} \
             ({:+.2}%); share of move {:.2}, P(beats) {:.2}, expected gain {:.0} [{:.0}, {:.0}]",
            (proposed / mix - 1.0) * 100.0,
            (optimum / mix - 1.0) * 100.0,
            u.share_of_move,
            u.probability_beats_last_mix,
            u.expected_gain,
            u.gain_low,
            u.gain_high
        );
        assert!(u.expected_gain >= 0.0, "seed {seed}: {u:?}");
        for c in &b.channels {
            assert!(
                c.spend >= c.booked,
                "seed {seed} {}: {} < booked {}",
                c.channel,
                c.spend,
                c.booked
            );
        }
        gains.push(proposed / mix - 1.0);
        available.push(optimum / mix - 1.0);
    }
    println!(
        "mean gain {:+.2}% of {:+.2}% available ({:.0}% captured); worst {:+.2}%",
        mean(&gains) * 100.0,
        mean(&available) * 100.0,
        mean(&gains) / mean(&available) * 100.0,
        gains.iter().copied().fold(f64::INFINITY, f64::min) * 100.0
    );
    (gains, available)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn over_seven_samples_the_split_never_loses_to_last_quarters_mix_and_takes_half_the_uplift() {
    // Issue 13's bar, priced by the true curves of each generated sample: never worse
    // than last quarter's mix by more than 0.5%, and on average at least half of the
    // uplift the true optimum within the same bounds offers.
    let (gains, available) = gains_over(&[1, 2, 3, 4, 5, 6, 42]);
    assert!(gains.iter().all(|g| *g > -0.005), "{gains:?}");
    assert!(
        mean(&gains) >= 0.5 * mean(&available),
        "{gains:?} against {available:?}"
    );
}

/// One way to set stage 6 in the allocation benchmark: the options the curves are fitted
/// with, and the refits' gain quantiles the move is chosen at (one fit serves them all).
struct Family {
    name: &'static str,
    fit: mmm::Options,
    cautions: &'static [f64],
}

/// The settings issue 13 compares: the default curves at the default caution and at
/// 0.3, 0.4 and 0.5, the former default (hill for every channel, shape prior sd 0.25),
/// each half of that change alone, and the BIC-averaged family.
fn benchmark_families() -> Vec<Family> {
    vec![
        Family {
            name: "default curves",
            fit: mmm::Options::default(),
            cautions: &[uncertain::CAUTION, 0.3, 0.4, 0.5],
        },
        Family {
            name: "hill, sd 0.25",
            fit: mmm::Options {
                saturation: mmm::Shape::Hill,
                shape_prior_sd: Some(0.25),
                ..mmm::Options::default()
            },
            cautions: &[uncertain::CAUTION],
        },
        // Which half of the former default matters: the family or the prior's sd.
        Family {
            name: "hill, sd 0.1365",
            fit: mmm::Options {
                saturation: mmm::Shape::Hill,
                ..mmm::Options::default()
            },
            cautions: &[uncertain::CAUTION],
        },
        Family {
            name: "per channel, sd 0.25",
            fit: mmm::Options {
                shape_prior_sd: Some(0.25),
                ..mmm::Options::default()
            },
            cautions: &[uncertain::CAUTION],
        },
        Family {
            name: "averaged by BIC, sd 0.1365",
            fit: mmm::Options {
                saturation: mmm::Shape::Averaged,
                ..mmm::Options::default()
            },
            cautions: &[uncertain::CAUTION],
        },
    ]
}

/// One seed priced by its true curves: last quarter's mix, each setting's split (in
/// [`benchmark_families`]' order, cautions inside families) and the true optimum.
#[derive(Clone)]
struct Priced {
    seed: u64,
    mix: f64,
    splits: Vec<f64>,
    optimum: f64,
}

fn price_settings(seed: u64, families: &[Family]) -> Priced {
    let (mut inputs, truth) = sample_inputs(seed);
    let review = compute(1, &inputs).unwrap();
    inputs.outputs.insert(1, review.findings);
    let truth = true_curves(&truth);
    let objectives = Objectives::read(&inputs.data).unwrap().unwrap();
    let media = inputs.data.table("weekly_media.csv").unwrap().unwrap();
    let revenue = inputs.data.table("weekly_revenue.csv").unwrap().unwrap();
    let controls = inputs.data.table("controls.csv").unwrap();
    let series = weekly_series(&media, &revenue, controls.as_ref()).unwrap();
    let mut splits = Vec::new();
    let mut reference = None;
    for family in families {
        let plan = super::plan_with(&series, &objectives, &inputs, "m", "o", &family.fit)
            .unwrap()
            .unwrap();
        let (point, draws) = super::budget_curves(&plan.curves);
        let optimum: Vec<f64> = plan.allocation.channels.iter().map(|c| c.spend).collect();
        let baseline: Vec<f64> = (plan.allocation.historical_mix.as_ref().unwrap().channels)
            .iter()
            .map(|c| c.spend)
            .collect();
        for &caution in family.cautions {
            let level = plan.curves.interval_level;
            let judges: [&[Vec<Curve>]; 2] = [&draws, &plan.other_family_draws];
            let chosen = uncertain::choose_judged_by(
                &baseline, &optimum, &point, &draws, &judges, level, caution,
            );
            if caution == uncertain::CAUTION {
                // The move re-chosen here is the stage's own.
                assert_eq!(chosen, plan.decision, "seed {seed}, {}", family.name);
            }
            let revenue: f64 = (plan.handoff.channels.iter().zip(&chosen.spend))
                .map(|(c, x)| truth[&c.channel].response(*x))
                .sum();
            splits.push(revenue);
        }
        reference.get_or_insert(plan.handoff);
    }
    let (mix, optimum) = mix_and_optimum(&reference.unwrap(), &truth);
    Priced {
        seed,
        mix,
        splits,
        optimum,
    }
}

/// Mean gain, share of the optimum's mean uplift, worst seed and the counts below −0.5%
/// and below 0 of one setting, as a markdown row.
fn summary_row(name: &str, priced: &[Priced], setting: usize) -> String {
    let gains: Vec<(u64, f64)> = (priced.iter())
        .map(|p| (p.seed, p.splits[setting] / p.mix - 1.0))
        .collect();
    let available: Vec<f64> = priced.iter().map(|p| p.optimum / p.mix - 1.0).collect();
    let values: Vec<f64> = gains.iter().map(|(_, g)| *g).collect();
    let (worst_seed, worst) = (gains.iter().copied())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    format!(
        "| {name} | {:+.2}% | {:.0}% | {:+.2}% (seed {worst_seed}) | {} | {} |",
        mean(&values) * 100.0,
        mean(&values) / mean(&available) * 100.0,
        worst * 100.0,
        values.iter().filter(|g| **g < -0.005).count(),
        values.iter().filter(|g| **g < 0.0).count(),
    )
}

/// Seeds of the allocation benchmark: `BENCHMARK_SEEDS=first-last` (inclusive), 1–40
/// when unset.
fn benchmark_seeds() -> Vec<u64> {
    let range = std::env::var("BENCHMARK_SEEDS").unwrap_or_else(|_| "1-40".into());
    let (first, last) = range
        .split_once('-')
        .expect("BENCHMARK_SEEDS: expected first-last, e.g. 1-40");
    (first.trim().parse().unwrap()..=last.trim().parse().unwrap()).collect()
}

/// Issue 13's measure over many samples and several settings at once
/// (docs/data/benchmarks.md §6): per seed each setting's gain over last quarter's mix
/// and the true optimum's, then per setting the mean, the share of the uplift, the worst
/// seed and the seeds below −0.5% and below 0, over all seeds and over those no setting
/// was chosen on (all but 1–6 and 42). Printed, not held to the bar.
/// `cargo test --workspace many_samples -- --ignored --nocapture` (about 2 s a seed);
/// `BENCHMARK_SEEDS=7-13` runs a subset.
#[test]
#[ignore = "benchmark: prints each setting's figures over seeds 1-40 (about 1.5 minutes)"]
fn over_many_samples_each_setting_is_priced_against_the_truth() {
    let families = benchmark_families();
    let names: Vec<String> = (families.iter())
        .flat_map(|f| (f.cautions.iter()).map(move |c| format!("{}, caution {c}", f.name)))
        .collect();
    let mut priced = Vec::new();
    for seed in benchmark_seeds() {
        let p = price_settings(seed, &families);
        let gains: Vec<String> = (p.splits.iter())
            .map(|r| format!("{:+.2}%", (r / p.mix - 1.0) * 100.0))
            .collect();
        println!(
            "seed {seed}: true optimum {:+.2}%; {}",
            (p.optimum / p.mix - 1.0) * 100.0,
            gains.join(", ")
        );
        priced.push(p);
    }
    let chosen_on = [1, 2, 3, 4, 5, 6, 42];
    let held_out: Vec<Priced> = (priced.iter())
        .filter(|p| !chosen_on.contains(&p.seed))
        .cloned()
        .collect();
    for (label, set) in [
        ("all seeds", &priced),
        ("seeds no setting was chosen on", &held_out),
    ] {
        if set.is_empty() {
            continue;
        }
        let available: Vec<f64> = set.iter().map(|p| p.optimum / p.mix - 1.0).collect();
        println!(
            "\n{label} ({} seeds; the true optimum gains {:+.2}% on average)\n\
             | Setting | Mean gain | Share of the uplift | Worst seed | Below −0.5% | Below 0 |\n\
             |---|---|---|---|---|---|",
            set.len(),
            mean(&available) * 100.0
        );
        for (i, name) in names.iter().enumerate() {
            println!("{}", summary_row(name, set, i));
        }
    }
    assert!(
        priced
            .iter()
            .all(|p| p.splits.iter().all(|r| r.is_finite()))
    );
}

#[test]
fn a_planted_lift_test_pulls_a_badly_identified_channel_to_the_truth() {
    // Seed 42: display's history alone gives ROAS 2.98 with interval 0.00–7.39 (poorly
    // identified); the truth is 1.20. A holdout that measured 1.20 (90%: 1.00–1.40)
    // should bring the calibrated estimate within 10% of it.
    let (inputs, truth) = sample_inputs(42);
    let true_roas = truth["media"]["channels"]["display"]["target_roas"]
        .as_f64()
        .unwrap();
    assert_eq!(true_roas, 1.2);
    let display = |inputs: &StageInputs| {
        let out = compute(6, inputs).unwrap();
        out.findings["calibration"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "display")
            .unwrap()
            .clone()
    };
    let before = display(&inputs);
    assert_eq!(before["identification"], "poorly");
    assert!(
        (before["roas"].as_f64().unwrap() / true_roas - 1.0).abs() > 0.5,
        "{before}"
    );
    let experiments = inputs
        .data
        .text("experiments.csv")
        .unwrap()
        .unwrap()
        .to_owned()
        + "display,2026-Q3,1.20,1.00,1.40,0.9\n";
    let planted = with_file(inputs, "experiments.csv", &experiments);

    let after = display(&planted);

    let roas = after["roas"].as_f64().unwrap();
    assert!((roas / true_roas - 1.0).abs() < 0.10, "{after}");
    assert!(
        after["roas_high"].as_f64().unwrap() - after["roas_low"].as_f64().unwrap() < 1.0,
        "{after}"
    );
    assert_eq!(after["history_roas"], before["history_roas"]);
    let b = budget(&planted);
    let d = b.channels.iter().find(|c| c.channel == "display").unwrap();
    assert_eq!(d.roas, roas);
}

#[test]
fn a_holdout_is_proposed_for_the_least_identified_channel_on_the_sample() {
    let (inputs, _) = sample_inputs(42);
    let b = budget(&inputs);
    let widest = b
        .channels
        .iter()
        .max_by(|x, y| {
            ((x.roas_high - x.roas_low) / x.roas).total_cmp(&((y.roas_high - y.roas_low) / y.roas))
        })
        .unwrap();
    let h = b.holdout.as_ref().unwrap();
    assert_eq!(h.channel, widest.channel);
    assert_eq!(widest.identification, "poorly identified");
    assert!(h.weeks >= 1 && h.test_spend > 0.0, "{h:?}");
    assert!(h.roas_low <= h.roas && h.roas <= h.roas_high, "{h:?}");
}

#[test]
fn a_lift_test_on_an_unknown_channel_names_experiments_csv() {
    let (inputs, _) = sample_inputs(42);
    let inputs = with_file(
        inputs,
        "experiments.csv",
        "channel,period,incremental_roas,roas_low,roas_high\ntiktok,2026-Q3,2,1,3\n",
    );
    let e = error(&inputs);
    assert!(e.starts_with("data/experiments.csv: "), "{e}");
    assert!(e.contains("`tiktok`") && e.contains("paid_search"), "{e}");
}

#[test]
fn true_roas_lies_in_the_fitted_interval_and_the_portfolio_estimate_is_close() {
    let (inputs, truth) = sample_inputs(42);

    let out = compute(6, &inputs).unwrap();

    let mut fitted_return = 0.0;
    let mut true_return = 0.0;
    for c in out.findings["curves"]["channels"].as_array().unwrap() {
        let name = c["channel"].as_str().unwrap();
        let t = truth["media"]["channels"][name]["target_roas"]
            .as_f64()
            .unwrap();
        let (low, high) = (
            c["roas_low"].as_f64().unwrap(),
            c["roas_high"].as_f64().unwrap(),
        );
        assert!(
            low <= t && t <= high,
            "{name}: true {t} outside {low}–{high}"
        );
        let spend = c["spend"].as_f64().unwrap();
        fitted_return += c["roas"].as_f64().unwrap() * spend;
        true_return += t * spend;
    }
    // Channel ROAS are noisy; their spend-weighted sum (total media revenue) is the
    // figure the allocation's level rests on: within 25% of the truth.
    let ratio = fitted_return / true_return;
    assert!(
        (0.75..1.25).contains(&ratio),
        "fitted / true media revenue {ratio:.3}"
    );
}

#[test]
fn the_allocation_sums_to_the_allocatable_amount_to_the_cent_within_bounds() {
    let (inputs, _) = sample_inputs(7);
    let last = q4_spend(&inputs);

    let b = budget(&inputs);

    // Seed 7's objectives.toml: total_budget = 1430000, reserve_share = 0.12 → 171,600
    // held back, 1,258,400 to allocate.
    assert!(objectives(&inputs).contains("total_budget = 1430000\n"));
    assert_eq!(b.total, 1_430_000.0);
    assert_eq!(b.reserve, 171_600.0);
    assert_eq!(b.allocatable, 1_258_400.0);
    let cents: i64 = b
        .channels
        .iter()
        .map(|c| (c.spend * 100.0).round() as i64)
        .sum();
    assert_eq!(cents, 125_840_000);
    assert_eq!(b.channels.len(), 7);
    for c in &b.channels {
        let l = last[&c.channel];
        assert!((c.last_quarter_spend - l).abs() < 0.01, "{}", c.channel);
        // Default bounds: half to double last quarter's spend (a cent of rounding).
        assert!(
            c.spend >= 0.5 * l - 0.01 && c.spend <= 2.0 * l + 0.01,
            "{}",
            c.channel
        );
    }
}

#[test]
fn a_grown_total_is_capped_by_finance_and_channel_bounds_follow_the_budget_table() {
    let (inputs, _) = sample_inputs(7);
    let last = q4_spend(&inputs);
    let base = objectives(&inputs);
    let kept: Vec<&str> = base
        .lines()
        .filter(|l| {
            !["total_budget", "growth_factor", "finance_cap"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .collect();
    let text = "growth_factor = 1.2\nfinance_cap = 1300000\n".to_owned()
        + &kept.join("\n")
        + "\n[budget]\nmax_vs_last_quarter = 1.5\n[budget.channels.email]\nmin = 60000\nmax = 60000\n";
    let inputs = with_file(inputs, "objectives.toml", &text);

    let b = budget(&inputs);

    // Last quarter's spend × 1.2 is well above 1.3M (q4_spend sums to about 1.14M), so
    // finance's cap is the total.
    assert!(last.values().sum::<f64>() * 1.2 > 1_300_000.0);
    assert_eq!(b.total, 1_300_000.0);
    assert!(b.total_basis.contains("capped"), "{}", b.total_basis);
    let email = b.channels.iter().find(|c| c.channel == "email").unwrap();
    assert_eq!(email.spend, 60_000.0);
    for c in b.channels.iter().filter(|c| c.channel != "email") {
        assert!(c.spend <= 1.5 * last[&c.channel] + 0.01, "{}", c.channel);
    }
}

fn error(inputs: &StageInputs) -> String {
    match compute(6, inputs) {
        Err(e) => e.to_string(),
        Ok(out) => panic!("expected an error, got {}", out.result.message.body),
    }
}

#[test]
fn bad_budget_settings_are_errors_that_name_objectives_toml_and_the_fix() {
    let (inputs, _) = sample_inputs(7);
    let base = objectives(&inputs);
    for (change, expected) in [
        (
            base.clone() + "\n[budget.channels.tiktok]\nmax = 5\n",
            "`budget.channels.tiktok`: expected one of the channels in data/weekly_media.csv",
        ),
        (
            base.replace("reserve_share = 0.12", "reserve_share = 0.2"),
            "outside the 10–15% planning rule",
        ),
        (
            base.clone() + "\n[budget]\nmin_vs_last_quarter = 1.5\nmax_vs_last_quarter = 3\n",
            "lower [budget] min_vs_last_quarter",
        ),
        (
            base.clone() + "\n[budget]\nmax_vs_last_quarter = 0.6\n",
            "raise [budget] max_vs_last_quarter",
        ),
        (
            base.clone() + "\n[budget]\nmin_vs_last_quarter = \"half\"\n",
            "min_vs_last_quarter",
        ),
    ] {
        let e = error(&with_file(inputs.clone(), "objectives.toml", &change));
        assert!(e.starts_with("data/objectives.toml: "), "{e}");
        assert!(e.contains(expected), "{expected}: {e}");
    }
}

#[test]
fn a_bad_spend_cell_names_the_file_row_and_column() {
    let (inputs, _) = sample_inputs(7);
    let media = inputs.data.text("weekly_media.csv").unwrap().unwrap();
    // Row 3 of the file (header = row 1) is the second data row.
    let mut lines: Vec<String> = media.lines().map(str::to_owned).collect();
    lines[2] = "2025-01-13,paid_search,lots".into();
    let inputs = with_file(inputs, "weekly_media.csv", &(lines.join("\n") + "\n"));

    let e = error(&inputs);

    assert!(e.contains("weekly_media.csv"), "{e}");
    assert!(e.contains("row 3"), "{e}");
    assert!(e.contains("spend"), "{e}");
    assert!(e.contains("lots"), "{e}");
}

#[test]
fn without_weekly_revenue_or_a_stated_budget_the_stage_says_what_it_cannot_do() {
    let (inputs, _) = sample_inputs(7);
    let mut no_revenue = inputs.clone();
    let mut data = DataSet::default();
    for name in ["weekly_media.csv", "controls.csv", "objectives.toml"] {
        let text = inputs.data.text(name).unwrap().unwrap();
        data.insert(name, name.into(), text.as_bytes().to_vec());
    }
    no_revenue.data = data;
    let no_total = with_file(
        inputs.clone(),
        "objectives.toml",
        &objectives(&inputs)
            .replace("total_budget = 1430000\n", "")
            .replace("growth_factor = 1.08\n", ""),
    );

    for (inputs, absent, reason) in [
        (no_revenue, Some("weekly_revenue.csv"), "weekly_revenue.csv"),
        (no_total, None, "neither total_budget nor growth_factor"),
    ] {
        let out = compute(6, &inputs).unwrap();
        assert!(!out.result.available);
        // The stored findings (what the post and the plan quote): the reason, each input
        // with its row count (none when absent), and no handoff.
        let f = &out.findings;
        assert!(f.get(crate::stages::handoff::KEY).is_none(), "{f}");
        assert!(f["reason"].as_str().unwrap().contains(reason), "{f}");
        let rows = |file: &str| {
            f["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["file"] == file)
                .unwrap()["rows"]
                .clone()
        };
        assert!(rows("weekly_media.csv").is_u64(), "{f}");
        if let Some(file) = absent {
            assert!(rows(file).is_null(), "{f}");
        }
    }
}

#[test]
fn the_post_attaches_the_spend_chart_and_compares_both_baselines() {
    let (inputs, _) = sample_inputs(7);

    let out = compute(6, &inputs).unwrap();

    let files: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(files, ["budget-by-channel.png", "marginal-roi.png"]);
    assert!(out.files.iter().all(|f| f.bytes.starts_with(b"\x89PNG")));
    // The one rendering test of stage 6's post: the handoff's total and both baselines'
    // revenue, through the one formatter.
    let md = out.result.message.to_markdown();
    let h: BudgetHandoff = serde_json::from_value(out.findings["handoff"].clone()).unwrap();
    let response = |baseline: &str| {
        money(
            out.findings["allocation"][baseline]["total_response"]
                .as_f64()
                .unwrap(),
        )
    };
    assert!(md.contains(&format!("**{}**", money(h.total))), "{md}");
    assert!(
        md.contains(&format!(
            "| Last quarter's mix, scaled | {} |",
            response("historical_mix")
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| In proportion to average ROI | {} |",
            response("roi_proportional")
        )),
        "{md}"
    );
}

#[test]
fn over_seven_samples_the_forecast_interval_holds_the_true_change_the_split_brings() {
    // Stage 7's forecast rests on the change in media-driven revenue from last quarter's
    // actual spend to the planned split; the true change is priced by the generating
    // curves (steady-state quarter) at the same two spends.
    let mut covered = 0;
    let mut revenue_covered = 0;
    let seeds = [1, 2, 3, 4, 5, 6, 42];
    for seed in seeds {
        let (mut inputs, truth) = sample_inputs(seed);
        let review = compute(1, &inputs).unwrap();
        inputs.outputs.insert(1, review.findings);
        let truth = true_curves(&truth);
        let b = budget(&inputs);
        let q4 = q4_spend(&inputs);
        let priced = |spend: &dyn Fn(&ChannelBudget) -> f64| {
            b.channels
                .iter()
                .map(|c| truth[&c.channel].response(spend(c)))
                .sum::<f64>()
        };
        let true_change = priced(&|c| c.spend) - priced(&|c| q4[&c.channel]);
        let o = b.outlook.as_ref().unwrap();
        let u = b.uncertainty.as_ref().unwrap();
        let true_planned = priced(&|c| c.spend);
        println!(
            "seed {seed}: change {:.0} [{:.0}, {:.0}], truth {true_change:.0}; media \
             [{:.0}, {:.0}], truth {true_planned:.0}",
            o.change, o.change_low, o.change_high, u.revenue_low, u.revenue_high
        );
        assert!(
            o.change_low <= o.change && o.change <= o.change_high,
            "{o:?}"
        );
        if o.change_low <= true_change && true_change <= o.change_high {
            covered += 1;
        }
        if u.revenue_low <= true_planned && true_planned <= u.revenue_high {
            revenue_covered += 1;
        }
    }
    println!(
        "90% intervals: change covered on {covered} of 7 seeds, media revenue on {revenue_covered}"
    );
    // A 90% interval misses a seed in ten; on seven seeds, five covered is the least a
    // calibrated interval gives with probability above 0.97 (binomial 7, 0.9).
    assert!(covered >= 5, "{covered} of 7");
    assert!(revenue_covered >= 5, "{revenue_covered} of 7");
}

/// Sales' request in the simulated quarter: hold back 5% of paid social.
fn hold_back_paid_social() -> crate::domain::Amendment {
    crate::domain::Amendment {
        kind: crate::domain::AmendmentKind::HoldBack {
            channel: "paid_social".into(),
            share: 0.05,
        },
        by: crate::domain::Actor::new("u-sam", "Sam", &["sales"]),
        group: "sales".into(),
        on_version: 1,
        at: chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 12, 15, 0, 0).unwrap(),
        note: None,
    }
}

#[test]
fn a_hold_back_moves_the_channel_and_its_rationale_and_findings_say_so() {
    let (inputs, _) = sample_inputs(42);
    let v1 = budget(&inputs);
    let (mut inputs, _) = sample_inputs(42);
    inputs.run.amendments = vec![hold_back_paid_social()];

    let out = compute(6, &inputs).unwrap();

    let v2: BudgetHandoff = serde_json::from_value(out.findings["handoff"].clone()).unwrap();
    let social = |h: &BudgetHandoff| {
        h.channels
            .iter()
            .find(|c| c.channel == "paid_social")
            .unwrap()
            .clone()
    };
    let (was, now) = (social(&v1), social(&v2));
    // 5% of paid social's v1 money, to the cent, unless that would cut into its bookings.
    let was_cents = (was.spend * 100.0).round();
    let held = (was_cents * 0.05)
        .round()
        .min(was_cents - (was.booked * 100.0).round());
    assert_eq!((now.spend * 100.0).round(), was_cents - held);
    assert!(
        now.rationale.ends_with(&format!(
            "; then {} → {} by the change requests applied",
            money(was.spend),
            money(now.spend)
        )),
        "{}",
        now.rationale
    );
    let others_moved = v2
        .channels
        .iter()
        .filter(|c| c.channel != "paid_social")
        .any(|c| c.rationale.contains("change requests"));
    assert!(!others_moved);
    assert_eq!(
        out.findings[crate::stages::amendments::APPLIED][0]
            .as_str()
            .unwrap(),
        format!(
            "hold back 5% of Paid Social in the test reserve (Sam, sales): Paid Social {} → {}; \
             reserve {} → {}",
            crate::report::cents(was.spend),
            crate::report::cents(now.spend),
            crate::report::cents(v1.reserve),
            crate::report::cents(v2.reserve)
        )
    );
}

#[test]
fn a_moved_split_is_priced_again_so_version_two_states_its_own_figures() {
    let (inputs, _) = sample_inputs(42);
    let v1 = budget(&inputs);
    let (mut inputs, _) = sample_inputs(42);
    inputs.run.amendments = vec![hold_back_paid_social()];

    let v2 = budget(&inputs);

    // Only the held-back channel's revenue and margin move; the total is their sum.
    for (a, b) in v1.channels.iter().zip(&v2.channels) {
        let moved = a.channel == "paid_social";
        assert_eq!(
            a.expected_revenue != b.expected_revenue,
            moved,
            "{}",
            a.channel
        );
        assert_eq!(a.marginal_roi != b.marginal_roi, moved, "{}", a.channel);
    }
    let sum: f64 = v2.channels.iter().map(|c| c.expected_revenue).sum();
    assert_eq!(v2.expected_revenue, sum);
    assert!(v2.expected_revenue < v1.expected_revenue);
    // The outlook stage 7 forecasts from is the moved split's: its planned media revenue
    // is the split's expected revenue, and its change moved by exactly the revenue lost.
    let (o1, o2) = (v1.outlook.clone().unwrap(), v2.outlook.clone().unwrap());
    assert!(
        (o2.media_planned - v2.expected_revenue).abs() < 0.01,
        "{o2:?}"
    );
    let lost = v1.expected_revenue - v2.expected_revenue;
    assert!(
        ((o1.change - o2.change) - lost).abs() < 0.01,
        "{o1:?} {o2:?}"
    );
    // The confidence is the moved split's too: less money in media gains less over the
    // same last-quarter mix, and the move's own figures (how far it went) stay.
    let (u1, u2) = (
        v1.uncertainty.clone().unwrap(),
        v2.uncertainty.clone().unwrap(),
    );
    assert!(u2.expected_gain < u1.expected_gain, "{u1:?} {u2:?}");
    assert!(u2.revenue_high < u1.revenue_high, "{u1:?} {u2:?}");
    assert_eq!(u2.share_of_move, u1.share_of_move);
    assert_eq!(u2.full_move_probability, u1.full_move_probability);
    // Released, the money held back would bring back what the channel lost: its spend
    // returns to v1's.
    let held = &v2.held_back[0];
    let social = |h: &BudgetHandoff| {
        h.channels
            .iter()
            .find(|c| c.channel == "paid_social")
            .map(|c| c.expected_revenue)
            .unwrap()
    };
    assert!(
        (held.revenue_if_released - (social(&v1) - social(&v2))).abs() < 0.01,
        "{held:?}"
    );
    assert!(held.revenue_if_released > 0.0 && v1.held_back.is_empty());
}

/// How the structural benchmark judges the move towards the per-channel optimum: by the
/// refits of which fits (indices into [`structural_fits`]), pooled into one set or each
/// set on its own (the smallest of their gains three refits in four exceed).
struct Judge {
    name: &'static str,
    fits: &'static [usize],
    pooled: bool,
}

/// The fits the structural benchmark draws refits from: the default (per-channel family,
/// the reported curves and target), hill for every channel, logistic for every channel.
fn structural_fits() -> Vec<mmm::Options> {
    let family = |saturation| mmm::Options {
        saturation,
        ..mmm::Options::default()
    };
    vec![
        mmm::Options::default(),
        family(mmm::Shape::Hill),
        family(mmm::Shape::Logistic),
    ]
}

fn structural_judges() -> Vec<Judge> {
    let judge = |name, fits, pooled| Judge { name, fits, pooled };
    vec![
        judge("default (own refits)", &[0], false),
        judge("pooled per-channel + hill", &[0, 1], true),
        judge("pooled per-channel + hill + logistic", &[0, 1, 2], true),
        judge("pooled hill + logistic", &[1, 2], true),
        judge("min of per-channel, hill", &[0, 1], false),
        judge("min of per-channel, hill, logistic", &[0, 1, 2], false),
        judge("min of hill, logistic", &[1, 2], false),
    ]
}

fn price_structural(seed: u64, judges: &[Judge]) -> Priced {
    let (mut inputs, truth) = sample_inputs(seed);
    let review = compute(1, &inputs).unwrap();
    inputs.outputs.insert(1, review.findings);
    let truth = true_curves(&truth);
    let objectives = Objectives::read(&inputs.data).unwrap().unwrap();
    let media = inputs.data.table("weekly_media.csv").unwrap().unwrap();
    let revenue = inputs.data.table("weekly_revenue.csv").unwrap().unwrap();
    let controls = inputs.data.table("controls.csv").unwrap();
    let series = weekly_series(&media, &revenue, controls.as_ref()).unwrap();
    let plans: Vec<_> = (structural_fits().iter())
        .map(|fit| {
            super::plan_with(&series, &objectives, &inputs, "m", "o", fit)
                .unwrap()
                .unwrap()
        })
        .collect();
    let draws: Vec<Vec<Vec<Curve>>> = (plans.iter())
        .map(|p| super::budget_curves(&p.curves).1)
        .collect();
    let plan = &plans[0];
    let (point, _) = super::budget_curves(&plan.curves);
    let optimum: Vec<f64> = plan.allocation.channels.iter().map(|c| c.spend).collect();
    let baseline: Vec<f64> = (plan.allocation.historical_mix.as_ref().unwrap().channels)
        .iter()
        .map(|c| c.spend)
        .collect();
    let level = plan.curves.interval_level;
    let splits = (judges.iter())
        .map(|j| {
            let sets: Vec<Vec<Vec<Curve>>> = if j.pooled {
                vec![j.fits.iter().flat_map(|f| draws[*f].clone()).collect()]
            } else {
                j.fits.iter().map(|f| draws[*f].clone()).collect()
            };
            let judged: Vec<&[Vec<Curve>]> = sets.iter().map(Vec::as_slice).collect();
            let chosen = uncertain::choose_judged_by(
                &baseline,
                &optimum,
                &point,
                &draws[0],
                &judged,
                level,
                uncertain::CAUTION,
            );
            if j.fits == [0, 1] && !j.pooled {
                // The stage's own rule.
                assert_eq!(chosen, plan.decision, "seed {seed}, {}", j.name);
            }
            (plan.handoff.channels.iter().zip(&chosen.spend))
                .map(|(c, x)| truth[&c.channel].response(*x))
                .sum()
        })
        .collect();
    let (mix, optimum) = mix_and_optimum(&plan.handoff, &truth);
    Priced {
        seed,
        mix,
        splits,
        optimum,
    }
}

/// Issue 13's structural-uncertainty idea over many samples: the split still moves
/// towards the per-channel curves' optimum, but the move is judged by the refits of
/// other curve families too (pooled, or the smallest of each family's gains three refits
/// in four exceed). Printed, not held to the bar.
/// `cargo test --workspace structural -- --ignored --nocapture`; `BENCHMARK_SEEDS` as above.
#[test]
#[ignore = "benchmark: prints each structural judge's figures over seeds 1-40"]
fn over_many_samples_the_move_judged_by_both_curve_families_is_priced_against_the_truth() {
    let judges = structural_judges();
    let mut priced = Vec::new();
    for seed in benchmark_seeds() {
        let p = price_structural(seed, &judges);
        let gains: Vec<String> = (p.splits.iter())
            .map(|r| format!("{:+.2}%", (r / p.mix - 1.0) * 100.0))
            .collect();
        println!(
            "seed {seed}: true optimum {:+.2}%; {}",
            (p.optimum / p.mix - 1.0) * 100.0,
            gains.join(", ")
        );
        priced.push(p);
    }
    let available: Vec<f64> = priced.iter().map(|p| p.optimum / p.mix - 1.0).collect();
    println!(
        "\n{} seeds; the true optimum gains {:+.2}% on average\n\
         | Judge | Mean gain | Share of the uplift | Worst seed | Below −0.5% | Below 0 |\n\
         |---|---|---|---|---|---|",
        priced.len(),
        mean(&available) * 100.0
    );
    for (i, j) in judges.iter().enumerate() {
        println!("{}", summary_row(j.name, &priced, i));
    }
    assert!(
        priced
            .iter()
            .all(|p| p.splits.iter().all(|r| r.is_finite()))
    );
}
