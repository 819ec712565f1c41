//! Data sources: the team's exports read into typed rows, all or nothing. Each reader
//! names the file, row and column of the first problem; nothing is half-ingested.

pub mod aliases;
mod carried;
mod catalog;
mod content;
pub mod dates;
mod deals;
mod experiments;
mod fetch;
mod journeys;
mod lead_columns;
mod leads;
mod market;
mod objectives;
mod paths;
mod plain;
mod spend;
mod table;
mod weekly;

pub use catalog::{Catalog, DataSet, Origin, Source};
pub use content::{read_content, read_keywords};
pub use deals::{DealJoin, join_deals, read_leads_and_deals};
pub use experiments::{LiftTest, read_experiments};
pub use fetch::HttpSettings;
pub use journeys::read_journeys;
pub use lead_columns::read_lead_columns;
pub use leads::{LeadTable, STAGE_COLUMNS, read_leads};
pub use market::{read_benchmarks, read_competitors, read_trends};
pub use objectives::{Member, Objectives, ScoringSettings};
pub use paths::read_paths;
pub use spend::{Quarters, read_plans, read_spend};
/// Every input file a stage reads, by the name it has in a data folder.
pub const INPUT_FILES: [&str; 18] = [
    "spend.csv",
    "campaigns.csv",
    "touchpoints.csv",
    "conversions.csv",
    "paths.csv",
    "leads.csv",
    "deals.csv",
    "benchmarks.csv",
    "content.csv",
    "keywords.csv",
    "sales_feedback.csv",
    "competitors.csv",
    "trends.csv",
    "weekly_media.csv",
    "weekly_revenue.csv",
    "controls.csv",
    "objectives.toml",
    "experiments.csv",
];

pub use table::{
    Col, CsvStream, CsvTable, InputError, NOT_SET, ReadOptions, Row, is_blank, map_channel,
    parse_flag, parse_time,
};
pub use weekly::{WeeklySeries, WideMedia, weekly_data, weekly_series, wide_stem};
