//! Splitting an amount of money into parts that sum to it exactly, to the cent.
//!
//! Largest-remainder (Hamilton) method: with `T` the total in cents and weights `w_i ≥ 0`
//! summing to `W > 0`, each part gets `⌊T·w_i/W⌋` cents; the `T − Σ⌊·⌋` cents left (fewer
//! than the number of parts) go one each to the parts with the largest fractional
//! remainders, ties to the earlier part. Every part is then within one cent of its exact
//! share and the parts sum to `T` exactly.

/// Cents of `total_cents` shared in proportion to `weights`. All-zero (or empty) weights
/// share nothing: `None`, as does a negative or non-finite weight.
pub fn split_cents(total_cents: i64, weights: &[f64]) -> Option<Vec<i64>> {
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return None;
    }
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || total_cents < 0 {
        return None;
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|w| total_cents as f64 * w / sum)
        .collect();
    let mut parts: Vec<i64> = exact.iter().map(|e| e.floor() as i64).collect();
    let mut left = total_cents - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| {
        let (ra, rb) = (exact[*a] - exact[*a].floor(), exact[*b] - exact[*b].floor());
        rb.total_cmp(&ra).then(a.cmp(b))
    });
    // Float error may leave `left` a little outside [0, n); cycling keeps the sum exact.
    let mut i = 0;
    while left != 0 {
        let k = order[i % order.len()];
        let step = left.signum();
        if step > 0 || parts[k] > 0 {
            parts[k] += step;
            left -= step;
        }
        i += 1;
    }
    Some(parts)
}

/// Money in currency units to whole cents.
pub fn to_cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

/// Whole cents to currency units.
pub fn from_cents(cents: i64) -> f64 {
    cents as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn three_equal_parts_of_a_dollar_give_the_odd_cent_to_the_first() {
        // 100/3 = 33.33 each, remainders equal: the tie goes to the earliest part.
        assert_eq!(split_cents(100, &[1.0, 1.0, 1.0]).unwrap(), [34, 33, 33]);
    }

    #[test]
    fn the_largest_remainder_takes_the_leftover_cent() {
        // 1000 cents by 0.1115 / 0.3333 / 0.5552: exact 111.5, 333.3, 555.2; floors sum to
        // 999, and the one cent left goes to the largest remainder, 0.5 of the first part.
        assert_eq!(
            split_cents(1000, &[0.1115, 0.3333, 0.5552]).unwrap(),
            [112, 333, 555]
        );
    }

    #[test]
    fn zero_or_bad_weights_share_nothing() {
        assert_eq!(split_cents(100, &[0.0, 0.0]), None);
        assert_eq!(split_cents(100, &[]), None);
        assert_eq!(split_cents(100, &[1.0, f64::NAN]), None);
        assert_eq!(split_cents(100, &[1.0, -1.0]), None);
    }

    proptest! {
        #[test]
        fn parts_sum_to_the_total_and_stay_within_a_cent_of_their_share(
            total in 0i64..10_000_000_000,
            weights in proptest::collection::vec(0.0f64..1e7, 1..12),
        ) {
            prop_assume!(weights.iter().sum::<f64>() > 0.0);
            let parts = split_cents(total, &weights).unwrap();
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            let sum: f64 = weights.iter().sum();
            for (p, w) in parts.iter().zip(&weights) {
                prop_assert!(*p >= 0);
                prop_assert!((*p as f64 - total as f64 * w / sum).abs() < 1.0 + 1e-6);
            }
        }
    }
}
