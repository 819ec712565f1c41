"""Quarterdeck's attribution against ChannelAttribution (Python package), same data.

Data: --n journeys (default 1,000,000) over --channels channels (default 12). Each journey
is a first-order Markov walk: the first channel from a popularity mix, the next from a
per-channel transition row that repeats the same channel a quarter of the time; length
1 + Poisson(2.5) (mean 3.5, at most 30). A journey converts with probability
sigmoid(b + sum of the effects of the distinct channels it touched + 0.15 (length - 1)),
b chosen so that --conversion-rate (default 2%) of journeys convert; a conversion is
worth a log-normal amount rounded to cents. Identical paths are aggregated into
ChannelAttribution's interchange format `path,total_conversions,total_conversion_value,
total_null` (with --no-aggregate: one row per journey).

Compared:
- heuristics (first, last, linear touch): both tools compute these exactly; the
  differences should be rounding only.
- Markov (order 1): Quarterdeck solves the absorbing chain exactly; ChannelAttribution's
  markov_model *simulates* random walks on the same chain (nsim_start walks, more until
  the folds agree within conv_par; walks longer than max_step count as not converting)
  and has no exact mode, so its figures carry Monte Carlo noise. ChannelAttribution's
  credit is the share of simulated converting walks that visit a channel, which is the
  removal effect 1 - P(conv | k removed) / P(conv), normalised: the same definition as
  the contract. It also collapses repeated touches of one channel (A > A > B is A > B);
  at order 1 that leaves absorption probabilities unchanged. As an arbiter the script
  also solves the chain exactly with numpy from the CSV ("numpy exact").

Run: python bench/attribution_vs_channelattribution.py [--n 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (first: it pins BLAS threads before numpy loads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


CHANNEL_NAMES = ["search", "social", "display", "email", "affiliate", "video", "direct",
                 "referral", "organic", "podcast", "print", "events"]


def generate(n: int, n_channels: int, conversion_rate: float, seed: int) -> pd.DataFrame:
    """One row per journey: path string, converted 0/1, value."""
    rng = np.random.default_rng(seed)
    names = np.array(CHANNEL_NAMES[:n_channels] if n_channels <= len(CHANNEL_NAMES)
                     else [f"ch{i:02d}" for i in range(n_channels)], dtype=object)
    c = len(names)
    popularity = rng.dirichlet(np.full(c, 2.0))
    trans = 0.25 * np.eye(c) + 0.75 * rng.dirichlet(np.full(c, 0.8), size=c)
    cum_trans = np.cumsum(trans, axis=1)
    effects = rng.uniform(0.0, 1.2, size=c)

    lengths = np.minimum(1 + rng.poisson(2.5, size=n), 30)
    visited = np.zeros((n, c), dtype=bool)
    current = rng.choice(c, size=n, p=popularity)
    paths = names[current].copy()
    visited[np.arange(n), current] = True
    for t in range(1, int(lengths.max())):
        active = np.flatnonzero(lengths > t)
        u = rng.random(active.size)
        nxt = np.minimum((u[:, None] >= cum_trans[current[active]]).sum(axis=1), c - 1)
        current[active] = nxt
        visited[active, nxt] = True
        paths[active] = paths[active] + " > " + names[nxt]

    score = visited @ effects + 0.15 * (lengths - 1)
    lo, hi = -20.0, 5.0  # bisection on the intercept for the target conversion rate
    for _ in range(60):
        b = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(b + score)))) > conversion_rate:
            hi = b
        else:
            lo = b
    p = 1 / (1 + np.exp(-(lo + score)))
    converted = (rng.random(n) < p).astype(np.int64)
    value = np.where(converted == 1, np.round(rng.lognormal(4.5, 0.7, size=n), 2), 0.0)
    return pd.DataFrame({"path": paths, "converted": converted, "value": value})


def to_paths_format(journeys: pd.DataFrame, aggregate: bool) -> pd.DataFrame:
    if not aggregate:
        return pd.DataFrame({
            "path": journeys["path"],
            "total_conversions": journeys["converted"],
            "total_conversion_value": journeys["value"],
            "total_null": 1 - journeys["converted"],
        })
    g = journeys.groupby("path", sort=True).agg(
        total_conversions=("converted", "sum"),
        total_conversion_value=("value", "sum"),
        journeys=("converted", "size"),
    ).reset_index()
    g["total_null"] = g["journeys"] - g["total_conversions"]
    return g[["path", "total_conversions", "total_conversion_value", "total_null"]]


def exact_markov(df: pd.DataFrame) -> tuple[dict, dict, dict]:
    """Order-1 absorbing chain solved exactly (numpy); credits per the contract.

    Returns (conversion credits, value credits, conversion removal effects) by channel.
    """
    tokens = df["path"].str.split(">").explode().str.strip()
    row = tokens.index.to_numpy()
    codes, channels = pd.factorize(tokens.to_numpy())
    c = len(channels)
    conv = df["total_conversions"].to_numpy(dtype=float)
    val = df["total_conversion_value"].to_numpy(dtype=float)
    weight = conv + df["total_null"].to_numpy(dtype=float)

    first = np.r_[True, row[1:] != row[:-1]]
    last = np.r_[row[1:] != row[:-1], True]
    start = np.bincount(codes[first], weights=weight[row[first]], minlength=c)
    counts = np.zeros((c, c))
    inner = ~last
    np.add.at(counts, (codes[inner], codes[1:][inner[:-1]]), weight[row[inner]])
    end_conv = np.bincount(codes[last], weights=conv[row[last]], minlength=c)
    end_null = np.bincount(codes[last], weights=weight[row[last]] - conv[row[last]], minlength=c)
    end_value = np.bincount(codes[last], weights=val[row[last]], minlength=c)

    out = counts.sum(axis=1) + end_conv + end_null
    q = counts / out[:, None]
    r = end_conv / out
    reward = np.divide(end_value, end_conv, out=np.zeros(c), where=end_conv > 0)
    s0 = start / start.sum()

    def absorb(q_: np.ndarray, s_: np.ndarray, r_: np.ndarray) -> float:
        return float(s_ @ np.linalg.solve(np.eye(c) - q_, r_))

    base_c, base_v = absorb(q, s0, r), absorb(q, s0, r * reward)
    re_c, re_v = np.zeros(c), np.zeros(c)
    for k in range(c):
        qk, sk = q.copy(), s0.copy()
        qk[:, k] = 0.0  # transitions into k now go to null
        sk[k] = 0.0
        re_c[k] = 1 - absorb(qk, sk, r) / base_c
        re_v[k] = 1 - absorb(qk, sk, r * reward) / base_v
    total_c, total_v = conv.sum(), val.sum()
    credit_c = total_c * re_c / re_c.sum()
    credit_v = total_v * re_v / re_v.sum()
    return (dict(zip(channels, credit_c)), dict(zip(channels, credit_v)),
            dict(zip(channels, re_c)))


def qd_model(out: dict, model: str, key: str) -> dict:
    return {r["channel"]: r[key] for r in out["models"][model]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="journeys")
    ap.add_argument("--channels", type=int, default=12)
    ap.add_argument("--conversion-rate", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--repeats", type=int, default=3, help="runs per tool; the median is shown")
    ap.add_argument("--no-aggregate", action="store_true", help="one row per journey")
    ap.add_argument("--ca-nsim", type=float, default=1e5, help="markov_model nsim_start")
    ap.add_argument("--ca-conv-par", type=float, default=0.05, help="markov_model conv_par")
    ap.add_argument("--ca-max-step", type=int, default=None, help="markov_model max_step")
    ap.add_argument("--ca-ncore", type=int, default=1, help="markov_model ncore")
    ap.add_argument("--keep", action="store_true", help="keep the generated CSV")
    args = ap.parse_args()

    common.header("attribution: quarterdeck vs ChannelAttribution")
    binary = common.quarterdeck_bin()
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner on import
        ca = common.optional_import("ChannelAttribution")
    if ca is None:
        common.optional_import("ChannelAttribution")  # say so, visibly

    t0 = time.perf_counter()
    journeys = generate(args.n, args.channels, args.conversion_rate, args.seed)
    paths = to_paths_format(journeys, aggregate=not args.no_aggregate)
    print(f"generated {len(journeys):,} journeys in {time.perf_counter() - t0:.1f} s: "
          f"{int(journeys['converted'].sum()):,} conversions "
          f"({journeys['converted'].mean():.2%}), mean length "
          f"{journeys['path'].str.count('>').mean() + 1:.2f} touches, "
          f"{journeys['path'].nunique():,} distinct paths; file has {len(paths):,} rows "
          f"({'one per journey' if args.no_aggregate else 'aggregated'})")

    with common.Workdir(args.keep) as wd:
        csv = wd / "paths.csv"
        paths.to_csv(csv, index=False)
        print(f"wrote {csv} ({csv.stat().st_size / 1e6:.1f} MB)")

        qd = common.run_cli(binary, ["analyze", "attribution", "--paths", str(csv),
                                     "--format", "json"], args.repeats)
        read = common.timed(lambda: pd.read_csv(csv), args.repeats)
        df = read.result

        timings = [common.time_row("quarterdeck analyze attribution (7 models, end to end)",
                                   qd.seconds, qd.cpu)]
        ca_h = ca_m = None
        if ca is not None:
            h = common.timed(lambda: ca.heuristic_models(
                df, "path", "total_conversions", var_value="total_conversion_value",
                flg_pro=False), args.repeats)
            m = common.timed(lambda: ca.markov_model(
                df, "path", "total_conversions", var_value="total_conversion_value",
                var_null="total_null", order=1, out_more=True, nsim_start=args.ca_nsim,
                max_step=args.ca_max_step, ncore=args.ca_ncore, conv_par=args.ca_conv_par,
                verbose=False, flg_pro=False), args.repeats)
            ca_h, ca_m = h.result, m.result
            timings += [
                common.time_row("pandas.read_csv of the same file", read.wall, read.cpu),
                common.time_row("ChannelAttribution heuristic_models", h.wall, h.cpu),
                common.time_row("ChannelAttribution markov_model (simulation)", m.wall, m.cpu),
                common.time_row("ChannelAttribution read_csv + heuristic + markov",
                                read.wall + h.wall + m.wall, read.cpu + h.cpu + m.cpu),
            ]
        ex = common.timed(lambda: exact_markov(df), args.repeats)
        ex_c, ex_v, ex_re = ex.result
        timings.append(common.time_row("numpy exact Markov (arbiter, from the DataFrame)",
                                       ex.wall, ex.cpu))
        common.print_table(f"median of {args.repeats} run(s)", common.TIME_HEADERS, timings)
        if qd.seconds and ca_m is not None:
            print(f"ratio ChannelAttribution markov / quarterdeck: wall "
                  f"{m.wall / qd.seconds:.2f}, cpu {m.cpu / qd.cpu:.2f}; "
                  f"(read_csv + heuristic + markov) / quarterdeck: wall "
                  f"{(read.wall + h.wall + m.wall) / qd.seconds:.2f}, cpu "
                  f"{(read.cpu + h.cpu + m.cpu) / qd.cpu:.2f}")

    rows = []

    def diff(label: str, a: dict | None, b: dict | None) -> None:
        if a is None or b is None:
            rows.append([label, "—", "—"])
            return
        ad, rd = common.max_abs_rel(a, b)
        rows.append([label, f"{ad:.3g}", f"{rd:.3g}"])

    q = qd.output
    if ca_h is not None:
        ca_h = ca_h.set_index("channel_name")
    for model, col in [("first", "first_touch"), ("last", "last_touch"),
                       ("linear", "linear_touch")]:
        for key, suffix in [("conversions", "conversions"), ("value", "value")]:
            diff(f"{model} {key}: quarterdeck vs ChannelAttribution",
                 qd_model(q, model, key) if q else None,
                 ca_h[f"{col}_{suffix}"].to_dict() if ca_h is not None else None)
    ca_mc = ca_mv = ca_re = None
    if ca_m is not None:
        res = ca_m["result"].set_index("channel_name")
        ca_mc = res["total_conversions"].to_dict()
        ca_mv = res["total_conversion_value"].to_dict()
        ca_re = ca_m["removal_effects"].set_index("channel_name")[
            "removal_effects_conversion"].to_dict()
    qd_mc = qd_model(q, "markov", "conversions") if q else None
    qd_mv = qd_model(q, "markov", "value") if q else None
    qd_re = {r["channel"]: r["conversions"] for r in q["removal_effects"]} if q else None
    diff("markov conversions: quarterdeck vs numpy exact", qd_mc, ex_c)
    diff("markov value: quarterdeck vs numpy exact", qd_mv, ex_v)
    diff("removal effects: quarterdeck vs numpy exact", qd_re, ex_re)
    diff("markov conversions: ChannelAttribution vs numpy exact", ca_mc, ex_c)
    diff("markov value: ChannelAttribution vs numpy exact", ca_mv, ex_v)
    diff("removal effects: ChannelAttribution vs numpy exact", ca_re, ex_re)
    diff("markov conversions: quarterdeck vs ChannelAttribution", qd_mc, ca_mc)
    common.print_table("largest differences over channels (relative = |a-b| / max(|a|,|b|))",
                       ["comparison", "max abs", "max rel"], rows)

    per = [[ch, common.fmt_num(qd_mc.get(ch) if qd_mc else None, ".2f"),
            common.fmt_num(ca_mc.get(ch) if ca_mc else None, ".2f"),
            f"{ex_c[ch]:.2f}", f"{ex_re[ch]:.5f}"]
           for ch in sorted(ex_c, key=lambda k: -ex_c[k])]
    common.print_table("markov conversions per channel",
                       ["channel", "quarterdeck", "ChannelAttribution", "numpy exact",
                        "removal effect"], per)
    return 0


if __name__ == "__main__":
    sys.exit(main())
