"""Quarterdeck's budget allocation against scipy's SLSQP, same spec.

Data: --channels channels (default 50), each with a Hill S-curve
y = beta·x^alpha / (x^alpha + gamma^alpha), alpha uniform in [1.2, 3] (S-shaped, so the
problem is not concave and a local optimiser can stop at a local optimum), gamma (the
half-saturation spend) and beta (the ceiling) log-normal, bounds on about half of the
channels, and a historical spend. The spec is written as TOML per the contract:
total = 10,000,000, reserve = 0.12, so 8,800,000 is allocatable.

Compared (total response of each allocation, and time):
- `quarterdeck analyze budget --spec FILE.toml` (claims the global optimum);
- scipy.optimize.minimize(method="SLSQP") from the even split and from --starts random
  starting points (Dirichlet shares of the budget), with the analytic gradient;
- an arbiter: dynamic programming over a grid of --grid steps of the budget (a global
  optimum of the discretised problem, so a feasible lower bound of the true optimum),
  polished by SLSQP from there.
Quarterdeck's reported total is checked against the response recomputed from its
spends, and its spends against the constraints (sum, bounds).

Run: python bench/budget_vs_scipy.py [--channels 50] [--starts 5] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (first: it pins BLAS threads before numpy loads)

import numpy as np  # noqa: E402


TOTAL = 10_000_000.0
RESERVE = 0.12


def generate(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    alloc = TOTAL * (1 - RESERVE)
    even = alloc / n
    alpha = rng.uniform(1.2, 3.0, n)
    gamma = even * rng.lognormal(0.0, 0.6, n)
    beta = 4.0 * even * rng.lognormal(0.0, 0.5, n)  # ceilings: ROI up to a few x
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    has_min = rng.random(n) < 0.3
    has_max = rng.random(n) < 0.4
    lo[has_min] = np.round(even * rng.uniform(0.1, 0.6, has_min.sum()), -2)
    hi[has_max] = np.round(even * rng.uniform(1.0, 3.0, has_max.sum()), -2)
    historical = np.round(alloc * rng.dirichlet(np.full(n, 3.0)), -2)
    return {"names": [f"ch{i + 1:02d}" for i in range(n)], "alpha": alpha, "gamma": gamma,
            "beta": beta, "lo": lo, "hi": hi, "historical": historical, "alloc": alloc}


def write_toml(spec: dict, path: Path) -> None:
    lines = [f"total = {TOTAL!r}", f"reserve = {RESERVE!r}", ""]
    for i, name in enumerate(spec["names"]):
        lines.append("[[channel]]")
        lines.append(f'name = "{name}"')
        if spec["lo"][i] > 0:
            lines.append(f"min = {float(spec['lo'][i])!r}")
        if np.isfinite(spec["hi"][i]):
            lines.append(f"max = {float(spec['hi'][i])!r}")
        lines.append(f"historical = {float(spec['historical'][i])!r}")
        lines.append(f'curve = {{ kind = "hill", beta = {float(spec["beta"][i])!r}, '
                     f'alpha = {float(spec["alpha"][i])!r}, gamma = {float(spec["gamma"][i])!r} }}')
        lines.append("")
    path.write_text("\n".join(lines))


def hill(b, a, g, x: np.ndarray) -> np.ndarray:
    xa = np.maximum(x, 0.0) ** a
    return b * xa / (xa + g ** a)


def response(spec: dict, x: np.ndarray) -> np.ndarray:
    """Per-channel response of spends x."""
    return hill(spec["beta"], spec["alpha"], spec["gamma"], x)


def d_response(spec: dict, x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, 1e-12)
    a, g, b = spec["alpha"], spec["gamma"], spec["beta"]
    xa, ga = x ** a, g ** a
    return b * a * x ** (a - 1) * ga / (xa + ga) ** 2


def slsqp(spec: dict, x0: np.ndarray, optimize) -> tuple[np.ndarray, object]:
    """SLSQP in scaled units (spend / even share; response / sum of ceilings)."""
    n = len(x0)
    s = spec["alloc"] / n
    r = spec["beta"].sum()
    bounds = list(zip(spec["lo"] / s, np.where(np.isfinite(spec["hi"]), spec["hi"] / s, None)))
    res = optimize.minimize(
        lambda u: -response(spec, u * s).sum() / r,
        x0 / s,
        jac=lambda u: -d_response(spec, u * s) * s / r,
        method="SLSQP",
        bounds=bounds,
        constraints=[{"type": "eq", "fun": lambda u: u.sum() - n,
                      "jac": lambda u: np.ones(n)}],
        options={"maxiter": 1000, "ftol": 1e-12},
    )
    return res.x * s, res


def dp_grid(spec: dict, steps: int) -> np.ndarray:
    """Global optimum over spends on a grid of alloc/steps: max-plus DP over channels."""
    n, alloc = len(spec["alpha"]), spec["alloc"]
    h = alloc / steps
    grid = np.arange(steps + 1) * h
    neg = -np.inf
    best = np.full(steps + 1, neg)
    best[0] = 0.0
    choice = np.zeros((n, steps + 1), dtype=np.int64)
    for i in range(n):
        kmin = int(np.ceil(spec["lo"][i] / h - 1e-9))
        kmax = steps if not np.isfinite(spec["hi"][i]) else int(np.floor(spec["hi"][i] / h + 1e-9))
        f = np.full(steps + 1, neg)
        f[kmin:kmax + 1] = hill(spec["beta"][i], spec["alpha"][i], spec["gamma"][i],
                                grid[kmin:kmax + 1])
        # new[j] = max_k best[j-k] + f[k]; as a (j, k) table, k <= j.
        j = np.arange(steps + 1)[:, None]
        k = np.arange(steps + 1)[None, :]
        table = np.where(k <= j, best[np.clip(j - k, 0, None)] + f[None, :], neg)
        choice[i] = np.argmax(table, axis=1)
        best = table[np.arange(steps + 1), choice[i]]
    x = np.zeros(n)
    j = steps
    for i in range(n - 1, -1, -1):
        x[i] = choice[i, j] * h
        j -= choice[i, j]
    return x


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--channels", type=int, default=50)
    ap.add_argument("--starts", type=int, default=5, help="random SLSQP starting points")
    ap.add_argument("--grid", type=int, default=2000, help="budget steps of the DP arbiter")
    ap.add_argument("--seed", type=int, default=20240603)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    common.header("budget: quarterdeck vs scipy SLSQP")
    binary = common.quarterdeck_bin()
    scipy = common.optional_import("scipy")
    spec = generate(args.channels, args.seed)
    alloc, n = spec["alloc"], args.channels
    print(f"{n} hill channels, alpha {spec['alpha'].min():.2f}-{spec['alpha'].max():.2f}; "
          f"allocatable {alloc:,.0f}; {int((spec['lo'] > 0).sum())} minimums, "
          f"{int(np.isfinite(spec['hi']).sum())} maximums")

    rows = []  # tool, wall, cpu, total response
    best_known = -np.inf
    with common.Workdir(args.keep) as wd:
        toml = wd / "budget.toml"
        write_toml(spec, toml)
        qd = common.run_cli(binary, ["analyze", "budget", "--spec", str(toml),
                                     "--format", "json"], args.repeats)

    qd_total = None
    if qd.output:
        out = qd.output
        qd_total = out.get("total_response")
        spends = {c["name"]: c["spend"] for c in out.get("channels", [])}
        x = np.array([spends.get(nm, 0.0) for nm in spec["names"]])
        recomputed = float(response(spec, x).sum())
        over = np.maximum(spec["lo"] - x, 0).max()
        under = np.maximum(x - spec["hi"], 0).max()
        print(f"quarterdeck: total_response {qd_total!r}, recomputed from its spends "
              f"{recomputed!r} (diff {abs(recomputed - (qd_total or 0)):.3g}); sum of spends "
              f"- allocatable = {x.sum() - alloc:.3g}; worst bound violation "
              f"{max(over, under):.3g}; historical_mix "
              f"{out.get('historical_mix', {}).get('total_response')!r}, roi_proportional "
              f"{out.get('roi_proportional', {}).get('total_response')!r}")
        rows.append(["quarterdeck analyze budget (end to end)", qd.seconds, qd.cpu, qd_total])
    else:
        rows.append(["quarterdeck analyze budget (end to end)", None, None, None])

    if scipy is not None:
        from scipy import optimize

        even = np.full(n, alloc / n)
        t = common.timed(lambda: slsqp(spec, even, optimize), args.repeats)
        x, res = t.result
        rows.append([f"SLSQP from the even split ({res.nit} it., {res.message})",
                     t.wall, t.cpu, response(spec, x).sum()])
        rng = np.random.default_rng(args.seed + 1)
        starts = [alloc * rng.dirichlet(np.ones(n)) for _ in range(args.starts)]
        results = []
        walls, cpus = 0.0, 0.0
        for i, x0 in enumerate(starts):
            t = common.timed(lambda: slsqp(spec, x0, optimize), 1)
            walls, cpus = walls + t.wall, cpus + t.cpu
            x, res = t.result
            results.append(response(spec, x).sum())
            rows.append([f"SLSQP random start {i + 1} ({res.nit} it.)", t.wall, t.cpu,
                         results[-1]])
        if results:
            rows.append([f"SLSQP best of {len(results)} random starts (sum of times)",
                         walls, cpus, max(results)])

        t = common.timed(lambda: dp_grid(spec, args.grid), 1)
        xg = t.result
        t2 = common.timed(lambda: slsqp(spec, xg, optimize), 1)
        xp, _ = t2.result
        rows.append([f"arbiter: DP on {args.grid} steps (grid optimum)", t.wall, t.cpu,
                     response(spec, xg).sum()])
        rows.append(["arbiter: DP + SLSQP polish", t.wall + t2.wall, t.cpu + t2.cpu,
                     response(spec, xp).sum()])
    best_known = max((r[3] for r in rows if r[3] is not None), default=None)

    table = [[r[0], common.fmt_seconds(r[1]), common.fmt_seconds(r[2]),
              common.fmt_num(r[3], ",.2f"),
              "—" if r[3] is None or best_known is None else f"{r[3] - best_known:,.2f}"]
             for r in rows]
    common.print_table(f"total response (quarterdeck: median of {args.repeats} runs; "
                       "scipy: even split median of the same, random starts 1 run each)",
                       [*common.TIME_HEADERS, "total response", "minus best"], table)
    others = [r[3] for r in rows[1:] if r[3] is not None]
    if qd_total is not None and others:
        gap = qd_total - max(others)
        print(f"quarterdeck minus the best scipy/arbiter allocation: {gap:.6g} "
              f"({gap / max(others):.3g} relative); {'>= all' if gap >= -1e-9 * abs(qd_total) else 'BELOW'}"
              " (tolerance 1e-9 relative)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
