//! Checks of the weekly series and options before fitting, each failure naming the
//! series, week and value at fault.

use super::model::Problem;
use super::{MmmError, Options, Saturation, WeeklyData};

/// Intercept, trend, seasonality, controls, and per channel β plus its shape.
pub(crate) fn parameter_count(n: usize, controls: usize, shapes: &[Saturation]) -> usize {
    let per_channel: usize = shapes.iter().map(|s| 1 + Problem::per_channel(*s)).sum();
    Problem::first_control(n) + controls + per_channel
}

pub(crate) fn validate(data: &WeeklyData, options: &Options) -> Result<(), MmmError> {
    let bad = |option, expected| Err(MmmError::InvalidOption { option, expected });
    if options.starts == 0 {
        return bad("starts", "at least 1");
    }
    if !(options.level > 0.0 && options.level < 1.0) {
        return bad("level", "between 0 and 1");
    }
    if !(options.horizon_weeks.is_finite() && options.horizon_weeks > 0.0) {
        return bad("horizon_weeks", "a positive number");
    }
    if options
        .shape_prior_sd
        .is_some_and(|sd| !(sd.is_finite() && sd > 0.0))
    {
        return bad("shape_prior_sd", "a positive number");
    }
    if data.spend.is_empty() {
        return Err(MmmError::NoChannels);
    }
    let n = data.outcome.len();
    let named = || {
        let channels = data.spend.iter().map(|(c, v)| (format!("channel {c}"), v));
        let controls = data
            .controls
            .iter()
            .map(|(c, v)| (format!("control {c}"), v));
        channels.chain(controls)
    };
    for (series, values) in named() {
        if values.len() != n {
            return Err(MmmError::Length {
                series,
                found: values.len(),
                expected: n,
            });
        }
    }
    let outcome = std::iter::once(("outcome".to_string(), &data.outcome));
    for (series, values) in outcome.chain(named()) {
        if let Some(t) = values.iter().position(|v| !v.is_finite()) {
            return Err(MmmError::NotFinite {
                series,
                week: t + 1,
            });
        }
    }
    for (channel, values) in &data.spend {
        if let Some(t) = values.iter().position(|v| *v < 0.0) {
            let (channel, value) = (channel.clone(), values[t]);
            return Err(MmmError::NegativeSpend {
                channel,
                week: t + 1,
                value,
            });
        }
    }
    let mut names: Vec<&str> = data
        .spend
        .iter()
        .chain(&data.controls)
        .map(|(c, _)| c.as_str())
        .collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(MmmError::DuplicateName {
            name: w[0].to_string(),
        });
    }
    if let Some((channel, _)) = data.spend.iter().find(|(_, v)| v.iter().all(|x| *x == 0.0)) {
        return Err(MmmError::NoSpend {
            channel: channel.clone(),
        });
    }
    // The largest model fitted sets how many weeks are needed.
    let largest = options.saturation.family().unwrap_or(Saturation::Hill);
    let parameters = parameter_count(n, data.controls.len(), &vec![largest; data.spend.len()]);
    if n <= parameters {
        return Err(MmmError::TooFewWeeks {
            weeks: n,
            parameters,
        });
    }
    Ok(())
}
