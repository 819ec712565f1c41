//! Header names as the tools marketers export from spell them, by the canonical column
//! name the readers ask for. Headers are compared by [`key`]: lower case with everything
//! but letters and digits dropped, so `Lead ID`, `lead_id` and `LEAD-ID` are one column.
//!
//! Sources of the names: the documented report/export columns of Google Ads (`Day`,
//! `Campaign`, `Cost`, `Impr.`, `Conv. value`), Meta Ads Manager (`Reporting starts`,
//! `Campaign name`, `Amount spent (USD)`, `Link clicks`, `Results`), LinkedIn Campaign
//! Manager (`Start Date (in UTC)`, `Campaign Name`, `Total Spent`, `Conversions`), GA4
//! (`Session default channel group`, `Session campaign`, `Page path and screen class`,
//! `Engaged sessions`, `Key events`, `Total revenue`), Search Console (`Top queries`,
//! `Top pages`, `Position`), HubSpot contacts (`Record ID`, `Create Date`, `Original
//! Source`, `Became a … Date`, `Country/Region`), Salesforce leads and opportunities
//! (`Lead ID`, `Created Date`, `Lead Source`, `Close Date`, `Amount`), and the public
//! sets this project was tried on (Olist's `mql_id`, `first_contact_date`, `origin`,
//! `won_date`; X Education's `Prospect ID`, `Lead Source`; Robyn's `DATE`; Meridian's
//! `time`).

/// A header's comparison key: lower case, letters and digits only.
pub fn key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Built-in export names of canonical column `name` (tried after the reader's own).
pub fn of(name: &str) -> &'static [&'static str] {
    match name {
        "date" => &[
            "day",
            "reporting starts",
            "start date (in utc)",
            "week",
            "date_week",
            "time",
            "ds",
        ],
        "channel" => &[
            "session default channel group",
            "default channel group",
            "first user default channel group",
            "session source",
            "platform",
            // Google Ads' and LinkedIn's campaign type (`Search`, `Sponsored Content`):
            // the team's `channel_aliases` name the channel each is.
            "campaign type",
        ],
        "campaign" => &["campaign name", "session campaign", "campaign group"],
        "spend" => &[
            "cost",
            "amount spent (usd)",
            "amount spent",
            "total spent",
            "spend (usd)",
            "cost (usd)",
        ],
        "impressions" => &["impr.", "impr"],
        "clicks" => &["link clicks", "clicks (all)"],
        "conversions" => &["results", "key events", "conv."],
        "revenue" => &[
            "conv. value",
            "conversion value",
            "all conv. value",
            "purchases conversion value",
            "total revenue",
            "purchase revenue",
        ],
        "lead_id" => &[
            "id",
            "record id",
            "contact id",
            "lead id",
            "mql_id",
            "prospect id",
            "lead number",
        ],
        "created_at" => &[
            "create date",
            "created date",
            "createdate",
            "first_contact_date",
        ],
        "mql_at" => &["became a marketing qualified lead date", "mql date"],
        "sql_at" => &["became a sales qualified lead date", "sql date"],
        "opportunity_at" => &["became an opportunity date", "opportunity created date"],
        "won_at" => &[
            "became a customer date",
            "close date",
            "won_date",
            "closed date",
        ],
        "amount" => &["deal amount", "deal_amount", "declared_monthly_revenue"],
        "source" => &["original source", "lead source", "origin", "lead_source"],
        "segment" => &["industry", "business_segment", "lead_type"],
        "region" => &["country/region", "country", "billing country"],
        "url" => &[
            "page path and screen class",
            "page path",
            "landing page",
            "top pages",
        ],
        "title" => &["page title", "page title and screen class"],
        "sessions" => &["visits"],
        "engaged_sessions" => &["engaged sessions"],
        "engagement_time_s" => &[
            "average engagement time per session",
            "average engagement time",
        ],
        "keyword" => &["top queries", "query", "search term"],
        "position" => &["average position"],
        "journey_id" => &["user_id", "client_id", "user pseudo id"],
        "timestamp" => &["event timestamp", "event_time"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(key("Lead ID"), key("lead_id"));
        assert_eq!(key("Amount spent (USD)"), "amountspentusd");
        assert_eq!(key("Impr."), key("impr"));
        assert_ne!(key("mql_at"), key("sql_at"));
    }
}
