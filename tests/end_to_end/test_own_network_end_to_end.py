"""A county brings its own network, an emissions table in Miljødirektoratet's shape and two indicators of
its own, and gets correct numbers: issue 11's walkthrough (README, "Your own network and data") as a test.

Vestfold and Telemark, not Bærekraftsnettverket: Tønsberg, Sandefjord (3804 until 2023, 3907 since), Larvik
and Midt-Telemark (2024 borders, reported for 2019 when it did not exist under that code). The raw file has
names without codes, a sector column, `.` for missing, tonnes. The expected per-1 000 values are computed
here from the SSB 07459 export read with the csv module, not with the package.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pandas as pd
import pytest

from analysis.core import config
from analysis.pages import content, report_data
from analysis.site.sandbox import make_project

pytestmark = pytest.mark.slow  # a build of its own (about half a minute)

NETWORK = """\
network: {name: Vestfold og Telemark-nettverket}
members:
  - {code: "3905", name: Tønsberg, type: kommune, county: "39"}
  - {code: "3907", name: Sandefjord, type: kommune, county: "39"}
  - {code: "3909", name: Larvik, type: kommune, county: "39"}
  - {code: "4020", name: Midt-Telemark, type: kommune, county: "40"}
counties: {"39": Vestfold, "40": Telemark}
"""
EMISSIONS = """\
Kommune;År;Sektor;Utslipp (tonn CO2-ekv.)
Tønsberg;2022;Totalt;120 345,5
Tønsberg;2022;Jordbruk;5 000
Tønsberg;2023;Totalt;118 000
Sandefjord kommune;2022;Totalt;150 000
Sandefjord kommune;2023;Totalt;146 500,25
Larvik;2022;Totalt;.
Larvik;2023;Totalt;140 200
Midt-Telemark;2019;Totalt;61 000
Midt-Telemark;2023;Totalt;58 100
"""
RECIPE = """\
source: "Miljødirektoratet, klimagassutslipp fra kommuner"
vintage: "2024-06"
files: "utslipp.csv"
csv: {separator: ";", decimal: ",", encoding: utf-8}
columns: {unit: Kommune, year: År, value: "Utslipp (tonn CO2-ekv.)"}
units: names
filters: {Sektor: Totalt}
kpi: mdir-utslipp
borders: 2024
missing: [".", ".."]
"""
INDICATORS = """\
indicators:
  - code: mdir-utslipp
    name_nb: Klimagassutslipp, totalt
    unit: tonn CO2-ekvivalenter
    direction: lower_is_better
    sdg_goals: [13]
    dimension: Miljø
    source: Miljødirektoratet, klimagassutslipp fra kommuner
  - code: mdir-utslipp-per-1000
    name_nb: Klimagassutslipp per 1 000 innbyggere
    unit: tonn CO2-ekvivalenter per 1 000 innbyggere
    direction: lower_is_better
    sdg_goals: [13]
    dimension: Miljø
    source: Miljødirektoratet og SSB
    formula: {per_1000_inhabitants: mdir-utslipp}
"""


def ssb_population(region: str, year: int) -> int:
    """Persons summed over ages for ``region`` ('K-3804 Sandefjord') from the raw SSB export."""
    path = config.SHARED_DATA_DIR / "ssb-07459-population" / f"Personer{year}.csv"
    with path.open(encoding="latin-1", newline="") as f:  # SSB's exports are ISO-8859-1
        rows = [r for r in csv.reader(f, delimiter=";") if len(r) == 3 and r[0] == region]
    assert rows, region
    return sum(int(r[2]) for r in rows)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("county"), NETWORK, "all")
    settings = project / "params" / "report.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("data: demo", "data: ingested"), encoding="utf-8")
    (project / "params" / "indicators.yaml").write_text(INDICATORS, encoding="utf-8")
    source = project / "data" / "raw" / "miljodirektoratet"
    source.mkdir(parents=True)
    (source / "utslipp.csv").write_text(EMISSIONS, encoding="utf-8")
    (source / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "build-data"], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return project, report_data.load(project / "data" / "processed"), done.stdout


def value(data, kpi: str, code: str, year: int):
    obs = data.observations
    row = obs.loc[(obs["kpi_id"] == kpi) & (obs["unit_code"] == code) & (obs["year"] == year)]
    assert len(row) == 1, (kpi, code, year)
    return row.iloc[0]


def test_the_emissions_arrive_with_codes_filtered_and_midt_telemark_kept(county):
    _, data, _ = county
    assert value(data, "mdir-utslipp", "3905", 2022)["value"] == pytest.approx(120345.5)  # the Jordbruk row is not
    assert value(data, "mdir-utslipp", "3907", 2023)["value"] == pytest.approx(146500.25)
    assert value(data, "mdir-utslipp", "4020", 2019)["value"] == pytest.approx(61000)  # 2024 borders, kept
    larvik = value(data, "mdir-utslipp", "3909", 2022)
    assert pd.isna(larvik["value"]) and larvik["status"] == "."


def test_per_1000_inhabitants_matches_a_hand_calculation_with_ssb_population(county):
    _, data, _ = county
    for code, region, emissions in (
        ("3907", "K-3804 Sandefjord", 146500.25),  # renumbered in 2024: the population follows the code
        ("3905", "K-3803 Tønsberg", 118000),
        ("3909", "K-3805 Larvik", 140200),
    ):
        expected = emissions / ssb_population(region, 2023) * 1000
        got = value(data, "mdir-utslipp-per-1000", code, 2023)
        assert got["value"] == pytest.approx(expected, rel=1e-12), code
        assert "folkemengde" in got["source"] and "07459" in got["source"]


def test_nothing_is_lost_silently(county):
    """Larvik 2022 has no emissions, and the exports end in 2023; each gap is a row with its reason."""
    _, data, _ = county
    larvik = value(data, "mdir-utslipp-per-1000", "3909", 2022)
    assert pd.isna(larvik["value"]) and larvik["note"].startswith("utelatt: ")
    page = content.kpi_tables_markdown(data.page_slice(unit_code="3909"), "3909")
    assert "Klimagassutslipp per 1 000 innbyggere" in page and "utelatt" in page.lower()


def test_the_page_calls_them_the_networks_own_and_states_the_formula(county):
    _, data, _ = county
    page = content.kpi_tables_markdown(data.page_slice(unit_code="3907"), "3907")
    row = next(line for line in page.splitlines() if "Klimagassutslipp per 1 000 innbyggere" in line)
    assert "nettverkets egen indikator" in row and "U4SSC" not in row
    assert "folkemengde" in page and "07459" in page
    assert data.network_name == "Vestfold og Telemark-nettverket"
