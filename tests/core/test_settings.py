import pytest
from network_helpers import bundled_units, configured_members

from analysis.core.errors import InputError
from analysis.core.schema import slugify
from analysis.core.settings import load_report_settings
from analysis.reference.members import DEFAULT_NETWORK_NAME, load_units, network_name


def test_bundled_network_has_twelve_municipalities_and_three_counties():
    units = bundled_units()
    members = units[units["is_member"]]
    assert (members["type"] == "kommune").sum() == 12
    assert sorted(members.loc[members["type"] == "fylke", "unit_code"]) == ["15", "30", "50"]
    assert members["unit_code"].map(type).eq(str).all()
    assert units.loc[units["unit_code"] == "1508", "name"].item() == "Ålesund"
    nation = units.loc[units["unit_code"] == "0"].iloc[0]
    assert nation["type"] == "land" and not nation["is_member"]


def test_configured_network_gives_one_member_row_per_entry_in_its_order():
    """Whatever params/network.yaml a county put there: the expectation is the file read as plain YAML."""
    listed = configured_members()
    units = load_units()
    members = units[units["is_member"]]
    assert members["unit_code"].tolist() == [str(m["code"]) for m in listed]
    assert members["name"].tolist() == [m["name"] for m in listed]
    assert members["type"].tolist() == [m["type"] for m in listed]
    assert members["unit_code"].map(type).eq(str).all()
    nation = units.loc[units["unit_code"] == "0"].iloc[0]
    assert nation["type"] == "land" and not nation["is_member"]
    assert len(units) == len(listed) + 1


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


BOMB = "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
    for p, n in zip(["", "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi")
)  # nine levels of nine: 387 million strings once expanded


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    import time

    path = _write(tmp_path, BOMB + "members: [*i]\n")  # rows 2 and 3 hold 18 aliases, row 4 the 21st
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"network\.yaml, row 4: more than 20 aliases"):
        load_units(path)
    assert time.perf_counter() - start < 1.0


def test_deep_nesting_and_size_are_bounded(tmp_path):
    path = _write(tmp_path, "members: " + "[" * 500 + "]" * 500 + "\n")
    with pytest.raises(InputError, match="nested more than 20 levels deep"):
        load_units(path)
    path = _write(tmp_path, "# " + "x" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(InputError, match=r"2\.0 MB is more than the 1\.0 MB network\.yaml may have"):
        load_units(path)


def test_a_few_aliases_are_still_yaml(tmp_path):
    path = _write(
        tmp_path,
        "peers: &p Storbyer\nmembers:\n"
        "  - {code: '5001', name: Trondheim, type: kommune, county: '50', peer_group: *p}\n"
        "counties: {'50': Trøndelag}\n",
    )
    assert load_units(path).loc[0, "peer_group"] == "Storbyer"


def test_members_are_checked_against_the_registry_all_at_once(tmp_path):
    path = _write(
        tmp_path,
        "members:\n"
        "  - {code: '0301', name: Bergen, type: kommune, county: '03'}\n"  # row 2: 0301 is Oslo
        "  - {code: '5001', name: Trondheim, type: kommune, county: '50'}\n"
        "  - {code: '5035', name: Trondheim, type: kommune, county: '50'}\n"  # row 4: Stjørdal, and a second Trondheim
        "  - {code: '30', name: Viken, type: fylke, valid_from: 2023, valid_to: 2020}\n"  # row 5
        "  - {code: '1508', name: Ålesund, type: kommune, county: '50'}\n"  # row 6: 1508 is in county 15
        "  - {code: '9999', name: Nowhere, type: kommune, county: '99'}\n"  # row 7: no such code
        "counties: {'03': Oslo, '50': Trøndelag, '99': Nowhere}\n",
    )
    with pytest.raises(InputError) as err:
        load_units(path)
    found = {(p.row, p.field) for p in err.value.problems}
    assert {(2, "name"), (4, "name"), (5, "valid_from"), (6, "county"), (7, "code"), (8, "counties")} <= found
    text = str(err.value)
    assert "member 0301 (Bergen): 0301 is Oslo in the registry, not Bergen" in text
    assert "name 'Trondheim' is also in row 3" in text
    assert "valid_from 2023 is after valid_to 2020" in text
    assert "county 99 (Nowhere) is not in the registry" in text


def test_report_settings_file_that_is_not_yaml_text(tmp_path):
    path = tmp_path / "report.yaml"
    path.write_bytes("report_year: 2024\nnote: Bærum\n".encode("iso-8859-1"))
    with pytest.raises(InputError, match=r"report\.yaml, row 2: byte 0xE6 is not UTF-8"):
        load_report_settings(path)


def test_a_report_year_that_has_not_come_is_refused(tmp_path):
    from datetime import date

    path = tmp_path / "report.yaml"
    later = date.today().year + 1
    path.write_text(
        f"report_year: {later}\nbase_year: 2015\ndefault_target_year: {later + 5}\nfirst_year: 2015\n"
        "data: demo\ntargets: t.csv\nworkers: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=f"field 'report_year': {later} has not come yet"):
        load_report_settings(path)


def test_members_all_is_every_municipality_and_county_of_the_borders(tmp_path):
    """`members: all`: the 357 municipalities and 15 counties of 2024 (SSB's KLASS), nothing listed by hand."""
    path = tmp_path / "network.yaml"
    path.write_text("network: {name: Hele landet}\nmembers: all\n", encoding="utf-8")
    units = load_units(path)
    members = units.loc[units["is_member"]]
    assert (members["type"] == "kommune").sum() == 357 and (members["type"] == "fylke").sum() == 15
    oslo = members.set_index(["type", "unit_code"])
    assert oslo.loc[("kommune", "0301"), "name"] == "Oslo" and oslo.loc[("fylke", "03"), "name"] == "Oslo"
    assert oslo.loc[("kommune", "0301"), "county_name"] == "Oslo"
    assert oslo.loc[("kommune", "5001"), "county_name"] == "Trøndelag"
    assert not members.duplicated(["type", "slug"]).any()
    assert members.loc[members["type"] == "kommune", "unit_code"].str.fullmatch(r"\d{4}").all()


def test_one_name_twice_in_one_county_is_still_refused(tmp_path):
    path = tmp_path / "network.yaml"
    path.write_text(
        'members:\n  - {code: "5001", name: Trondheim, type: kommune, county: "50"}\n'
        '  - {code: "5006", name: Trondheim, type: kommune, county: "50"}\ncounties:\n  "50": Trøndelag\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="listed twice: name 'Trondheim'"):
        load_units(path)


MEMBER = '  - {code: "5001", name: Trondheim, type: kommune, county: "50"}\n'


@pytest.mark.parametrize(
    "header, expected",
    [
        ("network:\n  name: Vestlandsnettverket\n", "Vestlandsnettverket"),
        ("network:\n  name: '  Nett & <b>co</b>  '\n", "Nett & <b>co</b>"),  # escaped where it lands, kept here
        ("network:\n  founded: '2021-01-01'\n", DEFAULT_NETWORK_NAME),
        ("", DEFAULT_NETWORK_NAME),
    ],
)
def test_the_network_name_comes_from_network_yaml(tmp_path, header, expected):
    path = tmp_path / "network.yaml"
    path.write_text(header + "members:\n" + MEMBER, encoding="utf-8")
    assert network_name(path) == expected


@pytest.mark.parametrize("name", ["''", "[a, b]", "42", '"two\\nlines"', "x" * 121])
def test_a_network_name_that_is_not_one_line_of_text_is_refused(tmp_path, name):
    path = tmp_path / "network.yaml"
    path.write_text(f"network:\n  name: {name}\nmembers:\n{MEMBER}", encoding="utf-8")
    with pytest.raises(InputError, match="network.name"):
        network_name(path)
