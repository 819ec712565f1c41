//! Times `budget::allocate` on 50 channels, most of them S-shaped hill curves: `cargo run
//! --release -p quarterdeck-analyses --example budget_bench`. Target: under 50 ms. Prints
//! wall time and, on Linux, the thread's on-CPU time (from /proc/thread-self/schedstat),
//! which a busy shared machine does not inflate; each spec runs 5 times: the
//! fastest wall time and the mean on-CPU time count.

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

fn spec(seed: u64, channels: usize, s_curves: usize) -> BudgetSpec {
    let mut rng = Rng(seed);
    let total = 10_000_000.0;
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

const REPEATS: usize = 5;

fn main() {
    for (channels, s_curves) in [(50, 40), (50, 50), (50, 0), (10, 10)] {
        let (mut wall, mut cpu) = (vec![], vec![]);
        let mut certified = 0;
        let runs = 20;
        let mut gain = 0.0;
        for seed in 0..runs {
            let spec = spec(seed, channels, s_curves);
            let mut best_wall = f64::INFINITY;
            let mut allocation = None;
            let start_cpu = cpu_ns();
            for _ in 0..REPEATS {
                let start = Instant::now();
                allocation = Some(allocate(&spec).expect("bench specs are valid"));
                best_wall = best_wall.min(start.elapsed().as_secs_f64() * 1e3);
            }
            let best_cpu = match (start_cpu, cpu_ns()) {
                (Some(a), Some(b)) => (b - a) as f64 / 1e6 / REPEATS as f64,
                _ => f64::NAN,
            };
            let allocation = allocation.expect("ran at least once");
            wall.push(best_wall);
            cpu.push(best_cpu);
            certified += usize::from(allocation.certified_optimal);
            gain += allocation.total_response
                / allocation
                    .historical_mix
                    .expect("history given")
                    .total_response;
        }
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let n = runs as usize;
        println!(
            "{channels} channels, {s_curves} S-curves, {runs} specs: wall median {:.2} ms, max {:.2} ms; \
             mean on-CPU median {:.2} ms, max {:.2} ms; certified global {certified}/{runs}; \
             response vs historical mix ×{:.3}",
            wall[n / 2],
            wall[n - 1],
            cpu[n / 2],
            cpu[n - 1],
            gain / runs as f64
        );
    }
}
