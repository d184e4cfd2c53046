"""Shared plumbing of the statistics layer: clean observations, the series grid, targets, reasons.

Every statistic in ``analysis.stats.trends``, ``analysis.stats.status``, ``analysis.stats.progress`` and
``analysis.stats.compare`` reads its inputs through the helpers here, so that the rules about missing
and suppressed values live in one place:

* a value enters a computation only if it is a finite number **and** its status symbol is not one
  of SSB's "no value" symbols (``.``, ``..``, ``:``, ``...``); such a cell is never turned into zero
  and never back-calculated;
* only years ``<= report_year`` (and ``>= first_year`` when given) are used;
* a unit × KPI × year that occurs more than once keeps the row with the latest ``vintage``
  (ties: a row with a usable value wins, then the last ``source`` in sort order), so a revised
  publication supersedes an older one, including when the revision suppresses the cell.

Results that could not be computed carry a machine code in ``reason`` (see :data:`REASONS` for the
English text); ``reason`` is ``""`` when the row's main result was computed. Secondary gaps (for
example no county figure in a comparison) are listed in ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.schema import SUPPRESSED, TARGET_COLUMNS
from analysis.core.settings import MethodSettings

#: SSB symbols that mean "there is no value here" (not applicable, missing, confidential, not yet).
MISSING_SYMBOLS = SUPPRESSED
SUPPRESSED_SYMBOLS = frozenset({":"})
NOT_APPLICABLE_SYMBOLS = frozenset({"."})

#: Default significance level of every test (two-sided); params/methods.yaml sets it for a report.
ALPHA = MethodSettings.alpha

#: Machine reason codes and their English text. Norwegian texts live in ``analysis.pages.text_nb``.
REASONS: dict[str, str] = {
    "": "",
    "no_data": "No observations for this unit and indicator.",
    "suppressed": "The values are suppressed (confidential, ':'); nothing is computed from them.",
    "missing": "The values are missing ('..' or empty).",
    "not_applicable": "The indicator is not applicable here ('.').",
    "too_few_points": "Too few years with values for this method.",
    "no_direction": "The indicator's normative direction is unknown.",
    "no_band": "Target-band indicator without a band (band_low/band_high or target).",
    "no_target": "No target is set for this unit and indicator.",
    "no_base_year": "No value in or after the base year.",
    "mixed_signs": "Values (or the target) have different signs: a growth rate is not defined.",
    "zero_variance": "All values are equal: the spread is zero.",
    "target_not_positive": "The target is zero or negative: percent of target is not defined.",
    "value_not_positive": "The value is zero or negative where the formula needs a positive value.",
    "no_value_in_year": "No value for this unit in the comparison year.",
    "not_in_units": "The unit is not in the units table (type unknown): no comparison group.",
    "no_group": "No comparison group (no other network members of this type with data).",
    "no_group_data": "The comparison group has too few data points for a slope.",
    "too_few_units": "Too few units with data for this method.",
    "fit_failed": "The model could not be fitted.",
    "not_converged": "The model fit did not converge; no estimate is reported.",
    "singular_fit": "The model fit is singular (standard errors undefined); no estimate is reported.",
    "target_year_not_after_base": "The target year is not after the base year.",
    "band_kpi": "Growth classes without a target do not apply to a target-band indicator; "
    "see the methods with a target.",
    "overshot_band": "The value went past the whole target band and is now nearer to it than at the base; "
    "growth towards one edge of the band says nothing about that.",
    "not_computed": "Not computed.",
}

UNIT_COLUMNS = ("unit_code", "name", "type", "county_code", "peer_group", "is_member")


def reason_text(codes: pd.Series) -> pd.Series:
    """English text for a column of reason codes (``"a;b"`` lists are joined with a space)."""
    codes = codes.fillna("").astype(str)
    texts = {c: " ".join(REASONS.get(p, p) for p in c.split(";")) if c else "" for c in codes.unique()}
    return codes.map(texts)


# --------------------------------------------------------------------------------------------
# observations
# --------------------------------------------------------------------------------------------


def prepare_observations(observations: pd.DataFrame, report_year: int, first_year: int | None = None) -> pd.DataFrame:
    """Normalise types, keep the years in the window, de-duplicate, and flag usable values.

    Returns the rows with columns ``unit_code, kpi_id, year, value, status, usable`` where
    ``usable`` is True exactly when ``value`` is finite and ``status`` is not a no-value symbol.
    Unusable rows are kept (they explain *why* a result is missing) but their ``value`` is NaN.
    """
    need = ("unit_code", "year", "kpi_id", "value")
    missing = [c for c in need if c not in observations.columns]
    if missing:
        raise InputError(None, f"observations lack column(s) {missing}", field=missing[0])
    df = pd.DataFrame(
        {
            "unit_code": observations["unit_code"].astype(str).to_numpy(),
            "kpi_id": observations["kpi_id"].astype(str).to_numpy(),
            "year": pd.to_numeric(observations["year"], errors="coerce").to_numpy(),
            "value": pd.to_numeric(observations["value"], errors="coerce").astype(float).to_numpy(),
        }
    )
    if "status" in observations.columns:
        df["status"] = observations["status"].fillna("").astype(str).str.strip().to_numpy()
    else:
        df["status"] = ""
    df["vintage"] = (
        observations["vintage"].fillna("").astype(str).to_numpy() if "vintage" in observations.columns else ""
    )
    df["source"] = observations["source"].fillna("").astype(str).to_numpy() if "source" in observations.columns else ""
    bad_year = ~np.isfinite(df["year"].to_numpy(dtype=float))
    if bad_year.any():
        row = int(np.flatnonzero(bad_year)[0]) + 2
        raise InputError(None, "observations: year is not a number", row=row, field="year")
    df["year"] = df["year"].astype(int)
    keep = df["year"] <= int(report_year)
    if first_year is not None:
        keep &= df["year"] >= int(first_year)
    df = df.loc[keep]
    usable = np.isfinite(df["value"].to_numpy()) & ~df["status"].isin(MISSING_SYMBOLS).to_numpy()
    df = df.assign(usable=usable)
    if df.duplicated(["unit_code", "kpi_id", "year"]).any():
        df = df.sort_values(
            ["unit_code", "kpi_id", "year", "vintage", "usable", "source"], kind="mergesort"
        ).drop_duplicates(["unit_code", "kpi_id", "year"], keep="last")
    df.loc[~df["usable"], "value"] = np.nan
    return df[["unit_code", "kpi_id", "year", "value", "status", "usable"]].reset_index(drop=True)


def _as_bool(col: pd.Series) -> np.ndarray:
    """Booleans from bools, 0/1 or text ("true"/"false", "ja"/"nei"); missing is False."""
    if col.dtype == bool:
        return col.to_numpy()
    text = col.astype(object).where(col.notna(), "false").astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes", "ja", "y", "j"]).to_numpy()


def prepare_units(units: pd.DataFrame | None) -> pd.DataFrame:
    """The units table with the documented column types; absent optional columns are filled."""
    if units is None:
        units = pd.DataFrame(columns=list(UNIT_COLUMNS))
    if "unit_code" not in units.columns:
        raise InputError(None, "units lack column 'unit_code'", field="unit_code")
    u = pd.DataFrame({"unit_code": units["unit_code"].astype(str).to_numpy()})
    for col in ("name", "type", "county_code", "peer_group"):
        u[col] = units[col].fillna("").astype(str).to_numpy() if col in units.columns else ""
    u["is_member"] = _as_bool(units["is_member"]) if "is_member" in units.columns else False
    if u["unit_code"].duplicated().any():
        dup = u.loc[u["unit_code"].duplicated(), "unit_code"].iloc[0]
        raise InputError(None, f"units: duplicate unit_code {dup!r}", field="unit_code")
    return u.reset_index(drop=True)


def kpi_directions(catalog: pd.DataFrame) -> dict[str, str]:
    return dict(zip(catalog["kpi_id"].astype(str), catalog["direction"].astype(str)))


def kpi_natural_limits(catalog: pd.DataFrame) -> dict[str, float]:
    """Natural limits used by the Statistics Canada factor C (our reading of the catalog units).

    A KPI measured in percent (its unit starts with ``%``) has a maximum of 100; if lower is better,
    its minimum 0 is the relevant limit. Everything else has no limit (C = 1). The optional targets
    column ``natural_limit`` overrides this per unit and KPI.
    """
    out: dict[str, float] = {}
    units = catalog["unit"].astype(str) if "unit" in catalog.columns else pd.Series("", index=catalog.index)
    for kpi, unit, direction in zip(catalog["kpi_id"].astype(str), units, catalog["direction"].astype(str)):
        if unit.strip().startswith("%"):
            out[kpi] = 100.0 if direction == "higher_is_better" else 0.0
    return out


# --------------------------------------------------------------------------------------------
# the series grid: one row per unit × KPI, one column per year
# --------------------------------------------------------------------------------------------


@dataclass
class SeriesGrid:
    """All unit × KPI series as a padded matrix (NaN where there is no usable value)."""

    index: pd.DataFrame  # unit_code, kpi_id, direction, n_rows, n_suppressed, ...
    years: np.ndarray  # the year of each column, ascending
    Y: np.ndarray  # shape (n_series, n_years), NaN = no usable value

    @property
    def mask(self) -> np.ndarray:
        return np.isfinite(self.Y)


def build_grid(
    obs: pd.DataFrame, catalog: pd.DataFrame, units: pd.DataFrame | None = None, complete: bool = True
) -> SeriesGrid:
    """Build the series grid from prepared observations.

    The series are every unit × KPI pair that occurs in the observations, plus (``complete``) every
    unit of the units table × every KPI of the catalog, so that a page can say "no data" instead of
    silently leaving a KPI out. ``reason_empty`` tells why a series has no usable value at all.
    """
    pairs = obs[["unit_code", "kpi_id"]].drop_duplicates()
    if complete and units is not None and len(units) and len(catalog):
        grid = pd.MultiIndex.from_product(
            [units["unit_code"].astype(str).unique(), catalog["kpi_id"].astype(str).unique()],
            names=["unit_code", "kpi_id"],
        ).to_frame(index=False)
        pairs = pd.concat([pairs, grid], ignore_index=True).drop_duplicates()
    index = pairs.sort_values(["unit_code", "kpi_id"], kind="mergesort").reset_index(drop=True)
    directions = kpi_directions(catalog)
    index["direction"] = index["kpi_id"].map(directions).fillna("unknown")

    usable = obs.loc[obs["usable"]]
    years = np.sort(usable["year"].unique()).astype(int) if len(usable) else np.array([], dtype=int)
    Y = np.full((len(index), len(years)), np.nan)
    key = pd.MultiIndex.from_frame(index[["unit_code", "kpi_id"]])
    if len(usable):
        rows = key.get_indexer(pd.MultiIndex.from_frame(usable[["unit_code", "kpi_id"]]))
        cols = np.searchsorted(years, usable["year"].to_numpy())
        Y[rows, cols] = usable["value"].to_numpy()

    # why a series may be empty: counts of the unusable rows by kind
    rows_all = key.get_indexer(pd.MultiIndex.from_frame(obs[["unit_code", "kpi_id"]]))
    n = len(index)
    index["n_rows"] = np.bincount(rows_all, minlength=n)
    st = obs["status"].to_numpy()
    unusable = ~obs["usable"].to_numpy()
    index["n_suppressed"] = np.bincount(
        rows_all, weights=(unusable & np.isin(st, list(SUPPRESSED_SYMBOLS))), minlength=n
    ).astype(int)
    index["n_not_applicable"] = np.bincount(
        rows_all, weights=(unusable & np.isin(st, list(NOT_APPLICABLE_SYMBOLS))), minlength=n
    ).astype(int)
    index["n_unusable"] = np.bincount(rows_all, weights=unusable, minlength=n).astype(int)
    index["reason_empty"] = empty_reason(
        index["n_rows"].to_numpy(), index["n_suppressed"].to_numpy(), index["n_not_applicable"].to_numpy()
    )
    return SeriesGrid(index=index, years=years, Y=Y)


def empty_reason(n_rows: np.ndarray, n_suppressed: np.ndarray, n_not_applicable: np.ndarray) -> np.ndarray:
    """Reason code for a series (or cell set) without any usable value."""
    return np.select(
        [n_rows == 0, n_suppressed > 0, n_not_applicable > 0],
        ["no_data", "suppressed", "not_applicable"],
        default="missing",
    ).astype(object)


# --------------------------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------------------------


def prepare_targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    """The targets table with documented types; duplicate (kpi_id, unit_code) rows are refused."""
    cols = list(TARGET_COLUMNS) + ["natural_limit", "c_factor"]
    if targets is None or len(targets) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("kpi_id", "unit_code") else float) for c in cols})
    if "kpi_id" not in targets.columns:
        raise InputError(None, "targets lack column 'kpi_id'", field="kpi_id")
    t = pd.DataFrame({"kpi_id": targets["kpi_id"].astype(str).to_numpy()})
    t["unit_code"] = (
        targets["unit_code"].fillna("").astype(str).str.strip().to_numpy() if "unit_code" in targets.columns else ""
    )
    for c in ("target", "target_year", "band_low", "band_high", "natural_limit", "c_factor"):
        t[c] = pd.to_numeric(targets[c], errors="coerce").astype(float).to_numpy() if c in targets.columns else np.nan
    dup = t.duplicated(["kpi_id", "unit_code"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            None,
            f"targets: more than one row for kpi {t['kpi_id'].iat[i]!r} and unit {t['unit_code'].iat[i]!r}",
            row=i + 2,
            field="unit_code",
        )
    return t


def resolve_targets(
    index: pd.DataFrame,
    targets: pd.DataFrame,
    units: pd.DataFrame,
    default_target_year: int,
    natural_limits: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Per series: the target that applies, its year, band and scope.

    A local row (``unit_code`` = the unit) wins over the network default (``unit_code`` = ""), which
    applies to network members only. A target-band KPI whose band is not given but which has a
    target uses the band [target, target]. ``target_scope`` is "local", "network" or "".
    """
    out = index[["unit_code", "kpi_id"]].copy()
    members = set(units.loc[units["is_member"], "unit_code"])
    local = targets.loc[targets["unit_code"] != ""].set_index(["unit_code", "kpi_id"])
    network = targets.loc[targets["unit_code"] == ""].set_index("kpi_id")
    key = pd.MultiIndex.from_frame(out[["unit_code", "kpi_id"]])
    li = local.index.get_indexer(key) if len(local) else np.full(len(out), -1)
    ni = network.index.get_indexer(out["kpi_id"]) if len(network) else np.full(len(out), -1)
    is_member = out["unit_code"].isin(members).to_numpy()
    use_local = li >= 0
    use_net = (~use_local) & (ni >= 0) & is_member
    cols = ("target", "target_year", "band_low", "band_high", "natural_limit", "c_factor")
    for c in cols:
        vals = np.full(len(out), np.nan)
        if len(local):
            vals[use_local] = local[c].to_numpy()[li[use_local]]
        if len(network):
            vals[use_net] = network[c].to_numpy()[ni[use_net]]
        out[c] = vals
    has_row = use_local | use_net
    # a row without target and without band is no target at all
    no_value = ~np.isfinite(out["target"]) & ~np.isfinite(out["band_low"]) & ~np.isfinite(out["band_high"])
    has = has_row & ~no_value.to_numpy()
    out["target_scope"] = np.where(has & use_local, "local", np.where(has & use_net, "network", ""))
    out.loc[~has, ["target", "target_year", "band_low", "band_high"]] = np.nan
    ty = out["target_year"].to_numpy()
    out["target_year"] = np.where(has & ~np.isfinite(ty), float(default_target_year), ty)
    # target band KPIs: band from target when not given
    is_band = (index["direction"] == "target_band").to_numpy()
    bl, bh, tg = out["band_low"].to_numpy(), out["band_high"].to_numpy(), out["target"].to_numpy()
    out["band_low"] = np.where(is_band & ~np.isfinite(bl) & ~np.isfinite(bh), tg, bl)
    out["band_high"] = np.where(is_band & ~np.isfinite(bl) & ~np.isfinite(bh), tg, bh)
    # natural limit: targets column wins, else the catalog-derived default
    if natural_limits:
        default_lim = out["kpi_id"].map(natural_limits).astype(float).to_numpy()
        nl = out["natural_limit"].to_numpy()
        out["natural_limit"] = np.where(np.isfinite(nl), nl, default_lim)
    return out


def band_distance(values: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Distance of each value from the band [low, high] (0 inside; a missing edge is open)."""
    values = np.asarray(values, dtype=float)
    lo = np.where(np.isfinite(low), low, -np.inf)
    hi = np.where(np.isfinite(high), high, np.inf)
    with np.errstate(invalid="ignore"):
        d = np.maximum(np.maximum(lo - values, values - hi), 0.0)
    return np.where(np.isfinite(values), d, np.nan)


def has_band(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.isfinite(low) | np.isfinite(high)


def join_codes(*codes: np.ndarray) -> np.ndarray:
    """Element-wise join of code arrays with ';', skipping empty codes."""
    joined = [";".join(c for c in row if c) for row in zip(*codes)]
    return np.array(joined, dtype=object) if joined else np.empty(0, dtype=object)


def latest_index(mask: np.ndarray) -> np.ndarray:
    """Column index of the last True per row (-1 where none)."""
    if mask.shape[1] == 0:
        return np.full(mask.shape[0], -1)
    rev = mask[:, ::-1]
    last = mask.shape[1] - 1 - rev.argmax(axis=1)
    return np.where(mask.any(axis=1), last, -1)


def first_index(mask: np.ndarray) -> np.ndarray:
    """Column index of the first True per row (-1 where none)."""
    if mask.shape[1] == 0:
        return np.full(mask.shape[0], -1)
    first = mask.argmax(axis=1)
    return np.where(mask.any(axis=1), first, -1)


def take(Y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Y[i, idx[i]] per row, NaN where idx < 0."""
    if Y.shape[1] == 0:
        return np.full(Y.shape[0], np.nan)
    safe = np.where(idx >= 0, idx, 0)
    vals = Y[np.arange(Y.shape[0]), safe]
    return np.where(idx >= 0, vals, np.nan)


def int_or_na(values: np.ndarray) -> pd.Series:
    """A nullable integer column from floats with NaN."""
    return pd.array(np.where(np.isfinite(values), values, np.nan), dtype="Float64").astype("Int64")
