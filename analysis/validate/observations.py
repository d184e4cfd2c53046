"""Checks for the tidy observation table before anything is written or analysed.

Schema: required columns and types, ``unit_code`` pattern, year range, allowed status symbols,
value NaN exactly when the status is a suppression symbol, no duplicate key. The key is
(unit_code, year, kpi_id) plus the dimension columns a reader keeps (``age``,
``road_category``). Rules per KPI: a catalog kpi_id gets its unit's range (percentages 0-100,
yes/no 0 or 1, ``index 0-1`` 0-1, otherwise non-negative); source variables named
``ssb/...`` or ``kostra/...`` must be non-negative; any other kpi_id is unknown. When
``analysis.reference.geography`` provides ``code_valid_in(code, year)`` each unit code is checked against
the year whose borders it follows (``code_year`` if present, else ``year``).

Every failure raises ``InputError`` naming the file, the row in the source file (``source_row``
when the reader kept it), the field and the reason.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, Problems
from analysis.core.schema import OBSERVATION_COLUMNS, STATUS_SYMBOLS, SUPPRESSED

UNIT_CODE_PATTERN = r"^(?:\d{4}|\d{2}|0)$"
YEAR_MIN = 1950
SOURCE_NAMESPACES = ("ssb/", "kostra/")
EXTRA_KEYS = ("age", "road_category")
STRING_COLUMNS = ("unit_code", "kpi_id", "status", "source", "vintage")


#: At most this many rows are named per check; the rest are counted.
ROWS_PER_CHECK = 20


def _fail(
    problems: Problems | None,
    df: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    path,
    field: str,
    reason: Callable[[pd.Series], str],
):
    """Name every row where ``mask`` is true (its source row when known) in ``problems``; raise at
    once when no collector is given."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    rows = np.flatnonzero(mask)
    collect = problems if problems is not None else Problems()
    for i in rows[:ROWS_PER_CHECK]:
        r = df.iloc[int(i)]
        row = None
        if "source_row" in df.columns and pd.notna(r["source_row"]):
            row = int(r["source_row"])
        where = f" ({r.get('unit_code', '?')}, {r.get('year', '?')}, {r.get('kpi_id', '?')})"
        collect.add(InputError(path, reason(r) + where, row=row, field=field))
    if len(rows) > ROWS_PER_CHECK:
        collect.add(InputError(path, f"and {len(rows) - ROWS_PER_CHECK} more rows with the same problem", field=field))
    if problems is None:
        collect.raise_if_any()


def validate_schema(df: pd.DataFrame, path: str | Path | None = None, problems: Problems | None = None) -> None:
    """Columns, types, codes, years, statuses and duplicates of an observation table. A missing column or a
    column of the wrong type stops at once; row problems go to ``problems`` (raised at once without one)."""
    missing = [c for c in OBSERVATION_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}", field=missing[0])
    for col in STRING_COLUMNS:
        if pd.api.types.is_string_dtype(df[col]) and not df[col].isna().any():
            continue
        not_str = ~df[col].map(lambda v: isinstance(v, str))
        _fail(None, df, not_str, path, col, lambda r, c=col: f"{c} must be text, got {r[c]!r}")
    if not pd.api.types.is_integer_dtype(df["year"]) or df["year"].isna().any():
        raise InputError(path, f"year must be whole numbers (dtype {df['year'].dtype})", field="year")
    if not pd.api.types.is_float_dtype(df["value"]):
        raise InputError(
            path, f"value must be float (dtype {df['value'].dtype}); text in a number column?", field="value"
        )
    _fail(
        problems,
        df,
        ~df["unit_code"].str.match(UNIT_CODE_PATTERN),
        path,
        "unit_code",
        lambda r: f"unit code {r['unit_code']!r} is not 4 digits, 2 digits or '0'",
    )
    last = date.today().year + 1
    _fail(
        problems,
        df,
        (df["year"] < YEAR_MIN) | (df["year"] > last),
        path,
        "year",
        lambda r: f"year {r['year']} outside {YEAR_MIN}-{last}",
    )
    _fail(
        problems,
        df,
        ~df["status"].isin(STATUS_SYMBOLS),
        path,
        "status",
        lambda r: f"status {r['status']!r} is not an SSB symbol ({sorted(STATUS_SYMBOLS)})",
    )
    suppressed = df["status"].isin(SUPPRESSED)
    _fail(
        problems,
        df,
        suppressed & df["value"].notna(),
        path,
        "value",
        lambda r: f"value {r['value']} given although status {r['status']!r} says it is suppressed",
    )
    _fail(
        problems,
        df,
        ~suppressed & df["value"].isna(),
        path,
        "value",
        lambda r: "value missing without a status symbol (use '..' for missing, ':' for confidential)",
    )
    _fail(
        problems,
        df,
        (df["status"] == "-") & (df["value"] != 0),
        path,
        "value",
        lambda r: f"status '-' means nil but value is {r['value']}",
    )
    key = ["unit_code", "year", "kpi_id"] + [c for c in EXTRA_KEYS if c in df.columns]
    _fail(
        problems,
        df,
        df.duplicated(key, keep="first"),
        path,
        "kpi_id",
        lambda r: f"duplicate row for {', '.join(f'{k}={r[k]}' for k in key)}",
    )


def _range_for(unit: str, direction: str) -> tuple[float, float, str]:
    u = unit.strip().lower()
    if direction == "binary" or u.startswith("yes/no"):
        return 0.0, 1.0, "yes/no must be 0 or 1"
    if u.startswith("%"):
        return 0.0, 100.0, "a percentage must be within 0-100"
    if u.startswith("index 0-1"):
        return 0.0, 1.0, "an index 0-1 must be within 0-1"
    return 0.0, np.inf, "must not be negative"


def validate_rules(
    df: pd.DataFrame, catalog: pd.DataFrame, path: str | Path | None = None, problems: Problems | None = None
) -> None:
    """Per-KPI rules from the catalog; source variables must be non-negative."""
    cat = catalog.set_index("kpi_id")
    is_source = df["kpi_id"].str.startswith(SOURCE_NAMESPACES)
    _fail(
        problems,
        df,
        ~is_source & ~df["kpi_id"].isin(cat.index),
        path,
        "kpi_id",
        lambda r: f"unknown kpi_id {r['kpi_id']!r} (not in the catalog, not ssb/... or kostra/...)",
    )
    v = df["value"]
    _fail(problems, df, is_source & (v < 0), path, "value", lambda r: f"{r['value']} must not be negative")
    known = ~is_source & df["kpi_id"].isin(cat.index)
    for kpi, idx in df.loc[known].groupby("kpi_id").groups.items():
        low, high, why = _range_for(str(cat.at[kpi, "unit"]), str(cat.at[kpi, "direction"]))
        sub = v.loc[idx]
        bad = (sub < low) | (sub > high)
        if why.startswith("yes/no"):
            bad |= sub.notna() & ~sub.isin([0.0, 1.0])
        mask = pd.Series(False, index=df.index)
        mask.loc[bad[bad].index] = True
        _fail(problems, df, mask.to_numpy(), path, "value", lambda r, w=why: f"{r['value']} for {r['kpi_id']}: {w}")


def _geography_check() -> Callable[[str, int], bool] | None:
    try:
        geo = importlib.import_module("analysis.reference.geography")
    except ImportError:
        return None
    return getattr(geo, "code_valid_in", None)


def validate_codes(
    df: pd.DataFrame,
    path: str | Path | None = None,
    valid_in: Callable[[str, int], bool] | None = None,
    problems: Problems | None = None,
) -> None:
    """Each municipality/county code existed in the year whose borders it follows."""
    valid_in = valid_in or _geography_check()
    if valid_in is None:
        return
    years = df["code_year"] if "code_year" in df.columns else df["year"]
    pairs = pd.DataFrame({"unit_code": df["unit_code"], "y": years}).drop_duplicates()
    pairs = pairs.loc[pairs["unit_code"] != "0"]
    invalid = {(c, int(y)) for c, y in zip(pairs["unit_code"], pairs["y"]) if not valid_in(c, int(y))}
    if invalid:
        mask = [(c, int(y)) in invalid for c, y in zip(df["unit_code"], years)]
        _fail(
            problems,
            df,
            mask,
            path,
            "unit_code",
            lambda r: (
                f"unit code {r['unit_code']} did not exist in "
                f"{int(r['code_year']) if 'code_year' in r.index else int(r['year'])}"
            ),
        )


def validate_observations(
    df: pd.DataFrame,
    catalog: pd.DataFrame,
    path: str | Path | None = None,
    valid_in: Callable[[str, int], bool] | None = None,
) -> None:
    """All checks; raises :class:`InputErrors` with every problem found (an ``InputError`` naming the
    first), returns None when the table is sound."""
    problems = Problems()
    validate_schema(df, path, problems)
    validate_rules(df, catalog, path, problems)
    validate_codes(df, path, valid_in, problems)
    problems.raise_if_any()
