"""A corpus of broken inputs: each is refused with file, row/field and reason, and nothing is written.

Most cases are made in the test from real bytes (the head of the 2022 population export, the
07459 JSON-stat response, a KOSTRA workbook); a few hand-made files live in fixtures/sources/malformed/.
"""

import argparse
import functools
import hashlib
import io
import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import EXIT_BAD_INPUT
from analysis.process.ingested import register

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources" / "malformed"
POP_2022 = config.SHARED_DATA_DIR / "ssb-07459-population" / "Personer2022.csv"
JSON_07459 = config.SHARED_DATA_DIR / "ssb-jsonstat" / "07459_population_2022_all_municipalities.json"
ROADS_2021 = config.SHARED_DATA_DIR / "kostra-road-network" / "road_network_2021.xlsx"

HEAD = b"\r\n".join(POP_2022.read_bytes().split(b"\r\n")[:43]) + b"\r\n"  # title, blank, header, 40 rows
LINES = HEAD.split(b"\r\n")  # LINES[3] is file row 4, the first data row: "K-3001 Halden";"0 years";266


SUBMISSION_HEAD = b"municipality_code,year,kpi_code,data_point,kpi_name_nb,value,unit,source,comment\n"


def csv_with(row4: bytes | None = None, header: bytes | None = None, extra: list[bytes] = ()) -> bytes:
    lines = list(LINES)
    if header is not None:
        lines[2] = header
    if row4 is not None:
        lines[3] = row4
    return b"\r\n".join(lines[:-1] + list(extra) + [b""])


def json_with(**over) -> bytes:
    d = json.loads(JSON_07459.read_bytes())
    for k, v in over.items():
        if callable(v):
            v(d)
        else:
            d[k] = v
    return json.dumps(d).encode("utf-8")


#: The municipality sheets of the KOSTRA workbook, in the same order (by county, then municipality).
ROAD_SHEETS = ("radvis per kommune og vegkat", "radvis per kommune", "Tabell kommuner")


@functools.cache
def roads_head() -> bytes:
    """The real KOSTRA 2021 workbook with its municipality sheets cut to the first 20 municipalities: every sheet,
    header, format and the metadata as published, and the sheets still agree with each other. Each broken case
    is one edit of these bytes; reading the whole workbook for every case cost a fifth of the fast suite (the
    whole file is read in ``test_ingest_writes_every_file_when_all_are_sound`` and ``ingest/test_kostra.py``)."""
    wb = openpyxl.load_workbook(ROADS_2021)
    first = [row[1] for row in wb[ROAD_SHEETS[1]].iter_rows(min_row=2, max_row=21, values_only=True)]
    for name in ROAD_SHEETS:
        ws = wb[name]
        codes = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
        keep = max(i for i, code in enumerate(codes) if code in first) + 1
        assert set(codes[:keep]) == set(first), name  # the sheets list the municipalities in one order
        ws.delete_rows(keep + 2, ws.max_row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def workbook_with(edit) -> Callable[[], bytes]:
    """The cut KOSTRA 2021 workbook (``roads_head``) changed by ``edit``, made only when a test reads the case
    (``made``), once per process: the check and the ingest test read the same case."""

    @functools.cache
    def make() -> bytes:
        wb = openpyxl.load_workbook(io.BytesIO(roads_head()))
        edit(wb)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    return make


def made(data: bytes | Callable[[], bytes]) -> bytes:
    """A case's bytes; a workbook case is made now."""
    return data() if callable(data) else data


def obs_parquet(**cols) -> bytes:
    base = {
        "unit_code": ["5001"],
        "year": np.array([2022], dtype="int64"),
        "kpi_id": ["EC:ICT:ICT:1C"],
        "value": [97.0],
        "status": [""],
        "source": ["test"],
        "vintage": ["2024"],
    }
    base.update(cols)
    buf = io.BytesIO()
    pd.DataFrame(base).to_parquet(buf, index=False)
    return buf.getvalue()


def mojibake() -> bytes:
    text = HEAD.decode("iso-8859-1").replace("Halden", "Hålden")
    return text.encode("utf-8").decode("iso-8859-1").encode("utf-8")


def del_sheet(name):
    return lambda wb: wb.remove(wb[name])


def set_cell(sheet, row, col, value):
    def edit(wb):
        wb[sheet].cell(row, col).value = value

    return edit


# name -> (bytes, row, field, reason fragment)
CASES = {
    "empty.csv": (b"", None, None, "empty file"),
    "utf16.csv": (HEAD.decode("iso-8859-1").encode("utf-16"), None, None, "NUL bytes"),
    "mojibake.csv": (mojibake(), 4, None, "UTF-8 decoded twice"),
    "cp1252_dash.csv": ((FIXTURES / "cp1252_dash.csv").read_bytes(), 3, None, "byte 0x96 is neither"),
    "header_only.csv": (b"\r\n".join(LINES[:3]) + b"\r\n", 3, None, "header only, no data rows"),
    "no_header.csv": ((FIXTURES / "no_header.csv").read_bytes(), None, None, "no header line starting with 'region'"),
    "wrong_separator.csv": (
        csv_with(header=b'"region","age","Persons 2022"'),
        4,
        None,
        "1 fields but the header has 3 (comma-separated)",
    ),
    "inconsistent_columns.csv": (
        csv_with(row4=b'"K-3001 Halden";"0 years";266;12'),
        4,
        None,
        "4 fields but the header has 3",
    ),
    "missing_year_column.csv": (csv_with(header=b'"region";"age";"Persons"'), 3, "Persons", "names no year"),
    "text_in_number.csv": (
        csv_with(row4=b'"K-3001 Halden";"0 years";2 66'),
        4,
        "Persons 2022",
        "'2 66' is not a number or an SSB symbol",
    ),
    "mixed_encodings.csv": (
        csv_with(
            row4='"K-3001 Hålden";"0 years";266'.encode("utf-8"),
            extra=['"K-3002 Moss Ø";"0 years";1'.encode("iso-8859-1")],
        ),
        4,
        None,
        "mixes two encodings",
    ),
    "lost_leading_zero.csv": (csv_with(row4=b'"301 Oslo";"0 years";266'), 4, "region", "was the leading zero lost"),
    "empty_cell.csv": (csv_with(row4=b'"K-3001 Halden";"0 years";'), 4, "Persons 2022", "empty cell"),
    "negative_population.csv": (
        csv_with(row4=b'"K-3001 Halden";"0 years";-266'),
        4,
        "Persons 2022",
        "negative count '-266'",
    ),
    "duplicate_rows.csv": (csv_with(extra=[LINES[3]]), 44, "region", "3001 year 2022 age 0 appears twice"),
    "unknown_code.csv": (
        csv_with(row4=b'"Halden";"0 years";266'),
        4,
        "region",
        "'Halden' does not start with an SSB region code",
    ),
    "age_in_words.csv": ((FIXTURES / "age_in_words.csv").read_bytes(), 2, "age", "'zero years' is not like"),
    "code_not_valid_that_year.csv": (
        b"region;age;Persons 2024\nK-3024 B\xe6rum;0 years;1300\n",
        2,
        "unit_code",
        "unit code 3024 did not exist in 2024",
    ),
    "truncated.json": (JSON_07459.read_bytes()[:5000], 1, None, "invalid JSON"),
    "empty.json": (b"  \n", None, None, "empty file"),
    "top_level_list.json": ((FIXTURES / "top_level_list.json").read_bytes(), None, None, "top level is not"),
    "values_wrong_size.json": (
        json_with(value=lambda d: d["value"].pop()),
        None,
        "value",
        "value has 358 entries, expected 359",
    ),
    "size_mismatch.json": (json_with(size=[360, 1, 1]), None, "dimension.Region", "359 categories but size says 360"),
    "text_value.json": (
        json_with(value=lambda d: d["value"].__setitem__(0, "31444")),
        None,
        "value",
        "value at cell 0 is '31444'",
    ),
    "status_out_of_range.json": (
        (FIXTURES / "status_out_of_range.json").read_bytes(),
        None,
        "status",
        "status index 4 outside 0..0",
    ),
    "bad_region.json": (
        json_with(
            dimension=lambda d: d["dimension"]["Region"]["category"]["index"].__setitem__(
                "Halden", d["dimension"]["Region"]["category"]["index"].pop("K-3001")
            )
        ),
        None,
        "Region",
        "'Halden' is not an SSB region code",
    ),
    "road_network_2021_no_wide.xlsx": (
        workbook_with(del_sheet("Tabell kommuner")),
        None,
        "Tabell kommuner",
        "sheet 'Tabell kommuner' is missing",
    ),
    "road_network_2021_text_km.xlsx": (
        workbook_with(set_cell("radvis per kommune og vegkat", 3, 4, "mye")),
        3,
        "lengde",
        "'mye' is not a non-negative length",
    ),
    "road_network_2021_bad_code.xlsx": (
        workbook_with(set_cell("radvis per kommune og vegkat", 2, 2, "Oslo")),
        2,
        "kommune",
        "'Oslo' is not a municipality number",
    ),
    "road_network_2021_zip.xlsx": (b"PK\x03\x04 not really a workbook", None, None, "not a readable .xlsx"),
    "obs_suppressed_value.parquet": (obs_parquet(status=[":"]), None, "value", "given although status ':'"),
    "obs_percent_range.parquet": (
        obs_parquet(value=[180.0]),
        None,
        "value",
        "180 for EC:ICT:ICT:1C is above 100: a percentage must be within 0-100",
    ),
    # members' U4SSC submissions, recognised by their header
    "u4ssc_unit_mismatch.csv": (
        SUBMISSION_HEAD + b"1149,2020,EC: ICT: ICT: 1C,,,97,kWh per innb.,,\n",
        2,
        "unit",
        "does not match the catalog unit",
    ),
    "u4ssc_code_not_in_use.csv": (
        SUBMISSION_HEAD + b"3201,2019,EC: ICT: ICT: 1C,,,97,%,,\n",
        2,
        "municipality_code",
        "code 3201 was not in use in 2019",
    ),
}


# -- issue 14: implausible values, ambiguous numbers, names against codes, limits, workbook traps ----


def submission(*rows: str, head: bytes = SUBMISSION_HEAD) -> bytes:
    return head + "".join(r + "\n" for r in rows).encode("utf-8")


def submission_xlsx(edit) -> bytes:
    """A one-row filled-in template (Karmøy, 2020, household internet access 97 %) changed by ``edit``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SUBMISSION_HEAD.decode().strip().split(","))
    ws.append(["1149", 2020, "EC: ICT: ICT: 1C", "", "", 97, "%", "", ""])
    edit(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def json_text(**over) -> bytes:
    """Like ``json_with`` but with the first value written as raw JSON text (``NaN``, ``1e999``)."""
    raw = json_with().decode()
    return raw.replace('"value": [31444,', f'"value": [{over["first"]},', 1).encode()


def set_unit(unit):
    return lambda d: d["dimension"]["ContentsCode"]["category"].__setitem__("unit", unit)


def date_cell(sheet, coordinate):
    def edit(wb):
        wb[sheet][coordinate].value = __import__("datetime").datetime(2024, 1, 1)
        wb[sheet][coordinate].number_format = "dd.mm.yyyy"

    return edit


def merge(sheet, cells):
    return lambda wb: wb[sheet].merge_cells(cells)


def empty_sheet(sheet):
    return lambda wb: wb[sheet].delete_rows(2, wb[sheet].max_row)


NEXT_YEAR = __import__("datetime").date.today().year + 1  # a year that has not begun, whenever the tests run
VERIFICATION_HEAD = "city,report_date,kpi_code,kpi_name,value,unit,target,percent_of_target,source_url\n"
VERIFICATION_ROW = "Karmøy,2020-09,,Household Internet Access,97.00,%,,,https://itu.int/x\n"

CASES.update(
    {
        # plausibility: counts, ranges, ages, years (data/reference/plausibility.csv)
        "fractional_persons.csv": (
            csv_with(row4=b'"K-3001 Halden";"0 years";266,7'),
            4,
            "Persons 2022",
            "266.7 is not a whole number: persons are counted in whole numbers",
        ),
        "half_a_person.csv": (csv_with(row4=b'"K-3001 Halden";"0 years";2.5'), 4, "Persons 2022", "not a whole"),
        "billions_of_persons.csv": (
            csv_with(row4=b'"K-3001 Halden";"0 years";26600000000'),
            4,
            "Persons 2022",
            "sum to 26 600 0",  # the whole municipality, not just the one age, is named as impossible
        ),
        "date_serial_as_count.csv": (
            csv_with(row4=b'"K-3001 Halden";"0 years";45292'),
            4,
            "Persons 2022",
            "45 292 is above 25 000: no one-year age group of a municipality",
        ),
        "impossible_age.csv": (
            csv_with(row4=b'"K-3001 Halden";"250 years";266'),
            4,
            "age",
            "age 250 is outside 0-130",
        ),
        "year_not_yet.csv": (
            csv_with(header=f'"region";"age";"Persons {NEXT_YEAR}"'.encode()),
            4,
            f"Persons {NEXT_YEAR}",
            f"year {NEXT_YEAR} is outside 1950-",
        ),
        # a number that reads two ways, with no declared decimal mark
        "thousands_comma_in_semicolon_file.csv": (
            csv_with(row4=b'"K-3001 Halden";"0 years";1,266'),
            4,
            "Persons 2022",
            "'1,266' can be read two ways: 1.266 (decimal comma) or 1 266 (comma between thousands)",
        ),
        # names against codes through the registry
        "name_and_code_disagree.csv": (
            csv_with(row4=b'"K-0301 Bergen";"0 years";266'),
            4,
            "region",
            "the name 'Bergen' does not go with code 0301, which is Oslo in the registry",
        ),
        "gigantic_line.csv": (
            csv_with(row4=b'"K-3001 Halden";"0 years";' + b"7" * 300_000),
            4,
            None,
            "a line of 300 026 characters (at most 100 000)",
        ),
        # JSON-stat
        "nan_token.json": (json_text(first="NaN"), None, "value", "NaN is not JSON"),
        "infinity_token.json": (json_text(first="-Infinity"), None, "value", "-Infinity is not JSON"),
        "number_too_large.json": (json_text(first="1e999"), None, "value", "value at cell 0 is inf, too large"),
        "deeply_nested.json": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, None, None, "nested too deeply"),
        "unknown_role.json": (
            json_with(role=lambda d: d["role"].__setitem__("region", ["Region"])),
            None,
            "role",
            "unknown role 'region' (JSON-stat 2.0 knows time, geo, metric)",
        ),
        "role_names_no_dimension.json": (
            json_with(role=lambda d: d["role"].__setitem__("geo", ["Kommune"])),
            None,
            "role",
            "role 'geo' must list dimensions of 'id'",
        ),
        "unit_not_an_object.json": (
            json_with(dimension=set_unit({"Personer1": "personer"})),
            None,
            "dimension.ContentsCode.category.unit",
            "unit must be an object",
        ),
        "unit_of_no_category.json": (
            json_with(dimension=set_unit({"Personer1": {"base": "personer"}, "Kroner": {"base": "kr"}})),
            None,
            "dimension.ContentsCode.category.unit",
            "units given for ['Kroner'], which are not categories of ContentsCode",
        ),
        "too_many_cells.json": (
            json.dumps(
                {
                    "class": "dataset",
                    "id": ["Region", "Tid"],
                    "size": [400_000, 40],
                    "dimension": {},
                    "value": {},
                }
            ).encode(),
            None,
            "size",
            "gives 16 000 000 cells, more than the 1 000 000 read",
        ),
        "no_cells.json": (
            json_with(size=[0, 1, 1], value=[]),
            None,
            "size",
            "gives no cells: the dataset holds no values",
        ),
        "too_large.json": (
            json_with() + b" " * (26 * 1024 * 1024),
            None,
            None,
            "26.0 MB is more than the 25.0 MB a JSON-stat dataset may have; ask PxWebApi for fewer",
        ),
        "no_role_code_of_another_time.json": (  # without a role, Region is still geography, and checked
            json_with(
                role=lambda d: d.pop("role"),
                dimension=lambda d: d["dimension"]["Region"]["category"]["index"].__setitem__(
                    "K-3201", d["dimension"]["Region"]["category"]["index"].pop("K-3024")
                ),
            ),
            None,
            "unit_code",
            "unit code 3201 did not exist in 2022",
        ),
        "json_name_and_code_disagree.json": (
            json_with(
                dimension=lambda d: d["dimension"]["Region"]["category"]["label"].__setitem__("K-0301", "Bergen")
            ),
            None,
            "region",
            "the name 'Bergen' does not go with code 0301",
        ),
        # KOSTRA workbooks
        "road_network_2021_merged.xlsx": (
            workbook_with(merge("radvis per kommune og vegkat", "D2:D3")),
            2,
            None,
            "cells D2:D3 are merged",
        ),
        "road_network_2021_formula.xlsx": (
            workbook_with(set_cell("radvis per kommune og vegkat", 3, 4, "=D2*2")),
            3,
            None,
            "cell D3: the formula =D2*2 has no saved result",
        ),
        "road_network_2021_date.xlsx": (
            workbook_with(date_cell("radvis per kommune og vegkat", "D3")),
            3,
            "lengde",
            "cell D3: a date (2024-01-01) where a number belongs",
        ),
        "road_network_2021_no_rows.xlsx": (
            workbook_with(empty_sheet("radvis per kommune og vegkat")),
            1,
            "radvis per kommune og vegkat",
            "has a header and no rows",
        ),
        # U4SSC submissions
        "u4ssc_latin1.csv": (
            SUBMISSION_HEAD + "1149,2020,EC: ICT: ICT: 1C,,Karmøy,97,%,,\n".encode("iso-8859-1"),
            2,
            None,
            "byte 0xF8 is not UTF-8 (in ISO-8859-1 or Windows-1252 it would be 'ø'",
        ),
        "u4ssc_year_not_yet.csv": (
            submission(f"1149,{NEXT_YEAR},EC: ICT: ICT: 1C,,,97,%,,"),
            2,
            "year",
            f"year {NEXT_YEAR} is outside",
        ),
        "u4ssc_header_only.csv": (SUBMISSION_HEAD, 1, None, "a header and no rows: the submission reports nothing"),
        "u4ssc_nothing_reported.csv": (
            submission("1149,2020,EC: ICT: ICT: 1C,,,,%,,", "1149,2020,EC: ICT: ICT: 2C,,,,%,,"),
            None,
            None,
            "no row has a value",
        ),
        "u4ssc_norwegian_thousands_point.csv": (
            submission("1149,2020,EC: ICT: ICT: 3C,,,95.424,per 100 000 inhabitants,,"),
            2,
            "value",
            "'95.424' can be read two ways: 95.424 (decimal point) or 95 424 (point between thousands)",
        ),
        "u4ssc_implausible_rate.csv": (
            submission("1149,2020,EC: ICT: ICT: 3C,,,95,per 100 000 inhabitants,,"),
            2,
            "value",
            "95 is outside 1000-500 000: mobile broadband subscriptions",
        ),
        "u4ssc_extra_field.csv": (
            submission("1149,2020,EC: ICT: ICT: 1C,,,97,%,,,too many"),
            2,
            None,
            "10 fields but the header has 9",
        ),
        "u4ssc_formula_no_value.xlsx": (
            submission_xlsx(lambda ws: ws.__setitem__("F2", "=50+47")),
            2,
            "value",
            "cell F2: the formula =50+47 has no saved result",
        ),
        "u4ssc_date_as_value.xlsx": (
            submission_xlsx(lambda ws: setattr(ws["F2"], "value", __import__("datetime").date(2023, 5, 1))),
            2,
            "value",
            "a date (2023-05-01) where a number belongs",
        ),
        "u4ssc_merged.xlsx": (
            submission_xlsx(lambda ws: (ws.append(["1149", 2021, "EC: ICT: ICT: 1C"]), ws.merge_cells("A2:A3"))),
            2,
            None,
            "cells A2:A3 are merged",
        ),
        # verification values typed from ITU reports
        "verification_bad_date.csv": (
            (VERIFICATION_HEAD + VERIFICATION_ROW.replace("2020-09", "2020-13")).encode(),
            2,
            "report_date",
            "'2020-13' is not a date like 2020-09",
        ),
        "verification_future_date.csv": (
            (VERIFICATION_HEAD + VERIFICATION_ROW.replace("2020-09", f"{NEXT_YEAR}-01")).encode(),
            2,
            "report_date",
            f"'{NEXT_YEAR}-01' has not come yet",
        ),
        # found by writing bad files by hand, and by mutating real ones at random
        "u4ssc_utf16.csv": (
            submission("1149,2020,EC: ICT: ICT: 1C,,,97,%,,").decode().encode("utf-16"),
            None,
            None,
            "UTF-16",
        ),
        "workbook_named_csv.csv": (ROADS_2021.read_bytes(), None, None, "a zip archive (an .xlsx workbook"),
        "verification_no_value_column.csv": (
            b"city,report_date,kpi_name,verdi\nKarm\xc3\xb8y,2020-09,Household Internet Access,97\n",
            1,
            "value",
            "missing columns ['value']",
        ),
        "updated_not_a_date.json": (
            json_with(updated=20220224),
            None,
            "updated",
            "updated '20220224' is not a past date",
        ),
        "index_positions_not_numbers.json": (
            json_with(dimension=lambda d: d["dimension"]["Tid"]["category"]["index"].__setitem__("2022", "0")),
            None,
            "dimension.Tid.category.index",
            "category index positions must be whole numbers",
        ),
        "road_network_2021_saved_later.xlsx": (
            workbook_with(
                lambda wb: [r for r in wb["Metadata"].iter_rows() if r[0].value == "Dato lagret"][0][1].__setattr__(
                    "value", "2099-01-01"
                )
            ),
            None,
            "Dato lagret",
            "no 'Dato lagret' date (a past day",
        ),
        "verification_extra_field.csv": (
            (VERIFICATION_HEAD + VERIFICATION_ROW.replace("\n", ",extra\n")).encode(),
            2,
            None,
            "10 fields but the header has 9",
        ),
    }
)


# -- issue 14, second round: digits other than 0-9, counts, files that hold nothing -----------------------
# Python's int(), float(), str.isdigit() and re's \d all read a fullwidth ２ or an Arabic-Indic ٢ as a digit.

FW = "２６６"  # FULLWIDTH DIGIT TWO, SIX, SIX
AR = "٢٦٦"  # ARABIC-INDIC DIGIT TWO, SIX, SIX


def time_code(code):
    def edit(d):
        d["dimension"]["Tid"]["category"]["index"] = {code: 0}
        d["dimension"]["Tid"]["category"]["label"] = {code: code}

    return edit


def hotspots_xlsx(value):
    def edit(ws):
        ws["C2"], ws["F2"], ws["G2"] = "EC: ICT: ICT: 5A", value, ""

    return edit


CASES.update(
    {
        "fullwidth_value.csv": (
            csv_with(row4=f'"K-3001 Halden";"0 years";{FW}'.encode()),
            4,
            "Persons 2022",
            f"'{FW}' is written with '２' (FULLWIDTH DIGIT TWO), not with the digits 0-9",
        ),
        "arabic_indic_value.csv": (
            csv_with(row4=f'"K-3001 Halden";"0 years";{AR}'.encode()),
            4,
            "Persons 2022",
            "(ARABIC-INDIC DIGIT TWO), not with the digits 0-9",
        ),
        "fullwidth_region_code.csv": (
            csv_with(row4='"K-３００１ Halden";"0 years";266'.encode()),
            4,
            "region",
            "does not start with an SSB region code ('K-３００１ Halden' is written with '３' (FULLWIDTH DIGIT THREE)",
        ),
        "fullwidth_year_in_header.csv": (
            csv_with(header='"region";"age";"Persons ２０２２"'.encode()),
            3,
            "Persons ２０２２",
            "names no year; 'Persons ２０２２' is written with '２'",
        ),
        "fullwidth_age.csv": (
            csv_with(row4='"K-3001 Halden";"０ years";266'.encode()),
            4,
            "age",
            "age '０ years' is not like '5 years' or '105 years or older' ('０ years' is written with '０'",
        ),
        "all_zero_export.csv": (  # every cell a filler zero: the reader used to drop them all and say OK, 0 rows
            b'"region";"age";"Persons 2022"\r\n"K-3001 Halden";"0 years";0\r\n"K-3001 Halden";"1 year";0\r\n',
            2,
            "Persons 2022",
            "every region has 0 persons in every year (2 cells): the export holds nothing",
        ),
        "u4ssc_fullwidth_year.csv": (
            submission("1149,２０２０,EC: ICT: ICT: 1C,,,97,%,,"),
            2,
            "year",
            "'２０２０' is written with '２' (FULLWIDTH DIGIT TWO)",
        ),
        "u4ssc_five_digit_year.csv": (
            submission("1149,20201,EC: ICT: ICT: 1C,,,97,%,,"),
            2,
            "year",
            "'20201' is not a year (four digits 0-9, such as 2023)",
        ),
        "u4ssc_fullwidth_code.csv": (
            submission("１１４９,2020,EC: ICT: ICT: 1C,,,97,%,,"),
            2,
            "municipality_code",
            "'１１４９' is written with '１' (FULLWIDTH DIGIT ONE)",
        ),
        "u4ssc_arabic_indic_value.csv": (
            submission(f"1149,2020,EC: ICT: ICT: 1C,,,{AR[:2]},%,,"),
            2,
            "value",
            "(ARABIC-INDIC DIGIT TWO), not with the digits 0-9",
        ),
        "u4ssc_fractional_hotspots.csv": (
            submission('1149,2020,EC: ICT: ICT: 5A,,,"12,5",,,'),
            2,
            "value",
            "12.5 is not a whole number: public Wi-Fi hotspots are counted in whole numbers",
        ),
        "u4ssc_fractional_open_datasets.xlsx": (
            submission_xlsx(
                lambda ws: (
                    hotspots_xlsx(266.7)(ws),
                    ws.__setitem__("C2", "EC: ICT: PS: 1A"),
                    ws.__setitem__("D2", "number"),
                )
            ),
            2,
            "value",
            "266.7 is not a whole number: published open datasets are counted in whole numbers",
        ),
        "u4ssc_fractional_e_services.csv": (
            submission("1149,2020,EC: ICT: PS: 2A,,,2.5,number of public services delivered electronically,,"),
            2,
            "value",
            "2.5 is not a whole number: public services delivered electronically are counted",
        ),
        "verification_fullwidth_date.csv": (
            (VERIFICATION_HEAD + VERIFICATION_ROW.replace("2020-09", "２０２０-09")).encode(),
            2,
            "report_date",
            "is written with '２' (FULLWIDTH DIGIT TWO)",
        ),
        "verification_fullwidth_value.csv": (
            (VERIFICATION_HEAD + VERIFICATION_ROW.replace("97.00", "９７.00")).encode(),
            2,
            "value",
            "'９７.00' is written with '９' (FULLWIDTH DIGIT NINE)",
        ),
        "json_fullwidth_time_code.json": (
            json_with(dimension=time_code("２０２２")),
            None,
            "Tid",
            "time code '２０２２' does not start with a year: '２０２２' is written with '２'",
        ),
        "json_five_digit_year.json": (
            json_with(dimension=time_code("20221")),
            None,
            "Tid",
            "time code '20221' does not start with a year",
        ),
        "json_fullwidth_cell_index.json": (
            json_with(status={"０": ".."}),
            None,
            "status",
            "status key '０' is not a cell index (digits 0-9)",
        ),
        "obs_fullwidth_code.parquet": (
            obs_parquet(unit_code=["５００１"]),
            None,
            "unit_code",
            "unit code '５００１' is not 4 digits, 2 digits or '0'",
        ),
        "obs_fractional_count.parquet": (
            obs_parquet(kpi_id=["EC:ICT:ICT:5A"], value=[12.5]),
            None,
            "value",
            "12.5 is not a whole number: public Wi-Fi hotspots are counted in whole numbers",
        ),
    }
)

# -- issue 14, third round: files written by hand as a careless or hostile user would, after the first two rounds --
# Each was accepted without a word, or stopped with a traceback or a hang, before this round (README «What is refused»).


def json_dup_value() -> bytes:
    """The dataset with a second "value" array appended: json keeps the last one and says nothing."""
    return json_with()[:-1] + b', "value": ' + json.dumps([0] * 359).encode() + b"}"


def empty_obs_parquet() -> bytes:
    buf = io.BytesIO()
    pd.read_parquet(io.BytesIO(obs_parquet())).iloc[:0].to_parquet(buf, index=False)
    return buf.getvalue()


def far_cell(sheet_of):
    """A stray value in the last cell of a sheet: 17 billion cells to walk for openpyxl (it hung)."""

    def edit(wb_or_ws):
        sheet_of(wb_or_ws)["XFD1048576"] = "x"

    return edit


def percent_cell(ws):
    ws["F2"] = 0.97
    ws["F2"].number_format = "0%"  # Excel shows 97 %; the cell holds 0.97


def hidden_first(ws):
    """The template's sheet hidden in front of a visible one (an old year kept out of sight)."""
    wb = ws.parent
    other = wb.create_sheet("2021")
    other.append(SUBMISSION_HEAD.decode().strip().split(","))
    other.append(["1149", 2021, "EC: ICT: ICT: 1C", "", "", 98, "%", "", ""])
    ws.sheet_state = "hidden"
    wb.active = 1


def second_year_sheet(ws):
    other = ws.parent.create_sheet("2021")
    other.append(SUBMISSION_HEAD.decode().strip().split(","))
    other.append(["1149", 2021, "EC: ICT: ICT: 1C", "", "", 98, "%", "", ""])


CASES.update(
    {
        "year_with_mark.csv": (
            csv_with(header=b'"region";"age";"Persons 2022*"'),
            3,
            "Persons 2022*",
            "'2022*' is not a year on its own",
        ),
        "school_year.csv": (
            csv_with(header=b'"region";"age";"Persons 2022/23"'),
            3,
            "Persons 2022/23",
            "'2022/23' is not a year on its own",
        ),
        "two_exports_pasted.csv": (  # the second export's byte-order mark lands in the middle
            HEAD + b"\xef\xbb\xbf" + b"\r\n".join(LINES[3:6]) + b"\r\n",
            44,
            None,
            "a byte-order mark (U+FEFF) inside the file, where a second file begins",
        ),
        "u4ssc_two_files_pasted.csv": (
            submission("1149,2020,EC: ICT: ICT: 1C,,,97,%,,")
            + b"\xef\xbb\xbf"
            + submission("1149,2021,EC: ICT: ICT: 1C,,,98,%,,"),
            3,
            None,
            "two files pasted together?",
        ),
        "json_value_twice.json": (json_dup_value(), None, "value", "'value' is given twice in one object"),
        "json_number_of_5000_digits.json": (json_text(first="9" * 5000), None, "value", "value has 5000 digits"),
        "json_every_value_null.json": (
            json_with(value=[None] * 359),
            None,
            "value",
            "every one of the 359 values is null: the dataset holds nothing",
        ),
        "json_table_id_object.json": (
            json_with(extension={"px": {"tableid": {"a": 1}}}),
            None,
            "tableid",
            "is not a table number such as '07459'",
        ),
        "road_network_2021_far_cell.xlsx": (
            workbook_with(far_cell(lambda wb: wb["radvis per kommune og vegkat"])),
            1048576,
            None,
            "reaches cell XFD1048576: 17 179 869 184 cells, more than the 5 million read",
        ),
        "road_network_2021_percent.xlsx": (
            workbook_with(lambda wb: setattr(wb["radvis per kommune og vegkat"]["D3"], "number_format", "0%")),
            3,
            "lengde",
            "cell D3: formatted as a percentage, so Excel shows",
        ),
        "u4ssc_percent_cell.xlsx": (
            submission_xlsx(percent_cell),
            2,
            "value",
            "cell F2: formatted as a percentage, so Excel shows 97 % but the cell holds 0.97",
        ),
        "u4ssc_hidden_first_sheet.xlsx": (
            submission_xlsx(hidden_first),
            None,
            "Sheet",
            "the first sheet, 'Sheet', is hidden, and a submission reads the first sheet: not the one you see",
        ),
        "u4ssc_second_sheet.xlsx": (
            submission_xlsx(second_year_sheet),
            1,
            "2021",
            "sheet '2021' is a submission too, but only the first sheet ('Sheet') is read",
        ),
        "u4ssc_far_cell.xlsx": (submission_xlsx(far_cell(lambda ws: ws)), 1048576, None, "reaches cell XFD1048576"),
        "u4ssc_column_twice.xlsx": (
            submission_xlsx(lambda ws: (ws.__setitem__("J1", "value"), ws.__setitem__("J2", 98))),
            1,
            "value",
            "column 'value' appears twice in the header",
        ),
        "u4ssc_not_a_member.csv": (
            submission("0301,2020,EC: ICT: ICT: 1C,,,97,%,,"),
            2,
            "municipality_code",
            "0301 (Oslo) is not a member of this network (params/network.yaml), nor part of one in 2024",
        ),
        "u4ssc_number_of_400_digits.csv": (
            submission(f"1149,2020,EC: ICT: ICT: 5A,,,{'9' * 400},,,"),
            2,
            "value",
            "(400 characters) is too large to be a number",
        ),
        "obs_no_rows.parquet": (empty_obs_parquet(), None, None, "an observation table with no rows: it holds nothing"),
    }
)

# -- params: the targets file, network.yaml, the plausibility rules -----------------------------------------
# `check FILE` tells a params file by its header or keys and checks it as the build does; the build refuses the
# same file with the same message. name -> (text, [(row, field, reason fragment), ...]): every problem, one report

TARGETS_HEAD = "kpi_id,unit_code,target,target_year,band_low,band_high,source\n"
NETWORK_HEAD = 'network: {name: Testnettet}\ncounties: {"15": Møre og Romsdal, "50": Trøndelag}\nmembers:\n'
RULES_HEAD = "variable,field,level,scope,min,max,whole,warning,why\n"
PARAMS_CASES = {
    "targets_non_member.csv": (
        TARGETS_HEAD + "EC:ICT:ICT:1C,,95,2030,,,x\nEC:ICT:ICT:1C,0301,99,2030,,,Oslos eget mål\n",
        [(3, "unit_code", "0301 (Oslo) is not a member of this network (params/network.yaml)")],
    ),
    "targets_every_problem.csv": (
        TARGETS_HEAD
        + "EC:ICT:ICT:1C,0301,95,2030,,,x\n"
        + "EC:ICT:ICT:2C,,９５,2030,,,x\n"
        + "EC:ICT:ICT:3C,,120000,٢٠٣٠,,,x\n"
        + "EC:ICT:ICT:5A,,12.5,2030,,,x\n"
        + "EC:ICT:ICT:1C,,95,02030,,,x\n",
        [
            (2, "unit_code", "0301 (Oslo) is not a member"),
            (3, "target", "'９５' is written with '９' (FULLWIDTH DIGIT NINE)"),
            (4, "target_year", "(ARABIC-INDIC DIGIT TWO)"),
            (5, "target", "target 12.5 for EC:ICT:ICT:5A (number of public Wi-Fi hotspots) is not a whole number"),
            (6, "target_year", "'02030' is not a year (four digits 0-9"),
        ],
    ),
    "network_yaml_numbers.yaml": (
        NETWORK_HEAD
        + '  - {code: "5001", name: Trondheim, type: kommune, county: "50", valid_from: 2_020}\n'
        + '  - {code: "1506", name: Molde, type: kommune, county: "15", valid_to: 33:42}\n'
        + '  - {code: "1505", name: Kristiansund, type: kommune, county: "15", valid_from: 0x7E4}\n',
        [
            (4, "valid_from", "2_020 is read by YAML as the number 2020, not as written"),
            (5, "valid_to", "33:42 is read by YAML as the number 2022"),
            (6, "valid_from", "0x7E4 is read by YAML as the number 2020"),
        ],
    ),
    "network_every_problem.yaml": (
        NETWORK_HEAD
        + '  - {code: "5001", name: Trondheim, type: kommune, county: "50", valid_from: 2021, valid_to: 2020}\n'
        + '  - {code: "1506", name: Trondheim, type: kommune, county: "15"}\n'
        + '  - {code: "１５０５", name: Kristiansund, type: kommune, county: "15"}\n'
        + '  - {code: "1507", name: Ålesund, type: kommune, county: "15"}\n',
        [
            (4, "valid_from", "valid_from 2021 is after valid_to 2020"),
            (5, "name", "1506 is Molde in the registry, not Trondheim"),
            (6, "code", "'１５０５' is written with '１' (FULLWIDTH DIGIT ONE)"),
            (7, "code", "1507 is not a municipality code in the borders of 2024"),
        ],
    ),
    "network_unquoted_code.yaml": (
        NETWORK_HEAD + "  - {code: 0301, name: Oslo, type: kommune, county: '03'}\n",
        [(4, "code", "0301 is read by YAML as the number 193, not as written: a code must be a quoted string")],
    ),
    "rules_warning_without_text.csv": (
        RULES_HEAD + "SC:EH:H:1C,value,,row,75,90,,levealder,unusual life expectancy\n",
        [(2, "warning", "the warning 'levealder' has no Norwegian text: add it to WARNINGS")],
    ),
    "rules_unknown_kpi.csv": (  # a rule for a KPI typed wrong would apply to nothing, silently
        RULES_HEAD + "EC:ICT:ICT:5X;EC:ICT:ICT:5A,value,,row,0,,yes,,hotspots are counted\n",
        [(2, "variable", "'EC:ICT:ICT:5X' is not a kpi_id of the catalog (nor ssb/..., kostra/...)")],
    ),
    "targets_header_only.csv": (TARGETS_HEAD, [(1, None, "a header and no rows: the targets file sets no target")]),
    "methods_out_of_range.yaml": ("alpha: 1.5\n", [(1, "alpha", "1.5 is out of range")]),
    "network_empty.yaml": ("", [(None, None, "expected a mapping (key: value lines) at the top level")]),
    "rules_every_problem.csv": (
        RULES_HEAD
        + "SC:EH:H:1C,value,,row,75,90,,Levealder,x\n"
        + "EC:ICT:ICT:5A,value,,row,0,,yes,hotspots,x\n"
        + "SC:EH:H:1C,value,,row,７５,,,,x\n",
        [
            (2, "warning", "'Levealder' is not a name of lowercase letters"),
            (3, "warning", "a count that is not whole is refused, never only warned of"),
            (4, "min", "'７５' is not a number"),
        ],
    ),
}


# third round: a key given twice (YAML keeps the last without a word), fields no one reads, impossible settings
REPORT = (
    "report_year: 2024\nbase_year: 2015\ndefault_target_year: 2030\nfirst_year: 2015\ndata: demo\n"
    "targets: params/targets.csv\nworkers: 2\n"
)
OWN = (
    "indicators:\n  - code: mdir-utslipp\n    name_nb: Utslipp\n    unit: tonn\n    direction: lower_is_better\n"
    "    sdg_goals: [13]\n    dimension: Miljø\n    source: Mdir\n"
)
PARAMS_CASES.update(
    {
        "report_year_twice.yaml": (
            REPORT + "report_year: 2023\n",
            [(8, "report_year", "'report_year' is given twice (rows 1 and 8): YAML keeps only the last")],
        ),
        "report_impossible.yaml": (
            REPORT.replace("workers: 2", "workers: 100000"),
            [(7, "workers", "100000 workers: must be 1 to 64")],
        ),
        "report_first_year_1800.yaml": (
            REPORT.replace("first_year: 2015", "first_year: 1800"),
            [(4, "first_year", "1800: no value the project reads is from before 1950")],
        ),
        "report_targets_a_folder.yaml": (
            REPORT.replace("targets: params/targets.csv", "targets: params"),
            [(6, "targets", "params is not a file")],
        ),
        "methods_alpha_twice.yaml": (
            "alpha: 0.05\nalpha: 0.5\n",
            [(2, "alpha", "'alpha' is given twice (rows 1 and 2)")],
        ),
        "methods.yaml": ("alfa: 0.05\n", [(1, "alfa", "unknown setting 'alfa'; known: alpha, min_points")]),
        "report_keys_of_two_types.yaml": (  # sorting 2024 with 'foo' was a TypeError
            REPORT + "2024: a\nfoo: b\n",
            [(8, "2024", "unknown setting 2024")],
        ),
        "network_third_round.yaml": (
            NETWORK_HEAD
            + '  - {code: "5001", name: Trondheim, type: kommune, county: "50", peer_gruop: Storbyer}\n'
            + '  - {code: "1506", name: Molde, type: kommune, county: "15", peer_group: [Byer, Storbyer]}\n'
            + '  - {code: "15", name: Møre og Romsdal, type: fylke, county: "50"}\n'
            + "founded: 2020\n",
            [
                (4, "peer_gruop", "member 5001: unknown field 'peer_gruop' (a member has: code, name, type, county"),
                (
                    5,
                    "peer_group",
                    "member 1506 (Molde): peer_group must be a name on one line, got ['Byer', 'Storbyer']",
                ),
                (6, "county", "member 15 (Møre og Romsdal): a county lies in no county"),
                (7, "founded", "unknown key 'founded' (network.yaml has: network, members, counties)"),
            ],
        ),
        "indicators_third_round.yaml": (
            OWN
            + "  - code: andel\n    name_nb: Andel\n    unit: prosent\n    direction: higher_is_better\n"
            + "    sdg_goals: [13]\n    dimension: Miljø\n    source: Mdir\n"
            + "    formula: {share: [mdir-utslipp, mdir-utslipp]}\n",
            [(9, "formula", "share of 'mdir-utslipp' in itself is 100 % in every year: give two series")],
        ),
        "indicators_field_twice.yaml": (
            OWN + "    unit: kg\n",
            [(9, "unit", "'unit' is given twice (rows 4 and 9)")],
        ),
    }
)


def test_params_cases_are_many_enough():
    assert len(PARAMS_CASES) >= 7


@pytest.mark.parametrize("name", sorted(PARAMS_CASES))
def test_check_refuses_a_params_file_with_every_problem(tmp_path, capsys, name):
    """Through the real command line (``analysis.cli.main``, which adds the check that every warning has its
    Norwegian text): exit 2, every problem with its row, field and reason, nothing written beside the file."""
    from analysis.cli import main

    text, expected = PARAMS_CASES[name]
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_text(text, encoding="utf-8")
    before = digest(bad.parent)
    assert main(["check", str(bad)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for row, field, reason in expected:
        where = ", ".join([str(bad)] + ([f"row {row}"] if row else []) + ([f"field '{field}'"] if field else []))
        assert any(f"{where}: " in line and reason in line for line in err.splitlines()), err
    assert err.count(str(bad)) == len(expected), err  # each problem once, nothing else
    assert digest(bad.parent) == before


@pytest.mark.usefixtures("bundled_network")
@pytest.mark.parametrize(
    "name, text, summary",
    [
        (
            "targets.csv",
            TARGETS_HEAD + "EC:ICT:ICT:1C,,95,2030,,,x\nEC:ICT:ICT:1C,5001,99,2030,,,x\n",
            "1 for the network, 1 local",
        ),
        (
            "network.yaml",
            NETWORK_HEAD + '  - {code: "5001", name: Trondheim, type: kommune, county: "50"}\n',
            "members:   1 (1 municipalities, 0 counties)",
        ),
    ],
)
def test_benign_params_variants_are_read_like_the_plain_file(tmp_path, capsys, name, text, summary):
    """A UTF-8 byte-order mark and CRLF line ends, as Excel and Windows editors save them, change nothing."""
    from analysis.cli import main

    for variant, data in (
        ("plain", text.encode()),
        ("bom_crlf", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()),
    ):
        path = tmp_path / variant / name
        path.parent.mkdir()
        path.write_bytes(data)
        assert main(["check", str(path)]) == 0, capsys.readouterr().err
        assert summary in capsys.readouterr().out


def test_check_without_a_file_checks_the_projects_params(capsys):
    from analysis.cli import main

    assert main(["check"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    for name in ("network.yaml: OK", "report.yaml: OK", "targets.csv: OK", "plausibility.csv: OK"):
        assert name in out
    assert "targets:   108 for the network, 2 local" in out


@pytest.mark.usefixtures("bundled_network")
def test_a_value_outside_a_soft_range_is_accepted_with_its_warning(tmp_path, parser, capsys):
    path = tmp_path / "u.csv"
    path.write_bytes(submission("1149,2021,SC: EH: H: 1C,,,70,,,", "1149,2022,SC: EH: H: 1C,,,82,,,"))
    args = parser.parse_args(["check", str(path)])
    assert args.func(args) == 0
    captured = capsys.readouterr()
    assert "warnings:  1 value accepted with a warning" in captured.out
    assert captured.err == (
        f"warning: {path}, row 2, field 'value': 70 is outside 75-90: life expectancy at birth in Norwegian "
        "municipalities lies between about 78 and 86 years; accepted with the warning 'life_expectancy' "
        "(1149, 2021, SC:EH:H:1C)\n"
    )


@pytest.fixture
def parser():
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"))
    return p


def digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_corpus_is_large_enough():
    assert len(CASES) >= 90


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_refuses_with_file_row_field_and_reason(tmp_path, parser, capsys, name):
    data, row, field, reason = CASES[name]
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_bytes(made(data))
    before = digest(bad.parent)
    args = parser.parse_args(["check", str(bad)])
    assert args.func(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert str(bad) in err and reason in err, err
    if row is not None:
        assert f"row {row}" in err, err
    if field is not None:
        assert f"field '{field}'" in err, err
    assert digest(bad.parent) == before  # the raw file is untouched, nothing written beside it


@pytest.mark.parametrize("name", sorted(n for n in CASES if not n.endswith(".parquet")))
def test_ingest_is_all_or_nothing(tmp_path, parser, capsys, name):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "a_good.csv").write_bytes(HEAD)
    (src / name).write_bytes(made(CASES[name][0]))
    (out / "previous.parquet").write_bytes(b"previous output")
    raw_before, out_before = digest(src), digest(out)
    args = parser.parse_args(["ingest", str(src), "--out", str(out)])
    assert args.func(args) == EXIT_BAD_INPUT
    assert "nothing written" in capsys.readouterr().err
    assert digest(out) == out_before and digest(src) == raw_before


def test_ingest_writes_every_file_when_all_are_sound(tmp_path, parser, capsys):
    """The positive counterpart: real files (linked, not copied) become one parquet each; raw untouched."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for real in (JSON_07459, config.SHARED_DATA_DIR / "ssb-jsonstat" / "05300_with_status_symbols.json", ROADS_2021):
        (src / real.name).symlink_to(real)
    (src / "notes.md").write_text("not data", encoding="utf-8")
    raw_before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (JSON_07459, ROADS_2021)}
    args = parser.parse_args(["ingest", str(src), "--out", str(out)])
    assert args.func(args) == 0
    assert "skipped notes.md" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "src__05300_with_status_symbols.json.parquet",
        "src__07459_population_2022_all_municipalities.json.parquet",
        "src__road_network_2021.xlsx.parquet",
    ]
    pop = pd.read_parquet(out / "src__07459_population_2022_all_municipalities.json.parquet")
    assert pop["value"].sum() == 5_425_270 and set(pop["vintage"]) == {"2022-02-24T07:00:00Z"}
    roads = pd.read_parquet(out / "src__road_network_2021.xlsx.parquet")
    assert set(roads["source"]) == {"KOSTRA road network (NVDB) road_network_2021.xlsx"}
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw_before} == raw_before


def test_check_prints_a_summary(parser, capsys):
    args = parser.parse_args(["check", str(config.SHARED_DATA_DIR / "ssb-jsonstat" / "05300_with_status_symbols.json")])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "rows:      432" in out and "years:     1991-2021 (9 distinct)" in out
    assert "statuses:  (value) 404, . 20, .. 8" in out


@pytest.mark.slow
def test_check_reads_every_real_file_in_shared_data(parser, capsys):
    """Every data file in ../shared/data is recognised and passes `check`, with its format named."""
    files = sorted(
        p for p in config.SHARED_DATA_DIR.rglob("*") if p.is_file() and p.suffix not in (".md", ".geojson")
    )  # borders for maps are not observations
    formats = {}
    for path in files:
        args = parser.parse_args(["check", str(path)])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert args.func(args) == 0, capsys.readouterr().err
        formats[path.name] = re.search(r"format:\s+(\S+)", capsys.readouterr().out).group(1)
        lost = [w for w in caught if "U+FFFD" in str(w.message)]  # letters replaced by U+FFFD in region names
        assert len(lost) == (path.name == "Personer2019.csv"), caught
    assert len(files) == 16
    assert formats["verification_report_values.csv"] == "u4ssc-verification"
    assert formats["road_network_2024.xlsx"] == "kostra" and formats["Personer2023.csv"] == "statbank"
    assert formats["05300_with_status_symbols.json"] == "json-stat"


def test_ingest_keeps_folders_apart_and_mirrors_each_folder(tmp_path, parser, capsys):
    """Two folders with a file of the same name do not overwrite each other; a file removed from a
    folder disappears from the ingested set at the next ingest of that folder, and only of that one."""
    out = tmp_path / "out"
    for name in ("ssb", "kostra"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "2022.json").symlink_to(JSON_07459)
    (tmp_path / "ssb" / "road_network_2021.xlsx").symlink_to(ROADS_2021)
    for name in ("ssb", "kostra"):
        args = parser.parse_args(["ingest", str(tmp_path / name), "--out", str(out)])
        assert args.func(args) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "kostra__2022.json.parquet",
        "ssb__2022.json.parquet",
        "ssb__road_network_2021.xlsx.parquet",
    ]
    (tmp_path / "ssb" / "road_network_2021.xlsx").unlink()
    capsys.readouterr()
    args = parser.parse_args(["ingest", str(tmp_path / "ssb"), "--out", str(out)])
    assert args.func(args) == 0
    assert "removed ssb__road_network_2021.xlsx.parquet" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["kostra__2022.json.parquet", "ssb__2022.json.parquet"]


# -- benign variants: read exactly like the plain file ---------------------------------------------

KARMOY = (
    '1149,2020,EC: ICT: ICT: 1C,,Husholdninger med internettilgang,97,%,SSB,\n1149,2020,EC:ICT:WS:1C,,,"27,27",%,,\n'
)
BENIGN = {
    # name: (plain bytes, variant bytes); the variant must give the same observations
    "bom.csv": (HEAD, b"\xef\xbb\xbf" + HEAD),
    "lf_line_ends.csv": (HEAD, HEAD.replace(b"\r\n", b"\n")),
    "u4ssc_bom_crlf.csv": (
        SUBMISSION_HEAD + KARMOY.encode(),
        b"\xef\xbb\xbf" + (SUBMISSION_HEAD + KARMOY.encode()).replace(b"\n", b"\r\n"),
    ),
    "verification_bom_crlf.csv": (
        (VERIFICATION_HEAD + VERIFICATION_ROW).encode(),
        b"\xef\xbb\xbf" + (VERIFICATION_HEAD + VERIFICATION_ROW).encode().replace(b"\n", b"\r\n"),
    ),
    "bom.json": (json_with(), b"\xef\xbb\xbf" + json_with()),
    # third round: a tab-separated export, old Mac line ends (CR only), a count written "266,0" (one reading
    # only: a decimal part of one digit), and a JSON-stat value given as an object by cell index (the standard)
    "tab_separated.csv": (HEAD, HEAD.replace(b'";"', b'"\t"').replace(b'";', b'"\t')),
    "cr_line_ends.csv": (HEAD, HEAD.replace(b"\r\n", b"\r")),
    "count_with_decimal_zero.csv": (HEAD, csv_with(row4=LINES[3].replace(b";266", b';"266,0"'))),
    "value_as_object.json": (
        json_with(),
        json_with(value=lambda d: d.__setitem__("value", {str(i): v for i, v in enumerate(d["value"])})),
    ),
}


@pytest.mark.usefixtures("bundled_network")
@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_variants_are_read_like_the_plain_file(tmp_path, parser, capsys, name):
    from analysis.ingest.registry import read_observations

    plain, variant = BENIGN[name]
    (tmp_path / "plain").mkdir()
    (tmp_path / "variant").mkdir()
    (tmp_path / "plain" / name).write_bytes(plain)
    (tmp_path / "variant" / name).write_bytes(variant)
    args = parser.parse_args(["check", str(tmp_path / "variant" / name)])
    assert args.func(args) == 0, capsys.readouterr().err
    columns = ["unit_code", "year", "kpi_id", "value", "status"]
    _, a = read_observations(tmp_path / "plain" / name)
    _, b = read_observations(tmp_path / "variant" / name)
    assert len(a) > 0
    pd.testing.assert_frame_equal(a[columns], b[columns])


@pytest.mark.usefixtures("bundled_network")
@pytest.mark.parametrize(
    "name, data, mark, value",
    [
        # declared in the sidecar, a value that reads two ways has one reading
        ("k.csv", csv_with(row4=b'"K-3001 Halden";"0 years";1,266'), ".", 1266.0),
        ("u.csv", submission("1149,2020,EC: ICT: ICT: 3C,,,95.424,per 100 000 inhabitants,,"), ",", 95424.0),
        ("u2.csv", submission("1149,2020,EC: ICT: ICT: 1C,,,97.125,%,,"), ".", 97.125),
    ],
)
def test_a_declared_decimal_mark_settles_the_reading(tmp_path, parser, capsys, name, data, mark, value):
    from analysis.ingest.registry import read_observations

    path = tmp_path / name
    path.write_bytes(data)
    args = parser.parse_args(["check", str(path)])
    assert args.func(args) == EXIT_BAD_INPUT and "can be read two ways" in capsys.readouterr().err
    (tmp_path / f"{name}.provenance.yaml").write_text(f'source: test\ndecimal_mark: "{mark}"\n', encoding="utf-8")
    assert args.func(args) == 0, capsys.readouterr().err
    _, obs = read_observations(path)
    assert obs["value"].iloc[0] == value


def test_a_bad_declaration_is_refused(tmp_path, parser, capsys):
    path = tmp_path / "k.csv"
    path.write_bytes(HEAD)
    (tmp_path / "k.csv.provenance.yaml").write_text("decimal_mark: ';'\n", encoding="utf-8")
    args = parser.parse_args(["check", str(path)])
    assert args.func(args) == EXIT_BAD_INPUT
    assert (
        "k.csv.provenance.yaml, row 1, field 'decimal_mark': decimal_mark must be ',' or '.'" in capsys.readouterr().err
    )


def test_a_workbook_that_unpacks_too_far_is_refused_unparsed(tmp_path, monkeypatch, parser, capsys):
    """A zip bomb: the limit is lowered so that the test stays small; the sizes are read from the archive."""
    import zipfile

    from analysis.ingest import workbook

    monkeypatch.setattr(workbook, "MAX_UNPACKED", 1024 * 1024)
    path = tmp_path / "road_network_2021.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    args = parser.parse_args(["check", str(path)])
    assert args.func(args) == EXIT_BAD_INPUT
    assert "unpacks to 2 MB, more than the 1 MB allowed" in capsys.readouterr().err


def test_an_unreadable_file_is_bad_input_not_a_crash(tmp_path, parser, capsys):
    folder = tmp_path / "Personer2022.csv"  # a folder with a data file's name
    folder.mkdir()
    args = parser.parse_args(["check", str(folder)])
    assert args.func(args) == EXIT_BAD_INPUT and "is not a file" in capsys.readouterr().err


def test_a_link_loop_in_the_ingest_folder_ends(tmp_path, parser, capsys):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "up").symlink_to(src)  # sub/up -> src: an endless tree if followed blindly
    (src / "a.csv").write_bytes(HEAD)
    args = parser.parse_args(["ingest", str(src), "--out", str(tmp_path / "out")])
    assert args.func(args) == 0, capsys.readouterr().err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["src__a.csv.parquet"]


def _build_data(project: Path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
    return subprocess.run(
        [sys.executable, "-m", "analysis", "build-data"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "file, edit, where",
    [
        (
            "targets.csv",
            lambda text: text + "EN:EN:AQ:2C,0301,1.5,2030,,,Oslos eget mål\n",
            "field 'unit_code': 0301 (Oslo) is not a member of this network",
        ),
        (
            "network.yaml",
            lambda text: text.replace('peer_group: "Storbyer"}', 'peer_group: "Storbyer", valid_from: 2_020}', 1),
            "field 'valid_from': 2_020 is read by YAML as the number 2020",
        ),
        (  # third round: a setting added below the old one (row 2); YAML kept the last without a word
            "report.yaml",
            lambda text: "".join(
                [*text.splitlines(keepends=True)[:2], "report_year: 2023\n", *text.splitlines(keepends=True)[2:]]
            ),
            "field 'report_year': 'report_year' is given twice (rows 2 and 3): YAML keeps only the last",
        ),
    ],
)
def test_build_data_refuses_bad_params_and_writes_nothing(tmp_path, file, edit, where):
    """As a user would meet it: `build-data` on a project whose params were edited by hand exits 2 with the
    file, row, field and reason, no traceback, and no processed data."""
    from site_helpers import make_project

    project = make_project(tmp_path / "project")
    path = project / "params" / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = _build_data(project)
    assert result.returncode == EXIT_BAD_INPUT, result.stdout + result.stderr
    assert f"{path}, row " in result.stderr and where in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "data" / "processed").exists()


# -- third round: recipes, files that are not files, one value in two files ------------------------------------

RECIPE = """\
source: Miljødirektoratet
vintage: "2024-06"
files: "utslipp*.csv"
csv: {separator: ";", decimal: ","}
columns: {unit: Kommune, year: År, value: Utslipp}
units: names
filters: {Sektor: Totalt}
kpi: ssb/mdir/utslipp
borders: 2024
"""
EMISSIONS = "Kommune;År;Sektor;Utslipp\nTrondheim;2022;Totalt;2 345,6\nBodø;2022;Totalt;1 200,0\n"
XLSX_RECIPE = RECIPE.replace('"utslipp*.csv"', '"utslipp*.xlsx"').replace('csv: {separator: ";", decimal: ","}\n', "")


def emissions_xlsx(edit) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Kommune", "År", "Sektor", "Utslipp"])
    wb.active.append(["Trondheim", 2022, "Totalt", 2345.6])
    edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hide_first(wb):
    wb.create_sheet("synlig").append(["Kommune", "År", "Sektor", "Utslipp"])
    wb.worksheets[0].sheet_state = "hidden"
    wb.active = 1


# name -> (files of the folder, the file named, row, field, reason)
RECIPE_CASES = {
    "encoding_not_of_text": (  # codecs.lookup('rot13') succeeds; decoding with it was a LookupError traceback
        {"recipe.yaml": RECIPE.replace('decimal: ","', 'decimal: ",", encoding: rot13'), "utslipp.csv": EMISSIONS},
        "recipe.yaml",
        4,
        "csv",
        "csv.encoding 'rot13' is not a text encoding",
    ),
    "kpi_twice": (
        {"recipe.yaml": RECIPE + "kpi: ssb/mdir/annet\n", "utslipp.csv": EMISSIONS},
        "recipe.yaml",
        10,
        "kpi",
        "'kpi' is given twice (rows 8 and 10): YAML keeps only the last",
    ),
    "keys_of_two_types": (  # sorting 2024 with 'foo' was a TypeError
        {"recipe.yaml": RECIPE + "2024: a\nfoo: b\n", "utslipp.csv": EMISSIONS},
        "recipe.yaml",
        10,
        "2024",
        "unknown key 2024 (a recipe has: source",
    ),
    "one_value_in_two_files": (  # a copy saved under a new name: each file is sound, together they disagree
        {"recipe.yaml": RECIPE, "utslipp.csv": EMISSIONS, "utslipp_kopi.csv": EMISSIONS},
        "utslipp_kopi.csv",
        2,
        "kpi_id",
        "5001, 2022, ssb/mdir/utslipp is also given by utslipp.csv row 2: two files give a value",
    ),
    "column_twice": (
        {"recipe.yaml": RECIPE, "utslipp.csv": "Kommune;År;Sektor;Utslipp;Utslipp\nTrondheim;2022;Totalt;1;2\n"},
        "utslipp.csv",
        1,
        "Utslipp",
        "column 'Utslipp' appears twice in the header: which is meant?",
    ),
    "hidden_first_sheet": (
        {"recipe.yaml": XLSX_RECIPE, "utslipp.xlsx": emissions_xlsx(hide_first)},
        "utslipp.xlsx",
        None,
        "Sheet",
        "the first sheet, 'Sheet', is hidden, and a recipe without sheet: reads the first sheet",
    ),
    "far_cell": (
        {"recipe.yaml": XLSX_RECIPE, "utslipp.xlsx": emissions_xlsx(lambda wb: wb.active.__setitem__("XFD1048576", 1))},
        "utslipp.xlsx",
        1048576,
        None,
        "sheet 'Sheet' reaches cell XFD1048576",
    ),
}


@pytest.mark.parametrize("name", sorted(RECIPE_CASES))
def test_check_and_ingest_refuse_a_recipe_folder(tmp_path, parser, capsys, name):
    files, named, row, field, reason = RECIPE_CASES[name]
    src, out = tmp_path / "miljo", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    for fname, data in files.items():
        (src / fname).write_bytes(data if isinstance(data, bytes) else data.encode())
    (out / "previous.parquet").write_bytes(b"previous output")
    before = digest(src), digest(out)
    where = ", ".join([str(src / named)] + ([f"row {row}"] if row else []) + ([f"field '{field}'"] if field else []))
    for argv in (["check", str(src / "recipe.yaml")], ["ingest", str(src), "--out", str(out)]):
        args = parser.parse_args(argv)
        assert args.func(args) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert any(f"{where}: " in line and reason in line for line in err.splitlines()), err
        assert err.count(reason) == 1, err  # said once, though the recipe is read again for each file it covers
    assert (digest(src), digest(out)) == before


@pytest.mark.usefixtures("bundled_network")
def test_one_value_in_two_source_folders_stops_the_builds_ingest(tmp_path):
    """``data: ingested``: data/raw/a and data/raw/b each sound, but both give Trondheim 2022; the build's ingest
    names both files and writes nothing (before, the build stopped later naming no file or row)."""
    from analysis.core.errors import InputError
    from analysis.process.ingested import ingest_raw

    raw = tmp_path / "raw"
    for name, value in (("a", "97"), ("b", "98")):
        (raw / name).mkdir(parents=True)
        (raw / name / f"{name}.csv").write_bytes(submission(f"5001,2022,EC: ICT: ICT: 1C,,,{value},%,,"))
    with pytest.raises(InputError) as exc:
        ingest_raw(tmp_path / "staging", raw, tmp_path / "current")
    assert str(exc.value) == (
        f"{raw / 'b' / 'b.csv'}, row 2, field 'kpi_id': 5001, 2022, EC:ICT:ICT:1C is also given by a.csv row 2: two "
        "files give a value for one unit, year and variable, and which is meant cannot be told; remove one of them "
        "(or the row from one)"
    )
    assert not (tmp_path / "staging").exists()


def test_a_pipe_is_refused_unread(tmp_path):
    """A named pipe called network.yaml: reading it waited for a writer for ever. In a process of its own, so that
    a hang fails the test instead of stopping the suite."""
    import os
    import subprocess
    import sys

    pipe = tmp_path / "network.yaml"
    os.mkfifo(pipe)
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "check", str(pipe)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert f"{pipe}: is not a regular file (a pipe, a socket or a device)" in result.stderr


def test_a_link_to_itself_is_named_by_check_and_ingest(tmp_path, parser, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.csv").write_bytes(HEAD)
    (src / "loop.csv").symlink_to("loop.csv")  # resolving it was a RuntimeError traceback
    for argv in (["check", str(src / "loop.csv")], ["ingest", str(src), "--out", str(tmp_path / "out")]):
        args = parser.parse_args(argv)
        assert args.func(args) == EXIT_BAD_INPUT
        assert f"{src / 'loop.csv'}: a link that leads to itself (a loop of symbolic links)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
