import pytest

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
        load_targets(_targets(tmp_path, rows), load_catalog(), load_units(), 2030)


def test_missing_target_year_takes_the_default(tmp_path):
    t = load_targets(_targets(tmp_path, "EC:ICT:ICT:1C,,95,,,,x\n"), load_catalog(), load_units(), 2030)
    assert t["target_year"].tolist() == [2030]


def test_local_target_of_a_non_member_is_not_used(tmp_path):
    # 0301 Oslo is a valid code but not a member of the default network
    path = _targets(tmp_path, "EC:ICT:ICT:1C,,95,2030,,,x\nEC:ICT:ICT:1C,0301,99,2030,,,x\n")
    t = load_targets(path, load_catalog(), load_units(), 2030)
    assert t["unit_code"].tolist() == [""]
