"""Benchmark of ``analysis.stats.results.compute_all`` at the scale of all of Norway.

Run as ``python -m bench.bench_results`` (or ``python bench/bench_results.py``). Options:
``--repeat N`` (default 3), ``--units N`` (default 357 municipalities), ``--years N`` (default 10),
``--naive-series N`` (default 400: size of the per-series statsmodels/scipy loop baseline).

It generates seeded synthetic observations for every municipality, 15 counties and the nation
(each × the 112 KPIs of the catalog × the years; about 5 % of the cells suppressed or missing),
times ``compute_all`` several times and prints the median. Baselines in the same run:

* ``compute_all`` on the 15-member network alone (plus the nation), and
* a naive loop over single series with ``statsmodels.OLS`` + ``scipy.stats.theilslopes`` + a
  scalar Mann–Kendall on a subset of series, extrapolated to all series (trends only!).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.reference.catalog import load_catalog  # noqa: E402
from analysis.stats.results import compute_all  # noqa: E402

MEMBER_KOMMUNER = ["3203", "3201", "5001", "1833", "1508", "1804", "1106", "1149", "4204", "1505", "1506", "1103"]
MEMBER_FYLKER = ["15", "50", "30"]
COUNTIES = ["03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"]


def make_units(n_kommuner: int = 357, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = list(MEMBER_KOMMUNER)
    pool = [f"{c}{i:02d}" for c in COUNTIES if len(c) == 2 for i in range(1, 99)]
    rng.shuffle(pool)
    for c in pool:
        if len(codes) >= n_kommuner:
            break
        if c not in codes:
            codes.append(c)
    kommuner = pd.DataFrame(
        {
            "unit_code": codes,
            "name": [f"Kommune {c}" for c in codes],
            "type": "kommune",
            "county_code": [c[:2] for c in codes],
            "peer_group": [f"K{int(g):02d}" for g in rng.integers(1, 17, len(codes))],
            "is_member": [c in MEMBER_KOMMUNER for c in codes],
        }
    )
    counties = sorted(set(COUNTIES) | set(MEMBER_FYLKER))
    fylker = pd.DataFrame(
        {
            "unit_code": counties,
            "name": [f"Fylke {c}" for c in counties],
            "type": "fylke",
            "county_code": "",
            "peer_group": "",
            "is_member": [c in MEMBER_FYLKER for c in counties],
        }
    )
    land = pd.DataFrame(
        {
            "unit_code": ["0"],
            "name": ["Norge"],
            "type": "land",
            "county_code": [""],
            "peer_group": [""],
            "is_member": [False],
        }
    )
    return pd.concat([kommuner, fylker, land], ignore_index=True)


def make_observations(
    units: pd.DataFrame, catalog: pd.DataFrame, years=range(2015, 2025), seed: int = 11, missing_share: float = 0.05
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.asarray(list(years))
    U, K, T = len(units), len(catalog), len(years)
    lo = catalog["demo_low"].to_numpy(dtype=float)
    hi = catalog["demo_high"].to_numpy(dtype=float)
    lo = np.where(np.isfinite(lo), lo, 0.0)
    hi = np.where(np.isfinite(hi) & (hi > lo), hi, lo + 1.0)
    binary = (catalog["direction"] == "binary").to_numpy()
    level = lo[None, :] + (hi - lo)[None, :] * rng.uniform(0.1, 0.9, (U, K))
    slope = (hi - lo)[None, :] * rng.normal(0, 0.02, (U, K))
    noise = (hi - lo)[None, None, :] * rng.normal(0, 0.03, (U, T, K))
    vals = level[:, None, :] + slope[:, None, :] * (years - years[0])[None, :, None] + noise
    vals = np.where(binary[None, None, :], (vals > (lo + hi)[None, None, :] / 2).astype(float), vals)
    vals = np.round(vals, 3)
    status = np.full(vals.shape, "", dtype=object)
    gone = rng.random(vals.shape) < missing_share
    status[gone] = rng.choice(np.array([":", ".."], dtype=object), gone.sum())
    vals[gone] = np.nan
    return pd.DataFrame(
        {
            "unit_code": np.repeat(units["unit_code"].to_numpy(), T * K),
            "year": np.tile(np.repeat(years, K), U),
            "kpi_id": np.tile(catalog["kpi_id"].to_numpy(), U * T),
            "value": vals.ravel(),
            "status": status.ravel(),
            "source": "synthetic",
            "vintage": "2025-01-01",
        }
    )


def make_targets(catalog: pd.DataFrame, units: pd.DataFrame, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k, d, lo, hi in zip(catalog["kpi_id"], catalog["direction"], catalog["demo_low"], catalog["demo_high"]):
        if rng.random() < 0.6 and d in ("higher_is_better", "lower_is_better", "binary", "target_band"):
            if d == "binary":
                rows.append((k, "", 1.0, 2030, np.nan, np.nan))
            elif d == "target_band":
                rows.append((k, "", 1.0, 2030, 0.95, 1.05))
            else:
                rows.append((k, "", hi if d == "higher_is_better" else lo, 2030, np.nan, np.nan))
    members = units.loc[units["is_member"], "unit_code"].tolist()
    for k in rng.choice(catalog["kpi_id"].to_numpy(), 10, replace=False):
        rows.append((k, str(rng.choice(members)), float(rng.uniform(1, 100)), np.nan, np.nan, np.nan))
    t = pd.DataFrame(rows, columns=["kpi_id", "unit_code", "target", "target_year", "band_low", "band_high"])
    return t.drop_duplicates(["kpi_id", "unit_code"])


def naive_trends(obs: pd.DataFrame, n_series: int, seed: int = 3) -> tuple[float, int]:
    """Per-series statsmodels OLS + scipy Theil–Sen + scalar Mann–Kendall on ``n_series`` series."""
    import statsmodels.api as sm
    from scipy import stats

    from analysis.stats.trends import mann_kendall

    ok = obs.loc[obs["value"].notna()]
    groups = list(ok.groupby(["unit_code", "kpi_id"]))
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(groups), min(n_series, len(groups)), replace=False)
    t0 = time.perf_counter()
    for i in pick:
        _, g = groups[i]
        x = g["year"].to_numpy(float)
        y = g["value"].to_numpy(float)
        if len(x) >= 4:
            sm.OLS(y, sm.add_constant(x)).fit()
            stats.theilslopes(y, x)
            mann_kendall(y)
    return time.perf_counter() - t0, len(groups)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--units", type=int, default=357)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--naive-series", type=int, default=400)
    args = ap.parse_args(argv)

    catalog = load_catalog()
    units = make_units(args.units)
    obs = make_observations(units, catalog, range(2015, 2015 + args.years))
    targets = make_targets(catalog, units)
    report_year = 2015 + args.years - 1
    print(
        f"data: {len(units)} units ({(units['type'] == 'kommune').sum()} municipalities), "
        f"{len(catalog)} KPIs, {args.years} years -> {len(obs):,} observation rows "
        f"({obs['value'].isna().mean():.1%} missing/suppressed)"
    )

    times = []
    for i in range(args.repeat):
        t0 = time.perf_counter()
        res = compute_all(obs, catalog, units, targets, report_year)
        times.append(time.perf_counter() - t0)
        print(f"  run {i + 1}: compute_all {times[-1]:.2f} s")
    print("rows: " + ", ".join(f"{k} {len(v):,}" for k, v in res.items()))
    print(f"compute_all, all of Norway: median {statistics.median(times):.2f} s over {args.repeat} runs")

    # baseline 1: the network alone
    net_units = units.loc[units["is_member"] | (units["unit_code"] == "0")]
    net_obs = obs.loc[obs["unit_code"].isin(net_units["unit_code"])]
    nt = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        compute_all(net_obs, catalog, net_units, targets, report_year)
        nt.append(time.perf_counter() - t0)
    print(
        f"baseline: compute_all, network only ({len(net_units)} units, {len(net_obs):,} rows): "
        f"median {statistics.median(nt):.2f} s"
    )

    # baseline 2: the trends alone, vectorised vs a naive per-series loop
    from analysis.stats.common import build_grid, prepare_observations, prepare_units
    from analysis.stats.trends import compute_trends

    grid = build_grid(prepare_observations(obs, report_year), catalog, prepare_units(units))
    tv = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        compute_trends(grid)
        tv.append(time.perf_counter() - t0)
    secs, n_all = naive_trends(obs, args.naive_series)
    per = secs / max(args.naive_series, 1)
    print(
        f"trends only, vectorised (OLS + Theil-Sen + Mann-Kendall, {len(grid.index):,} series): "
        f"median {statistics.median(tv):.2f} s"
    )
    print(
        f"baseline: trends only, naive per-series loop (sm.OLS + scipy theilslopes + Mann-Kendall) on "
        f"{args.naive_series} series: {secs:.2f} s = {per * 1000:.2f} ms/series -> about "
        f"{per * n_all:.0f} s for all {n_all:,} series"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
