//! Times the media-mix fit of 10 channels × 104 weeks (Hill saturation, 5 starts, 100
//! bootstrap refits by default; the first argument overrides the refits) on synthetic
//! flighted spend with noise of sd 5% of the mean outcome:
//! `cargo run --release -p quarterdeck-analyses --example mmm_bench [refits]`.
//! Prints wall time and, on Linux, the CPU time of all threads (from /proc/self/stat,
//! at 100 ticks per second), which is what a busy machine cannot inflate.

use std::time::Instant;

use quarterdeck_analyses::mmm::{Options, Shape, WeeklyData, fit};

/// SplitMix64, so the bench needs no dependency.
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
    fn gauss(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// User + system CPU seconds of this process, if /proc is there.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Fields 14 and 15 of proc(5) (utime, stime), counted after the command name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let (weeks, channels) = (104, 10);
    let refits = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let mut rng = Rng(7);
    let mut outcome: Vec<f64> = (0..weeks)
        .map(|t| {
            20_000.0 + 20.0 * t as f64 + 1_500.0 * (std::f64::consts::TAU * t as f64 / 52.0).sin()
        })
        .collect();
    let mut spend = vec![];
    let mut truth = vec![];
    for i in 0..channels {
        let mean = 500.0 * (1 + i) as f64;
        let mut x = Vec::with_capacity(weeks);
        while x.len() < weeks {
            let on = 3 + (rng.unit() * 6.0) as usize;
            x.extend((0..on).map(|_| mean * (0.1 + 1.9 * rng.unit())));
            x.extend(std::iter::repeat_n(0.0, 2 + (rng.unit() * 4.0) as usize));
        }
        x.truncate(weeks);
        let (theta, alpha) = (0.1 + 0.07 * i as f64, 0.8 + 0.2 * i as f64);
        let mut a = 0.0;
        let adstock: Vec<f64> = x
            .iter()
            .map(|v| {
                a = v + theta * a;
                a
            })
            .collect();
        let gamma = (0.6 + 0.1 * i as f64) * adstock.iter().sum::<f64>() / weeks as f64;
        let beta = 3.0 * mean;
        let mut contribution = 0.0;
        for (y, s) in outcome.iter_mut().zip(&adstock) {
            let h = beta * s.powf(alpha) / (s.powf(alpha) + gamma.powf(alpha));
            *y += h;
            contribution += h;
        }
        truth.push((theta, contribution / x.iter().sum::<f64>()));
        spend.push((format!("channel_{i:02}"), x));
    }
    let mean_y = outcome.iter().sum::<f64>() / weeks as f64;
    for y in &mut outcome {
        *y += 0.05 * mean_y * rng.gauss();
    }
    let data = WeeklyData {
        spend,
        outcome,
        controls: vec![],
    };
    let options = Options {
        saturation: Shape::Hill,
        bootstrap: refits,
        ..Options::default()
    };

    let (cpu_before, started) = (cpu_seconds(), Instant::now());
    let result = fit(&data, &options).expect("synthetic data is valid");
    let (elapsed, cpu_after) = (started.elapsed(), cpu_seconds());

    let cpu = match (cpu_before, cpu_after) {
        (Some(b), Some(a)) => format!("{:.2} s CPU over all threads", a - b),
        _ => "CPU time unavailable".to_string(),
    };
    println!(
        "{channels} channels × {weeks} weeks, {} starts, {} bootstrap refits: {:.3} s wall, {cpu} (r2 {:.3})",
        options.starts,
        options.bootstrap,
        elapsed.as_secs_f64(),
        result.r2
    );
    for (c, (theta, roas)) in result.channels.iter().zip(truth) {
        println!(
            "  {}: roas {:.2} [{:.2}, {:.2}] (true {roas:.2}), θ {:.2} (true {theta:.2}), marginal roas {:.2}",
            c.channel, c.roas, c.roas_low, c.roas_high, c.adstock_decay, c.marginal_roas
        );
    }
}
