"""KOSTRA road-network workbooks 2020-2024: long and wide sheets read and checked against each other."""

import openpyxl
import pytest

from analysis.core import config
from analysis.core.errors import InputError
from analysis.ingest.kostra import read_road_network

ROADS = config.SHARED_DATA_DIR / "kostra-road-network"


@pytest.mark.parametrize(
    "year, units, code_year",
    [(2020, 356, 2021), (2021, 356, 2021), (2022, 356, 2023), (2023, 357, 2024), (2024, 357, 2025)],
)
def test_each_workbook(year, units, code_year):
    df = read_road_network(ROADS / f"road_network_{year}.xlsx")
    assert df["unit_code"].nunique() == units and len(df) == units * 6
    assert set(df["year"]) == {year} and set(df["code_year"]) == {code_year}
    assert set(df["road_category"]) == set("ERFKPS")
    assert (df["value"] >= 0).all() and df["unit_code"].str.fullmatch(r"\d{4}").all()


def test_known_values_and_codes_2020_vs_2023():
    d20 = read_road_network(ROADS / "road_network_2020.xlsx").set_index(["unit_code", "road_category"])
    assert d20.loc[("0301", "E"), "value"] == pytest.approx(96.20079399999996)
    assert d20.loc[("0301", "F"), "value"] == 0.0  # published 0 in the wide sheet only
    assert d20.loc[("0301", "E"), "source_row"] == 2
    assert ("3024", "K") in d20.index and ("3201", "K") not in d20.index
    d23 = read_road_network(ROADS / "road_network_2023.xlsx")
    assert {"3201", "3203", "1508", "1580"} <= set(d23["unit_code"]) and "3024" not in set(d23["unit_code"])
    assert set(d23["vintage"]) == {"2024-01-09"}


def test_wide_and_long_must_agree(tmp_path):
    wb = openpyxl.load_workbook(ROADS / "road_network_2021.xlsx")
    ws = wb["Tabell kommuner"]
    assert ws.cell(2, 2).value == 301 and ws.cell(1, 3).value == "E"
    ws.cell(2, 3).value = 97  # Oslo E roads: long sheet says 96.35 km
    bad = tmp_path / "road_network_2021.xlsx"
    wb.save(bad)
    with pytest.raises(InputError) as e:
        read_road_network(bad)
    assert (e.value.row, e.value.field) == (2, "E") and "97 km of E roads in 0301" in str(e.value)
