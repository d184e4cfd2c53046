"""Status against a target: percent of target achieved and the four U4SSC-style bands (methods.md §2).

U4SSC city snapshots show four bands of "% of target achieved": **≥ 95 %**, **66–95 %**,
**33–66 %**, **< 33 %**. U4SSC does not publish how the percentage is computed, so the formula
below is **ours** (the site says so):

* higher is better: ``achieved = min(100, 100 · value / target)`` (target must be > 0)
* lower is better: ``achieved = 100`` when ``value ≤ target``, else ``100 · target / value``
* binary (1 = yes, 0 = no): ``100`` when the value gives the answer the target asks for, else
  ``0``. Target 1 means "yes" is the goal, target 0 means "no" is the goal (a value or target
  ≥ 0.5 reads as yes); the same rule decides ``achieved`` in ``analysis.stats.progress``, so a
  binary status is 100 % exactly when progress says achieved
* target band ``[band_low, band_high]`` (e.g. a ratio whose ideal is 1.0): ``100`` inside the band;
  below it the value is scored like a higher-is-better KPI with target ``band_low``
  (``100 · value / band_low``), above it like a lower-is-better KPI with target ``band_high``
  (``100 · band_high / value``). So a value 10 % short of the band edge scores about 90 %, on
  either side. A band given as ``target`` only is the band [target, target].
* the result is clipped to [0, 100]; negative values score 0.

Band edges: 95 → "ge95", 66 → "66to95", 33 → "33to66" (each edge belongs to the upper band).
The percentage is rounded to 9 decimals before banding so that 100 · 0.95 / 1 is 95.

The status uses the latest year ≤ the report year with a usable value. Missing or suppressed
values get no band and a reason, never a zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.common import SeriesGrid, int_or_na, latest_index, take

BANDS = ("ge95", "66to95", "33to66", "lt33")
BAND_EDGES = (95.0, 66.0, 33.0)

STATUS_COLUMNS = [
    "unit_code",
    "kpi_id",
    "year",
    "value",
    "target",
    "target_year",
    "target_scope",
    "achieved_pct",
    "band",
    "reason",
    "direction",
    "band_low",
    "band_high",
    "report_year_symbol",
]


def achieved_pct(value, target, direction, band_low=np.nan, band_high=np.nan):
    """Percent of target achieved (0–100), element-wise; NaN where it is not defined.

    ``direction`` is a string or an array of strings (the catalog's directions).
    """
    v = np.asarray(value, dtype=float)
    t = np.asarray(target, dtype=float)
    d = np.asarray(direction, dtype=object)
    bl = np.asarray(band_low, dtype=float)
    bh = np.asarray(band_high, dtype=float)
    v, t, d, bl, bh = np.broadcast_arrays(v, t, d, bl, bh)
    with np.errstate(invalid="ignore", divide="ignore"):
        higher = np.where(t > 0, 100.0 * v / t, np.nan)
        lower = np.where(v <= t, 100.0, np.where(v > 0, 100.0 * t / v, np.nan))
        yes_v = v >= 0.5
        yes_t = np.where(np.isfinite(t), t >= 0.5, True)
        binary = np.where(np.isfinite(v), np.where(yes_v == yes_t, 100.0, 0.0), np.nan)
        lo = np.where(np.isfinite(bl), bl, -np.inf)
        hi = np.where(np.isfinite(bh), bh, np.inf)
        below = np.where(lo > 0, 100.0 * v / lo, np.where(v >= lo, 100.0, 0.0))
        above = np.where(v > 0, 100.0 * hi / v, np.nan)
        band = np.where(v < lo, below, np.where(v > hi, above, 100.0))
        band = np.where(np.isfinite(bl) | np.isfinite(bh), band, np.nan)
    out = np.select(
        [d == "higher_is_better", d == "lower_is_better", d == "binary", d == "target_band"],
        [higher, lower, binary, band],
        default=np.nan,
    )
    out = np.where(np.isfinite(v), out, np.nan)
    return np.clip(out, 0.0, 100.0)


def band_of(achieved):
    """The band code of each percentage ("" where NaN); a scalar gives a str."""
    raw = np.asarray(achieved, dtype=float)
    a = np.round(np.atleast_1d(raw), 9)
    with np.errstate(invalid="ignore"):
        out = np.select([a >= 95.0, a >= 66.0, a >= 33.0, a < 33.0], list(BANDS), default="").astype(object)
    return str(out[0]) if raw.ndim == 0 else out


def compute_status(
    grid: SeriesGrid, resolved: pd.DataFrame, report_year: int, report_year_symbol: np.ndarray | None = None
) -> pd.DataFrame:
    """Status table for every series; ``resolved`` comes from ``stats_common.resolve_targets``."""
    idx = grid.index
    M = grid.mask
    li = latest_index(M)
    years = grid.years.astype(float)
    year = np.where(li >= 0, years[np.clip(li, 0, None)] if len(years) else np.nan, np.nan)
    value = take(grid.Y, li)
    direction = idx["direction"].to_numpy()
    target = resolved["target"].to_numpy(dtype=float)
    bl = resolved["band_low"].to_numpy(dtype=float)
    bh = resolved["band_high"].to_numpy(dtype=float)
    scope = resolved["target_scope"].to_numpy()
    has_target = scope != ""
    ach = achieved_pct(value, target, direction, bl, bh)
    ach = np.where(has_target, ach, np.nan)
    has_value = np.isfinite(value)
    is_band = direction == "target_band"
    reason = np.select(
        [
            ~has_value,
            ~has_target,
            direction == "unknown",
            is_band & ~(np.isfinite(bl) | np.isfinite(bh)),
            (direction == "higher_is_better") & ~(target > 0),
            ~np.isfinite(ach) & (direction == "lower_is_better"),
            ~np.isfinite(ach),
        ],
        [
            idx["reason_empty"].to_numpy(),
            "no_target",
            "no_direction",
            "no_band",
            "target_not_positive",
            "value_not_positive",
            "not_computed",
        ],
        default="",
    ).astype(object)
    # a series whose rows are all unusable: explain with the symbol kind
    if report_year_symbol is None:
        report_year_symbol = np.full(len(idx), "", dtype=object)
    out = pd.DataFrame(
        {
            "unit_code": idx["unit_code"].to_numpy(),
            "kpi_id": idx["kpi_id"].to_numpy(),
            "year": int_or_na(year),
            "value": value,
            "target": np.where(has_target, target, np.nan),
            "target_year": int_or_na(np.where(has_target, resolved["target_year"].to_numpy(dtype=float), np.nan)),
            "target_scope": scope.astype(object),
            "achieved_pct": ach,
            "band": np.where(reason == "", band_of(ach), "").astype(object),
            "reason": reason,
            "direction": direction,
            "band_low": bl,
            "band_high": bh,
            "report_year_symbol": report_year_symbol,
        }
    )
    return out[STATUS_COLUMNS]
