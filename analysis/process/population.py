"""Population of the network's members in the report's borders, from SSB StatBank 07459 exports.

Reads the exports (:mod:`analysis.ingest.statbank`), sums ages, drops the placeholder zeros of years a
code was not in use, and expresses every member in the borders of :data:`analysis.core.schema.BORDERS_YEAR`
(:func:`analysis.reference.geography.to_borders`). ``python -m analysis population`` prints it and
refreshes ``data/reference/population.csv``, the facts the page profiles show.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.schema import BORDERS_YEAR
from analysis.ingest.statbank import read_population_exports
from analysis.reference.geography import registry, strongest_status, to_borders
from analysis.reference.members import load_units


def population_totals(folder: str | Path, exports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Population summed over ages per code and year from the StatBank exports in ``folder`` (``exports``: those
    exports when they are already read, :func:`read_population_exports`; 824 000 rows take seconds to read).

    The exports list every region of their period with zeros in years it did not exist; those
    placeholder rows are dropped (a non-zero value for a code not in use is an error).
    """
    pop = read_population_exports(folder) if exports is None else exports
    pop = pop.assign(na=pop["value"].isna())
    tot = pop.groupby(["unit_code", "year"], as_index=False).agg(
        value=("value", "sum"), na=("na", "any"), source=("source", "first"), source_row=("source_row", "min")
    )
    tot.loc[tot["na"], "value"] = float("nan")  # one suppressed age makes the total unknown
    flagged = pop.loc[pop["status"].fillna("") != ""]
    symbols = flagged.groupby(["unit_code", "year"])["status"].agg(strongest_status)
    tot = tot.drop(columns="na").join(symbols, on=["unit_code", "year"])
    tot["status"] = tot["status"].fillna("")
    mun, _ = registry()
    spans = mun.set_index("code")[["valid_from_year", "valid_to_year"]]
    known = tot["unit_code"].isin(spans.index)
    if not known.all():
        raise InputError(
            folder, f"code {tot.loc[~known, 'unit_code'].iloc[0]!r} is not in the registry", field="region"
        )
    lo = tot["unit_code"].map(spans["valid_from_year"])
    hi = tot["unit_code"].map(spans["valid_to_year"])
    valid = (tot["year"] >= lo) & (tot["year"] <= hi)
    stray = tot.loc[~valid & (tot["value"] != 0)]
    if len(stray):
        r = stray.iloc[0]
        raise InputError(
            pop.attrs["file_of_year"][int(r["year"])],
            f"code {r['unit_code']} has {r['value']:.0f} persons in {r['year']}, a year it was not in use",
            row=int(r["source_row"]),
            field="region",
        )
    return tot.loc[valid].drop(columns="source_row").reset_index(drop=True)


def network_population(folder: str | Path, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The population of every network member per year in 2024 borders (Viken in its own 2020-23
    borders), with break/incomplete flags; the table the site shows next to per-capita KPIs.

    ``units`` (from ``load_units``) defaults to the configured ``params/network.yaml``; passing
    them lets a check of the real exports name its own network, whichever one is configured.

    Columns: unit_code, unit_name, year, value, status, components, kind, break, break_reason,
    incomplete, missing_components, borders.
    """
    return members_in_borders(population_totals(folder), units)


def members_in_borders(totals: pd.DataFrame, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`network_population` from totals already read (:func:`population_totals`): reading the exports
    takes seconds, so a caller that needs several tables reads them once."""
    tot = totals[["unit_code", "year", "value", "status"]]
    members = load_units() if units is None else units
    members = members.loc[members["is_member"]]
    parts = [to_borders(tot, BORDERS_YEAR, targets=members.loc[members["type"] == "kommune", "unit_code"].tolist())]
    for m in members.loc[members["type"] == "fylke"].itertuples(index=False):
        lo = int(m.valid_from) if pd.notna(m.valid_from) else 0
        hi = int(m.valid_to) if pd.notna(m.valid_to) else BORDERS_YEAR
        rows = tot.loc[(tot["year"] >= lo) & (tot["year"] <= hi)]
        res = to_borders(rows, min(hi, BORDERS_YEAR), level="county", targets=[m.unit_code])
        parts.append(res.loc[res["unit_code"] == m.unit_code])
    return pd.concat(parts, ignore_index=True)


POPULATION_SOURCE = "SSB, tabell 07459, folkemengde 1. januar"


def exports_folder() -> Path:
    """Where the build looks for the StatBank 07459 exports (``../shared/data/ssb-07459-population``)."""
    return config.SHARED_DATA_DIR / "ssb-07459-population"


def population_series(folder: str | Path, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The population of every member in every year of the exports, in 2024 borders, for the derived
    per-inhabitant indicators (columns unit_code, year, population, source). Only whole, unbroken figures:
    a figure from before a split (Ålesund's up to 2023, which still includes Haram) or one missing a part
    would divide the 2024 area's values by another area's population, so that year is left out (and said
    on the page) rather than computed wrong."""
    return whole_series(network_population(folder, units))


def whole_series(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`population_series` of a :func:`network_population` table."""
    ok = table["value"].notna() & ~table["break"].astype(bool) & ~table["incomplete"].astype(bool)
    table = table.loc[ok]
    return pd.DataFrame(
        {
            "unit_code": table["unit_code"].astype(str).to_numpy(),
            "year": table["year"].astype("int64").to_numpy(),
            "population": table["value"].astype("int64").to_numpy(),
            "source": POPULATION_SOURCE,
        }
    ).sort_values(["unit_code", "year"], ignore_index=True)


def latest_facts(table: pd.DataFrame) -> pd.DataFrame:
    """The latest population of every member of a :func:`network_population` table, as the facts the pages
    show (``python -m analysis population … --facts``).

    Columns: unit_code, year, population, note (Norwegian; says when the figure is from before a
    split, as Ålesund's 2023 figure that still includes Haram), source.
    """
    table = table.loc[table["value"].notna()].sort_values("year").groupby("unit_code").tail(1)
    note = table["break"].astype(bool).map({True: "gjelder kommunen før delingen i 2024 (brudd i serien)", False: ""})
    return pd.DataFrame(
        {
            "unit_code": table["unit_code"].to_numpy(),
            "year": table["year"].astype("int64").to_numpy(),
            "population": table["value"].astype("int64").to_numpy(),
            "note": note,
            "source": POPULATION_SOURCE,
        }
    ).sort_values("unit_code", ignore_index=True)


def with_population_facts(units: pd.DataFrame, folder: str | Path | None = None) -> pd.DataFrame:
    """``units`` with a population fact for every member the StatBank 07459 exports cover.

    A member that ``data/reference/population.csv`` does not list (a new member, or every municipality with
    ``members: all``) gets the latest figure of the exports, computed in the same run, so that its profile
    and the small-population line need no separate command. The file's figures stay where it has them;
    without the exports nothing changes (the profile then shows no population, as before).
    """
    folder = Path(folder or exports_folder())
    lacking = units["is_member"].astype(bool) & units["population"].isna()
    if not lacking.any() or not folder.is_dir():
        return units
    facts = latest_facts(network_population(folder, units.loc[lacking])).set_index("unit_code")
    rows = lacking & units["unit_code"].isin(facts.index)
    codes = units.loc[rows, "unit_code"]
    out = units.copy()
    for column, fact in (
        ("population", "population"),
        ("population_year", "year"),
        ("population_note", "note"),
        ("population_source", "source"),
    ):
        out.loc[rows, column] = facts.loc[codes, fact].to_numpy()
    return out
