"""A corpus of broken inputs: each is refused with file, row/field and reason, and nothing is written.

Most cases are made in the test from real bytes (the head of the 2022 population export, the
07459 JSON-stat response, a KOSTRA workbook); a few hand-made files live in fixtures/sources/malformed/.
"""

import argparse
import hashlib
import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import EXIT_BAD_INPUT
from analysis.process.ingested import register

FIXTURES = Path(__file__).parent / "fixtures" / "sources" / "malformed"
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


def workbook_with(edit) -> bytes:
    wb = openpyxl.load_workbook(ROADS_2021)
    edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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


@pytest.fixture
def parser():
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"))
    return p


def digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_refuses_with_file_row_field_and_reason(tmp_path, parser, capsys, name):
    data, row, field, reason = CASES[name]
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_bytes(data)
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
    (src / name).write_bytes(CASES[name][0])
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
