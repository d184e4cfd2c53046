"""Trends of every unit × KPI series (methods.md §4).

For each series (years with a usable value only; missing and suppressed cells are left out, never
zero-filled):

* **OLS** slope per year with its 95 % confidence interval and two-sided p-value (t-test on n − 2
  degrees of freedom). Computed for all series at once with the closed-form formulas
  ``b = Sxy / Sxx``, ``se = sqrt(SSR / (n − 2) / Sxx)``; the tests check them against
  ``statsmodels.OLS``.
* **relative change per year** = ``100 · slope / |mean(series)|`` (percent of the size of the series mean;
  undefined when the mean is 0, noted as ``mean_zero``).
* **Theil–Sen** slope (median of all pairwise slopes) with the 95 % interval of
  ``scipy.stats.theilslopes`` (Sen 1968, eq. 2.6), reproduced exactly on the padded matrix.
* **Mann–Kendall** test: ``S = Σ_{i<j} sign(y_j − y_i)``,
  ``Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18`` (t = size of each group of tied values),
  ``z = (S − sign(S)) / sqrt(Var S)`` (continuity correction; z = 0 when S = 0),
  ``p = 2 · (1 − Φ(|z|))``, Kendall's ``tau = S / (n(n−1)/2)``. Only the order of the years matters.
* **verdict** (our rule): with at least 4 points and a known direction, the trend is
  *improving* when the Mann–Kendall p-value is below 0.05 and S points in the good direction,
  *worsening* when p < 0.05 and S points the other way, otherwise *no_clear_trend*.
  Higher-is-better and binary KPIs: good = up; lower-is-better: good = down; target-band KPIs:
  the test is run on the distance from the band, good = the distance shrinks (no band →
  ``no_direction``). Unknown direction → ``no_direction``. Fewer than 4 points →
  ``not_assessed`` with reason ``too_few_points`` and only the descriptive change.
  Note: with exactly 4 points the smallest two-sided Mann–Kendall p-value is 0.089, so a 4-point
  series can never be called improving or worsening; that is a property of the test, not a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.core.settings import MethodSettings
from analysis.stats.common import (
    ALPHA,
    SeriesGrid,
    band_distance,
    first_index,
    has_band,
    int_or_na,
    join_codes,
    latest_index,
    take,
)

MIN_POINTS = MethodSettings.min_points  # default; params/methods.yaml sets it for a report
VERDICTS = ("improving", "no_clear_trend", "worsening", "not_assessed", "no_direction")
METHOD_FULL = "ols+theil_sen+mann_kendall"
METHOD_BAND = "ols+theil_sen+mann_kendall(distance_to_band)"
METHOD_DESCRIPTIVE = "descriptive"

TREND_COLUMNS = [
    "unit_code",
    "kpi_id",
    "n_points",
    "first_year",
    "last_year",
    "first_value",
    "last_value",
    "change_per_year",
    "ols_slope",
    "ols_ci_low",
    "ols_ci_high",
    "ols_p",
    "rel_change_per_year",
    "theil_sen_slope",
    "theil_sen_low",
    "theil_sen_high",
    "mk_tau",
    "mk_p",
    "verdict",
    "method",
    "reason",
    "direction",
    "mk_s",
    "mk_z",
    "n_suppressed",
    "note",
]


# --------------------------------------------------------------------------------------------
# batch (matrix) versions: rows are series, columns are years, NaN = no value
# --------------------------------------------------------------------------------------------


@dataclass
class OLSBatch:
    n: np.ndarray
    slope: np.ndarray
    intercept_at_mean: np.ndarray  # mean of y (the fitted value at mean x)
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p: np.ndarray
    xbar: np.ndarray
    ybar: np.ndarray
    sxx: np.ndarray
    sxy: np.ndarray
    syy: np.ndarray
    ssr: np.ndarray


def ols_batch(x: np.ndarray, Y: np.ndarray, alpha: float = ALPHA) -> OLSBatch:
    """OLS of each row of ``Y`` on ``x`` (shared column positions), ignoring NaN cells.

    Rows with fewer than 3 points or no spread in x get NaN for the inferential quantities.
    """
    Y = np.asarray(Y, dtype=float)
    x = np.asarray(x, dtype=float)
    M = np.isfinite(Y)
    n = M.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        Xm = np.where(M, x[None, :], 0.0)
        xbar = Xm.sum(axis=1) / n
        ybar = np.where(M, Y, 0.0).sum(axis=1) / n
        dx = np.where(M, x[None, :] - xbar[:, None], 0.0)
        dy = np.where(M, Y - ybar[:, None], 0.0)
        sxx = (dx * dx).sum(axis=1)
        sxy = (dx * dy).sum(axis=1)
        syy = (dy * dy).sum(axis=1)
        slope = np.where(sxx > 0, sxy / sxx, np.nan)
        resid = np.where(M, dy - slope[:, None] * dx, 0.0)
        ssr = (resid * resid).sum(axis=1)
        dof = n - 2
        ok = (dof >= 1) & (sxx > 0)
        se = np.where(ok, np.sqrt(ssr / np.where(ok, dof, 1) / sxx), np.nan)
        t = slope / se
        p = np.where(ok, 2.0 * stats.t.sf(np.abs(t), np.where(ok, dof, 1)), np.nan)
        tcrit = np.where(ok, stats.t.ppf(1 - alpha / 2, np.where(ok, dof, 1)), np.nan)
        lo = slope - tcrit * se
        hi = slope + tcrit * se
    return OLSBatch(
        n=n,
        slope=slope,
        intercept_at_mean=ybar,
        se=se,
        ci_low=lo,
        ci_high=hi,
        p=p,
        xbar=xbar,
        ybar=ybar,
        sxx=sxx,
        sxy=sxy,
        syy=syy,
        ssr=ssr,
    )


@dataclass
class MKBatch:
    n: np.ndarray
    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray
    tie_term: np.ndarray


def _pairs(T: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(T, 1)


def tie_term_batch(Y: np.ndarray) -> np.ndarray:
    """Σ over groups of tied values of t(t−1)(2t+5), per row (NaN cells ignored)."""
    M = np.isfinite(Y)
    eq = Y[:, :, None] == Y[:, None, :]  # NaN never equals anything
    cnt = eq.sum(axis=2).astype(float)  # group size seen from each present cell
    per_cell = np.where(M, (cnt - 1.0) * (2.0 * cnt + 5.0), 0.0)
    return per_cell.sum(axis=1)  # each group of size t adds t·(t−1)(2t+5)


def mann_kendall_batch(Y: np.ndarray) -> MKBatch:
    """Mann–Kendall test for each row of ``Y`` (columns in time order, NaN = missing)."""
    Y = np.asarray(Y, dtype=float)
    M = np.isfinite(Y)
    n = M.sum(axis=1).astype(float)
    T = Y.shape[1]
    iu, ju = _pairs(T)
    with np.errstate(invalid="ignore"):
        D = Y[:, ju] - Y[:, iu]
    s = np.where(np.isfinite(D), np.sign(D), 0.0).sum(axis=1)
    tie = tie_term_batch(Y) if T else np.zeros(len(Y))
    var_s = (n * (n - 1) * (2 * n + 5) - tie) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var_s), np.where(s < 0, (s + 1) / np.sqrt(var_s), 0.0))
        p = 2.0 * stats.norm.sf(np.abs(z))
        tau = s / (n * (n - 1) / 2.0)
    enough = n >= 2
    nan = np.nan
    return MKBatch(
        n=n.astype(int),
        s=np.where(enough, s, nan),
        var_s=np.where(enough, var_s, nan),
        z=np.where(enough, z, nan),
        p=np.where(enough, p, nan),
        tau=np.where(enough, tau, nan),
        tie_term=tie,
    )


@dataclass
class TheilSenBatch:
    slope: np.ndarray
    low: np.ndarray
    high: np.ndarray


def theil_sen_batch(
    x: np.ndarray, Y: np.ndarray, alpha: float = ALPHA, tie_term: np.ndarray | None = None
) -> TheilSenBatch:
    """Theil–Sen slope and its confidence interval, as ``scipy.stats.theilslopes`` computes them.

    ``x`` must be strictly increasing (years), so there are no ties in x.
    """
    Y = np.asarray(Y, dtype=float)
    x = np.asarray(x, dtype=float)
    T = Y.shape[1]
    R = Y.shape[0]
    if T < 2:
        nan = np.full(R, np.nan)
        return TheilSenBatch(nan, nan.copy(), nan.copy())
    iu, ju = _pairs(T)
    with np.errstate(invalid="ignore"):
        slopes = (Y[:, ju] - Y[:, iu]) / (x[ju] - x[iu])[None, :]
    slopes.sort(axis=1)  # NaN to the end
    nt = np.isfinite(slopes).sum(axis=1)
    rows = np.arange(R)
    lo_i = np.maximum((nt - 1) // 2, 0)
    hi_i = np.maximum(nt // 2, 0)
    ok = nt >= 1
    a = slopes[rows, np.minimum(lo_i, slopes.shape[1] - 1)]
    b = slopes[rows, np.minimum(hi_i, slopes.shape[1] - 1)]
    med = np.where(ok, np.where(lo_i == hi_i, a, (a + b) / 2.0), np.nan)
    # confidence interval: Sen (1968) eq. 2.6 (no ties in x)
    n = np.isfinite(Y).sum(axis=1).astype(float)
    if tie_term is None:
        tie_term = tie_term_batch(Y)
    sigsq = (n * (n - 1) * (2 * n + 5) - tie_term) / 18.0
    alpha_ = 1.0 - alpha if alpha > 0.5 else alpha
    zc = stats.norm.ppf(alpha_ / 2.0)
    with np.errstate(invalid="ignore"):
        sigma = np.sqrt(sigsq)
        ru = np.round((nt - zc * sigma) / 2.0)
        rl = np.round((nt + zc * sigma) / 2.0) - 1
    good = ok & np.isfinite(sigma)
    ru = np.where(good, np.minimum(ru, nt - 1), 0).astype(int)
    rl = np.where(good, np.maximum(rl, 0), 0).astype(int)
    # scipy raises IndexError (-> NaN) when an index falls outside the slopes
    good &= (ru >= 0) & (ru < nt) & (rl >= 0) & (rl < nt)
    low = np.where(good, slopes[rows, np.clip(rl, 0, slopes.shape[1] - 1)], np.nan)
    high = np.where(good, slopes[rows, np.clip(ru, 0, slopes.shape[1] - 1)], np.nan)
    return TheilSenBatch(slope=med, low=low, high=high)


# --------------------------------------------------------------------------------------------
# single-series conveniences (same code path as the batch, for notebooks and tests)
# --------------------------------------------------------------------------------------------


def _one(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    order = np.argsort(x, kind="mergesort")
    return x[order], y[order][None, :]


def mann_kendall(y) -> dict:
    """Mann–Kendall test of one series in time order (NaN values are dropped)."""
    y = np.asarray(y, dtype=float)
    r = mann_kendall_batch(y[np.isfinite(y)][None, :])
    return {
        "n": int(r.n[0]),
        "s": float(r.s[0]),
        "var_s": float(r.var_s[0]),
        "z": float(r.z[0]),
        "p": float(r.p[0]),
        "tau": float(r.tau[0]),
    }


def ols_trend(x, y, alpha: float = ALPHA) -> dict:
    xs, Y = _one(x, y)
    r = ols_batch(xs, Y, alpha)
    return {
        "n": int(r.n[0]),
        "slope": float(r.slope[0]),
        "se": float(r.se[0]),
        "ci_low": float(r.ci_low[0]),
        "ci_high": float(r.ci_high[0]),
        "p": float(r.p[0]),
    }


def theil_sen(x, y, alpha: float = ALPHA) -> dict:
    xs, Y = _one(x, y)
    r = theil_sen_batch(xs, Y, alpha)
    return {"slope": float(r.slope[0]), "low": float(r.low[0]), "high": float(r.high[0])}


def verdict_from_mk(
    direction: str,
    mk_p: float,
    mk_s: float,
    n: int,
    alpha: float = ALPHA,
    band_known: bool = True,
    min_points: int = MIN_POINTS,
) -> str:
    """The direction-aware verdict rule for one series (see the module docstring).

    For target-band KPIs pass the Mann–Kendall result of the *distance from the band*.
    """
    if n < min_points:
        return "not_assessed"
    if direction not in ("higher_is_better", "lower_is_better", "binary", "target_band"):
        return "no_direction"
    if direction == "target_band" and not band_known:
        return "no_direction"
    if not (np.isfinite(mk_p) and mk_p < alpha) or mk_s == 0:
        return "no_clear_trend"
    good_up = direction in ("higher_is_better", "binary")
    up = mk_s > 0
    if direction == "target_band":
        return "improving" if not up else "worsening"
    return "improving" if up == good_up else "worsening"


# --------------------------------------------------------------------------------------------
# all series at once
# --------------------------------------------------------------------------------------------


def compute_trends(
    grid: SeriesGrid, bands: pd.DataFrame | None = None, alpha: float = ALPHA, min_points: int = MIN_POINTS
) -> pd.DataFrame:
    """Trend table for every series of ``grid`` (columns: :data:`TREND_COLUMNS`).

    ``bands`` (optional) holds ``band_low``/``band_high`` aligned with ``grid.index`` and is used
    for target-band KPIs.
    """
    idx = grid.index
    Y = grid.Y
    x = grid.years.astype(float)
    M = np.isfinite(Y)
    n = M.sum(axis=1)
    fi, li = first_index(M), latest_index(M)
    first_year = np.where(fi >= 0, x[np.clip(fi, 0, None)] if len(x) else np.nan, np.nan)
    last_year = np.where(li >= 0, x[np.clip(li, 0, None)] if len(x) else np.nan, np.nan)
    first_value, last_value = take(Y, fi), take(Y, li)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(n >= 2, (last_value - first_value) / (last_year - first_year), np.nan)

    ols = ols_batch(x, Y, alpha)
    mk = mann_kendall_batch(Y)
    ts = theil_sen_batch(x, Y, alpha, tie_term=mk.tie_term)
    assessed = n >= min_points

    def gate(a):
        return np.where(assessed, a, np.nan)

    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(assessed & (ols.ybar != 0), 100.0 * ols.slope / np.abs(ols.ybar), np.nan)

    direction = idx["direction"].to_numpy()
    if bands is not None:
        bl = bands["band_low"].to_numpy(dtype=float)
        bh = bands["band_high"].to_numpy(dtype=float)
    else:
        bl = bh = np.full(len(idx), np.nan)
    is_band = direction == "target_band"
    band_known = has_band(bl, bh)
    # Mann–Kendall on the distance from the band for target-band KPIs with a band: the verdict and the
    # mk_* columns of those rows come from that test (the method column says so); OLS and Theil–Sen
    # still describe the values themselves
    mk_tau, mk_z, mk_s_verdict, mk_p_verdict = mk.tau.copy(), mk.z.copy(), mk.s.copy(), mk.p.copy()
    sel = np.flatnonzero(is_band & band_known & assessed)
    if len(sel):
        D = band_distance(Y[sel], bl[sel, None], bh[sel, None])
        mkd = mann_kendall_batch(D)
        mk_s_verdict[sel], mk_p_verdict[sel], mk_tau[sel], mk_z[sel] = mkd.s, mkd.p, mkd.tau, mkd.z

    good_up = np.isin(direction, ["higher_is_better", "binary"])
    good_down = direction == "lower_is_better"
    sig = assessed & np.isfinite(mk_p_verdict) & (mk_p_verdict < alpha) & (mk_s_verdict != 0)
    up = mk_s_verdict > 0
    verdict = np.select(
        [
            ~assessed,
            ~(good_up | good_down | (is_band & band_known)),
            ~sig,
            (good_up & up) | (good_down & ~up) | (is_band & ~up),
        ],
        ["not_assessed", "no_direction", "no_clear_trend", "improving"],
        default="worsening",
    ).astype(object)

    reason = np.where(n == 0, idx["reason_empty"].to_numpy(), np.where(~assessed, "too_few_points", "")).astype(object)
    method = np.where(~assessed, METHOD_DESCRIPTIVE, np.where(is_band & band_known, METHOD_BAND, METHOD_FULL)).astype(
        object
    )
    note_dir = np.where(
        assessed & (direction == "unknown"),
        "direction_unknown",
        np.where(assessed & is_band & ~band_known, "no_band", ""),
    ).astype(object)
    note_mean = np.where(assessed & (ols.ybar == 0), "mean_zero", "").astype(object)
    note_const = np.where(assessed & (ols.syy == 0), "constant_series", "").astype(object)
    note_supp = np.where((idx["n_suppressed"].to_numpy() > 0) & (n > 0), "some_suppressed", "").astype(object)
    note = join_codes(note_dir, note_mean, note_const, note_supp)

    out = pd.DataFrame(
        {
            "unit_code": idx["unit_code"].to_numpy(),
            "kpi_id": idx["kpi_id"].to_numpy(),
            "n_points": n.astype(int),
            "first_year": int_or_na(first_year),
            "last_year": int_or_na(last_year),
            "first_value": first_value,
            "last_value": last_value,
            "change_per_year": change,
            "ols_slope": gate(ols.slope),
            "ols_ci_low": gate(ols.ci_low),
            "ols_ci_high": gate(ols.ci_high),
            "ols_p": gate(ols.p),
            "rel_change_per_year": rel,
            "theil_sen_slope": gate(ts.slope),
            "theil_sen_low": gate(ts.low),
            "theil_sen_high": gate(ts.high),
            "mk_tau": gate(mk_tau),
            "mk_p": gate(mk_p_verdict),
            "verdict": verdict,
            "method": method,
            "reason": reason,
            "direction": direction,
            "mk_s": gate(mk_s_verdict),
            "mk_z": gate(mk_z),
            "n_suppressed": idx["n_suppressed"].to_numpy().astype(int),
            "note": note,
        }
    )
    return out[TREND_COLUMNS]
