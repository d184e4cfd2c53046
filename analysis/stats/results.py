"""All statistics for all units and KPIs in one pass, and their atomic storage.

``compute_all`` turns the tidy observations into the seven result tables the pages read:

============== ===============================================================================
key            one row per …
============== ===============================================================================
trends         unit × KPI (``analysis.stats.trends``)
status         unit × KPI (``analysis.stats.status``)
progress       unit × KPI × method (``analysis.stats.progress``; :func:`analysis.stats.progress.badge_rows`)
comparisons    unit × KPI, units in the units table (``analysis.stats.compare``)
slope_tests    unit × KPI, units in the units table (``analysis.stats.compare``)
network_trends KPI (``analysis.stats.compare``)
spread         KPI × year (``analysis.stats.compare``)
============== ===============================================================================

Every table has a ``reason`` column (``""`` when the row's main result was computed) and a
``reason_text`` column with the English text of the code. The series grid covers every unit of
the units table × every KPI of the catalog, plus any other unit × KPI found in the observations.
Outputs are sorted, and the same inputs always give the same outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.atomic import write_atomic_parquet
from analysis.core.schema import NATIONAL_CODE
from analysis.core.settings import MethodSettings
from analysis.stats.common import (
    build_grid,
    kpi_natural_limits,
    prepare_observations,
    prepare_targets,
    prepare_units,
    reason_text,
    resolve_targets,
)
from analysis.stats.compare import compute_comparisons, compute_network_trends, compute_slope_tests, compute_spread
from analysis.stats.progress import compute_progress
from analysis.stats.status import compute_status
from analysis.stats.trends import compute_trends

RESULT_KEYS = ("trends", "status", "progress", "comparisons", "slope_tests", "network_trends", "spread")


def _report_year_symbols(obs: pd.DataFrame, index: pd.DataFrame, report_year: int) -> np.ndarray:
    cell = obs.loc[(obs["year"] == int(report_year)) & ~obs["usable"]]
    sym = cell.set_index(["unit_code", "kpi_id"])["status"]
    sym = sym[~sym.index.duplicated()]
    key = pd.MultiIndex.from_frame(index[["unit_code", "kpi_id"]])
    return sym.reindex(key).fillna("").to_numpy(dtype=object)


def _network_bands(targets: pd.DataFrame, catalog: pd.DataFrame) -> dict[str, tuple[float, float]]:
    band_kpis = set(catalog.loc[catalog["direction"] == "target_band", "kpi_id"].astype(str))
    net = targets.loc[(targets["unit_code"] == "") & targets["kpi_id"].isin(band_kpis)]
    out = {}
    for k, lo, hi, tg in zip(net["kpi_id"], net["band_low"], net["band_high"], net["target"]):
        if np.isfinite(lo) or np.isfinite(hi):
            out[k] = (lo, hi)
        elif np.isfinite(tg):
            out[k] = (tg, tg)
    return out


def compute_all(
    observations: pd.DataFrame,
    catalog: pd.DataFrame,
    units: pd.DataFrame,
    targets: pd.DataFrame | None,
    report_year: int,
    base_year: int = 2015,
    default_target_year: int = 2030,
    *,
    first_year: int | None = None,
    methods: MethodSettings | None = None,
    network_type: str = "kommune",
    national_code: str = NATIONAL_CODE,
) -> dict[str, pd.DataFrame]:
    """Compute every result table for all units and KPIs (see the module docstring), with the method
    choices of ``methods`` (params/methods.yaml; the defaults of :class:`MethodSettings` when None)."""
    m = methods or MethodSettings()
    alpha = m.alpha
    obs = prepare_observations(observations, report_year, first_year)
    u = prepare_units(units)
    t = prepare_targets(targets)
    grid = build_grid(obs, catalog, u)
    resolved = resolve_targets(grid.index, t, u, default_target_year, kpi_natural_limits(catalog))

    results: dict[str, pd.DataFrame] = {}
    results["trends"] = compute_trends(grid, resolved[["band_low", "band_high"]], alpha, m.min_points)
    results["status"] = compute_status(grid, resolved, report_year, _report_year_symbols(obs, grid.index, report_year))
    results["progress"] = compute_progress(grid, resolved, base_year)
    results["comparisons"] = compute_comparisons(
        obs, grid, u, _network_bands(t, catalog), national_code, m.coverage_share
    )
    results["slope_tests"] = compute_slope_tests(
        grid, u, alpha, group=m.slope_group, model=m.slope_model, min_points=m.min_points
    )
    spread = compute_spread(grid, u, network_type)
    kpis = sorted(set(catalog["kpi_id"].astype(str)) | set(grid.index["kpi_id"]))
    results["network_trends"] = compute_network_trends(grid, u, spread, alpha, network_type, kpis, m.min_points)
    results["spread"] = spread
    for key, df in results.items():
        if "reason" in df.columns:
            df["reason_text"] = reason_text(df["reason"]).to_numpy()
    return {k: results[k] for k in RESULT_KEYS}


def write_all(results: dict[str, pd.DataFrame], directory: str | Path) -> list[Path]:
    """Write each table as ``<directory>/<key>.parquet``, each file atomically."""
    directory = Path(directory)
    paths = []
    for key, df in results.items():
        if not key.replace("_", "").isalnum():
            raise ValueError(f"not a valid result name: {key!r}")
        path = directory / f"{key}.parquet"
        write_atomic_parquet(df, path)
        paths.append(path)
    return paths


def read_all(directory: str | Path, keys=RESULT_KEYS) -> dict[str, pd.DataFrame]:
    """Read the tables written by :func:`write_all` (the keys that exist)."""
    directory = Path(directory)
    return {k: pd.read_parquet(directory / f"{k}.parquet") for k in keys if (directory / f"{k}.parquet").exists()}
