"""The pages in bokmål and in English from the same code: the two text modules are twins, and a page written
with ``language.use("en")`` has no Norwegian outside names and data, and English number formats.

The page functions are called on the bundled network (the session fixture), as the notebooks call them. What
is allowed to stay Norwegian on an English page is taken from the data itself: the names of members,
counties and old units, comparison groups, sources and versions, the notes the processing writes on
observations (breaks in a series), and the «Norwegian name» row of an indicator page.
"""

from __future__ import annotations

import base64
import os
import re
import string
import types

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest

from analysis.core import config
from analysis.pages import content, language, present, text_en, text_nb
from analysis.pages.present import heading, section_intro
from analysis.site import downloads

MEMBERS = ("5001", "1508", "30")  # a city, Ålesund (a break in its series), Viken (data 2020-23, a county)
INDICATORS = ("EN:EN:AQ:2C", "EC:ICT:ICT:1C", "EC:I:UP:2A:inclusive")  # a key KPI, a share, a yes/no KPI

#: Words a Norwegian page uses all the time and an English one never does.
NORWEGIAN = (
    "ikke", "og", "mangler", "kommune", "kommuner", "kommunen", "indikator", "indikatorer", "indikatorene",
    "utvikling", "utviklingen", "målet", "mål", "bedring", "forverring", "nettverket", "nettverkets", "medlemmene",
    "verdi", "år", "siste", "andel", "av", "med", "til", "eller", "som", "har", "fylke", "fylket", "tall",
    "nådd", "uten", "ingen", "dimensjon", "enhet", "kilde", "fremdrift", "sammenlignet", "ja", "nei",
    "Merknad", "skjermet", "persentil", "retning", "spredning", "Kart",
)  # fmt: skip
_WORD = re.compile(r"(?<![\wÆØÅæøå])(" + "|".join(NORWEGIAN) + r")(?![\wÆØÅæøå])", re.IGNORECASE)
_WORD_EXACT = re.compile(r"(?<![\wÆØÅæøå])(" + "|".join(NORWEGIAN) + r")(?![\wÆØÅæøå])")


@pytest.fixture(autouse=True)
def bokmal_after():
    """Every test leaves the language as the notebooks' warm kernels expect it: bokmål."""
    yield
    language.use("nb")


@pytest.fixture(scope="module")
def data(bundled_data):
    return bundled_data


# --- (a) the twins ------------------------------------------------------------------------------------


def _public(module) -> dict:
    return {
        k: v
        for k, v in vars(module).items()
        if not k.startswith("_") and not isinstance(v, types.ModuleType) and k != "annotations"
    }


def _fields(text: str) -> list[str]:
    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)


def _differences(nb, en, path: str) -> list[str]:
    if isinstance(nb, dict):
        found = [f"{path}: keys {sorted(set(nb) ^ set(en))}"] if set(nb) != set(en) else []
        return found + [d for k in nb if k in en for d in _differences(nb[k], en[k], f"{path}[{k!r}]")]
    if isinstance(nb, tuple | list):
        found = [f"{path}: {len(nb)} items, English {len(en)}"] if len(nb) != len(en) else []
        return found + [d for i, (a, b) in enumerate(zip(nb, en)) for d in _differences(a, b, f"{path}[{i}]")]
    if isinstance(nb, str):
        if not isinstance(en, str):
            return [f"{path}: not a string in English"]
        return [f"{path}: placeholders {_fields(nb)} vs {_fields(en)}"] if _fields(nb) != _fields(en) else []
    if type(nb) is not type(en):
        return [f"{path}: {type(nb).__name__} vs {type(en).__name__}"]
    return []


def test_the_text_modules_define_the_same_names_keys_and_placeholders():
    nb, en = _public(text_nb), _public(text_en)
    assert sorted(nb) == sorted(en)
    problems = [d for name in nb for d in _differences(nb[name], en[name], name)]
    assert problems == []


def test_the_comparison_of_the_twins_can_fail():
    """The check above finds a missing key, a lost placeholder and a missing item (it is not vacuous)."""
    assert _differences({"a": "{n} x", "b": ""}, {"a": "x"}, "T") == [
        "T: keys ['b']",
        "T['a']: placeholders ['n'] vs []",
    ]
    assert _differences(("a", "b"), ("a",), "T") == ["T: 2 items, English 1"]


def test_every_english_text_is_english():
    """No Norwegian-only word in any English text of the pages section (the methods text included)."""

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, tuple | list):
            for v in value:
                yield from strings(v)

    said = [
        s
        for name, value in _public(text_en).items()
        if name not in ("CATALOG_COLUMNS", "OTHER_NAME_COLUMN")
        for s in strings(value)
    ]
    found = {w for s in said for w in _WORD_EXACT.findall(s.replace("fylker-og-kommuner", ""))}
    assert found == set()
    assert len(said) > 400


# --- numbers and dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nb", ["210\u00a0496", "12,3", "−3,50", "<\u00a00,001", "0,012", "95\u00a0%", "6. desember 2026"]),
        ("en", ["210,496", "12.3", "−3.50", "<\u00a00.001", "0.012", "95%", "6 December 2026"]),
    ],
)
def test_numbers_and_dates_in_the_pages_language(lang, expected):
    language.use(lang)
    shown = [
        present.fmt_number(210496),
        present.fmt_number(12.345),
        present.fmt_number(-3.5),
        present.fmt_p(0.0004),
        present.fmt_p(0.0123),
        present.fmt_percent(95),
        language.texts().date_long("2026-12-06"),
    ]
    assert shown == expected


def test_figure_ticks_in_the_pages_language():
    from analysis.pages.figures import SiteFormatter

    ticks = SiteFormatter()
    ticks.set_locs([12499.5, 12500.0, 12500.5])
    language.use("en")
    assert ticks(12500.5) == "12,500.5"
    language.use("nb")
    assert ticks(12500.5) == "12\u2009500,5"


# --- (b) and (c): the page functions in both languages ----------------------------------------------------


def _figure_text(fig) -> str:
    """A figure's caption, alt text and the words drawn in its SVG."""
    figure, caption, alt = fig
    if figure is None:
        return ""
    html = present.figure_html(figure, caption, alt)
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1)).decode("utf-8")
    drawn = " ".join(re.findall(r">([^<>]+)</text>", svg))
    return f"{caption}\n{alt}\n{drawn}"


def page_texts(data, figures: bool = True) -> list[str]:
    """Everything the three templates show, from the same calls, in the current language; without ``figures``,
    the text of the pages without their figures. Making and drawing every figure in two languages was a quarter
    of the fast suite's time in one process: the figures' captions, alt texts and drawn words are checked by the
    slow test, the tick format by ``test_figure_ticks_in_the_pages_language``."""

    def figure(make) -> str:
        return _figure_text(make()) if figures else ""

    out = []
    for code in MEMBERS:
        page = data.page_slice(unit_code=code)
        out += [
            content.unit_title(page, code),
            content.unit_intro(page, code),
            heading("summary"),
            content.unit_summary(page, code),
            heading("dimensions"),
            figure(lambda: content.dimension_figure(page, code)),
            heading("all_kpis"),
            content.kpi_tables_markdown(page, code),
            heading("key_series"),
            figure(lambda: content.key_figure(page, code)),
            heading("comparison"),
            content.comparison_section(page, code),
            content.page_footer(page),
        ]
    out += [
        content.network_intro(data),
        heading("side_by_side"),
        content.network_status_markdown(data),
        content.map_heading("network"),
        figure(lambda: content.network_map(data)),
        content.network_map_markdown(data),
        section_intro("heatmaps"),
        *([_figure_text(f) for f in content.overview_figures(data)] if figures else []),
        heading("improving"),
        content.network_trend_markdown(data, "improving"),
        heading("worsening"),
        content.network_trend_markdown(data, "worsening"),
        heading("spread"),
        figure(lambda: content.spread_figure(data)),
    ]
    for kpi in INDICATORS:
        page = data.page_slice(kpi_id=kpi)
        out += [
            content.indicator_title(page, kpi),
            content.indicator_intro(page, kpi),
            heading("all_units"),
            figure(lambda: content.indicator_figure(page, kpi)),
            content.map_heading("indicator"),
            figure(lambda: content.indicator_map(page, kpi)),
            content.indicator_map_markdown(page, kpi),
            heading("members"),
            content.indicator_table_markdown(page, kpi),
            heading("network_trend"),
            content.indicator_network_text(page, kpi),
        ]
    return out


def data_strings(data) -> list[str]:
    """What may stay Norwegian on an English page: names and other strings that come from the data."""
    units = data.units
    obs = data.observations
    found = [
        *units["name"],
        *units["county_name"].dropna(),
        *units["peer_group"].dropna(),
        *units["population_source"].dropna(),
        *obs["source"],
        *obs["vintage"],
        *obs.get("note", pd.Series(dtype=str)),
        *data.metadata.get("sources", []),
        "robhop/fylker-og-kommuner",
    ]
    from analysis.pages.present import esc

    texts = {str(v) for v in found} - {""}
    return sorted(texts | {esc(t) for t in texts}, key=len, reverse=True)


def norwegian_words(text: str, allowed: list[str]) -> set[str]:
    text = re.sub(r"\]\([^)]*\)", "]()", text)  # link targets are file names, not text
    text = re.sub(r"\| Norwegian name \|[^\n]*", "", text)  # an indicator page names the KPI in Norwegian too
    for s in allowed:
        text = text.replace(s, " ")
    return {w.lower() for w in _WORD.findall(text)}


@pytest.fixture(scope="module")
def both(data):
    """The pages' text in English and in bokmål, without the figures."""
    language.use("en")
    english = page_texts(data, figures=False)
    language.use("nb")
    norwegian = page_texts(data, figures=False)
    return english, norwegian


def english_numbers(english: list[str], norwegian: list[str]) -> None:
    text = "\n".join(english)
    assert not re.search(r"\d,\d{1,2}(?!\d)", re.sub(r"\]\([^)]*\)", "", text))  # no decimal comma
    assert "\u00a0%" not in text and not re.search(r"\d\u00a0\d{3}", text)  # 95%, 210,496
    assert re.search(r"\d\.\d", text) and re.search(r"\d,\d{3}", text)
    assert re.search(r"\d,\d(?!\d\d)", "\n".join(norwegian))  # the same calls in bokmål: decimal comma


@pytest.mark.slow
def test_an_english_page_has_no_norwegian_outside_names(data, both):
    """With every figure: its caption, alt text and the words and numbers drawn in its SVG too."""
    language.use("en")
    english = page_texts(data, figures=True)
    allowed = data_strings(data)
    found = {w for text in english for w in norwegian_words(text, allowed)}
    assert found == set()
    english_numbers(english, both[1])
    assert len("\n".join(english)) > len("\n".join(both[0]))  # the figures' words are there


def test_an_english_page_writes_numbers_the_english_way(both):
    english_numbers(*both)


def test_every_figure_has_an_english_caption_and_alt_text(data):
    """Every kind of figure the pages show, made once in English (drawn only by the slow test): a caption and an
    alt text, without a Norwegian word outside names and data and without a decimal comma."""
    language.use("en")
    member, kpi = "1508", "EN:EN:AQ:2C"
    page, indicator = data.page_slice(unit_code=member), data.page_slice(kpi_id=kpi)
    made = [
        content.dimension_figure(page, member),
        content.key_figure(page, member),
        content.network_map(data),
        *content.overview_figures(data),
        content.spread_figure(data),
        content.indicator_figure(indicator, kpi),
        content.indicator_map(indicator, kpi),
    ]
    allowed = data_strings(data)
    for figure, caption, alt in made:
        assert figure is not None and caption and alt
        plt.close(figure)
        said = f"{caption}\n{alt}"
        assert norwegian_words(said, allowed) == set(), said
        assert not re.search(r"\d,\d{1,2}(?!\d)", said), said


def test_the_same_calls_in_bokmal_are_norwegian(data, both):
    english, norwegian = both
    assert len(english) == len(norwegian)
    text = "\n".join(norwegian)
    for said in ("Denne siden viser hvordan", "## Sammendrag", "Siste verdi", "Utvikling (Mann–Kendall)"):
        assert said in text
    found = norwegian_words(text, data_strings(data))
    assert {"ikke", "og", "indikatorer", "målet", "nettverket"} <= found
    assert "This page shows how" not in text and "This page shows how" in "\n".join(english)


def test_english_kpi_names_and_units_come_from_the_u4ssc_catalog(data):
    catalog = pd.read_csv(config.ROOT / "data" / "reference" / "u4ssc_catalog.csv", keep_default_na=False)
    row = catalog.set_index("kpi_id").loc["EC:ICT:ICT:1C"]
    page = data.page_slice(kpi_id="EC:ICT:ICT:1C")
    language.use("en")
    intro = content.indicator_intro(page, "EC:ICT:ICT:1C")
    assert content.indicator_title(page, "EC:ICT:ICT:1C") == row["name_en"] == "Household Internet Access"
    assert f"| Unit | {present.esc(row['unit'])} |" in intro
    assert "| Dimension | Economy › ICT › ICT Infrastructure |" in intro
    assert f"| Norwegian name | {present.esc(row['name_nb'])} |" in intro
    language.use("nb")
    assert content.indicator_title(page, "EC:ICT:ICT:1C") == row["name_nb"]


def test_an_own_indicator_uses_its_english_name_when_given_else_its_norwegian(data):
    catalog = content.catalog(data)
    own = catalog.iloc[:2].copy()
    own["kpi_id"] = ["own-a", "own-b"]
    own["origin"] = "own"
    own["name_nb"], own["name_en"] = ["Bosatte flyktninger", "Sykkelveier"], ["Refugees settled", ""]
    mixed = data.__class__(
        pd.concat([data.catalog, own.drop(columns=[c for c in own if c.startswith("kpi_") and c != "kpi_id"])]),
        data.units,
        data.observations,
        data.targets,
        data.results,
        data.metadata,
    )
    language.use("en")
    names = content.catalog(mixed).set_index("kpi_id")
    assert names.at["own-a", "kpi_name"] == "Refugees settled"
    assert names.at["own-b", "kpi_name"] == "Sykkelveier"
    assert names.at["own-a", "kpi_subdimension"] == text_en.OWN["group"]


def test_a_warm_kernel_switches_languages_between_pages(data):
    """Texts are read at call time: the same function gives bokmål, English, then bokmål again."""
    page = data.page_slice(unit_code="1508")
    first = content.unit_summary(page, "1508")
    language.use("en")
    english = content.unit_summary(page, "1508")
    language.use("nb")
    assert content.unit_summary(page, "1508") == first != english
    assert english.startswith("Ålesund has figures for")


def test_an_english_download_has_english_headers_and_words(data, tmp_path):
    slug = data.units.set_index("unit_code").at["1508", "slug"]
    downloads.write_downloads(data, tmp_path, only={slug}, lang="en")
    table = pd.read_csv(tmp_path / f"{slug}.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(table.columns) == [h for h, _ in text_en.DOWNLOAD_COLUMNS.values()]
    assert set(table["Part"]) <= set(text_en.DOWNLOAD_PARTS.values())
    assert set(table["Measure"]) <= set(text_en.DOWNLOAD_MEASURES.values())
    assert "Household Internet Access" in set(table["Indicator"])
    assert language.current() == "nb"  # the download's language did not leak into the next page
    allowed = data_strings(data)
    words = " ".join(
        str(v) for c in ("Part", "Measure", "Method", "Text", "Dimension", "Indicator") for v in table[c].unique()
    )
    assert norwegian_words(words, allowed) == set()


# --- (d) one executed English notebook ---------------------------------------------------------------------


@pytest.mark.slow
def test_an_executed_english_member_notebook_has_no_norwegian_outside_names(data, bundled_project, tmp_path):
    import papermill

    out = tmp_path / "alesund.ipynb"
    env = {"BAEREKRAFT_ROOT": str(bundled_project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
    before = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        papermill.execute_notebook(
            str(config.ROOT / "notebooks" / "municipality.ipynb"),
            str(out),
            parameters={"unit_code": "1508", "lang": "en"},
            kernel_name="python3",
            progress_bar=False,
        )
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    nb = nbformat.read(out, as_version=4)
    shown = [
        "".join(o.get("data", {}).get("text/markdown", ""))
        for cell in nb.cells
        if cell.cell_type == "code" and "remove-cell" not in cell.metadata.get("tags", [])
        for o in cell.get("outputs", [])
    ]
    assert [c.cell_type for c in nb.cells if c.cell_type == "markdown"] == []  # every text from the text modules
    text = "\n".join(shown)
    assert "## Summary" in text and "## Compared with the rest of the network" in text
    svgs = [base64.b64decode(m).decode("utf-8") for m in re.findall(r"base64,([^\"]+)", text)]
    drawn = " ".join(t for svg in svgs for t in re.findall(r">([^<>]+)</text>", svg))
    text = re.sub(r"data:image/svg\+xml;base64,[^\"]+", "", text)
    assert norwegian_words(text + "\n" + drawn, data_strings(data)) == set()
