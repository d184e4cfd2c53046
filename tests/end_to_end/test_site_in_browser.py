"""The built site read as a reader's browser reads it: Chromium, axe-core, the keyboard, hostile data.

One small network is built with member, county, peer-group and KPI names that are attacks (script
tags, event attributes, ``javascript:`` and image links, Markdown and maths syntax, quotes,
backslashes, pipes, spreadsheet formulas, a right-to-left override, a very long word). Every page of
that site is then opened in Debian's Chromium (never a downloaded browser) at 1366 and 390 px, and
the site's promises are checked where they hold or fail: in the browser.

Where Chromium or Playwright is missing the tests are skipped with the reason; ``.ci/run`` installs
both, so in CI they always run (``BAEREKRAFT_REQUIRE_BROWSER=1`` turns a skip into a failure).
"""

from __future__ import annotations

import csv
import json
import os
import re

import pandas as pd
import pytest
from site_helpers import make_project, run_report

from analysis.site import audit

pytestmark = pytest.mark.slow

try:
    import axe_playwright_python  # noqa: F401
    import playwright  # noqa: F401

    MISSING = None if audit.chromium_path() else "Chromium is not installed (apt-get install chromium)"
except ImportError as exc:
    MISSING = f"{exc.name} is not installed (pip install -e '.[test]')"

if MISSING and os.environ.get("BAEREKRAFT_REQUIRE_BROWSER"):
    raise RuntimeError(f"the browser tests must run here: {MISSING}")
skip_without_browser = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

TRONDHEIM = "Trondheim <script>alert(1)</script>"
ALESUND = 'Ålesund "><img src=x onerror=alert(2)> [klikk](javascript:alert(3)) ![x](http://evil.example/x.png)'
KRISTIANSUND = "Kristiansund =cmd|' /C calc'!A0 *em* _u_ `c` $x$ @cite \\ back... --x"  # no … nor – either
COUNTY = "Møre og Romsdal <b onmouseover=alert(4)>x</b>"
FYLKE = "Møre og Romsdal \u202eRTL " + "langtnavn" * 12
PEERS = "<svg onload=alert(5)>"
TRONDELAG = "Trøndelag \"'\\"
NETWORK = "Vest & Midt <script>alert(9)</script> *nett*"


def _yaml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted string


HOSTILE_NETWORK = f"""\
network:
  name: {_yaml(NETWORK)}
members:
  - {{code: "5001", name: {_yaml(TRONDHEIM)}, type: kommune, county: "50", peer_group: {_yaml(PEERS)}}}
  - {{code: "1508", name: {_yaml(ALESUND)}, type: kommune, county: "15", peer_group: "Mellomstore | byer"}}
  - {{code: "1505", name: {_yaml(KRISTIANSUND)}, type: kommune, county: "15", peer_group: "Mellomstore | byer"}}
  - {{code: "15", name: {_yaml(FYLKE)}, type: fylke}}
counties:
  "15": {_yaml(COUNTY)}
  "50": {_yaml(TRONDELAG)}
"""
EMISSIONS_SUFFIX = " <script>alert(6)</script> | [l](javascript:alert(7)) a...b c--d"
INTERNET_PREFIX = "=cmd|' /C calc'!A0 "


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    if MISSING:
        pytest.skip(MISSING)
    project = make_project(tmp_path_factory.mktemp("hostile"), HOSTILE_NETWORK)
    catalog_path = project / "data" / "reference" / "u4ssc_catalog.csv"
    catalog = pd.read_csv(catalog_path, dtype=str, keep_default_na=False)
    emissions = catalog["kpi_id"] == "EN:EN:AQ:2C"
    catalog.loc[emissions, "name_nb"] += EMISSIONS_SUFFIX
    internet = catalog["kpi_id"] == "EC:ICT:ICT:1C"
    catalog.loc[internet, "name_nb"] = (
        INTERNET_PREFIX + catalog.loc[internet, "name_nb"] + " <img src=x onerror=alert(8)>"
    )
    catalog.loc[internet, "unit_nb"] = "<i>t</i> $\\frac{1}{2}$"
    catalog.to_csv(catalog_path, index=False)
    result = run_report(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "reports" / "_site"


@pytest.fixture(scope="module")
def desktop(hostile_site):
    return audit.audit_site(hostile_site, viewport="desktop")


@pytest.fixture(scope="module")
def mobile(hostile_site):
    return audit.audit_site(hostile_site, viewport="mobile")


def _problems(reports, attribute):
    return {r.page: getattr(r, attribute) for r in reports if getattr(r, attribute)}


@skip_without_browser
def test_every_page_has_no_wcag_21_aa_violation(desktop, mobile):
    assert len(desktop) >= 20
    for reports in (desktop, mobile):  # the English site under en/ is audited too, at both widths
        english = [r.page for r in reports if r.page.startswith("en/")]
        assert len(english) == len(reports) // 2 and "en/kommuner/" in " ".join(english)
    for reports in (desktop, mobile):
        failing = [r.summary() for r in reports if r.violations]
        assert not failing, "\n".join(failing[:5])


@skip_without_browser
def test_no_page_asks_another_host_for_anything(desktop, mobile):
    """CSS @import, fonts, url(), scripts, images from data: every request goes to the site itself."""
    assert not _problems(desktop, "foreign_requests")
    assert not _problems(mobile, "foreign_requests")
    assert not _problems(desktop, "missing")


@skip_without_browser
def test_no_script_from_the_data_runs(desktop):
    assert not _problems(desktop, "dialogs")
    assert not _problems(desktop, "script_errors")


def _open(browser, base, path, width=1366):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base + path)
    return page


def _page_of(site, folder, start):
    return next(p.relative_to(site).as_posix() for p in (site / folder).glob("*.html") if p.name.startswith(start))


@skip_without_browser
def test_hostile_names_show_as_the_text_they_are(hostile_site):
    trondheim = _page_of(hostile_site, "kommuner", "trondheim")
    alesund = _page_of(hostile_site, "kommuner", "alesund")
    kristiansund = _page_of(hostile_site, "kommuner", "kristiansund")
    with audit.serve(hostile_site) as base, audit.browser() as b:
        page = _open(b, base, trondheim)
        assert page.locator("h1").first.inner_text().strip() == f"{TRONDHEIM} kommune"
        assert TRONDHEIM in page.title() and NETWORK in page.title()  # "<unit> – <network.name>"
        assert NETWORK in page.locator("header").first.inner_text()  # the site's title in the navbar
        assert NETWORK in page.locator("footer").first.inner_text()
        assert page.locator("header script, footer script, header em, footer em").count() == 0
        front = _open(b, base, "index.html")  # the fallback writes the site's description on the front page
        descriptions = front.locator('meta[name="description"]')
        assert descriptions.count() >= 1
        assert all(NETWORK in descriptions.nth(i).get_attribute("content") for i in range(descriptions.count()))
        body = page.locator("main").inner_text()
        assert f"i {TRONDELAG}" in body and PEERS in body
        assert "Klimagassutslipp" + EMISSIONS_SUFFIX in body
        assert page.locator("main img[src*='evil']").count() == 0
        assert page.locator("main a[href^='javascript']").count() == 0
        page = _open(b, base, alesund)
        assert page.locator("h1").first.inner_text().strip() == f"{ALESUND} kommune"
        assert page.locator("img[src*='evil.example']").count() == 0
        assert COUNTY in page.locator("nav.quarto-page-breadcrumbs").first.inner_text()
        page = _open(b, base, kristiansund)
        assert page.locator("h1").first.inner_text().strip() == f"{KRISTIANSUND} kommune"
        markup = page.evaluate(
            "[...document.querySelectorAll('main em, main code, main .math')].map(e => e.textContent)"
        )
        assert not {"em", "u", "c", "x"} & set(markup)  # *em* _u_ `c` $x$ stayed text
        fylke = _open(b, base, _page_of(hostile_site, "fylker", "more"))
        heading = fylke.locator("h1").first.inner_text()
        assert "\u202e" not in heading and heading.startswith("Møre og Romsdal RTL langtnavn")
        assert fylke.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # a long word wraps


@skip_without_browser
def test_downloads_hold_the_names_but_no_live_formula(hostile_site):
    rows = list(
        csv.DictReader(
            (hostile_site / "nedlastinger" / "trondheim-script-alert-1-script.csv").open(encoding="utf-8-sig")
        )
    )
    names = {r["Indikator"] for r in rows}
    assert "'" + INTERNET_PREFIX + "Husholdninger med internettilgang <img src=x onerror=alert(8)>" in names
    assert "Klimagassutslipp" + EMISSIONS_SUFFIX in names
    assert {r["Enhet"] for r in rows} == {TRONDHEIM, ""}  # "": the network median rows
    assert not [cell for r in rows for cell in r.values() if cell and cell[0] in "=+@\t\r"]
    kristiansund = hostile_site / "nedlastinger" / f"{_page_of(hostile_site, 'kommuner', 'kristiansund')[9:-5]}.csv"
    names = {r["Enhet"] for r in csv.DictReader(kristiansund.open(encoding="utf-8-sig"))}
    assert names == {KRISTIANSUND, ""}  # the name as it is, "..." and "--" too


@skip_without_browser
def test_keyboard_reaches_the_content_first_and_the_sidebar_is_five_links(hostile_site):
    with audit.serve(hostile_site) as base, audit.browser() as b:
        page = _open(b, base, _page_of(hostile_site, "kommuner", "trondheim"))
        page.keyboard.press("Tab")
        first = page.evaluate(
            "({text: document.activeElement.textContent, href: document.activeElement.getAttribute('href')})"
        )
        assert first == {"text": "Hopp til hovedinnholdet", "href": "#quarto-document-content"}
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#quarto-document-content"
        links = page.locator("#quarto-sidebar a[href]")
        assert [links.nth(i).inner_text().strip() for i in range(links.count())] == [
            "Nettverket",
            "Medlemmer",
            "Indikatorer",
            "Metode",
            "Om dataene",
            "Last ned data",
        ]
        assert page.locator("#quarto-sidebar button.sidebar-item-text, #quarto-sidebar a:not([href])").count() == 0
        assert page.locator("[role=navigation]:not(nav)").count() == 0  # one landmark per real navigation
        assert page.locator(".page-navigation").count() == 0  # no previous/next


@skip_without_browser
def test_breadcrumbs_show_where_a_page_sits_and_link_every_step_but_the_page_itself(hostile_site):
    with audit.serve(hostile_site) as base, audit.browser() as b:
        page = _open(b, base, _page_of(hostile_site, "kommuner", "alesund"))
        crumbs = page.locator("nav.quarto-page-breadcrumbs")
        assert crumbs.count() == 1 and crumbs.is_visible()
        links = crumbs.locator("a")
        assert [links.nth(i).inner_text() for i in range(links.count())] == ["Nettverket", "Medlemmer", COUNTY]
        assert crumbs.locator("[aria-current=page]").inner_text().startswith("Ålesund")
        links.nth(2).click()  # the county: its group on the members page
        page.wait_for_load_state()
        assert page.url.endswith("medlemmer.html#fylke-15")
        assert page.locator("#fylke-15").inner_text() == COUNTY
        phone = _open(b, base, _page_of(hostile_site, "indikatorer", "en-en-aq-2c"), width=390)
        trail = phone.locator("nav.quarto-page-breadcrumbs")
        assert trail.is_visible()  # on a phone too
        assert trail.locator("[aria-current=page]").inner_text() == "Klimagassutslipp" + EMISSIONS_SUFFIX
        assert [trail.locator("a").nth(i).inner_text() for i in range(3)] == ["Nettverket", "Indikatorer", "Miljø"]


@skip_without_browser
def test_the_members_filter_counts_and_hides_and_without_javascript_the_list_is_whole(hostile_site):
    with audit.serve(hostile_site) as base, audit.browser() as b:
        page = _open(b, base, "medlemmer.html")
        field = page.get_by_label("Filtrer medlemmene (navn eller fylke)")
        count = page.locator(".nav-filter-count")
        assert field.is_visible() and count.get_attribute("aria-live") == "polite"
        assert count.inner_text() == "4 av 4 medlemmer vises"
        entries = page.locator("#medlemsliste li")
        assert entries.count() == 4
        field.fill("trondheim")  # any case
        assert count.inner_text() == "1 av 4 medlemmer vises"
        visible = [entries.nth(i).inner_text() for i in range(4) if entries.nth(i).is_visible()]
        assert visible == [TRONDHEIM]  # a hostile name, shown as the text it is
        assert not page.locator("#fylke-15").is_visible()  # a county with no match hides with its members
        field.fill("Ålesund")
        assert count.inner_text() == "1 av 4 medlemmer vises"
        field.fill("Møre")  # a county's name finds its members
        assert count.inner_text() == "3 av 4 medlemmer vises"
        field.fill("xyzzy")
        assert count.inner_text() == "0 av 4 medlemmer vises" and not page.locator("#medlemsliste li:visible").count()
        field.fill("")
        assert count.inner_text() == "4 av 4 medlemmer vises" and page.locator("#medlemsliste li:visible").count() == 4
        context = b.new_context(java_script_enabled=False)
        plain = context.new_page()
        plain.goto(base + "medlemmer.html")
        assert plain.locator("input#medlemsliste-filter").count() == 1
        assert not plain.locator("input#medlemsliste-filter").is_visible()  # no control that cannot work
        assert plain.locator("#medlemsliste li a:visible").count() == 4
        indicators = _open(b, base, "indikatorer.html")
        box = indicators.get_by_label("Filtrer indikatorene (navn eller kode)")
        total = indicators.locator("#indikatorliste li").count()
        box.fill("EN:EN:AQ:2C")
        assert indicators.locator(".nav-filter-count").inner_text() == f"1 av {total} indikatorer vises"
        assert indicators.locator("#indikatorliste li:visible").inner_text().startswith("Klimagassutslipp")


@skip_without_browser
def test_kpi_tables_fit_a_phone_with_status_trend_and_progress_visible(hostile_site):
    with audit.serve(hostile_site) as base, audit.browser() as b:
        page = _open(b, base, _page_of(hostile_site, "kommuner", "trondheim"), width=390)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        row = page.locator("table.cards tbody tr").first
        for label in ("Status (andel av mål)", "Utvikling (Mann–Kendall)", "Fremdrift (Eurostat)"):
            cell = row.locator(f"td[data-label='{label}']")
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, label


def _search(page, words):
    page.locator("#quarto-search").first.click()
    field = page.locator("#quarto-search input[type=search], input.aa-Input").first
    field.fill(words)
    page.wait_for_timeout(600)
    return page.locator(".smalldocs-search-results, .aa-Panel").first.inner_text()


@skip_without_browser
def test_search_in_norwegian_finds_co2_climate_gas_and_members(hostile_site):
    with audit.serve(hostile_site) as base, audit.browser() as b:
        page = _open(b, base, "index.html")
        assert "Klimagassutslipp" in _search(page, "CO2")  # the page says CO₂-ekvivalenter
        assert "Klimagassutslipp" in _search(page, "klimagass")
        assert "Trondheim" in _search(page, "Trondheim")
        assert "Ingen treff" in _search(page, "xyzzyqwerty")


def test_no_page_with_its_own_assets_is_over_a_megabyte(hostile_site):
    """Figures are files, not base64 inside the HTML; a page plus the images it shows stays under 1 MB."""
    for page in hostile_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "data:image" not in html, page
        images = [page.parent / src for src in re.findall(r'<img [^>]*src="([^"#?]+)"', html) if "://" not in src]
        size = page.stat().st_size + sum(p.stat().st_size for p in images if p.is_file())
        assert size < 1_000_000, (page, size)


@skip_without_browser
def test_the_english_site_speaks_english_and_the_switch_leads_to_the_same_page(hostile_site):
    with audit.serve(hostile_site) as base, audit.browser() as b:
        alesund = _page_of(hostile_site, "kommuner", "alesund")
        page = _open(b, base, "en/" + alesund, width=390)
        assert page.evaluate("document.documentElement.lang") == "en"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        switch = page.locator("p.language-switch a")
        assert switch.count() == 1 and switch.is_visible()  # on a phone too, not folded away in the menu
        assert (switch.inner_text(), switch.get_attribute("lang"), switch.get_attribute("hreflang")) == (
            "Norsk",
            "nb",
            "nb",
        )
        switch.click()
        page.wait_for_load_state()
        assert page.url == base + alesund and page.evaluate("document.documentElement.lang") == "nb"
        back = page.locator("p.language-switch a")
        assert (back.inner_text(), back.get_attribute("lang")) == ("English", "en")
        back.click()
        page.wait_for_load_state()
        assert page.url == base + "en/" + alesund
        crumbs = page.locator("nav.quarto-page-breadcrumbs a")
        assert [crumbs.nth(i).inner_text() for i in range(2)] == ["The network", "Members"]
        members = _open(b, base, "en/medlemmer.html")
        field = members.get_by_label("Filter the members (name or county)")
        field.fill("Møre")
        assert members.locator(".nav-filter-count").inner_text() == "3 of 4 members shown"
        front = _open(b, base, "en/index.html")
        assert "No results" in _search(front, "xyzzyqwerty")
        assert "Methods" in _search(front, "Methods")
        hits = front.evaluate(
            "[...document.querySelectorAll('.smalldocs-search-results a, .aa-Panel a')].map(a => a.href)"
        )
        assert hits and all(hit.startswith(base + "en/") for hit in hits), hits  # the English index: English pages
