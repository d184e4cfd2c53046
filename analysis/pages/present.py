"""Text, numbers, tables and figures for the pages in the page's language, and the one door data strings pass through.

Everything a reader sees is formatted here, so that the notebooks stay thin and the wording is
the same on every page. Tables are Markdown (both Quarto and the fallback turn them into real
HTML tables, and neither then pulls scripts from a CDN); figures are SVG in HTML ``<figure>``
with a caption and alternative text (the build moves them into files, see
:mod:`analysis.site.render`).

**Data is never code.** Names, labels, notes and sources come from files that members and
analysts write, so every such string reaches a page through :func:`esc`, which makes it literal
text wherever it lands: Markdown (Pandoc's and the fallback's: no links, images, emphasis, maths,
citations, raw HTML), HTML text and quoted attributes (alt text, captions). Markdown the project
writes itself is marked :class:`Md`; :func:`markdown_table` escapes every cell that is not.
:func:`csv_cells` does the same for the CSV downloads (no live formulas in a spreadsheet).
"""

from __future__ import annotations

import base64
import io
import math
import re

import pandas as pd

from analysis.pages import language

NBSP = "\u00a0"

BAND_ORDER = ["ge95", "66to95", "33to66", "lt33"]
BAND_COLOURS = {"ge95": "#1a7f37", "66to95": "#8fbf3f", "33to66": "#e0a100", "lt33": "#c0392b", "": "#b0b0b0"}
_VERDICTS = ("improving", "no_clear_trend", "worsening", "not_assessed", "no_direction")

# The words for codes are read from the page's language at call time (one warm kernel writes pages in both
# languages one after the other); those for result codes are the methods page's LABELS, so both agree.


def directions() -> dict[str, str]:
    """A KPI's direction in words («høyere er bedre»)."""
    return language.texts().DIRECTIONS


def bands() -> dict[str, str]:
    """The status bands in words; a band reads as one unit: no line break before '%' nor after the dash of
    '66–95'."""
    labels = language.texts().LABELS
    return {**{b: labels[b].replace(" %", f"{NBSP}%").replace("–", "–\u2060") for b in BAND_ORDER}, "": "–"}


def verdicts() -> dict[str, str]:
    labels = language.texts().LABELS
    return {k: labels[k] for k in _VERDICTS}


def progress_labels() -> dict[str, str]:
    """The progress classes (and the methods' names) in words: every label that is neither a band nor a verdict."""
    labels = language.texts().LABELS
    return {k: v for k, v in labels.items() if k not in BAND_ORDER and k not in _VERDICTS} | {"": "–"}


def convergences() -> dict[str, str]:
    labels = language.texts().LABELS
    return {k: labels[k] for k in ("converging", "diverging", "stable")} | {"not_assessed": labels["not_assessed"]}


def status_symbols() -> dict[str, str]:
    """SSB's symbols, named as on the methods page and in the submission template."""
    return language.texts().STATUS_SYMBOLS


def unit_types() -> dict[str, str]:
    return language.texts().UNIT_TYPES


def data_note(note) -> str:
    """A note the processing wrote in bokmål (``DATA_NOTES``) in the page's language; any other as it is."""
    return language.texts().DATA_NOTES.get(note, note) if isinstance(note, str) else ""


def member_title(name, unit_type: str) -> str:
    """A member's page title: "Ålesund kommune", a county by its name alone ("Møre og Romsdal"). The page,
    the navigation and the breadcrumbs all call a member this."""
    return language.texts().MEMBER_TITLE.format(name=name) if unit_type == "kommune" else str(name)


_NB_LETTERS = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|", "ü": "y"})


def nb_sort_key(name) -> str:
    """Sort names as a Norwegian reader does: ... Y, Z, Æ, Ø, Å (Ålesund last, not between A and B)."""
    return str(name).casefold().translate(_NB_LETTERS)


def nb_sorted(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.sort_values(column, key=lambda c: c.map(nb_sort_key), kind="stable")


def count_of(n: int, singular: str, plural: str) -> str:
    """'1 fylkeskommune', '3 kommuner'."""
    return f"{n} {singular if n == 1 else plural}"


def fmt_number(value: float | int | None, decimals: int | None = None) -> str:
    """The page's number format: bokmål '210 496', '12,3', English '210,496', '12.3'; '–' for missing, a real
    minus. Decimals follow the size."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    value = float(value)
    if decimals is None:
        size = abs(value)
        decimals = 0 if size >= 1000 else 1 if size >= 10 else 2 if size >= 0.1 or size == 0 else 3
    return localised(f"{value:,.{decimals}f}")


def localised(text: str) -> str:
    """A number Python wrote ('-12,345.6') in the page's language: its thousands separator, decimal sign
    and a real minus."""
    marks = language.texts().NUMBER
    text = text.replace(",", "\0").replace(".", marks["decimal"]).replace("\0", marks["thousands"])
    return text.replace("-", "−")


def fmt_value(value: float, status: str = "") -> str:
    """A value, or the SSB symbol with its meaning when the value is missing or suppressed."""
    symbols = status_symbols()
    if status and status in symbols and (value is None or pd.isna(value)):
        return f"{status} ({symbols[status]})"
    return fmt_number(value)


def fmt_kpi_value(value: float, status: str = "", direction: str = "") -> str:
    """A KPI's value as a reader reads it: 'ja'/'nei' ('yes'/'no') for a yes/no indicator, else :func:`fmt_value`."""
    if direction == "binary" and value is not None and not pd.isna(value):
        words = language.texts().PRESENT
        return words["yes"] if value >= 0.5 else words["no"]
    return fmt_value(value, status)


def fmt_target(target: float, year, scope: str = "", direction: str = "") -> str:
    """'2,00 (2030, lokalt mål)': the target, its year, and whether the member set it itself."""
    if target is None or pd.isna(target):
        return "–"
    local = f", {language.texts().PRESENT['local_target']}" if scope == "local" else ""
    return f"{fmt_kpi_value(target, '', direction)} ({fmt_year(year)}{local})"


def fmt_year(value) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))


def fmt_percent(value: float, decimals: int = 0) -> str:
    if value is None or pd.isna(value):
        return "–"
    return fmt_number(value, decimals) + language.texts().NUMBER["percent"]


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
    """p- and q-values as a reader expects them: '< 0,001' ('< 0.001') rather than '0,000'."""
    if value is None or pd.isna(value):
        return "–"
    return f"<{NBSP}{fmt_number(0.001, 3)}" if value < 0.001 else fmt_number(value, 3)


def p_text(value: float) -> str:
    """'p = 0,012' or 'p < 0,001' in running text (never 'p = < 0,001'); decimal point in English."""
    shown = fmt_p(value)
    return f"p{NBSP}{shown}" if shown.startswith("<") else f"p{NBSP}={NBSP}{shown}"


class Md:
    """Markdown the project wrote itself (trusted), such as a link around an escaped name; any plain
    string in a table cell is data and gets escaped. Not a ``str`` subclass, so that pandas keeps it
    as it is in a column (it turns strings into its own string type)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = str(text)

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __eq__(self, other) -> bool:
        return isinstance(other, Md) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Md({self.text!r})"


#: The characters that are syntax in Markdown (Pandoc's, with Quarto's extensions, and the fallback's) or
#: in HTML become numeric character references, which both renderers show as the character and never read
#: as syntax: links and images need ``[``, emphasis ``*`` ``_``, code `````, maths ``$``, citations ``@``,
#: sub/superscript ``~`` ``^``, attributes and shortcodes ``{`` ``}``, tables ``|``, raw HTML and autolinks
#: ``<`` ``>``, smart quotes ``"`` ``'``. Runs of ``-`` and ``.`` would become dashes and an ellipsis.
_SYNTAX = re.compile(r"""[&<>\[\]*_`\\|$@~^{}"'#]|-{2,}|\.{2,}""")
#: Between the characters of a run of ``-`` or ``.``: a word joiner. smalldocs decodes ``&#46;`` before its
#: smart punctuation runs, so ``...`` from data would still become ``…`` and ``--`` a dash; with a word
#: joiner between them it cannot, and :mod:`analysis.site.finish` takes the joiner out of the rendered pages
#: again (Pandoc never joins entities into an ellipsis, so Quarto's pages only lose the joiner).
RUN_JOINER = "&#8288;"
_BREAKS = re.compile(r"\s*[\r\n\t\v\f]+\s*")
# C0 controls and the bidirectional embeddings/overrides/isolates, which would reverse the text around a name
_CONTROLS = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def esc(value) -> str:
    """A string from data or params as literal text for Markdown, HTML text and quoted HTML attributes.

    Line breaks become spaces (a name is one line), control characters and bidi overrides are
    dropped; ``None``/NaN is empty. An :class:`Md` is the project's own Markdown and passes as it is.
    """
    if isinstance(value, Md):
        return value.text
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _CONTROLS.sub("", _BREAKS.sub(" ", str(value)))
    return _SYNTAX.sub(lambda m: RUN_JOINER.join(f"&#{ord(c)};" for c in m.group(0)), text)


def link(text, href: str) -> Md:
    """A Markdown link with data as its text; ``href`` is built by the project (slugs), never taken from data."""
    return Md(f"[{esc(text)}]({href})")


def markdown_table(df: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table; every header and cell that is not :class:`Md` is escaped. Numbers right-aligned via
    ``align``."""
    align = align or {}
    header = "| " + " | ".join(esc(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---:" if align.get(c) == "right" else ":---" for c in df.columns) + "|"
    rows = ["| " + " | ".join(esc(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


#: A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The table for a CSV download with every text cell that a spreadsheet would run as a formula
    prefixed with ``'`` (shown as text, the apostrophe hidden). Numbers stay numbers; SSB's own
    symbol ``-`` (nil) alone is not a formula and stays as it is."""
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) and v != "-" else v
            )
        elif pd.api.types.is_string_dtype(out[col]):  # a text column: at once (a national download has 40 000 cells)
            text = out[col]
            runs = text.str.startswith(FORMULA_START).fillna(False).astype(bool) & text.ne("-")
            if runs.any():
                out[col] = text.where(~runs, "'" + text)
    return out


def callout(kind: str, title: str, body: str) -> str:
    return f"::: {{.callout-{kind}}}\n## {title}\n\n{body}\n:::\n"


def demo_notice() -> str:
    words = language.texts().PRESENT
    return callout("warning", words["demo_title"], words["demo_body"])


_PATH_DATA = re.compile(rb' d="([^"]*)"')
_DECIMALS = re.compile(rb"(\d+\.\d\d)\d+")


def _short_paths(svg: bytes) -> bytes:
    """Path coordinates to 0.01 pt (Matplotlib writes six decimals): a map's borders take half the bytes,
    and no screen or printer shows the difference."""
    return _PATH_DATA.sub(lambda m: b' d="' + _DECIMALS.sub(rb"\1", m.group(1)) + b'"', svg)


def figure_svg(fig) -> bytes:
    """A Matplotlib figure as SVG with its text kept as text (sharp, small, searchable), then closed.
    Reproducible: no date, no random ids."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "baerekraft"}):
        bbox = None if getattr(fig, "fixed_layout", False) else "tight"  # a fixed layout has no margin to trim
        fig.savefig(buf, format="svg", bbox_inches=bbox, metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return _short_paths(buf.getvalue())


def figure_html(fig, caption: str, alt: str) -> str:
    """A figure with caption and alternative text (both escaped). The image travels inside the
    notebook as a data URL, so a notebook stays whole on its own; the site build writes it to a file."""
    data = base64.b64encode(figure_svg(fig)).decode("ascii")
    return (
        f'<figure class="figure">\n<div class="figure-scroll" tabindex="0" role="group" aria-label="{esc(caption)}">'
        f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}" class="img-fluid"></div>\n'
        f"<figcaption>{esc(caption)}</figcaption>\n</figure>\n"
    )


def heading(key: str) -> str:
    """A section's level-2 heading in the page's language, with the sentences under it where it has any
    (``HEADINGS`` and ``INTROS`` of the text modules): the notebooks hold no text of their own."""
    texts = language.texts()
    intro = texts.INTROS.get(key)
    return f"## {texts.HEADINGS[key]}\n" + (f"\n{intro}\n" if intro else "")


def section_intro(key: str) -> str:
    """Sentences that introduce a part of a page without a heading of its own."""
    return language.texts().INTROS[key] + "\n"


def show(markdown: str) -> None:
    """Display Markdown in a notebook (never HTML output: Quarto would then load scripts from a CDN)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown))


def show_figure(fig, caption: str, alt: str) -> None:
    if fig is not None:
        show(figure_html(fig, caption, alt))
