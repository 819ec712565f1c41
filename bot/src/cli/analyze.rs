//! `quarterdeck analyze <analysis>`: every analysis a stage runs, from the command line,
//! per ../shared/contracts/analyses-cli.md. JSON on stdout (`--format json`) or a table
//! for people; bad input exits 2 with one located message and nothing on stdout.

use std::path::PathBuf;

use clap::Subcommand;
use quarterdeck_analyses::attribution::{self, Attribution, Params};

use super::{Failure, Format};
use crate::sources;

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
}

pub fn run(analysis: Analysis) -> Result<(), Failure> {
    match analysis {
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
                    attribution::attribute_paths(&sources::read_paths(&p).map_err(input)?, &params)
                }
                (None, Some(t), Some(c)) => attribution::attribute_journeys(
                    &sources::read_journeys(&t, &c, None).map_err(input)?,
                    &params,
                ),
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
    }
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
