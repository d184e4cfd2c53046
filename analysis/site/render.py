"""Assemble and render the report site: Quarto where it is installed, smalldocs otherwise.

The Quarto project in ``reports/`` is copied into ``reports/_build/`` together with the executed
notebooks, the downloads and the sidebar for the members being built; the site is rendered there
and only then moved to ``reports/_site`` in one rename, so a failed build never touches the
published site.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.core.atomic import write_atomic_csv, write_atomic_text
from analysis.pages.present import demo_notice
from analysis.pages.text_nb import method_settings_markdown, methods_markdown

SOURCE_FILES = ("_quarto.yml", "styles.css", "metode.qmd", "om-dataene.qmd")


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


def sidebar(units: pd.DataFrame, indicators: pd.DataFrame) -> list:
    """Navigation by county (municipalities under their county), county municipalities, then indicators
    by dimension."""
    sections = []
    towns = units.loc[units["type"] == "kommune"]
    for county_code, group in towns.groupby("county_code", sort=True):
        title = group["county_name"].iloc[0]
        sections.append({"section": title, "contents": [unit_page(u) for _, u in group.sort_values("name").iterrows()]})
    sections.sort(key=lambda s: s["section"])
    counties = units.loc[units["type"] == "fylke"].sort_values("name")
    contents: list = [{"section": "Kommuner etter fylke", "contents": sections}]
    if len(counties):
        contents.append({"section": "Fylkeskommuner", "contents": [unit_page(u) for _, u in counties.iterrows()]})
    if len(indicators):
        contents.append(
            {
                "section": "Indikatorer",
                "contents": [
                    {"section": dim, "contents": [indicator_page(slug) for slug in group["slug"]]}
                    for dim, group in indicators.groupby("dimension_nb", sort=False)
                ],
            }
        )
    return contents


def prepare_project(
    source: Path,
    staging: Path,
    units: pd.DataFrame,
    indicators: pd.DataFrame,
    is_demo: bool,
    downloads: dict[str, pd.DataFrame],
    methods: dict | None = None,
) -> None:
    """Copy the hand-written project into ``staging`` and add what the build knows: sidebar, notice, CSVs."""
    staging.mkdir(parents=True, exist_ok=True)
    for name in SOURCE_FILES:
        shutil.copy2(source / name, staging / name)
    config = yaml.safe_load((source / "_quarto.yml").read_text(encoding="utf-8"))
    config["website"]["sidebar"]["contents"] = sidebar(units, indicators)
    write_atomic_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), staging / "_quarto.yml")
    write_atomic_text(demo_notice() if is_demo else "", staging / "_notice.md")
    write_atomic_text(
        methods_markdown() + (method_settings_markdown(methods) if methods else ""), staging / "_metoder.md"
    )
    for name, table in downloads.items():
        write_atomic_csv(table, staging / "nedlastinger" / f"{name}.csv")


# smalldocs writes a few interface strings in English whatever `lang` says (Quarto translates them itself),
# and leaves its navigation landmarks unlabelled; both are fixed here, in this order.
INTERFACE_NB = {
    '<nav class="navbar ': '<nav aria-label="Hovedmeny" class="navbar ',
    '<nav class="quarto-secondary-nav">': '<nav aria-label="Meny på små skjermer" class="quarto-secondary-nav">',
    '<nav id="quarto-sidebar" ': '<nav aria-label="Sidemeny" id="quarto-sidebar" ',
    '<nav id="TOC" ': '<nav aria-label="Innhold på siden" id="TOC" ',
    '<nav class="page-navigation">': '<nav aria-label="Forrige og neste side" class="page-navigation">',
    'd-none d-lg-block" aria-label="breadcrumb"': 'd-none d-lg-block" aria-label="Brødsmulesti over tittelen"',
    'placeholder="Search"': 'placeholder="Søk"',
    'aria-label="Search"': 'aria-label="Søk"',
    'aria-label="Toggle navigation"': 'aria-label="Vis eller skjul navigasjonen"',
    'aria-label="Toggle section"': 'aria-label="Vis eller skjul delen"',
    'aria-label="Toggle sidebar navigation"': 'aria-label="Vis eller skjul sidemenyen"',
    'aria-label="breadcrumb"': 'aria-label="Brødsmulesti"',
}


def norwegian_interface(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = original = page.read_text(encoding="utf-8")
        for english, norwegian in INTERFACE_NB.items():
            text = text.replace(english, norwegian)
        if text != original:
            page.write_text(text, encoding="utf-8")


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
        norwegian_interface(site)
        renderer = "smalldocs (pure-Python fallback; Quarto not found)"
    downloads = staging / "nedlastinger"
    if downloads.is_dir() and not (site / "nedlastinger").is_dir():
        shutil.copytree(downloads, site / "nedlastinger")  # a renderer that ignores `resources`
    pages = sum(1 for _ in site.rglob("*.html"))
    return RenderResult(renderer, site, pages, list(warnings))


def publish(built_site: Path, target: Path) -> None:
    """Replace the published site with the new one by renames on one file system; on failure the old one
    is put back."""
    target = Path(target)
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(built_site, target)
    except OSError:
        if old.exists():
            os.replace(old, target)
        raise
    if old.exists():
        shutil.rmtree(old)
