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
from analysis.pages.present import demo_notice, esc
from analysis.pages.text_nb import FOOTER, date_long, method_settings_markdown, methods_markdown
from analysis.site import navigation
from analysis.site.finish import finish_site

SOURCE_FILES = (
    "_quarto.yml",
    "styles.css",
    "_skip-link.html",
    "_anchor-labels.html",
    "metode.qmd",
    "om-dataene.qmd",
    "data.qmd",
)


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


def site_footer(metadata: dict, network_name: str = "Bærekraftsnettverket") -> str:
    """The footer of every page: the network, «Sist oppdatert» (the build's date, ``SOURCE_DATE_EPOCH`` when
    set) and the data's vintage, all escaped (both renderers read the footer as Markdown). It lives in
    ``_quarto.yml``, not in the pages, so a new date re-executes no notebook."""
    vintage = ", ".join(metadata.get("vintages", [])) or "–"
    date = date_long(str(metadata.get("built", "")))
    return FOOTER.format(network=esc(network_name), date=esc(date), vintage=esc(vintage))


def prepare_project(
    source: Path,
    staging: Path,
    units: pd.DataFrame,
    indicators: pd.DataFrame,
    is_demo: bool,
    methods: dict | None = None,
    network_name: str | None = None,
    footer: str | None = None,
) -> None:
    """Copy the hand-written project into ``staging`` and add what the build knows: the network's name,
    the navigation (:mod:`analysis.site.navigation`: the constant sidebar, the members and indicators
    pages, every page's breadcrumbs), the notice and the footer. The downloads are written by
    :mod:`analysis.site.downloads` and :mod:`analysis.site.datapage`."""
    staging.mkdir(parents=True, exist_ok=True)
    for name in SOURCE_FILES:
        shutil.copy2(source / name, staging / name)
    config = yaml.safe_load((source / "_quarto.yml").read_text(encoding="utf-8"))
    quarto = find_quarto() is not None
    has_indicators = len(indicators) > 0
    config["website"]["sidebar"]["contents"] = navigation.sidebar(has_indicators)
    config["project"]["render"] += [
        p for p in navigation.generated_pages(has_indicators) if p not in config["project"]["render"]
    ]
    write_atomic_text(navigation.members_page(units), staging / navigation.MEMBERS_PAGE)
    if has_indicators:
        write_atomic_text(navigation.indicators_page(indicators), staging / navigation.INDICATORS_PAGE)
    crumbs = navigation.breadcrumbs(units, indicators)
    write_atomic_text(json.dumps(crumbs, ensure_ascii=False, indent=0), staging / navigation.BREADCRUMBS_FILE)
    if network_name:
        name_network(config["website"], network_name, quarto)
    if footer is not None:
        config["website"]["page-footer"]["center"] = footer
    write_atomic_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), staging / "_quarto.yml")
    write_atomic_text(demo_notice() if is_demo else "", staging / "_notice.md")
    write_atomic_text(
        methods_markdown() + (method_settings_markdown(methods) if methods else ""), staging / "_metoder.md"
    )


def name_network(website: dict, name: str, quarto: bool) -> None:
    """The site's title, description and footer carry ``network.name`` from params, in place of the
    hand-written project's «Bærekraftsnettverket». Both renderers read the footer as Markdown, and Quarto
    the title too, so there the name is escaped; the fallback escapes the title itself as plain text
    (escaping it twice would show ``&#38;``). The browser tests check both with a hostile name."""
    title = esc(name) if quarto else " ".join(name.split())
    website["title"] = title
    website["description"] = f"U4SSC-indikatorer for medlemmene i {title}"
    website["page-footer"]["center"] = f"{esc(name)} · U4SSC-indikatorer for smarte og bærekraftige byer"


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


def render(staging: Path, quiet: bool = True) -> RenderResult:
    """Render ``staging`` into ``staging/_site`` with Quarto, or with smalldocs when Quarto is missing."""
    quarto = find_quarto()
    site = staging / "_site"
    warnings: list[str] = []
    if quarto:
        subprocess.run([quarto, "render", str(staging), "--no-execute"] + (["--quiet"] if quiet else []), check=True)
        renderer = f"Quarto ({quarto})"
    else:
        from smalldocs.site import build

        warnings = build(staging, quiet=quiet).warnings
        renderer = "smalldocs (pure-Python fallback; Quarto not found)"
    for name in ("nedlastinger", "pdf", "data"):  # for a renderer that ignores `resources`
        if (staging / name).is_dir() and not (site / name).is_dir():
            shutil.copytree(staging / name, site / name)
    for folder in staging.rglob(FIGURES_DIR):
        target = site / folder.relative_to(staging)
        if folder.is_dir() and not folder.is_relative_to(site) and not target.is_dir():
            shutil.copytree(folder, target)
    crumbs = staging / navigation.BREADCRUMBS_FILE
    finish_site(site, json.loads(crumbs.read_text(encoding="utf-8")) if crumbs.is_file() else None)
    pages = sum(1 for _ in site.rglob("*.html"))
    return RenderResult(renderer, site, pages, list(warnings))


def publish(built_site: Path, target: Path) -> None:
    """Make the new site the published one in one atomic step: it becomes a new generation beside the
    others and ``target`` (a symlink) is switched to it, so there is never a moment without a site
    (:func:`analysis.core.atomic.switch_to`); the previous generation is kept."""
    target = Path(target)
    generation = new_generation(target)
    generation.rmdir()
    os.replace(built_site, generation)
    switch_to(generation, target)
