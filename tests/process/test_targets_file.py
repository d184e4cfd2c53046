import csv

import pytest
from network_helpers import bundled_units, configured_members

from analysis.core import config
from analysis.core.errors import InputError
from analysis.process.pipeline import load_targets
from analysis.reference.catalog import load_catalog
from analysis.reference.members import load_units


def _targets(tmp_path, rows):
    path = tmp_path / "targets.csv"
    path.write_text("kpi_id,unit_code,target,target_year,band_low,band_high,source\n" + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "rows, message",
    [
        ("EC:XX:1C,,5,2030,,,x\n", r"row 2, field 'kpi_id': unknown KPI 'EC:XX:1C'"),
        ("EC:ICT:ICT:1C,9999,5,2030,,,x\n", r"row 2, field 'unit_code': '9999' is not a municipality or county"),
        ("EC:ICT:ICT:1C,,fem,2030,,,x\n", r"row 2, field 'target': 'fem' is not a number"),
        ("EC:ICT:ICT:1C,,5,2030,,,x\nEC:ICT:ICT:1C,,6,2030,,,x\n", r"row 3, field 'kpi_id': a second target"),
    ],
)
def test_bad_targets_are_refused_with_row_and_field(tmp_path, rows, message):
    with pytest.raises(InputError, match=message):
        load_targets(_targets(tmp_path, rows), load_catalog(), bundled_units(), 2030)


def test_missing_target_year_takes_the_default(tmp_path):
    t = load_targets(_targets(tmp_path, "EC:ICT:ICT:1C,,95,,,,x\n"), load_catalog(), bundled_units(), 2030)
    assert t["target_year"].tolist() == [2030]


def test_local_target_of_a_non_member_is_refused(tmp_path):
    # 0301 Oslo is a valid code but not a member of the bundled network: its target would never be used
    path = _targets(tmp_path, "EC:ICT:ICT:1C,,95,2030,,,x\nEC:ICT:ICT:1C,0301,99,2030,,,x\n")
    with pytest.raises(InputError) as err:
        load_targets(path, load_catalog(), bundled_units(), 2030)
    assert str(err.value) == (
        f"{path}, row 3, field 'unit_code': 0301 (Oslo) is not a member of this network (params/network.yaml): "
        "a local target of it would never be used; remove the row, or add the member"
    )


def test_a_local_target_of_a_member_is_kept(tmp_path):
    path = _targets(tmp_path, "EC:ICT:ICT:1C,,95,2030,,,x\nEC:ICT:ICT:1C,5001,99,2030,,,x\n")
    t = load_targets(path, load_catalog(), bundled_units(), 2030)
    assert t[["unit_code", "target"]].values.tolist() == [["", 95.0], ["5001", 99.0]]


@pytest.mark.parametrize(
    "field, text",
    [("target", "９７.５"), ("target_year", "２０３０"), ("target_year", "٢٠٣٠"), ("unit_code", "５００１")],
)
def test_digits_other_than_0_to_9_are_refused_in_targets(tmp_path, field, text):
    """float('９７.５') is 97.5 and '２０３０'.isdigit() is True in Python; the targets file takes 0-9 only."""
    cells = {"kpi_id": "EC:ICT:ICT:1C", "unit_code": "", "target": "97.5", "target_year": "2030"} | {field: text}
    row = ",".join(cells[c] for c in ("kpi_id", "unit_code", "target", "target_year")) + ",,,x\n"
    with pytest.raises(InputError) as err:
        load_targets(_targets(tmp_path, row), load_catalog(), bundled_units(), 2030)
    assert (err.value.row, err.value.field) == (2, field)
    assert f"{text!r} is written with {text[0]!r}" in err.value.reason and "not with the digits 0-9" in err.value.reason


@pytest.mark.parametrize(
    "row, field, reason",
    [
        ("SC:SH:SI:1C,,1.0,2030,1.03,0.97,x", "band_low", "low end 1.03 is above its high end 0.97"),
        ("EC:ICT:ICT:1C,,95,2010,,,x", "target_year", "target year 2010 is before the base year 2015"),
        ("EC:ICT:ICT:1C,,150,2030,,,x", "target", "target 150 for EC:ICT:ICT:1C (% of households)"),
        ("EC:ICT:ICT:1C,,inf,2030,,,x", "target", "'inf' is not a number"),
        ("EC:ICT:ICT:1C,,nan,2030,,,x", "target", "'nan' is not a number"),
        ("EC:ICT:ICT:1C,,95,2030.5,,,x", "target_year", "'2030.5' is not a year"),
        ("EC:ICT:ICT:1C,,95,02030,,,x", "target_year", "'02030' is not a year (four digits 0-9"),
        ("EC:ICT:ICT:1C,,95,2.03e3,,,x", "target_year", "'2.03e3' is not a year"),
        ("SC:SH:SA:3A,,0.5,2030,,,x", "target", "yes/no must be 0 or 1"),
        ("EN:EN:AQ:2C,,-1,2030,,,x", "target", "must not be negative"),
        ("EC:ICT:ICT:1C,,,2030,,,x", "target", "is missing"),
    ],
)
def test_impossible_targets_are_refused(tmp_path, row, field, reason):
    path = _targets(tmp_path, "EC:ICT:ICT:2C,,90,2030,,,x\n" + row + "\n")
    with pytest.raises(InputError) as err:
        load_targets(path, load_catalog(), bundled_units(), 2030, base_year=2015)
    assert (err.value.row, err.value.field) == (3, field) and reason in err.value.reason, str(err.value)


def test_every_problem_of_the_targets_file_is_reported_at_once(tmp_path):
    rows = (
        "EC:XX:1C,,5,2030,,,x\nEC:ICT:ICT:1C,,fem,2030,,,x\nEC:ICT:ICT:2C,9999,90,2030,,,x\nEC:ICT:ICT:3C,,9,1999,,,x\n"
    )
    with pytest.raises(InputError) as err:
        load_targets(_targets(tmp_path, rows), load_catalog(), bundled_units(), 2030, base_year=2015)
    assert [(p.row, p.field) for p in err.value.problems] == [
        (2, "kpi_id"),
        (3, "target"),
        (4, "unit_code"),
        (5, "target_year"),
    ]
    assert str(err.value).startswith("4 problems:")


def test_latin1_and_ragged_targets_files_are_refused_with_the_row(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_bytes(
        "kpi_id,unit_code,target,target_year,band_low,band_high,source\nEC:ICT:ICT:1C,,95,2030,,,Målet\n".encode(
            "iso-8859-1"
        )
    )
    with pytest.raises(
        InputError, match=r"row 2: byte 0xE5 is not UTF-8 \(in ISO-8859-1 or Windows-1252 it would be 'å'"
    ):
        load_targets(path, load_catalog(), bundled_units(), 2030)
    path = _targets(tmp_path, "EC:ICT:ICT:1C,,97,5,2030,,,x\n")  # a decimal comma splits the target in two
    with pytest.raises(InputError, match="row 2: 8 fields but the header has 7"):
        load_targets(path, load_catalog(), bundled_units(), 2030)


def test_the_configured_targets_pass_and_keep_their_values():
    """Whatever targets a network committed: every network row, and every local row of a member, is
    used with the value in the file (the expectation is the file read with the csv module)."""
    path = config.PARAMS_DIR / "targets.csv"
    members = {str(m["code"]) for m in configured_members()}
    with open(path, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["unit_code"] == "" or r["unit_code"] in members]
    t = load_targets(path, load_catalog(), load_units(), 2030, base_year=2015)
    assert len(t) == len(rows) > 0
    assert list(zip(t["kpi_id"], t["unit_code"], t["target"])) == [
        (r["kpi_id"], r["unit_code"], float(r["target"])) for r in rows
    ]


@pytest.mark.parametrize(
    "row, field, reason",
    [
        ("SC:SH:SI:1C,,1.0,2030,0.97,,x", "band_low", "a band needs both ends"),
        ("EC:ICT:ICT:1C,,95,2030,90,99,x", "band_low", "EC:ICT:ICT:1C has no target band"),
    ],
)
def test_half_bands_and_bands_of_other_kpis_are_refused(tmp_path, row, field, reason):
    with pytest.raises(InputError) as err:
        load_targets(_targets(tmp_path, row + "\n"), load_catalog(), bundled_units(), 2030)
    assert (err.value.row, err.value.field) == (2, field) and reason in err.value.reason
