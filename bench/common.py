"""Shared helpers for the side-by-side benchmarks in this folder.

Each benchmark generates data with a fixed numpy seed, writes it to a temporary folder,
runs the Quarterdeck CLI on it through a subprocess (timed end to end: process start,
CSV parsing, the analysis, JSON printing) and a Python reference library in-process
(timed on its computation alone, and separately including reading the CSV), then
prints a small table: tool, median wall time of N runs, largest absolute difference.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

# Quarterdeck's analyses run on one thread; pin the BLAS under numpy, scipy and
# scikit-learn to one thread too, unless the caller set these variables. On a shared
# 2-core machine a multi-threaded BLAS also oversubscribes and slows down several-fold.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_HINT = "build it with `cargo build --release --bin quarterdeck` in the repository root"


def quarterdeck_bin() -> Path | None:
    """The CLI to benchmark: $QUARTERDECK_BIN, else target/release/quarterdeck."""
    raw = os.environ.get("QUARTERDECK_BIN")
    path = Path(raw) if raw else REPO_ROOT / "target" / "release" / "quarterdeck"
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.is_file():
        print(f"quarterdeck binary not found at {path}; {BUILD_HINT} "
              "(or point QUARTERDECK_BIN at one). Skipping the Quarterdeck runs.")
        return None
    print(f"quarterdeck: {path}")
    return path


def optional_import(module: str, pip_name: str | None = None) -> Any | None:
    """Import a reference library, or say it is missing and return None."""
    try:
        return __import__(module)
    except ImportError as e:
        print(f"{module} is not installed ({e}); `pip install {pip_name or module}` "
              "(or `pip install -r bench/requirements.txt`). Skipping it.")
        return None


@dataclass
class Timed:
    wall: float  # median wall time, seconds
    cpu: float   # median CPU time (user + system) of this process, seconds
    result: Any  # fn's last result


def timed(fn: Callable[[], Any], repeats: int) -> Timed:
    """Median wall and CPU time of `repeats` calls of fn, and fn's last result.

    CPU time is shown beside wall time because the machine may be shared: on a busy
    machine wall time grows, CPU time much less. A multi-threaded library (BLAS) can
    use more CPU than wall time.
    """
    walls, cpus, result = [], [], None
    for _ in range(max(1, repeats)):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return Timed(statistics.median(walls), statistics.median(cpus), result)


@dataclass
class CliRun:
    seconds: float | None  # median wall time, None when the command failed
    cpu: float | None      # median CPU time (user + system) of the child process
    output: dict | None    # parsed JSON of the last run
    error: str | None      # stderr and exit code of a failed run


def run_cli(binary: Path | None, args: list[str], repeats: int) -> CliRun:
    """Run `quarterdeck <args>` `repeats` times; time each end to end; parse the JSON.

    A non-zero exit (for instance an analysis not built yet) is reported with the CLI's
    stderr, and the caller carries on without Quarterdeck's figures.
    """
    if binary is None:
        return CliRun(None, None, None, "binary not found")
    cmd = [str(binary), *args]
    times, cpus, out = [], [], ""
    for _ in range(max(1, repeats)):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        if proc.returncode != 0:
            msg = f"exit {proc.returncode}: {proc.stderr.strip()}"
            print(f"quarterdeck {' '.join(args[:2])} failed ({msg}); continuing without it.")
            return CliRun(None, None, None, msg)
        out = proc.stdout
    try:
        parsed = json.loads(out)
    except json.JSONDecodeError as e:
        print(f"quarterdeck printed something that is not JSON ({e}): {out[:200]!r}")
        return CliRun(None, None, None, str(e))
    return CliRun(statistics.median(times), statistics.median(cpus), parsed, None)


def fmt_seconds(s: float | None) -> str:
    return "—" if s is None else f"{s:.3f} s"


def time_row(tool: str, wall: float | None, cpu: float | None) -> list[str]:
    """A row of the timing table: tool, median wall time, median CPU time."""
    return [tool, fmt_seconds(wall), fmt_seconds(cpu)]


TIME_HEADERS = ["tool", "wall (median)", "cpu (median)"]


def fmt_num(x: float | None, spec: str = ".3g") -> str:
    return "—" if x is None else format(x, spec)


def print_table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


def max_abs_rel(a: dict[str, float], b: dict[str, float]) -> tuple[float, float]:
    """Largest absolute and relative difference over the union of keys (missing = 0).

    The relative difference is |a-b| / max(|a|, |b|), 0 where both are 0.
    """
    abs_d, rel_d = 0.0, 0.0
    for k in set(a) | set(b):
        x, y = a.get(k, 0.0), b.get(k, 0.0)
        d = abs(x - y)
        abs_d = max(abs_d, d)
        scale = max(abs(x), abs(y))
        if scale > 0:
            rel_d = max(rel_d, d / scale)
    return abs_d, rel_d


class Workdir:
    """A temporary folder for the inputs, removed at exit unless --keep was given."""

    def __init__(self, keep: bool):
        self.path = Path(tempfile.mkdtemp(prefix="quarterdeck-bench-"))
        self.keep = keep

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.keep:
            print(f"inputs kept in {self.path}")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def header(what: str) -> None:
    print(f"== {what}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), BLAS threads "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
