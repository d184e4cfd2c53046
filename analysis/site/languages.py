"""The site in several languages: where each language's pages live, and the links between them.

The main language (``nb``, the first of ``languages`` in ``params/report.yaml``) is the site's root; each
other language is a whole site of its own under ``/<code>/`` with the same relative paths
(``kommuner/alesund.html`` and ``en/kommuner/alesund.html``). Each language is staged and rendered as a
project of its own (``reports/_build`` and ``reports/_build-en``), as a multilingual Quarto site is (one
``_quarto.yml`` per language: its navigation, footer, interface strings and search index are those of
one language), and the English site is then moved into the main one's ``en/``. The projects are side by
side, not nested: both renderers match a ``render`` or ``resources`` pattern without a slash
(``index.ipynb``, ``data/``) in every folder, so a project inside the main one would be rendered twice.

After rendering, :func:`link_languages` gives every page ``<html lang>``, a ``<link rel="alternate"
hreflang>`` to each language's version and a plain link to the same page in the other language (the
switch), written in that language and marked with its ``lang`` and ``hreflang``. It is done after both
renderers, so Quarto and the fallback get the same switch.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from analysis.pages import language


def prefix(lang: str, main: str = language.DEFAULT) -> str:
    """The folder of a language in the site: '' for the main language, 'en/' for English."""
    return "" if lang == main else f"{lang}/"


def staging_of(staging: Path, lang: str, main: str = language.DEFAULT) -> Path:
    """Where a language's project is staged and rendered: the main one in ``staging``, another beside it
    in ``<staging>-<code>`` (``reports/_build-en``)."""
    staging = Path(staging)
    return staging if lang == main else staging.with_name(f"{staging.name}-{lang}")


@contextmanager
def speaking(lang: str):
    """Run page code (titles, labels, downloads) in ``lang`` and return to the language before."""
    before = language.current()
    language.use(lang)
    try:
        yield language.texts(lang)
    finally:
        language.use(before)


def pages_of(site: Path, languages: tuple[str, ...]) -> dict[str, set[str]]:
    """The HTML pages of each language, by their path within that language's folder."""
    main, others = languages[0], languages[1:]
    found: dict[str, set[str]] = {lang: set() for lang in languages}
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        lang = next((o for o in others if rel.startswith(prefix(o, main))), main)
        found[lang].add(rel.removeprefix(prefix(lang, main)))
    return found


_HTML_TAG = re.compile(r"<html\b[^>]*>")
_SWITCH = '<p class="language-switch">{links}</p>'


def _with_lang(tag: str, lang: str) -> str:
    """``<html ...>`` with ``lang`` (and Quarto's ``xml:lang``) set to ``lang``, its other attributes kept."""
    tag = re.sub(r'\s(?:xml:)?lang="[^"]*"', "", tag)
    return tag.replace("<html", f'<html lang="{lang}"', 1).replace(
        ">", f' xml:lang="{lang}">' if "xmlns" in tag else ">", 1
    )


def _switch_link(href: str, lang: str) -> str:
    name = html.escape(language.texts(lang).SITE["language_name"])
    return f'<a href="{html.escape(href)}" hreflang="{lang}" lang="{lang}">{name}</a>'


def link_page(text: str, lang: str, path: str, versions: dict[str, str]) -> str:
    """One page: ``<html lang>``, an alternate link per language version (``versions``: language -> path
    in the site, this page's own included) and the switch to the others, above the breadcrumbs and the
    title (the place a reader looks, at every width; the renderers' navbar folds away on a phone)."""
    here = posixpath.dirname(path) or "."

    def rel(target: str) -> str:
        return posixpath.relpath(target, here)

    text = _HTML_TAG.sub(lambda m: _with_lang(m.group(0), lang), text, count=1)
    alternates = "".join(
        f'<link rel="alternate" hreflang="{code}" href="{html.escape(rel(target))}">'
        for code, target in versions.items()
    )
    text = text.replace("</head>", alternates + "</head>", 1)
    links = " ".join(_switch_link(rel(target), code) for code, target in versions.items() if code != lang)
    if links:
        switch = _SWITCH.format(links=links)
        for anchor in ('<nav class="quarto-page-breadcrumbs', '<div class="quarto-title">', '<main class="content"'):
            if anchor in text:
                text = text.replace(anchor, switch + anchor, 1)
                break
    return text


def link_languages(site: Path, languages: tuple[str, ...]) -> None:
    """Every page of every language gets its ``lang``, its alternates and the switch. A page that one
    language lacks (none should) gets no link to it."""
    if len(languages) < 2:
        return
    main = languages[0]
    found = pages_of(site, languages)
    for lang in languages:
        for rel in sorted(found[lang]):
            path = prefix(lang, main) + rel
            versions = {code: prefix(code, main) + rel for code in languages if rel in found[code]}
            page = site / path
            text = page.read_text(encoding="utf-8")
            page.write_text(link_page(text, lang, path, versions), encoding="utf-8")


def share(main_project: Path, project: Path, folders: tuple[str, ...] = ("pdf", "data")) -> None:
    """Files that are the same in every language (the annual reports, the data page's tables) appear in
    another language's project too, as hard links (no second copy on disk; a copy where the file system
    refuses links): each language's site is then whole, and its pages' links resolve within it."""
    for folder in folders:
        for source in sorted((Path(main_project) / folder).rglob("*")):
            if not source.is_file():
                continue
            target = Path(project) / source.relative_to(main_project)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
