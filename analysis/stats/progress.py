"""Progress towards a target (methods.md §3): Eurostat, Statistics Canada (Open SDG 2.4) and SDSN.

Every row names its method. Common to all methods:

* **base year**: ``base_year`` (2015) if the series has a usable value then, else the first later
  year with one; **current year**: the latest year ≤ the report year with a usable value. At least
  two points with base < current, else ``too_few_points`` (``no_base_year`` when there is no value
  from the base year on).
* **growth**: ``CAGR_o = (y_t / y_0)^(1/(t − t_0)) − 1``. A base value or target of exactly 0 is
  replaced by 0.001 (by −0.001 in an all-negative series, our extension); so is a current value
  of 0 (our extension: a series that stays at 0 has no growth, not −100 %). The values from base to
  current year and the target must all have one sign, else ``mixed_signs``; in an all-negative
  series the desired direction is flipped (Statistics Canada). Growth "in the good direction" is
  ``g = d · CAGR_o`` with d = +1 (higher is better) or −1 (lower is better).
* **binary KPIs** are only ``achieved`` or ``not_achieved``, in every method, from the latest
  value: achieved when its answer (yes = a value ≥ 0.5) is the one the target asks for. Target 1
  means "yes" is the goal, target 0 means "no" is the goal (a target ≥ 0.5 reads as yes); without
  a target "yes" is the goal, as in the trends and comparisons (the catalog's yes/no KPIs are all
  "has a plan / strategy"). Status (``analysis.stats.status``) uses the same rule, so a binary
  status is 100 % exactly when progress says ``achieved``.
* **target-band KPIs** (ideal band [low, high]): the band edge on the side where the base value
  lies is the target (below the band: target = low, higher is better; above: target = high, lower
  is better; base inside the band: the side where the current value left it). Inside the band
  counts as achieved. A current value on the far side of the band (it went past the whole band)
  is ``deterioration`` (note ``overshot_band``) when it is farther from the band than the base
  value was, and not classed otherwise (reason ``overshot_band``): growth towards one edge says
  nothing about it.

Methods (column ``method``):

``eurostat_target`` (Eurostat SDG monitoring; Open SDG 2.4 with a target)
    current value at or beyond the target in the good direction → ``achieved``. Otherwise
    ``CAGR_r = (y_T / y_0)^(1/(T − t_0)) − 1`` and ``R = CAGR_o / CAGR_r``:
    ``R ≥ 0.95`` on_track · ``0.6 ≤ R < 0.95`` acceleration_needed · ``0 ≤ R < 0.6``
    limited_progress · ``R < 0`` deterioration. If the base value had already reached the target
    and the current value no longer does, R is not meaningful; we report ``deterioration``
    (note ``base_met_target``; this is what Statistics Canada's form gives).
``statcan_target`` (Statistics Canada)
    ``R = d · CAGR_o / |CAGR_r|`` with the same thresholds; with a target both agencies' methods
    give the same class, the data keep both rows so that each can be cited.
``eurostat_no_target``
    ``g > 1 %`` significant_progress · ``0 < g ≤ 1 %`` moderate_progress ·
    ``−1 % ≤ g ≤ 0`` moderate_away · ``g < −1 %`` significant_away (boundaries as in Eurostat's
    method and Statistics Canada's published implementation of it).
``statcan_no_target``
    ``g ≥ 1.5 %·C`` on_track · ``0.5 %·C ≤ g < 1.5 %·C`` acceleration_needed ·
    ``0 ≤ g < 0.5 %·C`` limited_progress · ``g < 0`` deterioration. C is Statistics Canada's
    natural-limit factor (``statcan_c_factor``): near a maximum limit ``y_lim`` (0 ≤ y_0 < y_lim)
    ``C = 1 − (y_0 / y_lim)^4.44``; near a minimum limit (y_lim ≤ y_0 < 2·y_lim)
    ``C = 1 − ((2·y_lim − y_0) / y_lim)^4.44``; otherwise C = 1. Only the limit in the good
    direction counts. Limits: 100 for KPIs in percent where higher is better, 0 for percent KPIs
    where lower is better (C = 1 then), none otherwise (our reading of the catalog units); the
    targets column ``natural_limit`` or ``c_factor`` overrides.
``sdsn_linear`` (SDSN Sustainable Development Report)
    ratio = observed average annual change / linear annual change needed from the base year to
    reach the target in the target year: ``≥ 1`` on_track · ``0.5–1`` moderately_improving ·
    ``0–0.5`` stagnating · ``< 0`` decreasing (``achieved`` when the target is reached; base
    already at the target but current not → decreasing). No sign restriction.

The page badge uses :data:`BADGE_METHOD` (Eurostat with a target when there is one, else
Eurostat without a target); :func:`badge_rows` picks that row per unit × KPI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.common import SeriesGrid, first_index, int_or_na, latest_index, take

METHODS = ("eurostat_target", "statcan_target", "eurostat_no_target", "statcan_no_target", "sdsn_linear")
TARGET_METHODS = ("eurostat_target", "statcan_target", "sdsn_linear")
#: The method shown as the badge on a page when a target exists …
BADGE_METHOD = "eurostat_target"
#: … and when no target exists.
BADGE_METHOD_NO_TARGET = "eurostat_no_target"

ZERO_REPLACEMENT = 0.001
RATIO_THRESHOLDS = (0.95, 0.6, 0.0)
EUROSTAT_THRESHOLDS = (0.01, 0.0, -0.01)
STATCAN_THRESHOLDS = (0.015, 0.005, 0.0)
SDSN_THRESHOLDS = (1.0, 0.5, 0.0)
STATCAN_C_EXPONENT = 4.44

CLASSES = {
    "target": ("achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration"),
    "eurostat_no_target": ("significant_progress", "moderate_progress", "moderate_away", "significant_away"),
    "statcan_no_target": ("on_track", "acceleration_needed", "limited_progress", "deterioration"),
    "sdsn_linear": ("achieved", "on_track", "moderately_improving", "stagnating", "decreasing"),
    "binary": ("achieved", "not_achieved"),
}

PROGRESS_COLUMNS = [
    "unit_code",
    "kpi_id",
    "method",
    "base_year",
    "base_value",
    "current_year",
    "current_value",
    "target",
    "target_year",
    "cagr_observed",
    "cagr_required",
    "ratio",
    "progress_class",
    "reason",
    "direction",
    "growth_good_direction",
    "c_factor",
    "natural_limit",
    "change_observed",
    "change_required",
    "note",
]


# --------------------------------------------------------------------------------------------
# the published formulas and thresholds (vectorised; scalars work too)
# --------------------------------------------------------------------------------------------


def cagr(y0, yt, t0, t):
    """Compound annual growth rate ``(yt / y0)^(1/(t − t0)) − 1`` (NaN if undefined)."""
    y0, yt, t0, t = (np.asarray(a, dtype=float) for a in (y0, yt, t0, t))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = yt / y0
        out = np.where((ratio >= 0) & (t > t0), np.power(np.abs(ratio), 1.0 / (t - t0)) - 1.0, np.nan)
    return out


def _at_boundary_precision(x) -> np.ndarray:
    """Round away float noise so that a ratio or growth exactly at a published boundary (1 %, 95 %…)
    lands where the definition puts it: (101/100) − 1 is 0.010000000000000009 in floating point."""
    return np.round(np.asarray(x, dtype=float), 12)


def classify_target_ratio(r) -> np.ndarray:
    """R ≥ 95 % on_track · 60 % ≤ R < 95 % acceleration_needed · 0 ≤ R < 60 % limited · R < 0."""
    r = _at_boundary_precision(r)
    hi, med, lo = RATIO_THRESHOLDS
    with np.errstate(invalid="ignore"):
        return np.select(
            [r >= hi, r >= med, r >= lo, r < lo],
            ["on_track", "acceleration_needed", "limited_progress", "deterioration"],
            default="",
        ).astype(object)


def classify_eurostat_growth(g) -> np.ndarray:
    """Eurostat without a target: > 1 % · (0, 1 %] · [−1 %, 0] · < −1 % (g as a fraction)."""
    g = _at_boundary_precision(g)
    hi, mid, lo = EUROSTAT_THRESHOLDS
    with np.errstate(invalid="ignore"):
        return np.select(
            [g > hi, g > mid, g >= lo, g < lo],
            ["significant_progress", "moderate_progress", "moderate_away", "significant_away"],
            default="",
        ).astype(object)


def classify_statcan_growth(g, c=1.0) -> np.ndarray:
    """Statistics Canada without a target: ≥ 1.5 %·C · [0.5 %·C, 1.5 %·C) · [0, 0.5 %·C) · < 0."""
    g = _at_boundary_precision(g)
    c = np.asarray(c, dtype=float)
    hi = _at_boundary_precision(STATCAN_THRESHOLDS[0] * c)
    med = _at_boundary_precision(STATCAN_THRESHOLDS[1] * c)
    lo = STATCAN_THRESHOLDS[2]
    with np.errstate(invalid="ignore"):
        return np.select(
            [g >= hi, g >= med, g >= lo, g < lo],
            ["on_track", "acceleration_needed", "limited_progress", "deterioration"],
            default="",
        ).astype(object)


def classify_sdsn(r) -> np.ndarray:
    """SDSN linear ratio: ≥ 1 on_track · [0.5, 1) moderately_improving · [0, 0.5) stagnating · < 0."""
    r = _at_boundary_precision(r)
    hi, med, lo = SDSN_THRESHOLDS
    with np.errstate(invalid="ignore"):
        return np.select(
            [r >= hi, r >= med, r >= lo, r < lo],
            ["on_track", "moderately_improving", "stagnating", "decreasing"],
            default="",
        ).astype(object)


def statcan_c_factor(y0, limit, direction) -> np.ndarray:
    """Statistics Canada's natural-limit factor C in [0, 1] (1 where no limit applies).

    ``direction`` "higher_is_better" reads ``limit`` as a maximum, "lower_is_better" as a minimum.
    """
    y0 = np.asarray(y0, dtype=float)
    lim = np.asarray(limit, dtype=float)
    d = np.asarray(direction, dtype=object)
    y0, lim, d = np.broadcast_arrays(y0, lim, d)
    e = STATCAN_C_EXPONENT
    with np.errstate(invalid="ignore", divide="ignore"):
        c_max = np.where(y0 >= lim, 0.0, np.where(y0 >= 0, 1.0 - np.power(np.abs(y0 / lim), e), 1.0))
        c_min = np.where(y0 >= 2 * lim, 1.0, np.where(y0 >= lim, 1.0 - np.power(np.abs((2 * lim - y0) / lim), e), 0.0))
    c = np.where(d == "higher_is_better", c_max, np.where(d == "lower_is_better", c_min, 1.0))
    c = np.where(np.isfinite(lim) & np.isfinite(y0), c, 1.0)
    return np.clip(c, 0.0, 1.0)


def badge_rows(progress: pd.DataFrame) -> pd.DataFrame:
    """One row per unit × KPI: the Eurostat row with a target where a target exists, else without."""
    has_target = progress.loc[progress["method"] == BADGE_METHOD].set_index(["unit_code", "kpi_id"])["target"].notna()
    p = progress.loc[progress["method"].isin([BADGE_METHOD, BADGE_METHOD_NO_TARGET])]
    key = pd.MultiIndex.from_frame(p[["unit_code", "kpi_id"]])
    ht = has_target.reindex(key).fillna(False).to_numpy()
    want = np.where(ht, BADGE_METHOD, BADGE_METHOD_NO_TARGET)
    return p.loc[p["method"].to_numpy() == want].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# all series at once
# --------------------------------------------------------------------------------------------


def compute_progress(grid: SeriesGrid, resolved: pd.DataFrame, base_year: int = 2015) -> pd.DataFrame:
    """Progress rows (five methods) for every series of ``grid``."""
    idx = grid.index
    Y = grid.Y
    years = grid.years.astype(float)
    M = np.isfinite(Y)
    N = len(idx)
    direction = idx["direction"].to_numpy()

    in_window = M & (years[None, :] >= base_year) if len(years) else M
    bi = first_index(in_window)
    ci = latest_index(M)
    yr = (
        (lambda i: np.where(i >= 0, years[np.clip(i, 0, None)], np.nan))
        if len(years)
        else (lambda i: np.full(N, np.nan))
    )
    t0, t = yr(bi), yr(ci)
    y0_raw, yt = take(Y, bi), take(Y, ci)
    enough = (bi >= 0) & (ci > bi)

    target = resolved["target"].to_numpy(dtype=float)
    T = resolved["target_year"].to_numpy(dtype=float)
    bl = resolved["band_low"].to_numpy(dtype=float)
    bh = resolved["band_high"].to_numpy(dtype=float)
    has_target = resolved["target_scope"].to_numpy() != ""
    limit = resolved["natural_limit"].to_numpy(dtype=float) if "natural_limit" in resolved else np.full(N, np.nan)
    c_given = resolved["c_factor"].to_numpy(dtype=float) if "c_factor" in resolved else np.full(N, np.nan)

    is_bin = direction == "binary"
    is_band = direction == "target_band"
    band_known = np.isfinite(bl) | np.isfinite(bh)
    lo = np.where(np.isfinite(bl), bl, -np.inf)
    hi = np.where(np.isfinite(bh), bh, np.inf)

    # desired direction d and (for target-band KPIs) the band edge that acts as target
    with np.errstate(invalid="ignore"):
        side_below = np.where(y0_raw < lo, True, np.where(y0_raw > hi, False, yt < lo))
    d = np.select(
        [np.isin(direction, ["higher_is_better", "binary"]), direction == "lower_is_better", is_band & band_known],
        [1.0, -1.0, np.where(side_below, 1.0, -1.0)],
        default=np.nan,
    )
    band_target = np.where(side_below, lo, hi)
    tgt = np.where(is_band, band_target, target)
    has_tgt = np.where(is_band, band_known, has_target)

    # sign checks over the values from base to current year (and the target)
    cols = np.arange(Y.shape[1])[None, :]
    win = M & (cols >= bi[:, None]) & (cols <= ci[:, None])
    with np.errstate(invalid="ignore"):
        pos = (win & (Y > 0)).any(axis=1)
        neg = (win & (Y < 0)).any(axis=1)
    mixed_values = pos & neg
    negative = neg & ~pos
    sgn = np.where(negative, -1.0, 1.0)
    y0 = np.where(y0_raw == 0, sgn * ZERO_REPLACEMENT, y0_raw)
    yt_growth = np.where(yt == 0, sgn * ZERO_REPLACEMENT, yt)  # so that 0 -> 0 is no change, not -100 %
    yT = np.where(tgt == 0, sgn * ZERO_REPLACEMENT, tgt)
    with np.errstate(invalid="ignore"):
        mixed_target = has_tgt & np.isfinite(yT) & (((yT > 0) & negative) | ((yT < 0) & pos))
    d_eff = np.where(negative, -d, d)

    cagr_o = cagr(y0, yt_growth, t0, t)
    g = d_eff * cagr_o
    cagr_r = cagr(y0, yT, t0, T)
    with np.errstate(invalid="ignore"):
        achieved = np.where(is_band, (yt >= lo) & (yt <= hi), d * (yt - tgt) >= 0)
        base_met = np.where(is_band, (y0_raw >= lo) & (y0_raw <= hi), d * (y0_raw - tgt) >= 0)
    yes_is_goal = np.where(has_target & np.isfinite(target), target >= 0.5, True)  # see the module docstring
    binary_class = np.where((yt >= 0.5) == yes_is_goal, "achieved", "not_achieved").astype(object)
    # a target-band value that went past the whole band: growth towards the near edge says nothing, so
    # it is "deterioration" when it ended farther from the band than it started, and not classed otherwise
    with np.errstate(invalid="ignore"):
        crossed = is_band & band_known & np.where(side_below, yt > hi, yt < lo)
        farther = np.maximum(lo - yt, yt - hi) >= np.maximum(lo - y0_raw, y0_raw - hi)

    # shared reasons (before method-specific ones)
    empty = ~np.isfinite(yt)
    base_reason = np.select(
        [empty, direction == "unknown", is_band & ~band_known, is_bin, bi < 0, ~enough],
        [idx["reason_empty"].to_numpy(), "no_direction", "no_band", "", "no_base_year", "too_few_points"],
        default="",
    ).astype(object)

    frames = []
    c = np.where(
        np.isfinite(c_given),
        np.clip(c_given, 0.0, 1.0),
        np.where(negative | is_band, 1.0, statcan_c_factor(y0_raw, limit, direction)),
    )
    nan = np.full(N, np.nan)
    for method in METHODS:
        needs_target = method in TARGET_METHODS
        reason = base_reason.copy()
        note = np.full(N, "", dtype=object)
        cls = np.full(N, "", dtype=object)
        ratio = nan.copy()
        creq = nan.copy()
        ch_obs = nan.copy()
        ch_req = nan.copy()
        ok = reason == ""
        if needs_target:
            reason = np.where(ok & ~is_bin & ~has_tgt, "no_target", reason).astype(object)
            reason = np.where((reason == "") & ~is_bin & ~(T > t0), "target_year_not_after_base", reason).astype(object)
        else:
            reason = np.where((reason == "") & is_band, "band_kpi", reason).astype(object)
        if needs_target or method == "sdsn_linear":
            reason = np.where((reason == "") & crossed & ~farther, "overshot_band", reason).astype(object)
        if method != "sdsn_linear":
            reason = np.where((reason == "") & ~is_bin & mixed_values, "mixed_signs", reason).astype(object)
            if needs_target:
                reason = np.where((reason == "") & ~is_bin & mixed_target, "mixed_signs", reason).astype(object)
        ok = reason == ""

        if method in ("eurostat_target", "statcan_target"):
            creq = np.where(ok & ~is_bin, cagr_r, np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                if method == "eurostat_target":
                    r = cagr_o / cagr_r
                else:
                    r = d_eff * cagr_o / np.abs(cagr_r)
            edge = ~achieved & base_met
            worse = (edge & (method == "eurostat_target")) | crossed  # classed without a ratio
            r = np.where(ok & ~is_bin & ~achieved & ~worse, r, np.nan)
            cls = np.where(achieved, "achieved", np.where(worse, "deterioration", classify_target_ratio(r))).astype(
                object
            )
            ratio = np.where(np.isfinite(r), r, np.nan)  # ±inf (required growth 0) is classed, not stored
            note = np.where(
                ok & ~is_bin & crossed, "overshot_band", np.where(ok & ~is_bin & edge, "base_met_target", note)
            ).astype(object)
        elif method == "eurostat_no_target":
            cls = classify_eurostat_growth(g)
        elif method == "statcan_no_target":
            cls = classify_statcan_growth(g, c)
        else:  # sdsn_linear
            with np.errstate(invalid="ignore", divide="ignore"):
                ch_obs = (yt - y0_raw) / (t - t0)
                ch_req = (tgt - y0_raw) / (T - t0)
                r = ch_obs / ch_req
            edge = ~achieved & base_met
            worse = edge | crossed
            ratio = np.where(ok & ~is_bin & ~achieved & ~worse, r, np.nan)
            cls = np.where(achieved, "achieved", np.where(worse, "decreasing", classify_sdsn(ratio))).astype(object)
            note = np.where(
                ok & ~is_bin & crossed, "overshot_band", np.where(ok & ~is_bin & edge, "base_met_target", note)
            ).astype(object)
            ch_obs = np.where(ok & ~is_bin, ch_obs, np.nan)
            ch_req = np.where(ok & ~is_bin, ch_req, np.nan)

        # binary KPIs: achieved / not achieved only, from the latest value
        cls = np.where(is_bin, binary_class, cls).astype(object)
        cls = np.where(ok, cls, "").astype(object)
        note = np.where(
            ok & negative & ~is_bin & (method != "sdsn_linear"), "all_negative_direction_flipped", note
        ).astype(object)
        note = np.where(
            ok & ~is_bin & ((y0_raw == 0) | (yt == 0) | (needs_target & (tgt == 0))) & (method != "sdsn_linear"),
            np.where(note == "", "zero_replaced", note + ";zero_replaced"),
            note,
        ).astype(object)
        compute_growth = ok & ~is_bin
        show_target = needs_target & has_tgt
        frames.append(
            pd.DataFrame(
                {
                    "unit_code": idx["unit_code"].to_numpy(),
                    "kpi_id": idx["kpi_id"].to_numpy(),
                    "method": method,
                    "base_year": int_or_na(np.where(bi >= 0, t0, np.nan)),
                    "base_value": y0_raw,
                    "current_year": int_or_na(t),
                    "current_value": yt,
                    "target": np.where(show_target, tgt, np.nan) if needs_target else nan,
                    "target_year": int_or_na(np.where(show_target, T, np.nan)) if needs_target else int_or_na(nan),
                    "cagr_observed": np.where(compute_growth & (method != "sdsn_linear"), cagr_o, np.nan),
                    "cagr_required": creq if method != "sdsn_linear" else nan,
                    "ratio": ratio,
                    "progress_class": cls,
                    "reason": reason,
                    "direction": direction,
                    "growth_good_direction": np.where(
                        compute_growth & (method in ("eurostat_no_target", "statcan_no_target")), g, np.nan
                    ),
                    "c_factor": np.where(compute_growth & (method == "statcan_no_target"), c, np.nan),
                    "natural_limit": limit if method == "statcan_no_target" else nan,
                    "change_observed": ch_obs,
                    "change_required": ch_req,
                    "note": note,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    order = {m: i for i, m in enumerate(METHODS)}
    out = out.assign(_m=out["method"].map(order)).sort_values(["unit_code", "kpi_id", "_m"], kind="mergesort")
    return out.drop(columns="_m").reset_index(drop=True)[PROGRESS_COLUMNS]
