//! `quarterdeck analyze <analysis>`: every analysis a stage runs, from the command line,
//! per docs/contracts/analyses-cli.md. JSON on stdout (`--format json`) or a table
//! for people; bad input exits 2 with one located message and nothing on stdout.

use std::path::PathBuf;

use clap::Subcommand;
use quarterdeck_analyses::attribution::{self, Attribution, Params};
use quarterdeck_analyses::funnel::{self, Funnel};
use quarterdeck_analyses::logistic;

use super::{Failure, Format, content, planning};
use crate::report::percent_or_dash;
use crate::sources::{self, CsvTable};

#[derive(Debug, Subcommand)]
pub enum Analysis {
    /// Multi-touch attribution: first, last, linear, time decay, position, Shapley, Markov.
    Attribution {
        /// Aggregated journeys: path,total_conversions,total_conversion_value,total_null.
        #[arg(long, conflicts_with_all = ["touchpoints", "conversions"])]
        paths: Option<PathBuf>,
        /// journey_id,timestamp,channel[,campaign]
        #[arg(long, requires = "conversions")]
        touchpoints: Option<PathBuf>,
        /// journey_id,timestamp,value
        #[arg(long, requires = "touchpoints")]
        conversions: Option<PathBuf>,
        /// Touches (path input) or days (touchpoint input).
        #[arg(long, default_value_t = 7.0)]
        time_decay_half_life: f64,
        #[arg(long, default_value_t = 1)]
        markov_order: usize,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Campaign ROI of a quarter (stage 1): spend vs plan, attributed ROAS, findings.
    Roi {
        /// Folder with spend.csv and campaigns.csv, touchpoints.csv and conversions.csv,
        /// and optionally leads.csv.
        #[arg(long)]
        data: PathBuf,
        /// The quarter under review, e.g. 2026-Q4; the one before it is the comparison.
        #[arg(long)]
        quarter: String,
        #[arg(long, default_value_t = 1)]
        fiscal_year_start_month: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// How well a lead score predicts a 0/1 target: AUC, calibration, deciles, threshold.
    LeadScoring {
        #[arg(long)]
        leads: PathBuf,
        /// A 0/1 column (true/false accepted).
        #[arg(long)]
        target: String,
        /// Evaluate this existing score (probabilities, or points on a 0-100 scale).
        #[arg(long, conflicts_with = "features")]
        score_column: Option<String>,
        /// Fit a logistic model on these numeric columns (comma-separated).
        #[arg(long, value_delimiter = ',')]
        features: Option<Vec<String>>,
        /// scikit-learn's C for an L2 penalty; 0 or absent = unpenalised.
        #[arg(long)]
        l2: Option<f64>,
        /// Share of leads to pass as MQLs, for the threshold.
        #[arg(long)]
        mql_rate: Option<f64>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Budget allocation that equalises marginal ROI, with a test reserve.
    Budget {
        /// TOML: total, reserve, [[channel]] name/min/max/historical/curve.
        #[arg(long)]
        spec: PathBuf,
        /// Accept a reserve outside the 10-15% planning rule.
        #[arg(long)]
        allow_reserve_outside_range: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Sample size per arm of an A/B test (power.prop.test / power.t.test).
    SampleSize {
        /// Baseline conversion rate (proportion metric).
        #[arg(long, conflicts_with_all = ["mean", "sd"])]
        baseline: Option<f64>,
        /// Mean of a continuous metric (with --sd).
        #[arg(long, requires = "sd")]
        mean: Option<f64>,
        #[arg(long, requires = "mean")]
        sd: Option<f64>,
        /// Minimum detectable effect, relative (0.1 = +10%) unless --absolute.
        #[arg(long)]
        mde: f64,
        #[arg(long)]
        absolute: bool,
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        #[arg(long, default_value_t = 0.8)]
        power: f64,
        #[arg(long)]
        one_sided: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Response curves per channel from weekly spend and outcome (a light media-mix model).
    ResponseCurves {
        /// date,channel,spend (weekly, long form).
        #[arg(long)]
        spend: PathBuf,
        /// date,revenue (or another KPI in the second column).
        #[arg(long)]
        outcome: PathBuf,
        /// date,<numeric columns>.
        #[arg(long)]
        controls: Option<PathBuf>,
        /// The saturation curve: per-channel (stage 6's: logistic unless BIC shows the
        /// channel's S-shaped hill curve by 2 or more), hill, logistic, or averaged (both
        /// for every channel, weighted by BIC).
        #[arg(long, value_enum, default_value_t = CurveShape::PerChannel)]
        saturation: CurveShape,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Stage-to-stage conversion with Wilson intervals, velocity, groups and cohorts.
    Funnel {
        #[arg(long)]
        leads: PathBuf,
        /// Deals or opportunities in their own file (`lead_id`, `won_at` and/or
        /// `opportunity_at`, `amount`), joined to the leads by id.
        #[arg(long)]
        deals: Option<PathBuf>,
        #[arg(long, value_enum)]
        by: Option<GroupBy>,
        /// Cohorts are by month of the lead's first stage (the only cohort supported).
        #[arg(long, value_enum, default_value_t = CohortBy::Month)]
        cohort: CohortBy,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Content performance (stage 3): top pages by traffic, engagement and conversions,
    /// normalised by type and age, by type and by quarter.
    Content {
        /// url,title,type,published,period,sessions,engaged_sessions,engagement_time_s,conversions
        #[arg(long)]
        content: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// SEO review (stage 3): ranking moves, striking-distance keywords, content gaps and
    /// the ranked opportunities on the SISTRIX 2020 CTR curve.
    Seo {
        /// keyword,url,period,position,clicks,impressions,search_volume[,competitor_*_position]
        #[arg(long)]
        keywords: PathBuf,
        /// Values opportunities in conversions by content type.
        #[arg(long)]
        content: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Market & competition (stage 5): competitor moves, trends, journey shifts, benchmark gaps.
    Market(super::market::MarketArgs),
    /// Goals (stage 7): a revenue target worked back through funnel rates and lags.
    Goals(super::goals::GoalsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    Source,
    Segment,
    Region,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CohortBy {
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CurveShape {
    PerChannel,
    Hill,
    Logistic,
    Averaged,
}

impl CurveShape {
    fn shape(self) -> quarterdeck_analyses::mmm::Shape {
        use quarterdeck_analyses::mmm::Shape;
        match self {
            CurveShape::PerChannel => Shape::PerChannel,
            CurveShape::Hill => Shape::Hill,
            CurveShape::Logistic => Shape::Logistic,
            CurveShape::Averaged => Shape::Averaged,
        }
    }
}

pub fn run(analysis: Analysis) -> Result<(), Failure> {
    match analysis {
        Analysis::Market(args) => super::market::run(&args),
        Analysis::Goals(args) => super::goals::run(&args),
        Analysis::Attribution {
            paths,
            touchpoints,
            conversions,
            time_decay_half_life,
            markov_order,
            format,
        } => {
            let params = Params {
                half_life: time_decay_half_life,
                markov_order,
            };
            let input = |e: sources::InputError| Failure::input(e.to_string());
            let result = match (paths, touchpoints, conversions) {
                (Some(p), None, None) => {
                    let bytes = std::fs::read(&p).map_err(|e| {
                        Failure::input(format!("{}: cannot read: {e}", p.display()))
                    })?;
                    let set =
                        sources::read_paths(&p.display().to_string(), &bytes).map_err(input)?;
                    attribution::attribute_path_set(set, &params)
                }
                (None, Some(t), Some(c)) => {
                    let (t, c) = (
                        CsvTable::read(&t).map_err(input)?,
                        CsvTable::read(&c).map_err(input)?,
                    );
                    attribution::attribute_journeys(
                        &sources::read_journeys(&t, &c, None).map_err(input)?,
                        &params,
                    )
                }
                _ => {
                    return Err(Failure::input(
                        "expected --paths FILE, or --touchpoints FILE with --conversions FILE",
                    ));
                }
            }
            .map_err(|e| Failure::input(format!("--markov-order/--time-decay-half-life: {e}")))?;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string(&result).map_err(|e| Failure::internal(e.to_string()))?
                ),
                Format::Table => print!("{}", attribution_table(&result)),
            }
            Ok(())
        }
        Analysis::Roi {
            data,
            quarter,
            fiscal_year_start_month,
            format,
        } => {
            let q: crate::timeline::Quarter = quarter
                .parse()
                .map_err(|e| Failure::input(format!("--quarter: {e}")))?;
            if !(1..=12).contains(&fiscal_year_start_month) {
                return Err(Failure::input(format!(
                    "--fiscal-year-start-month: expected 1-12, found {fiscal_year_start_month}"
                )));
            }
            let quarters = sources::Quarters {
                current_start: q.starts(fiscal_year_start_month),
                current_end: q.ends(fiscal_year_start_month),
                through: None,
            };
            let files = sources::DataSet::from_dir(&data, crate::stages::inputs_of(1))
                .map_err(|e| Failure::input(e.to_string()))?;
            let review = crate::stages::review(&files, &quarters)
                .map_err(|e| Failure::input(e.to_string()))?;
            let roi = review.roi.ok_or_else(|| {
                Failure::input(format!(
                    "--data {}: no ROI: {}",
                    data.display(),
                    review
                        .no_roi
                        .as_deref()
                        .unwrap_or("expected spend.csv and campaigns.csv in it")
                ))
            })?;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string(&roi).map_err(|e| Failure::internal(e.to_string()))?
                ),
                Format::Table => {
                    let t = crate::stages::roi_table(&roi, &Default::default());
                    println!(
                        "{}\n{}",
                        t.to_markdown(),
                        crate::stages::roi_findings_text(&roi, usize::MAX, &Default::default())
                            .trim_start()
                    );
                }
            }
            Ok(())
        }
        Analysis::LeadScoring {
            leads,
            target,
            score_column,
            features,
            l2,
            mql_rate,
            format,
        } => {
            let (e, coefficients, scale) = match (score_column, features) {
                (Some(score), None) => {
                    let (scores, y) = read_lead_columns(&leads, &target, &[score])?;
                    let (scores, scale) = probability_scale(scores);
                    (evaluate(&scores, &y, mql_rate, &leads)?, None, scale)
                }
                (None, Some(features)) => {
                    // `--features a, b`: names are trimmed, empty ones dropped.
                    let features: Vec<String> = features
                        .iter()
                        .map(|f| f.trim().to_owned())
                        .filter(|f| !f.is_empty())
                        .collect();
                    let (x, y) = read_lead_columns(&leads, &target, &features)?;
                    let (scores, coefficients) = fit_scores(&x, &y, &features, l2, &leads)?;
                    (
                        evaluate(&scores, &y, mql_rate, &leads)?,
                        Some(coefficients),
                        1.0,
                    )
                }
                _ => {
                    return Err(Failure::input(
                        "expected --score-column COLUMN or --features a,b,c",
                    ));
                }
            };
            let mut e = e;
            if let Some(t) = e.threshold_for_mql_rate.as_mut() {
                *t *= scale;
            }
            let mut v = serde_json::to_value(&e).map_err(|e| Failure::internal(e.to_string()))?;
            v["score_scale"] = serde_json::json!(scale);
            if let Some(c) = &coefficients {
                v["coefficients"] =
                    serde_json::to_value(c).map_err(|e| Failure::internal(e.to_string()))?;
            }
            match format {
                Format::Json => println!("{v}"),
                Format::Table => print!("{}", scoring_table(&e)),
            }
            Ok(())
        }
        Analysis::Budget {
            spec,
            allow_reserve_outside_range,
            format,
        } => planning::budget(&spec, allow_reserve_outside_range, format),
        Analysis::SampleSize {
            baseline,
            mean,
            sd,
            mde,
            absolute,
            alpha,
            power,
            one_sided,
            format,
        } => {
            let metric = planning::sample_size_metric(baseline, mean, sd)?;
            let params = quarterdeck_analyses::sample_size::Params {
                mde,
                absolute,
                alpha,
                power,
                one_sided,
            };
            planning::sample_size(&metric, &params, format)
        }
        Analysis::ResponseCurves {
            spend,
            outcome,
            controls,
            saturation,
            format,
        } => planning::response_curves(
            &spend,
            &outcome,
            controls.as_ref(),
            saturation.shape(),
            format,
        ),
        Analysis::Funnel {
            leads,
            deals,
            by,
            cohort: CohortBy::Month,
            format,
        } => {
            let by = by.map(|b| match b {
                GroupBy::Source => "source",
                GroupBy::Segment => "segment",
                GroupBy::Region => "region",
            });
            let bad = |e: sources::InputError| Failure::input(e.to_string());
            let csv = CsvTable::read(&leads).map_err(bad)?;
            // Grouping by a column the file does not have would put every lead in one
            // unnamed group: refuse, naming the file and the column.
            if let Some(g) = by
                && csv.find(g, &[]).is_none()
            {
                return Err(Failure::input(format!(
                    "{}: --by {g}: expected a column `{g}` to group the leads by, found none (columns: {})",
                    leads.display(),
                    csv.header.join(", ")
                )));
            }
            let mut table = sources::read_leads(&csv).map_err(bad)?;
            if let Some(d) = &deals {
                let d = CsvTable::read(d).map_err(bad)?;
                let join = sources::join_deals(&csv, &mut table, &d).map_err(bad)?;
                if let Some((row, id)) = &join.first_unmatched {
                    eprintln!(
                        "{}: {} of {} deals name a lead id not in {} (first {id:?} at row {row}); they are left out",
                        d.file,
                        join.unmatched,
                        join.deals,
                        leads.display()
                    );
                }
            }
            let result = funnel::analyze(&table.stages, &table.leads, by)
                .map_err(|e| Failure::input(format!("{}: {e}", leads.display())))?;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string(&result).map_err(|e| Failure::internal(e.to_string()))?
                ),
                Format::Table => print!("{}", funnel_table(&result)),
            }
            Ok(())
        }
        Analysis::Content { content, format } => content::content(&content, format),
        Analysis::Seo {
            keywords,
            content: pages,
            format,
        } => content::seo(&keywords, pages.as_deref(), format),
    }
}

fn funnel_table(f: &Funnel) -> String {
    let mut out = format!(
        "{:<26}{:>9}{:>10}{:>9}{:>19}{:>13}\n",
        "transition", "entered", "converted", "rate", "95% interval", "median days"
    );
    let row = |t: &funnel::Transition| {
        format!(
            "{:<26}{:>9}{:>10}{:>9}{:>19}{:>13}\n",
            format!("{} -> {}", t.from, t.to),
            t.entered,
            t.converted,
            percent_or_dash(t.rate),
            format!(
                "{} - {}",
                percent_or_dash(t.wilson_low),
                percent_or_dash(t.wilson_high)
            ),
            t.median_days
                .map_or_else(|| "—".to_owned(), |d| format!("{d:.1}"))
        )
    };
    for t in &f.transitions {
        out.push_str(&row(t));
    }
    for (g, rows) in &f.by {
        out.push_str(&format!("\n{g}\n"));
        for t in rows {
            out.push_str(&row(t));
        }
    }
    for d in &f.differences {
        out.push_str(&format!(
            "\nDifferent: {} {} -> {} converts at {} vs {} for the rest (z {:.2}, Holm-adjusted p {:.4}).",
            d.group, d.from, d.to, percent_or_dash(Some(d.rate)), percent_or_dash(Some(d.rest_rate)), d.z, d.p_adjusted
        ));
    }
    if !f.differences.is_empty() {
        out.push('\n');
    }
    out
}

fn attribution_table(a: &Attribution) -> String {
    let m = &a.models;
    let models = [
        ("first", &m.first),
        ("last", &m.last),
        ("linear", &m.linear),
        ("decay", &m.time_decay),
        ("position", &m.position),
        ("shapley", &m.shapley),
        ("markov", &m.markov),
    ];
    let mut out = format!(
        "{:.2} conversions worth {:.2} in total.\n\nConversions by model\n{:<20}",
        a.total_conversions, a.total_value, "channel"
    );
    for (name, _) in &models {
        out.push_str(&format!("{name:>11}"));
    }
    out.push_str(&format!("{:>11}\n", "removal"));
    for (i, c) in m.first.iter().enumerate() {
        out.push_str(&format!("{:<20}", c.channel));
        for (_, model) in &models {
            out.push_str(&format!("{:>11.2}", model[i].conversions));
        }
        out.push_str(&format!(
            "{:>10.1}%\n",
            a.removal_effects[i].conversions * 100.0
        ));
    }
    out.push_str(&format!("\nValue by model\n{:<20}", "channel"));
    for (name, _) in &models {
        out.push_str(&format!("{name:>11}"));
    }
    out.push('\n');
    for (i, c) in m.first.iter().enumerate() {
        out.push_str(&format!("{:<20}", c.channel));
        for (_, model) in &models {
            out.push_str(&format!("{:>11.0}", model[i].value));
        }
        out.push('\n');
    }
    if let Some(d) = a.disagreement.first() {
        out.push_str(&format!(
            "\nLast touch misjudges {} most: {:+.2} conversions against the mean of Shapley and Markov.\n",
            d.channel, d.last_touch_error
        ));
    }
    out
}

/// The 0/1 `target` and the numeric `columns` of a lead file: values row-major
/// (`columns.len()` per row).
fn read_lead_columns(
    file: &std::path::Path,
    target: &str,
    columns: &[String],
) -> Result<(Vec<f64>, Vec<bool>), Failure> {
    let name = file.display().to_string();
    let bytes =
        std::fs::read(file).map_err(|e| Failure::input(format!("{name}: cannot read: {e}")))?;
    let read = sources::read_lead_columns(&name, &bytes, target, columns)
        .map_err(|e| Failure::input(e.to_string()))?;
    if read.skipped_blank > 0 {
        eprintln!(
            "note: {name}: {} rows left out because {} or one of the asked columns is blank",
            read.skipped_blank, target
        );
    }
    Ok((read.values, read.targets))
}

/// Scores as probabilities: scores above 1 are read as points on a 0-100 scale (the
/// returned scale is 100 then, else 1).
fn probability_scale(scores: Vec<f64>) -> (Vec<f64>, f64) {
    let max = scores.iter().copied().fold(0.0f64, f64::max);
    let scale = if max > 1.0 && max <= 100.0 {
        100.0
    } else {
        1.0
    };
    (scores.into_iter().map(|s| s / scale).collect(), scale)
}

fn evaluate(
    scores: &[f64],
    y: &[bool],
    mql_rate: Option<f64>,
    file: &std::path::Path,
) -> Result<quarterdeck_analyses::scoring::Evaluation, Failure> {
    quarterdeck_analyses::scoring::evaluate(scores, y, mql_rate)
        .map_err(|e| Failure::input(format!("{}: {e}", file.display())))
}

/// Fits the logistic model and scores every lead with it; a problem with one feature
/// names its column.
fn fit_scores(
    x: &[f64],
    y: &[bool],
    features: &[String],
    l2: Option<f64>,
    file: &std::path::Path,
) -> Result<(Vec<f64>, Vec<logistic::Coefficient>), Failure> {
    let bad = |e: logistic::FitError| {
        let column = e
            .feature()
            .and_then(|i| features.get(i))
            .map_or_else(String::new, |c| format!(", column `{c}`"));
        Failure::input(format!("{}{column}: {e}", file.display()))
    };
    let m = logistic::Matrix::new(x, features.len()).map_err(bad)?;
    let fit = logistic::fit(
        &m,
        y,
        &logistic::FitOptions {
            l2,
            ..Default::default()
        },
    )
    .map_err(bad)?;
    let names: Vec<&str> = features.iter().map(String::as_str).collect();
    Ok((
        fit.predict_all(&m).map_err(bad)?,
        fit.named(&names).map_err(bad)?,
    ))
}

fn scoring_table(e: &quarterdeck_analyses::scoring::Evaluation) -> String {
    let mut out = format!(
        "{} leads, {} positive. AUC {}, Brier {:.4}, log loss {:.4}, ECE {:.4}, Hosmer-Lemeshow {:.2}\n\n{:>7}{:>7}{:>13}{:>9}{:>8}{:>13}\n",
        e.n,
        e.positives,
        e.auc.map_or_else(|| "n/a".into(), |a| format!("{a:.4}")),
        e.brier,
        e.log_loss,
        e.ece,
        e.hosmer_lemeshow,
        "decile",
        "leads",
        "conversions",
        "rate",
        "lift",
        "cum capture"
    );
    for d in &e.deciles {
        out.push_str(&format!(
            "{:>7}{:>7}{:>13}{:>8.1}%{:>8.2}{:>12.1}%\n",
            d.decile,
            d.n,
            d.conversions,
            d.rate * 100.0,
            d.lift,
            d.cum_capture * 100.0
        ));
    }
    if let Some(t) = e.threshold_for_mql_rate {
        out.push_str(&format!("\nThreshold for the MQL rate: {t}\n"));
    }
    out
}
