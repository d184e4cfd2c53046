import matplotlib.pyplot as plt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.pages.present import NBSP, figure_html, fmt_number, fmt_p, fmt_value, markdown_table


def test_numbers_in_norwegian_format():
    assert fmt_number(210496) == f"210{NBSP}496"
    assert fmt_number(12.345) == "12,3"
    assert fmt_number(0.2567) == "0,26"
    assert fmt_number(-1.5) == "−1,50"
    assert fmt_number(float("nan")) == "–"
    assert fmt_p(0.0004) == f"<{NBSP}0,001"
    assert fmt_p(0.0321) == "0,032"


def test_suppressed_value_shows_the_symbol_with_its_meaning():
    assert fmt_value(float("nan"), ":") == ": (skjult (konfidensielt))"
    assert fmt_value(float("nan"), "..") == ".. (manglende tall)"


def test_markdown_table_escapes_pipes_and_aligns():
    md = markdown_table(pd.DataFrame({"Navn": ["Ålesund | Haram"], "Verdi": ["1"]}), align={"Verdi": "right"})
    assert md.splitlines() == ["| Navn | Verdi |", "|:---|---:|", "| Ålesund \\| Haram | 1 |"]


def test_figure_has_caption_and_alt_text():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    html = figure_html(fig, "Bildetekst «Ålesund»", 'Alt "tekst"')
    assert 'alt="Alt &quot;tekst&quot;"' in html
    assert "<figcaption>Bildetekst «Ålesund»</figcaption>" in html
    assert html.count("data:image/png;base64,") == 1


def test_better_text_reads_numpy_and_pandas_booleans():
    import numpy as np

    from analysis.pages.content import better_text

    assert better_text(np.bool_(True)) == "bedre enn resten"
    assert better_text(pd.array([False], dtype="boolean")[0]) == "svakere enn resten"
    assert better_text(pd.NA) == "ingen retning fastsatt"


@pytest.mark.parametrize(
    "achieved, band, shown",
    [
        (94.6, "66to95", "66–95 % (94\u00a0%)"),
        (94.99, "66to95", "66–95 % (94\u00a0%)"),
        (95.0, "ge95", "minst 95 % (95\u00a0%)"),
        (65.99, "33to66", "33–66 % (65\u00a0%)"),
        (66.0, "66to95", "66–95 % (66\u00a0%)"),
        (32.99, "lt33", "under 33 % (32\u00a0%)"),
        (33.0, "33to66", "33–66 % (33\u00a0%)"),
        (99.6, "ge95", "minst 95 % (99\u00a0%)"),
        (100.0, "ge95", "minst 95 % (100\u00a0%)"),
        (0.4, "lt33", "under 33 % (0\u00a0%)"),
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
