//! Times a logistic fit on 1,000,000 synthetic rows × 30 features with known
//! coefficients, unpenalised and with `--l2 1`, then with a leaked (separating) feature:
//! `cargo run --release -p quarterdeck-analyses --example logistic_bench`.

use std::time::Instant;

use quarterdeck_analyses::logistic::{FitOptions, Matrix, fit};

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
    /// Uniform on (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Standard normal by Box–Muller.
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// CPU seconds used by this process so far (all threads), from /proc/self/stat; the
/// machine is shared, so wall time alone can mislead.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Fields 14 and 15 of the file (utime, stime) in clock ticks of 1/100 s.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let (n, p) = (1_000_000, 30);
    let mut rng = Rng(7);
    // Coefficients in [−0.5, 0.5]; features with assorted means and scales.
    let truth: Vec<f64> = (0..p).map(|j| (j as f64 / (p - 1) as f64) - 0.5).collect();
    let intercept = -1.0;
    let (means, scales): (Vec<f64>, Vec<f64>) = (0..p)
        .map(|j| (j as f64 * 10.0, 1.0 + (j % 5) as f64))
        .unzip();
    let mut values = Vec::with_capacity(n * p);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let mut eta = intercept;
        for j in 0..p {
            let z = rng.normal();
            values.push(means[j] + scales[j] * z);
            // The true coefficient applies to the standardised value.
            eta += truth[j] * z;
        }
        y.push(rng.unit() < 1.0 / (1.0 + (-eta).exp()));
    }
    let x = Matrix::new(&values, p).expect("shape");
    let positives = y.iter().filter(|v| **v).count();
    println!("{n} rows × {p} features, {positives} positives");

    for l2 in [None, Some(1.0)] {
        let (start, cpu) = (Instant::now(), cpu_seconds());
        let f = fit(
            &x,
            &y,
            &FitOptions {
                l2,
                ..FitOptions::default()
            },
        )
        .expect("fit");
        let secs = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu).map_or(f64::NAN, |(b, a)| b - a);
        let worst = f
            .coefficients
            .iter()
            .zip(&truth)
            .zip(&scales)
            .map(|((w, t), s)| (w * s - t).abs())
            .fold(0.0, f64::max);
        let worst_se = f.standard_errors.as_ref().map(|se| {
            f.coefficients
                .iter()
                .zip(&truth)
                .zip(&scales)
                .zip(&se.coefficients)
                .map(|(((w, t), s), e)| (w - t / s).abs() / e)
                .fold(0.0, f64::max)
        });
        println!(
            "l2 {l2:?}: {secs:.3} s wall ({cpu:.2} s CPU), {} Newton steps, converged {}, max |coef − true| {worst:.4} (standardised units){}",
            f.iterations,
            f.converged,
            worst_se.map_or(String::new(), |z| format!(", worst |z| {z:.2}")),
        );
    }

    // A leaked outcome: feature 0 replaced by y + noise in [−0.4, 0.4] separates the
    // classes completely.
    let leaked: Vec<f64> = values
        .chunks(p)
        .zip(&y)
        .flat_map(|(row, hit)| {
            let mut row = row.to_vec();
            row[0] = f64::from(u8::from(*hit)) + (0.1 * row[0] / scales[0]).clamp(-0.4, 0.4);
            row
        })
        .collect();
    let x = Matrix::new(&leaked, p).expect("shape");
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let result = fit(&x, &y, &FitOptions::default());
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu).map_or(f64::NAN, |(b, a)| b - a);
    println!(
        "leaked feature, unpenalised: {secs:.3} s wall ({cpu:.2} s CPU): {}",
        result.map_or_else(|e| e.to_string(), |f| format!("fit?! {f:?}"))
    );
}
