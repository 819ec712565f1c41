//! The rule-based models. Each converting journey hands out its conversions and value
//! over its touches; repeated touches of one channel each count.
//! - first / last: everything to the first / last touch;
//! - linear: 1/n per touch;
//! - time decay: weight 0.5^(d/h) normalised over the journey, d = the touch's distance
//!   from the conversion (in touches for path input, the last touch at d = 0; in days
//!   for touch-level input) and h the half-life;
//! - position (U-shaped): 40% first, 40% last, 20% spread evenly over the middle; a
//!   single touch takes 100%, two touches 50% each.

/// Which rule model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    First,
    Last,
    Linear,
    TimeDecay,
    Position,
}

pub const RULES: [Rule; 5] = [
    Rule::First,
    Rule::Last,
    Rule::Linear,
    Rule::TimeDecay,
    Rule::Position,
];

/// Adds `weight` × each touch's share under `rule` to `credit[channel]`.
/// `distances` are the touches' distances from the conversion, same order as `seq`.
pub fn spread(
    rule: Rule,
    seq: &[u16],
    distances: &[f64],
    half_life: f64,
    weight: f64,
    credit: &mut [f64],
) {
    let n = seq.len();
    if n == 0 {
        return;
    }
    let give =
        |credit: &mut [f64], i: usize, share: f64| credit[usize::from(seq[i])] += weight * share;
    match rule {
        Rule::First => give(credit, 0, 1.0),
        Rule::Last => give(credit, n - 1, 1.0),
        Rule::Linear => {
            for i in 0..n {
                give(credit, i, 1.0 / n as f64);
            }
        }
        Rule::TimeDecay => {
            let total: f64 = distances.iter().map(|d| 0.5f64.powf(d / half_life)).sum();
            for (i, d) in distances.iter().enumerate() {
                give(credit, i, 0.5f64.powf(d / half_life) / total);
            }
        }
        Rule::Position => match n {
            1 => give(credit, 0, 1.0),
            2 => {
                give(credit, 0, 0.5);
                give(credit, 1, 0.5);
            }
            _ => {
                give(credit, 0, 0.4);
                give(credit, n - 1, 0.4);
                for i in 1..n - 1 {
                    give(credit, i, 0.2 / (n - 2) as f64);
                }
            }
        },
    }
}
