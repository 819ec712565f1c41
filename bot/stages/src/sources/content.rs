//! `content.csv` (one row per page per period: url, title, type, published, period,
//! sessions, engaged_sessions, engagement_time_s, conversions) and `keywords.csv` (one
//! row per keyword per period: keyword, url, period, position, clicks, impressions,
//! search_volume, and any `competitor_*_position` columns). `period` is the first day of
//! the quarter the row covers; `engagement_time_s` is the average engagement time per
//! session in seconds. An empty `position` means we do not rank; an empty
//! competitor cell means that competitor does not.

use quarterdeck_analyses::content::{KeywordRow, PageRow};

use super::{CsvTable, InputError};

pub fn read_content(t: &CsvTable) -> Result<Vec<PageRow>, InputError> {
    let url = t.require("url", &["page", "page_path", "landing_page"])?;
    let title = t.find("title", &["page_title"]);
    let kind = t.require("type", &["content_type", "format"])?;
    let published = t.require(
        "published",
        &["published_at", "publish_date", "date_published"],
    )?;
    let period = t.require("period", &["quarter", "period_start"])?;
    let sessions = t.require("sessions", &["visits"])?;
    let engaged = t.require("engaged_sessions", &["engaged"])?;
    let time = t.find(
        "engagement_time_s",
        &[
            "engagement_time",
            "avg_engagement_time",
            "average_engagement_time",
        ],
    );
    let conversions = t.require("conversions", &["key_events", "goal_completions"])?;
    let mut rows = Vec::with_capacity(t.len());
    let mut seen = std::collections::BTreeSet::new();
    for r in t.rows() {
        let start = r.date(period)?;
        if !seen.insert((r.text(url)?, start)) {
            return Err(r.invalid(
                url,
                "one row per url and period (this url repeats the period)",
            ));
        }
        let published_on = r.date(published)?;
        let s = r.amount(sessions)?;
        let e = r.amount(engaged)?;
        if e > s {
            return Err(r.invalid(engaged, "engaged sessions no more than sessions"));
        }
        rows.push(PageRow {
            url: r.text(url)?.to_owned(),
            title: title.map_or("", |c| r.str(c)).to_owned(),
            content_type: r.text(kind)?.to_ascii_lowercase().replace([' ', '-'], "_"),
            period: start.to_string(),
            days_published_before_period: (start - published_on).num_days(),
            sessions: s,
            engaged_sessions: e,
            engagement_time_s: time
                .map(|c| r.opt_number(c))
                .transpose()?
                .flatten()
                .unwrap_or(0.0),
            conversions: r.amount(conversions)?,
        });
    }
    Ok(rows)
}

pub fn read_keywords(t: &CsvTable) -> Result<Vec<KeywordRow>, InputError> {
    let keyword = t.require("keyword", &["query", "search_term"])?;
    let url = t.find("url", &["page", "landing_page"]);
    let period = t.require("period", &["quarter", "period_start"])?;
    let position = t.require("position", &["avg_position", "average_position", "rank"])?;
    let clicks = t.require("clicks", &[])?;
    let impressions = t.require("impressions", &[])?;
    let volume = t.require("search_volume", &["volume", "monthly_searches"])?;
    let competitors: Vec<_> = t
        .header
        .iter()
        .filter(|h| h.starts_with("competitor") && h.ends_with("position"))
        .filter_map(|h| t.find(h, &[]))
        .collect();
    let mut rows = Vec::with_capacity(t.len());
    let mut seen = std::collections::BTreeSet::new();
    for r in t.rows() {
        if !seen.insert((r.text(keyword)?, r.date(period)?)) {
            return Err(r.invalid(
                keyword,
                "one row per keyword and period (this keyword repeats the period)",
            ));
        }
        let pos = r.opt_number(position)?;
        if pos.is_some_and(|p| p < 1.0) {
            return Err(r.invalid(
                position,
                "a position of 1 or more, or empty when we do not rank",
            ));
        }
        let mut comp = Vec::with_capacity(competitors.len());
        for c in &competitors {
            let p = r.opt_number(*c)?;
            if p.is_some_and(|p| p < 1.0) {
                return Err(r.invalid(*c, "a position of 1 or more, or empty"));
            }
            comp.push(p);
        }
        rows.push(KeywordRow {
            keyword: r.text(keyword)?.to_owned(),
            url: url
                .map(|c| r.str(c))
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            period: r.date(period)?.to_string(),
            position: pos,
            clicks: r.amount(clicks)?,
            impressions: r.amount(impressions)?,
            search_volume: r.amount(volume)?,
            competitor_positions: comp,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(file: &str, text: &str) -> CsvTable {
        CsvTable::parse(file, text.as_bytes()).unwrap()
    }

    const CONTENT: &str =
        "url,title,type,published,period,sessions,engaged_sessions,engagement_time_s,conversions\n";
    const KEYWORDS: &str = "keyword,url,period,position,clicks,impressions,search_volume,competitor_a_position,competitor_b_position\n";

    #[test]
    fn content_rows_are_read_with_the_age_at_the_period_start() {
        let rows = read_content(&table(
            "content.csv",
            &format!("{CONTENT}/g,Guide: x,Case Study,2026-09-01,2026-10-01,1000,600,90,12\n"),
        ))
        .unwrap();

        // 1 September to 1 October is 30 days.
        assert_eq!(rows[0].days_published_before_period, 30);
        assert_eq!(rows[0].content_type, "case_study");
        assert_eq!((rows[0].sessions, rows[0].conversions), (1000.0, 12.0));
    }

    #[test]
    fn bad_content_cells_name_file_row_and_column() {
        let err = |body: &str| {
            read_content(&table("content.csv", &format!("{CONTENT}{body}")))
                .unwrap_err()
                .to_string()
        };

        let number = err(
            "/a,A,blog,2026-01-01,2026-10-01,1000,600,90,12\n/b,B,blog,2026-01-01,2026-10-01,many,1,90,1\n",
        );
        let date = err("/a,A,blog,last spring,2026-10-01,1000,600,90,12\n");
        let engaged = err("/a,A,blog,2026-01-01,2026-10-01,100,600,90,12\n");

        assert!(
            number.contains("content.csv, row 3, column `sessions`") && number.contains("many"),
            "{number}"
        );
        assert!(
            date.contains("row 2, column `published`") && date.contains("a date"),
            "{date}"
        );
        assert!(engaged.contains("column `engaged_sessions`"), "{engaged}");
    }

    #[test]
    fn a_content_file_without_a_needed_column_is_refused_naming_it() {
        let err = read_content(&table(
            "content.csv",
            "url,title,type,published,period,sessions\n",
        ))
        .unwrap_err()
        .to_string();

        assert!(
            err.contains("content.csv") && err.contains("`engaged_sessions`"),
            "{err}"
        );
    }

    #[test]
    fn a_repeated_page_or_keyword_in_one_period_is_refused_naming_the_row() {
        let page = read_content(&table(
            "content.csv",
            &format!("{CONTENT}/a,A,blog,2026-01-01,2026-10-01,10,5,9,1\n/a,A,blog,2026-01-01,2026-10-01,10,5,9,1\n"),
        ))
        .unwrap_err()
        .to_string();
        let keyword = read_keywords(&table(
            "keywords.csv",
            &format!("{KEYWORDS}a,/a,2026-10-01,3,1,10,100,,\na,/b,2026-10-01,5,1,10,100,,\n"),
        ))
        .unwrap_err()
        .to_string();

        assert!(
            page.contains("row 3, column `url`") && page.contains("one row per url and period"),
            "{page}"
        );
        assert!(keyword.contains("row 3, column `keyword`"), "{keyword}");
    }

    #[test]
    fn keywords_read_every_competitor_column_and_empty_positions_as_not_ranking() {
        let rows = read_keywords(&table(
            "keywords.csv",
            &format!("{KEYWORDS}crm sync vs,,2026-10-01,,0,0,900,4.5,\n"),
        ))
        .unwrap();

        assert_eq!(rows[0].position, None);
        assert_eq!(rows[0].url, None);
        assert_eq!(rows[0].competitor_positions, [Some(4.5), None]);
    }

    #[test]
    fn bad_keyword_cells_name_file_row_and_column() {
        let err = |body: &str| {
            read_keywords(&table("keywords.csv", &format!("{KEYWORDS}{body}")))
                .unwrap_err()
                .to_string()
        };

        let position = err("a,/a,2026-10-01,0.2,1,10,100,3,\n");
        let volume = err("a,/a,2026-10-01,3,1,10,lots,3,\n");
        let period = err("a,/a,Q4,3,1,10,100,3,\n");
        let missing = read_keywords(&table("keywords.csv", "keyword,period,position\n"))
            .unwrap_err()
            .to_string();

        assert!(
            position.contains("keywords.csv, row 2, column `position`"),
            "{position}"
        );
        assert!(
            volume.contains("column `search_volume`") && volume.contains("lots"),
            "{volume}"
        );
        assert!(
            period.contains("column `period`") && period.contains("\"Q4\""),
            "{period}"
        );
        assert!(missing.contains("`clicks`"), "{missing}");
    }
}
