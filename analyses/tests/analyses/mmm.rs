//! The media-mix fit against data generated from known parameters. The true ROAS of a
//! channel is computed here by brute force (adstock, then the curve, summed over weeks),
//! independently of the fitting code.

use proptest::prelude::*;
use quarterdeck_analyses::mmm::{
    FittedCurve, MmmError, Options, Saturation, Shape, WeeklyData, fit,
};

/// SplitMix64 for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Box–Muller.
    fn gauss(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

struct Truth {
    theta: f64,
    roas: f64,
}

fn adstock(x: &[f64], theta: f64) -> Vec<f64> {
    let mut a = 0.0;
    x.iter()
        .map(|v| {
            a = v + theta * a;
            a
        })
        .collect()
}

fn hill(s: f64, alpha: f64, gamma: f64) -> f64 {
    s.powf(alpha) / (s.powf(alpha) + gamma.powf(alpha))
}

/// `weeks` weeks, 3 channels: intercept 1000, trend +5/week, a 52-week season of
/// amplitude 300, `price_effect × price` for a control that moves in steps, and per
/// channel `β·h(adstock)` on flighted spend; noise with sd `noise × mean outcome`.
/// Returns the data (with the price control when `price_effect ≠ 0`) and the truth.
fn synthetic(
    saturation: Saturation,
    noise: f64,
    seed: u64,
    weeks: usize,
    price_effect: f64,
) -> (WeeklyData, Vec<Truth>) {
    let mut rng = Rng(seed);
    let price: Vec<f64> = (0..weeks)
        .map(|t| [1.0, 1.1, 0.9, 1.05][(t / 7) % 4])
        .collect();
    let mut outcome: Vec<f64> = (0..weeks)
        .map(|t| {
            let t_f = t as f64;
            1000.0
                + 5.0 * t_f
                + 300.0 * (std::f64::consts::TAU * t_f / 52.0).sin()
                + price_effect * price[t]
        })
        .collect();
    // (name, mean weekly spend, θ, hill α or logistic λ·m, hill γ/m, β), m = mean adstock.
    let channels = [
        ("search", 1000.0, 0.3, 1.2, 1.0, 4000.0),
        ("social", 600.0, 0.5, 2.0, 1.2, 5000.0),
        ("tv", 1500.0, 0.1, 0.9, 0.8, 4000.0),
    ];
    let mut spend = vec![];
    let mut truth = vec![];
    for (name, mean, theta, shape, rel, beta) in channels {
        // Flighting: bursts of 3–8 weeks on at varying levels, gaps of 2–5 weeks off.
        let mut x = Vec::with_capacity(weeks);
        while x.len() < weeks {
            let on = 3 + (rng.unit() * 6.0) as usize;
            x.extend((0..on).map(|_| mean * (0.1 + 1.9 * rng.unit())));
            let off = 2 + (rng.unit() * 4.0) as usize;
            x.extend(std::iter::repeat_n(0.0, off));
        }
        x.truncate(weeks);
        let a = adstock(&x, theta);
        let m = a.iter().sum::<f64>() / weeks as f64;
        let h = |s: f64| match saturation {
            Saturation::Hill => hill(s, shape, rel * m),
            Saturation::Logistic => {
                let e = (-shape / m * s).exp();
                (1.0 - e) / (1.0 + e)
            }
        };
        let contribution: f64 = a.iter().map(|s| beta * h(*s)).sum();
        for (y, s) in outcome.iter_mut().zip(&a) {
            *y += beta * h(*s);
        }
        truth.push(Truth {
            theta,
            roas: contribution / x.iter().sum::<f64>(),
        });
        spend.push((name.to_string(), x));
    }
    let sd = noise * outcome.iter().sum::<f64>() / weeks as f64;
    for y in &mut outcome {
        *y += sd * rng.gauss();
    }
    let controls = if price_effect != 0.0 {
        vec![("price".to_string(), price)]
    } else {
        vec![]
    };
    (
        WeeklyData {
            spend,
            outcome,
            controls,
        },
        truth,
    )
}

fn options(saturation: Saturation, bootstrap: usize) -> Options {
    Options {
        saturation: match saturation {
            Saturation::Hill => Shape::Hill,
            Saturation::Logistic => Shape::Logistic,
        },
        bootstrap,
        ..Options::default()
    }
}

fn assert_recovered(data: &WeeklyData, truth: &[Truth], saturation: Saturation) {
    let result = fit(data, &options(saturation, 0)).unwrap();

    assert!(result.r2 > 1.0 - 1e-6, "r2 {}", result.r2);
    for (c, t) in result.channels.iter().zip(truth) {
        assert!(
            (c.roas / t.roas - 1.0).abs() < 0.02,
            "{}: roas {} vs {}",
            c.channel,
            c.roas,
            t.roas
        );
        assert!(
            (c.adstock_decay - t.theta).abs() < 0.05,
            "{}: θ {} vs {}",
            c.channel,
            c.adstock_decay,
            t.theta
        );
    }
}

#[test]
fn noise_free_hill_data_gives_back_roas_decay_and_a_perfect_r2() {
    let (data, truth) = synthetic(Saturation::Hill, 0.0, 1, 104, 0.0);

    assert_recovered(&data, &truth, Saturation::Hill);
}

#[test]
fn noise_free_logistic_data_gives_back_roas_decay_and_a_perfect_r2() {
    let (data, truth) = synthetic(Saturation::Logistic, 0.0, 2, 104, 0.0);

    assert_recovered(&data, &truth, Saturation::Logistic);
}

#[test]
fn under_a_year_of_weeks_fits_without_seasonality() {
    // 45 weeks and no season in the truth: the model drops the Fourier terms below 52.
    let (mut data, truth) = synthetic(Saturation::Hill, 0.0, 4, 45, 0.0);
    for (t, y) in data.outcome.iter_mut().enumerate() {
        *y -= 300.0 * (std::f64::consts::TAU * t as f64 / 52.0).sin();
    }

    assert_recovered(&data, &truth, Saturation::Hill);
}

#[test]
fn a_control_gets_its_coefficient_back_and_the_trend_is_per_week() {
    let (data, truth) = synthetic(Saturation::Hill, 0.0, 5, 104, -800.0);

    let result = fit(&data, &options(Saturation::Hill, 0)).unwrap();

    assert_eq!(result.controls[0].name, "price");
    assert!(
        (result.controls[0].coef + 800.0).abs() < 8.0,
        "price {}",
        result.controls[0].coef
    );
    assert!((result.trend - 5.0).abs() < 0.05, "trend {}", result.trend);
    for (c, t) in result.channels.iter().zip(&truth) {
        assert!(
            (c.roas / t.roas - 1.0).abs() < 0.02,
            "{}: roas {} vs {}",
            c.channel,
            c.roas,
            t.roas
        );
    }
}

#[test]
fn with_noise_of_five_percent_of_the_mean_each_roas_is_within_fifteen_percent() {
    // Over seeds 3..33 of this design 29 of 30 pass (seed 22 misses by 0.8 points on
    // social); the test pins seed 3.
    let (data, truth) = synthetic(Saturation::Hill, 0.05, 3, 104, 0.0);

    let result = fit(&data, &options(Saturation::Hill, 10)).unwrap();

    for (c, t) in result.channels.iter().zip(&truth) {
        assert!(
            (c.roas / t.roas - 1.0).abs() < 0.15,
            "{}: roas {} vs {}",
            c.channel,
            c.roas,
            t.roas
        );
        assert!(
            c.roas_low < c.roas_high,
            "{}: [{}, {}]",
            c.channel,
            c.roas_low,
            c.roas_high
        );
        assert!(c.marginal_roas_low <= c.marginal_roas_high);
    }
    assert!(result.r2 > 0.5 && result.r2 < 1.0, "r2 {}", result.r2);
}

#[test]
fn roas_contribution_and_marginal_roas_follow_from_the_reported_curve() {
    let (data, _) = synthetic(Saturation::Hill, 0.05, 6, 104, 0.0);

    let result = fit(&data, &options(Saturation::Hill, 0)).unwrap();

    for (c, (_, x)) in result.channels.iter().zip(&data.spend) {
        let FittedCurve::Hill { beta, alpha, gamma } = c.weekly_curve else {
            panic!("hill expected")
        };
        let theta = c.adstock_decay;
        // Contribution = Σ β·h(a_t) recomputed from the reported parameters.
        let contribution: f64 = adstock(x, theta)
            .iter()
            .map(|s| beta * hill(*s, alpha, gamma))
            .sum();
        let spend: f64 = x.iter().sum();
        assert!((c.contribution / contribution - 1.0).abs() < 1e-9);
        assert!((c.roas - contribution / spend).abs() < 1e-9 * c.roas.abs().max(1.0));
        // Marginal ROAS: central difference of the steady-state weekly response
        // β·h(x/(1 − θ)) at the mean weekly spend.
        let mean = spend / x.len() as f64;
        let steady = |w: f64| beta * hill(w / (1.0 - theta), alpha, gamma);
        let slope = (steady(mean + 1e-3 * mean) - steady(mean - 1e-3 * mean)) / (2e-3 * mean);
        assert!(
            (c.marginal_roas - slope).abs() < 1e-5 * slope.abs().max(1e-3),
            "{} vs {slope}",
            c.marginal_roas
        );
        // The quarter curve at 13 weeks of mean spend gives 13 weeks of steady response.
        assert!(
            (c.curve.response(13.0 * mean) - 13.0 * steady(mean)).abs()
                < 1e-9 * steady(mean).abs().max(1.0)
        );
    }
}

#[test]
fn the_quarter_curve_is_thirteen_weeks_of_steady_state_response() {
    // Weekly hill β = 100, α = 2, γ = 50, θ = 0.5. A quarter's 1300 spread over 13 weeks
    // is 100 a week, steady adstock 100/(1 − 0.5) = 200, weekly response
    // 100·200²/(200² + 50²) = 100·16/17; the quarter: 1300·16/17. As a curve in quarter
    // money: β' = 13·100 = 1300, γ' = 50·13·0.5 = 325, and 1300·1300²/(1300² + 325²)
    // = 1300·16/17 again.
    let weekly = FittedCurve::Hill {
        beta: 100.0,
        alpha: 2.0,
        gamma: 50.0,
    };

    let quarter = weekly.over_weeks(0.5, 13.0);

    assert_eq!(
        quarter,
        FittedCurve::Hill {
            beta: 1300.0,
            alpha: 2.0,
            gamma: 325.0
        }
    );
    assert!((quarter.response(1300.0) - 1300.0 * 16.0 / 17.0).abs() < 1e-9);
    // Logistic: β' = 13β, λ' = λ/(13·(1 − θ)) = 0.02/6.5.
    let logistic = FittedCurve::Logistic {
        beta: 10.0,
        lambda: 0.02,
    }
    .over_weeks(0.5, 13.0);
    assert_eq!(
        logistic,
        FittedCurve::Logistic {
            beta: 130.0,
            lambda: 0.02 / 6.5
        }
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_horizon_curve_equals_weeks_times_the_steady_weekly_response(
        beta in 1.0..1e5f64, alpha in 0.5..3.0f64, gamma in 1.0..1e4f64, lambda in 1e-5..1.0f64,
        theta in 0.0..0.9f64, weeks in 1.0..52.0f64, total in 0.0..1e7f64,
    ) {
        let s = total / weeks / (1.0 - theta);
        let weekly_hill = beta * hill(s, alpha, gamma);
        let weekly_logistic = beta * (1.0 - (-lambda * s).exp()) / (1.0 + (-lambda * s).exp());

        let h = FittedCurve::Hill { beta, alpha, gamma }.over_weeks(theta, weeks).response(total);
        let l = FittedCurve::Logistic { beta, lambda }.over_weeks(theta, weeks).response(total);

        prop_assert!((h - weeks * weekly_hill).abs() <= 1e-9 * (weeks * beta));
        prop_assert!((l - weeks * weekly_logistic).abs() <= 1e-9 * (weeks * beta));
    }
}

#[test]
fn curves_and_results_serialise_with_the_contract_keys() {
    let (data, _) = synthetic(Saturation::Logistic, 0.0, 7, 60, 0.0);

    let hill = serde_json::to_value(FittedCurve::Hill {
        beta: 1.0,
        alpha: 2.0,
        gamma: 3.0,
    })
    .unwrap();
    let result =
        serde_json::to_value(fit(&data, &options(Saturation::Logistic, 0)).unwrap()).unwrap();

    assert_eq!(
        hill,
        serde_json::json!({"kind": "hill", "beta": 1.0, "alpha": 2.0, "gamma": 3.0})
    );
    assert!(result["r2"].is_f64());
    let channel = &result["channels"][0];
    for key in [
        "roas",
        "roas_low",
        "roas_high",
        "marginal_roas",
        "adstock_decay",
    ] {
        assert!(channel[key].is_f64(), "{key}");
    }
    assert_eq!(channel["channel"], "search");
    assert_eq!(channel["curve"]["kind"], "logistic");
    assert!(channel["curve"]["beta"].is_f64() && channel["curve"]["lambda"].is_f64());
}

#[test]
fn the_same_seed_gives_the_same_result_on_any_number_of_threads() {
    let (data, _) = synthetic(Saturation::Hill, 0.05, 8, 104, 0.0);
    let one = Options {
        bootstrap: 6,
        starts: 3,
        seed: 42,
        threads: 1,
        ..Options::default()
    };
    let two = Options {
        threads: 2,
        ..one.clone()
    };

    let a = fit(&data, &one).unwrap();
    let b = fit(&data, &one).unwrap();
    let c = fit(&data, &two).unwrap();
    let other_seed = fit(&data, &Options { seed: 43, ..one }).unwrap();

    assert_eq!(a, b);
    assert_eq!(a, c);
    // The seed drives the resamples: another seed moves the intervals.
    assert_ne!(a.channels[0].roas_low, other_seed.channels[0].roas_low);
}

fn three_channels(weeks: usize) -> WeeklyData {
    let series = |k: usize| {
        (0..weeks)
            .map(|t| ((t * k) % 5) as f64 * 10.0 + 1.0)
            .collect::<Vec<_>>()
    };
    WeeklyData {
        spend: vec![
            ("search".into(), series(1)),
            ("social".into(), series(2)),
            ("tv".into(), series(3)),
        ],
        outcome: series(4),
        controls: vec![],
    }
}

#[test]
fn bad_inputs_are_refused_with_what_was_wrong() {
    let opts = Options::default();
    let err = |data: &WeeklyData| fit(data, &opts).unwrap_err();

    let mut short = three_channels(60);
    short.spend[1].1.pop();
    assert_eq!(
        err(&short),
        MmmError::Length {
            series: "channel social".into(),
            found: 59,
            expected: 60
        }
    );

    let mut control = three_channels(60);
    control.controls.push(("price".into(), vec![1.0; 61]));
    assert_eq!(
        err(&control),
        MmmError::Length {
            series: "control price".into(),
            found: 61,
            expected: 60
        }
    );

    // 14 weeks, under 52 so no seasonality: intercept + trend + 3 × (β, θ, α, γ) = 14.
    assert_eq!(
        err(&three_channels(14)),
        MmmError::TooFewWeeks {
            weeks: 14,
            parameters: 14
        }
    );
    assert!(
        fit(
            &three_channels(15),
            &Options {
                bootstrap: 0,
                ..Options::default()
            }
        )
        .is_ok()
    );

    let mut negative = three_channels(60);
    negative.spend[2].1[9] = -5.0;
    assert_eq!(
        err(&negative),
        MmmError::NegativeSpend {
            channel: "tv".into(),
            week: 10,
            value: -5.0
        }
    );

    let mut nan = three_channels(60);
    nan.outcome[3] = f64::NAN;
    assert_eq!(
        err(&nan),
        MmmError::NotFinite {
            series: "outcome".into(),
            week: 4
        }
    );
    let mut inf = three_channels(60);
    inf.spend[0].1[0] = f64::INFINITY;
    assert_eq!(
        err(&inf),
        MmmError::NotFinite {
            series: "channel search".into(),
            week: 1
        }
    );

    let mut silent = three_channels(60);
    silent.spend[0].1 = vec![0.0; 60];
    assert_eq!(
        err(&silent),
        MmmError::NoSpend {
            channel: "search".into()
        }
    );

    let mut twice = three_channels(60);
    twice.controls.push(("tv".into(), vec![1.0; 60]));
    assert_eq!(err(&twice), MmmError::DuplicateName { name: "tv".into() });

    assert_eq!(
        err(&WeeklyData {
            outcome: vec![1.0; 60],
            ..WeeklyData::default()
        }),
        MmmError::NoChannels
    );
    let no_starts = fit(
        &three_channels(60),
        &Options {
            starts: 0,
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(matches!(
        no_starts,
        MmmError::InvalidOption {
            option: "starts",
            ..
        }
    ));
    let level = fit(
        &three_channels(60),
        &Options {
            level: 1.0,
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(matches!(
        level,
        MmmError::InvalidOption {
            option: "level",
            ..
        }
    ));
}

/// PyMC-Marketing's example data (Apache-2.0, `tests/fixtures/pymc_marketing/`), whose
/// generating process its notebook documents (see SOURCE.md there). The truth is rebuilt
/// here from that description, checked against `y`, and the fit with the family chosen
/// per channel by BIC (`--saturation per-channel`) must land within ±15% of each
/// channel's true ROAS with the truth inside its 90% interval. The hill default puts `x1`
/// 24% low: an always-on channel never shows what happens near zero spend, and an
/// S-shaped curve hands its base to the intercept. `--nocapture` prints every option's
/// figures.
#[test]
fn on_pymc_marketings_example_data_the_default_fit_recovers_the_documented_true_roas() {
    let text = include_str!("../fixtures/pymc_marketing/mmm_example.csv");
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    let col = |j: usize| rows.iter().map(|r| r[j]).collect::<Vec<f64>>();
    let (y, x1, x2, e1, e2, doy) = (col(0), col(1), col(2), col(3), col(4), col(5));
    let n = y.len();
    // Geometric adstock over 8 weeks with normalised weights, then logistic saturation.
    let effect = |x: &[f64], alpha: f64, lambda: f64| -> Vec<f64> {
        let w: Vec<f64> = (0..8).map(|i| alpha.powi(i)).collect();
        let sum: f64 = w.iter().sum();
        (0..n)
            .map(|t| {
                let a: f64 = (0..8.min(t + 1)).map(|i| w[i] / sum * x[t - i]).sum();
                (1.0 - (-lambda * a).exp()) / (1.0 + (-lambda * a).exp())
            })
            .collect()
    };
    let (s1, s2) = (effect(&x1, 0.4, 4.0), effect(&x2, 0.2, 3.0));
    let tau = std::f64::consts::TAU;
    let residuals: Vec<f64> = (0..n)
        .map(|t| {
            let trend = (50.0 * t as f64 / (n - 1) as f64 + 10.0).powf(0.25) - 1.0;
            let season = 0.5 * (-(tau * 2.0 * doy[t] / 365.5).sin() + (tau * doy[t] / 365.5).cos());
            let model =
                2.0 + trend + season + 1.5 * e1[t] + 2.5 * e2[t] + 3.0 * s1[t] + 2.0 * s2[t];
            y[t] / 1000.0 - model
        })
        .collect();
    let mean = residuals.iter().sum::<f64>() / n as f64;
    let sd = (residuals.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    assert!(
        mean.abs() < 0.05 && (0.2..0.3).contains(&sd),
        "not the documented model: {mean} {sd}"
    );
    let truth = [
        3000.0 * s1.iter().sum::<f64>() / x1.iter().sum::<f64>(),
        2000.0 * s2.iter().sum::<f64>() / x2.iter().sum::<f64>(),
    ];

    let data = WeeklyData {
        spend: vec![("x1".into(), x1), ("x2".into(), x2)],
        outcome: y,
        controls: vec![("event_1".into(), e1), ("event_2".into(), e2)],
    };
    let shown = |label: &str, r: &quarterdeck_analyses::mmm::ResponseCurves| {
        for (c, true_roas) in r.channels.iter().zip(truth) {
            eprintln!(
                "{label} {}: ROAS {:.0} (90%: {:.0}–{:.0}), truth {true_roas:.0}, {:+.1}%",
                c.channel,
                c.roas,
                c.roas_low,
                c.roas_high,
                100.0 * (c.roas / true_roas - 1.0)
            );
        }
    };
    for shape in [Shape::Hill, Shape::Logistic, Shape::Averaged] {
        let options = Options {
            saturation: shape,
            ..Options::default()
        };
        shown(&format!("{shape:?}"), &fit(&data, &options).unwrap());
    }

    // The default (stage 6's and `analyze response-curves`'): each channel's shape by BIC.
    assert_eq!(Options::default().saturation, Shape::PerChannel);
    let result = fit(&data, &Options::default()).unwrap();

    shown("default (per-channel)", &result);
    for (c, true_roas) in result.channels.iter().zip(truth) {
        let off = c.roas / true_roas - 1.0;
        assert!(
            off.abs() <= 0.15,
            "{} off by {:.1}%",
            c.channel,
            100.0 * off
        );
        assert!(
            (c.roas_low..=c.roas_high).contains(&true_roas),
            "{}: the truth is outside the interval",
            c.channel
        );
    }
}

/// The averaged fit's parts agree: its ROAS is the families' weighted mean, its curve
/// (one family's shape, rescaled) gives that ROAS back, and the refits are shared out.
#[test]
fn an_averaged_fit_states_the_weighted_roas_and_its_curve_gives_it_back() {
    let (data, _) = synthetic(Saturation::Hill, 0.05, 11, 104, 0.0);
    let result = fit(
        &data,
        &Options {
            saturation: Shape::Averaged,
            bootstrap: 20,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(result.draws.len(), 20);
    assert_eq!(result.families.len(), 2);
    for (i, c) in result.channels.iter().enumerate() {
        let averaged: f64 = result.families.iter().map(|f| f.weight * f.roas[i]).sum();
        assert!((c.roas - averaged).abs() < 1e-9 * averaged.max(1.0));
        let (_, x) = &data.spend[i];
        let a = adstock(x, c.adstock_decay);
        let contribution: f64 = a.iter().map(|s| c.weekly_curve.response(*s)).sum();
        let spend: f64 = x.iter().sum();
        assert!(
            (contribution / spend - c.roas).abs() < 1e-6 * c.roas,
            "{}: the curve gives {} not {}",
            c.channel,
            contribution / spend,
            c.roas
        );
    }
}

/// `--saturation per-channel` chooses each channel's family by the evidence: on flighted data from
/// S-shaped hill curves the steep channel (social, α = 2) gets a hill curve, and on
/// data from logistic curves every channel stays logistic; each channel states the BIC
/// drop its hill curve would bring (or brought).
#[test]
fn per_channel_gives_a_channel_a_hill_curve_only_where_its_weeks_show_an_s() {
    let (s_shaped, truth) = synthetic(Saturation::Hill, 0.02, 21, 104, 0.0);
    let (concave, _) = synthetic(Saturation::Logistic, 0.02, 22, 104, 0.0);
    let options = Options {
        saturation: Shape::PerChannel,
        bootstrap: 0,
        ..Options::default()
    };
    let family = |c: &quarterdeck_analyses::mmm::ChannelCurve| match c.curve {
        FittedCurve::Hill { .. } => Saturation::Hill,
        FittedCurve::Logistic { .. } => Saturation::Logistic,
    };

    let on_s = fit(&s_shaped, &options).unwrap();
    let on_concave = fit(&concave, &options).unwrap();

    let social = &on_s.channels[1];
    assert_eq!(social.channel, "social");
    assert_eq!(
        family(social),
        Saturation::Hill,
        "{:?}",
        social.hill_evidence
    );
    assert!(social.hill_evidence.unwrap() >= 2.0);
    assert!(
        (social.roas / truth[1].roas - 1.0).abs() < 0.1,
        "{} against {}",
        social.roas,
        truth[1].roas
    );
    for c in &on_concave.channels {
        assert_eq!(
            family(c),
            Saturation::Logistic,
            "{}: {:?}",
            c.channel,
            c.hill_evidence
        );
        assert!(c.hill_evidence.unwrap() < 2.0);
    }
}
