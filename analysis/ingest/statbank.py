"""SSB StatBank ("Statistikkbanken") CSV exports, e.g. table 07459 population by region and age.

Exports differ in separator (tab, ``;``, ``,``), encoding (UTF-8 or ISO-8859-1), title lines,
line endings and region labels (``0101 Halden`` or ``K-3001 Halden``). The dialect is detected,
never guessed: UTF-8 is tried strictly, then ISO-8859-1, and a decoding that looks wrong (NUL
bytes, C1 control characters, UTF-8 read twice) is refused. The header is the first line whose
first field is ``region``; the separator is the one that splits that line there. Every data row
must have as many fields as the header, so a wrong separator is an error, never a silent guess.

``read_statbank`` returns one row per region, year and age: ``unit_code`` (str, leading zeros
kept, ``K-``/``F-`` prefix removed), ``unit_name``, ``year`` (int64), ``age`` (Int64; ``105 years
or older`` is 105; all <NA> when the export has no age column), ``value`` (float64, NaN for an SSB
symbol), ``status`` ("" or the symbol), ``source``, ``source_row`` (line in the file).
Pseudo-regions (``21-22``, ``23``, ``Rest``) are kept out of the rows; their totals per year are in
``attrs["pseudo_regions"]``. Population exports fill 0 for every age of a unit in a year it
did not exist (``1567 Rindal (-2018)`` in 2019); those unit-years are dropped and listed in ``attrs["dropped_empty"]``.
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, Problems
from analysis.core.inputs import MB, check_lines, csv_rows, foreign_digit, read_bytes, stray_bom
from analysis.core.schema import OBSERVATION_COLUMNS, SUPPRESSED
from analysis.ingest import split_region
from analysis.ingest.numbers import NumberError, declared_decimal, parse_number

SEPARATORS = {"\t": "tab", ";": "semicolon", ",": "comma"}
HEADER_SCAN_LINES = 15
# digits are 0-9 only (``\d`` would take a fullwidth ２, which int() reads too); a year is four of them
_AGE_RE = re.compile(r"^([0-9]+)\s*(?:years?|år)?(?:\s+(?:or older|eller eldre))?$", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<![0-9])(1[89][0-9][0-9]|20[0-9][0-9])(?![0-9])")
_INTEGER_RE = r"^-?[0-9]+$"
#: Every municipality, every age, 40 years is about 50 MB; a larger file is refused before it is read.
MAX_BYTES = 64 * MB
#: Cells named one by one in a report; the rest are counted.
NAMED_CELLS = 20
_COUNT_VARIABLES = {"persons", "personer", "population", "befolkning"}


def decode_export(raw: bytes, path: Path) -> tuple[str, str]:
    """Text and encoding name; refuses bytes that no honest reading makes plausible."""
    if not raw.strip():
        raise InputError(path, "empty file")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(path, "a zip archive (an .xlsx workbook with a .csv name?), not a StatBank CSV export")
    if b"\x00" in raw:
        raise InputError(path, "NUL bytes: UTF-16 or binary, not a StatBank CSV export")
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("iso-8859-1"), "iso-8859-1"
    if encoding == "utf-8":
        m = re.search("[ÃÂ][\u0080-\u00bf]", text)
        if m:
            raise InputError(
                path,
                f"text {text[m.start() : m.end() + 2]!r} looks like UTF-8 decoded twice "
                "(mojibake); re-export the table",
                row=text.count("\n", 0, m.start()) + 1,
            )
    else:
        m = re.search("Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]", text)  # æ, ø, å … as UTF-8, beside ISO-8859-1 bytes
        if m:
            raise InputError(
                path,
                f"text {text[m.start() : m.end() + 2]!r} is UTF-8 in a file that is not valid "
                "UTF-8: the file mixes two encodings (edited by hand?); re-export the table",
                row=text.count("\n", 0, m.start()) + 1,
            )
        m = re.search("[\u0080-\u009f]", text)
        if m:
            raise InputError(
                path,
                f"byte 0x{ord(m.group()):02X} is neither UTF-8 nor ISO-8859-1 text "
                "(Windows-1252 or another code page?); re-export as UTF-8",
                row=text.count("\n", 0, m.start()) + 1,
            )
    stray_bom(text, path)
    return text, encoding


def _find_header(lines: list[str], path: Path) -> tuple[int, str, list[str]]:
    """The first line whose first field is ``region``; the character after it is the separator,
    so the choice cannot be ambiguous (a wrong choice shows as a field-count error on data rows)."""
    for i, line in enumerate(lines[:HEADER_SCAN_LINES]):
        for sep in SEPARATORS:
            fields = next(csv.reader([line], delimiter=sep), [])
            if len(fields) >= 2 and fields[0].strip().lower() == "region":
                return i, sep, [f.strip() for f in fields]
    raise InputError(
        path,
        f"no header line starting with 'region' in the first {HEADER_SCAN_LINES} lines "
        "(separator must be tab, ';' or ',')",
    )


def read_statbank(path: str | Path) -> pd.DataFrame:
    """Read one StatBank CSV export (region first, optional age, one column per year)."""
    path = Path(path)
    raw = read_bytes(path, MAX_BYTES, "a StatBank export", "export fewer years or regions per file")
    text, encoding = decode_export(raw, path)
    lines = text.splitlines()
    check_lines(lines[:HEADER_SCAN_LINES], path)
    h, sep, header = _find_header(lines, path)
    title = " ".join(line.strip().strip('"') for line in lines[:h] if line.strip())
    table_id = m.group(1) if (m := re.match(r"^([0-9]{5})(?![0-9])", title)) else ""

    lower = [c.lower() for c in header]
    age_col = next((j for j, c in enumerate(lower) if c in {"age", "alder"}), None)
    value_cols = [j for j in range(1, len(header)) if j != age_col]
    years, variables = [], set()
    for j in value_cols:
        m = _YEAR_RE.search(header[j])
        if m is None:
            why = foreign_digit(header[j]) or "expected e.g. 'Persons 2022'"
            raise InputError(path, f"column {header[j]!r} names no year; {why}", row=h + 1, field=header[j])
        glued = re.search(rf"\S*{m.group(1)}\S*", header[j]).group()
        if glued != m.group(1):  # '2022*', '2022/23', '2022K1': not one calendar year, or not only the year
            raise InputError(
                path,
                f"column {header[j]!r}: {glued!r} is not a year on its own; a year column is named like 'Persons "
                "2022' (a mark such as '*', a season such as 2022/23 or a quarter is not read as the year)",
                row=h + 1,
                field=header[j],
            )
        years.append(int(m.group(1)))
        variables.add(_YEAR_RE.sub("", header[j]).strip())
    if not value_cols:
        raise InputError(path, "no year columns after region/age", row=h + 1, field="year")
    if len(variables) > 1:
        raise InputError(path, f"several variables {sorted(variables)}; export one variable per file", row=h + 1)
    if len(set(years)) != len(years):
        raise InputError(path, "a year appears in two columns", row=h + 1, field="year")
    variable = variables.pop()

    problems = Problems()
    rows, line_no = [], []
    for n, rec in csv_rows(lines[h + 1 :], path, sep, first_row=h + 2):
        if len(rec) != len(header):
            problems.add(
                InputError(
                    path, f"{len(rec)} fields but the header has {len(header)} ({SEPARATORS[sep]}-separated)", row=n
                )
            )
            continue
        rows.append(rec)
        line_no.append(n)
        if len(problems.found) > NAMED_CELLS:
            break
    problems.raise_if_any()
    if not rows:
        raise InputError(path, "header only, no data rows", row=h + 1)
    arr = np.array(rows, dtype=object)
    src_row = np.array(line_no, dtype=np.int64)

    regions = {lab: _parse_region(lab) for lab in set(arr[:, 0])}
    for lab, parsed in regions.items():
        if parsed is None:
            bad = src_row[np.flatnonzero(arr[:, 0] == lab)[0]]
            hint = (
                " (a 3-digit code: was the leading zero lost, e.g. in a spreadsheet?)"
                if re.match(r"^[0-9]{3}(?![0-9])", str(lab).strip())
                else ""
            )
            hint = f" ({foreign_digit(lab)})" if foreign_digit(lab) else hint
            problems.add(
                InputError(
                    path, f"region {lab!r} does not start with an SSB region code{hint}", row=int(bad), field=header[0]
                )
            )
    if age_col is not None:
        ages = {lab: _parse_age(lab) for lab in set(arr[:, age_col])}
        for lab, age in ages.items():
            if age is None:
                bad = src_row[np.flatnonzero(arr[:, age_col] == lab)[0]]
                problems.add(
                    InputError(
                        path,
                        f"age {lab!r} is not like '5 years' or '105 years or older'"
                        + (f" ({foreign_digit(lab)})" if foreign_digit(lab) else ""),
                        row=int(bad),
                        field=header[age_col],
                    )
                )
        problems.raise_if_any()
        age_vals = pd.array([ages[a] for a in arr[:, age_col]], dtype="Int64")
    else:
        age_vals = pd.array([pd.NA] * len(arr), dtype="Int64")
    problems.raise_if_any()

    base = pd.DataFrame(
        {
            "unit_code": [regions[r][0] for r in arr[:, 0]],
            "unit_name": [regions[r][1] for r in arr[:, 0]],
            "pseudo": [regions[r][2] for r in arr[:, 0]],
            "age": age_vals,
            "source_row": src_row,
        }
    )
    parts = []
    for j, year in zip(value_cols, years):
        part = base.copy()
        part["year"] = np.int64(year)
        part["raw"] = arr[:, j]
        part["field"] = header[j]
        parts.append(part)
    df = pd.concat(parts, ignore_index=True)
    df["value"], df["status"] = _parse_values(df, path, declared_decimal(path))
    if variable.lower() in _COUNT_VARIABLES and (df["value"] < 0).any():
        bad = df.loc[df["value"] < 0].iloc[0]
        raise InputError(path, f"negative count {bad['raw']!r}", row=int(bad["source_row"]), field=bad["field"])
    dup = df.duplicated(["unit_code", "year", "age"], keep="first")
    if dup.any():
        bad = df.loc[dup].iloc[0]
        raise InputError(
            path,
            f"region {bad['unit_code']} year {bad['year']} age {bad['age']} appears twice",
            row=int(bad["source_row"]),
            field=header[0],
        )
    damaged = int(df["unit_name"].str.contains("\ufffd", regex=False).sum())
    if damaged:
        warnings.warn(
            f"{path}: {df.loc[df['unit_name'].str.contains(chr(0xFFFD)), 'unit_name'].nunique()} "
            "region names contain U+FFFD (letters lost before publication); codes are intact",
            stacklevel=2,
        )
    pseudo = df.loc[df["pseudo"]].groupby(["year", "unit_code"])["value"].sum()
    df = df.loc[~df["pseudo"]]
    dropped: list[tuple[str, int]] = []
    if variable.lower() in _COUNT_VARIABLES:
        # Exports fill 0 for every age of a unit in a year it did not exist ("1567 Rindal (-2018)").
        totals = df.groupby(["unit_code", "year"])["value"].transform("sum")
        empty = (totals == 0) & (df["status"] == "")
        dropped = sorted({(str(c), int(y)) for c, y in zip(df.loc[empty, "unit_code"], df.loc[empty, "year"])})
        df = df.loc[~empty]
        if df.empty and len(empty):  # every unit-year was a filler of zeros: the file holds no one
            raise InputError(
                path,
                f"every region has 0 {variable.lower()} in every year ({len(empty)} cells): the export holds "
                "nothing (a table of units that did not exist, or values lost?)",
                row=h + 2,
                field=header[value_cols[0]],
            )
    df["source"] = f"SSB {table_id + ' ' if table_id else ''}StatBank export {path.name}"
    df = df.sort_values(["year", "source_row"], kind="stable").reset_index(drop=True)
    out = df[["unit_code", "unit_name", "year", "age", "value", "status", "source", "source_row"]].copy()
    for col in ("unit_code", "unit_name", "status", "source"):
        out[col] = out[col].astype(str)
    out.attrs = {
        "encoding": encoding,
        "separator": SEPARATORS[sep],
        "title": title,
        "table_id": table_id,
        "variable": variable,
        "header_row": h + 1,
        "year_columns": {int(y): header[j] for j, y in zip(value_cols, years)},
        "dropped_empty": dropped,
        "pseudo_regions": {int(y): {} for y in sorted(set(years))},
    }
    for (year, code), total in pseudo.items():
        out.attrs["pseudo_regions"][int(year)][str(code)] = float(total)
    return out


def _parse_region(label: str) -> tuple[str, str, bool] | None:
    head, _, name = str(label).strip().partition(" ")
    parsed = split_region(head)
    if parsed is None:
        return None
    return parsed[0], name.strip(), parsed[1]


def _parse_age(label: str) -> int | None:
    m = _AGE_RE.match(str(label).strip())
    return int(m.group(1)) if m else None


def _parse_values(df: pd.DataFrame, path: Path, decimal: str | None) -> tuple[pd.Series, pd.Series]:
    """Numbers, or NaN plus the SSB symbol; '-' (nil) is 0. Whole numbers take a fast path; any other text
    goes through :func:`analysis.ingest.numbers.parse_number`, which refuses a value that could be read two
    ways (``1,266``) unless the file's decimal mark is declared. Every bad cell names its row."""
    raw = df["raw"].astype(str).str.strip()
    is_symbol = raw.isin(SUPPRESSED)
    is_nil = raw == "-"
    is_integer = raw.str.match(_INTEGER_RE)
    value = pd.to_numeric(raw.where(is_integer), errors="coerce").astype("float64")
    other = ~(is_symbol | is_nil | is_integer)
    problems = Problems()
    parsed: dict[str, float | NumberError] = {}
    for text in raw[other].unique():
        try:
            parsed[text] = parse_number(text, decimal)
        except NumberError as exc:
            parsed[text] = exc
    if other.any():
        value[other] = [v if isinstance(v, float) else np.nan for v in raw[other].map(parsed)]
    for i in np.flatnonzero(other.to_numpy()):
        got = parsed[raw.iat[i]]
        if isinstance(got, float):
            continue
        if len(problems.found) >= NAMED_CELLS:
            problems.add(InputError(path, "and more cells like these (the first are named)"))
            break
        row = df.iloc[i]
        if not raw.iat[i]:
            what = "empty cell (SSB marks missing as '..')"
        elif got.specific:
            what = got.reason
        else:
            what = f"{row['raw']!r} is not a number or an SSB symbol"
        problems.add(InputError(path, what, row=int(row["source_row"]), field=row["field"]))
    problems.raise_if_any()
    value = value.where(~is_nil, 0.0)
    status = raw.where(is_symbol | is_nil, "")
    return value, status


def read_population_exports(folder: str | Path, pattern: str = "*.csv") -> pd.DataFrame:
    """All StatBank population exports in ``folder`` as one table, each year with its file's borders.

    Each year keeps the borders of its file; a year may come from one file only. Unit-years that
    ``read_statbank`` dropped as empty are listed in ``attrs["dropped_empty"]``.
    """
    folder = Path(folder)
    files = sorted(folder.glob(pattern))
    if not files:
        raise InputError(folder, f"no files matching {pattern!r}")
    frames, pseudo, seen, dropped = [], {}, {}, []
    for f in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = read_statbank(f)
        for year in df["year"].unique():
            if int(year) in seen:
                raise InputError(
                    f, f"year {year} is also in {seen[int(year)].name}; keep one export per year", field="year"
                )
            seen[int(year)] = f
        frames.append(df)
        pseudo.update(df.attrs["pseudo_regions"])
        dropped += df.attrs["dropped_empty"]
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["year", "unit_code", "age"], kind="stable").reset_index(drop=True)
    df.attrs = {
        "pseudo_regions": pseudo,
        "dropped_empty": dropped,
        "files": [f.name for f in files],
        "file_of_year": {year: str(f) for year, f in seen.items()},
    }
    return df


def statbank_to_observations(df: pd.DataFrame, *, variable: str | None = None, vintage: str = "") -> pd.DataFrame:
    """Observation rows (plus ``age``, ``source_row``, ``code_year`` and, for the checks, ``unit_name`` and
    ``source_field``, the file's column of the value) from ``read_statbank`` output.

    The kpi_id is ``variable`` or ``ssb/<table or 'statbank'>/<variable>``; the codes follow the
    borders of the data year (StatBank exports publish each year with its own codes or, for
    aggregated lists, with codes that existed in that year).
    """
    table = df.attrs.get("table_id") or "statbank"
    kpi = variable or f"ssb/{table}/{df.attrs.get('variable', 'value').lower()}"
    field = df["year"].map(df.attrs.get("year_columns", {})).fillna("value").astype(str)
    out = df.assign(kpi_id=kpi, vintage=vintage, code_year=df["year"], source_field=field)
    return out[OBSERVATION_COLUMNS + ["age", "source_row", "code_year", "unit_name", "source_field"]].reset_index(
        drop=True
    )
