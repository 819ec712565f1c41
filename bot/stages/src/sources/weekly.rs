//! Weekly media history (`weekly_media.csv`, `weekly_revenue.csv`, `controls.csv`)
//! aligned into the series the media-mix model fits; shared by `quarterdeck analyze
//! response-curves` and the budget stage so both read the files the same way.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use quarterdeck_analyses::mmm::WeeklyData;

use super::{Col, CsvTable, InputError};

/// The aligned series and the week each position stands for (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklySeries {
    pub weeks: Vec<NaiveDate>,
    pub data: WeeklyData,
    /// What the reading left out or converted (a control with blank weeks, a text
    /// control turned into indicators), for the post.
    pub notes: Vec<String>,
}

/// Weekly media exported wide, as MMM tools do (Robyn's `tv_S`, Meridian's
/// `Channel0_spend`): one row per week, one spend column per channel. Configured as
/// `wide = { date = "DATE", channels = { tv = "tv_S" } }`; without it, a
/// `weekly_media.csv` with no `channel` column is read wide from its `*_S` and
/// `*_spend` columns (channel = the header without the suffix).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideMedia {
    /// The date column's header (default: the usual date names).
    pub date: Option<String>,
    /// Channel name -> its spend column's header.
    pub channels: BTreeMap<String, String>,
}

/// The channel of a wide spend column: `tv_S` -> `tv`, `Channel0_spend` -> `Channel0`.
pub fn wide_stem(header: &str) -> Option<&str> {
    let stem = header
        .strip_suffix("_S")
        .or_else(|| header.strip_suffix("_s"))
        .or_else(|| header.strip_suffix("_spend"))
        .or_else(|| header.strip_suffix("_Spend"))?;
    (!stem.is_empty()).then_some(stem)
}

/// The spend columns of a wide media file: the date column and (channel, column).
/// The date column and each channel's spend column.
type WideColumns = (Col, Vec<(String, Col)>);

fn wide_columns(t: &CsvTable) -> Result<Option<WideColumns>, InputError> {
    let file_error = |message: String| InputError::File {
        file: t.file.clone(),
        message,
    };
    let date = |configured: Option<&str>| match configured {
        Some(h) => t
            .find_header(h)
            .ok_or_else(|| file_error(format!("expected the configured wide date column `{h}`"))),
        None => t.require("date", &["week"]),
    };
    if let Some(w) = &t.options().wide {
        let cols = w
            .channels
            .iter()
            .map(|(channel, header)| {
                t.find_header(header)
                    .map(|c| (super::map_channel(&t.options().channel_aliases, channel), c))
                    .ok_or_else(|| {
                        file_error(format!(
                            "expected the configured spend column `{header}` of channel \
                             `{channel}`, found: {}",
                            t.raw_header.join(", ")
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Some((date(w.date.as_deref())?, cols)));
    }
    if t.find("channel", &[]).is_some() {
        return Ok(None);
    }
    let cols: Vec<(String, Col)> = t
        .raw_header
        .iter()
        .filter_map(|h| {
            let stem = wide_stem(h)?;
            let col = t.find_header(h)?;
            Some((super::map_channel(&t.options().channel_aliases, stem), col))
        })
        .collect();
    if cols.is_empty() {
        return Ok(None);
    }
    Ok(Some((date(None)?, cols)))
}

/// [`weekly_series`] without the dates.
pub fn weekly_data(
    spend: &CsvTable,
    outcome: &CsvTable,
    controls: Option<&CsvTable>,
) -> Result<WeeklyData, InputError> {
    weekly_series(spend, outcome, controls).map(|s| s.data)
}

/// Aligns the long-form spend (`date,channel,spend`), the outcome (`date,<kpi>`) and the
/// optional controls (`date,<numeric columns>`) on the outcome's weeks. A channel with no
/// row for a week spent nothing that week; a spend or control row for a week the outcome
/// lacks, a repeated week, or a control missing a week is an error naming the row.
pub fn weekly_series(
    spend: &CsvTable,
    outcome: &CsvTable,
    controls: Option<&CsvTable>,
) -> Result<WeeklySeries, InputError> {
    let file_error = |t: &CsvTable, message: String| InputError::File {
        file: t.file.clone(),
        message,
    };
    let date = outcome.require("date", &["week"])?;
    let kpi = outcome
        .find("revenue", &[])
        .or_else(|| other_columns(outcome).next().map(|(_, c)| c))
        .ok_or_else(|| {
            file_error(
                outcome,
                "expected a second column with the KPI (e.g. revenue)".into(),
            )
        })?;
    let mut weeks: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut values = Vec::with_capacity(outcome.len());
    for r in outcome.rows() {
        let d = r.date(date)?;
        if weeks.insert(d, values.len()).is_some() {
            return Err(file_error(
                outcome,
                format!("row {}: the week {d} is listed twice", r.number),
            ));
        }
        values.push(r.number(kpi)?);
    }
    // Outcome rows may come in any order: index weeks oldest first.
    let order: Vec<NaiveDate> = weeks.keys().copied().collect();
    let position: BTreeMap<NaiveDate, usize> =
        order.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut outcome_series = vec![0.0; order.len()];
    for (d, i) in &weeks {
        outcome_series[position[d]] = values[*i];
    }

    let mut channels: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    if let Some((sd, cols)) = wide_columns(spend)? {
        let mut seen = BTreeMap::new();
        for r in spend.rows() {
            let d = r.date(sd)?;
            let week = *position
                .get(&d)
                .ok_or_else(|| r.invalid(sd, &format!("a week listed in {}", outcome.file)))?;
            if let Some(first) = seen.insert(week, r.number) {
                return Err(file_error(
                    spend,
                    format!(
                        "row {}: the week {d} is listed twice (first at row {first})",
                        r.number
                    ),
                ));
            }
            for (channel, c) in &cols {
                // A blank cell is no spend, as a missing row is in the long form.
                let v = match r.str(*c) {
                    "" => 0.0,
                    _ => r.amount(*c)?,
                };
                channels
                    .entry(channel.clone())
                    .or_insert_with(|| vec![0.0; order.len()])[week] += v;
            }
        }
    }
    let long = channels.is_empty();
    let long_columns = if long {
        Some((
            spend.require("date", &["week"])?,
            spend.require("channel", &[])?,
            spend.require("spend", &["cost"])?,
        ))
    } else {
        None
    };
    if let Some((sd, sc, ss)) = long_columns {
        for r in spend.rows() {
            let d = r.date(sd)?;
            let week = *position.get(&d).ok_or_else(|| InputError::Cell {
                file: spend.file.clone(),
                row: r.number,
                column: spend.header[0].clone(),
                expected: format!("a week listed in {}", outcome.file),
                found: d.to_string(),
            })?;
            let series = channels
                .entry(r.channel(sc)?)
                .or_insert_with(|| vec![0.0; order.len()]);
            series[week] += r.amount(ss)?;
        }
    }

    let mut control_series = Vec::new();
    let mut notes = Vec::new();
    if let Some(t) = controls {
        let cd = t.require("date", &["week"])?;
        let mut rows_by_week: Vec<Option<usize>> = vec![None; order.len()];
        let rows: Vec<_> = t.rows().collect();
        for (i, r) in rows.iter().enumerate() {
            let d = r.date(cd)?;
            let week = *position.get(&d).ok_or_else(|| InputError::Cell {
                file: t.file.clone(),
                row: r.number,
                column: "date".into(),
                expected: format!("a week listed in {}", outcome.file),
                found: d.to_string(),
            })?;
            rows_by_week[week] = Some(i);
        }
        if let Some(missing) = rows_by_week.iter().position(Option::is_none) {
            return Err(file_error(
                t,
                format!("expected a row for the week {}, found none", order[missing]),
            ));
        }
        let week_rows: Vec<&super::Row<'_>> =
            rows_by_week.iter().map(|i| &rows[i.unwrap_or(0)]).collect();
        for (name, c) in other_columns(t).filter(|(_, c)| c.index() != cd.index()) {
            let blank = week_rows.iter().filter(|r| r.str(c).is_empty()).count();
            let numbers: Vec<Option<f64>> = week_rows
                .iter()
                .map(|r| r.opt_number(c).ok().flatten())
                .collect();
            let texts = week_rows
                .iter()
                .filter(|r| !r.str(c).is_empty() && r.opt_number(c).is_err())
                .count();
            if texts == 0 && blank == 0 {
                control_series.push((name, numbers.into_iter().flatten().collect()));
            } else if texts == 0 {
                notes.push(format!(
                    "control `{name}` left out of the model: {blank} of {} weeks are blank",
                    order.len()
                ));
            } else {
                // A text control (Robyn's `events`: `na`, `event1`, …): one 0/1
                // indicator per value, blank = none.
                let values: std::collections::BTreeSet<&str> = week_rows
                    .iter()
                    .map(|r| r.str(c))
                    .filter(|s| !s.is_empty())
                    .collect();
                for v in &values {
                    control_series.push((
                        format!("{name}={v}"),
                        week_rows
                            .iter()
                            .map(|r| f64::from(u8::from(r.str(c) == *v)))
                            .collect(),
                    ));
                }
                notes.push(format!(
                    "control `{name}` holds text: read as {} indicator{} ({}), blank weeks as none",
                    values.len(),
                    if values.len() == 1 { "" } else { "s" },
                    values.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    Ok(WeeklySeries {
        weeks: order,
        data: WeeklyData {
            spend: channels.into_iter().collect(),
            outcome: outcome_series,
            controls: control_series,
        },
        notes,
    })
}

/// Every column but the date, by header name.
fn other_columns(t: &CsvTable) -> impl Iterator<Item = (String, super::Col)> + '_ {
    t.header
        .iter()
        .filter(|h| !matches!(h.as_str(), "date" | "week" | "time" | "date_week" | ""))
        .filter_map(|h| t.find(h, &[]).map(|c| (h.clone(), c)))
}
