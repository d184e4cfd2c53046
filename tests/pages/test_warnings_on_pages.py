"""A value outside a soft plausible range is kept, and its member's page and CSV download say so.

Two members report life expectancy (SC:EH:H:1C). Molde's last value, 72 years, lies inside the hard
40-110 of data/reference/plausibility.csv but outside its soft 75-90: it is accepted with the warning
``life_expectancy``, which the page shows as «Merknad: …» next to the value and the CSV carries in a column.
"""

import numpy as np
import pandas as pd
import pytest
from network_helpers import bundled_units

from analysis.pages import content, text_nb
from analysis.pages.present import csv_cells
from analysis.pages.report_data import ReportData
from analysis.process.pipeline import check_observations, with_warnings
from analysis.reference.catalog import load_catalog
from analysis.reference.members import load_units
from analysis.stats.results import compute_all

NETWORK = """\
network: {name: Testnettet}
members:
  - {code: "5001", name: Trondheim, type: kommune, county: "50"}
  - {code: "1506", name: Molde, type: kommune, county: "15"}
counties: {"15": Møre og Romsdal, "50": Trøndelag}
"""
KPI = "SC:EH:H:1C"
#: Molde's series: 70 in 2016 (warned, but not the value shown), 72 in 2024 (warned, shown); Trondheim's all usual
SERIES = {
    "1506": [80.0, 70.0, 80.5, 81.0, 81.2, 81.0, 81.4, 81.6, 81.5, 72.0],
    "5001": [82.0, 82.1, 82.3, 82.2, 82.6, 82.8, 82.7, 83.0, 83.1, 83.2],
}


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    path = tmp_path_factory.mktemp("warn") / "network.yaml"
    path.write_text(NETWORK, encoding="utf-8")
    units, catalog = load_units(path), load_catalog()
    obs = pd.DataFrame(
        [
            {
                "unit_code": unit,
                "year": 2015 + i,
                "kpi_id": KPI,
                "value": v,
                "status": "",
                "source": "Testkilde",
                "vintage": "2025-01-01",
                "note": "",
            }
            for unit, values in SERIES.items()
            for i, v in enumerate(values)
        ]
    )
    check_observations(obs, catalog, units, "test")  # accepted: inside the hard range
    obs = with_warnings(obs, "test")
    results = compute_all(obs, catalog, units, None, report_year=2024)
    return ReportData(catalog, units, obs, pd.DataFrame(), results, {"report_year": 2024})


def _row(markdown: str, name: str) -> list[str]:
    line = next(line for line in markdown.splitlines() if line.startswith("| ") and name in line)
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_the_processed_observations_carry_the_warning(warned):
    obs = warned.observations
    flagged = obs.loc[obs["warning"] != "", ["unit_code", "year", "value"]].values.tolist()
    assert flagged == [["1506", 2016, 70.0], ["1506", 2024, 72.0]]
    assert set(obs["warning"]) == {"", "life_expectancy"}


def test_the_page_shows_the_merknad_next_to_the_value(warned):
    name = "Forventet levealder"
    molde = _row(content.kpi_tables_markdown(warned, "1506"), name)
    assert molde[1:3] == [
        "2024",
        "72,0 (Merknad: Uvanlig verdi. Forventet levealder i norske kommuner er mellom omtrent 78 og 86 år.)",
    ]
    trondheim = _row(content.kpi_tables_markdown(warned, "5001"), name)
    assert trondheim[1:3] == ["2024", "83,2"]  # no warning, no Merknad


def test_only_the_warning_of_the_value_shown_is_shown(warned):
    """Molde's 70 in 2016 is warned too, but the page shows 2024: one Merknad, for the value it shows."""
    without_last = warned.observations.loc[
        ~((warned.observations["unit_code"] == "1506") & (warned.observations["year"] == 2024))
    ]
    results = compute_all(without_last, warned.catalog, warned.units, None, report_year=2024)
    data = ReportData(warned.catalog, warned.units, without_last, pd.DataFrame(), results, {"report_year": 2024})
    molde = _row(content.kpi_tables_markdown(data, "1506"), "Forventet levealder")
    assert molde[1:3] == ["2023", "81,5"]


def test_the_csv_download_carries_the_warning(warned):
    table = csv_cells(content.kpi_table(warned, "1506")).set_index("kpi_id")
    assert table.at[KPI, "warning"] == "life_expectancy"
    assert table.at[KPI, "warning_phrase"] == (
        "Merknad: Uvanlig verdi. Forventet levealder i norske kommuner er mellom omtrent 78 og 86 år."
    )
    others = table.drop(index=KPI)
    assert (others["warning"] == "").all() and (others["warning_phrase"] == "").all()


def test_a_warning_text_is_escaped_on_the_page(warned, monkeypatch):
    monkeypatch.setitem(text_nb.WARNINGS, "life_expectancy", "<script>alert(1)</script> *[x](javascript:y)*")
    molde = _row(content.kpi_tables_markdown(warned, "1506"), "Forventet levealder")
    assert "<script>" not in molde[2] and "](javascript" not in molde[2] and "*" not in molde[2]
    assert molde[2].startswith("72,0 (Merknad: &#60;script&#62;alert(1)&#60;/script&#62;")


def test_every_warning_of_the_rules_has_its_norwegian_text():
    from analysis.build import check_warning_texts
    from analysis.reference.plausibility import load_plausibility

    named = {r.warning for r in load_plausibility() if r.warning}
    assert named == set(text_nb.WARNINGS)
    check_warning_texts()  # the build's own check passes on the bundled rules


def test_a_warning_without_a_text_stops_the_build(tmp_path):
    from analysis.build import check_warning_texts
    from analysis.core.errors import InputError
    from analysis.reference.plausibility import load_plausibility

    path = tmp_path / "rules.csv"
    path.write_text(
        "variable,field,level,scope,min,max,whole,warning,why\nSC:EH:H:1C,value,,row,75,90,,ukjent,unusual\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        check_warning_texts(load_plausibility(path), path)
    assert (err.value.row, err.value.field) == (2, "warning")
    assert "the warning 'ukjent' has no Norwegian text: add it to WARNINGS" in err.value.reason


def test_demo_values_of_counts_are_whole():
    from analysis.process.demo import generate_observations

    cat = load_catalog()
    obs = generate_observations(bundled_units(), cat)  # the bundled network: its size is what the count expects
    counted = obs.loc[obs["kpi_id"].isin(["EC:ICT:ICT:5A", "EC:ICT:PS:1A:number", "EC:ICT:PS:2A"]), "value"].dropna()
    assert len(counted) > 400 and (np.mod(counted, 1) == 0).all()
    rates = obs.loc[obs["kpi_id"] == "EC:I:T:6A", "value"].dropna()  # shared bicycles per 100 000: a rate
    assert (np.mod(rates, 1) != 0).any()


def test_the_pages_own_download_carries_the_merknad_of_the_value_shown(warned):
    """The member page's CSV (``nedlastinger/<member>.csv``) has one «Merknad» row: Molde's 2024 value."""
    from dataclasses import replace

    from analysis.site.downloads import Provenance, unit_download

    warned = replace(warned, targets=pd.DataFrame(columns=["kpi_id", "unit_code", "source"]))  # no targets
    molde = unit_download(warned, "1506", Provenance(warned), "params/targets.csv")
    merknad = molde.loc[molde["Størrelse"].str.startswith("Merknad")]
    assert merknad[["Enhetskode", "Indikatorkode", "År"]].values.tolist() == [["1506", KPI, 2024]]
    assert merknad["Tekst"].item().startswith("Merknad: Uvanlig verdi. Forventet levealder")
    assert merknad["Kilde"].item() == "Testkilde"
    trondheim = unit_download(warned, "5001", Provenance(warned), "params/targets.csv")
    assert not trondheim["Størrelse"].str.startswith("Merknad").any()
