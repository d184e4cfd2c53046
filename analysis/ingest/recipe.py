"""Recipes: tabular data as users have it (a Miljødirektoratet or IMDi CSV, a KOSTRA export, a sheet of an
SSB table), described in a few lines of YAML instead of converted by hand into the U4SSC template.

A recipe is ``recipe.yaml`` (or ``<name>.recipe.yaml``) in the raw file's folder under ``data/raw/``; it
covers the files its ``files`` globs match, relative to its own folder. It says which columns hold the
unit (a name or a code), the year and the value, which rows to keep (``filters``), a factor to convert the
unit, the KPI the values belong to, the borders the data is already in, and which cells mean missing.
Everything else in the file is ignored. Why a declaration and not a reader per source: the shape of these
files is always the same long table, and what differs (column names, separators, symbols, borders) is
exactly what a person can say, and check, in ten lines. Example::

    source: "Miljødirektoratet, klimagassutslipp fra kommuner"
    vintage: "2024-06"
    files: "utslipp*.csv"
    csv: {separator: ";", decimal: ",", encoding: utf-8}
    columns: {unit: Kommune, year: År, value: "Utslipp per innbygger (kg CO2-ekv.)"}
    units: names
    filters: {Sektor: Totalt}
    factor: 0.001
    kpi: "EN:EN:AQ:2C"
    kpi_unit: tonnes CO2-equivalent per capita
    borders: 2024
    missing: [".", "..", ":"]

Names become codes through the registry of the borders year (or of the data year without ``borders``),
see :func:`analysis.reference.geography.codes_named`; a name that names nothing or more than one
municipality is refused with its candidates, every such row at once. With ``borders`` every code is
recorded as in those borders (``code_year``), so data already in 2024 borders is used as it is, with no
check that the code existed in each year (Midt-Telemark 2015-2019 is Midt-Telemark's area then).
"""

from __future__ import annotations

import codecs
import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError, Problems
from analysis.core.inputs import MB, csv_rows, decode_utf8, line_of, read_bytes, read_yaml, stray_bom
from analysis.core.schema import OBSERVATION_COLUMNS, SUPPRESSED
from analysis.ingest import split_region
from analysis.ingest.numbers import DECIMAL_MARKS, NumberError, declared_decimal, parse_number

MAX_BYTES = 64 * MB
#: The keys a recipe may have, and what each must be (checked all at once, with the file's row).
KEYS = {
    "source": "text: who published the data (shown as the source of every value)",
    "vintage": "text or date: which release (default: the raw file's date)",
    "files": "a glob or a list of globs, relative to the recipe's folder",
    "csv": "a mapping: separator, decimal, encoding",
    "sheet": "text: the sheet of an .xlsx file (default: the first)",
    "header_row": "a whole number: the file's row that holds the column names (default 1)",
    "columns": "a mapping: unit, year, value (and county) -> the file's column names",
    "units": "'names' or 'codes'",
    "level": "'municipality' or 'county'",
    "names": "a mapping: a name as in the file -> its code",
    "filters": "a mapping: column -> the value (or list of values) of the rows to keep",
    "factor": "a number the values are multiplied by (0.001: kg -> tonnes)",
    "kpi": "text: the catalog kpi_id (or ssb/..., kostra/...) the values belong to",
    "kpi_unit": "text: the unit of the values after the factor; must be the KPI's",
    "borders": "a year: the borders the data is already in (used as it is)",
    "missing": "a list of the symbols meaning missing, or a mapping symbol -> SSB symbol",
}
REQUIRED = ("source", "files", "columns", "units", "kpi")
CSV_KEYS = ("separator", "decimal", "encoding")
COLUMN_KEYS = ("unit", "year", "value", "county")
DEFAULT_MISSING = {s: s for s in (".", "..", ":", "...")}
RECIPE_NAME = "recipe.yaml"


@dataclass(frozen=True)
class Recipe:
    """A checked recipe; ``columns`` maps unit/year/value (and county) to the file's column names."""

    path: Path
    source: str
    files: tuple[str, ...]
    columns: dict
    units: str
    kpi: str
    vintage: str = ""
    kpi_unit: str = ""
    level: str = "municipality"
    names: dict = field(default_factory=dict)
    filters: dict = field(default_factory=dict)
    factor: float = 1.0
    borders: int | None = None
    missing: dict = field(default_factory=lambda: dict(DEFAULT_MISSING))
    separator: str | None = None
    decimal: str | None = None
    encoding: str = "utf-8"
    sheet: str | None = None
    header_row: int = 1

    @property
    def folder(self) -> Path:
        return self.path.parent

    def covers(self, path: Path) -> bool:
        """Whether ``path`` is one of this recipe's files (a recipe or a provenance sidecar never is)."""
        path = Path(path)
        if is_recipe(path) or path.name.endswith(".provenance.yaml"):
            return False
        try:
            rel = path.resolve().relative_to(self.folder.resolve()).as_posix()
        except (ValueError, RuntimeError):  # elsewhere, or a loop of links (which recipe_for names)
            return False
        return any(fnmatch.fnmatchcase(rel, g) or fnmatch.fnmatchcase(rel, g.removeprefix("**/")) for g in self.files)

    def covered(self) -> list[Path]:
        """Every file under the recipe's folder that it covers, in order."""
        found = {p for g in self.files for p in self.folder.glob(g) if p.is_file() and self.covers(p)}
        return sorted(found)


def is_recipe(path: Path) -> bool:
    name = Path(path).name
    return name == RECIPE_NAME or name.endswith("." + RECIPE_NAME)


def _text(v) -> bool:
    return isinstance(v, str) and v.strip() != ""


def load_recipe(path: str | Path) -> Recipe:
    """Read and check a recipe: unknown keys, missing keys and values of the wrong kind, every one at once."""
    path = Path(path)
    data = read_yaml(path, "a recipe")
    problems = Problems()
    lines = path.read_text(encoding="utf-8").splitlines()

    def row_of(key: str) -> int | None:
        """The row a top-level key is written on (the loader remembers the rows of mappings only)."""
        pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:")
        return next((i for i, line in enumerate(lines, start=1) if pattern.match(line)), line_of(data))

    def refuse(key: str, reason: str, at=None) -> None:
        problems.add(InputError(path, reason, row=line_of(at) or row_of(str(key)), field=str(key)))

    for key in sorted(set(data) - set(KEYS), key=str):
        refuse(key, f"unknown key {key!r} (a recipe has: {', '.join(KEYS)})")
    for key in REQUIRED:
        if key not in data:
            refuse(key, f"missing: {KEYS[key]}")
    out: dict = {"path": path}
    for key in ("source", "kpi", "kpi_unit", "sheet"):
        if key in data:
            if _text(data[key]):
                out[key] = data[key].strip()
            else:
                refuse(key, f"must be {KEYS[key]}, got {data[key]!r}")
    if "vintage" in data:
        v = data["vintage"]
        if isinstance(v, date) or _text(v) or (isinstance(v, int) and not isinstance(v, bool)):
            out["vintage"] = v.isoformat() if isinstance(v, date) else str(v).strip()
        else:
            refuse("vintage", f"must be {KEYS['vintage']}, got {v!r}")
    files = data.get("files")
    if files is not None:
        globs = [files] if isinstance(files, str) else files
        if isinstance(globs, list) and globs and all(_text(g) for g in globs):
            bad = [g for g in globs if g.startswith("/") or ".." in Path(g).parts]
            if bad:
                refuse("files", f"{bad[0]!r} leaves the recipe's folder: give globs relative to it")
            out["files"] = tuple(g.strip() for g in globs)
        else:
            refuse("files", f"must be {KEYS['files']}, got {files!r}")
    _mapping(data, "csv", CSV_KEYS, refuse, out)
    _mapping(data, "columns", COLUMN_KEYS, refuse, out, required=("unit", "year", "value"))
    for key, allowed in (("units", ("names", "codes")), ("level", ("municipality", "county"))):
        if key in data:
            if data[key] in allowed:
                out[key] = data[key]
            else:
                refuse(key, f"must be {' or '.join(map(repr, allowed))}, got {data[key]!r}")
    names = data.get("names", {})
    if not isinstance(names, dict) or not all(_text(k) and isinstance(v, str) for k, v in names.items()):
        refuse("names", f"must be {KEYS['names']} (codes quoted: '1818'), got {names!r}")
    else:
        for name, code in names.items():
            if split_region(code) is None or split_region(code)[1]:
                refuse("names", f"{code!r} for {name!r} is not a municipality or county code", names)
        out["names"] = {_key(k): split_region(v)[0] for k, v in names.items() if split_region(v)}
    filters = data.get("filters", {})
    if not isinstance(filters, dict):
        refuse("filters", f"must be {KEYS['filters']}, got {filters!r}")
    else:
        kept = {}
        for col, want in filters.items():
            values = want if isinstance(want, list) else [want]
            if (
                not _text(col)
                or not values
                or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)
            ):
                refuse("filters", f"{col!r}: must be a value or a list of values, got {want!r}", filters)
            else:
                kept[col.strip()] = tuple(str(v).strip() for v in values)
        out["filters"] = kept
    if "factor" in data:
        f = data["factor"]
        try:
            number = float(f) if not isinstance(f, bool) and re.fullmatch(r"[-+0-9.eE]+", str(f)) else None
        except ValueError:
            number = None
        if number is None or not number > 0 or number == float("inf"):
            refuse("factor", f"must be a positive number (0.001 turns kg into tonnes), got {f!r}")
        else:
            out["factor"] = number
    if "borders" in data:
        b = data["borders"]
        if isinstance(b, int) and not isinstance(b, bool) and 2005 <= b <= date.today().year:
            out["borders"] = b
        else:
            refuse("borders", f"must be a year from 2005 to {date.today().year} (the registry's), got {b!r}")
    if "header_row" in data:
        h = data["header_row"]
        if isinstance(h, int) and not isinstance(h, bool) and h >= 1:
            out["header_row"] = h
        else:
            refuse("header_row", f"must be a whole number from 1, got {h!r}")
    if "missing" in data:
        out["missing"] = _missing(data["missing"], refuse)
    if "kpi" in out:
        _check_kpi(out["kpi"], out.get("kpi_unit", ""), refuse)
    problems.raise_if_any()
    return Recipe(**out)


def _mapping(data: dict, key: str, allowed: tuple, refuse, out: dict, required: tuple = ()) -> None:
    if key not in data:
        return
    m = data[key]
    if not isinstance(m, dict):
        refuse(key, f"must be {KEYS[key]}, got {m!r}")
        return
    for k in sorted(set(m) - set(allowed), key=str):
        refuse(key, f"unknown key {k!r} in {key} (allowed: {', '.join(allowed)})", m)
    for k in required:
        if k not in m:
            refuse(key, f"{key} names no {k!r} column", m)
    for k, v in m.items():
        if k in allowed and not _text(v):
            refuse(key, f"{key}.{k} must be text, got {v!r}", m)
    if key == "columns":
        out["columns"] = {k: v.strip() for k, v in m.items() if k in allowed and _text(v)}
        return
    if "separator" in m and m["separator"] not in (",", ";", "\t", "|"):
        refuse(key, f"csv.separator must be one of ',', ';', tab ('\\t') or '|', got {m['separator']!r}", m)
    elif "separator" in m:
        out["separator"] = m["separator"]
    if "decimal" in m and m["decimal"] not in DECIMAL_MARKS:
        refuse(key, f"csv.decimal must be ',' or '.', got {m['decimal']!r}", m)
    elif "decimal" in m:
        out["decimal"] = m["decimal"]
    if "encoding" in m:
        try:
            found = codecs.lookup(str(m["encoding"]))
        except LookupError:
            found = None
        if found is None or not found._is_text_encoding:  # rot13, base64, zlib: codecs, but not of text
            refuse(key, f"csv.encoding {m['encoding']!r} is not a text encoding (utf-8, latin-1, cp1252, ...)", m)
        else:
            out["encoding"] = found.name


def _missing(m, refuse) -> dict:
    """The symbols of the file meaning missing -> the SSB symbol kept in ``status``. A list keeps SSB's own
    symbols as they are and reads any other ('-', 'n/a') as '..' (missing); a mapping says it per symbol."""
    from analysis.core.schema import STATUS_SYMBOLS

    if isinstance(m, list) and all(isinstance(s, str) for s in m):
        return {s.strip(): (s.strip() if s.strip() in SUPPRESSED else "..") for s in m}
    if isinstance(m, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in m.items()):
        bad = {k: v for k, v in m.items() if v not in STATUS_SYMBOLS - {""}}
        if bad:
            k = next(iter(bad))
            refuse("missing", f"{k!r} -> {bad[k]!r}: an SSB symbol is one of {sorted(STATUS_SYMBOLS - {''})}")
        return {k.strip(): v for k, v in m.items()}
    refuse("missing", f"must be {KEYS['missing']}, got {m!r}")
    return dict(DEFAULT_MISSING)


def _check_kpi(kpi: str, unit: str, refuse) -> None:
    """The KPI is the catalog's (the one the validator checks against) or a source variable, and the unit
    given is the catalog's (or its first or last words, as the submission reader accepts)."""
    from analysis.ingest.u4ssc import _unit_ok
    from analysis.reference.indicators import full_catalog
    from analysis.reference.plausibility import SOURCE_NAMESPACES

    catalog = full_catalog().set_index("kpi_id")  # the U4SSC data points and the network's own indicators
    if kpi.startswith(SOURCE_NAMESPACES):
        return
    if kpi not in catalog.index:
        refuse(
            "kpi",
            f"{kpi!r} is neither a kpi_id of the catalog (data/reference/u4ssc_catalog.csv), an indicator of "
            "params/indicators.yaml, nor ssb/..., kostra/...",
        )
    elif unit and not _unit_ok(unit, catalog.loc[kpi]):
        refuse("kpi_unit", f"{unit!r} is not the unit of {kpi} ({catalog.at[kpi, 'unit']!r}): convert with factor")


def _key(name: str) -> str:
    return " ".join(str(name).casefold().split())


# --- which recipe covers a file -----------------------------------------------------------------------------


def recipes_in(folder: Path) -> list[Path]:
    folder = Path(folder)
    return sorted(p for p in folder.glob(f"*{RECIPE_NAME}") if is_recipe(p) and p.is_file()) if folder.is_dir() else []


def recipe_for(path: str | Path) -> Recipe | None:
    """The recipe that covers ``path``: the nearest one in its folder or a folder above it up to ``data/raw``
    (only its own folder when the file lies elsewhere). Two recipes covering one file are refused."""
    try:
        path = Path(path).resolve()
    except RuntimeError:  # Python 3.11 raises it for a link that leads to itself
        raise InputError(path, "a link that leads to itself (a loop of symbolic links), not a file") from None
    raw = config.RAW_DIR.resolve()
    folders = [path.parent]
    if path.is_relative_to(raw):
        folders = [f for f in [path.parent, *path.parent.parents] if f.is_relative_to(raw)]
    for folder in folders:
        found = [r for r in map(load_recipe, recipes_in(folder)) if r.covers(path)]
        if len(found) > 1:
            raise InputError(path, f"covered by two recipes, {found[0].path.name} and {found[1].path.name}: one only")
        if found:
            return found[0]
    return None


# --- reading a file with its recipe ---------------------------------------------------------------------------


def _table(recipe: Recipe, path: Path) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and (file row, cells) of a recipe's file: a CSV in the recipe's encoding and separator, or a sheet."""
    if path.suffix.lower() == ".xlsx":
        from analysis.ingest.workbook import first_sheet, load_workbook, values_workbook

        wb, raw = load_workbook(path, "a workbook")
        hint = f", or name the sheet in {recipe.path.name}"
        name = recipe.sheet or first_sheet(path, wb, "a recipe without sheet:", hint)
        if name not in wb.sheetnames:
            raise InputError(path, f"no sheet {name!r} (sheets: {', '.join(wb.sheetnames)})", field="sheet")
        problems = Problems()
        wb = values_workbook(path, wb, raw, [name], {recipe.columns.get("value", "")}, problems)
        problems.raise_if_any()
        rows = [
            (i, ["" if c is None else c for c in r])
            for i, r in enumerate(wb[name].iter_rows(values_only=True), start=1)
            if any(c is not None and str(c).strip() for c in r)
        ]
    else:
        raw = read_bytes(path, MAX_BYTES, "a data file")
        if recipe.encoding == "utf-8":
            text = decode_utf8(raw, path, "the file (csv.encoding in the recipe says utf-8)")
        else:
            try:
                text = raw.decode(recipe.encoding)
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                raise InputError(path, f"not {recipe.encoding} as the recipe says (csv.encoding)", row=line) from None
        text = text.lstrip("\ufeff")
        stray_bom(text, path)
        lines = text.splitlines()
        head = lines[recipe.header_row - 1] if len(lines) >= recipe.header_row else ""
        sep = recipe.separator or max(";,\t", key=head.count)
        rows = [(i, rec) for i, rec in csv_rows(lines, path, sep) if i >= recipe.header_row]
    header_at = [r for r in rows if r[0] >= recipe.header_row]
    if not header_at:
        raise InputError(path, f"no header: the file has no row {recipe.header_row} (header_row)")
    (hrow, header), body = header_at[0], header_at[1:]
    return [str(h).strip() for h in header], [(i, r) for i, r in body if i > hrow]


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_with_recipe(recipe: Recipe, path: str | Path) -> pd.DataFrame:
    """The observation rows of one file by its recipe, plus ``source_row`` (the file's row), ``code_year``
    (the borders its code is in) and ``source_field`` (the value's column); every problem at once."""
    path = Path(path)
    header, body = _table(recipe, path)
    cols = recipe.columns
    wanted = [(f"columns.{k}", c) for k, c in cols.items()] + [("filters", c) for c in recipe.filters]
    absent = [(k, c) for k, c in wanted if c not in header]
    if absent:
        raise InputError(
            path,
            "; ".join(f"no column {c!r} ({k} in {recipe.path.name})" for k, c in absent)
            + f"; the file's columns are {', '.join(map(repr, header))}",
            row=recipe.header_row,
            field=absent[0][1],
        )
    twice = [c for _, c in wanted if header.count(c) > 1]
    if twice:
        raise InputError(
            path,
            f"column {twice[0]!r} appears twice in the header: which is meant?",
            row=recipe.header_row,
            field=twice[0],
        )
    at = {h: i for i, h in enumerate(header)}
    decimal = recipe.decimal or declared_decimal(path)
    problems = Problems()
    resolved: dict[tuple, str | None] = {}
    out = []
    for line, rec in body:
        if len(rec) != len(header):
            problems.add(InputError(path, f"{len(rec)} fields but the header has {len(header)}", row=line))
            continue
        if any(_cell(rec[at[c]]) not in keep for c, keep in recipe.filters.items()):
            continue
        year_text = _cell(rec[at[cols["year"]]])
        if not re.fullmatch(r"[0-9]{4}", year_text):
            problems.add(InputError(path, f"{year_text!r} is not a year (four digits 0-9)", line, cols["year"]))
            continue
        year = int(year_text)
        code_year = recipe.borders or year
        unit_text = _cell(rec[at[cols["unit"]]])
        county = _cell(rec[at[cols["county"]]]) if "county" in cols else None
        key = (unit_text, county, code_year)
        if key not in resolved:
            resolved[key] = _unit_code(recipe, unit_text, county, code_year, path, line, problems)
        elif resolved[key] is None:
            _unit_code(recipe, unit_text, county, code_year, path, line, problems)  # every row with it is named
        code = resolved[key]
        value_text = _cell(rec[at[cols["value"]]])
        status, value = "", float("nan")
        if value_text in recipe.missing:
            status = recipe.missing[value_text]
            value = 0.0 if status == "-" else value
        elif value_text == "":
            problems.add(
                InputError(
                    path, "empty: add '' to missing in the recipe if an empty cell means missing", line, cols["value"]
                )
            )
            continue
        else:
            try:
                value = parse_number(rec[at[cols["value"]]], decimal) * recipe.factor
            except NumberError as exc:
                symbols = ", ".join(map(repr, recipe.missing))
                reason = (
                    exc.reason
                    if exc.specific
                    else f"{value_text!r} is not a number nor a symbol of missing ({symbols})"
                )
                problems.add(InputError(path, reason, line, cols["value"]))
                continue
        if code is None:
            continue
        out.append(
            {
                "unit_code": code,
                "year": year,
                "kpi_id": recipe.kpi,
                "value": value,
                "status": status,
                "source": recipe.source,
                "vintage": recipe.vintage or _file_date(path),
                "source_row": line,
                "code_year": code_year,
                "source_field": cols["value"],
            }
        )
    problems.found.sort(key=lambda p: (p.row is None, p.row or 0))
    problems.raise_if_any()
    if not out:
        raise InputError(path, f"no rows left after the filters of {recipe.path.name} ({recipe.filters})")
    return pd.DataFrame(out, columns=[*OBSERVATION_COLUMNS, "source_row", "code_year", "source_field"]).astype(
        {"year": "int64", "value": "float64", "source_row": "int64", "code_year": "int64"}
    )


def _file_date(path: Path) -> str:
    from analysis.ingest.registry import file_date

    return file_date(path)


def _unit_code(recipe: Recipe, text: str, county: str | None, year: int, path: Path, line: int, problems) -> str | None:
    """The code of one unit cell, or None with the reason in ``problems``."""
    from analysis.reference import geography

    field = recipe.columns["unit"]
    if recipe.units == "codes":
        split = split_region(text)
        if split is None or split[1]:
            problems.add(InputError(path, f"{text!r} is not a municipality or county code", line, field))
            return None
        return split[0]
    if _key(text) in recipe.names:
        return recipe.names[_key(text)]
    hits = geography.codes_named(text, year, recipe.level, county or None)
    if len(hits) == 1:
        return hits[0][0]
    in_county = f" in county {county!r}" if county else ""
    if not hits:
        close = geography.names_like(text, year, recipe.level)
        hint = f" (close: {', '.join(close)})" if close else ""
        why = f"no {recipe.level} named {text!r}{in_county} in the registry of {year}{hint}"
    else:
        every = geography.codes_named(text, year, recipe.level)
        shown = hits if county else every
        why = (
            f"{text!r}{in_county} is ambiguous in {year}: {', '.join(f'{c} {n}' for c, n in shown)}; give a county "
            f"column (columns: county) or the code in names: {{{text!r}: '{shown[0][0]}'}}"
        )
    problems.add(InputError(path, why, line, field))
    return None
