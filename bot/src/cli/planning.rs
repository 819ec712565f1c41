//! The planning analyses on the command line, per ../shared/contracts/analyses-cli.md:
//! `analyze budget` (marginal-ROI allocation with a test reserve), `analyze
//! sample-size` (A/B test sizing) and `analyze response-curves` (the light media-mix
//! model whose curves feed `budget`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use quarterdeck_analyses::budget::{self, Allocation, BudgetSpec};
use quarterdeck_analyses::mmm::{self, ResponseCurves, WeeklyData};
use quarterdeck_analyses::sample_size::{self, Metric, Params, SampleSize};

use super::{Failure, Format};
use crate::report::money;
use crate::sources::{CsvTable, InputError};

fn print<T: serde::Serialize>(
    value: &T,
    format: Format,
    table: impl FnOnce() -> String,
) -> Result<(), Failure> {
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string(value).map_err(|e| Failure::internal(e.to_string()))?
        ),
        Format::Table => print!("{}", table()),
    }
    Ok(())
}

pub fn budget(
    spec_file: &Path,
    allow_reserve_outside_range: bool,
    format: Format,
) -> Result<(), Failure> {
    let file = spec_file.display();
    let text = std::fs::read_to_string(spec_file)
        .map_err(|e| Failure::input(format!("{file}: cannot read: {e}")))?;
    let mut spec: BudgetSpec = toml::from_str(&text)
        .map_err(|e| Failure::input(format!("{file}: expected a budget spec: {e}")))?;
    spec.allow_reserve_outside_range |= allow_reserve_outside_range;
    let a = budget::allocate(&spec).map_err(|e| Failure::input(format!("{file}: {e}")))?;
    print(&a, format, || budget_table(&a))
}

fn budget_table(a: &Allocation) -> String {
    let mut out = format!(
        "Allocatable {} (reserve {} held back for tests). Expected response {}.\n\n{:<20}{:>14}{:>14}{:>14}  rationale\n",
        money(a.allocatable),
        money(a.reserve),
        money(a.total_response),
        "channel",
        "spend",
        "response",
        "marginal ROI"
    );
    for c in &a.channels {
        out.push_str(&format!(
            "{:<20}{:>14}{:>14}{:>14.3}  {}\n",
            c.name,
            money(c.spend),
            money(c.response),
            c.marginal_roi,
            c.rationale
        ));
    }
    if let Some(h) = &a.historical_mix {
        out.push_str(&format!(
            "\nLast quarter's mix at this budget: {} ({:+.1}% for the optimum).\n",
            money(h.total_response),
            gain(a.total_response, h.total_response)
        ));
    }
    out.push_str(&format!(
        "Allocation by historical average ROI: {} ({:+.1}% for the optimum).\n",
        money(a.roi_proportional.total_response),
        gain(a.total_response, a.roi_proportional.total_response)
    ));
    out
}

fn gain(optimum: f64, baseline: f64) -> f64 {
    if baseline > 0.0 {
        (optimum / baseline - 1.0) * 100.0
    } else {
        0.0
    }
}

/// The metric of a sample-size question, from the flags given.
pub fn sample_size_metric(
    baseline: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
) -> Result<Metric, Failure> {
    match (baseline, mean, sd) {
        (Some(baseline), None, None) => Ok(Metric::Proportion { baseline }),
        (None, Some(mean), Some(sd)) => Ok(Metric::Mean { mean, sd }),
        _ => Err(Failure::input(
            "expected --baseline P (a conversion rate), or --mean MU with --sd SIGMA",
        )),
    }
}

pub fn sample_size(metric: &Metric, params: &Params, format: Format) -> Result<(), Failure> {
    let s = sample_size::sample_size(metric, params)
        .map_err(|e| Failure::input(format!("sample-size: {e}")))?;
    print(&s, format, || sample_size_table(&s))
}

fn sample_size_table(s: &SampleSize) -> String {
    format!(
        "{} per arm ({:.2} exact), {} in all, by the {}.\n",
        s.per_arm, s.exact, s.total, s.method
    )
}

pub fn response_curves(
    spend: &Path,
    outcome: &Path,
    controls: Option<&PathBuf>,
    format: Format,
) -> Result<(), Failure> {
    let bad = |e: InputError| Failure::input(e.to_string());
    let data = weekly_data(
        &CsvTable::read(spend).map_err(bad)?,
        &CsvTable::read(outcome).map_err(bad)?,
        controls
            .map(|c| CsvTable::read(c))
            .transpose()
            .map_err(bad)?
            .as_ref(),
    )
    .map_err(bad)?;
    let curves = mmm::fit(&data, &mmm::Options::default())
        .map_err(|e| Failure::input(format!("{}: {e}", spend.display())))?;
    print(&curves, format, || curves_table(&curves))
}

fn curves_table(c: &ResponseCurves) -> String {
    let mut out = format!(
        "{} weeks, R² {:.3}; {:.0}% intervals from {} bootstrap refits.\n\n{:<20}{:>8}{:>20}{:>14}{:>10}\n",
        c.weeks,
        c.r2,
        c.interval_level * 100.0,
        c.bootstrap,
        "channel",
        "ROAS",
        "interval",
        "marginal",
        "adstock"
    );
    for ch in &c.channels {
        out.push_str(&format!(
            "{:<20}{:>8.2}{:>20}{:>14.2}{:>10.2}\n",
            ch.channel,
            ch.roas,
            format!("{:.2}–{:.2}", ch.roas_low, ch.roas_high),
            ch.marginal_roas,
            ch.adstock_decay
        ));
    }
    out
}

/// Aligns the long-form spend (`date,channel,spend`), the outcome (`date,<kpi>`) and the
/// optional controls (`date,<numeric columns>`) on the outcome's weeks. A channel with no
/// row for a week spent nothing that week; a spend or control row for a week the outcome
/// lacks, a repeated week, or a control missing a week is an error naming the row.
pub fn weekly_data(
    spend: &CsvTable,
    outcome: &CsvTable,
    controls: Option<&CsvTable>,
) -> Result<WeeklyData, InputError> {
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
    Ok(WeeklyData {
        spend: channels.into_iter().collect(),
        outcome: outcome_series,
        controls: control_series,
    })
}

/// Every column but the date, by header name.
fn other_columns(t: &CsvTable) -> impl Iterator<Item = (String, crate::sources::Col)> + '_ {
    t.header
        .iter()
        .filter(|h| !matches!(h.as_str(), "date" | "week" | ""))
        .filter_map(|h| t.find(h, &[]).map(|c| (h.clone(), c)))
}
