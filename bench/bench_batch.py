"""Benchmark of the notebook batch: the same small report built with 1 and with N papermill workers.

Run as ``python -m bench.bench_batch`` (``--repeat 3 --workers 2``). Each run builds the report for a
five-notebook network (three municipalities, one county, the front page; no indicator pages) into a
temporary copy of the project, so the real site is never touched, and reports the median wall time
of the whole ``python -m analysis report`` and of the notebook step alone. One worker is the
baseline in the same run.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from analysis.site.sandbox import make_project, run_report


def one_build(workers: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp), indicator_pages="none")
        start = time.perf_counter()
        result = run_report(project, "--workers", str(workers))  # the last --workers given wins
        total = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(result.stdout + result.stderr)
        per_notebook = [float(s) for s in re.findall(r"\] ok\s+.*\(([\d.]+) s\)", result.stdout)]
        return total, sum(per_notebook)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    print(f"Report for 5 notebooks, median of {args.repeat} runs")
    baseline = None
    for workers in (1, args.workers):
        runs = [one_build(workers) for _ in range(args.repeat)]
        total = statistics.median(r[0] for r in runs)
        kernel_seconds = statistics.median(r[1] for r in runs)
        baseline = baseline or total
        print(
            f"  workers={workers}: {total:6.1f} s wall for the whole build "
            f"(notebooks: {kernel_seconds:5.1f} s summed over jobs); speed-up {baseline / total:4.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
