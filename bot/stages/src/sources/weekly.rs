//! Weekly media history (`weekly_media.csv`, `weekly_revenue.csv`, `controls.csv`)
//! aligned into the series the media-mix model fits; shared by `quarterdeck analyze
//! response-curves` and the budget stage so both read the files the same way.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use quarterdeck_analyses::mmm::WeeklyData;

use super::{CsvTable, InputError};

/// The aligned series and the week each position stands for (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklySeries {
    pub weeks: Vec<NaiveDate>,
    pub data: WeeklyData,
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

    let (sd, sc, ss) = (
        spend.require("date", &["week"])?,
        spend.require("channel", &[])?,
        spend.require("spend", &["cost"])?,
    );
    let mut channels: BTreeMap<String, Vec<f64>> = BTreeMap::new();
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
            .entry(r.text(sc)?.to_owned())
            .or_insert_with(|| vec![0.0; order.len()]);
        series[week] += r.amount(ss)?;
    }

    let mut control_series = Vec::new();
    if let Some(t) = controls {
        let cd = t.require("date", &["week"])?;
        let (names, cols): (Vec<String>, Vec<_>) = other_columns(t).unzip();
        let mut series = vec![vec![f64::NAN; order.len()]; names.len()];
        for r in t.rows() {
            let d = r.date(cd)?;
            let week = *position.get(&d).ok_or_else(|| InputError::Cell {
                file: t.file.clone(),
                row: r.number,
                column: "date".into(),
                expected: format!("a week listed in {}", outcome.file),
                found: d.to_string(),
            })?;
            for (s, c) in series.iter_mut().zip(&cols) {
                s[week] = r.number(*c)?;
            }
        }
        if let Some(missing) = (0..order.len()).find(|w| series.iter().any(|s| s[*w].is_nan())) {
            return Err(file_error(
                t,
                format!("expected a row for the week {}, found none", order[missing]),
            ));
        }
        control_series = names.into_iter().zip(series).collect();
    }
    Ok(WeeklySeries {
        weeks: order,
        data: WeeklyData {
            spend: channels.into_iter().collect(),
            outcome: outcome_series,
            controls: control_series,
        },
    })
}

/// Every column but the date, by header name.
fn other_columns(t: &CsvTable) -> impl Iterator<Item = (String, super::Col)> + '_ {
    t.header
        .iter()
        .filter(|h| !matches!(h.as_str(), "date" | "week" | ""))
        .filter_map(|h| t.find(h, &[]).map(|c| (h.clone(), c)))
}
