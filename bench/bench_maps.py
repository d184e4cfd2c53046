"""Benchmark of the maps (``analysis.pages.maps``): reading the borders, and drawing the national map.

Run as ``python -m bench.bench_maps`` (or ``python bench/bench_maps.py``); ``--repeat N`` (default 5).
Prints medians of:

* reading, projecting and thinning the two GeoJSON files (once per process; the cache is emptied first);
* drawing the map with all 357 municipalities as members (every one with a value) and writing its SVG,
  as a national indicator page does, against the same with today's 15 members of the bundled network
  (12 municipalities, 2 counties) in the same run;

and the SVG's size of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from analysis.pages import maps  # noqa: E402
from analysis.pages.present import figure_svg  # noqa: E402

BUNDLED = ["3203", "3201", "5001", "1833", "1508", "1804", "1106", "1149", "4204", "1505", "1506", "1103"]


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    def parse():
        maps._CACHE.clear()
        return maps.borders()

    t_parse, geo = timed(parse, args.repeat)
    print(f"read + project + thin the borders: {t_parse:.2f} s (median of {args.repeat})")
    for label, units in (
        ("national map, 357 municipalities", [maps.MapUnit(c, "kommune", i) for i, c in enumerate(geo.municipalities)]),
        (
            "bundled network, 15 members",
            [maps.MapUnit(c, "kommune", i) for i, c in enumerate(BUNDLED)]
            + [maps.MapUnit("15", "fylke", 3.0), maps.MapUnit("50", "fylke", float("nan"))],
        ),
    ):
        classes = maps.value_classes([u.value for u in units], "high")
        t, svg = timed(lambda: figure_svg(maps.choropleth(units, classes, "Test", geo)), args.repeat)
        print(f"{label}: draw + SVG {t:.2f} s (median of {args.repeat}), SVG {len(svg) / 1000:.0f} kB")


if __name__ == "__main__":
    main()
