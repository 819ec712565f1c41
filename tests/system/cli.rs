//! The command line's contract for bad input: exit code 2, nothing on stdout, one
//! message naming what was wrong, and nothing half-written.

use crate::helpers::{assert_bad_input, quarterdeck};
use std::process::Command;

#[test]
fn an_unknown_time_zone_is_refused_naming_the_argument() {
    let out = quarterdeck(&["timeline", "--quarter", "2027-Q1", "--tz", "Mars/Olympus"]);

    assert_bad_input(&out, &["--tz", "Mars/Olympus", "IANA"]);
}

#[test]
fn a_malformed_quarter_is_refused_naming_the_argument() {
    let out = quarterdeck(&["timeline", "--quarter", "2027-Q5", "--tz", "UTC"]);

    assert_bad_input(&out, &["--quarter", "2027-Q5"]);
}

#[test]
fn a_bad_config_file_is_refused_naming_the_key_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    // A team block states only what differs from the defaults; a wrong type is refused.
    std::fs::write(
        &cfg,
        "[[teams]]\nname = \"x\"\ncheckin_window_hours = \"soon\"\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");

    let out = quarterdeck(&[
        "simulate",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);

    assert_bad_input(&out, &["teams", "checkin_window_hours"]);
    assert!(!out_dir.exists());
}

#[test]
fn a_bad_cron_in_the_environment_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["simulate", "--out"])
        .arg(dir.path().join("o"))
        .env("QUARTERDECK_TEAMS__0__CHECKIN_CRON", "61 9 * * Mon")
        .output()
        .unwrap();

    assert_bad_input(&out, &["teams[0].checkin_cron", "61 9 * * Mon"]);
}

#[test]
fn a_missing_data_folder_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");

    let out = quarterdeck(&[
        "simulate",
        "--data",
        "/nonexistent/qd-data",
        "--out",
        out_dir.to_str().unwrap(),
    ]);

    assert_bad_input(&out, &["--data", "/nonexistent/qd-data"]);
}

#[test]
fn timeline_json_has_the_contract_keys() {
    let out = quarterdeck(&[
        "timeline",
        "--quarter",
        "2027-Q1",
        "--tz",
        "America/New_York",
        "--format",
        "json",
    ]);

    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Exactly the contract's keys, plus the documented `plan_deadline_utc`.
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "checkins",
            "ends",
            "plan_deadline_local",
            "plan_deadline_utc",
            "quarter",
            "stages",
            "starts",
            "tz",
        ]
    );
    assert_eq!(v["starts"], "2027-01-01");
    assert_eq!(v["ends"], "2027-03-31");
    assert_eq!(v["stages"].as_array().unwrap().len(), 12);
}

#[test]
fn a_malformed_campaign_file_is_refused_naming_file_row_and_column_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("campaigns.csv"),
        "campaign,channel,start,end,planned_budget,owner,objective\nSpring,email,2027-01-04,2027-13-01,1000,Avery,pipeline\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");

    let out = quarterdeck(&[
        "simulate",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);

    assert_bad_input(&out, &["campaigns.csv", "row 2", "`end`", "2027-13-01"]);
    assert!(!out_dir.exists());
}

#[test]
fn attribution_json_has_the_contract_keys_and_the_classic_markov_credits() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("paths.csv");
    std::fs::write(&f, "path;total_conversions;total_conversion_value;total_null\nC1 > C2 > C3;1;100;0\nC1;0;0;1\nC2 > C3;0;0;1\n").unwrap();

    let out = quarterdeck(&[
        "analyze",
        "attribution",
        "--paths",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for m in [
        "first",
        "last",
        "linear",
        "time_decay",
        "position",
        "shapley",
        "markov",
    ] {
        assert_eq!(v["models"][m].as_array().unwrap().len(), 3, "{m}");
    }
    // The classic example: Markov credits 0.2 / 0.4 / 0.4 (derivation in analyses/tests).
    let markov: Vec<f64> = v["models"]["markov"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversions"].as_f64().unwrap())
        .collect();
    assert!(
        (markov[0] - 0.2).abs() < 1e-12 && (markov[1] - 0.4).abs() < 1e-12,
        "{markov:?}"
    );
    assert_eq!(v["removal_effects"][0]["channel"], "C1");
    assert_eq!(v["total_value"], 100.0);
}

#[test]
fn a_bad_attribution_file_is_refused_naming_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("paths.csv");
    std::fs::write(
        &f,
        "path,total_conversions,total_conversion_value,total_null\nA > B,1,10,0\nA,one,0,1\n",
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "attribution",
        "--paths",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);

    assert_bad_input(
        &out,
        &["paths.csv", "row 3", "`total_conversions`", "\"one\""],
    );
}

#[test]
fn an_out_of_range_markov_order_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("paths.csv");
    std::fs::write(
        &f,
        "path,total_conversions,total_conversion_value,total_null\nA > B,1,10,0\n",
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "attribution",
        "--paths",
        f.to_str().unwrap(),
        "--markov-order",
        "5",
    ]);

    assert_bad_input(&out, &["markov order must be 1 to 4, found 5"]);
}

#[test]
fn funnel_json_has_the_contract_keys_and_hand_counted_rates() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("leads.csv");
    // Three leads reach mql; two of them reach sql, one without an mql stamp (a gap).
    std::fs::write(
        &f,
        "lead_id,created_at,source,mql_at,sql_at\nL1,2026-10-01,seo,2026-10-03,2026-10-08\nL2,2026-10-01,seo,2026-10-05,\nL3,2026-10-02,email,,\nL4,2026-10-02,email,,2026-10-12\n",
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "funnel",
        "--leads",
        f.to_str().unwrap(),
        "--by",
        "source",
        "--format",
        "json",
    ]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stages"], serde_json::json!(["lead", "mql", "sql"]));
    let t0 = &v["transitions"][0];
    assert_eq!(
        (t0["entered"].as_u64(), t0["converted"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(t0["rate"], 0.75);
    // lead -> mql days over stamped pairs: 2 and 4.
    assert_eq!(t0["median_days"], 3.0);
    for k in ["wilson_low", "wilson_high", "mean_days"] {
        assert!(t0[k].is_number(), "{k}");
    }
    assert_eq!(v["by"]["email"][0]["entered"], 2);
    assert_eq!(v["cohorts"][0]["month"], "2026-10");
}

#[test]
fn roi_of_a_one_channel_quarter_matches_hand_arithmetic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("spend.csv"),
        "Day,channel,Campaign,Cost,revenue\n2026-10-05,search,S1,1000,5000\n",
    )
    .unwrap();
    std::fs::write(d.join("campaigns.csv"), "campaign,channel,start,end,planned_budget,owner,objective\nS1,search,2026-10-01,2026-12-31,1250,Avery,pipeline\n").unwrap();
    std::fs::write(d.join("touchpoints.csv"), "journey_id,timestamp,channel\nj1,2026-10-05T10:00:00Z,search\nj2,2026-10-07T10:00:00Z,search\n").unwrap();
    std::fs::write(
        d.join("conversions.csv"),
        "journey_id,timestamp,value\nj1,2026-10-06T10:00:00Z,3000\n",
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "roi",
        "--data",
        d.to_str().unwrap(),
        "--quarter",
        "2026-Q4",
        "--format",
        "json",
    ]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let search = &v["channels"][0];
    // One channel gets all of the $3,000: ROAS 3,000 / 1,000; budget use 1,000 / 1,250.
    assert_eq!(
        (
            search["roas"].as_f64(),
            search["utilisation"].as_f64(),
            search["platform_roas"].as_f64()
        ),
        (Some(3.0), Some(0.8), Some(5.0))
    );
    // The platform claims 5,000 against 3,000 attributed (+67%); 80% budget use is under 85%.
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.iter().any(|r| r.contains("67% more revenue")),
        "{rules:?}"
    );
    assert!(
        rules.iter().any(|r| r.starts_with("under-spent: 80%")),
        "{rules:?}"
    );
}

#[test]
fn roi_reads_aggregated_paths_when_there_are_no_touch_level_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("spend.csv"),
        "date,channel,campaign,spend\n2026-10-05,search,S1,1000\n2026-10-05,social,O1,500\n",
    )
    .unwrap();
    std::fs::write(d.join("campaigns.csv"), "campaign,channel,start,end,planned_budget,owner\nS1,search,2026-10-01,2026-12-31,1000,Avery\nO1,social,2026-10-01,2026-12-31,500,Kai\n").unwrap();
    // Converting journeys worth 4,000 and 1,000: every model hands out exactly the total
    // value, so the channels' attributed revenue sums to 5,000.
    std::fs::write(
        d.join("paths.csv"),
        "path,total_conversions,total_conversion_value,total_null\nsocial > search,2,4000,3\nsearch > social,1,1000,4\n",
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "roi",
        "--data",
        d.to_str().unwrap(),
        "--quarter",
        "2026-Q4",
        "--format",
        "json",
    ]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let revenue: f64 = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["revenue"].as_f64().unwrap())
        .sum();
    assert!((revenue - 5_000.0).abs() < 1e-6, "{revenue}");
}

#[test]
fn lead_scoring_evaluates_a_points_score_and_names_a_bad_target_cell() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("leads.csv");
    // Points 10..90; the two highest convert: AUC 1, and 25% of 4 leads = the top lead (90).
    std::fs::write(
        &f,
        "lead_id,score,converted\nA,10,0\nB,40,0\nC,70,1\nD,90,1\n",
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "lead-scoring",
        "--leads",
        f.to_str().unwrap(),
        "--target",
        "converted",
        "--score-column",
        "score",
        "--mql-rate",
        "0.25",
        "--format",
        "json",
    ]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["n"].as_u64(), v["positives"].as_u64(), v["auc"].as_f64()),
        (Some(4), Some(2), Some(1.0))
    );
    assert_eq!(v["threshold_for_mql_rate"], 90.0);
    assert_eq!(v["score_scale"], 100.0);
    // Brier on points/100: ((0.1)² + (0.4)² + (0.3)² + (0.1)²)/4 = 0.0675.
    assert!((v["brier"].as_f64().unwrap() - 0.0675).abs() < 1e-12);
    for k in ["log_loss", "ece", "hosmer_lemeshow", "deciles"] {
        assert!(v.get(k).is_some(), "{k}");
    }

    // Yes/No and True/False are flags; anything else is refused.
    std::fs::write(&f, "lead_id,score,converted\nA,10,maybe\n").unwrap();
    let out = quarterdeck(&[
        "analyze",
        "lead-scoring",
        "--leads",
        f.to_str().unwrap(),
        "--target",
        "converted",
        "--score-column",
        "score",
    ]);
    assert_bad_input(&out, &["leads.csv", "row 2", "`converted`", "maybe"]);
}

#[test]
fn lead_scoring_fits_the_closed_form_maximum_likelihood_and_reports_separation() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("leads.csv");
    // One binary feature: 3 of 10 convert at x = 0, 7 of 10 at x = 1. The maximum
    // likelihood fit reproduces both rates: intercept = logit(0.3) = ln(3/7), slope =
    // logit(0.7) − logit(0.3) = 2·ln(7/3).
    let mut csv = String::from("lead_id,webinar,converted\n");
    for i in 0..20 {
        let x = i / 10;
        let y = if x == 0 { i < 3 } else { i < 17 };
        csv.push_str(&format!("L{i},{x},{}\n", u8::from(y)));
    }
    std::fs::write(&f, csv).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "analyze",
            "lead-scoring",
            "--leads",
            f.to_str().unwrap(),
            "--target",
            "converted",
        ];
        args.extend_from_slice(extra);
        quarterdeck(&args)
    };

    let out = run(&["--features", "webinar", "--format", "json"]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let coef = |name: &str| {
        v["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["feature"] == name)
            .unwrap()["coef"]
            .as_f64()
            .unwrap()
    };
    assert!((coef("intercept") - (3.0f64 / 7.0).ln()).abs() < 1e-8);
    assert!((coef("webinar") - 2.0 * (7.0f64 / 3.0).ln()).abs() < 1e-8);
    // Two distinct scores, 0.3 and 0.7: AUC = P(pos > neg) + ½·P(tie) over the 10 × 10
    // pairs: 7 positives at 0.7 beat 7 negatives at 0.3 (49); ties at 0.3 (3 × 7) and at
    // 0.7 (7 × 3): (49 + ½·42) / 100 = 0.70.
    assert!((v["auc"].as_f64().unwrap() - 0.70).abs() < 1e-12);

    std::fs::write(
        &f,
        "lead_id,webinar,converted\nA,1,0\nB,2,0\nC,3,1\nD,4,1\n",
    )
    .unwrap();
    let separable = run(&["--features", "webinar"]);
    let penalised = run(&["--features", "webinar", "--l2", "1", "--format", "json"]);

    assert_bad_input(&separable, &["leads.csv", "separat", "--l2"]);
    assert!(penalised.status.success());
}

#[test]
fn budget_splits_identical_concave_channels_evenly_and_holds_the_reserve_back() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("budget.toml");
    // Two identical Michaelis–Menten curves: by symmetry and concavity the optimum splits
    // the allocatable 1,000,000 × (1 − 0.12) = 880,000 evenly, 440,000 each, where the
    // marginal ROI is l·k/(k+x)² = 900,000·150,000/590,000² ≈ 0.3878.
    let channel = |name: &str| {
        format!(
            "[[channel]]\nname = \"{name}\"\nhistorical = 300000\ncurve = {{ kind = \"michaelis-menten\", l = 900000, k = 150000 }}\n"
        )
    };
    std::fs::write(
        &spec,
        format!(
            "total = 1000000\nreserve = 0.12\n{}{}",
            channel("search"),
            channel("social")
        ),
    )
    .unwrap();

    let out = quarterdeck(&[
        "analyze",
        "budget",
        "--spec",
        spec.to_str().unwrap(),
        "--format",
        "json",
    ]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["allocatable"].as_f64().unwrap() - 880_000.0).abs() < 1e-6);
    assert!((v["reserve"].as_f64().unwrap() - 120_000.0).abs() < 1e-6);
    for c in v["channels"].as_array().unwrap() {
        assert!(
            (c["spend"].as_f64().unwrap() - 440_000.0).abs() < 1e-3,
            "{c}"
        );
        let m = 900_000.0 * 150_000.0 / 590_000f64.powi(2);
        assert!(
            (c["marginal_roi"].as_f64().unwrap() - m).abs() < 1e-9,
            "{c}"
        );
    }
    // Equal historical spend: last quarter's mix is the optimum here.
    assert!(
        (v["historical_mix"]["total_response"].as_f64().unwrap()
            - v["total_response"].as_f64().unwrap())
        .abs()
            < 1e-6
    );
    assert!(v["roi_proportional"]["total_response"].is_number());

    std::fs::write(
        &spec,
        format!("total = 1000000\nreserve = 0.3\n{}", channel("search")),
    )
    .unwrap();
    let out = quarterdeck(&["analyze", "budget", "--spec", spec.to_str().unwrap()]);
    assert_bad_input(&out, &["budget.toml", "reserve", "10–15%"]);

    // Without any `historical` spend there is no last-quarter mix: the key says so.
    std::fs::write(
        &spec,
        "total = 1000000\nreserve = 0.12\n[[channel]]\nname = \"search\"\ncurve = { kind = \"michaelis-menten\", l = 900000, k = 150000 }\n",
    )
    .unwrap();
    let out = quarterdeck(&[
        "analyze",
        "budget",
        "--spec",
        spec.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_object().unwrap().contains_key("historical_mix"));
    assert!(v["historical_mix"].is_null());
    // One channel takes everything allocatable.
    assert!((v["channels"][0]["spend"].as_f64().unwrap() - 880_000.0).abs() < 1e-6);
}

#[test]
fn sample_size_matches_r_power_prop_test_and_power_t_test() {
    let json = |args: &[&str]| {
        let mut all = vec!["analyze", "sample-size", "--format", "json"];
        all.extend_from_slice(args);
        let out = quarterdeck(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };

    // R: power.prop.test(p1 = .50, p2 = .75, power = .90) -> n = 76.7 (closed form
    // (1.959964·√(2·0.625·0.375) + 1.281552·√(0.25·0.5+0.75·0.25))² / 0.25² = 76.7069).
    let p = json(&[
        "--baseline",
        "0.5",
        "--mde",
        "0.25",
        "--absolute",
        "--power",
        "0.9",
    ]);
    // R: power.t.test(power = .90, delta = 1) -> n = 22.02110.
    let t = json(&[
        "--mean",
        "10",
        "--sd",
        "1",
        "--mde",
        "1",
        "--absolute",
        "--power",
        "0.9",
    ]);

    assert!((p["exact"].as_f64().unwrap() - 76.7069).abs() < 1e-3, "{p}");
    assert_eq!(
        (p["per_arm"].as_u64(), p["total"].as_u64()),
        (Some(77), Some(154))
    );
    assert!(
        (t["exact"].as_f64().unwrap() - 22.02110).abs() < 1e-3,
        "{t}"
    );
    assert_eq!(t["per_arm"].as_u64(), Some(23));

    let out = quarterdeck(&[
        "analyze",
        "sample-size",
        "--baseline",
        "1.5",
        "--mde",
        "0.1",
    ]);
    assert_bad_input(&out, &["baseline", "between 0 and 1"]);
}

#[test]
fn response_curves_have_the_contract_keys_and_a_stray_week_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let (spend, outcome) = (dir.path().join("spend.csv"), dir.path().join("revenue.csv"));
    let mut s = String::from("date,channel,spend\n");
    let mut o = String::from("date,revenue\n");
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    for w in 0..60 {
        let d = start + chrono::Duration::weeks(w);
        let (a, b) = (
            1000.0 + 400.0 * ((w * 7 % 11) as f64),
            500.0 + 300.0 * ((w * 5 % 7) as f64),
        );
        s.push_str(&format!("{d},search,{a}\n{d},social,{b}\n"));
        let y = 20_000.0 + 3.0 * a / (1.0 + a / 4000.0) + 2.0 * b / (1.0 + b / 3000.0);
        o.push_str(&format!("{d},{y}\n"));
    }
    std::fs::write(&spend, &s).unwrap();
    std::fs::write(&outcome, &o).unwrap();
    let run = || {
        quarterdeck(&[
            "analyze",
            "response-curves",
            "--spend",
            spend.to_str().unwrap(),
            "--outcome",
            outcome.to_str().unwrap(),
            "--format",
            "json",
        ])
    };

    let out = run();

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["r2"].as_f64().unwrap() > 0.999, "{}", v["r2"]);
    // Noise-free data from known curves (no carry-over): each channel's fitted weekly
    // curve is its generating one across the spend it saw, and its ROAS is the true one.
    let truth = |channel: &str| match channel {
        "search" => (12_000.0, 4_000.0, 1_000.0, 5_000.0),
        _ => (6_000.0, 3_000.0, 500.0, 2_300.0),
    };
    let weekly = |c: &serde_json::Value, x: f64| {
        let f = |k: &str| c["weekly_curve"][k].as_f64().unwrap();
        match c["weekly_curve"]["kind"].as_str().unwrap() {
            "hill" => f("beta") / (1.0 + (f("gamma") / x).powf(f("alpha"))),
            _ => f("beta") * (f("lambda") * x / 2.0).tanh(),
        }
    };
    for c in v["channels"].as_array().unwrap() {
        let name = c["channel"].as_str().unwrap();
        let (l, k, low, high) = truth(name);
        let (mut contribution, mut spent) = (0.0, 0.0);
        for line in s.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            if cells[1] != name {
                continue;
            }
            let x: f64 = cells[2].parse().unwrap();
            contribution += l * x / (k + x);
            spent += x;
        }
        let roas = c["roas"].as_f64().unwrap();
        assert!(
            (roas / (contribution / spent) - 1.0).abs() < 0.01,
            "{name}: ROAS {roas}, true {}",
            contribution / spent
        );
        assert!(c["adstock_decay"].as_f64().unwrap() < 0.02, "{name}: {c}");
        for step in 0..=10 {
            let x = low + (high - low) * f64::from(step) / 10.0;
            let (fitted, true_y) = (weekly(c, x), l * x / (k + x));
            assert!(
                (fitted / true_y - 1.0).abs() < 0.01,
                "{name} at {x}: fitted {fitted}, true {true_y}"
            );
        }
    }
    for c in v["channels"].as_array().unwrap() {
        for k in [
            "channel",
            "roas",
            "roas_low",
            "roas_high",
            "marginal_roas",
            "adstock_decay",
        ] {
            assert!(c.get(k).is_some(), "{k}");
        }
        assert!(c["curve"]["kind"].is_string());
    }

    std::fs::write(&spend, format!("{s}2030-01-07,search,5\n")).unwrap();
    assert_bad_input(&run(), &["spend.csv", "row 122", "2030-01-07"]);
}

#[test]
fn each_stage_one_input_file_with_a_bad_cell_is_refused_naming_file_row_and_column() {
    let good = [
        (
            "spend.csv",
            "date,channel,campaign,spend\n2026-10-05,search,S1,1000\n",
        ),
        (
            "campaigns.csv",
            "campaign,channel,start,end,planned_budget,owner\nS1,search,2026-10-01,2026-12-31,1250,Avery\n",
        ),
        (
            "touchpoints.csv",
            "journey_id,timestamp,channel\nj1,2026-10-05T10:00:00Z,search\n",
        ),
        (
            "conversions.csv",
            "journey_id,timestamp,value\nj1,2026-10-06T10:00:00Z,3000\n",
        ),
        (
            "leads.csv",
            "lead_id,created_at,mql_at,source\nL1,2026-10-02,2026-10-04,search\n",
        ),
    ];
    let bad = [
        (
            "spend.csv",
            "date,channel,campaign,spend\n2026-10-05,search,S1,-5\n",
            "row 2",
            "`spend`",
        ),
        (
            "touchpoints.csv",
            "journey_id,timestamp,channel\nj1,yesterday,search\n",
            "row 2",
            "`timestamp`",
        ),
        (
            "conversions.csv",
            "journey_id,timestamp,value\nj1,2026-10-06T10:00:00Z,a lot\n",
            "row 2",
            "`value`",
        ),
        (
            "leads.csv",
            "lead_id,created_at,mql_at,source\nL1,2026-10-02,soon,search\n",
            "row 2",
            "`mql_at`",
        ),
    ];

    for (file, text, row, column) in bad {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in good {
            std::fs::write(
                dir.path().join(name),
                if name == file { text } else { body },
            )
            .unwrap();
        }

        let out = quarterdeck(&[
            "analyze",
            "roi",
            "--data",
            dir.path().to_str().unwrap(),
            "--quarter",
            "2026-Q4",
        ]);

        assert_bad_input(&out, &[file, row, column]);
    }
}
