"""U4SSC submissions: the template a member fills in, and the reader that checks it against the
catalog and the municipality registry before anything enters the observation table.

Rules a submission must follow (also in ``data/templates/README.md``): one row per municipality,
year and data point; the KPI code as printed by ITU ("EC: ICT: ICT: 4C", spacing free) plus the data
point ("3G") where the KPI has several; the value a plain number (decimal comma or point), an SSB
symbol ("..", ":", ".") or empty (not reported, the row is skipped); the unit empty, the catalog's
unit, its Norwegian text or a shortening of it ("%"). Percentages lie in 0-100, yes/no KPIs are 0 or
1, no U4SSC KPI is negative, and the plausibility rules of ``data/reference/plausibility.csv`` hold
(no year after this one, KPI bounds): the value rules are the validator's, from their one home
:mod:`analysis.reference.plausibility`, applied here so that one round names every problem.

A number is read one way only (:mod:`analysis.ingest.numbers`): ``95.424`` and ``1,266`` are refused
with both readings unless the file's decimal mark is declared; a number cell of a workbook is taken as
the number it holds. A CSV must be UTF-8 (Excel: "CSV UTF-8"); a workbook must not hold merged cells,
dates where numbers belong, or formulas without a saved result (:mod:`analysis.ingest.workbook`). A
file with a header and no rows, or with no value in any row, is refused: it reports nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, Problems
from analysis.core.inputs import MB, csv_table, foreign_digit, read_bytes
from analysis.core.schema import OBSERVATION_COLUMNS
from analysis.ingest.numbers import NumberError, declared_decimal, parse_number
from analysis.reference import geography
from analysis.reference.catalog import load_catalog, make_kpi_id

TEMPLATE_COLUMNS = [
    "municipality_code",
    "year",
    "kpi_code",
    "data_point",
    "kpi_name_nb",
    "value",
    "unit",
    "source",
    "comment",
]
SYMBOLS = ("..", ":", ".")  # what a member may type instead of a value (a subset of core.schema.SUPPRESSED)
#: A filled-in template is some 20 kB; verification values a few kB.
MAX_BYTES = 5 * MB


def template_rows(municipality_code: str = "", year: int | str = "") -> pd.DataFrame:
    """One row per catalog data point, with the Norwegian name and unit as guidance."""
    cat = load_catalog()
    printed = cat["code"].map(lambda c: ": ".join(c.split(":")))
    return pd.DataFrame(
        {
            "municipality_code": municipality_code,
            "year": year,
            "kpi_code": printed,
            "data_point": cat["data_point"],
            "kpi_name_nb": cat["name_nb"],
            "value": "",
            "unit": cat["unit_nb"],
            "source": "",
            "comment": "",
        }
    )[TEMPLATE_COLUMNS]


GUIDE_NB = [
    (
        "municipality_code",
        "Kommunenummer med fire siffer (fylke: to siffer), slik det var i rapporteringsåret, f.eks. 1149.",
    ),
    ("year", "Året verdien gjelder, f.eks. 2023."),
    ("kpi_code", "KPI-koden slik ITU skriver den, f.eks. «EC: ICT: ICT: 4C». Ikke endre."),
    ("data_point", "Delindikator der KPI-en har flere (f.eks. 3G, 4G). Ellers tom. Ikke endre."),
    ("kpi_name_nb", "Navn på norsk, til hjelp. Leses ikke."),
    (
        "value",
        "Tallet (desimalkomma eller -punktum, ingen tekst). «..» = mangler, «:» = skjermet, «.» = ikke aktuelt. "
        "Tom = ikke rapportert.",
    ),
    ("unit", "Enheten. La forhåndsutfylt enhet stå; andre enheter avvises."),
    ("source", "Hvor tallet kommer fra (etat, system, tabell)."),
    ("comment", "Merknader, f.eks. avvik fra ITU-definisjonen."),
]


def write_template(xlsx_path: Path, csv_path: Path | None = None) -> None:
    """Write the submission template (xlsx with a guide sheet, and optionally the csv), reproducibly."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from analysis.core.atomic import atomic_path, write_atomic_csv

    rows = template_rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "Innrapportering"
    ws.append(TEMPLATE_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for rec in rows.itertuples(index=False):
        ws.append(list(rec))
    for col, width in zip("ABCDEFGHI", (18, 8, 18, 16, 48, 12, 30, 30, 30)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("Veiledning")
    guide.append(["kolonne", "hva skal stå her"])
    for row in GUIDE_NB:
        guide.append(list(row))
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 110
    wb.properties.created = dt.datetime(2024, 1, 1)  # fixed, so the file is reproducible
    wb.properties.modified = dt.datetime(2024, 1, 1)
    with atomic_path(Path(xlsx_path)) as tmp:
        wb.save(tmp)
    if csv_path is not None:
        write_atomic_csv(rows, Path(csv_path))


def _cell_text(v) -> str:
    """A workbook cell as the text a person sees: 2020 (not 2020.0), '' for an empty cell."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _read_table(path: Path) -> pd.DataFrame:
    """The submission as text columns (``value`` keeps a workbook's number cells as numbers) plus ``_row``,
    the row in the file; a file whose rows cannot be read is refused with every row named."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from analysis.ingest.workbook import first_sheet, load_workbook, values_workbook

        wb, raw = load_workbook(path, "a U4SSC submission")
        problems = Problems()
        sheet = first_sheet(path, wb, "a submission")
        for other in wb.worksheets[1:]:  # a second year pasted into a sheet of its own would be left out unseen
            names = {_cell_text(c) for c in next(other.iter_rows(max_row=1, values_only=True), ())}
            if {"municipality_code", "kpi_code"} <= names:
                problems.add(
                    InputError(
                        path,
                        f"sheet {other.title!r} is a submission too, but only the first sheet ({sheet!r}) is read: "
                        "move its rows to the first sheet, or send it as a file of its own",
                        row=1,
                        field=other.title,
                    )
                )
        wb = values_workbook(path, wb, raw, [sheet], {"municipality_code", "year", "value"}, problems)
        problems.raise_if_any()
        cells = list(wb[sheet].iter_rows(values_only=True))
        header = [_cell_text(c) for c in cells[0]] if cells else []
        twice = sorted({h for h in header if h and header.count(h) > 1})
        if twice:  # as csv_table refuses it: which of the two is meant cannot be told
            raise InputError(path, f"column {twice[0]!r} appears twice in the header", row=1, field=twice[0])
        records, rows = [], []
        for row, values in enumerate(cells[1:], start=2):
            if all(v is None or _cell_text(v) == "" for v in values):
                continue
            rec = {}
            for h, v in zip(header, values):
                number = h == "value" and isinstance(v, (int, float)) and not isinstance(v, bool)
                rec[h] = v if number else _cell_text(v)
            records.append(rec)
            rows.append(row)
    elif suffix == ".csv":
        header, body = csv_table(read_bytes(path, MAX_BYTES, "a U4SSC submission"), path, "a U4SSC submission")
        records, rows = [rec for _, rec in body], [row for row, _ in body]
    else:
        raise InputError(path, "a submission must be .csv or .xlsx")
    df = pd.DataFrame(records, columns=[h for h in header if h]).fillna("")
    missing = [c for c in ("municipality_code", "year", "kpi_code", "value") if c not in df.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}", row=1, field=missing[0])
    for col in ("data_point", "unit", "source", "comment"):
        if col not in df.columns:
            df[col] = ""
    df["_row"] = rows
    return df


def _unit_ok(unit: str, row: pd.Series) -> bool:
    """The catalog unit (English or Norwegian), or its first or last words as a shortening ('%', 'kWh',
    'per 100 000 inhabitants' as ITU's reports print it), never a fragment of a word."""
    u = " ".join(unit.lower().split())
    if not u:
        return True
    for catalog_unit in (row["unit"], row["unit_nb"]):
        c = " ".join(str(catalog_unit).lower().split())
        if c == u or c.startswith(u + " ") or c.endswith(" " + u):
            return True
    return False


def _value(text, decimal: str | None, what: str) -> float:
    """The number in a value cell; the reason why not names what else the cell may hold."""
    try:
        return parse_number(text, decimal)
    except NumberError as exc:
        raise ValueError(exc.reason if exc.specific else f"{text!r} is not a number{what}") from None


def _submission_row(
    path: Path, r: pd.Series, line: int, cat: pd.DataFrame, seen: dict[tuple, int], decimal: str | None
) -> dict:
    """One reported row of a submission as an observation; raises ``InputError`` for its first problem
    (the caller collects the problems of all rows)."""
    code = r["municipality_code"]
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}", code):  # 0-9 only: int() would read a fullwidth ２ too
        why = foreign_digit(code) or f"{code!r} is not a 4-digit municipality or 2-digit county code"
        raise InputError(path, why, line, "municipality_code")
    if not re.fullmatch(r"[0-9]{4}", r["year"].removesuffix(".0")):
        why = foreign_digit(r["year"]) or f"{r['year']!r} is not a year (four digits 0-9, such as 2023)"
        raise InputError(path, why, line, "year")
    year = int(r["year"].removesuffix(".0"))
    if not geography.code_valid_in(code, year):
        raise InputError(path, f"code {code} was not in use in {year}", line, "municipality_code")
    kpi_id = make_kpi_id(r["kpi_code"], r["data_point"])
    if kpi_id not in cat.index:
        raise InputError(path, f"unknown KPI {r['kpi_code']!r} with data point {r['data_point']!r}", line, "kpi_code")
    crow = cat.loc[kpi_id]
    if not _unit_ok(r["unit"], crow):
        raise InputError(
            path,
            f"unit {r['unit']!r} does not match the catalog unit {crow['unit']!r} ({crow['unit_nb']})",
            line,
            "unit",
        )
    if r["value"] in SYMBOLS:
        value, status = float("nan"), r["value"]
    else:
        try:
            value, status = _value(r["value"], decimal, " or an SSB symbol (.., :, .)"), ""
        except ValueError as exc:
            raise InputError(path, str(exc), line, "value") from None
    key = (code, year, kpi_id)
    if key in seen:
        raise InputError(path, f"duplicate of row {seen[key]} ({code}, {year}, {kpi_id})", line, "kpi_code")
    seen[key] = line
    return {"unit_code": code, "year": year, "kpi_id": kpi_id, "value": value, "status": status}


def read_submission(path: str | Path) -> pd.DataFrame:
    """Read and check one filled-in template; every problem names file, row, field and reason, and the
    problems of all rows are reported together (one round of ``check`` for a template with many mistakes).

    Returns the observation columns (unit_code, year, kpi_id, value, status, source, vintage) plus
    ``source_row`` (the line in the file, header = 1), ``reported_source`` and ``comment``.
    """
    path = Path(path)
    df = _read_table(path)
    if df.empty:
        raise InputError(path, "a header and no rows: the submission reports nothing", row=1)
    decimal = declared_decimal(path)
    catalog = load_catalog()
    cat = catalog.set_index("kpi_id", drop=False)
    problems = Problems()
    out = []
    seen: dict[tuple, int] = {}
    vintage = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    for _, r in df.iterrows():
        line = int(r["_row"])
        if isinstance(r["value"], str) and not r["value"]:
            continue  # an untouched template row, or a KPI not reported
        try:
            row = _submission_row(path, r, line, cat, seen, decimal)
        except InputError as problem:
            problems.add(problem)
            continue
        reported = "" if pd.isna(r["source"]) else " ".join(str(r["source"]).split())
        out.append(
            row
            | {
                # the member's own words for where the number comes from, shown on the pages as its source
                "source": f"{reported} (u4ssc_submission:{path.name})" if reported else f"u4ssc_submission:{path.name}",
                "vintage": vintage,
                "source_row": line,
                "reported_source": r["source"],
                "comment": r["comment"],
            }
        )
    if not out and not problems.found:
        raise InputError(path, "no row has a value: the submission reports nothing (an untouched template?)")
    res = pd.DataFrame(out, columns=OBSERVATION_COLUMNS + ["source_row", "reported_source", "comment"])
    res = res.astype({"year": "int64", "value": "float64", "source_row": "int64"})
    _check_values(res, catalog, path, problems)
    return res


def _check_values(res: pd.DataFrame, catalog: pd.DataFrame, path: Path, problems: Problems) -> None:
    """The validator's value rules (catalog ranges, plausibility) on the rows read; raises every problem of
    the file, the reader's and these, in the order of the file's rows."""
    from analysis.reference.plausibility import validate_plausibility, validate_rules

    validate_rules(res, catalog, path, problems)
    validate_plausibility(res, path, problems)
    problems.found.sort(key=lambda p: (p.row is None, p.row or 0))
    problems.raise_if_any()


def _norm_name(name: str) -> str:
    name = re.sub(r"\(.*?\)", "", name).lower().replace("wi-fi", "wifi")
    return re.sub(r"[^a-z0-9]+", "", name)


def match_kpi_name(name: str, code: str = "") -> str | None:
    """The catalog kpi_id for an English KPI name as printed in an ITU report (code optional)."""
    cat = load_catalog()
    if code:
        cat = cat.loc[cat["code"] == make_kpi_id(code)]
    target = _norm_name(name)
    full = cat.loc[cat["name_en"].map(_norm_name) == target, "kpi_id"]
    if len(full) == 1:
        return full.iloc[0]
    part = cat.loc[cat["name_en"].map(lambda n: _norm_name(n.split(":")[-1])) == target, "kpi_id"]
    return part.iloc[0] if len(part) == 1 else None


VERIFICATION_COLUMNS = ["city", "report_date", "kpi_name", "value"]


def read_verification_values(path: str | Path) -> pd.DataFrame:
    """KPI values typed from ITU verification reports (city, report_date, kpi_code, kpi_name, value,
    unit, ...) as observation rows plus ``source_row``; the city name is looked up in the registry
    for the report year and the KPI by code and name. ``report_date`` is the month (``2020-09``) or day of
    the report, not after today. Every problem of the file is reported at once."""
    path = Path(path)
    header, rows = csv_table(read_bytes(path, MAX_BYTES, "a verification values file"), path, "verification values")
    missing = [c for c in VERIFICATION_COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"missing columns {missing}", row=1, field=missing[0])
    if not rows:
        raise InputError(path, "a header and no rows", row=1)
    decimal = declared_decimal(path)
    catalog = load_catalog()
    cat = catalog.set_index("kpi_id", drop=False)
    problems = Problems()
    out = []
    for line, r in rows:
        try:
            out.append(_verification_row(path, line, r, cat, decimal))
        except InputError as problem:
            problems.add(problem)
    res = pd.DataFrame(out, columns=OBSERVATION_COLUMNS + ["source_row"]).astype(
        {"year": "int64", "value": "float64", "source_row": "int64"}
    )
    _check_values(res, catalog, path, problems)
    return res


def _report_year(text: str, path: Path, line: int) -> int:
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?", text)
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)) if m else None
    except ValueError:
        day = None
    if day is None:
        why = f" ({foreign_digit(text)})" if foreign_digit(text) else ""
        raise InputError(path, f"{text!r} is not a date like 2020-09 or 2020-09-15{why}", line, "report_date")
    if day > dt.date.today():
        raise InputError(path, f"{text!r} has not come yet", line, "report_date")
    return day.year


def _verification_row(path: Path, line: int, r: dict, cat: pd.DataFrame, decimal: str | None) -> dict:
    year = _report_year(r["report_date"], path, line)
    codes = geography.codes_at(year)
    hit = codes.loc[codes["name"] == r["city"], "code"]
    if len(hit) != 1:
        raise InputError(path, f"no single municipality named {r['city']!r} in {year}", line, "city")
    kpi_id = match_kpi_name(r["kpi_name"], r.get("kpi_code", ""))
    if kpi_id is None:
        raise InputError(path, f"no catalog KPI matches {r['kpi_name']!r}", line, "kpi_name")
    if not _unit_ok(r.get("unit", ""), cat.loc[kpi_id]):
        raise InputError(path, f"unit {r['unit']!r} does not match {cat.loc[kpi_id, 'unit']!r}", line, "unit")
    try:
        value = _value(r["value"], decimal, "")
    except ValueError as exc:
        raise InputError(path, str(exc), line, "value") from None
    return {
        "unit_code": hit.iloc[0],
        "year": year,
        "kpi_id": kpi_id,
        "value": value,
        "status": "",
        "source": "itu_verification_report",
        "vintage": r["report_date"],
        "source_row": line,
    }
