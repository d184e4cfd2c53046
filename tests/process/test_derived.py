"""Derived indicators: per-inhabitant rates and shares, with known answers computed by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.process.derived import derive, left_out, population_table
from analysis.reference.indicators import full_catalog


def _yaml(tmp_path, body: str):
    path = tmp_path / "indicators.yaml"
    path.write_text("indicators:\n" + body, encoding="utf-8")
    return path


OWN = """\
  - {code: utslipp, name_nb: Utslipp totalt, unit: tonn, direction: lower_is_better, sdg_goals: [13],
     dimension: Miljø, source: Miljødirektoratet}
  - {code: utslipp-per-1000, name_nb: Utslipp per 1000, unit: tonn per 1 000 innbyggere, direction: lower_is_better,
     sdg_goals: [13], dimension: Miljø, source: Miljødirektoratet og SSB, formula: {per_1000_inhabitants: utslipp}}
  - {code: utslipp-per-100000, name_nb: Utslipp per 100000, unit: tonn per 100 000 innbyggere,
     direction: lower_is_better, sdg_goals: [13], dimension: Miljø, source: M,
     formula: {per_100000_inhabitants: utslipp}}
  - {code: bosatte, name_nb: Bosatte flyktninger, unit: personer, direction: unknown, sdg_goals: [10],
     dimension: Samfunn og kultur, source: IMDi}
  - {code: anmodet, name_nb: Anmodet, unit: personer, direction: unknown, sdg_goals: [10],
     dimension: Samfunn og kultur, source: IMDi}
  - {code: andel-bosatt, name_nb: Andel bosatt, unit: "% av anmodningen", direction: higher_is_better,
     sdg_goals: [10], dimension: Samfunn og kultur, source: IMDi, formula: {share: [bosatte, anmodet]}}
"""


def _obs(rows):
    return pd.DataFrame(
        [
            {
                "unit_code": u,
                "year": y,
                "kpi_id": k,
                "value": v,
                "status": s,
                "source": "Testkilde",
                "vintage": "v1",
                "note": "",
            }
            for u, y, k, v, s in rows
        ]
    ).astype({"year": "int64", "value": float})


POP = pd.DataFrame(
    {"unit_code": ["5001", "1506"], "year": [2023, 2023], "population": [23456.0, 40.0], "source": ["SSB 07459"] * 2}
)


@pytest.fixture
def catalog(tmp_path):
    return full_catalog(_yaml(tmp_path, OWN))


def _value(rows, kpi, unit, year):
    sel = rows.loc[(rows["kpi_id"] == kpi) & (rows["unit_code"] == unit) & (rows["year"] == year)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_per_1000_and_per_100000_inhabitants_known_answer(catalog):
    obs = _obs([("5001", 2023, "utslipp", 12345.0, "")])
    rows = derive(obs, catalog, POP)
    # 12 345 t / 23 456 inhabitants × 1000 = 526.3043... per 1000 (by hand: 12345/23456 = 0.52630...)
    assert _value(rows, "utslipp-per-1000", "5001", 2023)["value"] == pytest.approx(526.3, abs=0.05)
    assert _value(rows, "utslipp-per-100000", "5001", 2023)["value"] == pytest.approx(
        52630.46, abs=0.01
    )  # 0.5263046 × 100 000
    src = _value(rows, "utslipp-per-1000", "5001", 2023)["source"]
    assert "folkemengde" in src and "SSB 07459" in src and "utslipp" in src and "Testkilde" in src


def test_share_known_answer(catalog):
    obs = _obs([("1506", 2022, "bosatte", 3.0, ""), ("1506", 2022, "anmodet", 40.0, "")])
    row = _value(derive(obs, catalog, POP), "andel-bosatt", "1506", 2022)
    assert row["value"] == pytest.approx(7.5)  # 3 / 40 = 0.075 = 7.5 %
    assert row["status"] == ""


def test_population_missing_is_left_out_with_a_reason(catalog):
    obs = _obs([("5001", 2023, "utslipp", 100.0, ""), ("5001", 2021, "utslipp", 90.0, "")])
    rows = derive(obs, catalog, POP)
    gone = _value(rows, "utslipp-per-1000", "5001", 2021)
    assert math.isnan(gone["value"]) and gone["status"] == ".."
    assert "folkemengden" in gone["note"] and gone["note"].startswith("utelatt: ")
    assert _value(rows, "utslipp-per-1000", "5001", 2023)["value"] == pytest.approx(100 / 23456 * 1000)
    listed = left_out(rows, catalog)
    assert set(zip(listed["kpi_id"], listed["year"])) == {("utslipp-per-1000", 2021), ("utslipp-per-100000", 2021)}


def test_suppressed_source_and_zero_denominator_are_left_out_never_zero(catalog):
    obs = _obs(
        [
            ("5001", 2023, "utslipp", np.nan, ":"),
            ("1506", 2022, "bosatte", 3.0, ""),
            ("1506", 2022, "anmodet", 0.0, ""),
            ("1506", 2021, "bosatte", 5.0, ""),  # no denominator that year
        ]
    )
    rows = derive(obs, catalog, POP)
    for kpi, unit, year, why in [
        ("utslipp-per-1000", "5001", 2023, "mangler"),
        ("andel-bosatt", "1506", 2022, "er 0"),
        ("andel-bosatt", "1506", 2021, "«Anmodet» mangler"),
    ]:
        row = _value(rows, kpi, unit, year)
        assert math.isnan(row["value"]) and row["status"] == ".." and why in row["note"], (kpi, year, row["note"])


def test_population_table_reads_the_series_before_the_facts(tmp_path):
    (tmp_path / "population.csv").write_text(
        "unit_code,year,population,note,source\n5001,2023,100,,SSB\n", encoding="utf-8"
    )
    (tmp_path / "population_series.csv").write_text(
        "unit_code,year,population,source\n5001,2022,90,SSB\n5001,2023,101,SSB\n", encoding="utf-8"
    )
    t = population_table(tmp_path).set_index(["unit_code", "year"])["population"]
    assert t.to_dict() == {("5001", 2022): 90.0, ("5001", 2023): 101.0}
