"""The annual report: one A4 PDF per member and one for the network, from the pages' own content.

The PDF is made from the executed notebook of the page, so every number in it is the site's number:
the Markdown the notebook shows (its Markdown cells and the Markdown outputs of its code cells) goes
through pandoc (``pypandoc-binary``) to Typst, inside a template with a cover, a table of contents,
a running header (with "Demonstrasjonsdata" on demonstration data), page numbers and a short
methods appendix, and the ``typst`` package compiles it. Both come from PyPI; no LaTeX, no browser,
nothing is downloaded. The fonts are the DejaVu fonts that Matplotlib installs (æ, ø, å and a real
minus sign), the same the figures use, so nothing depends on the machine's fonts.

The PDF is tagged (PDF/UA-1 where Typst accepts the document, else tagged without the claim), has
``nb`` as its language and the page title as its title; headings become bookmarks, figures are
vector (the page's SVG) with their alternative text.

What only the site has is left out: the demo notice box (the cover and the header say it), links to
other pages (their text stays) and the download links.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from analysis.core.atomic import atomic_path
from analysis.core.clock import source_date_epoch
from analysis.core.filecache import FileCache
from analysis.site.render import FIGURES_DIR

FIGURE = re.compile(
    r'<figure[^>]*>\s*(?:<div[^>]*>)?<img src="([^"]+)" alt="([^"]*)"[^>]*>(?:</div>)?\s*<figcaption>(.*?)</figcaption>'
    r"\s*</figure>",
    re.S,
)
CALLOUT = re.compile(r"^::: \{\.callout-[a-z]+\}\n.*?^:::\n", re.S | re.M)
DOWNLOADS = re.compile(r"^\[⬇.*\n?", re.M)
LOCAL_LINK = re.compile(r"\[([^\]]*)\]\((?![a-z]+:)[^)]*\)")
RULE = re.compile(r"^---\n", re.M)


def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def typst_string(text: str) -> str:
    """Text (with HTML character references, as the pages hold it) as a Typst string literal."""
    plain = html.unescape(text)
    return '"' + plain.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _figure(match: re.Match) -> str:
    src, alt, caption = match.groups()
    return (
        "\n```{=typst}\n"
        f"#figure(image({typst_string(src)}, alt: {typst_string(alt)}, width: 100%), "
        f"caption: {typst_string(caption)})\n"
        "```\n"
    )


def page_markdown(notebook: Path) -> str:
    """The Markdown a page shows, ready for print: figures as Typst figures, links as their text."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        if "remove-cell" in cell.get("metadata", {}).get("tags", []) or cell.cell_type == "raw":
            continue
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text:
                parts.append("".join(text))
    markdown = "\n\n".join(parts)
    markdown = CALLOUT.sub("", markdown)
    markdown = DOWNLOADS.sub("", markdown)
    markdown = RULE.sub("", markdown)
    markdown = FIGURE.sub(_figure, markdown)
    for page_words, report_words in PRINT_WORDS.items():
        markdown = markdown.replace(page_words, report_words)
    return LOCAL_LINK.sub(r"\1", markdown)


COLUMNS = re.compile(r"columns: \(([^)]*)\)")


def _widths(match: re.Match) -> str:
    """Pandoc gives every column of a pipe table the same width; the first (the indicator's or member's
    name) needs the most room, and a two-column fact table its labels' width."""
    n = len([c for c in match.group(1).split(",") if c.strip()])
    if n == 2:
        return "columns: (auto, 1fr)"
    return "columns: (" + ", ".join(["2.4fr"] + ["1fr"] * (n - 1)) + ")"


def to_typst(markdown: str) -> str:
    import pypandoc

    # '## Section' of the page is a chapter of the report
    typst = pypandoc.convert_text(markdown, "typst", format="markdown", extra_args=["--shift-heading-level-by=-1"])
    return COLUMNS.sub(_widths, typst)


#: A page speaks of itself as a page; in print it is the report.
PRINT_WORDS = {"Denne siden viser": "Denne rapporten viser", "på denne siden": "i denne rapporten"}


def appendix_markdown() -> str:
    """The short methods appendix: each section of the methods page with its first paragraph."""
    from analysis.pages.text_nb import SECTIONS

    parts = []
    for title, text in SECTIONS.values():
        first = text.strip().split("\n\n")[0]
        parts.append(f"### {title}\n\n{first}\n")  # level 2 in the report, under "Metode i korte trekk"
    return "\n".join(parts)


@dataclass
class Cover:
    title: str  # the member's page title, e.g. "Ålesund kommune"
    subtitle: str  # e.g. "Møre og Romsdal" or "15 kommuner og 1 fylkeskommune"
    year: int
    network: str
    is_demo: bool
    data_date: str  # the data's vintage, e.g. "2025-06-30"


TEMPLATE = """\
#set document(title: {title}, author: {network})
#set text(lang: "nb", region: "NO", font: "DejaVu Sans", size: 9.5pt, hyphenate: true)
#set par(justify: false, leading: 0.62em)
#set page(
  paper: "a4",
  margin: (x: 2cm, top: 2.4cm, bottom: 2.2cm),
  header: context {{
    if counter(page).get().first() > 1 {{
      set text(size: 8pt, fill: rgb("#474f57"))
      [{header_left}]
      h(1fr)
      {demo_header}
    }}
  }},
  footer: context {{
    if counter(page).get().first() > 1 {{
      set text(size: 8pt, fill: rgb("#474f57"))
      h(1fr)
      [Side #counter(page).display() av #counter(page).final().first()]
    }}
  }},
)
#set heading(numbering: none)
#show heading.where(level: 1): it => {{
  v(0.8em)
  set text(size: 15pt, fill: rgb("#0b3a66"))
  it
  v(0.3em)
}}
#show heading.where(level: 2): set text(size: 12pt, fill: rgb("#0b3a66"))
#show figure: set block(breakable: true)
#show figure.where(kind: table): set figure.caption(position: top)
#show table: set text(size: 7.5pt)
#set table(stroke: (x, y) => (bottom: 0.4pt + rgb("#c9d1d9")), inset: (x: 4pt, y: 3pt))
#show table.cell.where(y: 0): set text(weight: "bold")
#show link: it => it.body

// the cover
#page(margin: (x: 2.5cm, y: 3cm))[
  #set text(fill: rgb("#1f2328"))
  #v(1fr)
  #text(size: 11pt, fill: rgb("#474f57"))[{network_content} · U4SSC-indikatorer for smarte og bærekraftige byer]
  #v(0.6em)
  #text(size: 28pt, weight: "bold", fill: rgb("#0b3a66"))[{title_content}]
  #v(0.3em)
  #text(size: 14pt)[{subtitle_content}]
  #v(1.2em)
  #text(size: 20pt)[Årsrapport {year}]
  #v(2em)
  {demo_cover}
  #v(1fr)
  #text(size: 9pt, fill: rgb("#474f57"))[Dataversjon: {data_date}. Tallene, figurene og metodene er de samme
  som på nettstedet; metodene er beskrevet kort bakerst og fullt ut på nettstedets metodeside.]
]

#outline(title: [Innhold], depth: 2)
#pagebreak()

{body}

#pagebreak()
= Metode i korte trekk
{appendix}
"""


@functools.cache
def appendix_typst() -> str:
    """The appendix in Typst, converted once per process: it is the same in every report (one pandoc run
    less per PDF, 0.06 s each, 20 s of a national build's 373)."""
    return to_typst(appendix_markdown())


def document(cover: Cover, body_typst: str, appendix_typst: str) -> str:
    def content(text: str) -> str:
        return f"#{typst_string(text)}"

    demo = cover.is_demo
    return TEMPLATE.format(
        title=typst_string(cover.title),
        network=typst_string(cover.network),
        network_content=content(cover.network),
        header_left=content(f"{cover.title} · Årsrapport {cover.year}"),
        demo_header='text(weight: "bold", fill: rgb("#8a1547"))[Demonstrasjonsdata]' if demo else "",
        title_content=content(cover.title),
        subtitle_content=content(cover.subtitle),
        year=cover.year,
        demo_cover=(
            '#block(stroke: 1.5pt + rgb("#8a1547"), inset: 10pt, radius: 3pt)[#text(weight: "bold", '
            'fill: rgb("#8a1547"))[Demonstrasjonsdata] \\ Tallene i denne rapporten er trukket tilfeldig og sier '
            "ingenting om kommunens faktiske bærekraft.]"
            if demo
            else ""
        ),
        data_date=content(cover.data_date),
        body=body_typst,
        appendix=appendix_typst,
    )


def compile_pdf(source: str, typ_path: Path, pdf_path: Path, root: Path) -> str:
    """Compile ``source`` (written to ``typ_path``, next to the page's figures) into ``pdf_path``
    atomically; returns the PDF standard it meets ("ua-1", or "" when Typst refused the claim)."""
    typ_path.write_text(source, encoding="utf-8")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    compiler = typst_compiler(str(root))
    common = dict(input=str(typ_path), format="pdf")
    if source_date_epoch() is not None:  # reproducible builds: the PDF's date is the source's
        common["timestamp"] = source_date_epoch()
    with atomic_path(pdf_path) as tmp:
        try:
            compiler.compile(output=str(tmp), pdf_standards=["ua-1"], **common)
            return "ua-1"
        except Exception:  # noqa: BLE001 - Typst refuses the PDF/UA claim for some documents; tagged is still made
            compiler.compile(output=str(tmp), pdf_standards=[], **common)
            return ""


@functools.lru_cache(maxsize=1)
def typst_compiler(root: str):
    """One Typst compiler per process and project: it reads the fonts once and reads each document and
    figure again at every compile (a changed file is seen). A new compiler per PDF spent 0.9 s of a national
    report's 1 s loading the fonts; a kept one compiles it in 0.1 s, the same bytes."""
    import typst

    return typst.Compiler(root=root, font_paths=[str(font_dir())], ignore_system_fonts=True)


@dataclass
class AnnualReport:
    """One PDF to make: from the executed notebook of a page."""

    code: str  # the member's code, or "nettverket"
    label: str
    notebook: Path
    pdf: Path
    cover: Cover


@dataclass
class AnnualResult:
    report: AnnualReport
    ok: bool
    seconds: float
    standard: str = ""
    error: str = ""
    reused: bool = False


def annual_reports(data, staging: Path, network_title: str) -> list[AnnualReport]:
    """The network's report and one per member, from the notebooks executed into ``staging``."""
    from analysis.pages.content import members_text, unit_title
    from analysis.site.render import unit_page

    vintages = data.metadata.get("vintages", [])
    date = max(vintages) if vintages else str(data.metadata.get("built", ""))[:10]
    towns = int((data.members["type"] == "kommune").sum())
    counties = int((data.members["type"] == "fylke").sum())
    members = members_text(towns, counties)
    reports = [
        AnnualReport(
            "nettverket",
            "Nettverket",
            staging / "index.ipynb",
            staging / "pdf" / "nettverket.pdf",
            Cover(network_title, members, data.report_year, network_title, data.is_demo, date),
        )
    ]
    for _, unit in data.members.iterrows():
        subtitle = unit["county_name"] if unit["type"] == "kommune" else "Fylkeskommune"
        reports.append(
            AnnualReport(
                unit["unit_code"],
                f"{unit['unit_code']} {unit['name']}",
                staging / unit_page(unit),
                staging / "pdf" / f"{unit['slug']}.pdf",
                Cover(
                    unit_title(data, unit["unit_code"]), subtitle, data.report_year, network_title, data.is_demo, date
                ),
            )
        )
    return reports


def make_annual_report(report: AnnualReport, root: Path) -> AnnualResult:
    """One PDF; a failure is returned, never raised, so that one report cannot stop the others."""
    import time

    start = time.perf_counter()
    typ = report.notebook.with_name(f".{report.notebook.stem}.annual.typ")
    try:
        body = to_typst(page_markdown(report.notebook))
        source = document(report.cover, body, appendix_typst())
        standard = compile_pdf(source, typ, report.pdf, root)
        return AnnualResult(report, True, time.perf_counter() - start, standard)
    except Exception as exc:  # noqa: BLE001 - reported per PDF, like a failing notebook
        text = str(exc).strip().splitlines()
        return AnnualResult(
            report, False, time.perf_counter() - start, error=f"{type(exc).__name__}: {text[0] if text else ''}"
        )
    finally:
        typ.unlink(missing_ok=True)


def make_annual_reports(
    reports: list[AnnualReport], root: Path, workers: int = 1, cache_dir: Path | None = None
) -> list[AnnualResult]:
    """All PDFs, in ``workers`` processes (Typst is single-threaded per document).

    With ``cache_dir``, a report whose inputs are unchanged (:func:`report_key`: its executed page, its cover,
    this module, the Typst and pandoc versions, the build's date) is copied from the cache instead of made
    again, so that a corrected value re-makes only the PDFs whose pages changed; cached PDFs no report uses any
    more are removed."""
    cache = FileCache(cache_dir, ".pdf") if cache_dir is not None else None
    keys = {r.pdf: report_key(r) for r in reports} if cache is not None else {}
    results: dict[Path, AnnualResult] = {}
    todo = []
    for r in reports:
        if cache is not None and cache.fetch(keys[r.pdf], r.pdf):
            results[r.pdf] = AnnualResult(r, True, 0.0, reused=True)
        else:
            todo.append(r)
    if workers <= 1 or len(todo) <= 1:
        made = [make_annual_report(r, root) for r in todo]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            made = list(pool.map(make_annual_report, todo, [root] * len(todo)))
    for result in made:
        results[result.report.pdf] = result
        if cache is not None and result.ok:
            cache.store(keys[result.report.pdf], result.report.pdf)
    if cache is not None:
        cache.drop_unused()
    return [results[r.pdf] for r in reports]


def report_key(report: AnnualReport) -> str:
    """What a PDF is made from: the executed notebook and the figure files it names (the build has moved
    them out of the page), the cover, this module (the template, the conversion), the versions of Typst and
    pandoc and the date a reproducible build stamps."""
    page = report.notebook.read_bytes()
    digest = hashlib.sha256(page)
    for name in sorted(set(FIGURE_FILE.findall(page.decode("utf-8")))):
        digest.update(name.encode() + (report.notebook.parent / name).read_bytes())
    digest.update(repr(report.cover).encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(repr((tool_versions(), source_date_epoch())).encode())
    return digest.hexdigest()


FIGURE_FILE = re.compile(rf'src=\\?"({FIGURES_DIR}/[^"\\]+)\\?"')  # in the notebook's JSON: src=\\"figurer/...\\"


@functools.cache
def tool_versions() -> tuple[str, str]:
    import pypandoc
    import typst

    return getattr(typst, "__version__", ""), str(pypandoc.get_pandoc_version())
