"""What every column of the processed tables means, and under which licence each source is published.

One home for both: ``data/reference/columns.csv`` (``table, column, description, description_en``: bokmål
and English; ``*`` describes a column that several tables share, used where a table has no row of its own)
and ``data/reference/licences.csv`` (a source's licence, matched by how the source's name starts, from
``../shared/data/PROVENANCE.md``; its title in both languages). The data page and its ``datapackage.json``
(:mod:`analysis.site.datapage`) are written from them, so a column gets its description in one place
and a table with a column nobody described is found by :func:`undescribed` (the tests fail on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError, Problems
from analysis.core.inputs import read_csv_frame

COLUMNS_CSV = config.REFERENCE_DIR / "columns.csv"
LICENCES_CSV = config.REFERENCE_DIR / "licences.csv"
SHARED = "*"


def load_columns(path: Path | None = None, lang: str = "nb") -> dict[tuple[str, str], str]:
    """``(table, column) -> description`` in ``lang`` (``nb``: ``description``, another: ``description_<lang>``);
    a row without a description, or one column described twice for the same table, is refused with its row."""
    path = Path(path or COLUMNS_CSV)
    frame = read_csv_frame(path, "column descriptions")
    field = "description" if lang == "nb" else f"description_{lang}"
    if field not in frame.columns:
        raise InputError(path, f"no column {field!r}: the descriptions in that language are missing", field=field)
    problems = Problems()
    out: dict[tuple[str, str], str] = {}
    for i, row in enumerate(frame.to_dict("records"), start=2):
        key = (row["table"], row["column"])
        if not row["table"] or not row["column"]:
            problems.add(InputError(path, "a description needs a table (or *) and a column", row=i, field="table"))
        elif not row[field]:
            problems.add(InputError(path, f"no description for {row['table']}.{row['column']}", row=i, field=field))
        elif key in out:
            problems.add(InputError(path, f"{row['table']}.{row['column']} is described twice", row=i, field="column"))
        else:
            out[key] = row[field]
    problems.raise_if_any()
    return out


def describe(table: str, column: str, columns: dict[tuple[str, str], str] | None = None) -> str:
    """The description of ``column`` in ``table``: its own row, else the shared (``*``) one, else ''."""
    columns = load_columns() if columns is None else columns
    return columns.get((table, column)) or columns.get((SHARED, column), "")


def undescribed(tables: dict[str, pd.DataFrame], columns: dict[tuple[str, str], str] | None = None) -> list[str]:
    """``table.column`` for every column of ``tables`` that has no description."""
    columns = load_columns() if columns is None else columns
    return [
        f"{name}.{col}" for name, table in tables.items() for col in table.columns if not describe(name, col, columns)
    ]


@dataclass(frozen=True)
class Licence:
    name: str  # an SPDX-style identifier, e.g. NLOD-2.0
    title: str
    path: str  # where the licence text is ('' when none is published)
    attribution: str
    title_en: str = ""

    def title_in(self, lang: str) -> str:
        """The licence's title for a page in ``lang`` (bokmål where there is no other)."""
        return (self.title_en if lang == "en" else "") or self.title


UNKNOWN_LICENCE = Licence("unknown", "Ukjent lisens: se kilden", "", "", "Unknown licence: see the source")


def load_licences(path: Path | None = None) -> list[tuple[str, Licence]]:
    path = Path(path or LICENCES_CSV)
    frame = read_csv_frame(path, "licences of the sources")
    return [
        (r.source_starts_with, Licence(r.licence, r.title, r.path, r.attribution, getattr(r, "title_en", "")))
        for r in frame.itertuples(index=False)
    ]


def licence_of(source: str, licences: list[tuple[str, Licence]] | None = None) -> Licence:
    """The licence of a source, by the longest prefix of its name that ``licences.csv`` lists."""
    licences = load_licences() if licences is None else licences
    matches = [(len(prefix), lic) for prefix, lic in licences if str(source).startswith(prefix)]
    return max(matches, key=lambda m: m[0])[1] if matches else UNKNOWN_LICENCE
