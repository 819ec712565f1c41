//! Data as of the day a stage runs, in the default simulated quarter (seed 42): week 1
//! reads exports pulled on stage 1's day (Tue 22 Dec 2026), running through Mon 21 Dec;
//! the final exports land early in week 2 (Mon 4 Jan 2027, before stage 6), re-run the
//! review stages, and the plan says what moved.

use serde_json::Value;

use crate::helpers::simulated_quarter;

fn entries(out: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("transcript.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn week_one_reads_data_to_the_day_before_and_the_final_exports_re_run_the_review() {
    let (_dir, out) = simulated_quarter(42).await;

    let posts = entries(&out);
    let stage_one: Vec<&Value> = posts
        .iter()
        .filter(|p| {
            p["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Stage 1 ·"))
        })
        .collect();
    // Posted once on the preliminary exports, once on the final ones.
    assert_eq!(stage_one.len(), 2, "{stage_one:?}");
    let (first, second) = (stage_one[0], stage_one[1]);
    assert!(first["at"].as_str().unwrap().starts_with("2026-12-22"));
    // 1 Oct – 21 Dec is 31 + 30 + 21 = 82 of the quarter's 92 days.
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .contains("**Data through** 21 Dec 2026: 82 of the quarter's 92 days"),
        "{first}"
    );
    assert!(second["at"].as_str().unwrap().starts_with("2027-01-04"));
    let refreshed = second["text"].as_str().unwrap();
    assert!(
        refreshed.contains("**Data through** 31 Dec 2026"),
        "{refreshed}"
    );
    assert!(
        refreshed.contains("Re-run on the final exports"),
        "{refreshed}"
    );
    // Every analysis post of week 1 was made after the day its data runs to.
    for p in posts
        .iter()
        .filter(|p| p["at"].as_str().unwrap() < "2027-01-01")
    {
        let text = p["text"].as_str().unwrap();
        assert!(!text.contains("**Data through** 31 Dec 2026"), "{p}");
    }
    // The final exports run to the quarter's last day (the early cut, through 21 Dec,
    // is checked in the sample's own tests) and are what the data folder holds now.
    let spend_days = |dir: &str| -> Vec<String> {
        std::fs::read_to_string(out.join(dir).join("spend.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l[..10].to_owned())
            .collect()
    };
    assert_eq!(spend_days("data-final").iter().max().unwrap(), "2026-12-31");
    assert_eq!(spend_days("data"), spend_days("data-final"));
    let plan = std::fs::read_to_string(out.join("plan/plan.md")).unwrap();
    assert!(plan.contains("Data through 31 Dec 2026"), "plan header");
    assert!(
        plan.contains("**Data refreshed after quarter close.**"),
        "plan note"
    );
    assert!(plan.contains("re-ran on data through 31 Dec 2026 (was 21 Dec 2026)"));

    // Stage 1's return table fits a phone in monospace (the renderer's width: cells
    // padded to each column's widest, two spaces between columns, ≤ 56); the CSV beside
    // it has all 13 columns.
    let text = first["text"].as_str().unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip_while(|l| !l.starts_with("**Return by channel"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter(|l| !l.starts_with("|---"))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    assert_eq!(rows[0], ["Channel", "Spend", "Revenue", "ROAS", "Change"]);
    let width: usize = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap())
        .sum::<usize>()
        + 2 * 4;
    assert!(width <= 56, "{width} columns wide");
    assert!(
        first["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "return-by-channel.csv")
    );
    // The plan bridges the three revenue measures, and §8's content hours per person are
    // the hours of the pieces the content plan assigns (Appendix B, plan.json).
    for measure in [
        "| Attributed revenue, paid channels |",
        "| Modelled revenue |",
        "| Closed-won revenue |",
    ] {
        assert!(plan.contains(measure), "{measure}");
    }
    let figures: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan/plan.json")).unwrap())
            .unwrap();
    let jordan: f64 = figures["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["owner"] == "Jordan Patel")
        .map(|p| p["hours"].as_f64().unwrap())
        .sum();
    let row = plan
        .lines()
        .find(|l| l.starts_with("| Jordan Patel | content |"))
        .unwrap();
    let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
    assert_eq!(cells[3], format!("{jordan:.0}"), "{row}");
    let campaign: f64 = cells[2].parse().unwrap();
    assert_eq!(cells[4], format!("{:.0}", campaign + jordan), "{row}");
}
