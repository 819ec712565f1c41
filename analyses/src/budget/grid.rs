//! Steps 2 and 3: the grid dynamic programme over the whole budget, the fine grid around
//! a solution, and the search with one channel on its convex part.

use super::problem::*;

pub(super) struct Grid {
    /// The grid optimum, made to sum to `A` exactly.
    pub(super) x: Vec<f64>,
    /// Which channels the grid funds past their minimum.
    pub(super) on: Vec<bool>,
    /// S-channels the grid leaves strictly inside their convex part.
    pub(super) absorbers: Vec<usize>,
}

impl Problem {
    /// Step 2: the grid dynamic programme.
    pub(super) fn grid_search(&self, s_channels: &[usize]) -> Grid {
        let n = self.n();
        let g = grid_steps(s_channels.len());
        let free = self.total - self.lo.iter().sum::<f64>();
        let h = free / g as f64;
        let cap = |i: usize| {
            (((self.hi[i] - self.lo[i]) / h) * (1.0 + 1e-12))
                .floor()
                .min(g as f64) as usize
        };
        let point = |i: usize, j: usize| self.lo[i] + j as f64 * h;

        // Concave channels merge exactly: the best s steps are the s largest increments.
        let mut increments: Vec<(f64, usize)> = Vec::new();
        for i in (0..n).filter(|i| !self.is_s_channel(*i)) {
            let curve = &self.curves[i];
            let mut previous = curve.response(self.lo[i]);
            for j in 1..=cap(i) {
                let next = curve.response(point(i, j));
                increments.push((next - previous, i));
                previous = next;
            }
        }
        let descending = |p: &(f64, usize), q: &(f64, usize)| q.0.total_cmp(&p.0);
        if increments.len() > g {
            increments.select_nth_unstable_by(g, descending);
            increments.truncate(g);
        }
        increments.sort_by(descending);
        let mut best = vec![f64::NEG_INFINITY; g + 1];
        best[0] = 0.0;
        for (s, inc) in increments.iter().enumerate() {
            best[s + 1] = best[s] + inc.0;
        }

        // One stage per S-channel; stages are kept to trace the optimum back.
        let mut stages = vec![best];
        let mut values: Vec<Vec<f64>> = Vec::with_capacity(s_channels.len());
        for &i in s_channels {
            let v: Vec<f64> = (0..=cap(i))
                .map(|j| self.curves[i].response(point(i, j)))
                .collect();
            let previous = stages.last().expect("stages start with the concave merge");
            let mut next = vec![f64::NEG_INFINITY; g + 1];
            // best'[s] = max_j best[s−j] + v[j], one shifted vector pass per j.
            for (j, vj) in v.iter().enumerate() {
                for (n, p) in next[j..].iter_mut().zip(previous) {
                    let c = p + vj;
                    // A select, not a branch: this form vectorises (twice as fast).
                    *n = if c > *n { c } else { *n };
                }
            }
            stages.push(next);
            values.push(v);
        }

        let last = stages.last().expect("at least the concave stage");
        let mut s = (0..=g).rev().find(|s| last[*s].is_finite()).unwrap_or(0);
        let mut steps = vec![0usize; n];
        for (k, &i) in s_channels.iter().enumerate().rev() {
            let previous = &stages[k];
            let mut arg = 0;
            for (j, vj) in values[k].iter().enumerate().take(s + 1) {
                if previous[s - j] + vj > previous[s - arg] + values[k][arg] {
                    arg = j;
                }
            }
            steps[i] = arg;
            s -= arg;
        }
        for inc in increments.iter().take(s) {
            steps[inc.1] += 1;
        }
        let mut x: Vec<f64> = (0..n).map(|i| point(i, steps[i])).collect();
        let bounds: Vec<(f64, f64)> = (0..n).map(|i| (self.lo[i], self.hi[i])).collect();
        spread_residual(&mut x, &bounds, self.total);
        let on = (0..n).map(|i| steps[i] > 0).collect();
        let absorbers = s_channels
            .iter()
            .copied()
            .filter(|i| x[*i] > self.lo[*i] + h && x[*i] < self.branch_start(*i) - h)
            .collect();
        Grid { x, on, absorbers }
    }

    /// Step 3's fine grid: `WINDOW_STEPS` steps, each channel limited to a window of ±5%
    /// around its spend in `x` (an S-channel at its minimum: around its concave-branch
    /// point at `λ`), S-channels also free to stay at their minimum. Returns the
    /// configuration of the best grid point, or `None` if the windows cannot meet `A`.
    pub(super) fn window_search(&self, x: &[f64], lambda: f64) -> Option<Vec<bool>> {
        let n = self.n();
        let g = WINDOW_STEPS;
        let h = (self.total - self.lo.iter().sum::<f64>()) / g as f64;
        let options: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let cap = ((self.hi[i] - self.lo[i]) / h * (1.0 + 1e-12))
                    .floor()
                    .min(g as f64) as usize;
                let s_channel = self.is_s_channel(i);
                let centre = if s_channel && x[i] <= self.lo[i] + 0.5 * h {
                    self.curves[i].spend_at_marginal(lambda, self.branch_start(i), self.hi[i])
                } else {
                    x[i]
                };
                let half = 0.05 * (centre - self.lo[i]) + 2.0 * h;
                let from = (((centre - half - self.lo[i]) / h).floor().max(0.0) as usize).min(cap);
                let to = (((centre + half - self.lo[i]) / h).ceil().max(0.0) as usize).min(cap);
                let zero = (s_channel && from > 0).then_some(0);
                zero.into_iter().chain(from..=to).collect()
            })
            .collect();
        // Stage arrays over the reachable sums only; kept to trace the optimum back.
        let mut stages: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        let mut values: Vec<Vec<f64>> = Vec::with_capacity(n);
        let mut best = vec![f64::NEG_INFINITY; g + 1];
        best[0] = 0.0;
        let mut reach = 0;
        for (i, js) in options.iter().enumerate() {
            let v: Vec<f64> = js
                .iter()
                .map(|j| self.curves[i].response(self.lo[i] + *j as f64 * h))
                .collect();
            let mut next = vec![f64::NEG_INFINITY; g + 1];
            for (j, vj) in js.iter().zip(&v) {
                let end = (reach + j).min(g);
                if *j > end {
                    continue;
                }
                for (nx, p) in next[*j..=end].iter_mut().zip(&best) {
                    let c = p + vj;
                    *nx = if c > *nx { c } else { *nx };
                }
            }
            reach = (reach + js.last().copied().unwrap_or(0)).min(g);
            stages.push(std::mem::replace(&mut best, next));
            values.push(v);
        }
        if !best[g].is_finite() {
            return None;
        }
        let mut s = g;
        let mut on = vec![true; n];
        for i in (0..n).rev() {
            let previous = &stages[i];
            let (mut top, mut arg) = (f64::NEG_INFINITY, 0);
            for (j, vj) in options[i].iter().zip(&values[i]) {
                if *j <= s && previous[s - j] + vj > top {
                    (top, arg) = (previous[s - j] + vj, *j);
                }
            }
            on[i] = arg > 0;
            s -= arg;
        }
        Some(on)
    }

    /// Step 3's convex-part search: channel `j` free below its inflection, the rest
    /// re-solved for each of its spends.
    pub(super) fn absorber_search(&self, on: &[bool], j: usize) -> Option<Candidate> {
        let mut iv = self.intervals(on);
        let (sum_a, sum_b) = iv
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != j)
            .fold((0.0, 0.0), |(p, q), (_, v)| (p + v.0, q + v.1));
        let from = self.lo[j].max(self.total - sum_b);
        let to = self.branch_start(j).min(self.total - sum_a);
        if from >= to {
            return None;
        }
        let mut evaluate = |t: f64, hint: Option<f64>| {
            iv[j] = (t, t);
            self.solve(&iv, hint).map(|(x, lambda)| Candidate {
                value: self.value(&x),
                x,
                lambda,
                on: on.to_vec(),
            })
        };
        const SCAN: usize = 24;
        let ts: Vec<f64> = (0..=SCAN)
            .map(|k| from + (to - from) * k as f64 / SCAN as f64)
            .collect();
        let mut best: Option<(usize, Candidate)> = None;
        for (k, t) in ts.iter().enumerate() {
            if let Some(c) = evaluate(*t, best.as_ref().and_then(|b| b.1.lambda))
                && best.as_ref().is_none_or(|b| c.value > b.1.value)
            {
                best = Some((k, c));
            }
        }
        let (k, mut top) = best?;
        let hint = top.lambda;
        let (mut left, mut right) = (ts[k.saturating_sub(1)], ts[(k + 1).min(SCAN)]);
        let ratio = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..60 {
            let p = right - ratio * (right - left);
            let q = left + ratio * (right - left);
            let (vp, vq) = match (evaluate(p, hint), evaluate(q, hint)) {
                (Some(cp), Some(cq)) => {
                    let values = (cp.value, cq.value);
                    for c in [cp, cq] {
                        if c.value > top.value {
                            top = c;
                        }
                    }
                    values
                }
                _ => break,
            };
            if vp >= vq {
                right = q;
            } else {
                left = p;
            }
            if right - left <= 1e-12 * self.total {
                break;
            }
        }
        Some(top)
    }
}
