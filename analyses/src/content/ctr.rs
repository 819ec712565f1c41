//! Organic click-through rate by ranking position: the curve every uplift estimate uses.
//!
//! Source: SISTRIX 2020 (80M+ keywords, mobile SERPs; docs/data/benchmarks.md,
//! Table D) publishes positions 1, 2, 3 and 10: 28.5%, 15.7%, 11.0%, 2.5%. Positions 4-9
//! are published only as a chart, so they are interpolated geometrically between 3 and
//! 10: `CTR(p) = 11.0% × (2.5% / 11.0%)^((p − 3) / 7)`. Page two (11-20) is taken as 1%
//! (Backlinko 2019 measured 0.78% of searchers clicking anything on page two); beyond
//! page two, 0.2%. A position is rounded to the nearest whole rank first (an average
//! position of 4.4 reads as 4).

/// The published points: (position, CTR).
pub const SISTRIX_2020: [(u32, f64); 4] = [(1, 0.285), (2, 0.157), (3, 0.110), (10, 0.025)];
/// CTR of any position on page two (11-20).
pub const PAGE_TWO_CTR: f64 = 0.01;
/// CTR beyond page two (21+).
pub const BEYOND_PAGE_TWO_CTR: f64 = 0.002;
/// The curve, named with its source (quoted in posts and handoffs).
pub const CURVE_NAME: &str = "SISTRIX 2020 organic CTR (positions 1, 2, 3, 10 published; 4-9 \
    interpolated geometrically; page two 1%, beyond 0.2%)";

/// Organic CTR at an average ranking position (1 = top). Positions below 1 read as 1.
pub fn ctr(position: f64) -> f64 {
    let p = position.round().max(1.0);
    let (p3, p10) = (SISTRIX_2020[2].1, SISTRIX_2020[3].1);
    if p <= 3.0 {
        SISTRIX_2020[p as usize - 1].1
    } else if p <= 10.0 {
        p3 * (p10 / p3).powf((p - 3.0) / 7.0)
    } else if p <= 20.0 {
        PAGE_TWO_CTR
    } else {
        BEYOND_PAGE_TWO_CTR
    }
}
