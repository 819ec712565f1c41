//! Stage 8 on a hand-made quarter and on the generated sample (after stage 6 ran on it).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use quarterdeck_analyses::sample_size::{self, Metric, Params};

use super::campaigns::{self, Span};
use crate::ics::unfold;
use crate::stages::budget::tests::sample_inputs;
use crate::stages::handoff::{BudgetHandoff, CalendarHandoff, ChannelBudget};
use crate::stages::{StageInputs, StageOutput, compute};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn with_file(mut inputs: StageInputs, name: &str, text: &str) -> StageInputs {
    inputs
        .data
        .insert(name, format!("data/{name}"), text.as_bytes().to_vec());
    inputs
}

/// The sample with stage 6's findings in place.
fn planned_sample(seed: u64) -> StageInputs {
    let (mut inputs, _) = sample_inputs(seed);
    let six = compute(6, &inputs).unwrap();
    inputs.outputs.insert(6, six.findings);
    inputs
}

fn calendar(out: &StageOutput) -> CalendarHandoff {
    assert!(out.result.available, "{}", out.result.message.body);
    serde_json::from_value(out.findings["handoff"].clone()).unwrap()
}

fn channel(name: &str, spend: f64) -> ChannelBudget {
    ChannelBudget {
        channel: name.into(),
        spend,
        last_quarter_spend: spend,
        expected_revenue: 2.0 * spend,
        marginal_roi: 1.5,
        rationale: String::new(),
        ..Default::default()
    }
}

/// A hand-made quarter: one channel, 1,000.01 to split, one always-on and one flight.
fn hand_inputs() -> StageInputs {
    let (mut inputs, _) = sample_inputs(7);
    let budget = BudgetHandoff {
        total: 1136.37,
        reserve: 136.36,
        allocatable: 1000.01,
        channels: vec![channel("search", 1000.01)],
        expected_revenue: 2000.02,
        total_basis: "fixed".into(),
        ..Default::default()
    };
    inputs
        .outputs
        .insert(6, serde_json::json!({ "handoff": budget }));
    with_file(
        inputs,
        "campaigns.csv",
        "campaign,channel,start,end,planned_budget,owner,objective\n\
         Search AO,search,2026-10-01,2026-12-31,300,A,pipeline\n\
         Search burst,search,2026-10-15,2026-11-26,100,B,revenue\n\
         Old,search,2026-07-01,2026-09-30,999,A,pipeline\n",
    )
}

#[test]
fn a_channel_is_split_like_last_quarter_with_flights_moved_to_the_same_offset() {
    let out = compute(8, &hand_inputs()).unwrap();

    let h = calendar(&out);

    // 100,001 cents by 300:100 = 75,000.75 and 25,000.25; the leftover cent goes to the
    // larger remainder (0.75): $750.01 and $250.00.
    let got: Vec<(&str, f64, NaiveDate, NaiveDate, &str)> = h
        .campaigns
        .iter()
        .map(|c| {
            (
                c.kind.as_str(),
                c.budget,
                c.start,
                c.end,
                c.objective.as_str(),
            )
        })
        .collect();
    // The flight ran 14 days after 2026-10-01 for 42 days: 2027-01-15 to 2027-02-26.
    assert_eq!(
        got,
        [
            (
                "always-on",
                750.01,
                date("2027-01-01"),
                date("2027-03-31"),
                "pipeline"
            ),
            (
                "flight",
                250.0,
                date("2027-01-15"),
                date("2027-02-26"),
                "revenue"
            ),
        ]
    );
    assert_eq!(h.campaigns[0].name, "2027-Q1 Search always-on");
    // "search" is not in the role map: demand gen or paid media manage it.
    let owners: Vec<&str> = h.campaigns.iter().map(|c| c.owner.as_str()).collect();
    assert!(
        owners
            .iter()
            .all(|o| ["Avery Chen", "Sasha Novak"].contains(o)),
        "{owners:?}"
    );
}

#[test]
fn a_booking_that_runs_into_the_quarter_is_taken_out_of_the_channel_budget() {
    // The programme runs 2026-12-02 to 2027-02-09: 70 days, 40 of them in 2027-Q1, so
    // 700 × 40 / 70 = $400.00 of it is committed. The other $600.01 splits 300:100 like
    // last quarter: 60,001 cents → 45,000.75 and 15,000.25 → $450.01 and $150.00.
    let base = hand_inputs();
    let csv = "campaign,channel,start,end,planned_budget,owner,objective\n\
               Search AO,search,2026-10-01,2026-12-31,300,A,pipeline\n\
               Search burst,search,2026-10-15,2026-11-26,100,B,revenue\n\
               Search 2027 programme,search,2026-12-02,2027-02-09,700,C,retention\n";
    let inputs = with_file(base.clone(), "campaigns.csv", csv);

    let h = calendar(&compute(8, &inputs).unwrap());

    let got: Vec<(&str, f64, &str)> = h
        .campaigns
        .iter()
        .map(|c| (c.kind.as_str(), c.budget, c.owner.as_str()))
        .collect();
    assert_eq!(
        got[0..2],
        [("always-on", 450.01, got[0].2), ("flight", 150.0, got[1].2)]
    );
    assert_eq!(got[2], ("booked", 400.0, "C"));
    assert_eq!(
        (
            h.campaigns[2].start,
            h.campaigns[2].end,
            h.campaigns[2].objective.as_str()
        ),
        (date("2027-01-01"), date("2027-02-09"), "retention")
    );
    assert!(h.over_committed.is_empty());

    // Booked at 2,000: 2,000 × 40 / 70 = $1,142.86 > $1,000.01 allocated: no new campaign.
    let inputs = with_file(base, "campaigns.csv", &csv.replace(",700,", ",2000,"));
    let h = calendar(&compute(8, &inputs).unwrap());
    assert_eq!(h.campaigns.len(), 1);
    assert_eq!(h.campaigns[0].budget, 1142.86);
    assert_eq!(h.over_committed.len(), 1);
    assert_eq!(
        (h.over_committed[0].booked, h.over_committed[0].allocation),
        (1142.86, 1000.01)
    );
}

#[test]
fn on_the_sample_every_channel_budget_is_carried_to_the_cent() {
    let inputs = planned_sample(7);
    let budget: BudgetHandoff =
        serde_json::from_value(inputs.outputs[&6]["handoff"].clone()).unwrap();

    let h = calendar(&compute(8, &inputs).unwrap());

    let mut by_channel: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &h.campaigns {
        *by_channel.entry(c.channel.as_str()).or_default() += (c.budget * 100.0).round() as i64;
        assert!(
            c.start >= date("2027-01-01") && c.end <= date("2027-03-31"),
            "{}",
            c.name
        );
        assert!(!c.success_metrics.is_empty());
    }
    // Each channel's campaigns (new and booked) carry its allocation, or its bookings
    // when they exceed it.
    for ch in &budget.channels {
        let over = h.over_committed.iter().find(|o| o.channel == ch.channel);
        assert_eq!(
            by_channel[ch.channel.as_str()],
            (over.map_or(ch.spend, |o| o.booked) * 100.0).round() as i64,
            "{}",
            ch.channel
        );
    }
    // New paid campaigns are run by the paid media or demand gen people (role map in
    // work.rs); booked ones keep their owner.
    for c in h
        .campaigns
        .iter()
        .filter(|c| c.channel.starts_with("paid_") && c.kind != "booked")
    {
        assert!(
            ["Avery Chen", "Sasha Novak"].contains(&c.owner.as_str()),
            "{}: {}",
            c.name,
            c.owner
        );
    }
}

/// Clicks and conversions of `channel` in spend.csv's 2026-Q4 rows, from the CSV text.
fn q4_delivery(inputs: &StageInputs, channel: &str) -> (f64, f64, f64) {
    let text = inputs.data.text("spend.csv").unwrap().unwrap();
    let (mut spend, mut clicks, mut conversions) = (0.0, 0.0, 0.0);
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] == channel && f[0] >= "2026-10-01" && f[0] <= "2026-12-31" {
            spend += f[3].parse::<f64>().unwrap();
            clicks += f[5].parse::<f64>().unwrap();
            conversions += f[6].parse::<f64>().unwrap();
        }
    }
    (spend, clicks, conversions)
}

#[test]
fn tests_are_sized_from_measured_baselines_timed_by_traffic_and_paid_from_the_reserve() {
    let inputs = planned_sample(7);
    let budget: BudgetHandoff =
        serde_json::from_value(inputs.outputs[&6]["handoff"].clone()).unwrap();

    let h = calendar(&compute(8, &inputs).unwrap());

    assert!(!h.tests.is_empty());
    assert!(h.tests.iter().any(|t| t.funded));
    let funded: f64 = h.tests.iter().filter(|t| t.funded).map(|t| t.budget).sum();
    assert!(funded <= budget.reserve, "{funded} > {}", budget.reserve);
    // Without stage 1 the landing pages' baselines are the platform's rates.
    for t in h.tests.iter().filter(|t| t.kind == "landing page") {
        let (spend, clicks, conversions) = q4_delivery(&inputs, &t.channel);
        let baseline = conversions / clicks;
        assert!((t.baseline - baseline).abs() < 1e-12, "{}", t.channel);
        assert!((t.minimum_detectable_effect - 0.1 * baseline).abs() < 1e-12);
        let n = sample_size::sample_size(&Metric::Proportion { baseline }, &Params::new(0.1))
            .unwrap()
            .per_arm;
        assert_eq!(t.sample_size_per_arm, n, "{}", t.channel);
        // 92 days of 2026-Q4 = 13.14 weeks; clicks scale with next quarter's spend.
        let next = budget
            .channels
            .iter()
            .find(|c| c.channel == t.channel)
            .unwrap()
            .spend;
        let weekly = clicks / (92.0 / 7.0) * next / spend;
        assert_eq!(
            t.weeks,
            (2.0 * n as f64 / weekly).ceil() as u64,
            "{}",
            t.channel
        );
        assert!(t.hypothesis.contains('%'));
        // Tests start after two weeks of build; 11 whole weeks remain to 2027-03-31.
        assert_eq!(t.start, date("2027-01-15"));
        assert_eq!(t.fits_quarter, t.weeks <= 11, "{}", t.channel);
        assert!(!t.funded || t.fits_quarter);
        if !t.fits_quarter {
            assert!(t.end > date("2027-03-31"));
        }
    }
}

#[test]
fn the_ics_holds_every_campaign_and_funded_test_with_exclusive_end_dates() {
    let inputs = planned_sample(7);

    let out = compute(8, &inputs).unwrap();
    let h = calendar(&out);

    let file = out
        .files
        .iter()
        .find(|f| f.name == "campaign-calendar.ics")
        .unwrap();
    assert_eq!(file.content_type, "text/calendar");
    let text = std::str::from_utf8(&file.bytes).unwrap();
    assert!(
        text.split("\r\n").all(|l| l.len() <= 75),
        "a line over 75 octets"
    );
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
    let lines = unfold(text);
    let mut events: Vec<BTreeMap<String, String>> = Vec::new();
    for l in &lines {
        match l.as_str() {
            "BEGIN:VEVENT" => events.push(BTreeMap::new()),
            "END:VEVENT" => {}
            _ => {
                if let (Some(e), Some((k, v))) = (events.last_mut(), l.split_once(':')) {
                    e.insert(k.to_owned(), v.to_owned());
                }
            }
        }
    }
    let funded: Vec<_> = h.tests.iter().filter(|t| t.funded).collect();
    assert_eq!(events.len(), h.campaigns.len() + funded.len());
    let items = h
        .campaigns
        .iter()
        .map(|c| (&c.name, c.start, c.end))
        .chain(funded.iter().map(|t| (&t.name, t.start, t.end)));
    for (name, start, end) in items {
        let summary = crate::ics::escape(name);
        let e = events.iter().find(|e| e["SUMMARY"] == summary).unwrap();
        assert_eq!(e["DTSTART;VALUE=DATE"], start.format("%Y%m%d").to_string());
        assert_eq!(
            e["DTEND;VALUE=DATE"],
            end.succ_opt().unwrap().format("%Y%m%d").to_string()
        );
        assert!(e["UID"].starts_with("growth-2027-q1-"), "{}", e["UID"]);
    }
    let uids: std::collections::BTreeSet<&String> = events.iter().map(|e| &e["UID"]).collect();
    assert_eq!(uids.len(), events.len());
    assert!(out.files.iter().any(|f| f.name == "budget-by-month.png"));
}

#[test]
fn bad_campaign_rows_name_the_file_row_and_column() {
    let header = "campaign,channel,start,end,planned_budget,owner,objective\n";
    for (row, column, found) in [
        (
            "X,search,2026-13-01,2026-12-31,10,A,pipeline",
            "start",
            "2026-13-01",
        ),
        (
            "X,search,2026-10-01,2026-12-31,ten,A,pipeline",
            "planned_budget",
            "ten",
        ),
        (
            "X,search,2026-11-01,2026-10-01,10,A,pipeline",
            "end",
            "2026-10-01",
        ),
    ] {
        let inputs = with_file(hand_inputs(), "campaigns.csv", &format!("{header}{row}\n"));

        let e = compute(8, &inputs).unwrap_err().to_string();

        assert!(e.contains("data/campaigns.csv"), "{e}");
        assert!(e.contains("row 2"), "{e}");
        assert!(e.contains(column), "{e}");
        assert!(e.contains(found), "{e}");
    }
}

#[test]
fn without_a_budget_or_campaigns_csv_the_stage_says_what_it_cannot_do() {
    let (no_budget, _) = sample_inputs(7);
    let mut no_campaigns = hand_inputs();
    let mut data = crate::sources::DataSet::default();
    data.insert(
        "objectives.toml",
        "o".into(),
        no_budget
            .data
            .text("objectives.toml")
            .unwrap()
            .unwrap()
            .as_bytes()
            .to_vec(),
    );
    no_campaigns.data = data;

    for (inputs, absent, reason) in [
        (no_budget, None, "stage 6 produced no budget"),
        (no_campaigns, Some("campaigns.csv"), "campaigns.csv"),
    ] {
        let out = compute(8, &inputs).unwrap();
        assert!(!out.result.available);
        // The stored findings (what the post and the plan quote): the reason, each input
        // with its row count (none when absent), and no handoff.
        let f = &out.findings;
        assert!(f.get(crate::stages::handoff::KEY).is_none(), "{f}");
        assert!(f["reason"].as_str().unwrap().contains(reason), "{f}");
        if let Some(file) = absent {
            let input = f["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["file"] == file)
                .unwrap();
            assert!(input["rows"].is_null(), "{f}");
        }
    }
}

proptest! {
    #[test]
    fn campaign_budgets_sum_to_each_channel_allocation_to_the_cent(
        spends in proptest::collection::vec(0i64..50_000_000, 1..6),
        weights in proptest::collection::vec(0.0f64..1e6, 1..5),
    ) {
        let next = Span { first: date("2027-01-01"), last: date("2027-03-31") };
        let budget = BudgetHandoff {
            total: 0.0,
            reserve: 0.0,
            allocatable: 0.0,
            channels: spends.iter().enumerate().map(|(i, c)| channel(&format!("c{i}"), *c as f64 / 100.0)).collect(),
            expected_revenue: 0.0,
            total_basis: String::new(),
            ..Default::default()
        };
        let patterns = weights.iter().enumerate().map(|(k, w)| campaigns::Pattern {
            channel: "c0".into(),
            kind: if k == 0 { campaigns::Kind::AlwaysOn } else { campaigns::Kind::Flight },
            objective: "pipeline".into(),
            planned_budget: *w,
            offset_days: 7 * k as i64,
            length_days: 30,
        }).collect();
        let history = campaigns::History { patterns, carried_over: Vec::new() };

        let drafts = campaigns::draft(&budget, &history, next, next.first, "Q");

        for (i, c) in spends.iter().enumerate() {
            let sum: i64 = drafts.iter().filter(|d| d.channel == format!("c{i}")).map(|d| (d.budget * 100.0).round() as i64).sum();
            prop_assert_eq!(sum, *c);
        }
        prop_assert!(drafts.iter().all(|d| d.first_day >= next.first && d.last_day <= next.last && d.first_day <= d.last_day));
    }
}

#[test]
fn without_a_roster_or_spend_csv_the_plan_says_who_and_what_is_missing() {
    let mut inputs = hand_inputs();
    let mut data = crate::sources::DataSet::default();
    data.insert(
        "campaigns.csv",
        "campaigns.csv".into(),
        inputs
            .data
            .text("campaigns.csv")
            .unwrap()
            .unwrap()
            .as_bytes()
            .to_vec(),
    );
    inputs.data = data;

    let out = compute(8, &inputs).unwrap();
    let h = calendar(&out);

    assert!(h.campaigns.iter().all(|c| c.owner == "unassigned"));
    assert!(h.tests.is_empty() && h.workload.is_empty());
    // No test was sized, and the findings say why.
    assert!(
        out.findings["roadmap_note"]
            .as_str()
            .unwrap()
            .starts_with("spend.csv is not in the data folder"),
        "{}",
        out.findings
    );
}

#[test]
fn the_roadmap_funds_a_geo_lift_test_for_the_least_identified_channel_on_the_sample() {
    let (mut inputs, _) = sample_inputs(42);
    for n in 1..=7 {
        let out = compute(n, &inputs).unwrap();
        inputs.outputs.insert(n, out.findings);
    }
    let budget: BudgetHandoff =
        serde_json::from_value(inputs.outputs[&6]["handoff"].clone()).unwrap();
    // The widest ROAS interval relative to its estimate, read off stage 6's table.
    let widest = budget
        .channels
        .iter()
        .max_by(|x, y| {
            ((x.roas_high - x.roas_low) / x.roas).total_cmp(&((y.roas_high - y.roas_low) / y.roas))
        })
        .unwrap();

    let h = calendar(&compute(8, &inputs).unwrap());

    let geo = h
        .tests
        .iter()
        .find(|t| t.kind == "geo lift")
        .expect("a geo lift test");
    assert_eq!(geo.channel, widest.channel);
    assert!(geo.funded && geo.budget > 0.0, "{geo:?}");
    assert!(geo.end <= date("2027-03-31"), "{geo:?}");
    assert!(geo.value.unwrap() > 0.0);
    // Funded, priced tests come in order of value per dollar.
    let per_dollar: Vec<f64> = h
        .tests
        .iter()
        .filter(|t| t.funded && t.budget > 0.0)
        .filter_map(|t| Some(t.value? / t.budget))
        .collect();
    assert!(
        per_dollar.windows(2).all(|w| w[0] >= w[1]),
        "{per_dollar:?}"
    );
    let committed: f64 = h.tests.iter().filter(|t| t.funded).map(|t| t.budget).sum();
    assert!(committed <= budget.reserve + 0.005);
    assert!(h.tests.iter().all(|t| t.funded || t.budget == 0.0));
}

#[test]
fn the_appendix_and_the_roadmap_state_one_geo_test_on_the_sample() {
    let inputs = planned_sample(42);
    let budget: BudgetHandoff =
        serde_json::from_value(inputs.outputs[&6]["handoff"].clone()).unwrap();
    let proposed = budget
        .holdout
        .clone()
        .expect("stage 6 proposes a geo lift test");
    // Stage 6 runs it for what it needs or the weeks the quarter leaves, whichever is
    // fewer: the same window stage 8 schedules tests in.
    let (first_day, available) = super::test_window(&inputs);
    assert_eq!(proposed.run_weeks, proposed.weeks.min(available));
    // Its half-width over those weeks, back to one week, is the same test.
    let per_week = proposed.half_width_reached * f64::from(proposed.run_weeks).sqrt();
    let needed = per_week / f64::from(proposed.weeks).sqrt();
    assert!(needed <= proposed.target_half_width + 1e-9, "{proposed:?}");

    let h = calendar(&compute(8, &inputs).unwrap());
    let geo = h.tests.iter().find(|t| t.kind == "geo lift").unwrap();

    // The roadmap's entry is stage 6's test: duration, precision, cost, dates.
    assert_eq!(geo.weeks, u64::from(proposed.run_weeks));
    assert_eq!(geo.minimum_detectable_effect, proposed.half_width_reached);
    assert_eq!(geo.budget, proposed.test_spend);
    assert_eq!(geo.start, first_day);
    assert_eq!(
        (geo.end - geo.start).num_days() + 1,
        7 * i64::from(proposed.run_weeks)
    );
    // The appendix paragraph (stage 6's method) names that run, and no other.
    let paragraph = budget
        .method
        .iter()
        .find(|p| p.contains("geo lift test"))
        .expect("the method names the geo lift test");
    let weeks = format!("for {} weeks", proposed.run_weeks);
    let precision = format!("±{:.2}", proposed.half_width_reached);
    assert!(paragraph.contains(&weeks), "{paragraph}");
    assert!(geo.hypothesis.contains(&weeks), "{}", geo.hypothesis);
    assert!(paragraph.contains(&precision), "{paragraph}");
    assert!(geo.hypothesis.contains(&precision), "{}", geo.hypothesis);
}
