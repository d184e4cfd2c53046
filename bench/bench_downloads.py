"""Benchmark of the CSV downloads at the scale of Norway (issue 15: 647 s for the national site's downloads).

Run as ``python -m bench.bench_downloads`` (``--repeat 3 --share 0.25``). It builds a throw-away national
project (:mod:`analysis.site.sandbox`, ``members: all``: 372 units, 112 indicator pages) with its data, then
in one process on the same data prints medians of:

- a member's page slice by boolean masks over the whole tables (how slices were made before) and by the
  row positions :class:`~analysis.pages.report_data.ReportData` keeps, and an indicator's;
- one member's, one indicator's and the front page's download (made, not written);
- ``write_downloads`` of a share of the pages with 1 and with 2 worker processes, scaled to all of them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from analysis.site.sandbox import make_project
from bench.bench_scale import run

MEASURE = """
import os, shutil, statistics, sys, tempfile, time
from pathlib import Path
from analysis.pages import content, report_data
from analysis.site import downloads

repeat, share = int(sys.argv[1]), float(sys.argv[2])
data = report_data.load()
members = list(data.members["unit_code"])
kpis = data.metadata["indicator_pages"]
sample = members[:: max(1, len(members) // 20)]


def median_of(make, items):
    times = []
    for item in items:
        start = time.perf_counter()
        make(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def by_masks(code):
    obs, unit = data.observations, data.units.loc[data.units["unit_code"] == code].iloc[0]
    peers = data.members.loc[data.members["type"] == unit["type"], "unit_code"]
    compared = obs["unit_code"].isin(peers) & obs["kpi_id"].isin(content.key_kpis(data, code))
    obs.loc[(obs["unit_code"] == code) | compared]
    for name in ("status", "trends", "progress", "comparisons", "slope_tests"):
        table = data.results[name]
        table.loc[table["unit_code"] == code]


provenance = downloads.Provenance(data)
data.page_slice(unit_code=members[0]), data.page_slice(kpi_id=kpis[0])  # the row positions, made once
print(f"  a member's slice by masks:      {1000 * median_of(by_masks, sample):7.1f} ms")
print(f"  a member's slice by positions:  {1000 * median_of(lambda c: data.page_slice(unit_code=c), sample):7.1f} ms")
print(f"  an indicator's slice:           {1000 * median_of(lambda k: data.page_slice(kpi_id=k), kpis[::10]):7.1f} ms")
made = lambda c: downloads.unit_download(data, c, provenance, "params/targets.csv")  # noqa: E731
print(f"  a member's download:            {median_of(made, sample):7.2f} s", flush=True)
made = lambda k: downloads.indicator_download(data, k, provenance, "params/targets.csv")  # noqa: E731
print(f"  an indicator's download:        {median_of(made, kpis[::10]):7.2f} s", flush=True)
front = median_of(lambda _: downloads.network_download(data, provenance), [0])
print(f"  the front page's download:      {front:7.2f} s")
names = list(downloads.page_downloads(data))
only = set(names[:: max(1, round(1 / share))])
for workers in (1, 2):
    times = []
    for _ in range(repeat):
        folder = Path(tempfile.mkdtemp())
        start = time.perf_counter()
        downloads.write_downloads(data, folder, only=only, workers=workers)
        times.append(time.perf_counter() - start)
        shutil.rmtree(folder)
    seconds = statistics.median(times)
    print(
        f"  write_downloads, {workers} worker(s): {seconds:6.1f} s for {len(only)} of {len(names)} "
        f"-> {seconds * len(names) / len(only):6.1f} s for all (load {os.getloadavg()[0]:.1f})",
        flush=True,
    )
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--share", type=float, default=0.25, help="share of the national downloads written")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        national = make_project(
            Path(tmp) / "norway", network="network: {name: Norge}\nmembers: all\n", indicator_pages="all"
        )
        start = time.perf_counter()
        run(national, "-m", "analysis", "build-data")
        print(f"national data (372 units) built in {time.perf_counter() - start:.0f} s; medians:", flush=True)
        print(run(national, "-c", MEASURE, str(args.repeat), str(args.share)), end="", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
