"""End to end: the report for a small network, built into a temporary copy of the project."""

import csv
import json
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pandas as pd
import pytest
from site_helpers import SMALL_NETWORK_NAME, html_table_cells, make_project, missing_numbers, page_refs, run_report

from analysis.core import config
from analysis.reference.catalog import load_catalog
from analysis.site.render import find_quarto

pytestmark = pytest.mark.slow
EPOCH = {"SOURCE_DATE_EPOCH": "1764720000"}  # 3 December 2025: every build of this module, unless it says otherwise


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("project"))
    # the project's own local target (the copied params/targets.csv has the configured network's)
    targets = project / "params" / "targets.csv"
    lines = targets.read_text(encoding="utf-8").splitlines()
    network_rows = [line for line in lines if line.split(",")[1] == ""]
    local = "EN:EN:AQ:2C,5001,2.0,2030,,,Lokalt testmål"
    targets.write_text("\n".join([lines[0], *network_rows, local]) + "\n", encoding="utf-8")
    result = run_report(project, env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    return project, result.stdout


def test_build_reports_where_how_many_and_which_renderer(built):
    project, out = built
    site = project / "reports" / "_site"
    assert f"Site ready: {site / 'index.html'}" in out
    pages = int(re.search(r"pages:\s+(\d+) HTML pages", out).group(1))
    assert pages == sum(1 for _ in site.rglob("*.html"))
    expected = "Quarto" if find_quarto() else "smalldocs"
    assert re.search(rf"renderer: {expected}", out)
    assert "make preview" in out
    assert "renderer warning" not in out  # every key of _quarto.yml is one the renderer reads


def test_one_page_per_unit_plus_front_methods_and_data_pages(built):
    site = built[0] / "reports" / "_site"
    for page in (
        "index.html",
        "metode.html",
        "om-dataene.html",
        "data.html",
        "medlemmer.html",
        "indikatorer.html",
        "kommuner/trondheim.html",
        "kommuner/alesund.html",
        "kommuner/kristiansund.html",
        "fylker/more-og-romsdal.html",
    ):
        assert (site / page).is_file(), page
    assert sorted(p.name for p in (site / "kommuner").glob("*.html")) == [
        "alesund.html",
        "kristiansund.html",
        "trondheim.html",
    ]
    # one page per key KPI (indicator_pages: key), linked from the municipality tables
    key = load_catalog().query("key")
    assert sorted(p.stem for p in (site / "indikatorer").glob("*.html")) == sorted(key["slug"])
    assert 'href="../indikatorer/en-en-aq-2c.html"' in (site / "kommuner" / "trondheim.html").read_text(
        encoding="utf-8"
    )


def test_navigation_is_small_on_every_page_and_the_lists_are_on_their_own_pages(built):
    """The sidebar holds the same six pages everywhere; the members and the indicators are listed once,
    on their own pages, and each member or indicator page says where it sits in its breadcrumbs."""
    site = built[0] / "reports" / "_site"
    for page in _content_pages(site):
        html = page.read_text(encoding="utf-8")
        sidebar = re.search(r'<nav [^>]*id="quarto-sidebar".*?</nav>', html, re.S).group(0)
        texts = [unescape(t) for t in re.findall(r'<span class="menu-text">(.*?)</span>', sidebar)]
        assert texts == ["Nettverket", "Medlemmer", "Indikatorer", "Metode", "Om dataene", "Last ned data"], page
        assert not re.search(r'<nav[^>]*class="page-navigation"', html), page  # no previous/next across the members
    members = (site / "medlemmer.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="((?:kommuner|fylker)/[^"]+)">', members)
    assert sorted(listed) == sorted(
        [
            "kommuner/trondheim.html",
            "kommuner/alesund.html",
            "kommuner/kristiansund.html",
            "fylker/more-og-romsdal.html",
        ]
    )
    more = members.split('id="fylke-15"')[1].split("</section>")[0]  # Møre og Romsdal: the county, then its towns
    assert re.findall(r'href="([^"]+)"', more) == [
        "fylker/more-og-romsdal.html",
        "kommuner/kristiansund.html",
        "kommuner/alesund.html",
    ]
    key = load_catalog().query("key")
    indicators = (site / "indikatorer.html").read_text(encoding="utf-8")
    assert sorted(re.findall(r'<li><a href="indikatorer/([^"]+)\.html">', indicators)) == sorted(key["slug"])
    alesund = (site / "kommuner" / "alesund.html").read_text(encoding="utf-8")
    crumbs = re.findall(r'<nav class="quarto-page-breadcrumbs.*?</nav>', alesund, re.S)
    assert len(crumbs) == 1
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs[0]) == [
        ("../index.html", "Nettverket"),
        ("../medlemmer.html", "Medlemmer"),
        ("../medlemmer.html#fylke-15", "Møre og Romsdal"),
    ]
    assert '<li class="breadcrumb-item active" aria-current="page">Ålesund kommune</li>' in crumbs[0]


def _content_pages(site: Path, every_language: bool = False):
    """The Norwegian site's pages (the English site under en/ has tests of its own: test_two_languages.py)."""
    pages = [p for p in site.rglob("*.html") if p.name not in ("404.html",)]
    return pages if every_language else [p for p in pages if p.relative_to(site).parts[0] != "en"]


def test_every_internal_link_resolves_and_nothing_external_is_loaded(built):
    site = built[0] / "reports" / "_site"
    broken, external = [], []
    for page in _content_pages(site, every_language=True):
        for tag, attr, ref in page_refs(page.read_text(encoding="utf-8")):
            url = urlparse(ref)
            if url.scheme in ("http", "https") or ref.startswith("//"):
                if not (tag == "a" and attr == "href"):  # a link to another site is fine; loading from it is not
                    external.append((page.name, tag, ref))
                continue
            if url.scheme in ("data", "mailto", "javascript") or not url.path:
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append((str(page.relative_to(site)), ref))
    assert not external, external[:5]
    assert not broken, broken[:10]


def test_norwegian_characters_and_demo_notice_on_every_page(built):
    site = built[0] / "reports" / "_site"
    for page in _content_pages(site):
        html = page.read_text(encoding="utf-8")
        assert re.search(r'<meta charset="utf-8"', html, re.I), page
        assert re.search(r'<html\b[^>]*\blang="nb"', html), page  # screen readers and hyphenation read it as bokmål
        assert "Demonstrasjonsdata" in html, page
        assert "Ã" not in html, page  # mojibake of æ/ø/å read as Latin-1
        if find_quarto() is None:  # the fallback's English interface and unlabelled landmarks are fixed by us
            assert 'placeholder="Search"' not in html, page
            labels = re.findall(r'<nav\b[^>]*aria-label="([^"]+)"', html)
            assert len(re.findall(r"<nav\b", html)) == len(labels) == len(set(labels)), page
    alesund = (site / "kommuner" / "alesund.html").read_text(encoding="utf-8")
    assert "Ålesund" in alesund and "Møre og Romsdal" in alesund
    front = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(rf"<title>[^<]*{SMALL_NETWORK_NAME}[^<]*</title>", front)  # network.name is the site's title
    assert f"{SMALL_NETWORK_NAME} måler lokal bærekraft" in front


def test_pages_have_tables_figures_with_alt_text_and_downloads(built):
    site = built[0] / "reports" / "_site"
    html = (site / "kommuner" / "trondheim.html").read_text(encoding="utf-8")
    assert html.count("<table") >= 4  # profile + one per dimension + comparison
    figures = re.findall(r"<figure.*?</figure>", html, re.S)
    assert len(figures) >= 2
    for fig in figures:
        assert re.search(r'alt="[^"]{20,}"', fig) and "<figcaption>" in fig
    download = site / "nedlastinger" / "trondheim.csv"
    assert download.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads æ, ø, å as UTF-8
    rows = list(csv.DictReader(download.open(encoding="utf-8-sig")))
    latest = [r for r in rows if r["Del"] == "Tabell: alle indikatorer" and r["Størrelse"] == "Siste verdi"]
    obs = pd.read_parquet(built[0] / "data" / "processed" / "observations.parquet").query("unit_code == '5001'")
    assert len(latest) == obs["kpi_id"].nunique() > 100 and {r["Enhetskode"] for r in latest} == {"5001"}
    assert "nedlastinger/trondheim.csv" in html
    text = unescape(re.sub(r"<[^>]+>", " ", html))  # compare the text a reader sees, not the renderer's bytes
    assert "Folketall 1.1.2023" in text and "212\u00a0660" in text  # SSB 07459, Trondheim 1 January 2023


def test_the_front_page_and_every_indicator_page_have_a_map_with_alt_text_credit_and_table(built):
    site = built[0] / "reports" / "_site"
    pages = ["index.html", *(p.relative_to(site).as_posix() for p in sorted((site / "indikatorer").glob("*.html")))]
    assert len(pages) > 3
    for page in pages:
        html = (site / page).read_text(encoding="utf-8")
        maps = [f for f in re.findall(r"<figure.*?</figure>", html, re.S) if 'alt="Kart over Norge' in f]
        assert len(maps) == 1, page
        assert "Kart: Kartverket (CC BY 4.0)" in unescape(maps[0]), page
        src = re.search(r'src="([^"]+)"', maps[0]).group(1)
        svg = (site / page).parent.joinpath(src).resolve().read_text(encoding="utf-8")
        assert not re.findall(r'(?:href|src)="(?!#)[^"]*"', svg), page  # the map file loads nothing
        assert "<details>" in html and "Tallene på kartet" in html, page


def test_every_number_in_the_rendered_tables_is_in_the_pages_download(built):
    site = built[0] / "reports" / "_site"
    pages = {
        "kommuner/trondheim.html": "trondheim",
        "kommuner/alesund.html": "alesund",
        "fylker/more-og-romsdal.html": "more-og-romsdal",
        "indikatorer/en-en-aq-2c.html": "indikator-en-en-aq-2c",
        "index.html": "nettverket",
    }
    for page, name in pages.items():
        html = (site / page).read_text(encoding="utf-8")
        cells = html_table_cells(html)
        assert len(cells) > 30, page
        rows = list(csv.DictReader((site / "nedlastinger" / f"{name}.csv").open(encoding="utf-8-sig")))
        assert not missing_numbers(cells, rows), page
        assert f"nedlastinger/{name}.csv" in html and "Last ned tallene" in html, page


def test_every_page_says_when_it_was_updated_and_the_datas_vintage(built):
    site = built[0] / "reports" / "_site"
    for page in _content_pages(site):
        footer = re.search(r"<footer.*?</footer>", page.read_text(encoding="utf-8"), re.S)
        text = unescape(re.sub(r"<[^>]+>", " ", footer.group(0))) if footer else ""
        assert "Sist oppdatert 3. desember 2025" in text and "Dataversjon demo-seed-2020" in text, page


def test_the_data_page_links_every_table_and_the_data_package(built):
    site = built[0] / "reports" / "_site"
    html = (site / "data.html").read_text(encoding="utf-8")
    assert re.search(r"<h1[^>]*>Last ned data</h1>", html)
    assert 'href="data.html"' in (site / "index.html").read_text(encoding="utf-8")  # in the navbar
    for name in ("observations", "catalog", "units", "targets", "progress", "comparisons"):
        for ext in ("csv", "parquet"):
            assert f'href="data/{name}.{ext}"' in html and (site / "data" / f"{name}.{ext}").is_file()
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["created"] == "2025-12-03T00:00:00Z" and package["baerekraft"]["built"] == "2025-12-03"
    assert {r["path"] for r in package["resources"]} == {p.name for p in (site / "data").iterdir()} - {
        "datapackage.json"
    }


def test_executed_notebooks_hide_parameters_and_carry_the_title(built):
    nb = nbformat.read(built[0] / "reports" / "_build" / "kommuner" / "alesund.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "raw" and 'title: "Ålesund kommune"' in nb.cells[0].source
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "remove-cell" in injected[0].metadata["tags"]
    assert 'unit_code = "1508"' in injected[0].source


def test_unchanged_notebooks_are_reused_and_changed_inputs_run_again(built):
    project = built[0]
    site = project / "reports" / "_site"
    before = (site / "kommuner" / "alesund.html").read_text(encoding="utf-8")
    new_day = {"SOURCE_DATE_EPOCH": "1767225600"}  # 1 January 2026
    again = run_report(project, env=new_day)
    assert again.returncode == 0, again.stdout + again.stderr
    n_jobs = int(re.search(r"Executing (\d+) notebooks", again.stdout).group(1))
    assert f"{n_jobs} of {n_jobs} reused unchanged" in again.stdout  # the date is not in any page's fingerprint
    assert f"downloads: 0 made, {n_jobs} reused" in again.stdout
    n_pdfs = len(list((site / "pdf").glob("*.pdf")))
    assert n_pdfs == 5 and f"annual reports: {n_pdfs} made, 0 reused" in again.stdout  # a new date on every cover
    after = (site / "kommuner" / "alesund.html").read_text(encoding="utf-8")
    assert "Sist oppdatert 1. januar 2026" in after
    assert after.replace("1. januar 2026", "3. desember 2025") == before

    # one member's local target changes: its page, that indicator's page and the front page run again
    targets = project / "params" / "targets.csv"
    text = targets.read_text(encoding="utf-8")
    assert "EN:EN:AQ:2C,5001,2.0," in text
    targets.write_text(text.replace("EN:EN:AQ:2C,5001,2.0,", "EN:EN:AQ:2C,5001,2.2,"), encoding="utf-8")
    alesund_pdf = (site / "pdf" / "alesund.pdf").read_bytes()
    one = run_report(project, env=new_day)  # the same day: an unchanged page's PDF is reused
    assert one.returncode == 0, one.stdout + one.stderr
    made = re.findall(r"^      ok   (.+?) \(\d+\.\d s\)$", one.stdout, flags=re.M)  # the PDFs made again
    assert "5001 Trondheim" in made and "1508 Ålesund" not in made, made  # (the front page may show the same)
    assert f"annual reports: {len(made)} made, {n_pdfs - len(made)} reused" in one.stdout
    assert (site / "pdf" / "alesund.pdf").read_bytes() == alesund_pdf
    ran = dict(re.findall(r"\] ok   (.+?) \(\d+\.\d s\)  \[(.+?)\]", one.stdout))
    changed_pages = {"5001 Trondheim", "Nettverket (forside)", "EN:EN:AQ:2C"}  # a key KPI: it has a page
    assert set(ran) == changed_pages | {f"{page} [en]" for page in changed_pages}, ran  # in both languages
    assert set(ran.values()) == {"data changed"}
    assert f"{n_jobs - len(ran)} of {n_jobs} reused unchanged; running {len(ran)} data changed" in one.stdout
    assert f"downloads: {len(ran)} made, {n_jobs - len(ran)} reused" in one.stdout

    settings = project / "params" / "report.yaml"  # fewer indicator pages: the processed metadata changes
    settings.write_text(
        re.sub(r"^indicator_pages: \w+", "indicator_pages: none", settings.read_text(encoding="utf-8"), flags=re.M),
        encoding="utf-8",
    )
    changed = run_report(project, env=EPOCH)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert "reused unchanged" not in changed.stdout
    assert len(re.findall(r"\] ok  ", changed.stdout)) == 2 * 5  # four members and the front page, twice
    assert not (site / "indikatorer").exists() and not (site / "en" / "indikatorer").exists()


def test_a_fresh_rebuild_from_the_same_input_gives_identical_pages(built):
    """No clock time, duration, temporary path or random id in an executed page, a figure or a download."""
    project = built[0]
    site = project / "reports" / "_site"

    def snapshot() -> dict:
        files = [*site.rglob("*"), *(project / "reports").glob("_build*/**/*.ipynb")]
        return {p: p.read_bytes() for p in files if p.is_file() and p.suffix != ".pdf"}

    before = snapshot()
    result = run_report(project, "--fresh", env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    after = snapshot()
    assert sorted(map(str, after)) == sorted(map(str, before))
    changed = [str(p.relative_to(project)) for p in before if before[p] != after[p]]
    assert not changed, changed[:10]


def test_failing_unit_exits_non_zero_keeps_the_others_and_the_previous_site(tmp_path):
    project = make_project(tmp_path, indicator_pages="none")
    template = project / "notebooks" / "municipality.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('if unit_code == "1508":\n    raise RuntimeError("simulert feil")'))
    nbformat.write(nb, template)
    previous = project / "reports" / "_site"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("forrige versjon", encoding="utf-8")

    result = run_report(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 of 10 notebooks failed" in result.stdout  # Ålesund's page in both languages
    assert "RuntimeError: simulert feil" in result.stdout
    assert (previous / "index.html").read_text(encoding="utf-8") == "forrige versjon"
    assert (project / "reports" / "_failed" / "alesund.ipynb").is_file()
    assert (project / "reports" / "_failed" / "en-alesund.ipynb").is_file()  # beside it, not over it
    for built_page in ("kommuner/trondheim.ipynb", "kommuner/kristiansund.ipynb", "index.ipynb"):
        assert (project / "reports" / "_build" / built_page).is_file(), built_page
        assert (project / "reports" / "_build-en" / built_page).is_file(), built_page


def test_a_failing_annual_report_exits_non_zero_keeps_the_others_and_the_previous_site(tmp_path):
    project = make_project(tmp_path, indicator_pages="none")
    template = project / "notebooks" / "municipality.ipynb"
    nb = nbformat.read(template, as_version=4)
    broken = 'if unit_code == "1508":\n    show("```{=typst}\\n#panic(\\"simulert PDF-feil\\")\\n```\\n")'
    nb.cells.insert(2, nbformat.v4.new_code_cell(broken))  # the page is fine, its PDF cannot be made
    nbformat.write(nb, template)
    previous = project / "reports" / "_site"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("forrige versjon", encoding="utf-8")

    result = run_report(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 of 5 annual reports failed" in result.stdout and "simulert PDF-feil" in result.stdout
    assert (previous / "index.html").read_text(encoding="utf-8") == "forrige versjon"
    made = sorted(p.name for p in (project / "reports" / "_build" / "pdf").glob("*.pdf"))
    assert made == ["kristiansund.pdf", "more-og-romsdal.pdf", "nettverket.pdf", "trondheim.pdf"]


def test_unknown_parameter_type_stops_before_any_notebook_runs(tmp_path):
    project = make_project(
        tmp_path,
        network=(
            'members:\n  - {code: "5001", name: Trondheim, type: kommune, county: "50"}\ncounties: {"50": Trøndelag}\n'
        ),
    )
    template = project / "notebooks" / "municipality.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("unit_code: str", "unit_code: int").replace('"5001"', "5001")
    nbformat.write(nb, template)
    result = run_report(project)
    assert result.returncode == 2
    assert "'unit_code' must be int, got str '5001'" in result.stderr
    assert not (project / "reports" / "_build" / "kommuner").exists()


def _pdf_text(path: Path) -> tuple[str, object]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text), reader


def test_one_annual_report_per_member_and_the_network_linked_from_its_page(built):
    site = built[0] / "reports" / "_site"
    assert sorted(p.name for p in (site / "pdf").glob("*.pdf")) == [
        "alesund.pdf",
        "kristiansund.pdf",
        "more-og-romsdal.pdf",
        "nettverket.pdf",
        "trondheim.pdf",
    ]
    assert 'href="../pdf/alesund.pdf"' in (site / "kommuner" / "alesund.html").read_text(encoding="utf-8")
    assert 'href="pdf/nettverket.pdf"' in (site / "index.html").read_text(encoding="utf-8")
    assert "annual reports (PDF)" in built[1]


def test_annual_report_is_accessible_text_with_the_pages_numbers(built):
    """Real text in bokmål with a title, bookmarks and tags; the member's name, year, demo notice and the
    values of its page (read from the page's HTML, not from the code that made the PDF)."""
    site = built[0] / "reports" / "_site"
    text, reader = _pdf_text(site / "pdf" / "alesund.pdf")
    assert reader.metadata.title == "Ålesund kommune"
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("nb")  # bokmål (nb-NO)
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    bookmarks = [o.title for o in reader.outline if not isinstance(o, list)]
    assert bookmarks[bookmarks.index("Sammendrag") :][:3] == ["Sammendrag", "De tre dimensjonene", "Alle indikatorer"]
    assert 8 <= len(reader.pages) <= 40
    assert "Ålesund kommune" in text and "Årsrapport 2024" in text and "Demonstrasjonsdata" in text
    page = (site / "kommuner" / "alesund.html").read_text(encoding="utf-8")
    rows = re.findall(
        r'<td data-label="Indikator"[^>]*>(.*?)</td>\s*<td[^>]*>(\d{4})</td>\s*<td[^>]*>(.*?)</td>', page, re.S
    )
    assert len(rows) > 50
    flat = text.replace("\u00a0", " ").replace("\u2009", " ")
    for _, year, value in rows[:40:4]:  # every fourth of the first forty KPI rows of the page
        shown = unescape(re.sub(r"<[^>]+>", "", value)).replace("\u00a0", " ")
        assert shown in flat, shown
    network_text, network = _pdf_text(site / "pdf" / "nettverket.pdf")
    assert network.metadata.title == SMALL_NETWORK_NAME and "3 kommuner og 1 fylkeskommune" in network_text


def test_one_members_annual_report_on_its_own(built):
    project = built[0]
    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
    run = [sys.executable, "-m", "analysis", "annual-report"]
    result = subprocess.run([*run, "1508"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    text, reader = _pdf_text(project / "reports" / "_annual" / "alesund.pdf")
    assert reader.metadata.title == "Ålesund kommune" and "Årsrapport 2024" in text
    unknown = subprocess.run([*run, "9999"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert unknown.returncode == 2 and "'9999' is not a member" in unknown.stderr


@pytest.mark.quarto
@pytest.mark.skipif(find_quarto() is None, reason="Quarto is not installed (pip install quarto-cli)")
def test_real_quarto_renders_the_project(built):
    site = built[0] / "reports" / "_site"
    assert re.search(r'<html\b[^>]*\blang="nb"', (site / "index.html").read_text(encoding="utf-8"))
