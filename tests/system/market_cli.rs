//! `quarterdeck analyze market` on small hand-made files: what it reports, and how it
//! refuses bad input (exit 2, nothing on stdout, file, row and column named).

use std::path::{Path, PathBuf};

use crate::helpers::{assert_bad_input, quarterdeck};
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const COMPETITORS: &str = "date,competitor,kind,channel,summary,source\n\
2026-08-01,Acme,campaign,linkedin,Acme ads,notes\n\
2026-10-05,Acme,campaign,linkedin,Acme ads again,notes\n\
2026-10-09,Acme,content,organic,Acme report,notes\n\
2026-11-02,Beta,webinar,webinar,Beta webinars,notes\n\
2026-12-01,Gamma,webinar,webinars,Gamma webinars,notes\n";

const TRENDS: &str = "date,topic,metric,value,source\n\
2026-07-01,linkedin cpc,usd,6.0,newsletter\n\
2026-12-01,linkedin cpc,usd,4.5,newsletter\n";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn market_reports_moves_threats_and_trends_worked_out_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(dir.path(), "competitors.csv", COMPETITORS);
    let t = write(dir.path(), "trends.csv", TRENDS);
    // Journeys: before (Q3) j1 seo, j2 seo, j3 email; now (Q4) j4 seo, j5 seo, j6 linkedin.
    // Our leading first-touch channels in Q4: seo (2), then linkedin (1). j4's display
    // touch comes after its conversion and is not on its path.
    let tp = write(
        dir.path(),
        "touchpoints.csv",
        "journey_id,timestamp,channel\n\
         j1,2026-07-02,seo\nj2,2026-07-03,seo\nj3,2026-08-01,email\n\
         j4,2026-10-02,seo\nj4,2026-10-09,display\nj5,2026-11-01,seo\nj6,2026-12-01,linkedin\n",
    );
    let cv = write(
        dir.path(),
        "conversions.csv",
        "journey_id,timestamp,value\nj4,2026-10-05,100\n",
    );

    let out = quarterdeck(&[
        "analyze",
        "market",
        "--competitors",
        s(&c),
        "--trends",
        s(&t),
        "--touchpoints",
        s(&tp),
        "--conversions",
        s(&cv),
        "--format",
        "json",
    ]);

    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The latest note (2026-12-01) puts the review in 2026-Q4.
    assert_eq!(v["review_start"], "2026-10-01");
    let m = &v["market"];
    // First activity in a channel within Q4: Acme seo ("organic"), Beta and Gamma webinars.
    // Acme's linkedin started in Q3, so it is not a move.
    assert_eq!(m["moves"].as_array().unwrap().len(), 3);
    assert_eq!(m["emerging_channels"], serde_json::json!(["webinars"]));
    // Acme moved into seo, our top first-touch channel: the one threat.
    let threats = m["threats"].as_array().unwrap();
    assert_eq!(threats.len(), 1, "{threats:?}");
    assert!(
        threats[0]
            .as_str()
            .unwrap()
            .starts_with("Acme moved into seo, where 66.7%")
    );
    assert_eq!(m["activity"]["Acme"], serde_json::json!([1, 2]));
    // LinkedIn CPC 6.0 → 4.5: −1.5, −25%.
    assert_eq!(m["trends"][0]["change"], -1.5);
    assert_eq!(m["trends"][0]["relative_change"], -0.25);
    // Path lengths now: j4 1 (display after conversion dropped), j5 1, j6 1.
    assert_eq!(v["journeys"]["now"]["mean_path_length"], 1.0);
}

#[test]
fn market_as_a_table_reads_like_the_post() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(dir.path(), "competitors.csv", COMPETITORS);

    let out = quarterdeck(&[
        "analyze",
        "market",
        "--competitors",
        s(&c),
        "--quarter",
        "2026-Q4",
    ]);

    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("**Competitor activity**"), "{text}");
    assert!(text.contains("| Acme | 1 | 2 | SEO |"), "{text}");
}

#[test]
fn a_bad_competitor_date_exits_2_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(
        dir.path(),
        "competitors.csv",
        "date,competitor,kind,channel,summary,source\n2026-10-01,A,x,seo,s,n\nQ4,B,x,seo,s,n\n",
    );

    let out = quarterdeck(&["analyze", "market", "--competitors", s(&c)]);

    assert_bad_input(&out, &["competitors.csv", "row 3", "`date`", "\"Q4\""]);
}

#[test]
fn a_bad_trend_value_exits_2_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(dir.path(), "competitors.csv", COMPETITORS);
    let t = write(
        dir.path(),
        "trends.csv",
        "date,topic,metric,value,source\n2026-07-01,cpc,usd,lots,n\n",
    );

    let out = quarterdeck(&[
        "analyze",
        "market",
        "--competitors",
        s(&c),
        "--trends",
        s(&t),
    ]);

    assert_bad_input(&out, &["trends.csv", "row 2", "`value`", "a number"]);
}

#[test]
fn a_benchmark_percentage_over_100_exits_2_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(dir.path(), "competitors.csv", COMPETITORS);
    let b = write(
        dir.path(),
        "benchmarks.csv",
        "metric,segment,value,unit,source,year,url\nfunnel_lead_to_mql,b2b;channel=seo,410,percent,FPS,2025,\n",
    );

    let out = quarterdeck(&[
        "analyze",
        "market",
        "--competitors",
        s(&c),
        "--benchmarks",
        s(&b),
    ]);

    assert_bad_input(&out, &["benchmarks.csv", "row 2", "`value`", "percentage"]);
}

#[test]
fn goals_work_a_tiny_funnel_back_with_its_lags() {
    // Revenue 120,000 at 10,000 a deal: 12 won; rates 0.5, 0.25, 0.5, 0.5 → 24
    // opportunities, 48 SQLs, 192 MQLs. Lags 5+9+14+35: MQL → won 58 days = 2 months, so
    // January's MQLs serve March (half the revenue: 6 won × 16 MQLs each = 96).
    let out = quarterdeck(&[
        "analyze",
        "goals",
        "--revenue",
        "120000",
        "--average-deal",
        "10000",
        "--rates",
        "0.5,0.25,0.5,0.5",
        "--lag-days",
        "5,9,14,35",
        "--quarter",
        "2027-Q1",
        "--shares",
        "0.25,0.25,0.5",
        "--format",
        "json",
    ]);

    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mqls = v["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "mqls")
        .unwrap();
    assert_eq!(mqls["quarter"], 192.0);
    assert_eq!(mqls["lead_months"], 2);
    assert_eq!(v["months"][0]["month"], "2027-01");
    assert_eq!(v["months"][0]["mqls"], 96.0);
    assert_eq!(v["implied_pipeline"], 240_000.0);
}

#[test]
fn goals_refuse_a_zero_rate_and_a_short_rate_list_with_exit_2() {
    let zero = quarterdeck(&[
        "analyze",
        "goals",
        "--revenue",
        "1",
        "--average-deal",
        "1",
        "--rates",
        "0.5,0,0.5,0.5",
        "--quarter",
        "2027-Q1",
    ]);
    let short = quarterdeck(&[
        "analyze",
        "goals",
        "--revenue",
        "1",
        "--average-deal",
        "1",
        "--rates",
        "0.5,0.5",
        "--quarter",
        "2027-Q1",
    ]);

    assert_bad_input(&zero, &["--rates", "mql → sql", "found 0"]);
    assert_bad_input(&short, &["--rates", "expected 4"]);
}
