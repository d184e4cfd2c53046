import html
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.pages.present import (
    NBSP,
    Md,
    csv_cells,
    esc,
    figure_html,
    fmt_kpi_value,
    fmt_number,
    fmt_p,
    fmt_target,
    fmt_value,
    link,
    markdown_table,
    p_text,
)
from analysis.site.finish import unjoin_runs

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "[klikk](javascript:alert(3))",
    "![x](http://evil.example/x.png)",
    "*em* _u_ `code` $x$ @cite {.cls} ~sub~ ^sup^ {{< include x >}}",
    "O'Brien \\ back | pipe # hash",
    "Nord--Fron ... slutt",
    "&amp; &#60; entity",
]


def test_numbers_in_norwegian_format():
    assert fmt_number(210496) == f"210{NBSP}496"
    assert fmt_number(12.345) == "12,3"
    assert fmt_number(0.2567) == "0,26"
    assert fmt_number(-1.5) == "−1,50"
    assert fmt_number(float("nan")) == "–"
    assert fmt_p(0.0004) == f"<{NBSP}0,001"
    assert fmt_p(0.0321) == "0,032"


def test_suppressed_value_shows_the_symbol_with_its_meaning():
    assert fmt_value(float("nan"), ":") == ": (skjermet)"
    assert fmt_value(float("nan"), "..") == ".. (mangler)"


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_keeps_no_syntax_and_reads_back_as_itself(text):
    shown = esc(text)
    bare = re.sub(r"&#\d+;", "", shown)  # what is left besides the character references
    assert not set(bare) & set("<>[]*_`\\|$@~^{}\"'#")  # nothing left that Markdown or HTML would read
    assert "--" not in bare and ".." not in bare and "&" not in bare  # no smart dashes or ellipsis either
    decoded = html.unescape(shown)  # what a renderer's smart punctuation sees: no "..." or "--" left
    assert "..." not in decoded and "--" not in decoded
    assert unjoin_runs(decoded) == text  # and after the site's last pass a browser shows exactly the string


def test_line_breaks_controls_and_bidi_overrides_do_not_survive():
    assert html.unescape(esc("Ålesund\r\n  kommune\u202e\x00")) == "Ålesund kommune"
    assert esc(None) == "" and esc(float("nan")) == ""


def test_the_projects_own_markdown_passes_and_links_escape_their_text():
    assert esc(Md("**fet**")) == "**fet**"
    assert str(link("A [b]", "x.html")) == "[A &#91;b&#93;](x.html)"


def test_markdown_table_escapes_data_cells_and_aligns():
    md = markdown_table(
        pd.DataFrame({"Navn": ["Ålesund | Haram"], "Lenke": [link("Ålesund", "a.html")], "Verdi": ["1"]}),
        align={"Verdi": "right"},
    )
    assert md.splitlines() == [
        "| Navn | Lenke | Verdi |",
        "|:---|:---|---:|",
        "| Ålesund &#124; Haram | [Ålesund](a.html) | 1 |",
    ]


def test_figure_is_svg_with_escaped_caption_and_alt_text():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    out = figure_html(fig, "Bildetekst «Ålesund» <b>", 'Alt "tekst"')
    assert 'alt="Alt &#34;tekst&#34;"' in out
    assert "<figcaption>Bildetekst «Ålesund» &#60;b&#62;</figcaption>" in out
    assert out.count("data:image/svg+xml;base64,") == 1


def test_csv_cells_are_never_live_formulas():
    table = pd.DataFrame(
        {"navn": ["=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "-2+3", "-", "Ålesund"], "v": [1, -2, 3, 4, 5, 6]}
    )
    out = csv_cells(table)
    assert out["navn"].tolist() == ["'=cmd|' /C calc'!A0", "'+1", "'@SUM(A1)", "'-2+3", "-", "Ålesund"]
    assert out["v"].tolist() == [1, -2, 3, 4, 5, 6]  # numbers stay numbers


def test_yes_no_values_local_targets_and_p_in_text():
    assert fmt_kpi_value(1.0, "", "binary") == "ja" and fmt_kpi_value(0.0, "", "binary") == "nei"
    assert fmt_kpi_value(1.0, "", "higher_is_better") == "1,00"
    assert fmt_target(2.0, 2030, "local") == "2,00 (2030, lokalt mål)"
    assert fmt_target(1.0, 2030, "network", "binary") == "ja (2030)"
    assert p_text(0.0004) == f"p{NBSP}<{NBSP}0,001" and p_text(0.0321) == f"p{NBSP}={NBSP}0,032"


def test_better_text_reads_numpy_and_pandas_booleans():
    import numpy as np

    from analysis.pages.content import better_text

    assert better_text(np.bool_(True)) == "bedre enn resten"
    assert better_text(pd.array([False], dtype="boolean")[0]) == "svakere enn resten"
    assert better_text(pd.NA) == "ingen retning fastsatt"


@pytest.mark.parametrize(
    "achieved, band, shown",
    [
        (94.6, "66to95", "66–\u206095\u00a0% (94\u00a0%)"),
        (94.99, "66to95", "66–\u206095\u00a0% (94\u00a0%)"),
        (95.0, "ge95", "minst 95\u00a0% (95\u00a0%)"),
        (65.99, "33to66", "33–\u206066\u00a0% (65\u00a0%)"),
        (66.0, "66to95", "66–\u206095\u00a0% (66\u00a0%)"),
        (32.99, "lt33", "under 33\u00a0% (32\u00a0%)"),
        (33.0, "33to66", "33–\u206066\u00a0% (33\u00a0%)"),
        (99.6, "ge95", "minst 95\u00a0% (99\u00a0%)"),
        (100.0, "ge95", "minst 95\u00a0% (100\u00a0%)"),
        (0.4, "lt33", "under 33\u00a0% (0\u00a0%)"),
    ],
)
def test_status_text_never_shows_a_share_outside_its_band(achieved, band, shown):
    from analysis.pages.content import status_text

    assert status_text(band, achieved) == shown


@given(st.floats(0.0, 100.0, allow_nan=False))
def test_the_shown_share_is_in_the_band_of_the_share(achieved):
    """Whatever the share, the whole percent on the page lies in the same band as the share, and
    100 % is shown only for 100 % (up to the float noise of 9 decimals that the bands ignore too)."""
    from analysis.pages.content import status_text
    from analysis.stats.status import BAND_EDGES, band_of

    band = band_of(achieved)
    text = status_text(band, achieved)
    shown = int(text.rsplit("(", 1)[1].split("\u00a0")[0])
    edges = [100.0, *BAND_EDGES, 0.0]  # 100, 95, 66, 33, 0: each band from its lower edge up
    lower = {"ge95": 95, "66to95": 66, "33to66": 33, "lt33": 0}[band]
    upper = edges[edges.index(lower) - 1]
    assert lower <= shown <= upper and (shown < upper or upper == 100)
    assert (shown == 100) == (round(achieved, 9) == 100.0)
