//! What each input file holds, for the data check: its columns (canonical name, the
//! reader's own aliases, kind, required or not), the columns that identify a row, and
//! the date that places a row in time. The names and aliases are those the readers in
//! `sources/` ask for; the built-in export names of [`crate::sources::aliases`] apply on
//! top, as they do for the readers.

/// How a column's cells are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Date,
    Number,
    Text,
    /// A channel name (compared across files).
    Channel,
    /// `a > b > c`: channel names in a path.
    Path,
}

#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    /// A blank cell in a required column stops the reader; in an optional one the row
    /// is skipped for that analysis (or a category reads "(not set)").
    pub required: bool,
}

const fn req(name: &'static str, aliases: &'static [&'static str], kind: Kind) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, aliases: &'static [&'static str], kind: Kind) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        kind,
        required: false,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct InputSpec {
    pub file: &'static str,
    /// The input's name in reports (`leads`).
    pub input: &'static str,
    pub columns: &'static [ColumnSpec],
    /// Columns that identify a row: two rows with the same values are duplicates.
    pub key: &'static [&'static str],
    /// The date that places a row in time (weekly volume, range, truncation).
    pub date: Option<&'static str>,
    /// Rows come every week up to the export's date: weeks without rows are gaps, and
    /// an export that stops well before the as-of date is cut short.
    pub steady: bool,
    /// Rows are events (leads, touches) whose weekly count should not collapse.
    pub volume: bool,
    /// Dates may lie after the as-of date (plans, not history).
    pub future_ok: bool,
    /// Leads: stage dates that must not go backwards, in funnel order.
    pub ordered: &'static [&'static str],
}

use Kind::*;

pub const INPUTS: &[InputSpec] = &[
    InputSpec {
        file: "spend.csv",
        input: "spend",
        columns: &[
            req("date", &["day"], Date),
            req("channel", &["source"], Channel),
            req("campaign", &["campaign name", "campaign_name"], Text),
            req("spend", &["cost", "amount spent"], Number),
            opt("revenue", &["conversion value", "conversion_value"], Number),
            opt("impressions", &["impr.", "impr"], Number),
            opt("clicks", &["link clicks"], Number),
            opt("conversions", &["results", "platform_conversions"], Number),
        ],
        key: &["date", "channel", "campaign"],
        date: Some("date"),
        steady: true,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "campaigns.csv",
        input: "campaigns",
        columns: &[
            req("campaign", &["campaign_name", "name"], Text),
            req("channel", &[], Channel),
            req("start", &["start_date"], Date),
            req("end", &["end_date"], Date),
            req("planned_budget", &["budget", "planned"], Number),
            req("owner", &[], Text),
        ],
        key: &["campaign"],
        date: Some("start"),
        steady: false,
        volume: false,
        future_ok: true,
        ordered: &["start", "end"],
    },
    InputSpec {
        file: "touchpoints.csv",
        input: "touchpoints",
        columns: &[
            req("journey_id", &["user_id", "id"], Text),
            req("timestamp", &["time", "date"], Date),
            req("channel", &[], Channel),
        ],
        key: &[],
        date: Some("timestamp"),
        steady: true,
        volume: true,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "conversions.csv",
        input: "conversions",
        columns: &[
            req("journey_id", &["user_id", "id"], Text),
            req("timestamp", &["time", "date"], Date),
            req("value", &["revenue", "conversion_value"], Number),
        ],
        key: &[],
        date: Some("timestamp"),
        steady: true,
        volume: true,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "paths.csv",
        input: "paths",
        columns: &[
            req("path", &[], Path),
            req("total_conversions", &["conversions"], Number),
            req(
                "total_conversion_value",
                &["conversion_value", "value"],
                Number,
            ),
            req("total_null", &["null", "nulls"], Number),
        ],
        key: &[],
        date: None,
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "leads.csv",
        input: "leads",
        columns: &[
            req("lead_id", &["id"], Text),
            opt("created_at", &[], Date),
            opt("mql_at", &[], Date),
            opt("sql_at", &[], Date),
            opt("opportunity_at", &[], Date),
            opt("won_at", &[], Date),
            opt("source", &[], Channel),
            opt("segment", &[], Text),
            opt("region", &[], Text),
            opt("amount", &["deal_amount", "value"], Number),
        ],
        key: &["lead_id"],
        date: Some("created_at"),
        steady: true,
        volume: true,
        future_ok: false,
        ordered: &["created_at", "mql_at", "sql_at", "opportunity_at", "won_at"],
    },
    InputSpec {
        file: "deals.csv",
        input: "deals",
        columns: &[
            req("lead_id", &["id"], Text),
            opt("opportunity_at", &[], Date),
            opt("won_at", &[], Date),
            opt("amount", &["deal_amount", "value"], Number),
        ],
        key: &[],
        date: Some("won_at"),
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &["opportunity_at", "won_at"],
    },
    InputSpec {
        file: "benchmarks.csv",
        input: "benchmarks",
        columns: &[
            req("metric", &[], Text),
            req("segment", &[], Text),
            req("value", &[], Number),
            req("unit", &[], Text),
            req("source", &[], Text),
        ],
        key: &["metric", "segment"],
        date: None,
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "content.csv",
        input: "content",
        columns: &[
            req("url", &["page", "page_path", "landing_page"], Text),
            req("type", &["content_type", "format"], Text),
            req(
                "published",
                &["published_at", "publish_date", "date_published"],
                Date,
            ),
            req("period", &["quarter", "period_start"], Date),
            req("sessions", &["visits"], Number),
            req("engaged_sessions", &["engaged"], Number),
            req("conversions", &["key_events", "goal_completions"], Number),
        ],
        key: &["url", "period"],
        date: Some("period"),
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "keywords.csv",
        input: "keywords",
        columns: &[
            req("keyword", &["query", "search_term"], Text),
            req("period", &["quarter", "period_start"], Date),
            opt(
                "position",
                &["avg_position", "average_position", "rank"],
                Number,
            ),
            req("clicks", &[], Number),
            req("impressions", &[], Number),
            req("search_volume", &["volume", "monthly_searches"], Number),
        ],
        key: &["keyword", "url", "period"],
        date: Some("period"),
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "sales_feedback.csv",
        input: "sales_feedback",
        columns: &[
            req("lead_id", &["id"], Text),
            opt("date", &[], Date),
            req("decision", &[], Text),
        ],
        key: &[],
        date: Some("date"),
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "competitors.csv",
        input: "competitors",
        columns: &[
            req("date", &[], Date),
            req("competitor", &[], Text),
            req("channel", &[], Channel),
            req("summary", &["note", "description"], Text),
        ],
        key: &[],
        date: Some("date"),
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "trends.csv",
        input: "trends",
        columns: &[
            req("date", &[], Date),
            req("topic", &[], Text),
            req("metric", &[], Text),
            req("value", &[], Number),
        ],
        key: &["date", "topic", "metric"],
        date: Some("date"),
        steady: false,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "weekly_media.csv",
        input: "weekly_media",
        columns: &[
            req("date", &["week"], Date),
            req("channel", &[], Channel),
            req("spend", &["cost"], Number),
        ],
        key: &["date", "channel"],
        date: Some("date"),
        steady: true,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "weekly_revenue.csv",
        input: "weekly_revenue",
        columns: &[req("date", &["week"], Date), opt("revenue", &[], Number)],
        key: &["date"],
        date: Some("date"),
        steady: true,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
    InputSpec {
        file: "controls.csv",
        input: "controls",
        columns: &[req("date", &["week"], Date)],
        key: &["date"],
        date: Some("date"),
        steady: true,
        volume: false,
        future_ok: false,
        ordered: &[],
    },
];

/// The spec of input file `file`.
pub fn of(file: &str) -> Option<&'static InputSpec> {
    INPUTS.iter().find(|s| s.file == file)
}
