//! Times `budget::allocate` on 50 channels, most of them S-shaped hill curves: `cargo run
//! --release -p quarterdeck-analyses --example budget_bench`. Target: under 50 ms. Prints
//! wall time and, on Linux, the thread's on-CPU time (from /proc/thread-self/schedstat),
//! which a busy shared machine does not inflate; each spec runs 5 times: the
//! fastest wall time and the mean on-CPU time count.
//!
//! As a check of global optimality it also solves every spec by a plain dynamic programme
//! over a finer grid (5000 steps, written here independently of the library) and prints
//! the largest shortfall of the optimiser against it (≤ 0 means never beaten).

use std::time::Instant;

use quarterdeck_analyses::budget::{BudgetSpec, ChannelSpec, allocate};
use quarterdeck_analyses::curves::Curve;

/// A small deterministic generator (SplitMix64) so the bench needs no dependency.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Nanoseconds this thread has run on a CPU, where Linux reports it.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn spec(seed: u64, channels: usize, s_curves: usize, total: f64) -> BudgetSpec {
    let mut rng = Rng(seed);
    let channels = (0..channels)
        .map(|i| {
            let curve = if i < s_curves {
                Curve::Hill {
                    beta: 200_000.0 + 1_800_000.0 * rng.unit(),
                    alpha: 1.2 + 2.8 * rng.unit(),
                    gamma: 50_000.0 + 500_000.0 * rng.unit(),
                }
            } else {
                Curve::MichaelisMenten {
                    l: 200_000.0 + 1_000_000.0 * rng.unit(),
                    k: 50_000.0 + 400_000.0 * rng.unit(),
                }
            };
            ChannelSpec {
                name: format!("channel_{i:02}"),
                min: (rng.unit() < 0.3).then(|| 20_000.0 * rng.unit()),
                max: (rng.unit() < 0.3).then(|| 200_000.0 + 600_000.0 * rng.unit()),
                historical: Some(50_000.0 + 300_000.0 * rng.unit()),
                curve,
            }
        })
        .collect();
    BudgetSpec {
        total,
        reserve: 0.12,
        allow_reserve_outside_range: false,
        channels,
    }
}

/// The best total response over allocations `lo_i + j_i·h`, `Σ j_i = steps`: a feasible
/// point, so a lower bound on the optimum.
fn fine_grid(spec: &BudgetSpec, steps: usize) -> f64 {
    let a = spec.total * (1.0 - spec.reserve);
    let lo: Vec<f64> = spec.channels.iter().map(|c| c.min.unwrap_or(0.0)).collect();
    let h = (a - lo.iter().sum::<f64>()) / steps as f64;
    let mut best = vec![f64::NEG_INFINITY; steps + 1];
    best[0] = 0.0;
    for (c, lo) in spec.channels.iter().zip(&lo) {
        let hi = c.max.unwrap_or(a).min(a);
        let cap = (((hi - lo) / h).floor() as usize).min(steps);
        let mut next = vec![f64::NEG_INFINITY; steps + 1];
        for j in 0..=cap {
            let v = c.curve.response(lo + j as f64 * h);
            for (n, b) in next[j..].iter_mut().zip(&best) {
                *n = if b + v > *n { b + v } else { *n };
            }
        }
        best = next;
    }
    best[steps]
}

const REPEATS: usize = 5;

fn main() {
    let cases = [
        (50, 40, 10e6),
        (50, 50, 10e6),
        (50, 50, 3e6),
        (50, 0, 10e6),
        (10, 10, 2e6),
    ];
    for (channels, s_curves, total) in cases {
        let (mut wall, mut cpu) = (vec![], vec![]);
        let (mut certified, mut gain, mut shortfall) = (0, 0.0, f64::NEG_INFINITY);
        let runs = 20;
        for seed in 0..runs {
            let spec = spec(seed, channels, s_curves, total);
            let mut best_wall = f64::INFINITY;
            let mut allocation = None;
            let start_cpu = cpu_ns();
            for _ in 0..REPEATS {
                let start = Instant::now();
                allocation = Some(allocate(&spec).expect("bench specs are valid"));
                best_wall = best_wall.min(start.elapsed().as_secs_f64() * 1e3);
            }
            cpu.push(match (start_cpu, cpu_ns()) {
                (Some(a), Some(b)) => (b - a) as f64 / 1e6 / REPEATS as f64,
                _ => f64::NAN,
            });
            wall.push(best_wall);
            let allocation = allocation.expect("ran at least once");
            certified += usize::from(allocation.certified_optimal);
            let mix = allocation.historical_mix.expect("history given");
            gain += allocation.total_response / mix.total_response;
            let grid = fine_grid(&spec, 5000);
            shortfall = shortfall.max((grid - allocation.total_response) / grid);
        }
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let n = runs as usize;
        println!(
            "{channels} channels ({s_curves} S-curves), total {total:.0}, {runs} specs: \
             wall median {:.2} ms, max {:.2} ms; on-CPU median {:.2} ms, max {:.2} ms; \
             certified {certified}/{runs}; worst shortfall vs 5000-step grid {shortfall:.1e}; \
             response vs historical mix ×{:.3}",
            wall[n / 2],
            wall[n - 1],
            cpu[n / 2],
            cpu[n - 1],
            gain / runs as f64
        );
    }
}
