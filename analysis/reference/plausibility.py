"""Plausibility: the ranges values must lie in, from the catalog's units and from the rules table
``data/reference/plausibility.csv``, and the helper that names the rows breaking them.

This is reference data (stage 1) so that both the readers (a U4SSC submission names every problem of
its rows in one round) and the validator (:mod:`analysis.validate.observations`, run by ``check``,
``ingest`` and ``build-data``) apply the same rules from one home.

Catalog units: percentages lie in 0-100, yes/no KPIs are 0 or 1, ``index 0-1`` is 0-1, anything else is
non-negative; source variables (``ssb/...``, ``kostra/...``) are non-negative.

The rules table adds what a unit alone cannot say: years not after this year, ages 0-130, persons in
whole numbers and no more of them in a municipality, county or the nation than live there, ranges for
KPIs whose values have known bounds. A rule names the variables it applies to (kpi_id patterns such as
``ssb/07459/*``, several separated by ``;``), the field (``value``, ``age``, ``year``), the level
(municipality, county, nation or all), whether each row, each one-year age group or the sum of a unit's
rows in a year (over ages, road categories) is checked, the bounds, whether the value must be whole
(``whole``: the variable counts things, persons or Wi-Fi hotspots), and why; the why is the message.

A rule with a ``warning`` name is soft: a value outside its range is accepted, and carries the warning's name
into the processed observations (``warning``), so that the member's page shows «Merknad: …» next to the value
(the Norwegian text is ``WARNINGS`` in :mod:`analysis.pages.text_nb`) and its CSV download says so too. A
rule without one refuses. :func:`warnings_of` finds the warned rows; :func:`whole_variables` the counts.
"""

from __future__ import annotations

import fnmatch
import re
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

PLAUSIBILITY_CSV = config.REFERENCE_DIR / "plausibility.csv"
SOURCE_NAMESPACES = ("ssb/", "kostra/")

#: At most this many rows are named per check; the rest are counted.
ROWS_PER_CHECK = 20


def name_rows(
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
    name_rows(
        problems,
        df,
        ~is_source & ~df["kpi_id"].isin(cat.index),
        path,
        "kpi_id",
        lambda r: f"unknown kpi_id {r['kpi_id']!r} (not in the catalog, not ssb/... or kostra/...)",
    )
    v = df["value"]
    name_rows(problems, df, is_source & (v < 0), path, "value", lambda r: f"{r['value']} must not be negative")
    known = ~is_source & df["kpi_id"].isin(cat.index)
    for kpi, idx in df.loc[known].groupby("kpi_id").groups.items():
        low, high, why = kpi_range(str(cat.at[kpi, "unit"]), str(cat.at[kpi, "direction"]))
        sub = v.loc[idx]
        bad = (sub < low) | (sub > high)
        if why.startswith("yes/no"):
            bad |= sub.notna() & ~sub.isin([0.0, 1.0])
        mask = pd.Series(False, index=df.index)
        mask.loc[bad[bad].index] = True
        name_rows(
            problems, df, mask.to_numpy(), path, "value", lambda r, lo=low, hi=high, w=why: _outside(r, lo, hi, w)
        )


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
    warning: str = ""  # a name: the rule warns instead of refusing (see the module docstring)

    def bounds(self) -> tuple[float, float]:
        high = date.today().year if self.this_year else self.high
        return (-np.inf if self.low is None else self.low), (np.inf if high is None else high)

    def matches(self, kpi_id: str) -> bool:
        return any(fnmatch.fnmatchcase(kpi_id.casefold(), p) for p in self.patterns)


RULE_FIELDS = ("value", "age", "year")
RULE_LEVELS = {"": None, "municipality": 4, "county": 2, "nation": 1}
RULE_SCOPES = ("row", "age", "sum")


def known_kpis() -> set[str]:
    """The catalog's kpi_ids, casefolded as rule patterns are."""
    from analysis.reference.indicators import full_catalog

    return {k.casefold() for k in full_catalog()["kpi_id"]}


@lru_cache(maxsize=4)
def load_plausibility(path: str | Path | None = None) -> tuple[Rule, ...]:
    """The plausibility rules; every problem of the rules file is reported at once."""
    path = Path(path or PLAUSIBILITY_CSV)
    header, rows = csv_table(read_bytes(path, MB, "a rules file"), path, "the plausibility rules", ",")
    columns = ["variable", "field", "level", "scope", "min", "max", "whole", "warning", "why"]
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
        for pattern in (p.strip() for p in rec["variable"].split(";") if p.strip()):
            # a typed-wrong KPI would make the rule apply to nothing, silently
            if not any(c in pattern for c in "*?[") and not pattern.casefold().startswith(SOURCE_NAMESPACES):
                if pattern.casefold() not in known_kpis():
                    refuse("variable", f"{pattern!r} is not a kpi_id of the catalog (nor ssb/..., kostra/...)")
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
        warning = rec["warning"]
        if warning and not re.fullmatch(r"[a-z][a-z0-9_]*", warning):
            refuse("warning", f"{warning!r} is not a name of lowercase letters a-z, digits and _ (or empty: refuse)")
        elif warning and (rec["field"] != "value" or rec["scope"] != "row"):
            refuse("warning", "a warning applies to single values: field 'value', scope 'row'")
        elif warning and rec["whole"] == "yes":
            refuse("warning", "a count that is not whole is refused, never only warned of: leave whole empty")
        bounds: dict[str, float | None] = {}
        for key in ("min", "max"):
            text = rec[key]
            try:
                if text not in ("", "this year") and not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
                    raise ValueError(text)  # float() would also take '１２', '1_000' and 'inf'
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
                    warning,
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


def _selected(df: pd.DataFrame, rule: Rule, columns: _Columns) -> tuple[pd.Series, pd.Series] | None:
    """The rows ``rule`` applies to (with a number in its field) and that field's numbers; None for none."""
    if rule.field not in df.columns or df.empty:
        return None
    matched = [k for k in columns.kpis if rule.matches(k)]
    if not matched:  # most rules name KPIs a file does not have: no table operation for them
        return None
    sel = df["kpi_id"].isin(matched)
    if rule.level:
        sel &= columns.levels() == rule.level
    if rule.scope == "age":
        if "age" not in df.columns:
            return None
        sel &= df["age"].notna()
    vals = columns.numbers(rule.field)
    sel &= vals.notna()
    return (sel, vals) if sel.any() else None


class _Columns:
    """What every rule reads of one table, made once for all its rules (the KPIs, the units' levels, each
    field's numbers): two dozen rules each made them again (in a profile of the malformed-input tests, 9 of
    their 63 s were spent selecting the rules' rows)."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.kpis = df["kpi_id"].unique().tolist()
        self._levels: pd.Series | None = None
        self._numbers: dict[str, pd.Series] = {}

    def levels(self) -> pd.Series:
        if self._levels is None:
            self._levels = self.df["unit_code"].str.len().map({v: k for k, v in RULE_LEVELS.items() if v})
        return self._levels

    def numbers(self, field: str) -> pd.Series:
        if field not in self._numbers:
            self._numbers[field] = pd.to_numeric(self.df[field], errors="coerce").astype("float64")
        return self._numbers[field]


def warnings_of(df: pd.DataFrame, path: str | Path | None = None, rules=None) -> tuple[pd.Series, list[InputError]]:
    """The soft rules (a ``warning`` name) on ``df``: per row the names of the warnings it carries (``""`` for
    none, several joined by ``;``), and one note per warned row naming file, row, field and why, for ``check``
    and the build to print. A warned value is accepted: this never raises."""
    rules = load_plausibility() if rules is None else rules
    names = pd.Series("", index=df.index, dtype=object)
    notes = Problems()
    for rule, sel, vals, low, high in _applied(df, rules, warning=True):
        outside = sel & ((vals < low) | (vals > high))
        if not outside.any():
            continue
        names[outside] = names[outside].map(lambda n, w=rule.warning: f"{n};{w}" if n else w)
        name_rows(
            notes,
            df,
            outside,
            path,
            "value",
            lambda r, lo=low, hi=high, rl=rule: (
                f"{_num(r['value'])} is {_beyond(float(r['value']), lo, hi)}: {rl.why}; "
                f"accepted with the warning {rl.warning!r}"
            ),
        )
    return names, notes.found


def _applied(df: pd.DataFrame, rules, warning: bool):
    """The soft (``warning``) or the refusing rules that apply to ``df``: per rule the rows it selects, their
    values and its bounds."""
    columns = None if df.empty else _Columns(df)
    for rule in rules:
        if bool(rule.warning) != warning or columns is None:
            continue
        selected = _selected(df, rule, columns)
        if selected is not None:
            yield (rule, *selected, *rule.bounds())


def whole_variables(kpi_ids, rules=None) -> set[str]:
    """The kpi_ids among ``kpi_ids`` that count things (a refusing rule on ``value`` says ``whole``): their
    values must be whole numbers, and the demonstration data makes them so."""
    rules = load_plausibility() if rules is None else rules
    counted = [r for r in rules if r.field == "value" and r.whole and not r.warning]
    return {k for k in kpi_ids if any(r.matches(k) for r in counted)}


def validate_plausibility(
    df: pd.DataFrame, path: str | Path | None = None, problems: Problems | None = None, rules=None
) -> None:
    """Every rule of ``plausibility.csv`` (or ``rules``) that refuses, on the rows it applies to (the rules
    with a warning name are :func:`warnings_of`'s)."""
    rules = load_plausibility() if rules is None else rules
    for rule, sel, vals, low, high in _applied(df, rules, warning=False):
        label = "" if rule.field == "value" else f"{rule.field} "
        if rule.scope in ("row", "age"):
            v = vals.where(sel)
            outside = sel & ((v < low) | (v > high))
            name_rows(
                problems,
                df,
                outside,
                path,
                rule.field,
                lambda r, f=rule.field: f"{label}{_num(r[f])} is {_beyond(float(r[f]), low, high)}: {rule.why}",
            )
            if rule.whole:
                fractional = sel & ~outside & (v % 1 != 0)
                name_rows(
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
            name_rows(
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
