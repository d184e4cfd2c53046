"""Derived indicators: per-inhabitant rates and shares computed from series the project holds.

A network has emissions in tonnes and the population per municipality; the comparable number is the
emissions per 1 000 inhabitants. An own indicator with a ``formula`` (``params/indicators.yaml``, see
:mod:`analysis.reference.indicators`) is computed here once, for every unit and year at once:

- ``per_1000_inhabitants`` / ``per_100000_inhabitants``: source value / population × factor, with the
  population of the same unit and year (1 January) from the project's population facts
  (``data/reference/population.csv``, SSB 07459 in the report's borders, and, where the project holds the
  whole series, ``data/reference/population_series.csv`` from ``python -m analysis population … --series``);
- ``share``: 100 × numerator / denominator of the same unit and year.

A value that cannot be computed (no population for its year, a missing or suppressed source value, a zero
denominator) is never a silent gap: it becomes a row with no value, SSB's ``..`` (missing) and the reason in
``note``, which the member's page lists under its table (:func:`left_out`). Each computed row's ``source``
states the formula and where the population comes from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.inputs import read_csv_frame
from analysis.core.schema import OBSERVATION_COLUMNS
from analysis.reference.indicators import PER_INHABITANTS, parse_formula

POPULATION_SOURCE = "SSB, tabell 07459, folkemengde 1. januar"
#: The rows a left-out value carries: no value, SSB's "missing", and why in ``note``.
LEFT_OUT_STATUS = ".."


def population_table(folder: Path | None = None) -> pd.DataFrame:
    """Population per unit and year (``unit_code, year, population, source``): the series file where there is
    one, the latest-year facts otherwise; a year in both takes the series' figure."""
    folder = Path(folder or config.REFERENCE_DIR)
    parts = []
    for name in ("population_series.csv", "population.csv"):
        path = folder / name
        if not path.is_file():
            continue
        t = read_csv_frame(path, "the population facts")
        missing = [c for c in ("unit_code", "year", "population") if c not in t.columns]
        if missing:
            raise InputError(path, f"missing columns {missing}", row=1, field=missing[0])
        for col in ("year", "population"):
            bad = ~t[col].str.fullmatch(r"[0-9]+")
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0]) + 2
                raise InputError(path, f"{t[col][bad].iloc[0]!r} is not a whole number", row=row, field=col)
        src = t["source"] if "source" in t.columns else POPULATION_SOURCE
        parts.append(
            pd.DataFrame(
                {
                    "unit_code": t["unit_code"],
                    "year": t["year"].astype("int64"),
                    "population": t["population"].astype(float),
                    "source": src,
                }
            )
        )
    if not parts:
        return pd.DataFrame({"unit_code": [], "year": [], "population": [], "source": []}).astype(
            {"unit_code": str, "year": "int64", "population": float, "source": str}
        )
    return pd.concat(parts, ignore_index=True).drop_duplicates(["unit_code", "year"], keep="first")


def needs_population(catalog: pd.DataFrame) -> bool:
    """Whether a declared formula divides by the population (``per_…_inhabitants``)."""
    if "formula" not in catalog.columns:
        return False
    kinds = [parse_formula(f)[0] for f in catalog["formula"].fillna("") if f]
    return any(kind in PER_INHABITANTS for kind in kinds)


def population_for(catalog: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame | None:
    """The population the per-inhabitant formulas divide by: the members' series computed in the same run
    from the StatBank 07459 exports where the project has them (so a new member needs no separate
    command), then the files in ``data/reference``; ``None`` when no formula needs it."""
    if not needs_population(catalog):
        return None
    from analysis.process.population import exports_folder, population_series

    files = population_table()
    if not exports_folder().is_dir():
        return files
    series = population_series(exports_folder(), units)
    return pd.concat([series, files], ignore_index=True).drop_duplicates(["unit_code", "year"], keep="first")


def derive(obs: pd.DataFrame, catalog: pd.DataFrame, population: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of every derived indicator of ``catalog`` (those with a ``formula``), vectorised per formula:
    observation columns plus ``note`` (the reason where a value is left out, else the source row's note)."""
    population = population_table() if population is None else population
    cols = [*OBSERVATION_COLUMNS, "note"]
    if "formula" not in catalog.columns:
        return pd.DataFrame(columns=cols)
    formulas = catalog.loc[catalog["formula"].fillna("") != ""]
    if formulas.empty:
        return pd.DataFrame(columns=cols)
    names = catalog.set_index("kpi_id")["name_nb"].to_dict()
    note = obs["note"] if "note" in obs.columns else pd.Series("", index=obs.index)
    base = obs.assign(note=note.fillna(""))
    pop = population.set_index(["unit_code", "year"])
    parts = []
    for kpi in formulas.itertuples(index=False):
        kind, series = parse_formula(kpi.formula)
        first = base.loc[base["kpi_id"] == series[0]]
        if kind == "share":
            den = base.loc[base["kpi_id"] == series[1], ["unit_code", "year", "value", "status", "source"]]
            rows = first.merge(den, on=["unit_code", "year"], how="outer", suffixes=("", "_den"))
            divisor = rows["value_den"].to_numpy(dtype=float)
            factor = 100.0
            reason = np.select(
                [rows["kpi_id"].isna(), rows["value"].isna(), rows["value_den"].isna(), divisor == 0],
                [
                    f"«{names.get(series[0], series[0])}» mangler for året",
                    f"«{names.get(series[0], series[0])}» mangler for året",
                    f"«{names.get(series[1], series[1])}» mangler for året",
                    f"«{names.get(series[1], series[1])}» er 0",
                ],
                "",
            )
            how = f"Beregnet: andel, {series[0]} / {series[1]} × 100"
        else:
            rows = first.copy()
            keys = pd.MultiIndex.from_arrays([rows["unit_code"], rows["year"]])
            divisor = pop["population"].reindex(keys).to_numpy(dtype=float)
            rows["pop_source"] = pop["source"].reindex(keys).to_numpy()
            factor = float(PER_INHABITANTS[kind])
            reason = np.select(
                [rows["value"].isna(), np.isnan(divisor), divisor == 0],
                [
                    f"«{names.get(series[0], series[0])}» mangler for året",
                    "folkemengden for året finnes ikke i prosjektets befolkningstall, SSB 07459",
                    "folkemengden er 0",
                ],
                "",
            )
            pop_source = rows["pop_source"].fillna(POPULATION_SOURCE)
            how = (
                f"Beregnet: {series[0]} / folkemengde × {factor:,.0f}".replace(",", " ")
                + " (folkemengde: "
                + pop_source
                + ")"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            value = rows["value"].to_numpy(dtype=float) / divisor * factor
        out_rows = reason != ""
        value[out_rows] = np.nan
        source_of = rows["source"].fillna(rows["source_den"] if "source_den" in rows else "")
        out = pd.DataFrame(
            {
                "unit_code": rows["unit_code"].to_numpy(),
                "year": rows["year"].astype("int64").to_numpy(),
                "kpi_id": kpi.kpi_id,
                "value": value,
                "status": np.where(out_rows, LEFT_OUT_STATUS, ""),
                "source": (how + "; " + source_of.astype(str)).to_numpy(),
                "vintage": rows["vintage"].fillna("").to_numpy(),
                "note": np.where(out_rows, "utelatt: " + pd.Series(reason, dtype=object), rows["note"].fillna("")),
            }
        )
        parts.append(out)
    return pd.concat(parts, ignore_index=True)[cols]


def left_out(obs: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """The derived values left out (no value, a reason in ``note``): kpi_id, unit_code, year, note."""
    derived = catalog.loc[catalog.get("formula", pd.Series("", index=catalog.index)).fillna("") != "", "kpi_id"]
    sel = (
        obs["kpi_id"].isin(derived)
        & obs["value"].isna()
        & obs.get("note", pd.Series("", index=obs.index)).fillna("").str.startswith("utelatt: ")
    )
    return obs.loc[sel, ["kpi_id", "unit_code", "year", "note"]]
