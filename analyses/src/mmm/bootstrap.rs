//! Percentile intervals by a moving-block bootstrap of the residuals, refitting each
//! replicate from the point estimate. Replicate `b` draws from its own SplitMix64 stream
//! (seeded from the run's seed and `b`), so the result does not depend on how replicates
//! are spread over threads.

use super::lm::{self, Penalty, Solution};
use super::model::Problem;

/// SplitMix64 (Steele, Lea & Flood 2014).
pub(crate) struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Linearly interpolated quantile (R's type 7) of sorted values.
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

pub(crate) struct Plan<'p> {
    pub problem: &'p Problem<'p>,
    pub y: &'p [f64],
    pub best: &'p Solution,
    pub penalty: &'p Penalty,
    pub settings: lm::Settings,
    pub replicates: usize,
    pub seed: u64,
    pub threads: usize,
}

/// Runs every replicate and returns `statistic` of each refit, in replicate order.
pub(crate) fn replicates<T: Send>(
    plan: &Plan,
    statistic: &(dyn Fn(&Solution) -> T + Sync),
) -> Vec<T> {
    let replicates = plan.replicates;
    let threads = plan.threads.clamp(1, replicates.max(1));
    let mut draws: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|w| {
                scope.spawn(move || {
                    (w..replicates)
                        .step_by(threads)
                        .map(|b| (b, statistic(&replicate(plan, b))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    draws.sort_by_key(|(b, _)| *b);
    draws.into_iter().map(|(_, t)| t).collect()
}

/// For each channel, the `level` percentile intervals of two statistics per draw
/// (e.g. ROAS and marginal ROAS): `[low₀, high₀, low₁, high₁]`.
pub(crate) fn intervals(draws: &[Vec<[f64; 2]>], level: f64) -> Vec<[f64; 4]> {
    let channels = draws.first().map_or(0, Vec::len);
    let (lo, hi) = ((1.0 - level) / 2.0, (1.0 + level) / 2.0);
    (0..channels)
        .map(|i| {
            let mut out = [0.0; 4];
            for which in 0..2 {
                let mut v: Vec<f64> = draws.iter().map(|s| s[i][which]).collect();
                v.sort_by(f64::total_cmp);
                out[2 * which] = quantile(&v, lo);
                out[2 * which + 1] = quantile(&v, hi);
            }
            out
        })
        .collect()
}

/// Replicate `b`: `y* = ŷ + e*`, `e*` built from blocks of `⌈n^(1/3)⌉` consecutive
/// residuals starting at uniform positions, then refitted from the point estimate.
fn replicate(plan: &Plan, b: usize) -> Solution {
    let n = plan.y.len();
    let block = ((n as f64).cbrt().ceil() as usize).clamp(1, n);
    let resid = &plan.best.eval.resid;
    let mut rng = SplitMix64(
        plan.seed ^ 0xB007_57A9_5EED_0000 ^ (b as u64).wrapping_mul(0xD1B5_4A32_D192_ED03),
    );
    let mut y_star = Vec::with_capacity(n);
    while y_star.len() < n {
        let start = ((rng.unit() * (n - block + 1) as f64) as usize).min(n - block);
        for r in &resid[start..start + block] {
            let t = y_star.len();
            if t < n {
                y_star.push(plan.y[t] - resid[t] + r);
            }
        }
    }
    let best = plan.best;
    lm::minimise(
        plan.problem,
        &y_star,
        &best.z,
        &best.eval.coef,
        plan.penalty,
        plan.settings,
    )
}
