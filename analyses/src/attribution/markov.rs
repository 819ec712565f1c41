//! Markov-chain attribution of order K, solved exactly (not simulated).
//!
//! States are `start`, the last (up to) K channels of a journey, and the absorbing
//! `conversion` and `null`. A path c1 > … > cn with c conversions and u nulls adds weight
//! c + u to each transition start → (c1) → (c1,c2) → … → (c(n−K+1)…cn) (self-loops kept)
//! and weights c and u from its last state into conversion and null. Transition
//! probabilities are the weights normalised per state. P(conversion) is the absorption
//! probability from start: the solution of x = P·x + r over transient states, r being
//! each state's probability of converting next.
//!
//! Removing channel k sends every transition into a state that contains k to null, i.e.
//! fixes x = 0 on those states. Removal effect RE_k = 1 − P(conv | k removed)/P(conv);
//! credit_k = total × RE_k / Σ_j RE_j.
//!
//! Value: a conversion ending at last channel l is worth m_l, the mean value per
//! conversion of the journeys ending at l, so each state's reward is r_s·m_last(s); the
//! value removal effects use that reward, and value credits are shared in proportion to
//! them.
//!
//! Linear systems up to `DENSE_LIMIT` states are solved by Gaussian elimination with
//! partial pivoting; larger ones (high orders, many channels) by Gauss–Seidel sweeps with
//! the self-loop eliminated, until no value moves by more than 1e-15 (the chain is
//! absorbing, so the sweeps converge).

use crate::hash::FxMap;

use super::{AggPath, AttributionError};

const DENSE_LIMIT: usize = 300;
const MAX_SWEEPS: usize = 100_000;

struct Chain {
    /// Outgoing transitions of each transient state: (to, probability).
    edges: Vec<Vec<(usize, f64)>>,
    /// Probability of converting next, and the value-weighted version.
    conv: Vec<f64>,
    value: Vec<f64>,
    /// The channels each state contains.
    channels: Vec<Vec<u16>>,
}

pub struct MarkovResult {
    /// Per channel: removal effect on conversions and on value, each in [0, 1].
    pub removal: Vec<(f64, f64)>,
}

fn pack(window: &[u16]) -> u64 {
    window
        .iter()
        .enumerate()
        .fold(0u64, |k, (i, c)| k | (u64::from(*c) + 1) << (16 * i))
}

fn build(paths: &[AggPath], order: usize, channels: usize) -> Chain {
    // Mean value per conversion by last channel.
    let mut by_last = vec![(0.0f64, 0.0f64); channels];
    for p in paths {
        if let Some(l) = p.seq.last() {
            by_last[usize::from(*l)].0 += p.value;
            by_last[usize::from(*l)].1 += p.conversions;
        }
    }
    let mean_value: Vec<f64> = by_last
        .iter()
        .map(|(v, c)| if *c > 0.0 { v / c } else { 0.0 })
        .collect();

    let mut index: FxMap<u64, usize> = FxMap::default();
    let mut weights: Vec<FxMap<usize, f64>> = vec![FxMap::default()];
    let mut to_conv = vec![0.0];
    let mut to_null = vec![0.0];
    let mut last = vec![None];
    let mut state_channels: Vec<Vec<u16>> = vec![Vec::new()];
    for p in paths {
        let w = p.conversions + p.nulls;
        if w <= 0.0 || p.seq.is_empty() {
            continue;
        }
        let mut prev = 0;
        for j in 0..p.seq.len() {
            let window = &p.seq[(j + 1).saturating_sub(order)..=j];
            let s = *index.entry(pack(window)).or_insert_with(|| {
                weights.push(FxMap::default());
                to_conv.push(0.0);
                to_null.push(0.0);
                last.push(window.last().copied());
                let mut set = window.to_vec();
                set.sort_unstable();
                set.dedup();
                state_channels.push(set);
                weights.len() - 1
            });
            *weights[prev].entry(s).or_insert(0.0) += w;
            prev = s;
        }
        to_conv[prev] += p.conversions;
        to_null[prev] += p.nulls;
    }
    let n = weights.len();
    let mut edges = Vec::with_capacity(n);
    let mut conv = Vec::with_capacity(n);
    let mut value = Vec::with_capacity(n);
    for s in 0..n {
        let total: f64 = weights[s].values().sum::<f64>() + to_conv[s] + to_null[s];
        let mut out: Vec<(usize, f64)> = if total > 0.0 {
            weights[s].iter().map(|(t, w)| (*t, w / total)).collect()
        } else {
            Vec::new()
        };
        out.sort_unstable_by_key(|e| e.0);
        edges.push(out);
        let r = if total > 0.0 { to_conv[s] / total } else { 0.0 };
        conv.push(r);
        value.push(r * last[s].map_or(0.0, |l: u16| mean_value[usize::from(l)]));
    }
    Chain {
        edges,
        conv,
        value,
        channels: state_channels,
    }
}

/// Absorption probability (and expected value) from start, with `removed` states fixed at 0.
fn solve(chain: &Chain, removed: &[bool]) -> Result<(f64, f64), AttributionError> {
    if chain.edges.len() <= DENSE_LIMIT {
        Ok(dense(chain, removed))
    } else {
        gauss_seidel(chain, removed)
    }
}

fn dense(chain: &Chain, removed: &[bool]) -> (f64, f64) {
    let keep: Vec<usize> = (0..chain.edges.len()).filter(|s| !removed[*s]).collect();
    let pos: FxMap<usize, usize> = keep.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let m = keep.len();
    // Augmented matrix [I − P | r_conv | r_value].
    let mut a = vec![vec![0.0f64; m + 2]; m];
    for (i, s) in keep.iter().enumerate() {
        a[i][i] = 1.0;
        for (t, p) in &chain.edges[*s] {
            if let Some(j) = pos.get(t) {
                a[i][*j] -= p;
            }
        }
        a[i][m] = chain.conv[*s];
        a[i][m + 1] = chain.value[*s];
    }
    for col in 0..m {
        let pivot = (col..m)
            .max_by(|x, y| a[*x][col].abs().total_cmp(&a[*y][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < f64::MIN_POSITIVE {
            continue;
        }
        for row in 0..m {
            if row != col && a[row][col] != 0.0 {
                let f = a[row][col] / d;
                let pivot_row = a[col].clone();
                for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let start = pos.get(&0).copied().unwrap_or(0);
    let d = a[start][start];
    if d == 0.0 {
        (0.0, 0.0)
    } else {
        (a[start][m] / d, a[start][m + 1] / d)
    }
}

fn gauss_seidel(chain: &Chain, removed: &[bool]) -> Result<(f64, f64), AttributionError> {
    let n = chain.edges.len();
    let (mut x, mut y) = (vec![0.0f64; n], vec![0.0f64; n]);
    for _ in 0..MAX_SWEEPS {
        let mut moved = 0.0f64;
        // Reverse creation order: later states are usually closer to absorption.
        for s in (0..n).rev() {
            if removed[s] {
                continue;
            }
            let (mut sx, mut sy, mut self_p) = (chain.conv[s], chain.value[s], 0.0);
            for (t, p) in &chain.edges[s] {
                if *t == s {
                    self_p += p;
                } else if !removed[*t] {
                    sx += p * x[*t];
                    sy += p * y[*t];
                }
            }
            let (nx, ny) = (sx / (1.0 - self_p), sy / (1.0 - self_p));
            moved = moved
                .max((nx - x[s]).abs() / nx.abs().max(1e-300))
                .max((ny - y[s]).abs() / ny.abs().max(1e-300));
            x[s] = nx;
            y[s] = ny;
        }
        if moved < 1e-15 {
            return Ok((x[0], y[0]));
        }
    }
    Err(AttributionError::NotConverged)
}

/// Removal effects of every channel.
pub fn removal_effects(
    paths: &[AggPath],
    order: usize,
    channels: usize,
) -> Result<MarkovResult, AttributionError> {
    let chain = build(paths, order, channels);
    let none = vec![false; chain.edges.len()];
    let (base_conv, base_value) = solve(&chain, &none)?;
    let mut removal = Vec::with_capacity(channels);
    for k in 0..channels {
        let k = u16::try_from(k).map_err(|_| AttributionError::TooManyChannels)?;
        let removed: Vec<bool> = chain
            .channels
            .iter()
            .map(|set| set.binary_search(&k).is_ok())
            .collect();
        let (c, v) = solve(&chain, &removed)?;
        let effect = |base: f64, without: f64| {
            if base > 0.0 {
                (1.0 - without / base).clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        removal.push((effect(base_conv, c), effect(base_value, v)));
    }
    Ok(MarkovResult { removal })
}
