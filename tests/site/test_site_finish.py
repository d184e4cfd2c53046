"""The last pass over rendered pages, on the markup Quarto and the fallback write (known answers)."""

import json
import re

from analysis.site.finish import finish_page, finish_search_index

SIDEBAR_GROUP = (
    '<div class="sidebar-item-container"><a class="sidebar-item-text sidebar-link text-start" '
    'data-bs-toggle="collapse" data-bs-target="#quarto-sidebar-section-2" role="navigation" aria-expanded="false">'
    '<span class="menu-text">Møre og Romsdal</span></a><a class="sidebar-item-toggle text-start collapsed" '
    'data-bs-toggle="collapse" data-bs-target="#quarto-sidebar-section-2" role="navigation" aria-expanded="false" '
    'aria-label="Toggle section"><i class="bi bi-chevron-right ms-2"></i></a></div>'
    '<a href="alesund.html" class="sidebar-item-text sidebar-link"><span class="menu-text">Ålesund</span></a>'
)


def test_sidebar_groups_become_buttons_and_page_links_stay_links():
    out = finish_page(SIDEBAR_GROUP)
    assert 'role="navigation"' not in out and "<a class" not in out
    assert out.count('<button type="button"') == 2
    assert 'aria-controls="quarto-sidebar-section-2"' in out
    assert 'aria-label="Vis eller skjul delen"' in out
    assert 'tabindex="-1" aria-hidden="true"' in out.split("</button>")[1]  # the chevron, not the name
    assert '<a href="alesund.html" class="sidebar-item-text sidebar-link">' in out


def test_breadcrumbs_are_text_and_the_last_is_the_current_page():
    crumbs = (
        '<ol class="breadcrumb"><li class="breadcrumb-item"><a href="kristiansund.html">Kommuner etter fylke</a></li>'
        '<li class="breadcrumb-item"><a href="kristiansund.html">Møre og Romsdal</a></li>'
        '<li class="breadcrumb-item"><a href="alesund.html">Ålesund kommune</a></li></ol>'
    )
    out = finish_page(crumbs)
    assert "<a " not in out and "kristiansund.html" not in out
    assert out.endswith('<li class="breadcrumb-item active" aria-current="page">Ålesund kommune</li></ol>')


def test_wide_tables_carry_their_column_names_into_each_cell():
    table = (
        '<table class="caption-top table"><thead><tr><th style="text-align:left">Indikator</th><th>År</th>'
        "<th>Status &#40;andel&#41;</th><th>Utvikling</th></tr></thead><tbody><tr>"
        '<td style="text-align:left"><a href="x.html">Trygt drikkevann</a></td><td>2024</td><td>minst 95 %</td>'
        "<td>bedring</td></tr></tbody></table>"
    )
    out = finish_page(table)
    assert out.startswith(
        '<div class="table-scroll" role="region" tabindex="0" '
        'aria-label="Tabell: Indikator, År, Status &#40;andel&#41;">'
        '<table class="cards caption-top table">'
    )
    assert '<td data-label="Indikator" style="text-align:left">' in out
    assert '<td data-label="Status &#40;andel&#41;">minst 95 %</td>' in out
    narrow = (
        "<table><thead><tr><th></th><th>Trondheim</th></tr></thead>"
        "<tbody><tr><td>Kode</td><td>5001</td></tr></tbody></table>"
    )
    assert finish_page(narrow) == narrow  # a two-column fact table reads well as it is


def test_search_index_finds_co2_written_with_a_subscript(tmp_path):
    index = tmp_path / "search.json"
    index.write_text(json.dumps([{"href": "a.html", "text": "tonn CO₂-ekvivalenter per innb."}, {"text": "CO2"}]))
    finish_search_index(index)
    entries = json.loads(index.read_text())
    assert entries[0]["text"] == "tonn CO₂-ekvivalenter per innb. CO2"
    assert entries[1]["text"] == "CO2"


def test_runs_of_dots_and_dashes_from_data_survive_the_fallbacks_smart_punctuation():
    """smalldocs decodes character references before its smart punctuation; esc's word joiner keeps
    "..." and "--" apart until the last pass takes it out again, in text and in attributes."""
    from html import unescape

    import pandas as pd
    from smalldocs.markdown import render

    from analysis.pages.present import esc, markdown_table
    from analysis.site.finish import finish_page

    name = "Nord--Fron ... a..b -x- ---"
    page = render(markdown_table(pd.DataFrame({"Navn": [name]})) + f"\n\n{esc(name)}\n", {})
    page += f'<img alt="{esc(name)}" src="x.svg">'
    done = finish_page(page)
    assert "…" not in done and "–" not in done and "—" not in done and "\u2060" not in done
    texts = re.findall(r"<td[^>]*>(.*?)</td>|<p>(.*?)</p>|alt=\"(.*?)\"", done)
    assert [unescape(next(t for t in group if t)) for group in texts] == [name, name, name]
