"""U4SSC submissions: the template a member fills in, and the reader that checks it against the
catalog and the municipality registry before anything enters the observation table.

Rules a submission must follow (also in ``data/templates/README.md``): one row per municipality,
year and data point; the KPI code as printed by ITU ("EC: ICT: ICT: 4C", spacing free) plus the data
point ("3G") where the KPI has several; the value a plain number (decimal comma or point), an SSB
symbol ("..", ":", ".") or empty (not reported, the row is skipped); the unit empty, the catalog's
unit, its Norwegian text or a shortening of it ("%"). Percentages lie in 0-100, yes/no KPIs are 0 or
1, and no U4SSC KPI is negative.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, Problems
from analysis.core.schema import OBSERVATION_COLUMNS
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
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}([  ]\d{3})+)([.,]\d+)?$")


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


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        df = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
    elif path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig", errors="strict")
        first = text.splitlines()[0] if text else ""
        sep = ";" if first.count(";") > first.count(",") else ","
        from io import StringIO

        df = pd.read_csv(StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    else:
        raise InputError(path, "a submission must be .csv or .xlsx")
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("municipality_code", "year", "kpi_code", "value") if c not in df.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}", row=1)
    for col in ("data_point", "unit", "source", "comment"):
        if col not in df.columns:
            df[col] = ""
    return df.map(lambda v: str(v).strip() if v is not None else "")


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


def parse_value(text: str) -> float | None:
    """``'1 234,5'`` -> 1234.5; None when the text is not a number."""
    t = text.replace("\u00a0", " ").strip()
    if not _NUMBER.match(t):
        return None
    t = t.replace(" ", "").replace("\u202f", "")
    return float(t.replace(",", "."))


def _check_value(value: float, cat_row: pd.Series) -> str | None:
    if value < 0:
        return f"{value} is negative; {cat_row['kpi_id']} cannot be"
    if cat_row["direction"] == "binary" and value not in (0, 1):
        return f"{value} is not 0 or 1 (yes/no KPI {cat_row['kpi_id']})"
    if cat_row["unit"].startswith("%") and value > 100:
        return f"{value} is a percentage above 100"
    return None


def _submission_row(path: Path, r: pd.Series, line: int, cat: pd.DataFrame, seen: dict[tuple, int]) -> dict:
    """One reported row of a submission as an observation; raises ``InputError`` for its first problem
    (the caller collects the problems of all rows)."""
    code = r["municipality_code"]
    if not re.fullmatch(r"\d{2}|\d{4}", code):
        raise InputError(
            path, f"{code!r} is not a 4-digit municipality or 2-digit county code", line, "municipality_code"
        )
    if not re.fullmatch(r"\d{4}", r["year"].removesuffix(".0")):
        raise InputError(path, f"{r['year']!r} is not a year", line, "year")
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
        value, status = parse_value(r["value"]), ""
        if value is None:
            raise InputError(path, f"{r['value']!r} is not a number or an SSB symbol (.., :, .)", line, "value")
        problem = _check_value(value, crow)
        if problem:
            raise InputError(path, problem, line, "value")
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
    cat = load_catalog().set_index("kpi_id", drop=False)
    problems = Problems()
    out = []
    seen: dict[tuple, int] = {}
    vintage = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    for i, r in df.iterrows():
        line = int(i) + 2
        if not r["value"]:
            continue  # an untouched template row, or a KPI not reported
        try:
            row = _submission_row(path, r, line, cat, seen)
        except InputError as problem:
            problems.add(problem)
            continue
        out.append(
            row
            | {
                "source": f"u4ssc_submission:{path.name}",
                "vintage": vintage,
                "source_row": line,
                "reported_source": r["source"],
                "comment": r["comment"],
            }
        )
    problems.raise_if_any()
    res = pd.DataFrame(out, columns=OBSERVATION_COLUMNS + ["source_row", "reported_source", "comment"])
    return res.astype({"year": "int64", "value": "float64", "source_row": "int64"})


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


def read_verification_values(path: str | Path) -> pd.DataFrame:
    """KPI values typed from ITU verification reports (city, report_date, kpi_code, kpi_name, value,
    unit, ...) as observation rows plus ``source_row``; the city name is looked up in the registry
    for the report year and the KPI by code and name."""
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    cat = load_catalog().set_index("kpi_id", drop=False)
    out = []
    for i, r in df.iterrows():
        line = int(i) + 2
        year = int(r["report_date"][:4])
        codes = geography.codes_at(year)
        hit = codes.loc[codes["name"] == r["city"], "code"]
        if len(hit) != 1:
            raise InputError(path, f"no single municipality named {r['city']!r} in {year}", line, "city")
        kpi_id = match_kpi_name(r["kpi_name"], r["kpi_code"])
        if kpi_id is None:
            raise InputError(path, f"no catalog KPI matches {r['kpi_name']!r}", line, "kpi_name")
        if not _unit_ok(r["unit"], cat.loc[kpi_id]):
            raise InputError(path, f"unit {r['unit']!r} does not match {cat.loc[kpi_id, 'unit']!r}", line, "unit")
        value = parse_value(r["value"])
        if value is None:
            raise InputError(path, f"{r['value']!r} is not a number", line, "value")
        problem = _check_value(value, cat.loc[kpi_id])
        if problem:
            raise InputError(path, problem, line, "value")
        out.append(
            {
                "unit_code": hit.iloc[0],
                "year": year,
                "kpi_id": kpi_id,
                "value": value,
                "status": "",
                "source": "itu_verification_report",
                "vintage": r["report_date"],
                "source_row": line,
            }
        )
    return pd.DataFrame(out, columns=OBSERVATION_COLUMNS + ["source_row"]).astype(
        {"year": "int64", "value": "float64", "source_row": "int64"}
    )
