//! Sample sizes and the distribution functions behind them, against R's documented
//! examples (?power.prop.test, ?power.t.test), hand-worked closed forms and published
//! quantiles.

use quarterdeck_analyses::sample_size::{
    MEAN_METHOD, Metric, PROPORTION_METHOD, Params, SampleSizeError, beta_inc, ln_gamma, pnorm,
    pnt, prop_test_power, pt_upper, qnorm, qt_upper, sample_size, t_test_power,
};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

// ---------- distribution functions ----------

#[test]
fn the_normal_quantile_matches_published_values_to_full_precision() {
    // R: qnorm(0.975) = 1.959963984540054, qnorm(0.995) = 2.575829303548901,
    // qnorm(0.9) = 1.2815515655446004, qnorm(1e-10) = -6.361340902404056.
    assert!(rel(qnorm(0.975), 1.959963984540054) < 1e-15);
    assert!(rel(qnorm(0.995), 2.575829303548901) < 1e-15);
    assert!(rel(qnorm(0.9), 1.2815515655446004) < 1e-15);
    assert!(rel(qnorm(1e-10), -6.361340902404056) < 1e-15);
    assert_eq!(qnorm(0.5), 0.0);
    assert_eq!(qnorm(0.3), -qnorm(0.7));
}

#[test]
fn the_normal_cdf_inverts_the_quantile_and_matches_known_tails() {
    for p in [1e-12, 1e-6, 0.025, 0.2, 0.5, 0.8, 0.975, 0.999_999] {
        assert!(rel(pnorm(qnorm(p)), p) < 1e-13, "p = {p}");
    }
    // Φ(−1.96) = 0.024997895148220435 (R: pnorm(-1.96)); Φ(1) = 0.8413447460685429.
    assert!(rel(pnorm(-1.96), 0.024997895148220435) < 1e-14);
    assert!(rel(pnorm(1.0), 0.8413447460685429) < 1e-15);
}

#[test]
fn ln_gamma_and_the_incomplete_beta_match_closed_forms() {
    // Γ(5) = 24, Γ(½) = √π, Γ(10.5) = 1133278.3889487855.
    assert!(rel(ln_gamma(5.0), 24f64.ln()) < 1e-14);
    assert!(rel(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln()) < 1e-14);
    assert!(rel(ln_gamma(10.5), 1_133_278.388_948_785_5f64.ln()) < 1e-14);
    // I_x(1, b) = 1 − (1−x)^b; I_x(a, 1) = x^a; I_½(a, a) = ½. The prefactor carries three
    // ln Γ roundings, hence 1e-13.
    assert!(rel(beta_inc(0.3, 1.0, 4.5), 1.0 - 0.7f64.powf(4.5)) < 1e-13);
    assert!(rel(beta_inc(0.6, 2.5, 1.0), 0.6f64.powf(2.5)) < 1e-13);
    assert!(rel(beta_inc(0.5, 7.3, 7.3), 0.5) < 1e-13);
}

#[test]
fn student_t_tails_and_quantiles_match_tables() {
    // t with 1 df is Cauchy: P(T > 1) = 1/4. With 2 df: P(T > t) = ½(1 − t/√(2+t²)).
    assert!(rel(pt_upper(1.0, 1.0), 0.25) < 1e-14);
    assert!(rel(pt_upper(1.5, 2.0), 0.5 * (1.0 - 1.5 / 4.25f64.sqrt())) < 1e-14);
    // Tabled: t_{0.975, 10} = 2.228138851986274 (R: qt(0.975, 10)); t_{0.95, 38} = 1.685954.
    assert!(rel(qt_upper(0.025, 10.0), 2.228138851986274) < 1e-12);
    assert!(rel(qt_upper(0.05, 38.0), 1.685954) < 1e-6);
}

#[test]
fn the_noncentral_t_reduces_to_known_cases() {
    // δ = 0 is Student's t; at t = 0, P(T ≤ 0) = Φ(−δ).
    assert!(rel(pnt(1.5, 2.0, 0.0), 1.0 - 0.5 * (1.0 - 1.5 / 4.25f64.sqrt())) < 1e-12);
    assert!(rel(pnt(0.0, 7.0, 1.3), pnorm(-1.3)) < 1e-14);
    // Huge df is the normal shifted by δ.
    assert!((pnt(2.5, 1e6, 1.0) - pnorm(1.5)).abs() < 1e-5);
}

#[test]
fn the_noncentral_t_matches_a_numerical_integration() {
    // P(T ≤ t) = E_V[Φ(t·√(V/ν) − δ)], V ~ χ²_ν, integrated with Simpson's rule over the
    // χ² density (ν = 10, t = 2.2, δ = 1.5).
    let (nu, t, delta) = (10.0f64, 2.2, 1.5);
    let log_norm = -(0.5 * nu) * 2f64.ln() - ln_gamma(0.5 * nu);
    let density = |v: f64| (log_norm + (0.5 * nu - 1.0) * v.ln() - 0.5 * v).exp();
    let steps = 20_000;
    let (a, b) = (1e-12, 120.0);
    let h = (b - a) / steps as f64;
    let mut sum = 0.0;
    for k in 0..=steps {
        let v = a + k as f64 * h;
        let w = if k == 0 || k == steps {
            1.0
        } else if k % 2 == 1 {
            4.0
        } else {
            2.0
        };
        sum += w * density(v) * pnorm(t * (v / nu).sqrt() - delta);
    }
    let integral = sum * h / 3.0;

    assert!((pnt(t, nu, delta) - integral).abs() < 1e-9);
}

// ---------- R's documented examples ----------

#[test]
fn prop_test_power_matches_r() {
    // ?power.prop.test: power.prop.test(n = 50, p1 = .50, p2 = .75) => power = 0.7401659.
    let power = prop_test_power(50.0, 0.5, 0.75, 0.05, false);

    assert!((power - 0.7401659).abs() < 5e-8);
}

#[test]
fn prop_test_sample_size_matches_r_and_the_closed_form() {
    // ?power.prop.test: power.prop.test(p1 = .50, p2 = .75, power = .90) => n = 76.7.
    // By hand: p̄ = 0.625, √(2·0.625·0.375) = √0.46875, √(0.25 + 0.1875) = √0.4375,
    // n = (1.959963984540054·√0.46875 + 1.2815515655446004·√0.4375)² / 0.0625
    //   = 76.7069284517774 (R's uniroot stops within its 1.2e-4 tolerance of this).
    let params = Params {
        power: 0.9,
        ..Params::new(0.5)
    };

    let n = sample_size(&Metric::Proportion { baseline: 0.5 }, &params).unwrap();

    let by_hand = (1.959963984540054 * 0.46875f64.sqrt() + 1.2815515655446004 * 0.4375f64.sqrt())
        .powi(2)
        / 0.0625;
    assert!(rel(n.exact, by_hand) < 1e-13);
    assert!((n.exact - 76.7).abs() < 0.05);
    assert_eq!(n.per_arm, 77);
    assert_eq!(n.total, 154);
    assert_eq!(n.method, PROPORTION_METHOD);
    // And the power at the exact n is the target.
    assert!((prop_test_power(n.exact, 0.5, 0.75, 0.05, false) - 0.9).abs() < 1e-12);
}

#[test]
fn t_test_power_matches_r() {
    // ?power.t.test: power.t.test(n = 20, delta = 1) => power = 0.8689528.
    let power = t_test_power(20.0, 1.0, 1.0, 0.05, false);

    assert!((power - 0.8689528).abs() < 5e-8);
}

#[test]
fn t_test_sample_sizes_match_r() {
    // ?power.t.test: power.t.test(power = .90, delta = 1) => n = 22.02110;
    // with alternative = "one.sided" => n = 17.84713. R's uniroot tolerance is 1.2e-4.
    let two = Params {
        absolute: true,
        power: 0.9,
        ..Params::new(1.0)
    };
    let one = Params {
        one_sided: true,
        ..two
    };
    let metric = Metric::Mean { mean: 0.0, sd: 1.0 };

    let n_two = sample_size(&metric, &two).unwrap();
    let n_one = sample_size(&metric, &one).unwrap();

    assert!((n_two.exact - 22.02110).abs() < 1e-4);
    assert_eq!(n_two.per_arm, 23);
    assert_eq!(n_two.method, MEAN_METHOD);
    assert!((n_one.exact - 17.84713).abs() < 1e-4);
    assert_eq!(n_one.per_arm, 18);
    assert!((t_test_power(n_two.exact, 1.0, 1.0, 0.05, false) - 0.9).abs() < 1e-9);
}

#[test]
fn a_relative_mde_on_a_mean_scales_with_the_mean() {
    // mean 50, +2% → δ = 1 with sd 1: the same as the absolute example above.
    let relative = Params {
        power: 0.9,
        ..Params::new(0.02)
    };

    let n = sample_size(
        &Metric::Mean {
            mean: 50.0,
            sd: 1.0,
        },
        &relative,
    )
    .unwrap();

    assert!((n.exact - 22.02110).abs() < 1e-4);
}

#[test]
fn relative_and_absolute_mdes_on_a_rate_agree() {
    // 4% baseline, +10% relative is 4.4%, the same as +0.004 absolute.
    let relative = sample_size(&Metric::Proportion { baseline: 0.04 }, &Params::new(0.1)).unwrap();
    let absolute = sample_size(
        &Metric::Proportion { baseline: 0.04 },
        &Params {
            absolute: true,
            ..Params::new(0.004)
        },
    )
    .unwrap();

    assert!(rel(relative.exact, absolute.exact) < 1e-9);
    // A one-sided test needs fewer: z_{0.95} < z_{0.975}.
    let one_sided = sample_size(
        &Metric::Proportion { baseline: 0.04 },
        &Params {
            one_sided: true,
            ..Params::new(0.1)
        },
    )
    .unwrap();
    assert!(one_sided.exact < relative.exact);
    assert_eq!(relative.per_arm as f64, relative.exact.ceil());
}

#[test]
fn bad_inputs_are_rejected_with_what_was_wrong() {
    let p = Params::new(0.1);
    let rate = |baseline| Metric::Proportion { baseline };

    assert_eq!(
        sample_size(&rate(1.2), &p).unwrap_err(),
        SampleSizeError::Baseline(1.2)
    );
    assert_eq!(
        sample_size(&rate(0.95), &p).unwrap_err(),
        SampleSizeError::Target {
            baseline: 0.95,
            target: 0.95 * 1.1
        }
    );
    assert_eq!(
        sample_size(&rate(0.5), &Params::new(0.0)).unwrap_err(),
        SampleSizeError::Mde(0.0)
    );
    assert_eq!(
        sample_size(&rate(0.5), &Params { alpha: 1.0, ..p }).unwrap_err(),
        SampleSizeError::Alpha(1.0)
    );
    assert_eq!(
        sample_size(&rate(0.5), &Params { power: 1.0, ..p }).unwrap_err(),
        SampleSizeError::Power(1.0)
    );
    assert_eq!(
        sample_size(&Metric::Mean { mean: 5.0, sd: 0.0 }, &p).unwrap_err(),
        SampleSizeError::Sd(0.0)
    );
    assert_eq!(
        sample_size(&Metric::Mean { mean: 0.0, sd: 1.0 }, &p).unwrap_err(),
        SampleSizeError::Mean(0.0)
    );
}

#[test]
fn the_json_carries_the_contracts_keys() {
    let n = sample_size(&Metric::Proportion { baseline: 0.1 }, &Params::new(0.2)).unwrap();

    let json = serde_json::to_value(&n).unwrap();

    assert!(json["per_arm"].is_u64());
    assert!(json["exact"].is_f64());
    assert!(json["method"].is_string());
    assert_eq!(json["total"].as_u64(), Some(2 * n.per_arm));
}

#[test]
fn a_tiny_effect_on_a_mean_needs_the_noncentral_t_answer_not_the_normal_one() {
    // d = 0.005, two-sided α 0.05, power 0.8. Power at n per arm integrated independently
    // (mpmath, 30 digits: E over χ²_ν of the normal tail, ν = 2(n − 1), t quantile from the
    // regularized incomplete beta): n = 627,911 → 0.79999978820, n = 627,912 →
    // 0.80000041276. The root is 627,911 + 0.3391 and the smallest sufficient n 627,912;
    // the normal approximation 2(z₀.₉₇₅ + z₀.₈)²/d² = 627,910.3 is short by the t's
    // heavier tails.
    let s = sample_size(
        &Metric::Mean { mean: 1.0, sd: 1.0 },
        &Params {
            absolute: true,
            ..Params::new(0.005)
        },
    )
    .unwrap();
    assert_eq!(s.per_arm, 627_912);
    assert!((s.exact - 627_911.339).abs() < 0.01, "{}", s.exact);
    assert!((t_test_power(627_911.0, 0.005, 1.0, 0.05, false) - 0.799_999_788_20).abs() < 1e-9);
    assert!((t_test_power(627_912.0, 0.005, 1.0, 0.05, false) - 0.800_000_412_76).abs() < 1e-9);
}

#[test]
fn the_per_arm_answer_is_the_smallest_n_with_the_power_at_every_scale() {
    // Across effect sizes from 2 to 0.001 (n from a handful to millions): the ceiling of
    // the exact root reaches the power and one fewer does not.
    for d in [
        2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001,
    ] {
        let s = sample_size(
            &Metric::Mean { mean: 1.0, sd: 1.0 },
            &Params {
                absolute: true,
                ..Params::new(d)
            },
        )
        .unwrap();
        let n = s.per_arm as f64;
        assert!(
            t_test_power(n, d, 1.0, 0.05, false) >= 0.8,
            "d = {d}: n = {n}"
        );
        if n > 2.0 {
            assert!(
                t_test_power(n - 1.0, d, 1.0, 0.05, false) < 0.8,
                "d = {d}: n = {n}"
            );
        }
    }
}
