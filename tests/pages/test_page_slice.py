"""A page drawn from its slice is the page drawn from all the data: the slice is all it reads.

That is what lets the build reuse a page whose slice did not change (analysis.build)."""

import matplotlib
import pytest

from analysis.pages import content, report_data
from analysis.pages.present import figure_html

matplotlib.use("Agg")
pytestmark = pytest.mark.slow  # draws every member page twice


@pytest.fixture(scope="module")
def data(bundled_data):
    return bundled_data


def unit_page(data, code):
    """Every output of notebooks/municipality.ipynb, in order (figures as their SVG)."""
    return [
        content.unit_intro(data, code),
        content.unit_summary(data, code),
        figure_html(*content.dimension_figure(data, code)),
        content.kpi_tables_markdown(data, code),
        figure_html(*content.key_figure(data, code)),
        content.comparison_section(data, code),
        content.page_footer(data),
    ]


def indicator_page(data, kpi_id):
    """Every output of notebooks/indicator.ipynb, in order."""
    fig = content.indicator_figure(data, kpi_id)
    return [
        content.indicator_intro(data, kpi_id),
        figure_html(*fig) if fig[0] is not None else None,
        content.map_heading("indicator"),
        figure_html(*content.indicator_map(data, kpi_id)),
        content.indicator_map_markdown(data, kpi_id),
        content.indicator_table_markdown(data, kpi_id),
        content.indicator_network_text(data, kpi_id),
        content.page_footer(data),
    ]


def test_the_templates_call_what_these_tests_compare():
    import nbformat

    from analysis.core import config

    def calls(name):
        nb = nbformat.read(config.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        return [c.source for c in nb.cells if c.cell_type == "code" and "content." in c.source]

    assert [s.split("content.")[1].split("(")[0] for s in calls("municipality")] == [
        "unit_intro", "unit_summary", "dimension_figure", "kpi_tables_markdown", "key_figure",
        "comparison_section", "page_footer",
    ]  # fmt: skip
    assert [s.split("content.")[1].split("(")[0] for s in calls("indicator")] == [
        "indicator_intro", "indicator_figure", "map_heading", "indicator_table_markdown", "indicator_network_text",
        "page_footer",
    ]  # fmt: skip


def test_every_member_page_is_the_same_from_its_slice(data):
    for code in data.members["unit_code"]:
        assert unit_page(data.page_slice(unit_code=code), code) == unit_page(data, code), code


def test_indicator_pages_are_the_same_from_their_slice(data):
    for kpi_id in data.catalog["kpi_id"].iloc[::7]:  # every seventh: each dimension, figures with and without data
        assert indicator_page(data.page_slice(kpi_id=kpi_id), kpi_id) == indicator_page(data, kpi_id), kpi_id


def test_a_slice_leaves_out_what_its_page_does_not_show(data):
    code = data.members["unit_code"].iloc[0]
    other = data.members["unit_code"].iloc[-1]
    piece = data.page_slice(unit_code=code)
    assert set(piece.results["status"]["unit_code"]) == {code}
    assert piece.results["network_trends"].empty and piece.results["spread"].empty
    assert report_data.slice_digest(piece) != report_data.slice_digest(data.page_slice(unit_code=other))
    kpi = data.catalog["kpi_id"].iloc[0]
    assert set(data.page_slice(kpi_id=kpi).observations["kpi_id"]) <= {kpi}
