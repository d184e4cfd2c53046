import pytest

from analysis.core.errors import InputError
from analysis.core.schema import slugify
from analysis.core.settings import load_report_settings
from analysis.reference.members import load_units


def test_default_network_has_twelve_municipalities_and_three_counties():
    units = load_units()
    members = units[units["is_member"]]
    assert (members["type"] == "kommune").sum() == 12
    assert sorted(members.loc[members["type"] == "fylke", "unit_code"]) == ["15", "30", "50"]
    assert members["unit_code"].map(type).eq(str).all()
    assert units.loc[units["unit_code"] == "1508", "name"].item() == "Ålesund"
    nation = units.loc[units["unit_code"] == "0"].iloc[0]
    assert nation["type"] == "land" and not nation["is_member"]


def test_slugs_are_ascii():
    assert slugify("Ålesund") == "alesund"
    assert slugify("Møre og Romsdal") == "more-og-romsdal"
    assert slugify("Bærum") == "baerum"


def _write(tmp_path, text):
    path = tmp_path / "network.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unquoted_code_is_refused_with_the_reason(tmp_path):
    path = _write(
        tmp_path, "members:\n  - {code: 0301, name: Oslo, type: kommune, county: '03'}\ncounties: {'03': Oslo}\n"
    )
    with pytest.raises(InputError, match="must be a quoted string"):
        load_units(path)


def test_unknown_county_and_duplicate_member_are_refused(tmp_path):
    path = _write(tmp_path, "members:\n  - {code: '0301', name: Oslo, type: kommune, county: '03'}\ncounties: {}\n")
    with pytest.raises(InputError, match="county '03' is not listed"):
        load_units(path)
    path = _write(
        tmp_path, "members:\n  - {code: '15', name: A, type: fylke}\n  - {code: '15', name: B, type: fylke}\n"
    )
    with pytest.raises(InputError, match="listed twice"):
        load_units(path)


def test_broken_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, "members:\n  - {code: '15'\n  name: x\n")
    with pytest.raises(InputError, match=r"network\.yaml, row \d+: not valid YAML"):
        load_units(path)


def test_report_settings_are_typed(tmp_path):
    assert load_report_settings().report_year == 2024
    path = tmp_path / "report.yaml"
    path.write_text(
        "report_year: '2024'\nbase_year: 2015\ndefault_target_year: 2030\nfirst_year: 2015\n"
        "data: demo\ntargets: t.csv\nworkers: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="field 'report_year': must be int"):
        load_report_settings(path)
    path.write_text("report_yer: 2024\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown setting 'report_yer'"):
        load_report_settings(path)
