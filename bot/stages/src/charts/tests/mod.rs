//! Unit tests: valid PNGs of the requested size, byte-identical re-renders, geometry read
//! back from the pixels, number formatting, and every input error.
//!
//! Two ignored tests help a person judge the output:
//! `cargo test -p quarterdeck --lib charts -- --ignored --nocapture` writes samples to
//! `/tmp/charts-preview/` and prints render times (use `--release` for the timings).

mod previews;

use proptest::prelude::*;

use super::format::{self, nice_ticks};
use super::*;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
const PRIMARY: [u8; 3] = [0, 114, 178];
const BELOW: [u8; 3] = [213, 94, 0];
const GRID: [u8; 3] = [230, 232, 235];

/// Width and height read from the IHDR chunk, which must directly follow the signature.
fn ihdr_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(bytes[..8], PNG_SIGNATURE, "PNG signature");
    assert_eq!(bytes[8..12], [0, 0, 0, 13], "IHDR length");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Decodes the whole PNG (checking every chunk's CRC) into RGB rows.
fn decode(png: &Png) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png.bytes.as_slice()));
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data decodes");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!((info.width, info.height), (png.width, png.height));
    buf[..info.buffer_size()]
        .chunks_exact(3)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// Bounding boxes `(x0, x1, y0, y1)` (inclusive) of the horizontal bands of rows that
/// contain `color`, top to bottom.
fn color_bands(png: &Png, color: [u8; 3]) -> Vec<(usize, usize, usize, usize)> {
    let pixels = decode(png);
    let width = png.width as usize;
    let mut bands: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut previous_row: Option<usize> = None;
    for (y, row) in pixels.chunks_exact(width).enumerate() {
        let xs: Vec<usize> = (0..width).filter(|&x| row[x] == color).collect();
        let (Some(&x0), Some(&x1)) = (xs.first(), xs.last()) else {
            continue;
        };
        match bands.last_mut() {
            Some(band) if previous_row == Some(y - 1) => {
                band.0 = band.0.min(x0);
                band.1 = band.1.max(x1);
                band.3 = y;
            }
            _ => bands.push((x0, x1, y, y)),
        }
        previous_row = Some(y);
    }
    bands
}

fn roi_by_channel() -> BarChart {
    let bars = [
        ("Paid search", 3.4),
        ("Paid social", 1.6),
        ("Display", 0.7),
        ("Affiliates", -0.35),
        ("Email", 6.2),
    ];
    BarChart {
        title: "ROI by channel".into(),
        subtitle: Some("Q3 2025 · attributed revenue ÷ spend".into()),
        bars: bars
            .iter()
            .map(|&(label, value)| Bar {
                label: label.into(),
                value,
            })
            .collect(),
        orientation: Orientation::Horizontal,
        format: ValueFormat::Multiple,
        value_axis: "ROI".into(),
        category_axis: Some("Channel".into()),
        reference: Some(ReferenceLine {
            value: 1.0,
            label: "Break-even".into(),
        }),
        size: Size::default(),
    }
}

fn model_comparison(models: usize, channels: usize) -> GroupedBars {
    GroupedBars {
        title: "Conversions credited by model".into(),
        subtitle: None,
        categories: (0..channels).map(|c| format!("Channel {c}")).collect(),
        series: (0..models)
            .map(|m| BarSeries {
                name: format!("Model {m}"),
                values: (0..channels)
                    .map(|c| ((m * 7 + c * 13) % 17) as f64 * 100.0)
                    .collect(),
            })
            .collect(),
        orientation: Orientation::Vertical,
        format: ValueFormat::Number,
        value_axis: "Conversions".into(),
        category_axis: None,
        reference: None,
        size: Size::default(),
    }
}

fn signup_funnel() -> Funnel {
    let stage = |name: &str, count, interval: Option<(f64, f64)>| FunnelStage {
        name: name.into(),
        count,
        interval: interval.map(|(low, high)| Interval { low, high }),
    };
    Funnel {
        title: "Sign-up funnel".into(),
        subtitle: None,
        stages: vec![
            stage("Visits", 120_000, None),
            stage("Sign-ups", 4_800, Some((0.0389, 0.0411))),
            stage("Activated", 2_100, Some((0.4234, 0.4516))),
            stage("Paying", 380, Some((0.1647, 0.1975))),
        ],
        size: Size::default(),
    }
}

fn monthly_trend() -> LineChart {
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    LineChart {
        title: "Pipeline by month".into(),
        subtitle: None,
        x_labels: months.iter().map(|m| format!("{m} 2025")).collect(),
        series: vec![
            LineSeries {
                name: "Sourced".into(),
                values: (0..12)
                    .map(|i| Some(400_000.0 + 35_000.0 * i as f64))
                    .collect(),
            },
            LineSeries {
                name: "Influenced".into(),
                values: (0..12)
                    .map(|i| (i != 5).then_some(250_000.0 + 10_000.0 * i as f64))
                    .collect(),
            },
        ],
        format: ValueFormat::Currency {
            symbol: "€".into()
        },
        value_axis: "Pipeline".into(),
        x_axis: None,
        reference: None,
        y_from_zero: true,
        size: Size::default(),
    }
}

#[test]
fn every_chart_kind_renders_a_png_of_the_requested_size() {
    let small = Size {
        width: 800,
        height: 500,
    };
    let mut bars = roi_by_channel();
    bars.size = small;
    let mut grouped = model_comparison(7, 12);
    grouped.size = small;
    let mut funnel = signup_funnel();
    funnel.size = small;
    let mut line = monthly_trend();
    line.size = small;

    let pngs = [
        bar_chart(&bars).unwrap(),
        grouped_bars(&grouped).unwrap(),
        funnel_chart(&funnel).unwrap(),
        line_chart(&line).unwrap(),
    ];

    for png in &pngs {
        assert_eq!(ihdr_size(&png.bytes), (800, 500));
        assert_eq!((png.width, png.height), (800, 500));
        let pixels = decode(png);
        assert!(pixels.iter().any(|p| *p != [255, 255, 255]), "not blank");
        assert!(pixels.contains(&GRID), "one-pixel grid lines are drawn");
    }
}

#[test]
fn the_same_spec_renders_to_identical_bytes() {
    let first = [
        bar_chart(&roi_by_channel()).unwrap(),
        grouped_bars(&model_comparison(3, 4)).unwrap(),
        funnel_chart(&signup_funnel()).unwrap(),
        line_chart(&monthly_trend()).unwrap(),
    ];
    let second = [
        bar_chart(&roi_by_channel()).unwrap(),
        grouped_bars(&model_comparison(3, 4)).unwrap(),
        funnel_chart(&signup_funnel()).unwrap(),
        line_chart(&monthly_trend()).unwrap(),
    ];

    for (a, b) in first.iter().zip(&second) {
        assert!(a.bytes == b.bytes, "re-render differs");
    }
}

#[test]
fn horizontal_bars_are_proportional_and_negative_ones_grow_left_from_zero() {
    let spec = BarChart {
        bars: vec![
            Bar {
                label: "Email".into(),
                value: 4.0,
            },
            Bar {
                label: "Affiliates".into(),
                value: -1.0,
            },
        ],
        reference: None,
        ..roi_by_channel()
    };

    let bands = color_bands(&bar_chart(&spec).unwrap(), PRIMARY);

    assert_eq!(bands.len(), 2, "two bars: {bands:?}");
    let (pos, neg) = (bands[0], bands[1]);
    assert!(pos.3 < neg.2, "the first bar is above the second");
    // The 2-pixel zero line covers the first columns of the positive bar; the negative bar
    // ends just left of it.
    let zero = neg.1 + 1;
    assert_eq!(pos.0, zero + 2, "{neg:?} then {pos:?}");
    let ratio = (pos.1 + 1 - zero) as f64 / (zero - neg.0) as f64;
    assert!((ratio - 4.0).abs() < 0.08, "length ratio {ratio}");
}

#[test]
fn vertical_bars_are_proportional_and_negative_ones_grow_down_from_zero() {
    let spec = BarChart {
        bars: vec![
            Bar {
                label: "Q1".into(),
                value: 3.0,
            },
            Bar {
                label: "Q2".into(),
                value: -1.0,
            },
        ],
        orientation: Orientation::Vertical,
        reference: None,
        ..roi_by_channel()
    };

    let bands = color_bands(&bar_chart(&spec).unwrap(), PRIMARY);

    // The 2-pixel zero line separates the bar above it from the one below.
    assert_eq!(bands.len(), 2, "{bands:?}");
    let (pos, neg) = (bands[0], bands[1]);
    assert!(
        pos.1 < neg.0,
        "the negative bar is right of the positive one"
    );
    let zero = pos.3 + 1;
    assert_eq!(neg.2, zero + 2, "{pos:?} then {neg:?}");
    let ratio = (zero - pos.2) as f64 / (neg.3 + 1 - zero) as f64;
    assert!((ratio - 3.0).abs() < 0.06, "height ratio {ratio}");
}

#[test]
fn bars_below_the_reference_line_take_the_warning_colour() {
    let below = bar_chart(&roi_by_channel()).unwrap();
    let mut all_above = roi_by_channel();
    all_above.bars.retain(|b| b.value >= 1.0);
    let above = bar_chart(&all_above).unwrap();

    // Display (0.7) and Affiliates (−0.35) are below break-even, three bars above.
    assert_eq!(color_bands(&below, BELOW).len(), 2);
    assert_eq!(color_bands(&below, PRIMARY).len(), 3);
    assert!(color_bands(&above, BELOW).is_empty());
}

#[test]
fn grouped_bars_colour_each_series_from_the_palette() {
    let spec = GroupedBars {
        orientation: Orientation::Horizontal,
        ..model_comparison(3, 2)
    };

    let png = grouped_bars(&spec).unwrap();

    let pixels = decode(&png);
    for i in 0..3 {
        let c = theme::series_color(i);
        assert!(pixels.contains(&[c.0, c.1, c.2]), "series {i} drawn");
    }
    assert!(!pixels.contains(&{
        let c = theme::series_color(3);
        [c.0, c.1, c.2]
    }));
}

#[test]
fn all_zero_and_single_values_render() {
    let zeros = BarChart {
        bars: (0..3)
            .map(|i| Bar {
                label: format!("Channel {i}"),
                value: 0.0,
            })
            .collect(),
        reference: None,
        ..roi_by_channel()
    };
    let flat = LineChart {
        x_labels: vec!["Jan".into()],
        series: vec![LineSeries {
            name: "Spend".into(),
            values: vec![Some(0.0)],
        }],
        y_from_zero: false,
        ..monthly_trend()
    };
    let empty_funnel = Funnel {
        stages: vec![
            FunnelStage {
                name: "Visits".into(),
                count: 0,
                interval: None,
            },
            FunnelStage {
                name: "Leads".into(),
                count: 0,
                interval: None,
            },
        ],
        ..signup_funnel()
    };

    assert!(bar_chart(&zeros).is_ok());
    assert!(line_chart(&flat).is_ok());
    assert!(funnel_chart(&empty_funnel).is_ok());
}

#[test]
fn empty_inputs_are_errors() {
    let no_bars = BarChart {
        bars: vec![],
        ..roi_by_channel()
    };
    let no_series = GroupedBars {
        series: vec![],
        ..model_comparison(2, 2)
    };
    let no_categories = GroupedBars {
        categories: vec![],
        ..model_comparison(2, 2)
    };
    let no_stages = Funnel {
        stages: vec![],
        ..signup_funnel()
    };
    let no_periods = LineChart {
        x_labels: vec![],
        ..monthly_trend()
    };
    let all_missing = LineChart {
        x_labels: vec!["Jan".into()],
        series: vec![LineSeries {
            name: "Spend".into(),
            values: vec![None],
        }],
        ..monthly_trend()
    };

    assert_eq!(bar_chart(&no_bars), Err(ChartError::Empty("bars")));
    assert_eq!(grouped_bars(&no_series), Err(ChartError::Empty("series")));
    assert_eq!(
        grouped_bars(&no_categories),
        Err(ChartError::Empty("categories"))
    );
    assert_eq!(funnel_chart(&no_stages), Err(ChartError::Empty("stages")));
    assert_eq!(line_chart(&no_periods), Err(ChartError::Empty("x_labels")));
    assert!(matches!(
        line_chart(&all_missing),
        Err(ChartError::Empty(_))
    ));
}

#[test]
fn non_finite_values_are_errors_naming_the_value() {
    let mut bars = roi_by_channel();
    bars.bars[2].value = f64::NAN;
    let mut grouped = model_comparison(2, 2);
    grouped.series[1].values[0] = f64::INFINITY;
    let mut line = monthly_trend();
    line.series[0].values[3] = Some(f64::NAN);
    let mut reference = roi_by_channel();
    reference.reference.as_mut().unwrap().value = f64::NAN;
    let mut funnel = signup_funnel();
    funnel.stages[1].interval = Some(Interval {
        low: f64::NAN,
        high: 0.5,
    });

    assert_eq!(
        bar_chart(&bars),
        Err(ChartError::NotFinite("value of bar \"Display\"".into()))
    );
    assert_eq!(
        grouped_bars(&grouped),
        Err(ChartError::NotFinite(
            "value of \"Model 1\" for \"Channel 0\"".into()
        ))
    );
    assert_eq!(
        line_chart(&line),
        Err(ChartError::NotFinite(
            "value of \"Sourced\" for \"Apr 2025\"".into()
        ))
    );
    assert!(matches!(
        bar_chart(&reference),
        Err(ChartError::NotFinite(_))
    ));
    assert!(matches!(
        funnel_chart(&funnel),
        Err(ChartError::NotFinite(_))
    ));
}

#[test]
fn malformed_shapes_are_errors() {
    let mut short = model_comparison(2, 3);
    short.series[1].values.pop();
    let too_many = model_comparison(13, 2);
    let tiny = BarChart {
        size: Size {
            width: 100,
            height: 100,
        },
        ..roi_by_channel()
    };
    let crowded = BarChart {
        bars: (0..200)
            .map(|i| Bar {
                label: format!("{i}"),
                value: 1.0,
            })
            .collect(),
        ..roi_by_channel()
    };
    let mut first_interval = signup_funnel();
    first_interval.stages[0].interval = Some(Interval {
        low: 0.1,
        high: 0.2,
    });
    let mut reversed = signup_funnel();
    reversed.stages[2].interval = Some(Interval {
        low: 0.5,
        high: 0.4,
    });

    assert_eq!(
        grouped_bars(&short),
        Err(ChartError::LengthMismatch {
            series: "Model 1".into(),
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        grouped_bars(&too_many),
        Err(ChartError::TooManySeries { found: 13, max: 12 })
    );
    assert_eq!(
        bar_chart(&tiny),
        Err(ChartError::InvalidSize {
            width: 100,
            height: 100
        })
    );
    assert!(matches!(
        bar_chart(&crowded),
        Err(ChartError::TooCrowded { found: 200, max, .. }) if max > 10 && max < 200
    ));
    assert!(matches!(
        funnel_chart(&first_interval),
        Err(ChartError::InvalidInterval { .. })
    ));
    assert!(matches!(
        funnel_chart(&reversed),
        Err(ChartError::InvalidInterval { stage, .. }) if stage == "Activated"
    ));
}

#[test]
fn long_labels_are_cut_with_an_ellipsis_to_the_width() {
    let long = "Programmatic display retargeting, EMEA and APAC, agency-managed";
    let spec = BarChart {
        title: long.repeat(3),
        bars: vec![Bar {
            label: long.into(),
            value: 1.0,
        }],
        ..roi_by_channel()
    };

    let mut seen = None;
    canvas::render(Size::default(), |c| {
        let font = c.theme.label();
        seen = Some((
            c.fit(long, font, 200),
            c.text_width(&c.fit(long, font, 200), font),
        ));
        Ok(())
    })
    .unwrap();

    let (cut, width) = seen.unwrap();
    assert!(
        cut.ends_with('…') && cut.starts_with("Programmatic"),
        "{cut}"
    );
    assert!(width <= 200 && width > 150, "width {width}");
    assert!(bar_chart(&spec).is_ok());
}

#[test]
fn value_labels_read_compactly() {
    let eur = ValueFormat::Currency {
        symbol: "€".into()
    };

    assert_eq!(
        format::value_label(1_234_567.0, &ValueFormat::Number),
        "1.23M"
    );
    assert_eq!(format::value_label(352_400.0, &ValueFormat::Number), "352k");
    assert_eq!(format::value_label(999_999.0, &ValueFormat::Number), "1M");
    assert_eq!(format::value_label(45.27, &ValueFormat::Number), "45.3");
    assert_eq!(format::value_label(0.0, &ValueFormat::Number), "0");
    assert_eq!(format::value_label(-1_200_000.0, &eur), "−€1.2M");
    assert_eq!(format::value_label(350_000.0, &eur), "€350k");
    assert_eq!(format::value_label(0.453, &ValueFormat::Percent), "45.3%");
    assert_eq!(format::value_label(0.04, &ValueFormat::Percent), "4%");
    assert_eq!(format::value_label(1.846, &ValueFormat::Multiple), "1.85×");
    assert_eq!(format::value_label(-0.35, &ValueFormat::Multiple), "−0.35×");
    assert_eq!(
        format::value_label(-0.0001, &ValueFormat::Percent),
        "0.01%".replace("0.01", "−0.01")
    );
    assert_eq!(format::count_label(1_234_567), "1,234,567");
    assert_eq!(format::count_label(380), "380");
    assert_eq!(format::count_label(12_500_000), "12.5M");
}

#[test]
fn tick_labels_show_round_ticks_exactly() {
    assert_eq!(
        format::tick_label(1_250_000.0, 250_000.0, &ValueFormat::Number),
        "1.25M"
    );
    assert_eq!(
        format::tick_label(750_000.0, 250_000.0, &ValueFormat::Number),
        "750k"
    );
    assert_eq!(
        format::tick_label(1_000_000.0, 250_000.0, &ValueFormat::Number),
        "1M"
    );
    assert_eq!(
        format::tick_label(0.025, 0.025, &ValueFormat::Percent),
        "2.5%"
    );
    assert_eq!(
        format::tick_label(-0.5, 0.5, &ValueFormat::Multiple),
        "−0.5×"
    );
    assert_eq!(
        format::tick_label(0.3000000000000001, 0.1, &ValueFormat::Number),
        "0.3"
    );
}

#[test]
fn ticks_are_round_and_lie_within_the_range() {
    // 0 … 1.05M, at most 6 ticks: a 100k step gives 11, 200k gives 6 (0 … 1M).
    let money = nice_ticks(0.0, 1_050_000.0, 6);
    // −0.42 … 3.1, at most 6: 0.5 gives 7 (0 … 3), 1 gives 4.
    let roi = nice_ticks(-0.42, 3.1, 6);
    // 0 … 0.125, at most 7: 0.02 gives 7 (0 … 12%).
    let share = nice_ticks(0.0, 0.125, 7);

    assert_eq!(money.step, 200_000.0);
    assert_eq!(money.values.len(), 6);
    assert_eq!(money.values[5], 1_000_000.0);
    assert_eq!(roi.values, vec![0.0, 1.0, 2.0, 3.0]);
    assert_eq!(share.step, 0.02);
    assert_eq!(share.values.len(), 7);
}

#[test]
fn ticks_of_a_short_range_far_from_zero_stay_inside_it() {
    // Found by the property below: at 5.2e11 one step of the float grid is 6e-5, so a
    // 1e-3 range holds only ~16 representable numbers and `i × step` rounded outside it.
    let (min, max) = (521_565_684_380.225_46, 521_565_684_380.226_46);
    let ticks = nice_ticks(min, max, 6);
    assert!(!ticks.values.is_empty());
    assert!(ticks.values.len() <= 6);
    assert!(
        ticks.values.iter().all(|v| (min..=max).contains(v)),
        "{:?}",
        ticks.values
    );
    assert!(ticks.values.windows(2).all(|w| w[0] < w[1]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ticks_are_within_the_range_and_at_most_the_limit(
        min in -1e12f64..1e12,
        span_exp in -16i32..290,
        max_ticks in 2usize..9,
    ) {
        // Spans relative to the magnitude, down to a few steps of the float grid.
        let max = min + min.abs().max(1.0) * 10f64.powi(span_exp);
        prop_assume!(max > min);

        let ticks = nice_ticks(min, max, max_ticks);

        prop_assert!(!ticks.values.is_empty());
        prop_assert!(ticks.values.len() <= max_ticks);
        prop_assert!(ticks.step > 0.0);
        for v in &ticks.values {
            prop_assert!(*v >= min && *v <= max, "{} outside {}..{}", v, min, max);
        }
        prop_assert!(ticks.values.windows(2).all(|w| w[0] < w[1]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_finite_bars_render_or_fail_cleanly(
        values in prop::collection::vec(
            prop_oneof![-1e300f64..1e300, -10.0f64..10.0, Just(0.0), Just(1e-310)],
            1..14,
        ),
        label_len in 0usize..90,
        width in 480u32..1600,
        height in 320u32..900,
        vertical in any::<bool>(),
    ) {
        let spec = BarChart {
            bars: values
                .iter()
                .enumerate()
                .map(|(i, &value)| Bar { label: format!("{i} {}", "x".repeat(label_len)), value })
                .collect(),
            orientation: if vertical { Orientation::Vertical } else { Orientation::Horizontal },
            size: Size { width, height },
            ..roi_by_channel()
        };

        match bar_chart(&spec) {
            Ok(png) => prop_assert_eq!(ihdr_size(&png.bytes), (width, height)),
            Err(e) => prop_assert!(matches!(e, ChartError::TooCrowded { .. } | ChartError::NoRoom { .. }), "{}", e),
        }
    }
}

#[test]
fn the_value_axis_covers_zero_and_the_reference_and_is_never_empty() {
    let reference = ReferenceLine {
        value: 1.0,
        label: "Break-even".into(),
    };

    assert_eq!(axis::domain([0.0, 0.0].into_iter(), None, true), (0.0, 1.0));
    assert_eq!(axis::domain([5.0].into_iter(), None, false), (4.5, 5.5));
    assert_eq!(axis::domain([5.0].into_iter(), None, true), (0.0, 5.0));
    assert_eq!(
        axis::domain([2.0, 3.0].into_iter(), Some(&reference), false),
        (1.0, 3.0)
    );
    assert_eq!(
        axis::domain([-2.0, 3.0].into_iter(), None, true),
        (-2.0, 3.0)
    );
    assert_eq!(axis::pad((0.0, 10.0), 0.05), (0.0, 10.5));
}

#[test]
fn file_names_are_lowercase_ascii_slugs() {
    assert_eq!(
        file_name("ROI by channel — Q3 2025"),
        "roi-by-channel-q3-2025.png"
    );
    assert_eq!(file_name("  ¿¡!! "), "chart.png");
    assert_eq!(
        file_name("Model comparison: 7 × 12"),
        "model-comparison-7-12.png"
    );
    assert!(file_name(&"a".repeat(500)).len() <= 64);
}
