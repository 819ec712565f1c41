//! Files in the shape of each named tool's export (`tests/fixtures/exports/`, their
//! columns documented in the README there) read by the readers the stages use, with no
//! configuration beyond a channel alias; and the data check finds their columns. The
//! expected values are the fixtures' cells.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};
use quarterdeck::data_check;
use quarterdeck::sources::{
    CsvTable, DataSet, Quarters, ReadOptions, read_content, read_keywords, read_leads, read_spend,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exports")
        .join(name)
}

fn read(name: &str, aliases: &[(&str, &str)]) -> CsvTable {
    let options = ReadOptions {
        channel_aliases: aliases
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        ..ReadOptions::default()
    };
    CsvTable::read(&fixture(name))
        .unwrap()
        .with_options(&options)
}

fn q4() -> Quarters {
    Quarters {
        current_start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        current_end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        through: None,
    }
}

fn ts(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<i64> {
    Some(
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .timestamp(),
    )
}

#[test]
fn a_google_ads_campaign_report_is_read_with_thousands_separators_and_dashes() {
    let t = read(
        "google_ads.csv",
        &[("Search", "paid_search"), ("Display", "display")],
    );

    let lines = read_spend(&t, &q4()).unwrap();

    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0].channel, "paid_search");
    assert_eq!(lines[0].campaign, "Brand - Exact");
    assert_eq!(lines[0].spend, 1234.56);
    assert_eq!(lines[0].platform_revenue, Some(8200.0));
    assert_eq!(lines[0].delivery.impressions, Some(45_210.0));
    assert_eq!(lines[0].delivery.clicks, Some(1320.0));
    assert_eq!(lines[0].delivery.conversions, Some(41.0));
    assert_eq!(lines[1].channel, "display");
    // Google Ads writes `--` where a metric has no value.
    assert_eq!(lines[3].platform_revenue, None);
}

#[test]
fn a_meta_ads_manager_export_is_read_by_its_own_headers() {
    let t = read("meta_ads_manager.csv", &[]);

    let lines = read_spend(&t, &q4()).unwrap();

    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].channel, "facebook");
    assert_eq!(lines[1].channel, "instagram");
    assert_eq!(lines[0].campaign, "Q4 Lead Gen - Lookalike");
    assert_eq!(lines[0].spend, 412.37);
    assert_eq!(lines[0].delivery.clicks, Some(911.0));
    assert_eq!(lines[0].delivery.conversions, Some(27.0));
    assert_eq!(lines[0].platform_revenue, Some(3100.5));
    assert_eq!(lines[1].platform_revenue, None);
}

#[test]
fn a_linkedin_campaign_manager_export_is_read_with_its_month_first_dates() {
    let t = read(
        "linkedin_campaign_manager.csv",
        &[("Sponsored Content", "linkedin")],
    );

    let lines = read_spend(&t, &q4()).unwrap();

    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.channel == "linkedin"));
    assert_eq!(lines[0].campaign, "ABM - CFOs");
    assert_eq!(lines[0].spend, 830.25);
    assert_eq!(lines[2].delivery.clicks, Some(51.0));
    // 10/13/2026 settles the column as month first; all three rows are in Q4.
    assert!(
        lines
            .iter()
            .all(|l| l.period == quarterdeck_analyses::roi::Period::Current)
    );
}

#[test]
fn a_ga4_pages_report_with_the_teams_type_and_dates_is_read_as_content() {
    let t = read("ga4_pages.csv", &[]);

    let pages = read_content(&t).unwrap();

    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].url, "/blog/b2b-attribution");
    assert_eq!(pages[0].title, "B2B attribution in practice");
    assert_eq!(pages[0].content_type, "blog");
    assert_eq!(pages[0].sessions, 4210.0);
    assert_eq!(pages[0].engaged_sessions, 2630.0);
    assert_eq!(pages[0].engagement_time_s, 74.5);
    assert_eq!(pages[1].conversions, 96.0);
    assert_eq!(pages[2].period, "2026-10-01");
}

#[test]
fn a_search_console_queries_export_is_read_as_keywords() {
    let t = read("search_console_queries.csv", &[]);

    let rows = read_keywords(&t).unwrap();

    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].keyword, "b2b attribution");
    assert_eq!(rows[0].clicks, 310.0);
    assert_eq!(rows[0].impressions, 9200.0);
    assert_eq!(rows[0].position, Some(6.2));
    assert_eq!(rows[2].search_volume, 880.0);
}

#[test]
fn a_hubspot_contacts_export_is_read_as_leads_with_blank_sources_not_set() {
    let t = read("hubspot_contacts.csv", &[]);

    let leads = read_leads(&t).unwrap();

    assert_eq!(leads.stages, ["lead", "mql", "sql", "opportunity", "won"]);
    assert_eq!(leads.leads.len(), 4);
    let ana = &leads.leads[0];
    assert_eq!(ana.stages[0], ts(2026, 10, 1, 9, 12));
    assert_eq!(ana.stages[4], ts(2026, 11, 18, 15, 45));
    assert_eq!(ana.groups["source"], "Organic Search");
    assert_eq!(ana.groups["segment"], "Software");
    assert_eq!(ana.groups["region"], "Germany");
    assert_eq!(leads.leads[1].stages[2], None);
    assert_eq!(leads.leads[1].groups["region"], "(not set)");
    assert_eq!(leads.leads[2].groups["source"], "(not set)");
}

#[test]
fn a_salesforce_leads_report_is_read_with_its_day_first_dates_and_amounts() {
    let t = read("salesforce_leads.csv", &[]);

    let leads = read_leads(&t).unwrap();

    assert_eq!(leads.stages, ["lead", "mql", "sql", "won"]);
    assert_eq!(leads.leads[0].stages[0], ts(2026, 10, 14, 0, 0));
    assert_eq!(leads.leads[0].stages[3], ts(2026, 11, 28, 0, 0));
    assert_eq!(leads.amounts[0], Some(12_500.0));
    assert_eq!(leads.amounts[1], None);
    assert_eq!(leads.leads[1].groups["source"], "Partner Referral");
    assert_eq!(leads.leads[0].groups["region"], "United Kingdom");
}

#[test]
fn the_data_check_maps_every_tools_columns_without_configuration() {
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    for (fixture_name, input, expected) in [
        (
            "google_ads.csv",
            "spend.csv",
            &[
                ("spend", "Cost"),
                ("channel", "Campaign type"),
                ("date", "Day"),
            ][..],
        ),
        (
            "meta_ads_manager.csv",
            "spend.csv",
            &[
                ("spend", "Amount spent (USD)"),
                ("channel", "Platform"),
                ("date", "Reporting starts"),
            ],
        ),
        (
            "linkedin_campaign_manager.csv",
            "spend.csv",
            &[
                ("spend", "Total Spent"),
                ("campaign", "Campaign Name"),
                ("date", "Start Date (in UTC)"),
            ],
        ),
        (
            "ga4_pages.csv",
            "content.csv",
            &[
                ("url", "Page path and screen class"),
                ("conversions", "Key events"),
            ],
        ),
        (
            "search_console_queries.csv",
            "keywords.csv",
            &[("keyword", "Top queries"), ("position", "Position")],
        ),
        (
            "hubspot_contacts.csv",
            "leads.csv",
            &[
                ("lead_id", "Record ID"),
                ("won_at", "Became a Customer Date"),
                ("region", "Country/Region"),
            ],
        ),
        (
            "salesforce_leads.csv",
            "leads.csv",
            &[
                ("lead_id", "Lead ID"),
                ("source", "Lead Source"),
                ("won_at", "Close Date"),
            ],
        ),
    ] {
        let data = DataSet::from_paths([(input, fixture(fixture_name).as_path())]).unwrap();

        let check = data_check::check(&data, as_of);

        let f = &check.files[0];
        for (canonical, header) in expected {
            assert_eq!(
                f.columns.get(*canonical).map(String::as_str),
                Some(*header),
                "{fixture_name}: {canonical}"
            );
        }
        let refused: Vec<&str> = f
            .problems
            .iter()
            .map(|p| p.kind.as_str())
            .filter(|k| {
                [
                    "missing_column",
                    "unparseable",
                    "ambiguous_dates",
                    "unreadable",
                ]
                .contains(k)
            })
            .collect();
        assert!(refused.is_empty(), "{fixture_name}: {:?}", f.problems);
    }
}
