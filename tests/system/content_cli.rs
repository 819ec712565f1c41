//! `quarterdeck analyze content` and `analyze seo` on the generated sample and on bad
//! files: JSON a machine can read, and exit 2 with file, row and column on bad input.

use crate::helpers::{assert_bad_input, quarterdeck};
use std::path::Path;

fn sample(dir: &Path) -> String {
    let out = quarterdeck(&[
        "sample-data",
        "--out",
        dir.to_str().unwrap(),
        "--seed",
        "42",
    ]);
    assert!(out.status.success());
    dir.display().to_string()
}

#[test]
fn seo_json_lists_striking_distance_keywords_best_first_and_the_planted_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(dir.path());

    let out = quarterdeck(&[
        "analyze",
        "seo",
        "--keywords",
        &format!("{data}/keywords.csv"),
        "--content",
        &format!("{data}/content.csv"),
        "--format",
        "json",
    ]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let striking = v["seo"]["striking_distance"].as_array().unwrap();
    assert!(!striking.is_empty());
    let clicks: Vec<f64> = striking
        .iter()
        .map(|k| k["extra_clicks_per_month"].as_f64().unwrap())
        .collect();
    assert!(clicks.windows(2).all(|w| w[0] >= w[1]));
    assert!(striking.iter().all(|k| {
        let p = k["position"].as_f64().unwrap().round();
        (4.0..=20.0).contains(&p)
    }));
    // 18 of 150 keywords are planted gaps (one in eight, truth gap_share 0.125).
    assert!((v["seo"]["gap_share"].as_f64().unwrap() - 18.0 / 150.0).abs() < 1e-12);
    // The sample's impressions are volume × 3 × 0.9.
    assert!((v["seo"]["impression_share"].as_f64().unwrap() - 0.9).abs() < 0.005);
    assert!(v["ctr_curve"].as_str().unwrap().contains("SISTRIX 2020"));
    assert!(!v["opportunities"].as_array().unwrap().is_empty());
}

#[test]
fn content_table_shows_the_top_pages_and_the_types() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(dir.path());

    let out = quarterdeck(&[
        "analyze",
        "content",
        "--content",
        &format!("{data}/content.csv"),
    ]);

    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("Top content by conversions per 1k sessions"),
        "{text}"
    );
    // Six content types in the sample, ten pages each, by their display names.
    for kind in [
        "Blog",
        "Guide",
        "Case Study",
        "Webinar Page",
        "Landing Page",
        "Comparison",
    ] {
        assert!(text.contains(&format!("| {kind} | 10 |")), "{kind}: {text}");
    }
}

const CONTENT_HEADER: &str =
    "url,title,type,published,period,sessions,engaged_sessions,engagement_time_s,conversions\n";
const KEYWORDS_HEADER: &str = "keyword,url,period,position,clicks,impressions,search_volume\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn a_wrong_number_in_content_csv_is_refused_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "content.csv",
        &format!(
            "{CONTENT_HEADER}/a,A,blog,2026-01-01,2026-10-01,100,50,60,1\n/b,B,blog,2026-01-01,2026-10-01,100,50,60,two\n"
        ),
    );

    let out = quarterdeck(&["analyze", "content", "--content", &file]);

    assert_bad_input(&out, &["content.csv", "row 3", "`conversions`", "\"two\""]);
}

#[test]
fn a_bad_date_in_content_csv_is_refused_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    // 01/02/2026 could be 1 February or 2 January: never guessed.
    let file = write(
        dir.path(),
        "content.csv",
        &format!("{CONTENT_HEADER}/a,A,blog,01/02/2026,2026-10-01,100,50,60,1\n"),
    );

    let out = quarterdeck(&["analyze", "content", "--content", &file]);

    assert_bad_input(
        &out,
        &["content.csv", "row 2", "`published`", "date_format"],
    );

    let file = write(
        dir.path(),
        "content.csv",
        &format!("{CONTENT_HEADER}/a,A,blog,last spring,2026-10-01,100,50,60,1\n"),
    );
    let out = quarterdeck(&["analyze", "content", "--content", &file]);
    assert_bad_input(
        &out,
        &["content.csv", "row 2", "`published`", "last spring"],
    );
}

#[test]
fn a_keywords_file_without_search_volume_is_refused_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "keywords.csv",
        "keyword,url,period,position,clicks,impressions\nx,/a,2026-10-01,3,10,100\n",
    );

    let out = quarterdeck(&["analyze", "seo", "--keywords", &file]);

    assert_bad_input(&out, &["keywords.csv", "`search_volume`"]);
}

#[test]
fn a_wrong_number_or_date_in_keywords_csv_is_refused_naming_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let number = write(
        dir.path(),
        "k1.csv",
        &format!("{KEYWORDS_HEADER}x,/a,2026-10-01,third,10,100,50\n"),
    );
    let date = write(
        dir.path(),
        "k2.csv",
        &format!("{KEYWORDS_HEADER}x,/a,2026-10-01,3,10,100,50\ny,/b,Q4 2026,3,10,100,50\n"),
    );

    let bad_number = quarterdeck(&["analyze", "seo", "--keywords", &number]);
    let bad_date = quarterdeck(&["analyze", "seo", "--keywords", &date]);

    assert_bad_input(&bad_number, &["k1.csv", "row 2", "`position`", "\"third\""]);
    assert_bad_input(&bad_date, &["k2.csv", "row 3", "`period`", "\"Q4 2026\""]);
}

#[test]
fn a_bad_keywords_file_in_a_data_folder_is_refused_before_the_quarter_starts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    sample(&data);
    write(
        &data,
        "keywords.csv",
        &format!("{KEYWORDS_HEADER}x,/a,2026-10-01,3,10,100,-5\n"),
    );
    let out_dir = dir.path().join("out");

    let out = quarterdeck(&[
        "simulate",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);

    assert_bad_input(
        &out,
        &["keywords.csv", "row 2", "`search_volume`", "\"-5\""],
    );
    assert!(!out_dir.exists());
}
