"""Page content built from small hand-made tables."""

import pandas as pd

from analysis.pages.content import network_status_markdown, unit_intro, unit_profile
from analysis.pages.report_data import ReportData


def _data(population: int) -> ReportData:
    units = pd.DataFrame(
        [
            {
                "unit_code": "1867",
                "name": "Bø",
                "slug": "bo",
                "type": "kommune",
                "county_code": "18",
                "county_name": "Nordland",
                "peer_group": "",
                "population": population,
                "population_year": 2024,
                "population_note": "",
                "population_source": "SSB 07459, 2024-grenser",
                "valid_from": pd.NA,
                "valid_to": pd.NA,
                "is_member": True,
            }
        ]
    )
    observations = pd.DataFrame(
        {
            "unit_code": ["1867"] * 5,
            "kpi_id": ["K1"] * 5,
            "year": range(2020, 2025),
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
            "note": [""] * 5,
        }
    )
    results = {
        "status": pd.DataFrame({"unit_code": ["1867"], "kpi_id": ["K1"], "target_scope": ["network"]}),
        "trends": pd.DataFrame({"unit_code": ["1867"], "kpi_id": ["K1"], "verdict": ["improving"], "n_points": [5]}),
    }
    catalog = pd.DataFrame({"kpi_id": ["K1", "K2"]})
    return ReportData(catalog, units, observations, pd.DataFrame(), results, {"report_year": 2024})


def test_profile_flags_rates_of_a_small_municipality_as_uncertain():
    profile = unit_profile(_data(4_999), "1867")  # methods.md §5: a population under 5 000 is flagged
    assert "| Små tall | Under 5\u00a0000 innbyggere" in profile
    assert "| Folketall 1.1.2024 | 4\u00a0999 (SSB 07459" in profile
    assert "| Indikatorer med tall | 1 av 2 |" in profile
    assert "| År med tall | 2020–2024 |" in profile and "| Bedring / forverring | 1 / 0 |" in profile


def test_profile_of_a_municipality_of_5000_has_no_small_number_flag():
    assert "Små tall" not in unit_profile(_data(5_000), "1867")


def test_network_table_shows_a_dash_where_no_trend_could_be_significant():
    """Mann-Kendall with 4 years has a smallest p of 0.089, so a unit with only 4 years (Viken 2020-23)
    gets '–' for improving/worsening instead of a zero that reads as 'nothing changed'."""
    units = pd.DataFrame(
        {
            "unit_code": ["30", "50"],
            "name": ["Viken", "Trøndelag"],
            "type": ["fylke", "fylke"],
            "slug": ["viken", "trondelag"],
            "population": [1_292_241, 478_470],
            "is_member": [True, True],
        }
    )
    status = pd.DataFrame({"unit_code": ["30", "50"], "kpi_id": ["K1", "K1"], "band": ["ge95", "lt33"]})
    trends = pd.DataFrame(
        {
            "unit_code": ["30", "30", "50", "50"],
            "kpi_id": ["K1", "K2", "K1", "K2"],
            "verdict": ["no_clear_trend", "no_clear_trend", "improving", "no_clear_trend"],
            "n_points": [4, 4, 10, 10],
        }
    )
    data = ReportData(
        pd.DataFrame({"kpi_id": ["K1", "K2"]}),
        units,
        pd.DataFrame(),
        pd.DataFrame(),
        {"status": status, "trends": trends},
        {"report_year": 2024},
    )
    rows = {
        line.split(" | ")[0]: line.split(" | ")[-2:]
        for line in network_status_markdown(data).splitlines()
        if line.startswith("| [")
    }
    assert rows["| [Viken](fylker/viken.html)"] == ["–", "– |"]
    assert rows["| [Trøndelag](fylker/trondelag.html)"] == ["1", "0 |"]


def test_intro_names_the_last_year_with_data_when_it_is_before_the_report_year():
    data = _data(20_000)
    assert "med tall til og med 2024." in unit_intro(data, "1867")
    data.observations = data.observations.loc[data.observations["year"] <= 2022]  # as Viken, whose data stop
    assert "med tall til og med 2022." in unit_intro(data, "1867")


def test_methods_page_states_every_departure_from_the_published_formulas():
    """Each place where the code departs from the literal published formula (see the docstrings of
    analysis.stats.progress, .status and analysis.pages.present) is named on the public methods page."""
    from analysis.pages.language import methods_markdown
    from analysis.pages.text_nb import LABELS

    body = " ".join(methods_markdown().split())  # the texts wrap lines anywhere
    # target met in the base year and missed now: deterioration (Statistics Canada), not Eurostat's "on track"
    assert "nådd i basisåret" in body and "**forverring**" in body and "**i rute**" in body
    assert "Statistics Canadas regel" in body and "base_met_target" in body
    # zeros: 0.001 as published, and our extensions (current value 0, −0.001 in negative series)
    assert "0,001" in body and "−0,001" in body and "sluttverdi på 0" in body
    # negative series: one sign, else no class; all negative: the direction is turned round
    assert "mixed_signs" in body and "bare negative verdier" in body and "snur" in body
    # the natural-limit factor: the formula and our reading of the limits
    assert "opphøyd i 4,44" in body and "100 for indikatorer i prosent der høyere er bedre" in body
    # yes/no KPIs: what target 1 and target 0 mean, in status and progress alike
    assert "mål 1 betyr at «ja» er målet, mål 0 at «nei» er målet" in body and "100 %" in body
    # the share on the pages is rounded down so it never contradicts its band
    assert "rundet ned" in body and "66–95 % (94 %)" in body
    # Statistics Canada is called by its name, never translated
    assert "Statistisk sentralbyrå i Canada" not in body + " ".join(LABELS.values())
    assert "Statistics Canada" in LABELS["statcan_target"]
    # and the departures are listed together, in a section of their own
    assert "## Der vi avviker fra de publiserte formlene" in methods_markdown(["deviations"])
