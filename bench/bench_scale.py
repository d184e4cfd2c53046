"""Benchmark of the notebook batch at scale, in one session on the same inputs (issue 15's figures).

Run as ``python -m bench.bench_scale`` (``--repeat 3 --national-share 0.1``). It builds a throw-away
copy of the project (:mod:`analysis.site.sandbox`) with the bundled network and measures, as medians:

(a) the naive way: the papermill command line in a sequential loop, one new kernel per notebook;
(b) the project's batch (warm kernels) with 1 and with 2 workers, and with cold kernels for reference;
(c) a one-value change: the whole ``python -m analysis report`` after one member's target changed;
(d) all of Norway (``members: all``, 372 units and 112 indicator pages): the statistics pass in full
    and the notebooks for a stated share of the pages, scaled to all of them;
(e) the render step alone, on the staged project of the cold build in (c): seconds per page with the
    pure-Python fallback and, where Quarto is installed, with Quarto (issue 15: Quarto's per-page cost).

(a) and (b) execute the same notebooks: every member page and the front page. Rendering is left out
of (a) and (b) (it is the same for both); (c) includes everything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.core import config
from analysis.site.sandbox import make_project, run_report


def env_for(project: Path) -> dict:
    return {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}


def run(project: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=project, env=env_for(project), capture_output=True, text=True, timeout=3600
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def jobs_script(out: Path, select: str, workers: int, warm: bool) -> str:
    """Python that runs the project's batch on the selected jobs and prints its wall time."""
    return f"""
import time
from pathlib import Path
from analysis.build import code_digest, report_jobs
from analysis.pages import report_data
from analysis.site.batch import run_jobs
data = report_data.load()
jobs = report_jobs(data, Path({str(out)!r}), code_digest())
jobs = {select}
start = time.perf_counter()
results = run_jobs(jobs, {workers}, Path({str(out)!r}) / "_failed", warm={warm})
assert all(r.ok for r in results), [r.error for r in results if not r.ok]
print("SECONDS", len(jobs), time.perf_counter() - start)
"""


def batch_seconds(project: Path, select: str, workers: int, warm: bool = True) -> tuple[int, float]:
    out = Path(tempfile.mkdtemp(dir=project))
    try:
        n, seconds = re.search(
            r"SECONDS (\d+) ([\d.]+)", run(project, "-c", jobs_script(out, select, workers, warm))
        ).groups()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return int(n), float(seconds)


def naive_seconds(project: Path) -> tuple[int, float]:
    """The papermill CLI, one notebook after the other (parameters as YAML: `-p` would turn 0301 into 301)."""
    members = json.loads(run(project, "-c", MEMBERS))
    out = Path(tempfile.mkdtemp(dir=project))
    start = time.perf_counter()
    for i, code in enumerate(members):
        run(
            project,
            "-m",
            "papermill",
            "--no-progress-bar",
            "notebooks/municipality.ipynb",
            str(out / f"{i}.ipynb"),
            "-y",
            json.dumps({"unit_code": code}),
            "--cwd",
            "notebooks",
        )
    run(
        project,
        "-m",
        "papermill",
        "--no-progress-bar",
        "notebooks/network.ipynb",
        str(out / "n.ipynb"),
        "--cwd",
        "notebooks",
    )
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return len(members) + 1, seconds


MEMBERS = (
    "import json; from analysis.pages import report_data; "
    "print(json.dumps(list(report_data.load().members['unit_code'])))"
)
MEMBER_PAGES = "[j for j in jobs if j.template.name in ('municipality.ipynb', 'network.ipynb')]"


RENDER = """
import shutil, sys, time
from pathlib import Path
from analysis.site.render import find_quarto, render
staged, copy = Path(sys.argv[1]), Path(sys.argv[2])
shutil.copytree(staged, copy, ignore=shutil.ignore_patterns("_site", ".quarto"))
start = time.perf_counter()
result = render(copy)
print("RENDER", result.pages, time.perf_counter() - start, find_quarto() or "smalldocs")
"""


def render_seconds(project: Path, quarto: bool) -> tuple[int, float] | None:
    """(e): pages and seconds of the render step alone on the cold build's staged project (``reports/_build``),
    with Quarto (``None`` where it is not installed) or with the fallback (Quarto hidden by a ``QUARTO_PATH``
    that does not exist)."""
    env = env_for(project)
    if not quarto:
        env["QUARTO_PATH"] = str(project / "no-quarto")
    elif not shutil.which("quarto") and not os.environ.get("QUARTO_PATH"):
        return None
    copy = Path(tempfile.mkdtemp(dir=project)) / "_build"
    try:
        result = subprocess.run(
            [sys.executable, "-c", RENDER, str(project / "reports" / "_build"), str(copy)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if result.returncode:
            raise SystemExit(f"render failed:\n{result.stdout}\n{result.stderr}")
        pages, seconds = re.search(r"RENDER (\d+) ([\d.]+)", result.stdout).groups()
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
    return int(pages), float(seconds)


def median(values: list[float]) -> float:
    return statistics.median(values)


STATISTICS_PASS = """
import time
from analysis.build import read_inputs
from analysis.core.settings import load_method_settings
from analysis.stats.results import compute_all
i = read_inputs(None)
s = i.settings
start = time.perf_counter()
compute_all(i.observations, i.catalog, i.units, i.targets, s.report_year, base_year=s.base_year,
            default_target_year=s.default_target_year, methods=load_method_settings())
print(time.perf_counter() - start)
"""


def all_of_norway(tmp: Path, share: float) -> int:
    """(d): the statistics pass for 372 units and a sample of the national notebooks, scaled to all."""
    print(f"(d) all of Norway (members: all), notebooks for {share:.0%} of the pages", flush=True)
    national = make_project(tmp / "norway", network="network: {name: Norge}\nmembers: all\n", indicator_pages="all")
    start = time.perf_counter()
    out = run(national, "-m", "analysis", "build-data")
    print(f"  processed data and statistics for 372 units: {time.perf_counter() - start:6.1f} s ({out.strip()})")
    stats = float(run(national, "-c", STATISTICS_PASS).split()[-1])
    print(f"  the statistics pass alone (compute_all, all result tables): {stats:6.1f} s", flush=True)
    step = max(1, round(1 / share))
    n, seconds = batch_seconds(national, f"jobs[::{step}]", 2, True)
    total = len(json.loads(run(national, "-c", MEMBERS))) + 1 + 112
    print(
        f"  batch, 2 workers, warm: {seconds:6.1f} s for {n} of {total} notebooks "
        f"-> {seconds / n * total / 60:5.1f} min for all of them",
        flush=True,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--national-share", type=float, default=0.1, help="share of the national pages executed in (d)")
    p.add_argument("--skip-national", action="store_true")
    p.add_argument("--only-national", action="store_true", help="run (d) alone")
    args = p.parse_args(argv)
    if args.only_national:
        with tempfile.TemporaryDirectory() as tmp:
            return all_of_norway(Path(tmp), args.national_share)
    network = (config.PARAMS_DIR / "network.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "network", network=network, indicator_pages="all")
        run(project, "-m", "analysis", "build-data")
        n = 0
        print(f"(a), (b): the member pages and the front page, median of {args.repeat} runs", flush=True)
        naive = []
        for _ in range(args.repeat):
            n, seconds = naive_seconds(project)
            naive.append(seconds)
        print(f"  (a) papermill CLI loop:         {median(naive):6.1f} s for {n} notebooks", flush=True)
        for workers, warm in ((1, False), (1, True), (2, False), (2, True)):
            times = [batch_seconds(project, MEMBER_PAGES, workers, warm)[1] for _ in range(args.repeat)]
            kind = "warm" if warm else "cold"
            print(
                f"  (b) batch, {workers} worker(s), {kind} kernels: {median(times):6.1f} s "
                f"({median(naive) / median(times):4.1f}x the loop)",
                flush=True,
            )

        print(f"(c) one value changed, the whole report (median of {args.repeat})", flush=True)
        first = run_report(project)
        if first.returncode:
            raise SystemExit(first.stdout + first.stderr)
        full = float(re.search(r"time:\s+(\d+) s", first.stdout).group(1))
        targets = project / "params" / "targets.csv"
        original = targets.read_text(encoding="utf-8")
        row = next(line for line in original.splitlines()[1:] if line.split(",")[1])  # a member's own target
        changed, ran = [], []
        for i in range(args.repeat):
            fields = row.split(",")
            fields[2] = str(float(fields[2]) + 0.1 * (i + 1))
            targets.write_text(original.replace(row, ",".join(fields)), encoding="utf-8")
            start = time.perf_counter()
            result = run_report(project)
            changed.append(time.perf_counter() - start)
            if result.returncode:
                raise SystemExit(result.stdout + result.stderr)
            ran.append(len(re.findall(r"\] ok  ", result.stdout)))
        print(f"  cold build of the whole site: {full:6.0f} s", flush=True)
        for name, quarto in (("fallback (smalldocs)", False), ("Quarto", True)):
            timed = [render_seconds(project, quarto) for _ in range(args.repeat)]
            if timed[0] is None:
                print(f"  (e) render with {name}: Quarto is not installed here, not measured", flush=True)
                continue
            pages, seconds = timed[0][0], median([t[1] for t in timed])
            print(
                f"  (e) render with {name}: {seconds:6.1f} s for {pages} pages "
                f"({1000 * seconds / pages:.0f} ms a page)",
                flush=True,
            )
        print(
            f"  after one target changed:     {median(changed):6.1f} s ({median(ran):.0f} notebooks ran again)",
            flush=True,
        )

        if args.skip_national:
            return 0
        return all_of_norway(Path(tmp), args.national_share)


if __name__ == "__main__":
    sys.exit(main())
