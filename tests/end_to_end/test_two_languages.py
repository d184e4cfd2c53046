"""The site in bokmål at the root and in English under en/: the same pages, links that stay within their
language, a switch on every page that lands on the same page in the other language, ``lang`` right, and
no Norwegian words on the English pages.

The fast tests check the pieces (settings, the switch on one page, the English navigation); the slow ones
build a small network in both languages with the fallback renderer and read the result.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest
from site_helpers import make_project, run_report

from analysis.core.errors import InputError
from analysis.core.settings import load_report_settings
from analysis.site import languages, navigation
from analysis.site.render import find_quarto

EPOCH = {"SOURCE_DATE_EPOCH": "1764720000"}  # 3 December 2025

#: Words a Norwegian page has and an English one must not: the site's chrome and common bokmål words that
#: are not English words and are in no member's, county's or network's name of the test network.
NORWEGIAN_CHROME = (
    "Nettverket",
    "Medlemmer",
    "Indikatorer",
    "Metode",
    "Om dataene",
    "Last ned",
    "Sist oppdatert",
    "Dataversjon",
    "Hopp til",
    "Innhold",
    "Søk",
    "Brødsmulesti",
    "fylkeskommune",
    "Filtrer",
    "vises",
    "Hovedmeny",
    "Sidemeny",
    "Vis eller skjul",
    "Lenke til denne delen",
    "Ingen treff",
    "Tabell",
)
NORWEGIAN_WORDS = ("ikke", "eller", "og", "med", "fra", "som", "er", "har", "av", "på", "til", "kommunene", "målet")


def _settings(tmp_path: Path, languages_line: str) -> Path:
    path = tmp_path / "report.yaml"
    path.write_text(
        "report_year: 2024\nbase_year: 2015\ndefault_target_year: 2030\nfirst_year: 2015\n"
        f"data: demo\ntargets: t.csv\nworkers: 2\n{languages_line}",
        encoding="utf-8",
    )
    return path


def test_the_languages_are_read_from_report_yaml_with_bokmal_first(tmp_path):
    assert load_report_settings(_settings(tmp_path, "languages: [nb, en]\n")).languages == ("nb", "en")
    assert load_report_settings(_settings(tmp_path, "")).languages == ("nb",)  # without the setting: bokmål only
    for line, message in (
        ("languages: [en, nb]\n", "must be 'nb', got 'en'"),
        ("languages: [nb, de]\n", "'de' has no texts"),
        ("languages: [nb, en, en]\n", "listed twice"),
        ("languages: nb\n", "must be list"),
        ("languages: []\n", "must be a list of language codes"),
    ):
        with pytest.raises(InputError, match=f"report.yaml(, row \\d+)?, field 'languages': .*{re.escape(message)}"):
            load_report_settings(_settings(tmp_path, line))


PAGE = (
    '<!DOCTYPE html><html lang="nb"><head><title>x</title></head><body><main class="content">'
    '<nav class="quarto-page-breadcrumbs site-breadcrumbs"></nav><div class="quarto-title"><h1>x</h1></div>'
    "</main></body></html>"
)


def test_a_page_gets_its_lang_the_alternates_and_a_switch_to_the_same_page_in_the_other_language():
    versions = {"nb": "kommuner/alesund.html", "en": "en/kommuner/alesund.html"}
    english = languages.link_page(PAGE, "en", "en/kommuner/alesund.html", versions)
    assert '<html lang="en">' in english
    assert '<link rel="alternate" hreflang="nb" href="../../kommuner/alesund.html">' in english
    assert '<link rel="alternate" hreflang="en" href="alesund.html">' in english
    switch = '<p class="language-switch"><a href="../../kommuner/alesund.html" hreflang="nb" lang="nb">Norsk</a></p>'
    assert switch + '<nav class="quarto-page-breadcrumbs' in english  # above the trail and the title
    norwegian = languages.link_page(PAGE, "nb", "kommuner/alesund.html", versions)
    assert '<a href="../en/kommuner/alesund.html" hreflang="en" lang="en">English</a>' in norwegian
    assert norwegian.count("language-switch") == 1
    quarto = PAGE.replace('<html lang="nb">', '<html xmlns="http://www.w3.org/1999/xhtml" lang="nb" xml:lang="nb">')
    tag = re.search(r"<html[^>]*>", languages.link_page(quarto, "en", "en/index.html", {"en": "en/index.html"}))
    assert tag.group(0) == '<html lang="en" xmlns="http://www.w3.org/1999/xhtml" xml:lang="en">'


def test_each_language_has_its_own_project_beside_the_main_one():
    staging = Path("/x/reports/_build")
    assert languages.staging_of(staging, "nb") == staging
    assert languages.staging_of(staging, "en") == Path("/x/reports/_build-en")
    assert (languages.prefix("nb"), languages.prefix("en")) == ("", "en/")


UNITS = pd.DataFrame(
    [
        {"unit_code": "1508", "name": "Ålesund", "type": "kommune", "slug": "alesund", "county_code": "15"},
        {"unit_code": "15", "name": "Møre og Romsdal", "type": "fylke", "slug": "more-og-romsdal", "county_code": ""},
    ]
).assign(county_name="Møre og Romsdal")


def test_the_english_navigation_uses_the_catalogs_english_names_and_english_words():
    from analysis.reference.catalog import load_catalog

    indicators = load_catalog().query("key")
    page = navigation.indicators_page(indicators, "en")
    assert "Household Internet Access" in page and "Husholdninger med internettilgang" not in page
    assert ">Economy</h2>" in page and "Økonomi" not in page
    members = navigation.members_page(UNITS, "en")
    assert "Møre og Romsdal county authority" in members
    trail = navigation.breadcrumbs(UNITS, indicators, "en")["kommuner/alesund.html"]
    assert [text for text, _ in trail][:2] == ["The network", "Members"]
    assert [entry["text"] for entry in navigation.sidebar(True, "en")] == [
        "The network",
        "Members",
        "Indicators",
        "Methods",
        "About the data",
        "Download data",
    ]
    for text in (page, members):
        assert not [w for w in NORWEGIAN_CHROME if w in text], text


# --- the built site ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("two-languages"))
    result = run_report(project, env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nb at /, en at /en/" in result.stdout
    return project / "reports" / "_site"


class _Links(HTMLParser):
    """Every link and resource of a page: (tag, attributes)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if any(k in attrs for k in ("href", "src")):
            self.found.append((tag, attrs))


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _pages(site: Path) -> dict[str, set[str]]:
    return languages.pages_of(site, ("nb", "en"))


def _switches(parser: _Links) -> list[dict]:
    return [a for tag, a in parser.found if tag == "a" and a.get("hreflang")]


@pytest.mark.slow
def test_both_languages_have_the_same_pages(site):
    pages = _pages(site)
    assert pages["nb"] == pages["en"]
    for page in ("index.html", "kommuner/alesund.html", "fylker/more-og-romsdal.html", "metode.html", "data.html"):
        assert page in pages["en"], page
    assert {"om-dataene.html", "medlemmer.html", "indikatorer.html", "indikatorer/en-en-aq-2c.html"} <= pages["en"]
    assert len(list((site / "en" / "nedlastinger").glob("*.csv"))) == len(list((site / "nedlastinger").glob("*.csv")))


@pytest.mark.slow
def test_every_link_stays_in_its_language_and_the_switch_lands_on_the_same_page(site):
    pages = _pages(site)
    wrong, broken = [], []
    for lang in ("nb", "en"):
        other = "en" if lang == "nb" else "nb"
        for rel in sorted(pages[lang]):
            path = languages.prefix(lang) + rel
            parser = _parse(site / path)
            assert parser.html_lang == lang, path
            switches = _switches(parser)
            assert len(switches) == 1, path
            (switch,) = switches
            assert switch["hreflang"] == switch["lang"] == other, path
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), switch["href"]))
            assert target == languages.prefix(other) + rel, path  # the same page in the other language
            for tag, attrs in parser.found:
                ref = attrs.get("href") or attrs.get("src")
                url = urlparse(ref)
                if url.scheme or ref.startswith("//") or not url.path or attrs is switch:
                    continue
                if tag == "link" and attrs.get("rel") == "alternate":
                    continue
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(url.path)))
                in_english = resolved.startswith("en/")
                if in_english != (lang == "en"):
                    wrong.append((path, ref))
                if not (site / resolved).exists():
                    broken.append((path, ref))
    assert not wrong, wrong[:10]
    assert not broken, broken[:10]


@pytest.mark.slow
def test_every_page_names_its_other_language_versions(site):
    for rel in ("index.html", "kommuner/trondheim.html", "indikatorer.html"):
        for lang in ("nb", "en"):
            path = languages.prefix(lang) + rel
            alternates = {
                a["hreflang"]: posixpath.normpath(posixpath.join(posixpath.dirname(path), a["href"]))
                for tag, a in _parse(site / path).found
                if tag == "link" and a.get("rel") == "alternate"
            }
            assert alternates == {"nb": rel, "en": f"en/{rel}"}, path


def _chrome(html: str) -> str:
    """What a reader sees around the content: navbar, sidebar, breadcrumbs, switch, footer, skip link and
    the labels of the landmarks and controls."""
    parts = re.findall(
        r"<header\b.*?</header>|<nav\b.*?</nav>|<footer\b.*?</footer>|<a class=\"skip-link\".*?</a>", html, re.S
    )
    labels = re.findall(r'(?:aria-label|placeholder|title)="([^"]*)"', html)
    return unescape(re.sub(r"<[^>]+>", " ", " ".join(parts)) + " " + " ".join(labels))


@pytest.mark.slow
def test_the_english_chrome_and_the_members_and_indicators_pages_have_no_norwegian_words(site):
    for rel in sorted(_pages(site)["en"]):
        html = (site / "en" / rel).read_text(encoding="utf-8")
        chrome = _chrome(html)
        if rel in ("medlemmer.html", "indikatorer.html"):
            main = re.search(r"<main\b.*?</main>", html, re.S).group(0)
            chrome += (
                " "
                + unescape(re.sub(r"<[^>]+>", " ", main))
                + " "
                + " ".join(re.findall(r'data-count="([^"]*)"', main))
            )
        found = [w for w in NORWEGIAN_CHROME if re.search(rf"\b{re.escape(w)}\b", chrome)]
        assert not found, (rel, found)
    footer = _chrome((site / "en" / "index.html").read_text(encoding="utf-8"))
    assert "Last updated 3 December 2025" in footer
    assert "Sist oppdatert 3. desember 2025" in _chrome((site / "index.html").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_english_content_has_no_norwegian_words_outside_names(site):
    """Needs the English page texts (EN-A's text_en); names from data (members, counties, the network,
    sources) are taken out first."""
    project = site.parent.parent
    observations = pd.read_parquet(project / "data" / "processed" / "observations.parquet")
    units = pd.read_parquet(project / "data" / "processed" / "units.parquet")
    targets = pd.read_parquet(project / "data" / "processed" / "targets.parquet")
    names = {*observations["source"], *targets["source"]}
    for column in ("name", "county_name", "peer_group", "population_source", "population_note"):
        names |= set(units[column].dropna())
    names.add("robhop/fylker-og-kommuner")  # the repository the maps' simplified borders come from: a name
    # an indicator page names the KPI in the other language on purpose («Norwegian name»), and the pages name
    # units of the registry that are not members (Vestfold og Telemark, 2020-2023): names too
    names |= set(pd.read_parquet(project / "data" / "processed" / "catalog.parquet")["name_nb"].dropna())
    names |= set(pd.read_csv(project / "data" / "reference" / "municipalities.csv", dtype=str)["name"].dropna())
    names = sorted((str(n) for n in names if isinstance(n, str) and n), key=len, reverse=True)
    leaks = {}
    for rel in sorted(_pages(site)["en"]):
        html = (site / "en" / rel).read_text(encoding="utf-8")
        main = re.search(r"<main\b.*?</main>", html, re.S).group(0)
        text = unescape(re.sub(r"<[^>]+>", " ", main))
        for name in names:
            text = text.replace(name, " ")
        found = sorted({w for w in NORWEGIAN_WORDS if re.search(rf"(?<!\w){w}(?!\w)", text, re.I)})
        if found:
            leaks[rel] = found
    assert not leaks, leaks


@pytest.mark.slow
def test_each_language_searches_its_own_pages(site):
    for lang, title in (("nb", "Metode"), ("en", "Methods")):
        entries = json.loads((site / languages.prefix(lang) / "search.json").read_text(encoding="utf-8"))
        hrefs = {e["href"].split("#")[0] for e in entries}
        assert hrefs <= _pages(site)[lang] and "kommuner/alesund.html" in hrefs
        assert any(e["title"] == title and e["href"].startswith("metode.html") for e in entries), lang
    english = json.loads((site / "en" / "search.json").read_text(encoding="utf-8"))
    assert not [e for e in english if e["title"] in ("Metode", "Om dataene", "Medlemmer")]


@pytest.mark.slow
def test_the_annual_reports_and_the_data_files_are_shared_not_copied(site):
    for folder in ("pdf", "data"):
        files = list((site / folder).iterdir())
        assert files, folder
        for file in files:
            assert os.path.samefile(file, site / "en" / folder / file.name), file  # one file, two names


@pytest.mark.slow
@pytest.mark.quarto
@pytest.mark.skipif(find_quarto() is None, reason="needs the real Quarto binary")
def test_quarto_writes_its_own_interface_strings_in_english(site):
    html = (site / "en" / "kommuner" / "alesund.html").read_text(encoding="utf-8")
    assert 'id="toc-title">Contents<' in html or ">Contents</h2>" in html
    assert "Innhold" not in _chrome(html)
