//! Logistic regression against answers derived independently: closed-form maximum
//! likelihood for binary designs, the first-order (KKT) conditions, scikit-learn and
//! numpy on a small published-in-this-file data set, simulation with known coefficients,
//! and the failure modes (separation, constant and collinear features, bad input).

use proptest::prelude::*;
use quarterdeck_analyses::logistic::{Fit, FitError, FitOptions, Matrix, fit};

fn unpenalised() -> FitOptions {
    FitOptions::default()
}

fn l2(c: f64) -> FitOptions {
    FitOptions {
        l2: Some(c),
        ..FitOptions::default()
    }
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn sigmoid(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

fn fit_rows(
    values: &[f64],
    cols: usize,
    y: &[bool],
    options: &FitOptions,
) -> Result<Fit, FitError> {
    fit(&Matrix::new(values, cols)?, y, options)
}

/// `count` rows with feature values `x` and `positives` of them converting.
fn cell(x: &[f64], count: usize, positives: usize) -> Vec<(Vec<f64>, bool)> {
    (0..count).map(|i| (x.to_vec(), i < positives)).collect()
}

fn flatten(cells: &[Vec<(Vec<f64>, bool)>]) -> (Vec<f64>, Vec<bool>, usize) {
    let rows: Vec<&(Vec<f64>, bool)> = cells.iter().flatten().collect();
    let values = rows.iter().flat_map(|r| r.0.iter().copied()).collect();
    (values, rows.iter().map(|r| r.1).collect(), rows[0].0.len())
}

/// Residuals y − p at a fit.
fn residuals(f: &Fit, values: &[f64], cols: usize, y: &[bool]) -> Vec<f64> {
    let x = Matrix::new(values, cols).unwrap();
    let p = f.predict_all(&x).unwrap();
    y.iter()
        .zip(p)
        .map(|(y, p)| f64::from(u8::from(*y)) - p)
        .collect()
}

/// A small deterministic generator (SplitMix64) with Box–Muller normals.
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
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// n rows: x1 ~ N(0, 1), x2 ~ N(5, 2²), x3 ~ Bernoulli(0.3); y ~ Bernoulli(σ(b + wᵀx)).
fn simulate(n: usize, seed: u64, b: f64, w: [f64; 3]) -> (Vec<f64>, Vec<bool>) {
    let mut rng = Rng(seed);
    let mut values = Vec::with_capacity(3 * n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let x = [
            rng.normal(),
            5.0 + 2.0 * rng.normal(),
            f64::from(u8::from(rng.unit() < 0.3)),
        ];
        let eta = b + x.iter().zip(&w).map(|(x, w)| x * w).sum::<f64>();
        values.extend(x);
        y.push(rng.unit() < sigmoid(eta));
    }
    (values, y)
}

/// Sixteen leads (age, site visits) → converted, used for the scikit-learn references.
const LEADS: [([f64; 2], bool); 16] = [
    ([23.0, 1.0], false),
    ([35.0, 4.0], true),
    ([41.0, 0.0], false),
    ([29.0, 7.0], true),
    ([52.0, 2.0], false),
    ([33.0, 9.0], true),
    ([47.0, 5.0], true),
    ([26.0, 3.0], false),
    ([38.0, 8.0], true),
    ([44.0, 1.0], false),
    ([31.0, 6.0], true),
    ([57.0, 4.0], true),
    ([28.0, 0.0], false),
    ([49.0, 8.0], true),
    ([36.0, 2.0], false),
    ([40.0, 5.0], false),
];

fn leads() -> (Vec<f64>, Vec<bool>) {
    (
        LEADS.iter().flat_map(|r| r.0).collect(),
        LEADS.iter().map(|r| r.1).collect(),
    )
}

#[test]
fn a_single_binary_feature_gives_the_logits_of_the_two_group_rates() {
    // Group x = 0: 3 of 10 convert; x = 1: 6 of 8. The MLE fits each group's rate:
    // b = logit(0.3), w = logit(0.75) − logit(0.3) = ln 3 − ln(3/7) = ln 7.
    let (values, y, cols) = flatten(&[cell(&[0.0], 10, 3), cell(&[1.0], 8, 6)]);

    let f = fit_rows(&values, cols, &y, &unpenalised()).unwrap();

    assert!(f.converged);
    assert!((f.intercept - logit(0.3)).abs() < 1e-9, "{f:?}");
    assert!((f.coefficients[0] - 7f64.ln()).abs() < 1e-9, "{f:?}");
    // Var b = 1/(n₀p₀q₀) = 1/2.1; Var w = 1/2.1 + 1/(n₁p₁q₁) = 1/2.1 + 1/1.5. Standard
    // errors come from the last Newton iterate's Hessian: 1e-5 relative.
    let se = f.standard_errors.as_ref().unwrap();
    assert!(
        relative(se.intercept, (1.0 / 2.1f64).sqrt()) < 1e-5,
        "{se:?}"
    );
    assert!(relative(se.coefficients[0], (1.0 / 2.1 + 1.0 / 1.5f64).sqrt()) < 1e-5);
    // ℓ = Σ groups n·(p ln p + q ln q).
    let ll = 10.0 * (0.3 * 0.3f64.ln() + 0.7 * 0.7f64.ln())
        + 8.0 * (0.75 * 0.75f64.ln() + 0.25 * 0.25f64.ln());
    assert!(
        (f.log_likelihood - ll).abs() < 1e-9,
        "{} vs {ll}",
        f.log_likelihood
    );
}

#[test]
fn two_binary_features_whose_cell_rates_are_additive_in_the_logit_are_fitted_exactly() {
    // Cells (x1, x2): (0,0) 1 of 5, (1,0) 1 of 2, (0,1) 1 of 2, (1,1) 4 of 5. Their logits
    // −ln 4, 0, 0, ln 4 are b + w1·x1 + w2·x2 with b = −ln 4, w1 = w2 = ln 4, so fitted
    // rates equal observed ones and the score equations hold: that is the MLE.
    let (values, y, cols) = flatten(&[
        cell(&[0.0, 0.0], 5, 1),
        cell(&[1.0, 0.0], 2, 1),
        cell(&[0.0, 1.0], 2, 1),
        cell(&[1.0, 1.0], 5, 4),
    ]);

    let f = fit_rows(&values, cols, &y, &unpenalised()).unwrap();

    let ln4 = 4f64.ln();
    assert!((f.intercept + ln4).abs() < 1e-9, "{f:?}");
    assert!((f.coefficients[0] - ln4).abs() < 1e-9, "{f:?}");
    assert!((f.coefficients[1] - ln4).abs() < 1e-9, "{f:?}");
}

#[test]
fn an_unpenalised_fit_matches_scikit_learn_and_numpy_standard_errors() {
    // scikit-learn 1.9.1, LogisticRegression(C=1e12, solver="newton-cholesky",
    // tol=1e-14) on LEADS: b = -9.213524399686827, w = (0.07899713885323074,
    // 1.5091863060333528); numpy: sqrt(diag(inv(XᵀWX))) = (6.169344214208016,
    // 0.10587983317135533, 0.7961801450969291), log-likelihood -3.341140630226504.
    let (values, y) = leads();

    let f = fit_rows(&values, 2, &y, &unpenalised()).unwrap();

    assert!((f.intercept - -9.213524399686827).abs() < 1e-6, "{f:?}");
    assert!((f.coefficients[0] - 0.07899713885323074).abs() < 1e-7);
    assert!((f.coefficients[1] - 1.5091863060333528).abs() < 1e-6);
    let se = f.standard_errors.unwrap();
    assert!(relative(se.intercept, 6.169344214208016) < 1e-5, "{se:?}");
    assert!(relative(se.coefficients[0], 0.10587983317135533) < 1e-5);
    assert!(relative(se.coefficients[1], 0.7961801450969291) < 1e-5);
    assert!((f.log_likelihood - -3.341140630226504).abs() < 1e-9);
}

#[test]
fn a_penalised_fit_matches_scikit_learn_for_the_same_c() {
    // scikit-learn 1.9.1, LogisticRegression(C, solver="newton-cholesky", tol=1e-14) on
    // LEADS (lbfgs agrees to 1e-8).
    let (values, y) = leads();
    let cases = [
        (
            0.5,
            -5.872532608060402,
            [0.056818703075081856, 0.9112467610120005],
        ),
        (
            0.01,
            -1.7180254191602282,
            [0.030252380456610967, 0.13897032311529484],
        ),
    ];

    for (c, b, w) in cases {
        let f = fit_rows(&values, 2, &y, &l2(c)).unwrap();

        assert!((f.intercept - b).abs() < 1e-6, "C {c}: {f:?}");
        assert!((f.coefficients[0] - w[0]).abs() < 1e-6, "C {c}: {f:?}");
        assert!((f.coefficients[1] - w[1]).abs() < 1e-6, "C {c}: {f:?}");
        assert!(f.standard_errors.is_none());
    }
}

#[test]
fn the_penalised_solution_satisfies_its_first_order_conditions() {
    // Minimising ½‖w‖² + C·Σ logloss: w = C·Xᵀ(y − p) and, for the free intercept,
    // Σ (y − p) = 0. Features on very different scales.
    let (values, y) = simulate(400, 11, -0.5, [0.7, 0.2, -1.0]);
    let scaled: Vec<f64> = values
        .chunks(3)
        .flat_map(|r| [r[0] * 1000.0, r[1], r[2] * 0.01])
        .collect();

    for c in [0.001, 0.1, 10.0] {
        let f = fit_rows(&scaled, 3, &y, &l2(c)).unwrap();

        let r = residuals(&f, &scaled, 3, &y);
        assert!(r.iter().sum::<f64>().abs() < 1e-8, "C {c}");
        for j in 0..3 {
            let score: f64 = r.iter().zip(scaled.chunks(3)).map(|(r, x)| r * x[j]).sum();
            let gap = f.coefficients[j] - c * score;
            assert!(
                gap.abs() < 1e-8 * (1.0 + f.coefficients[j].abs()),
                "C {c}, w{j}: {gap}"
            );
        }
    }
}

#[test]
fn a_weaker_penalty_moves_the_fit_toward_maximum_likelihood() {
    let (values, y) = simulate(300, 5, 0.3, [1.0, -0.4, 0.8]);
    let mle = fit_rows(&values, 3, &y, &unpenalised()).unwrap();
    let distance = |f: &Fit| {
        f.coefficients
            .iter()
            .zip(&mle.coefficients)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let norm = |f: &Fit| f.coefficients.iter().map(|w| w * w).sum::<f64>().sqrt();

    let path: Vec<Fit> = [0.001, 0.01, 0.1, 1.0, 10.0, 1e6]
        .iter()
        .map(|c| fit_rows(&values, 3, &y, &l2(*c)).unwrap())
        .collect();

    for pair in path.windows(2) {
        assert!(distance(&pair[1]) < distance(&pair[0]));
        assert!(norm(&pair[1]) > norm(&pair[0]));
    }
    assert!(distance(&path[5]) < 1e-4, "{}", distance(&path[5]));
}

#[test]
fn zero_penalty_is_maximum_likelihood() {
    let (values, y) = leads();

    let none = fit_rows(&values, 2, &y, &unpenalised()).unwrap();
    let zero = fit_rows(&values, 2, &y, &l2(0.0)).unwrap();

    assert_eq!(none, zero);
}

#[test]
fn unpenalised_score_equations_hold_on_overlapping_data() {
    // Not separable (x = 3 converts, x = 4 does not), so the MLE is finite; at it
    // Σ (y − p) = 0 and Σ (y − p)·x = 0.
    let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let y = [false, false, true, false, true, true];

    let f = fit_rows(&values, 1, &y, &unpenalised()).unwrap();

    let r = residuals(&f, &values, 1, &y);
    assert!(r.iter().sum::<f64>().abs() < 1e-10);
    assert!(r.iter().zip(&values).map(|(r, x)| r * x).sum::<f64>().abs() < 1e-10);
}

#[test]
fn perfectly_separated_data_is_an_error_without_a_penalty_and_finite_with_one() {
    let values = [1.0, 2.0, 3.0, 4.0];
    let y = [false, false, true, true];

    assert_eq!(
        fit_rows(&values, 1, &y, &unpenalised()),
        Err(FitError::Separable)
    );
    let f = fit_rows(&values, 1, &y, &l2(1.0)).unwrap();

    assert!(f.converged && f.coefficients[0].is_finite() && f.coefficients[0] > 0.0);
    // Symmetric data: the boundary sits at x = 2.5, so b = −2.5·w.
    assert!(
        (f.intercept + 2.5 * f.coefficients[0]).abs() < 1e-9,
        "{f:?}"
    );
    let r = residuals(&f, &values, 1, &y);
    let score: f64 = r.iter().zip(&values).map(|(r, x)| r * x).sum();
    assert!((f.coefficients[0] - score).abs() < 1e-9);
}

#[test]
fn quasi_complete_separation_is_an_error_too() {
    // x ≤ 3 never converts except one of the two rows at x = 3; x > 3 always converts.
    let values = [1.0, 2.0, 3.0, 3.0, 4.0, 5.0];
    let y = [false, false, false, true, true, true];

    assert_eq!(
        fit_rows(&values, 1, &y, &unpenalised()),
        Err(FitError::Separable)
    );
}

#[test]
fn separation_by_a_combination_of_features_is_found_on_many_rows() {
    // y = 1 exactly when x1 + x2 > 0 (a leaked outcome); neither feature alone separates.
    let mut rng = Rng(3);
    let mut values = vec![];
    let mut y = vec![];
    for _ in 0..10_000 {
        let (a, b) = (rng.normal(), rng.normal());
        values.extend([a, b]);
        y.push(a + b > 0.0);
    }

    // (A few Newton steps in, an iterate puts every row on its own side: the certificate
    // of complete separation, not the 20-step heuristic the quasi-complete case needs.)
    let result = fit_rows(&values, 2, &y, &unpenalised());

    assert_eq!(result, Err(FitError::Separable));
    assert!(FitError::Separable.to_string().contains("--l2"));
}

#[test]
fn a_constant_feature_is_named_unpenalised_and_gets_zero_weight_penalised() {
    let (values, y) = leads();
    let with_constant: Vec<f64> = values.chunks(2).flat_map(|r| [r[0], 7.0, r[1]]).collect();

    assert_eq!(
        fit_rows(&with_constant, 3, &y, &unpenalised()),
        Err(FitError::ConstantFeature { feature: 1 })
    );
    let f = fit_rows(&with_constant, 3, &y, &l2(0.5)).unwrap();
    let without = fit_rows(&values, 2, &y, &l2(0.5)).unwrap();

    assert_eq!(f.coefficients[1], 0.0);
    assert!((f.intercept - without.intercept).abs() < 1e-9);
    assert!((f.coefficients[0] - without.coefficients[0]).abs() < 1e-9);
    assert!((f.coefficients[2] - without.coefficients[1]).abs() < 1e-9);
}

#[test]
fn a_feature_that_is_a_combination_of_others_is_named() {
    // x3 = 2·x1 − x2 + 5.
    let (values, y) = leads();
    let collinear: Vec<f64> = values
        .chunks(2)
        .flat_map(|r| [r[0], r[1], 2.0 * r[0] - r[1] + 5.0])
        .collect();

    assert_eq!(
        fit_rows(&collinear, 3, &y, &unpenalised()),
        Err(FitError::Collinear { feature: 2 })
    );
}

#[test]
fn bad_input_is_refused_with_what_was_wrong() {
    let (values, y) = leads();

    assert_eq!(fit_rows(&[], 2, &[], &unpenalised()), Err(FitError::Empty));
    assert_eq!(Matrix::new(&values, 0), Err(FitError::NoFeatures));
    assert_eq!(
        Matrix::new(&values[..5], 2),
        Err(FitError::Ragged { values: 5, cols: 2 })
    );
    assert_eq!(
        fit_rows(&values, 2, &y[..15], &unpenalised()),
        Err(FitError::Length {
            rows: 16,
            targets: 15
        })
    );
    let mut bad = values.clone();
    bad[2 * 9 + 1] = f64::NAN;
    assert_eq!(
        fit_rows(&bad, 2, &y, &unpenalised()),
        Err(FitError::NotFinite { row: 9, feature: 1 })
    );
    assert_eq!(
        fit_rows(&values, 2, &[true; 16], &unpenalised()),
        Err(FitError::SingleClass(true))
    );
    assert_eq!(
        fit_rows(&values, 2, &[false; 16], &l2(1.0)),
        Err(FitError::SingleClass(false))
    );
    for c in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            fit_rows(&values, 2, &y, &l2(c)),
            Err(FitError::BadPenalty(_))
        ));
    }
}

#[test]
fn simulated_coefficients_are_recovered_within_their_standard_errors() {
    let truth = (-1.0, [0.8, -0.3, 1.2]);
    let (values, y) = simulate(20_000, 2024, truth.0, truth.1);

    let f = fit_rows(&values, 3, &y, &unpenalised()).unwrap();

    let se = f.standard_errors.as_ref().unwrap();
    assert!((f.intercept - truth.0).abs() < 4.0 * se.intercept, "{f:?}");
    for j in 0..3 {
        assert!(
            (f.coefficients[j] - truth.1[j]).abs() < 4.0 * se.coefficients[j],
            "feature {j}: {f:?}"
        );
        // With 20,000 rows each standard error is small.
        assert!(se.coefficients[j] < 0.05);
    }
}

#[test]
fn predictions_are_the_logistic_of_the_linear_predictor() {
    let (values, y) = leads();
    let f = fit_rows(&values, 2, &y, &unpenalised()).unwrap();
    let row = [40.0, 5.0];

    let p = f.predict(&row).unwrap();

    let eta = f.intercept + 40.0 * f.coefficients[0] + 5.0 * f.coefficients[1];
    assert!((p - sigmoid(eta)).abs() < 1e-15);
    assert!((f.linear_predictor(&row).unwrap() - eta).abs() < 1e-12);
    assert_eq!(
        f.predict(&[1.0]),
        Err(FitError::RowLength {
            expected: 2,
            found: 1
        })
    );
    assert_eq!(
        f.predict_all(&Matrix::new(&values, 2).unwrap())
            .unwrap()
            .len(),
        16
    );
}

#[test]
fn coefficients_are_listed_under_the_contracts_keys_intercept_first() {
    let (values, y) = leads();
    let f = fit_rows(&values, 2, &y, &unpenalised()).unwrap();

    let json = serde_json::to_value(f.named(&["age", "visits"]).unwrap()).unwrap();

    assert_eq!(
        json,
        serde_json::json!([
            {"feature": "intercept", "coef": f.intercept},
            {"feature": "age", "coef": f.coefficients[0]},
            {"feature": "visits", "coef": f.coefficients[1]},
        ])
    );
    assert!(f.named(&["age"]).is_err());
    assert_eq!(FitError::Collinear { feature: 2 }.feature(), Some(2));
    assert_eq!(FitError::Separable.feature(), None);
}

#[test]
fn a_fit_round_trips_through_json() {
    let (values, y) = leads();
    let f = fit_rows(&values, 2, &y, &unpenalised()).unwrap();

    let back: Fit = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();

    assert_eq!(back, f);
}

fn close_fits(a: &Result<Fit, FitError>, b: &Result<Fit, FitError>, tol: f64) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            let near = |x: f64, y: f64| (x - y).abs() <= tol * (1.0 + x.abs());
            near(a.intercept, b.intercept)
                && a.coefficients
                    .iter()
                    .zip(&b.coefficients)
                    .all(|(x, y)| near(*x, *y))
        }
        (Err(a), Err(b)) => a == b,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reordering_rows_does_not_change_the_fit(
        seed in any::<u64>(),
        n in 20usize..80,
        order in any::<u64>(),
        c in prop_oneof![Just(None), Just(Some(0.3))],
    ) {
        let (values, y) = simulate(n, seed, 0.2, [0.9, -0.4, 0.7]);
        let mut idx: Vec<usize> = (0..n).collect();
        let mut r = Rng(order);
        for i in (1..n).rev() {
            idx.swap(i, (r.next() % (i as u64 + 1)) as usize);
        }
        let shuffled: Vec<f64> = idx.iter().flat_map(|&i| values[3 * i..3 * i + 3].to_vec()).collect();
        let shuffled_y: Vec<bool> = idx.iter().map(|&i| y[i]).collect();
        let options = FitOptions { l2: c, ..FitOptions::default() };

        let a = fit_rows(&values, 3, &y, &options);
        let b = fit_rows(&shuffled, 3, &shuffled_y, &options);

        prop_assert!(close_fits(&a, &b, 1e-9), "{a:?} vs {b:?}");
    }

    #[test]
    fn rescaling_and_shifting_a_feature_rescales_its_coefficient_and_moves_the_intercept(
        seed in any::<u64>(),
        scale in prop_oneof![Just(1e-3), Just(0.5), Just(40.0), Just(1e4)],
        shift in -1e3f64..1e3,
    ) {
        // x1' = scale·x1 + shift gives w1' = w1/scale and b' = b − w1'·shift (the
        // intercept is free, so this holds with or without a penalty on the others; for
        // the unpenalised fit every coefficient is otherwise unchanged).
        let (values, y) = simulate(60, seed, 0.2, [0.9, -0.4, 0.7]);
        let moved: Vec<f64> = values.chunks(3).flat_map(|r| [scale * r[0] + shift, r[1], r[2]]).collect();

        let a = fit_rows(&values, 3, &y, &unpenalised());
        let b = fit_rows(&moved, 3, &y, &unpenalised());

        match (&a, &b) {
            (Ok(a), Ok(b)) => {
                let w1 = b.coefficients[0];
                prop_assert!((w1 * scale - a.coefficients[0]).abs() < 1e-7 * (1.0 + a.coefficients[0].abs()));
                prop_assert!((b.intercept + w1 * shift - a.intercept).abs() < 1e-7 * (1.0 + a.intercept.abs() + (w1 * shift).abs()));
                prop_assert!((b.coefficients[1] - a.coefficients[1]).abs() < 1e-7 * (1.0 + a.coefficients[1].abs()));
            }
            _ => prop_assert_eq!(a.err(), b.err()),
        }
    }
}
