//! Least squares on a Gram matrix: Cholesky with Jacobi scaling, and Lawson–Hanson
//! non-negative least squares where only some coefficients are constrained.
//! Matrices are dense, row-major, `p × p`.

/// Solves `a·x = b` in place for a symmetric positive definite `a` (row-major `n × n`);
/// `b` becomes `x`. Returns false when `a` is not numerically positive definite.
pub(crate) fn cholesky_solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * n + k] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[k * n + i] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    true
}

/// Unconstrained least squares restricted to the columns in `set`: minimises
/// `‖y − X_set·x‖²` from `G = XᵀX`, `b = Xᵀy`. Columns are scaled to unit norm
/// (`d_j = 1/√G_jj`) and a tiny ridge keeps collinear columns solvable.
fn solve_on(g: &[f64], b: &[f64], p: usize, set: &[usize]) -> Vec<f64> {
    let s = set.len();
    let d: Vec<f64> = set.iter().map(|&j| 1.0 / g[j * p + j].sqrt()).collect();
    let mut ridge = 1e-12;
    loop {
        let mut a = vec![0.0; s * s];
        let mut x: Vec<f64> = set.iter().zip(&d).map(|(&j, dj)| b[j] * dj).collect();
        for (r, &i) in set.iter().enumerate() {
            for (c, &j) in set.iter().enumerate() {
                a[r * s + c] = g[i * p + j] * d[r] * d[c];
            }
            a[r * s + r] += ridge;
        }
        if cholesky_solve(&mut a, s, &mut x) || ridge > 1.0 {
            return x.iter().zip(&d).map(|(v, dj)| v * dj).collect();
        }
        ridge *= 1e3;
    }
}

/// Minimises `‖y − X·c‖²` given `G = XᵀX` and `b = Xᵀy` subject to `c_j ≥ 0` for
/// `j ≥ first_constrained` (Lawson & Hanson 1974, ch. 23, with the unconstrained columns
/// always in the passive set). Columns with `G_jj = 0` get coefficient 0. `hint`, the
/// solution of a nearby problem (or empty), proposes the passive set to start from; it
/// only saves work, the answer does not depend on it.
pub(crate) fn nnls(
    g: &[f64],
    b: &[f64],
    p: usize,
    first_constrained: usize,
    hint: &[f64],
) -> Vec<f64> {
    let usable: Vec<bool> = (0..p).map(|j| g[j * p + j] > 0.0).collect();
    let scatter = |set: &[usize], z: &[f64]| {
        let mut x = vec![0.0; p];
        for (&j, v) in set.iter().zip(z) {
            x[j] = *v;
        }
        x
    };
    let set_of = |passive: &[bool]| -> Vec<usize> { (0..p).filter(|&j| passive[j]).collect() };
    let feasible = |set: &[usize], z: &[f64]| {
        set.iter()
            .zip(z)
            .all(|(&j, v)| j < first_constrained || *v > 0.0)
    };

    // Start from the hinted passive set (all columns without a hint) when its solution
    // is feasible, else from the unconstrained columns alone.
    let mut passive: Vec<bool> = (0..p)
        .map(|j| usable[j] && (j < first_constrained || hint.get(j).is_none_or(|h| *h > 0.0)))
        .collect();
    let set = set_of(&passive);
    let z = solve_on(g, b, p, &set);
    let mut x = if feasible(&set, &z) {
        scatter(&set, &z)
    } else {
        passive = (0..p).map(|j| usable[j] && j < first_constrained).collect();
        let set = set_of(&passive);
        scatter(&set, &solve_on(g, b, p, &set))
    };
    let b_scale = (0..p)
        .filter(|&j| usable[j])
        .map(|j| b[j].abs() / g[j * p + j].sqrt())
        .fold(0.0, f64::max);
    for _ in 0..3 * p {
        // The gradient of ½‖y − Xc‖² is −w with w = b − G·x; compared in unit-scaled columns.
        let mut entering = None;
        let mut best = 1e-12 * b_scale;
        for j in first_constrained..p {
            if usable[j] && !passive[j] {
                let w = b[j] - (0..p).map(|k| g[j * p + k] * x[k]).sum::<f64>();
                let w = w / g[j * p + j].sqrt();
                if w > best {
                    best = w;
                    entering = Some(j);
                }
            }
        }
        let Some(t) = entering else { break };
        passive[t] = true;
        for inner in 0..=p {
            let set = set_of(&passive);
            let z = solve_on(g, b, p, &set);
            if feasible(&set, &z) {
                x = scatter(&set, &z);
                break;
            }
            if inner == 0 && z[set.iter().position(|&j| j == t).unwrap_or(0)] <= 0.0 {
                // Rounding: the entering column cannot improve the fit; stop here.
                return x;
            }
            // Step from x towards z until the first constrained coefficient hits 0.
            let (mut alpha, mut hit) = (1.0, None);
            for (&j, &v) in set.iter().zip(&z) {
                if j >= first_constrained && v <= 0.0 {
                    let a = x[j] / (x[j] - v);
                    if a < alpha {
                        alpha = a;
                        hit = Some(j);
                    }
                }
            }
            for (&j, &v) in set.iter().zip(&z) {
                x[j] += alpha * (v - x[j]);
            }
            if let Some(h) = hit {
                x[h] = 0.0;
            }
            for &j in &set {
                if j >= first_constrained && x[j] <= 0.0 {
                    x[j] = 0.0;
                    passive[j] = false;
                }
            }
        }
    }
    x
}
