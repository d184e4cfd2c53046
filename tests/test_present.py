import matplotlib.pyplot as plt
import pandas as pd

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
