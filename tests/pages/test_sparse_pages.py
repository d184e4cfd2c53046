"""A member that reports a few KPIs gets a page about those KPIs, not 112 rows and 9 panels of nothing.

Built from its own small network and data (not the bundled network): three municipalities, three KPIs.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.pages import content
from analysis.pages.report_data import ReportData
from analysis.reference.catalog import load_catalog
from analysis.reference.members import load_units
from analysis.stats.results import compute_all

NETWORK = """\
network: {name: Testnettet}
members:
  - {code: "5001", name: Trondheim, type: kommune, county: "50"}
  - {code: "1506", name: Molde, type: kommune, county: "15"}
  - {code: "1508", name: Ålesund, type: kommune, county: "15"}
counties: {"15": Møre og Romsdal, "50": Trøndelag}
"""


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    path = tmp_path_factory.mktemp("sparse") / "network.yaml"
    path.write_text(NETWORK, encoding="utf-8")
    units = load_units(path)
    catalog = load_catalog()
    key = catalog.loc[catalog["key"], "kpi_id"].iloc[0]
    dim = catalog.loc[catalog["kpi_id"] == key, "dimension_nb"].item()
    same_dim = catalog.loc[(catalog["dimension_nb"] == dim) & ~catalog["key"], "kpi_id"].iloc[0]
    reported = [key, same_dim]
    rng = np.random.default_rng(4)
    rows = [
        {
            "unit_code": u,
            "year": y,
            "kpi_id": k,
            "value": 50 + (y - 2015) + rng.normal(),
            "status": "",
            "source": "Testkilde",
            "vintage": "2025-01-01",
            "note": "",
        }
        for u in ("5001", "1506", "1508")
        for k in reported
        for y in range(2015, 2025)
    ]
    obs = pd.DataFrame(rows)
    results = compute_all(obs, catalog, units, None, report_year=2024)
    data = ReportData(catalog, units, obs, pd.DataFrame(), results, {"report_year": 2024})
    return data, catalog, reported, dim


def test_only_reported_kpis_are_rows_and_the_rest_are_named_once(sparse):
    data, catalog, reported, dim = sparse
    text = content.kpi_tables_markdown(data, "1506")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "Indikator" not in line]
    assert len(rows) == len(reported)  # two rows, not 112
    names = catalog.set_index("kpi_id")["name_nb"]
    in_dim = catalog.loc[catalog["dimension_nb"] == dim, "kpi_id"]
    assert f"Ikke rapportert ({len(in_dim) - 2} av {len(in_dim)} indikatorer)" in text
    other_dims = [d for d in catalog["dimension_nb"].unique() if d != dim]
    for d in other_dims:
        n = int((catalog["dimension_nb"] == d).sum())
        assert f"Ingen tall rapportert for de {n} indikatorene i denne dimensjonen." in text
    assert names[reported[0]].split(" ")[0] in rows[0] + rows[1]


def test_the_key_figure_draws_only_series_with_values(sparse):
    data, _, reported, _ = sparse
    assert content.key_kpis(data, "1506") == reported  # the key KPI first, then the one with a trend
    fig, caption, alt = content.key_figure(data, "1506")
    drawn = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(drawn) == 2
    plt.close(fig)


def test_a_member_with_nothing_reported_gets_no_figure(sparse):
    data, *_ = sparse
    empty = ReportData(
        data.catalog,
        data.units,
        data.observations.loc[data.observations["unit_code"] != "5001"],
        data.targets,
        data.results,
        data.metadata,
    )
    assert content.key_figure(empty, "5001") == (None, "", "")


def test_a_template_opened_without_parameters_shows_the_first_member_of_the_network(sparse):
    data, *_ = sparse
    assert data.first_member() == "5001"  # the first one listed in this test's network.yaml
