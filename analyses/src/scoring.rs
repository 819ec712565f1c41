//! How well a lead score predicts a 0/1 outcome, per `quarterdeck analyze lead-scoring`
//! in docs/contracts/analyses-cli.md. Scores are probabilities in [0, 1] for the
//! calibration measures (Brier, log loss, ECE, Hosmer–Lemeshow); ranking measures (AUC,
//! deciles, threshold) use any scale.
//!
//! - AUC by average ranks (ties share their mean rank): (R₊ − n₊(n₊+1)/2) / (n₊·n₋), the
//!   Mann–Whitney form.
//! - Brier = mean (p − y)²; log loss = −mean(y·ln p + (1−y)·ln(1−p)), p clipped to
//!   [1e-15, 1 − 1e-15].
//! - ECE over 10 equal-width bins [i/10, (i+1)/10) (the last closed): Σ (n_b/n)·|p̄_b − ȳ_b|.
//! - Hosmer–Lemeshow over 10 groups of the scores sorted ascending (stable), group k =
//!   rows [⌊k·n/10⌋, ⌊(k+1)·n/10⌋): Σ (O_k − E_k)² / (E_k·(1 − E_k/n_k)), O = positives,
//!   E = Σ p (groups with E_k = 0 or E_k = n_k add nothing).
//! - Deciles by score descending (stable for ties), decile k = rows [⌊k·n/10⌋,
//!   ⌊(k+1)·n/10⌋): conversions, rate, lift = rate / overall rate, cumulative capture =
//!   share of all positives in deciles 1..k.
//! - Threshold for an MQL rate R: scores sorted descending, the score of the ⌈R·n⌉-th lead,
//!   so at least the share R of leads scores at or above it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decile {
    pub decile: usize,
    pub n: usize,
    pub conversions: usize,
    pub rate: f64,
    pub lift: f64,
    pub cum_capture: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub n: usize,
    pub positives: usize,
    pub auc: Option<f64>,
    pub brier: f64,
    pub log_loss: f64,
    pub ece: f64,
    pub hosmer_lemeshow: f64,
    pub deciles: Vec<Decile>,
    pub threshold_for_mql_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoringError {
    #[error("no rows to evaluate")]
    Empty,
    #[error("scores and targets differ in length ({scores} vs {targets})")]
    Length { scores: usize, targets: usize },
    #[error("row {0}: the score is not a finite number")]
    NotFinite(usize),
    #[error("row {row}: calibration needs probabilities in [0, 1], found {score}")]
    NotProbability { row: usize, score: f64 },
    #[error("the MQL rate must be in (0, 1], found {0}")]
    BadRate(f64),
}

/// AUC by average ranks; `None` when one class is missing.
pub fn auc(scores: &[f64], y: &[bool]) -> Option<f64> {
    auc_sorted(scores, y, &ascending(scores))
}

/// Rows by score ascending, ties by row number: what a stable sort gives, from one
/// unstable sort on (score, row), which is faster on a million rows.
fn ascending(scores: &[f64]) -> Vec<u32> {
    let mut keyed: Vec<(f64, u32)> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, i as u32))
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Rows by score descending, ties by row number (a stable descending sort), from the
/// ascending order: its runs of equal scores, last run first, each in row order.
fn descending(scores: &[f64], asc: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(asc.len());
    let mut end = asc.len();
    while end > 0 {
        let s = scores[asc[end - 1] as usize];
        let mut start = end - 1;
        while start > 0 && scores[asc[start - 1] as usize].total_cmp(&s).is_eq() {
            start -= 1;
        }
        out.extend_from_slice(&asc[start..end]);
        end = start;
    }
    out
}

fn auc_sorted(scores: &[f64], y: &[bool], idx: &[u32]) -> Option<f64> {
    let n = scores.len();
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < n {
        let mut j = i;
        while j + 1 < n && scores[idx[j + 1] as usize] == scores[idx[i] as usize] {
            j += 1;
        }
        // Rows i..=j tie; they share the mean of ranks i+1..=j+1.
        let mean_rank = (i + j + 2) as f64 / 2.0;
        rank_sum += mean_rank * idx[i..=j].iter().filter(|k| y[**k as usize]).count() as f64;
        i = j + 1;
    }
    let pos = y.iter().filter(|v| **v).count() as f64;
    let neg = n as f64 - pos;
    (pos > 0.0 && neg > 0.0).then(|| (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

fn bounds(k: usize, n: usize) -> std::ops::Range<usize> {
    (k * n / 10)..((k + 1) * n / 10)
}

/// Evaluates `scores` against targets `y`; `mql_rate` asks for a threshold.
pub fn evaluate(
    scores: &[f64],
    y: &[bool],
    mql_rate: Option<f64>,
) -> Result<Evaluation, ScoringError> {
    let n = scores.len();
    if n == 0 {
        return Err(ScoringError::Empty);
    }
    if y.len() != n {
        return Err(ScoringError::Length {
            scores: n,
            targets: y.len(),
        });
    }
    if let Some(row) = scores.iter().position(|s| !s.is_finite()) {
        return Err(ScoringError::NotFinite(row));
    }
    if let Some(row) = scores.iter().position(|s| !(0.0..=1.0).contains(s)) {
        return Err(ScoringError::NotProbability {
            row,
            score: scores[row],
        });
    }
    let positives = y.iter().filter(|v| **v).count();
    let yf = |i: usize| f64::from(u8::from(y[i]));
    let nf = n as f64;
    let brier = (0..n).map(|i| (scores[i] - yf(i)).powi(2)).sum::<f64>() / nf;
    let log_loss = -(0..n)
        .map(|i| {
            let p = scores[i].clamp(1e-15, 1.0 - 1e-15);
            yf(i) * p.ln() + (1.0 - yf(i)) * (1.0 - p).ln()
        })
        .sum::<f64>()
        / nf;
    let mut bins = [(0usize, 0.0f64, 0.0f64); 10];
    for (p, hit) in scores.iter().zip(y) {
        let b = ((p * 10.0).floor() as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += p;
        bins[b].2 += f64::from(u8::from(*hit));
    }
    let ece = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|(c, p, o)| (*c as f64 / nf) * ((p - o) / *c as f64).abs())
        .sum();

    let asc = ascending(scores);
    let hosmer_lemeshow = (0..10)
        .map(|k| {
            let rows = &asc[bounds(k, n)];
            let (nk, e, o) = (
                rows.len() as f64,
                rows.iter().map(|i| scores[*i as usize]).sum::<f64>(),
                rows.iter().map(|i| yf(*i as usize)).sum::<f64>(),
            );
            let var = e * (1.0 - e / nk);
            if nk > 0.0 && var > 0.0 {
                (o - e).powi(2) / var
            } else {
                0.0
            }
        })
        .sum();

    let desc = descending(scores, &asc);
    let overall = positives as f64 / nf;
    let mut cum = 0usize;
    let deciles = (0..10)
        .map(|k| {
            let rows = &desc[bounds(k, n)];
            let conversions = rows.iter().filter(|i| y[**i as usize]).count();
            cum += conversions;
            let rate = if rows.is_empty() {
                0.0
            } else {
                conversions as f64 / rows.len() as f64
            };
            Decile {
                decile: k + 1,
                n: rows.len(),
                conversions,
                rate,
                lift: if overall > 0.0 { rate / overall } else { 0.0 },
                cum_capture: if positives > 0 {
                    cum as f64 / positives as f64
                } else {
                    0.0
                },
            }
        })
        .collect();
    let threshold_for_mql_rate = match mql_rate {
        None => None,
        Some(r) if !(r > 0.0 && r <= 1.0) => return Err(ScoringError::BadRate(r)),
        Some(r) => {
            let k = ((r * nf).ceil() as usize).clamp(1, n);
            Some(scores[desc[k - 1] as usize])
        }
    };
    Ok(Evaluation {
        n,
        positives,
        auc: auc_sorted(scores, y, &asc),
        brier,
        log_loss,
        ece,
        hosmer_lemeshow,
        deciles,
        threshold_for_mql_rate,
    })
}
