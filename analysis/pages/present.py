"""Norwegian text, numbers, tables and figures for the pages.

Everything a reader sees is formatted here, so that the notebooks stay thin and the wording is
the same on every page. Tables are Markdown (both Quarto and the fallback turn them into real
HTML tables, and neither then pulls scripts from a CDN); figures are PNG embedded in HTML
``<figure>`` with a caption and alternative text.
"""

from __future__ import annotations

import base64
import html
import io
import math

import pandas as pd

from analysis.pages.text_nb import LABELS_NB

NBSP = "\u00a0"

DIRECTION_NB = {
    "higher_is_better": "høyere er bedre",
    "lower_is_better": "lavere er bedre",
    "binary": "ja/nei",
    "target_band": "nærmest målintervallet er best",
    "unknown": "retning ikke fastsatt",
}
BAND_ORDER = ["ge95", "66to95", "33to66", "lt33"]
BAND_COLOURS = {"ge95": "#1a7f37", "66to95": "#8fbf3f", "33to66": "#e0a100", "lt33": "#c0392b", "": "#b0b0b0"}
# The words for result codes are those of the methods page (analysis.pages.text_nb), so both agree.
BAND_NB = {**{b: LABELS_NB[b] for b in BAND_ORDER}, "": "–"}
VERDICT_NB = {k: LABELS_NB[k] for k in ("improving", "no_clear_trend", "worsening", "not_assessed", "no_direction")}
PROGRESS_NB = {k: v for k, v in LABELS_NB.items() if k not in BAND_NB and k not in VERDICT_NB} | {"": "–"}
CONVERGENCE_NB = {k: LABELS_NB[k] for k in ("converging", "diverging", "stable")} | {"not_assessed": "ikke vurdert"}
STATUS_SYMBOL_NB = {"..": "manglende tall", ":": "skjult (konfidensielt)", ".": "ikke mulig å oppgi"}
TYPE_NB = {"kommune": "Kommune", "fylke": "Fylkeskommune", "land": "Hele landet"}


def fmt_number(value: float | int | None, decimals: int | None = None) -> str:
    """Norwegian number format: '210 496', '12,3', '–' for missing. Decimals follow the size."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    value = float(value)
    if decimals is None:
        size = abs(value)
        decimals = 0 if size >= 1000 else 1 if size >= 10 else 2 if size >= 0.1 or size == 0 else 3
    text = f"{value:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return text.replace("-", "−") if value < 0 else text


def fmt_value(value: float, status: str = "") -> str:
    """A value, or the SSB symbol with its meaning when the value is missing or suppressed."""
    if status and status in STATUS_SYMBOL_NB and (value is None or pd.isna(value)):
        return f"{status} ({STATUS_SYMBOL_NB[status]})"
    return fmt_number(value)


def fmt_year(value) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))


def fmt_percent(value: float, decimals: int = 0) -> str:
    return "–" if value is None or pd.isna(value) else f"{fmt_number(value, decimals)}{NBSP}%"


def fmt_achieved(value: float) -> str:
    """Share of the target achieved, **rounded down** to a whole percent: '94 %' for 94.99 %.

    The bands' edges (95, 66, 33 %) are whole percents, so a share rounded down never lands in a
    higher band than its own (rounded to nearest, 94.6 % would read "66–95 % (95 %)"), and 100 % is
    shown only when the target is reached. Float noise below 9 decimals is dropped first, as in
    ``analysis.stats.status.band_of``, so 100 · 0.95 / 1 shows as 95 %.
    """
    if value is None or pd.isna(value):
        return "–"
    return fmt_percent(math.floor(round(float(value), 9)))


def fmt_p(value: float) -> str:
    """p- and q-values as a reader expects them: '< 0,001' rather than '0,000'."""
    if value is None or pd.isna(value):
        return "–"
    return f"<{NBSP}0,001" if value < 0.001 else fmt_number(value, 3)


def md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(df: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table from already formatted (string) columns; numbers right-aligned via ``align``."""
    align = align or {}
    header = "| " + " | ".join(md_escape(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---:" if align.get(c) == "right" else ":---" for c in df.columns) + "|"
    rows = ["| " + " | ".join(md_escape(v) for v in row) + " |" for row in df.astype(str).itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def callout(kind: str, title: str, body: str) -> str:
    return f"::: {{.callout-{kind}}}\n## {title}\n\n{body}\n:::\n"


def demo_notice() -> str:
    return callout(
        "warning",
        "Demonstrasjonsdata",
        "Tallene på denne siden er **demonstrasjonsdata**, laget av en tilfeldighetsgenerator med fast frø. "
        "De viser hvordan rapporten ser ut, men sier ingenting om kommunenes faktiske bærekraft.",
    )


def figure_html(fig, caption: str, alt: str, dpi: int = 110) -> str:
    """Embed a Matplotlib figure as a PNG with caption and alternative text, then close it."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure class="figure">\n<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        f'class="img-fluid">\n<figcaption>{html.escape(caption)}</figcaption>\n</figure>\n'
    )


def show(markdown: str) -> None:
    """Display Markdown in a notebook (never HTML output: Quarto would then load scripts from a CDN)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown))


def show_figure(fig, caption: str, alt: str) -> None:
    if fig is not None:
        show(figure_html(fig, caption, alt))
