"""Checks for the tidy observation table before anything is written or analysed.

Schema: required columns and types, ``unit_code`` pattern, allowed status symbols,
value NaN exactly when the status is a suppression symbol, no duplicate key. The key is
(unit_code, year, kpi_id) plus the dimension columns a reader keeps (``age``,
``road_category``). Rules per KPI: a catalog kpi_id gets its unit's range (percentages 0-100,
yes/no 0 or 1, ``index 0-1`` 0-1, otherwise non-negative); source variables named
``ssb/...`` or ``kostra/...`` must be non-negative; any other kpi_id is unknown.

Plausibility rules (``data/reference/plausibility.csv``, one row per rule, read by
:func:`load_plausibility`) add what a unit alone cannot say: years not after this year, ages 0-130,
persons in whole numbers and no more of them in a municipality, county or the nation than live there,
ranges for KPIs whose values have known bounds. A rule names the variables it applies to (kpi_id
patterns such as ``ssb/07459/*``), the field (``value``, ``age``, ``year``), the level (municipality,
county, nation or all), whether each row, each one-year age group or the sum of a unit's rows in a
year (over ages, road categories) is checked, the bounds, whether the value must be whole, and why;
the why is the message.

Codes: each unit code is checked against the year whose borders it follows (``code_year`` if
present, else ``year``), and where a reader kept the file's name of the region (``unit_name``), the
name against the registry's name of that code (``K-0301 Bergen`` is refused: 0301 is Oslo).

Every failure is an ``InputError`` naming the file, the row in the source file (``source_row``
when the reader kept it), the field (for a value or its year the file's own column, ``source_field``,
when the reader kept it)
and the reason; ``validate_observations`` reports every problem of a table at once.
"""

from __future__ import annotations

import fnmatch
import importlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError, Problems
from analysis.core.inputs import MB, csv_table, read_bytes
from analysis.core.schema import OBSERVATION_COLUMNS, STATUS_SYMBOLS, SUPPRESSED

UNIT_CODE_PATTERN = r"^(?:\d{4}|\d{2}|0)$"
PLAUSIBILITY_CSV = config.REFERENCE_DIR / "plausibility.csv"
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
        named = field
        if field in ("value", "year") and isinstance(r.get("source_field"), str) and r["source_field"]:
            named = r["source_field"]  # the file's own column of the value and its year, e.g. 'Persons 2022'
        collect.add(InputError(path, reason(r) + where, row=row, field=named))
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


def kpi_range(unit: str, direction: str) -> tuple[float, float, str]:
    """The range a catalog unit allows, and why (the message's end); also the range of a target."""
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
        low, high, why = kpi_range(str(cat.at[kpi, "unit"]), str(cat.at[kpi, "direction"]))
        sub = v.loc[idx]
        bad = (sub < low) | (sub > high)
        if why.startswith("yes/no"):
            bad |= sub.notna() & ~sub.isin([0.0, 1.0])
        mask = pd.Series(False, index=df.index)
        mask.loc[bad[bad].index] = True
        _fail(problems, df, mask.to_numpy(), path, "value", lambda r, lo=low, hi=high, w=why: _outside(r, lo, hi, w))


def _outside(r: pd.Series, low: float, high: float, why: str) -> str:
    v = r["value"]
    what = "not 0 or 1" if why.startswith("yes/no") else "negative" if v < low else f"above {high:g}"
    return f"{v:g} for {r['kpi_id']} is {what}: {why}"


@dataclass(frozen=True)
class Rule:
    """One row of ``plausibility.csv``: values of ``field`` for the variables matching ``patterns`` at ``level``
    (all levels when empty), each row (``scope`` "row"), each row of one age ("age": a one-year age group)
    or the sum of a unit's rows in a year ("sum"), lie
    within ``low``-``high`` (``high`` None and ``this_year`` True: not after the current year) and are whole
    numbers if ``whole``; ``why`` is what the refusal says; ``row`` is the rule's row in the file."""

    patterns: tuple[str, ...]
    field: str
    level: str
    scope: str
    low: float | None
    high: float | None
    this_year: bool
    whole: bool
    why: str
    row: int

    def bounds(self) -> tuple[float, float]:
        high = date.today().year if self.this_year else self.high
        return (-np.inf if self.low is None else self.low), (np.inf if high is None else high)

    def matches(self, kpi_id: str) -> bool:
        return any(fnmatch.fnmatchcase(kpi_id.casefold(), p) for p in self.patterns)


RULE_FIELDS = ("value", "age", "year")
RULE_LEVELS = {"": None, "municipality": 4, "county": 2, "nation": 1}
RULE_SCOPES = ("row", "age", "sum")


@lru_cache(maxsize=4)
def load_plausibility(path: str | Path | None = None) -> tuple[Rule, ...]:
    """The plausibility rules; every problem of the rules file is reported at once."""
    path = Path(path or PLAUSIBILITY_CSV)
    header, rows = csv_table(read_bytes(path, MB, "a rules file"), path, "the plausibility rules", ",")
    columns = ["variable", "field", "level", "scope", "min", "max", "whole", "why"]
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(path, f"missing columns {missing}", row=1, field=missing[0])
    problems, rules = Problems(), []
    for row, rec in rows:
        n = len(problems.found)

        def refuse(field: str, reason: str) -> None:
            problems.add(InputError(path, reason, row=row, field=field))

        patterns = tuple(p.strip().casefold() for p in rec["variable"].split(";") if p.strip())
        if not patterns:
            refuse("variable", "names no variable (a kpi_id, or a pattern such as ssb/07459/*)")
        if rec["field"] not in RULE_FIELDS:
            refuse("field", f"{rec['field']!r} is not one of {', '.join(RULE_FIELDS)}")
        if rec["level"] not in RULE_LEVELS:
            refuse("level", f"{rec['level']!r} is not empty or one of {', '.join(list(RULE_LEVELS)[1:])}")
        if rec["scope"] not in RULE_SCOPES or (rec["scope"] != "row" and rec["field"] != "value"):
            refuse("scope", f"{rec['scope']!r} is not 'row' or (for field value) 'age' or 'sum'")
        if rec["whole"] not in ("", "yes", "no"):
            refuse("whole", f"{rec['whole']!r} is not yes, no or empty")
        if not rec["why"]:
            refuse("why", "says nothing: the reason is the message a refused value gets")
        bounds: dict[str, float | None] = {}
        for key in ("min", "max"):
            text = rec[key]
            try:
                bounds[key] = None if text in ("", "this year") else float(text)
            except ValueError:
                bounds[key] = None
                refuse(key, f"{text!r} is not a number (or empty, or for max 'this year')")
            if bounds[key] is not None and not np.isfinite(bounds[key]):
                refuse(key, f"{text!r} is not a finite number")
        if rec["min"] == "this year":
            refuse("min", "'this year' is an upper bound only")
        if None not in (bounds.get("min"), bounds.get("max")) and bounds["min"] > bounds["max"]:
            refuse("min", f"min {rec['min']} is above max {rec['max']}")
        if len(problems.found) == n:
            rules.append(
                Rule(
                    patterns,
                    rec["field"],
                    rec["level"],
                    rec["scope"],
                    bounds["min"],
                    bounds["max"],
                    rec["max"] == "this year",
                    rec["whole"] == "yes",
                    rec["why"],
                    row,
                )
            )
    problems.raise_if_any()
    return tuple(rules)


def _num(v: float) -> str:
    """As Norwegian prints numbers: a space between thousands from 10 000 (years stay 2024)."""
    return f"{v:.15g}" if abs(v) < 10_000 else f"{v:,.15g}".replace(",", " ")


def _beyond(v: float, low: float, high: float) -> str:
    if np.isfinite(low) and np.isfinite(high):
        return f"outside {_num(low)}-{_num(high)}"
    return f"below {_num(low)}" if v < low else f"above {_num(high)}"


def validate_plausibility(
    df: pd.DataFrame, path: str | Path | None = None, problems: Problems | None = None, rules=None
) -> None:
    """Every rule of ``plausibility.csv`` (or ``rules``) on the rows it applies to."""
    rules = load_plausibility() if rules is None else rules
    level = df["unit_code"].str.len().map({v: k for k, v in RULE_LEVELS.items() if v})
    kpis = pd.Series(df["kpi_id"].unique())
    for rule in rules:
        if rule.field not in df.columns:
            continue
        applies = kpis[kpis.map(rule.matches)]
        sel = df["kpi_id"].isin(applies)
        if rule.level:
            sel &= level == rule.level
        if rule.scope == "age":
            if "age" not in df.columns:
                continue
            sel &= df["age"].notna()
        vals = pd.to_numeric(df[rule.field], errors="coerce").astype("float64")
        sel &= vals.notna()
        if not sel.any():
            continue
        low, high = rule.bounds()
        label = "" if rule.field == "value" else f"{rule.field} "
        if rule.scope in ("row", "age"):
            v = vals.where(sel)
            outside = sel & ((v < low) | (v > high))
            _fail(
                problems,
                df,
                outside,
                path,
                rule.field,
                lambda r, f=rule.field: f"{label}{_num(r[f])} is {_beyond(float(r[f]), low, high)}: {rule.why}",
            )
            if rule.whole:
                fractional = sel & ~outside & (v % 1 != 0)
                _fail(
                    problems,
                    df,
                    fractional,
                    path,
                    rule.field,
                    lambda r, f=rule.field: f"{label}{_num(r[f])} is not a whole number: {rule.why}",
                )
        else:
            keys = ["unit_code", "year", "kpi_id"]
            grouped = vals[sel].groupby([df.loc[sel, k] for k in keys])
            total = grouped.transform("sum").reindex(df.index)
            largest = df.index.isin(grouped.idxmax())  # the row most likely wrong is the one named
            over = sel & ((total < low) | (total > high)) & largest
            rows = "rows" if "age" not in df.columns else "ages"
            _fail(
                problems,
                df,
                over,
                path,
                rule.field,
                lambda r: (
                    f"{_num(r['value'])} makes the {rows} of this unit and year sum to "
                    f"{_num(total.loc[r.name])}, {_beyond(total.loc[r.name], low, high)}: {rule.why}"
                ),
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
