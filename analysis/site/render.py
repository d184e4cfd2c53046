"""Assemble and render the report site: Quarto where it is installed, smalldocs otherwise.

The Quarto project in ``reports/`` is copied into ``reports/_build/`` together with the executed
notebooks, the downloads and the navigation for the members being built; the site is rendered there
and only then moved to ``reports/_site`` in one rename, so a failed build never touches the
published site.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import yaml

from analysis.core.atomic import new_generation, switch_to, write_atomic_text
from analysis.pages import language
from analysis.pages.present import demo_notice, esc
from analysis.site import languages, navigation
from analysis.site.finish import finish_site

#: The hand-written project: files every language shares, and the pages written once per language (the main
#: language's in ``reports/``, another's in ``reports/<code>/``).
SHARED_FILES = ("_quarto.yml", "styles.css")
PAGE_FILES = ("metode.qmd", "om-dataene.qmd", "data.qmd")


def find_quarto() -> str | None:
    """Quarto from ``QUARTO_PATH`` or the PATH (``pip install quarto-cli`` puts it there)."""
    explicit = os.environ.get("QUARTO_PATH")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return shutil.which("quarto")


def unit_page(unit: pd.Series) -> str:
    """The executed notebook of a member, relative to the project (the page is the same path in .html)."""
    from analysis.pages.content import unit_href

    return unit_href(unit["type"], unit["slug"]).removesuffix(".html") + ".ipynb"


def indicator_page(slug: str) -> str:
    return f"indikatorer/{slug}.ipynb"


def site_footer(metadata: dict, network_name: str = "Bærekraftsnettverket", lang: str = language.DEFAULT) -> str:
    """The footer of every page: the network, «Sist oppdatert» (the build's date, ``SOURCE_DATE_EPOCH`` when
    set) and the data's vintage, all escaped (both renderers read the footer as Markdown). It lives in
    ``_quarto.yml``, not in the pages, so a new date re-executes no notebook."""
    text = language.texts(lang)
    vintage = ", ".join(metadata.get("vintages", [])) or "–"
    date = text.date_long(str(metadata.get("built", "")))
    return text.FOOTER.format(network=esc(network_name), date=esc(date), vintage=esc(vintage))


def prepare_project(
    source: Path,
    staging: Path,
    units: pd.DataFrame,
    indicators: pd.DataFrame,
    is_demo: bool,
    methods: dict | None = None,
    network_name: str | None = None,
    footer: str | None = None,
    lang: str = language.DEFAULT,
) -> None:
    """Copy the hand-written project into ``staging`` (one language's project, see
    :func:`analysis.site.languages.staging_of`) and add what the build knows: the network's name, the
    navigation (:mod:`analysis.site.navigation`: the constant sidebar, the members and indicators pages,
    every page's breadcrumbs), the notice, the footer and the interface strings, all in ``lang``. The
    downloads are written by :mod:`analysis.site.downloads` and :mod:`analysis.site.datapage`."""
    text = language.texts(lang)
    staging.mkdir(parents=True, exist_ok=True)
    for name in SHARED_FILES:
        shutil.copy2(source / name, staging / name)
    pages = source / languages.prefix(lang)
    for name in PAGE_FILES:
        shutil.copy2(pages / name, staging / name)
    config = yaml.safe_load((source / "_quarto.yml").read_text(encoding="utf-8"))
    quarto = find_quarto() is not None
    has_indicators = len(indicators) > 0
    speak(config, lang)
    config["website"]["sidebar"]["contents"] = navigation.sidebar(has_indicators, lang)
    config["project"]["render"] += [
        p for p in navigation.generated_pages(has_indicators) if p not in config["project"]["render"]
    ]
    with languages.speaking(lang):
        write_atomic_text(navigation.members_page(units, lang), staging / navigation.MEMBERS_PAGE)
        if has_indicators:
            write_atomic_text(navigation.indicators_page(indicators, lang), staging / navigation.INDICATORS_PAGE)
        crumbs = navigation.breadcrumbs(units, indicators, lang)
        notice = demo_notice() if is_demo else ""
    write_atomic_text(json.dumps(crumbs, ensure_ascii=False, indent=0), staging / navigation.BREADCRUMBS_FILE)
    if network_name:
        name_network(config["website"], network_name, quarto, lang)
    if footer is not None:
        config["website"]["page-footer"]["center"] = footer
    write_atomic_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), staging / "_quarto.yml")
    write_atomic_text(notice, staging / "_notice.md")
    write_atomic_text(
        language.methods_markdown(lang=lang) + (text.method_settings_markdown(methods) if methods else ""),
        staging / "_metoder.md",
    )
    write_atomic_text(SKIP_LINK.format(text=text.SITE["skip_link"]), staging / "_skip-link.html")
    write_atomic_text(
        ANCHOR_LABELS.replace("LABEL", json.dumps(text.SITE["anchor"], ensure_ascii=False)),
        staging / "_anchor-labels.html",
    )


SKIP_LINK = '<a class="skip-link" href="#quarto-document-content">{text}</a>\n'
#: Quarto labels its section anchors "Anchor" in every language: the script says it in the page's language.
ANCHOR_LABELS = """\
<script>
window.addEventListener("load", function () {
  document.querySelectorAll("a.anchorjs-link").forEach(function (a) {
    a.setAttribute("aria-label", LABEL);
  });
});
</script>
"""


def speak(config: dict, lang: str) -> None:
    """The hand-written ``_quarto.yml`` in ``lang``: Quarto's own interface strings (``lang``), the
    table of contents' title and the navbar's texts (the sidebar's, by the page each one opens)."""
    text = language.texts(lang)
    html = config["format"]["html"]
    html["lang"] = lang
    html["toc-title"] = text.SITE["toc_title"]
    keys = dict(navigation.SIDEBAR)
    for item in config["website"]["navbar"]["left"]:
        item["text"] = text.NAV[keys[item["href"]]]


def name_network(website: dict, name: str, quarto: bool, lang: str = language.DEFAULT) -> None:
    """The site's title, description and footer carry ``network.name`` from params, in place of the
    hand-written project's «Bærekraftsnettverket». Both renderers read the footer as Markdown, and Quarto
    the title too, so there the name is escaped; the fallback escapes the title itself as plain text
    (escaping it twice would show ``&#38;``). The browser tests check both with a hostile name."""
    site = language.texts(lang).SITE
    title = esc(name) if quarto else " ".join(name.split())
    website["title"] = title
    website["description"] = site["description"].format(network=title)
    website["page-footer"]["center"] = site["footer"].format(network=esc(name))


FIGURES_DIR = "figurer"
_DATA_IMAGE = re.compile(r'src="data:image/(svg\+xml|png);base64,([A-Za-z0-9+/=]+)"')


def externalise_figures(staging: Path) -> int:
    """Move every figure of the executed notebooks out of the page into ``figurer/<page>-<n>.svg`` next
    to it, so that pages stay small and figures are cached, saved and printed as images. The notebooks
    in the cache keep theirs inside (a notebook opened on its own still shows its figures)."""
    written = 0
    for path in sorted(staging.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        count = 0

        def to_file(match: re.Match) -> str:
            nonlocal count
            count += 1
            ext = "svg" if match.group(1) == "svg+xml" else "png"
            name = f"{FIGURES_DIR}/{path.stem}-{count}.{ext}"
            (path.parent / FIGURES_DIR).mkdir(exist_ok=True)
            (path.parent / name).write_bytes(base64.b64decode(match.group(2)))
            return f'src="{name}"'

        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/markdown" in data:
                    text = "".join(data["text/markdown"])
                    data["text/markdown"] = _DATA_IMAGE.sub(to_file, text)
        if count:
            nbformat.write(nb, path)
            written += count
    return written


@dataclass
class RenderResult:
    renderer: str
    site: Path
    pages: int
    warnings: list[str]


def render(staging: Path, quiet: bool = True, langs: tuple[str, ...] = (language.DEFAULT,)) -> RenderResult:
    """Render each language's project (``staging``, ``staging/en``, ...) with Quarto, or with smalldocs
    when Quarto is missing, finish each in its language, put the others into the main site's ``<code>/``
    and link every page to its other languages (:func:`analysis.site.languages.link_languages`)."""
    quarto = find_quarto()
    site = staging / "_site"
    warnings: list[str] = []
    main, others = langs[0], langs[1:]
    for lang in langs:
        project = languages.staging_of(staging, lang, main)
        warnings += _render_one(project, quarto, quiet)
        crumbs = project / navigation.BREADCRUMBS_FILE
        finish_site(
            project / "_site", json.loads(crumbs.read_text(encoding="utf-8")) if crumbs.is_file() else None, lang
        )
    for lang in others:
        os.replace(languages.staging_of(staging, lang, main) / "_site", site / lang)
        languages.share(site, site / lang)  # the renderers copied them: one file again, two names
    languages.link_languages(site, langs)
    renderer = f"Quarto ({quarto})" if quarto else "smalldocs (pure-Python fallback; Quarto not found)"
    pages = sum(1 for _ in site.rglob("*.html"))
    return RenderResult(renderer, site, pages, warnings)


def _render_one(project: Path, quarto: str | None, quiet: bool) -> list[str]:
    """One language's project into ``project/_site``; returns the renderer's warnings."""
    warnings: list[str] = []
    site = project / "_site"
    if quarto:
        subprocess.run([quarto, "render", str(project), "--no-execute"] + (["--quiet"] if quiet else []), check=True)
    else:
        from smalldocs.site import build

        warnings = list(build(project, quiet=quiet).warnings)
    for name in ("nedlastinger", "pdf", "data"):  # for a renderer that ignores `resources`
        if (project / name).is_dir() and not (site / name).is_dir():
            shutil.copytree(project / name, site / name)
    for folder in project.rglob(FIGURES_DIR):
        target = site / folder.relative_to(project)
        if folder.is_dir() and not folder.is_relative_to(site) and not target.is_dir():
            shutil.copytree(folder, target)
    return warnings


def publish(built_site: Path, target: Path) -> None:
    """Make the new site the published one in one atomic step: it becomes a new generation beside the
    others and ``target`` (a symlink) is switched to it, so there is never a moment without a site
    (:func:`analysis.core.atomic.switch_to`); the previous generation is kept."""
    target = Path(target)
    generation = new_generation(target)
    generation.rmdir()
    os.replace(built_site, generation)
    switch_to(generation, target)
