"""Every number's source on its page (issue 11): the «Kilder» section of member and indicator pages."""

import pandas as pd
import pytest

from analysis.pages import language, sources
from analysis.pages.report_data import ReportData


def _data(n_kpis: int = 3) -> ReportData:
    kpis = [f"K{i}" for i in range(n_kpis)]
    catalog = pd.DataFrame(
        {
            "kpi_id": kpis,
            "name_nb": [f"Indikator {i}" for i in range(n_kpis)],
            "name_en": [f"Indicator {i}" for i in range(n_kpis)],
            **{c: "" for c in ("unit", "unit_nb", "dimension", "dimension_nb", "subdimension", "subdimension_nb")},
            **{c: "" for c in ("category", "category_nb")},
        }
    )
    units = pd.DataFrame(
        {
            "unit_code": ["3301", "3303", "0"],
            "name": ["Drammen", "Kongsberg <b>", "Norge"],
            "type": ["kommune", "kommune", "land"],
            "is_member": [True, True, False],
        }
    )
    rows = []
    for k in kpis:
        for year in (2019, 2020, 2021, 2025):  # 2025 is after the report year: not shown, not a source
            rows.append(("3301", year, k, 1.0, "", "SSB, tabell 07459", "2024-06"))
    rows += [
        ("3303", 2020, "K0", 2.0, "", "Kongsberg kommune *egen* [registrering](javascript:x)", "2024-01"),
        ("3303", 2021, "K1", float("nan"), "..", "Kongsberg kommune, nettet", "2024-01"),  # no value: no source
        ("0", 2021, "K0", 3.0, "", "SSB, landet", "2024-06"),  # not a member
    ]
    obs = pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status", "source", "vintage"])
    return ReportData(catalog, units, obs, pd.DataFrame(), {}, {"report_year": 2024})


@pytest.fixture(autouse=True)
def _bokmal():
    language.use("nb")
    yield
    language.use("nb")


def test_a_member_page_names_each_source_with_its_indicators_and_years():
    table = sources.page_sources(_data(), unit_code="3301")
    assert table.to_dict("records") == [
        {
            "source": "SSB, tabell 07459",
            "vintage": "2024-06",
            "names": ["Indikator 0", "Indikator 1", "Indikator 2"],
            "years": "2019–2021",
        }
    ]


def test_an_indicator_page_names_each_members_source_and_leaves_out_missing_values_and_non_members():
    table = sources.page_sources(_data(), kpi_id="K0").sort_values("source")
    assert table["source"].tolist() == ["Kongsberg kommune *egen* [registrering](javascript:x)", "SSB, tabell 07459"]
    assert table["names"].tolist() == [["Kongsberg <b>"], ["Drammen"]]
    assert sources.page_sources(_data(), kpi_id="K1")["source"].tolist() == ["SSB, tabell 07459"]


def test_the_section_escapes_sources_and_names_and_counts_long_lists():
    text = sources.sources_markdown(_data(), kpi_id="K0")
    assert text.startswith("## Kilder\n") and "| Kilde | Versjon | Medlemmer | År |" in text
    assert "javascript" in text and "](javascript" not in text and "*egen*" not in text and "<b>" not in text
    many = sources.sources_markdown(_data(n_kpis=sources.NAMED_MAX + 1), unit_code="3301")
    assert f"{sources.NAMED_MAX + 1} indikatorer" in many and "Indikator 0" not in many
    few = sources.sources_markdown(_data(n_kpis=sources.NAMED_MAX), unit_code="3301")
    assert "Indikator 0; Indikator 1" in few


def test_in_english_the_section_and_the_names_are_english():
    language.use("en")
    text = sources.sources_markdown(_data(), unit_code="3301")
    assert text.startswith("## Sources\n") and "Indicator 0; Indicator 1; Indicator 2" in text
    assert "| Source | Version | Indicators | Years |" in text


def test_a_page_without_values_says_so():
    data = _data()
    empty = ReportData(data.catalog, data.units, data.observations.iloc[0:0], pd.DataFrame(), {}, {"report_year": 2024})
    assert "Siden viser ingen tall." in sources.sources_markdown(empty, unit_code="3301")


def test_a_code_that_is_not_a_unit_is_an_error_not_an_empty_table():
    from analysis.core.errors import InputError

    data = _data()
    assert len(data.for_unit("observations", "3303")) == 2
    with pytest.raises(InputError, match=r"unit '5001' is not in the registry; known: 3301 Drammen, 3303 Kongsberg"):
        data.for_unit("observations", "5001")
