"""Quarterdeck's lead scoring against scikit-learn, same data.

Data: --n leads (default 1,000,000) with 30 numeric features f1..f30 (correlated
normals with different scales and offsets, rounded to 4 decimals so the CSV holds
exactly what the fit sees), known coefficients, and a 0/1 target `converted` drawn from
the logistic model (about 15% positive). A second file holds an existing score per lead
(the true probability blurred with noise and rounded to 3 decimals, so there are ties).

Compared:
1. Fitting: `quarterdeck analyze lead-scoring --features f1,..,f30 [--l2 C]` against
   sklearn LogisticRegression(C, solver="lbfgs", max_iter=1000, tol=1e-10), once with the
   L2 penalty (objective ½‖w‖² + C·Σ logloss, intercept not penalised: sklearn's lbfgs
   objective and the contract's) and once unpenalised (C=inf, penalty=None before
   sklearn 1.8). A numpy Newton (IRLS) solve to machine precision serves as arbiter:
   lbfgs stops at a gradient tolerance, Newton converges quadratically.
2. AUC: `--score-column score` against sklearn.metrics.roc_auc_score and the rank
   formula of the contract (scipy.stats.rankdata, average ranks for ties). They should
   agree to 1e-12. The CLI also computes Brier, log loss, ECE, Hosmer-Lemeshow and
   deciles in the same run; its time is end to end.

Run: python bench/scoring_vs_sklearn.py [--n 1000000] [--C 1e-4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (first: it pins BLAS threads before numpy loads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


N_FEATURES = 30
FEATURES = [f"f{i}" for i in range(1, N_FEATURES + 1)]


def generate(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    mix = np.eye(N_FEATURES) + 0.3 * rng.normal(size=(N_FEATURES, N_FEATURES)) / np.sqrt(N_FEATURES)
    scale = rng.choice([0.5, 1.0, 2.0, 10.0], size=N_FEATURES)
    offset = rng.choice([0.0, 0.0, 1.0, 5.0], size=N_FEATURES)
    x = np.round((rng.normal(size=(n, N_FEATURES)) @ mix) * scale + offset, 4)
    beta = rng.uniform(-0.4, 0.4, size=N_FEATURES) / scale
    intercept = -2.4 - float(offset @ beta)
    p = 1 / (1 + np.exp(-(intercept + x @ beta)))
    y = (rng.random(n) < p).astype(np.int64)
    leads = pd.DataFrame(x, columns=FEATURES)
    leads.insert(0, "lead_id", np.arange(1, n + 1))
    leads["converted"] = y
    noisy = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + rng.normal(0, 0.8, size=n))))
    scores = pd.DataFrame({"lead_id": leads["lead_id"], "converted": y,
                           "score": np.round(noisy, 3)})
    return leads, scores, beta, intercept


def newton(x: np.ndarray, y: np.ndarray, c: float | None, iters: int = 50) -> np.ndarray:
    """Minimise ½‖w‖² + C·Σ logloss (or Σ logloss when c is None) by Newton's method.

    Returns [intercept, w...]. The intercept is not penalised.
    """
    xa = np.hstack([np.ones((len(x), 1)), x])
    theta = np.zeros(xa.shape[1])
    pen = np.ones(xa.shape[1])
    pen[0] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(xa @ theta)))
        if c is None:
            grad, hess = xa.T @ (p - y), (xa * (p * (1 - p))[:, None]).T @ xa
        else:
            grad = pen * theta + c * (xa.T @ (p - y))
            hess = np.diag(pen) + c * ((xa * (p * (1 - p))[:, None]).T @ xa)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.max(np.abs(step)) < 1e-11 * max(1.0, np.max(np.abs(theta))):
            break
    return theta


def qd_coefs(out: dict) -> dict[str, float]:
    return {r["feature"]: r["coef"] for r in out.get("coefficients") or []}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="leads")
    ap.add_argument("--C", type=float, default=1e-4,
                    help="sklearn's C for the penalised fit (1e-4 shrinks visibly at n=1e6)")
    ap.add_argument("--seed", type=int, default=20240602)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    common.header("lead scoring: quarterdeck vs scikit-learn")
    binary = common.quarterdeck_bin()
    sklearn = common.optional_import("sklearn", "scikit-learn")
    scipy = common.optional_import("scipy")

    t0 = time.perf_counter()
    leads, scores, beta, intercept = generate(args.n, args.seed)
    print(f"generated {args.n:,} leads x {N_FEATURES} features in "
          f"{time.perf_counter() - t0:.1f} s; {leads['converted'].mean():.2%} positive; "
          f"scores have {scores['score'].nunique():,} distinct values")

    with common.Workdir(args.keep) as wd:
        leads_csv, scores_csv = wd / "leads.csv", wd / "scores.csv"
        t0 = time.perf_counter()
        # np.savetxt is several times faster than DataFrame.to_csv for this shape.
        np.savetxt(leads_csv, leads.to_numpy(), delimiter=",", comments="",
                   header=",".join(leads.columns),
                   fmt=["%d", *["%.4f"] * N_FEATURES, "%d"])
        scores.to_csv(scores_csv, index=False)
        print(f"wrote {leads_csv} ({leads_csv.stat().st_size / 1e6:.0f} MB) and {scores_csv} "
              f"({scores_csv.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        del leads

        read = common.timed(lambda: pd.read_csv(leads_csv), args.repeats)
        df = read.result
        x = df[FEATURES].to_numpy()
        y = df["converted"].to_numpy()
        truth = dict(zip(["intercept", *FEATURES], [intercept, *beta]))

        fits = [(f"L2, C={args.C:g}", args.C), ("unpenalised", None)]
        timing_rows, diff_rows = [], []
        for label, c in fits:
            cli_args = ["analyze", "lead-scoring", "--leads", str(leads_csv), "--target",
                        "converted", "--features", ",".join(FEATURES), "--format", "json"]
            if c is not None:
                cli_args += ["--l2", repr(c)]
            qd = common.run_cli(binary, cli_args, args.repeats)
            qd_c = qd_coefs(qd.output) if qd.output else None
            if qd.output and not qd_c:
                print("quarterdeck printed no `coefficients`; nothing to compare.")
                qd_c = None

            sk, sk_c = None, None
            if sklearn is not None:
                from sklearn.linear_model import LogisticRegression
                from sklearn import __version__ as skv
                major_minor = tuple(int(p) for p in skv.split(".")[:2])
                if c is not None:
                    kw = {"C": c}
                elif major_minor >= (1, 8):
                    kw = {"C": np.inf}
                else:
                    kw = {"penalty": None}

                def fit():
                    m = LogisticRegression(solver="lbfgs", max_iter=1000, tol=1e-10, **kw)
                    return m.fit(x, y)

                sk = common.timed(fit, args.repeats)
                model = sk.result
                sk_c = dict(zip(["intercept", *FEATURES],
                                [float(model.intercept_[0]), *model.coef_[0]]))
                print(f"sklearn {label}: {int(model.n_iter_[0])} lbfgs iterations")
            nt = common.timed(lambda: newton(x, y, c), 1)
            nt_c = dict(zip(["intercept", *FEATURES], nt.result))

            timing_rows += [
                common.time_row(f"quarterdeck --features ({label}, end to end)",
                                qd.seconds, qd.cpu),
                common.time_row(f"sklearn LogisticRegression lbfgs ({label}, fit)",
                                sk and sk.wall, sk and sk.cpu),
                common.time_row(f"sklearn incl. read_csv ({label})",
                                sk and sk.wall + read.wall, sk and sk.cpu + read.cpu),
                common.time_row(f"numpy Newton arbiter ({label}, 1 run)", nt.wall, nt.cpu),
            ]

            def d(name: str, a: dict | None, b: dict | None) -> None:
                if a is None or b is None:
                    diff_rows.append([name, "—"])
                else:
                    diff_rows.append([name, f"{common.max_abs_rel(a, b)[0]:.3g}"])

            d(f"{label}: quarterdeck vs sklearn", qd_c, sk_c)
            d(f"{label}: quarterdeck vs numpy Newton", qd_c, nt_c)
            d(f"{label}: sklearn vs numpy Newton", sk_c, nt_c)
            if c is None:
                d(f"{label}: numpy Newton vs true coefficients (sampling error)", nt_c, truth)

        # AUC of an existing score.
        qd = common.run_cli(binary, ["analyze", "lead-scoring", "--leads", str(scores_csv),
                                     "--target", "converted", "--score-column", "score",
                                     "--format", "json"], args.repeats)
        s_read = common.timed(lambda: pd.read_csv(scores_csv), args.repeats)
        sdf = s_read.result
        sc, sy = sdf["score"].to_numpy(), sdf["converted"].to_numpy()
        aucs: dict[str, float | None] = {"quarterdeck": qd.output["auc"] if qd.output else None}
        timing_rows.append(common.time_row(
            "quarterdeck --score-column (all metrics, end to end)", qd.seconds, qd.cpu))
        if sklearn is not None:
            from sklearn.metrics import roc_auc_score
            a = common.timed(lambda: roc_auc_score(sy, sc), args.repeats)
            aucs["sklearn roc_auc_score"] = float(a.result)
            timing_rows += [
                common.time_row("sklearn roc_auc_score", a.wall, a.cpu),
                common.time_row("sklearn roc_auc_score incl. read_csv",
                                a.wall + s_read.wall, a.cpu + s_read.cpu)]
        if scipy is not None:
            from scipy.stats import rankdata

            def rank_auc() -> float:
                r = rankdata(sc)  # average ranks for ties
                pos = sy == 1
                n1, n0 = int(pos.sum()), int((~pos).sum())
                return float((r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))

            r = common.timed(rank_auc, args.repeats)
            aucs["rank formula (scipy rankdata)"] = r.result
            timing_rows.append(common.time_row("rank formula (scipy rankdata)", r.wall, r.cpu))

    common.print_table(f"median of {args.repeats} run(s)", common.TIME_HEADERS, timing_rows)
    common.print_table("largest absolute coefficient difference (31 values incl. intercept)",
                       ["comparison", "max abs"], diff_rows)
    ref = aucs.get("sklearn roc_auc_score")
    auc_rows = []
    for k, v in aucs.items():
        dv = "—" if v is None or ref is None else f"{abs(v - ref):.3g}"
        ok = "" if v is None or ref is None else ("yes" if abs(v - ref) <= 1e-12 else "NO")
        auc_rows.append([k, common.fmt_num(v, ".15f"), dv, ok])
    common.print_table("AUC", ["tool", "auc", "|diff| vs sklearn", "within 1e-12"], auc_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
