//! Times attribution of 1,000,000 synthetic journeys (mean ≈ 3.5 touches, 12 channels),
//! all seven models, parsing excluded: `cargo run --release -p quarterdeck-analyses
//! --example attribution_bench`.

use std::time::Instant;

use quarterdeck_analyses::attribution::{Conversion, Journey, Params, Touch, attribute_journeys};

/// A small deterministic generator (SplitMix64) so the bench needs no dependency.
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
}

fn main() {
    let channels: Vec<String> = (0..12).map(|i| format!("channel_{i:02}")).collect();
    let mut rng = Rng(42);
    let journeys: Vec<Journey> = (0..1_000_000)
        .map(|j| {
            let mut t = 0i64;
            let mut touches = vec![];
            loop {
                touches.push(Touch {
                    at_seconds: t,
                    channel: channels[(rng.next() % 12) as usize].clone(),
                });
                t += (rng.unit() * 3.0 * 86_400.0) as i64;
                if touches.len() >= 10 || rng.unit() > 0.714 {
                    break;
                }
            }
            let conversion = (rng.unit() < 0.05).then(|| Conversion {
                at_seconds: t,
                value: 1_000.0 + rng.unit() * 9_000.0,
            });
            Journey {
                id: j.to_string(),
                touches,
                conversion,
            }
        })
        .collect();
    let touches: usize = journeys.iter().map(|j| j.touches.len()).sum();
    for order in [1, 2] {
        let start = Instant::now();
        let a = attribute_journeys(
            &journeys,
            &Params {
                half_life: 7.0,
                markov_order: order,
            },
        )
        .unwrap();
        println!(
            "1,000,000 journeys, {touches} touches, 12 channels, Markov order {order}: all seven models in {:.3} s ({:.0} conversions)",
            start.elapsed().as_secs_f64(),
            a.total_conversions
        );
    }
}
