//! Market research inputs, all or nothing, errors naming file, row and column:
//! `competitors.csv` (date, competitor, kind, channel, summary, source), `trends.csv`
//! (date, topic, metric, value, source) and `benchmarks.csv` (metric, segment, value,
//! unit, source, year, url; `year` and `url` optional, a `percent` value is 0-100).

use quarterdeck_analyses::market::{Benchmark, CompetitorEvent, TrendPoint};

use super::{CsvTable, InputError};

pub fn read_competitors(t: &CsvTable) -> Result<Vec<CompetitorEvent>, InputError> {
    let (date, competitor, kind, channel, summary, source) = (
        t.require("date", &[])?,
        t.require("competitor", &[])?,
        t.require("kind", &["type"])?,
        t.require("channel", &[])?,
        t.require("summary", &["note", "description"])?,
        t.require("source", &[])?,
    );
    t.rows()
        .map(|r| {
            Ok(CompetitorEvent {
                date: r.date(date)?.to_string(),
                competitor: r.text(competitor)?.to_owned(),
                kind: r.str(kind).to_owned(),
                channel: r.text(channel)?.to_owned(),
                summary: r.text(summary)?.to_owned(),
                source: r.str(source).to_owned(),
            })
        })
        .collect()
}

pub fn read_trends(t: &CsvTable) -> Result<Vec<TrendPoint>, InputError> {
    let (date, topic, metric, value, source) = (
        t.require("date", &[])?,
        t.require("topic", &[])?,
        t.require("metric", &[])?,
        t.require("value", &[])?,
        t.require("source", &[])?,
    );
    t.rows()
        .map(|r| {
            Ok(TrendPoint {
                date: r.date(date)?.to_string(),
                topic: r.text(topic)?.to_owned(),
                metric: r.text(metric)?.to_owned(),
                value: r.number(value)?,
                source: r.str(source).to_owned(),
            })
        })
        .collect()
}

pub fn read_benchmarks(t: &CsvTable) -> Result<Vec<Benchmark>, InputError> {
    let (metric, segment, value, unit, source) = (
        t.require("metric", &[])?,
        t.require("segment", &[])?,
        t.require("value", &[])?,
        t.require("unit", &[])?,
        t.require("source", &[])?,
    );
    let year = t.find("year", &[]);
    t.rows()
        .map(|r| {
            let unit_text = r.text(unit)?.to_lowercase();
            let v = r.number(value)?;
            let value = if unit_text == "percent" {
                if !(0.0..=100.0).contains(&v) {
                    return Err(r.invalid(value, "a percentage from 0 to 100"));
                }
                v / 100.0
            } else {
                v
            };
            let year = match year {
                Some(c) => match r.opt_number(c)? {
                    Some(y) if y.fract() == 0.0 && (1900.0..=2200.0).contains(&y) => Some(y as i32),
                    Some(_) => return Err(r.invalid(c, "a year such as 2025")),
                    None => None,
                },
                None => None,
            };
            Ok(Benchmark {
                metric: r.text(metric)?.to_owned(),
                segment: r.str(segment).to_owned(),
                value,
                unit: unit_text,
                source: r.text(source)?.to_owned(),
                year,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, text: &str) -> CsvTable {
        CsvTable::parse(name, text.as_bytes()).unwrap()
    }

    #[test]
    fn a_competitor_note_without_a_date_names_its_row_and_column() {
        let t = table(
            "competitors.csv",
            "date,competitor,kind,channel,summary,source\n2026-10-01,A,launch,seo,x,notes\nsoon,B,launch,seo,y,notes\n",
        );

        let e = read_competitors(&t).unwrap_err().to_string();

        assert!(
            e.starts_with("competitors.csv, row 3, column `date`"),
            "{e}"
        );
        assert!(e.contains("\"soon\""), "{e}");
    }

    #[test]
    fn a_competitor_file_without_a_channel_column_says_which_column_is_missing() {
        let t = table(
            "competitors.csv",
            "date,competitor,kind,summary,source\n2026-10-01,A,launch,x,notes\n",
        );

        let e = read_competitors(&t).unwrap_err().to_string();

        assert!(e.contains("expected a column `channel`"), "{e}");
    }

    #[test]
    fn a_trend_value_that_is_not_a_number_names_its_cell() {
        let t = table(
            "trends.csv",
            "date,topic,metric,value,source\n2026-07-01,cpc,usd,5.9,news\n2026-08-01,cpc,usd,n/a,news\n",
        );

        let e = read_trends(&t).unwrap_err().to_string();

        assert!(
            e.starts_with("trends.csv, row 3, column `value`: expected a number"),
            "{e}"
        );
    }

    #[test]
    fn benchmarks_in_percent_become_fractions_and_bad_ones_are_refused() {
        let good = table(
            "benchmarks.csv",
            "metric,segment,value,unit,source,year,url\nfunnel_lead_to_mql,b2b;channel=seo,41,percent,FPS,2025,http://x\n",
        );
        let bad = table(
            "benchmarks.csv",
            "metric,segment,value,unit,source,year,url\nfunnel_lead_to_mql,b2b,141,percent,FPS,2025,\n",
        );
        let bad_year = table(
            "benchmarks.csv",
            "metric,segment,value,unit,source,year\nfunnel_lead_to_mql,b2b,41,percent,FPS,last year\n",
        );

        let b = read_benchmarks(&good).unwrap();

        assert_eq!(b[0].value, 0.41);
        assert_eq!(b[0].year, Some(2025));
        let e = read_benchmarks(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with("benchmarks.csv, row 2, column `value`: expected a percentage"),
            "{e}"
        );
        let e = read_benchmarks(&bad_year).unwrap_err().to_string();
        assert!(e.contains("column `year`"), "{e}");
    }
}
