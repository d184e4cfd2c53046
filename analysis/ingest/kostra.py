"""KOSTRA road-network workbooks (road length per municipality and road category, from NVDB).

Each workbook ``road_network_<year>.xlsx`` has the long sheet ``radvis per kommune og vegkat``
(exact km, one row per municipality and category, zero categories left out), ``radvis per
kommune`` (km per municipality), the wide sheet ``Tabell kommuner`` (whole km, every category) and
``Metadata`` (``Dato lagret``: the day the delivery was saved). The long sheet is the data; the
wide sheet fills in the categories it publishes as 0, and both are checked against each other
(wide = long rounded, within 0.5 km; long categories sum to the per-municipality total).

The municipality codes are those valid when the workbook was saved (the 2023 delivery, saved in
January 2024, uses the 2024 codes), so ``code_year`` is the year of ``Dato lagret``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, Problems
from analysis.core.schema import OBSERVATION_COLUMNS
from analysis.ingest.workbook import load_workbook, values_workbook

ROAD_CATEGORIES = {
    "E": "Europaveg",
    "R": "Riksveg",
    "F": "Fylkesveg",
    "K": "Kommunal veg",
    "P": "Privat veg",
    "S": "Skogsbilveg",
}
LONG_SHEET = "radvis per kommune og vegkat"
TOTAL_SHEET = "radvis per kommune"
WIDE_SHEET = "Tabell kommuner"
META_SHEET = "Metadata"
ROAD_KPI = "kostra/road_km"
TOLERANCE_KM = 0.5 + 1e-6


def _sheet(sheets: dict, name: str, columns: list[str], path: Path) -> pd.DataFrame:
    if name not in sheets:
        raise InputError(path, f"sheet {name!r} is missing (have {sorted(sheets)})", field=name)
    df = sheets[name]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(path, f"sheet {name!r} lacks columns {missing}", row=1, field=missing[0])
    return df


def _shown(v) -> str:
    """A cell as a person reads it: 301, -5, 'Oslo', an empty cell."""
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        return "an empty cell" if pd.isna(v) else f"{float(v):g}"
    return repr(v)


def _codes(df: pd.DataFrame, sheet: str, path: Path) -> pd.Series:
    """Municipality numbers as 4-character strings (Excel stores 301 for 0301)."""
    num = pd.to_numeric(df["kommune"], errors="coerce")
    bad = num.isna() | (num % 1 != 0) | (num < 101) | (num > 9999)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            path,
            f"sheet {sheet!r}: {_shown(df['kommune'].iloc[i])} is not a municipality number",
            row=i + 2,
            field="kommune",
        )
    return num.astype("int64").map(lambda n: f"{n:04d}")


def _lengths(df: pd.DataFrame, col: str, sheet: str, path: Path) -> pd.Series:
    num = pd.to_numeric(df[col], errors="coerce")
    bad = num.isna() | (num < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            path, f"sheet {sheet!r}: {_shown(df[col].iloc[i])} is not a non-negative length in km", row=i + 2, field=col
        )
    return num.astype("float64")


def read_road_network(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Tidy road lengths: unit_code, year, road_category, value (km), status, source, vintage,
    code_year, source_row (row in the long sheet, or in the wide sheet for its zero cells)."""
    path = Path(path)
    if year is None:
        m = re.search(r"(?<![0-9])(20[0-9][0-9])(?![0-9])", path.stem)
        if m is None:
            raise InputError(path, "no year in the file name; pass year=", field="year")
        year = int(m.group(1))
    wb, raw = load_workbook(path, "a KOSTRA workbook")
    problems = Problems()
    read = [name for name in (LONG_SHEET, TOTAL_SHEET, WIDE_SHEET, META_SHEET) if name in wb.sheetnames]
    numbers = {"kommune", "fylke", "lengde", *ROAD_CATEGORIES}
    wb = values_workbook(path, wb, raw, read, numbers, problems, merged_ok=(META_SHEET,))
    problems.raise_if_any()
    sheets = pd.read_excel(wb, sheet_name=None, engine="openpyxl")

    long = _sheet(sheets, LONG_SHEET, ["kommune", "vegkategori", "lengde"], path)
    total = _sheet(sheets, TOTAL_SHEET, ["kommune", "lengde"], path)
    wide = _sheet(sheets, WIDE_SHEET, ["kommune", *ROAD_CATEGORIES], path)
    meta = _sheet(sheets, META_SHEET, [], path)
    for name, sheet in ((LONG_SHEET, long), (TOTAL_SHEET, total), (WIDE_SHEET, wide)):
        if sheet.empty:
            raise InputError(path, f"sheet {name!r} has a header and no rows", row=1, field=name)

    lf = pd.DataFrame(
        {
            "unit_code": _codes(long, LONG_SHEET, path),
            "road_category": long["vegkategori"].astype(str).str.strip(),
            "value": _lengths(long, "lengde", LONG_SHEET, path),
            "source_row": np.arange(2, len(long) + 2, dtype="int64"),
        }
    )
    unknown = ~lf["road_category"].isin(list(ROAD_CATEGORIES))
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InputError(
            path,
            f"sheet {LONG_SHEET!r}: unknown road category {lf['road_category'].iloc[i]!r}",
            row=i + 2,
            field="vegkategori",
        )
    dup = lf.duplicated(["unit_code", "road_category"])
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            path,
            f"sheet {LONG_SHEET!r}: municipality {lf['unit_code'].iloc[i]} category "
            f"{lf['road_category'].iloc[i]} appears twice",
            row=i + 2,
            field="kommune",
        )

    wf = pd.DataFrame({"unit_code": _codes(wide, WIDE_SHEET, path), "wide_row": np.arange(2, len(wide) + 2)})
    for cat in ROAD_CATEGORIES:
        wf[cat] = _lengths(wide, cat, WIDE_SHEET, path)
    if wf["unit_code"].duplicated().any():
        i = int(np.flatnonzero(wf["unit_code"].duplicated())[0])
        raise InputError(
            path,
            f"sheet {WIDE_SHEET!r}: municipality {wf['unit_code'].iloc[i]} appears twice",
            row=i + 2,
            field="kommune",
        )
    wl = wf.melt(id_vars=["unit_code", "wide_row"], var_name="road_category", value_name="wide")
    both = wl.merge(lf, on=["unit_code", "road_category"], how="outer", indicator=True)
    only_long = both["_merge"] == "right_only"
    if only_long.any():
        r = both.loc[only_long].iloc[0]
        raise InputError(
            path,
            f"municipality {r['unit_code']} is in {LONG_SHEET!r} but not in {WIDE_SHEET!r}",
            row=int(r["source_row"]),
            field="kommune",
        )
    diff = (both["wide"] - both["value"].fillna(0.0)).abs()
    if (diff > TOLERANCE_KM).any():
        r = both.loc[diff > TOLERANCE_KM].iloc[0]
        raise InputError(
            path,
            f"sheet {WIDE_SHEET!r} says {r['wide']:g} km of {r['road_category']} roads in "
            f"{r['unit_code']}, the long sheet {r['value']:g} km",
            row=int(r["wide_row"]),
            field=r["road_category"],
        )

    tf = pd.DataFrame(
        {
            "unit_code": _codes(total, TOTAL_SHEET, path),
            "total": _lengths(total, "lengde", TOTAL_SHEET, path),
            "total_row": np.arange(2, len(total) + 2),
        }
    )
    sums = lf.groupby("unit_code")["value"].sum()
    check = tf.set_index("unit_code").join(sums.rename("sum"), how="outer")
    off = ~np.isclose(check["total"], check["sum"].fillna(0.0), atol=1e-3) | check["total"].isna()
    if off.any():
        code = check.index[np.flatnonzero(off)[0]]
        r = check.loc[code]
        raise InputError(
            path,
            f"sheet {TOTAL_SHEET!r}: total for {code} is {r['total']} km, categories sum to {r['sum']} km",
            row=None if pd.isna(r["total_row"]) else int(r["total_row"]),
            field="lengde",
        )

    # Categories the wide sheet publishes as 0 and the long sheet leaves out are true zeros.
    zeros = both.loc[both["_merge"] == "left_only", ["unit_code", "road_category", "wide_row"]]
    zeros = zeros.rename(columns={"wide_row": "source_row"}).assign(value=0.0)
    df = pd.concat([lf, zeros], ignore_index=True)
    saved = _saved_date(meta, path)
    df["year"] = np.int64(year)
    df["code_year"] = np.int64(int(saved[:4]))
    df["status"] = ""
    df["source"] = f"KOSTRA road network (NVDB) {path.name}"
    df["vintage"] = saved
    df = df.sort_values(["unit_code", "road_category"]).reset_index(drop=True)
    df.attrs = {"saved": saved, "municipalities": int(df["unit_code"].nunique()), "sheet": LONG_SHEET}
    return df[["unit_code", "year", "road_category", "value", "status", "source", "vintage", "code_year", "source_row"]]


def _saved_date(meta: pd.DataFrame, path: Path) -> str:
    text = meta.map(lambda v: "" if pd.isna(v) else str(v).strip())
    cells = text.values.tolist() + [[str(c).strip() for c in meta.columns]]
    for row in cells:
        if len(row) > 1 and row[0] == "Dato lagret" and re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}", row[1]):
            try:
                saved = date.fromisoformat(row[1][:10])
            except ValueError:
                break
            if saved <= date.today():
                return row[1][:10]
            break
    raise InputError(
        path, "sheet 'Metadata' has no 'Dato lagret' date (a past day, such as 2021-12-20)", field="Dato lagret"
    )


def road_network_to_observations(df: pd.DataFrame) -> pd.DataFrame:
    """Observation rows with kpi_id ``kostra/road_km`` and the category kept in ``road_category``."""
    out = df.assign(kpi_id=ROAD_KPI)
    return out[OBSERVATION_COLUMNS + ["road_category", "source_row", "code_year"]].reset_index(drop=True)
