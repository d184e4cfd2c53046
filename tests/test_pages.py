"""Page content built from small hand-made tables."""

import pandas as pd

from analysis.pages import unit_profile
from analysis.report_data import ReportData


def _data(population: int) -> ReportData:
    units = pd.DataFrame([{
        "unit_code": "1867", "name": "Bø", "type": "kommune", "county_code": "18", "county_name": "Nordland",
        "peer_group": "", "population": population, "population_year": 2024, "population_note": "",
        "population_source": "SSB 07459, 2024-grenser", "valid_from": pd.NA, "valid_to": pd.NA, "is_member": True}])
    observations = pd.DataFrame({"unit_code": ["1867"] * 2, "kpi_id": ["K1", "K1"], "year": [2023, 2024],
                                 "value": [1.0, 2.0], "note": ["", ""]})
    results = {"status": pd.DataFrame({"unit_code": ["1867"], "kpi_id": ["K1"], "target_scope": ["network"]}),
               "trends": pd.DataFrame({"unit_code": ["1867"], "kpi_id": ["K1"], "verdict": ["improving"]})}
    catalog = pd.DataFrame({"kpi_id": ["K1", "K2"]})
    return ReportData(catalog, units, observations, pd.DataFrame(), results, {"report_year": 2024})


def test_profile_flags_rates_of_a_small_municipality_as_uncertain():
    profile = unit_profile(_data(4_999), "1867")  # methods.md §5: a population under 5 000 is flagged
    assert "| Små tall | Under 5\u00a0000 innbyggere" in profile
    assert "| Folketall 1.1.2024 | 4\u00a0999 (SSB 07459" in profile
    assert "| Indikatorer med tall | 1 av 2 |" in profile


def test_profile_of_a_municipality_of_5000_has_no_small_number_flag():
    assert "Små tall" not in unit_profile(_data(5_000), "1867")
