"""Checks for the tidy observation table before anything is written or analysed: the one validator
that ``check``, ``ingest`` and ``build-data`` run.

Schema: required columns and types, ``unit_code`` pattern, allowed status symbols,
value NaN exactly when the status is a suppression symbol, no duplicate key. The key is
(unit_code, year, kpi_id) plus the dimension columns a reader keeps (``age``,
``road_category``). Values: the catalog unit's range and the plausibility rules of
``data/reference/plausibility.csv`` (years not after this year, ages 0-130, whole persons, no more
of them than live in a municipality, county or Norway, KPI bounds), both from
:mod:`analysis.reference.plausibility`, their one home, which the submission reader applies too; any
kpi_id that is neither in the catalog nor ``ssb/...`` or ``kostra/...`` is unknown.

Codes: each unit code is checked against the year whose borders it follows (``code_year`` if
present, else ``year``), and where a reader kept the file's name of the region (``unit_name``), the
name against the registry's name of that code (``K-0301 Bergen`` is refused: 0301 is Oslo).

Every failure is an ``InputError`` naming the file, the row in the source file (``source_row``
when the reader kept it), the field (for a value or its year the file's own column, ``source_field``,
when the reader kept it) and the reason; ``validate_observations`` reports every problem at once.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis.core.errors import InputError, Problems
from analysis.core.schema import OBSERVATION_COLUMNS, STATUS_SYMBOLS, SUPPRESSED
from analysis.reference.plausibility import name_rows as _fail
from analysis.reference.plausibility import validate_plausibility, validate_rules

UNIT_CODE_PATTERN = r"^(?:[0-9]{4}|[0-9]{2}|0)$"  # digits 0-9 only, never a fullwidth ３
EXTRA_KEYS = ("age", "road_category")
STRING_COLUMNS = ("unit_code", "kpi_id", "status", "source", "vintage")


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


def validate_names(df: pd.DataFrame, path: str | Path | None = None, problems: Problems | None = None) -> None:
    """The file's name of each region (``unit_name``, where the reader kept it) is the registry's name of its
    code (see :func:`analysis.reference.geography.names_agree` for the variations accepted); each wrong pair
    is named once, at its first row."""
    if "unit_name" not in df.columns:
        return
    from analysis.reference import geography

    first = ~df[["unit_code", "unit_name"]].duplicated()
    wrong = {}
    for code, name in zip(df.loc[first, "unit_code"], df.loc[first, "unit_name"]):
        registered = geography.name_of(code)
        if registered and isinstance(name, str) and not geography.names_agree(name, registered):
            wrong[(code, name)] = registered
    if not wrong:
        return
    mask = first & pd.Series([(c, n) in wrong for c, n in zip(df["unit_code"], df["unit_name"])], index=df.index)
    _fail(
        problems,
        df,
        mask,
        path,
        "region",
        lambda r: (
            f"the name {r['unit_name']!r} does not go with code {r['unit_code']}, which is "
            f"{wrong[(r['unit_code'], r['unit_name'])]} in the registry: a wrong code, or a wrong name?"
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
    validate_plausibility(df, path, problems)
    validate_codes(df, path, valid_in, problems)
    validate_names(df, path, problems)
    problems.raise_if_any()
