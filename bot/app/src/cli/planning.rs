//! The planning analyses on the command line, per docs/contracts/analyses-cli.md:
//! `analyze budget` (marginal-ROI allocation with a test reserve), `analyze
//! sample-size` (A/B test sizing) and `analyze response-curves` (the light media-mix
//! model whose curves feed `budget`).

use std::path::{Path, PathBuf};

use quarterdeck_analyses::budget::{self, Allocation, BudgetSpec};
use quarterdeck_analyses::mmm::{self, ResponseCurves};
use quarterdeck_analyses::sample_size::{self, Metric, Params, SampleSize};

use super::{Failure, Format};
use crate::report::money;
use crate::sources::{CsvTable, InputError, weekly_data};

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
    saturation: mmm::Shape,
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
    let options = mmm::Options {
        saturation,
        ..mmm::Options::default()
    };
    let curves = mmm::fit(&data, &options)
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
    if c.families.len() > 1 {
        let weights: Vec<String> = c
            .families
            .iter()
            .map(|f| format!("{:?} {:.0}%", f.saturation, f.weight * 100.0))
            .collect();
        out.insert_str(
            0,
            &format!("Curve shapes averaged by BIC: {}.\n", weights.join(", ")),
        );
    }
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
