//! `OUT/plan/plan.json` of the default simulated quarter (seed 42), held to the
//! contract's invariants by arithmetic done here on the JSON, independently of the
//! checker the plan stage runs: money to the cent, counts to the unit.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::helpers::{simulated_quarter, summary};

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap() * 100.0).round() as i64
}

#[tokio::test]
async fn the_approved_plans_figures_balance_to_the_cent_and_keep_the_process_dates() {
    let (_dir, out) = simulated_quarter(42).await;
    let text = std::fs::read_to_string(out.join("plan/plan.json")).unwrap();
    let f: Value = serde_json::from_str(&text).unwrap();
    let s = summary(&out);

    // The approved version, approved when its last group approved.
    assert_eq!(f["version"], s["approved_version"]);
    let approved = s["plan_versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == f["version"])
        .unwrap();
    assert_eq!(f["hash"], approved["hash"]);
    let last_approval = s["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["version"] == f["version"] && a["decision"] == "approve")
        .map(|a| a["at"].as_str().unwrap())
        .max()
        .unwrap();
    assert_eq!(f["approved_at"], last_approval);

    // Budget: channels + reserve = total; committed = funded tests; committed +
    // uncommitted = reserve.
    let b = &f["budget"];
    let by_channel: BTreeMap<String, i64> = b["by_channel"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), cents(v)))
        .collect();
    assert_eq!(
        by_channel.values().sum::<i64>() + cents(&b["reserve"]),
        cents(&b["total"])
    );
    let funded: i64 = f["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["funded"] == true)
        .map(|t| cents(&t["cost"]))
        .sum();
    assert_eq!(cents(&b["reserve_committed"]), funded);
    assert_eq!(
        cents(&b["reserve_committed"]) + cents(&b["reserve_uncommitted"]),
        cents(&b["reserve"])
    );
    // Per channel, campaigns (booked ones included) make the channel's budget.
    let mut campaigns: BTreeMap<String, i64> = BTreeMap::new();
    for c in f["campaigns"].as_array().unwrap() {
        *campaigns
            .entry(c["channel"].as_str().unwrap().to_owned())
            .or_default() += cents(&c["budget"]);
    }
    let allocated: BTreeMap<String, i64> = by_channel.into_iter().filter(|(_, v)| *v > 0).collect();
    assert_eq!(campaigns, allocated);

    // Milestones add up to each target; channel targets too, every one with an owner.
    let targets = f["targets"].as_object().unwrap();
    for metric in [
        "revenue",
        "pipeline",
        "won",
        "opportunities",
        "sqls",
        "mqls",
        "leads",
    ] {
        let target = &targets[metric];
        let months: Vec<&Value> = f["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m[metric])
            .collect();
        assert_eq!(months.len(), 3, "{metric}");
        if metric == "revenue" || metric == "pipeline" {
            assert_eq!(
                months.iter().map(|v| cents(v)).sum::<i64>(),
                cents(target),
                "{metric}"
            );
        } else {
            let sum: f64 = months.iter().map(|v| v.as_f64().unwrap()).sum();
            assert_eq!(sum, target.as_f64().unwrap(), "{metric}");
        }
    }
    let channel_targets = f["channel_targets"].as_array().unwrap();
    for metric in ["leads", "mqls"] {
        let sum: f64 = channel_targets
            .iter()
            .map(|c| c[metric].as_f64().unwrap())
            .sum();
        assert_eq!(sum, targets[metric].as_f64().unwrap(), "{metric}");
    }
    // Organic search is a source of volume with a target and an owner.
    let seo = channel_targets
        .iter()
        .find(|c| c["channel"] == "seo")
        .unwrap();
    assert!(seo["mqls"].as_f64().unwrap() > 0.0);
    assert!(channel_targets.iter().all(|c| {
        c["owner"]
            .as_str()
            .is_some_and(|o| !o.is_empty() && o != "unassigned")
    }));

    // Nothing unbooked starts before the approval; no brief before planning started.
    let approved_day = &last_approval[..10];
    for c in f["campaigns"].as_array().unwrap() {
        if c["booked"] == false {
            assert!(c["start"].as_str().unwrap() >= approved_day, "{c}");
        }
    }
    for t in f["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["funded"] == true)
    {
        assert!(t["start"].as_str().unwrap() >= approved_day, "{t}");
    }
    let started = f["process_started"].as_str().unwrap();
    // Week 1 is the week of stage 1 (due Tuesday 22 December 2026): Monday the 21st.
    assert_eq!(started, "2026-12-21");
    assert!(!f["content"].as_array().unwrap().is_empty());
    for p in f["content"].as_array().unwrap() {
        assert!(p["brief"].as_str().unwrap() >= started, "{p}");
    }

    // Every channel with money has a channel target; hours agree between sections:
    // each person's content hours are the hours of the pieces assigned to them.
    for channel in f["budget"]["by_channel"].as_object().unwrap().keys() {
        assert!(
            channel_targets
                .iter()
                .any(|c| c["channel"] == channel.as_str()),
            "{channel} has no target"
        );
    }
    let mut assigned: BTreeMap<String, f64> = BTreeMap::new();
    for p in f["content"].as_array().unwrap() {
        *assigned
            .entry(p["owner"].as_str().unwrap().to_owned())
            .or_default() += p["hours"].as_f64().unwrap();
    }
    let hours = f["hours"].as_array().unwrap();
    for (owner, h) in &assigned {
        let row = hours
            .iter()
            .find(|r| r["person"] == owner.as_str())
            .unwrap();
        assert!(
            (row["content_hours"].as_f64().unwrap() - h).abs() < 0.05,
            "{owner}: {row} against {h} h assigned"
        );
    }
}
