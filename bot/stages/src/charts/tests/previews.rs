//! Realistic samples for a person to look at, and their render times (both ignored).

use super::*;

type Render = Box<dyn Fn() -> Result<Png, ChartError>>;

/// Realistic samples for a person to look at.
fn samples() -> Vec<(&'static str, Render)> {
    let channels = [
        ("Paid search (Google Ads)", 3.42),
        ("Paid social (Meta)", 1.64),
        ("LinkedIn Ads", 0.82),
        ("Programmatic display retargeting EMEA", 0.41),
        ("Affiliates", -0.35),
        ("Email nurture", 6.2),
        ("Organic social", 2.9),
        ("Webinars", 1.12),
        ("Events & field marketing", 0.95),
        ("Content syndication", -0.12),
        ("Podcast sponsorships", 1.3),
        ("Direct mail", 0.6),
    ];
    let roi = BarChart {
        title: "ROI by channel".into(),
        subtitle: Some("Q3 2025 · attributed revenue ÷ spend, last-touch".into()),
        bars: channels
            .iter()
            .map(|&(label, value)| Bar {
                label: label.into(),
                value,
            })
            .collect(),
        ..roi_by_channel()
    };
    let revenue = BarChart {
        title: "Attributed revenue by channel".into(),
        subtitle: Some("Q3 2025".into()),
        bars: channels
            .iter()
            .take(7)
            .map(|&(label, value)| Bar {
                label: label.into(),
                value: value * 180_000.0 + 40_000.0,
            })
            .collect(),
        orientation: Orientation::Vertical,
        format: ValueFormat::Currency {
            symbol: "€".into()
        },
        value_axis: "Revenue".into(),
        category_axis: Some("Channel".into()),
        reference: None,
        size: Size::default(),
    };
    let models = [
        "Last touch",
        "First touch",
        "Linear",
        "Time decay",
        "Position-based",
        "Markov",
        "Shapley",
    ];
    let comparison = GroupedBars {
        title: "Model comparison".into(),
        subtitle: Some("Share of conversions credited to each channel, Q3 2025".into()),
        categories: channels.iter().map(|(l, _)| (*l).to_owned()).collect(),
        series: models
            .iter()
            .enumerate()
            .map(|(m, name)| BarSeries {
                name: (*name).into(),
                values: (0..12)
                    .map(|c| 0.02 + ((m * 5 + c * 7) % 11) as f64 / 100.0)
                    .collect(),
            })
            .collect(),
        orientation: Orientation::Vertical,
        format: ValueFormat::Percent,
        value_axis: "Share of conversions".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    };
    let comparison_h = GroupedBars {
        title: "Model comparison, top channels".into(),
        subtitle: None,
        categories: comparison.categories[..5].to_vec(),
        series: comparison.series[..3]
            .iter()
            .map(|s| BarSeries {
                name: s.name.clone(),
                values: s.values[..5].to_vec(),
            })
            .collect(),
        orientation: Orientation::Horizontal,
        category_axis: Some("Channel".into()),
        ..comparison.clone()
    };
    let weekly = LineChart {
        title: "Weekly check-in: cost per lead".into(),
        subtitle: Some("Target €45".into()),
        x_labels: (27..=39).map(|w| format!("W{w}")).collect(),
        series: vec![
            LineSeries {
                name: "Paid search".into(),
                values: [
                    52.0, 50.5, 49.0, 47.8, 48.2, 46.0, 45.1, 44.0, 43.2, 44.8, 42.9, 41.5, 40.7,
                ]
                .map(Some)
                .to_vec(),
            },
            LineSeries {
                name: "Paid social".into(),
                values: [
                    61.0, 63.0, 58.0, 57.5, 55.0, 56.2, 54.0, 52.1, 51.0, 49.4, 47.0, 46.2, 45.9,
                ]
                .map(Some)
                .to_vec(),
            },
            LineSeries {
                name: "LinkedIn".into(),
                values: [
                    None,
                    None,
                    Some(88.0),
                    Some(84.0),
                    Some(80.5),
                    Some(77.0),
                    None,
                    Some(72.0),
                    Some(70.1),
                    Some(69.0),
                    Some(66.4),
                    Some(64.0),
                    Some(63.2),
                ]
                .to_vec(),
            },
        ],
        format: ValueFormat::Currency {
            symbol: "€".into()
        },
        value_axis: "Cost per lead".into(),
        x_axis: Some("Week".into()),
        reference: Some(ReferenceLine {
            value: 45.0,
            label: "Target €45".into(),
        }),
        y_from_zero: true,
        size: Size::default(),
    };
    let daily = LineChart {
        title: "Daily sessions".into(),
        subtitle: None,
        x_labels: (1..=90).map(|d| format!("Day {d}")).collect(),
        series: vec![LineSeries {
            name: "Sessions".into(),
            values: (0..90)
                .map(|d| Some(20_000.0 + 4_000.0 * ((d as f64) / 7.0).sin() + 60.0 * d as f64))
                .collect(),
        }],
        format: ValueFormat::Number,
        value_axis: "Sessions".into(),
        x_axis: None,
        reference: None,
        y_from_zero: false,
        size: Size::default(),
    };
    let mut negative_vertical = roi.clone();
    negative_vertical.orientation = Orientation::Vertical;
    negative_vertical.title = "ROI by channel (vertical)".into();
    negative_vertical.bars.truncate(8);
    let zeros = BarChart {
        title: "No spend yet".into(),
        bars: channels[..4]
            .iter()
            .map(|&(l, _)| Bar {
                label: l.into(),
                value: 0.0,
            })
            .collect(),
        ..roi_by_channel()
    };
    let small = BarChart {
        size: Size {
            width: 600,
            height: 400,
        },
        ..roi.clone()
    };
    let twelve = GroupedBars {
        title: "Twelve series".into(),
        subtitle: Some("Palette check: eight Okabe–Ito hues, then four tints".into()),
        categories: vec!["Q1".into(), "Q2".into(), "Q3".into()],
        series: (0..12)
            .map(|i| BarSeries {
                name: format!("Series {}", i + 1),
                values: vec![1.0 + i as f64, 12.0 - i as f64, -(i as f64) / 2.0],
            })
            .collect(),
        orientation: Orientation::Vertical,
        format: ValueFormat::Number,
        value_axis: "Value".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    };
    let all_negative = BarChart {
        title: "Every channel loses money".into(),
        bars: channels[..5]
            .iter()
            .enumerate()
            .map(|(i, &(l, _))| Bar {
                label: l.into(),
                value: -0.2 - 0.15 * i as f64,
            })
            .collect(),
        reference: None,
        ..roi_by_channel()
    };
    let plain_funnel = Funnel {
        title: "Lead funnel, Q3".into(),
        subtitle: Some("No intervals; six stages".into()),
        stages: [
            ("Website visitors", 84_210u64),
            ("Marketing-qualified leads", 3_102),
            ("Sales-accepted leads", 1_877),
            ("Opportunities", 640),
            ("Proposals sent", 301),
            ("Closed won", 97),
        ]
        .iter()
        .map(|&(name, count)| FunnelStage {
            name: name.into(),
            count,
            interval: None,
        })
        .collect(),
        size: Size::default(),
    };
    let tiny_line = LineChart {
        size: Size {
            width: 480,
            height: 320,
        },
        y_from_zero: false,
        ..monthly_trend()
    };
    vec![
        ("twelve-series", Box::new(move || grouped_bars(&twelve))),
        ("all-negative", Box::new(move || bar_chart(&all_negative))),
        (
            "funnel-plain",
            Box::new(move || funnel_chart(&plain_funnel)),
        ),
        ("line-tiny", Box::new(move || line_chart(&tiny_line))),
        ("roi-horizontal", Box::new(move || bar_chart(&roi))),
        ("revenue-vertical", Box::new(move || bar_chart(&revenue))),
        (
            "roi-vertical-negative",
            Box::new(move || bar_chart(&negative_vertical)),
        ),
        (
            "model-comparison",
            Box::new(move || grouped_bars(&comparison)),
        ),
        (
            "model-comparison-horizontal",
            Box::new(move || grouped_bars(&comparison_h)),
        ),
        ("funnel", Box::new(|| funnel_chart(&signup_funnel()))),
        ("line-monthly", Box::new(|| line_chart(&monthly_trend()))),
        ("line-weekly", Box::new(move || line_chart(&weekly))),
        ("line-daily", Box::new(move || line_chart(&daily))),
        ("zeros", Box::new(move || bar_chart(&zeros))),
        ("small", Box::new(move || bar_chart(&small))),
    ]
}

#[test]
#[ignore = "writes sample charts to /tmp/charts-preview for a person to look at"]
fn write_previews() {
    let dir = std::path::Path::new("/tmp/charts-preview");
    std::fs::create_dir_all(dir).unwrap();
    for (name, render) in samples() {
        let png = render().unwrap_or_else(|e| panic!("{name}: {e}"));
        std::fs::write(dir.join(format!("{name}.png")), &png.bytes).unwrap();
    }
}

#[test]
#[ignore = "prints render times; run with --release"]
fn print_render_times() {
    for (name, render) in samples() {
        render().unwrap();
        let runs = 20;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            render().unwrap();
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        println!("{name:<30} {ms:6.1} ms");
    }
}
