"""A value a border change cannot carry over is said on the member's page, not only in the terminal.

Notodden (4005 in 2024) was made in 2020 from old Notodden (0807) and part of Sauherad (0822); Midt-Telemark
(4020) from Bø (0821) and the rest of Sauherad. Shares and rates of the old units cannot be carried over, so
their 2019 values are left out; each member whose area held them gets a row saying which and why.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.pages import content
from analysis.pages.language import border_left_out_phrase
from analysis.pages.report_data import ReportData
from analysis.process.pipeline import in_report_borders, left_out_rows
from analysis.reference.catalog import load_catalog
from analysis.reference.members import load_units
from analysis.stats.results import compute_all

NETWORK = """\
network: {name: Telemark-nettet}
members:
  - {code: "4005", name: Notodden, type: kommune, county: "40"}
  - {code: "4020", name: Midt-Telemark, type: kommune, county: "40"}
counties: {"40": Telemark}
"""


@pytest.fixture(scope="module")
def telemark(tmp_path_factory):
    path = tmp_path_factory.mktemp("telemark") / "network.yaml"
    path.write_text(NETWORK, encoding="utf-8")
    units, catalog = load_units(path), load_catalog()
    kpi = catalog.loc[catalog["key"], "kpi_id"].iloc[0]
    rows = [("0807", 2019, 5.0), ("0822", 2019, 6.0), ("0821", 2019, 7.0)]  # old codes, valid in 2019
    rows += [("4005", y, 10.0 + y - 2024) for y in (2024,)] + [("4020", y, 20.0 + y - 2024) for y in (2024,)]
    obs = pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id"][:2] + ["value"]).assign(
        kpi_id=kpi, status="", source="Testkilde", vintage="v1"
    )
    kept, lost = in_report_borders(obs, 2024)
    extra = left_out_rows(kept, lost, units, 2024)
    return units, catalog, kpi, kept, lost, extra


def test_each_member_gets_one_row_naming_every_old_unit(telemark):
    _, _, kpi, kept, lost, extra = telemark
    assert sorted(lost["unit_code"]) == ["0807", "0821", "0822"]
    assert set(kept["unit_code"]) == {"4005", "4020"} and (kept["year"] == 2024).all()
    got = extra.set_index("unit_code")
    assert sorted(got.index) == ["4005", "4020"] and (extra["year"] == 2019).all() and (extra["kpi_id"] == kpi).all()
    assert np.isnan(got["value"]).all() and (got["status"] == "..").all()
    assert got.at["4005", "note"] == "utelatt: merged 0807 2019; split 0822 2019"
    assert got.at["4020", "note"] == "utelatt: merged 0821 2019; split 0822 2019"


def test_the_reason_in_words():
    words = border_left_out_phrase("utelatt: merged 0807 2019; split 0822 2019")
    assert words.startswith(
        "verdien for 0807 Notodden (2019) kan ikke føres over til dagens grenser: kommunen ble slått"
    )
    assert "; verdien for 0822 Sauherad (2019)" in words and "ble delt" in words
    assert (
        border_left_out_phrase("utelatt: folkemengden mangler") == "folkemengden mangler"
    )  # other reasons as they are


def test_the_members_page_says_what_was_left_out(telemark):
    units, catalog, kpi, kept, _, extra = telemark
    obs = pd.concat([kept, extra], ignore_index=True).assign(note=lambda d: d["note"].fillna(""))
    results = compute_all(obs, catalog, units, None, report_year=2024)
    data = ReportData(catalog, units, obs, pd.DataFrame(), results, {"report_year": 2024})
    page = content.kpi_tables_markdown(data, "4005")
    assert "Verdier som ikke er med (grenseendringer)" in page
    line = next(x for x in page.splitlines() if "0807 Notodden" in x)
    assert line.startswith(f"- {catalog.set_index('kpi_id').at[kpi, 'name_nb']}: 2019: verdien for 0807 Notodden")
    assert "0822 Sauherad" in line
    assert "grenseendringer" not in content.kpi_tables_markdown(
        ReportData(catalog, units, kept.assign(note=""), pd.DataFrame(), results, {"report_year": 2024}), "4005"
    )
