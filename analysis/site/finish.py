"""The last pass over each language's rendered site: what both renderers leave for an accessible site.

Quarto and the fallback write the same page skeleton (smalldocs imitates Quarto's HTML), and both
have the same gaps for a public Norwegian site (WCAG 2.1 AA), so one pass fixes them after either:

* sidebar groups are ``<a>`` without ``href`` and with ``role="navigation"``: a keyboard cannot
  reach or open them and a screen reader hears one extra "navigation" landmark per group. They
  become ``<button type="button">`` with ``aria-controls``; the chevron duplicate leaves the tab order;
* breadcrumbs link a sidebar group to the group's first page (on Ålesund's page "Møre og Romsdal"
  opened Kristiansund's): groups have no page, so a crumb is text, the last one the current page;
  the site's own pages get the build's trails instead (:mod:`analysis.site.navigation`), since the
  small sidebar no longer holds the members and indicators;
* a few interface strings stay English whatever ``lang`` says (the fallback's search and anchors), and
  some landmarks have no name: they get the page's language's words (``INTERFACE`` and ``SITE`` in the
  text modules);
* tables of four or more columns get each cell's column name (``data-label``) and the class
  ``cards``, so that on a phone styles.css can show one card per row instead of a sideways scroll;
  on a wide screen such a table scrolls, if it must, inside a box a keyboard can reach;
* a word in a table cell longer than a cell can hold (a code, a URL, a pathological name from data)
  gets break points (``<wbr>``), so a table never pushes the page wider; ordinary words are left
  to the browser's hyphenation;
* the search index learns plain digits for sub- and superscripts, so "CO2" finds "CO₂";
* ``...`` and ``--`` in names from data stay as they are (see :func:`unjoin_runs`).

The skip link and the anchors' labels are written per language by :mod:`analysis.site.render`, the theme
is ``reports/styles.css``, and Quarto's own interface strings follow ``lang`` in each language's
``_quarto.yml``. The language switch is added after this pass, over both languages
(:mod:`analysis.site.languages`).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from analysis.pages import language


# The fallback's own script, copied into site_libs/: its words in the project's language (SITE in the text
# modules), by the English it writes.
def _script_words(lang: str) -> dict[str, str]:
    site = language.texts(lang).SITE
    return {
        '"No results"': json.dumps(site["no_results"], ensure_ascii=False),
        ">No results<": f">{html.escape(site['no_results'])}<",
        '"Anchor"': json.dumps(site["anchor"], ensure_ascii=False),
    }


# <a ... data-bs-toggle="collapse" ...>…</a> without href: a sidebar group's toggle
_TOGGLE = re.compile(r'<a ((?:(?!href=)[^>])*?data-bs-toggle="collapse"(?:(?!href=)[^>])*)>(.*?)</a>', re.S)
_BREADCRUMBS = re.compile(r'(<ol class="breadcrumb">)(.*?)(</ol>)', re.S)
_CRUMB = re.compile(r'<li class="breadcrumb-item">(?:<a [^>]*>(.*?)</a>|(.*?))</li>', re.S)
_TABLE = re.compile(r"<table( [^>]*)?>(.*?)</table>", re.S)
_TH = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_TD = re.compile(r"<td( [^>]*)?>", re.S)
_ROW = re.compile(r"(<tr[^>]*>)(.*?)(</tr>)", re.S)
_TAGS = re.compile(r"<[^>]+>")
CARD_COLUMNS = 4
LONG_WORD = 24  # characters; a word this long gets a break point every BREAK_EVERY characters
BREAK_EVERY = 12
_CELL = re.compile(r"(<t[dh]\b[^>]*>)(.*?)(</t[dh]>)", re.S)
_TEXT = re.compile(r"(<[^>]+>)|([^<]+)")
_WORD = re.compile(r"(?:&#?\w+;|[^\s<&])+")
_CHAR = re.compile(r"&#?\w+;|.", re.S)


def _break_long_words(text: str) -> str:
    def word(match: re.Match) -> str:
        chars = _CHAR.findall(match.group(0))
        if len(chars) < LONG_WORD:
            return match.group(0)
        return "<wbr>".join("".join(chars[i : i + BREAK_EVERY]) for i in range(0, len(chars), BREAK_EVERY))

    return _WORD.sub(word, text)


def _cell(match: re.Match) -> str:
    inner = _TEXT.sub(lambda m: m.group(1) or _break_long_words(m.group(2)), match.group(2))
    return match.group(1) + inner + match.group(3)


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹", "01234567890123456789")


def _button(match: re.Match) -> str:
    attrs, inner = match.group(1), match.group(2)
    attrs = attrs.replace(' role="navigation"', "")
    target = re.search(r'data-bs-target="#([^"]+)"', attrs)
    if target and "aria-controls=" not in attrs:
        attrs += f' aria-controls="{target.group(1)}"'
    if "sidebar-item-toggle" in attrs:  # the chevron does what the group's name does: one tab stop, not two
        attrs += ' tabindex="-1" aria-hidden="true"'
    return f'<button type="button" {attrs}>{inner}</button>'


def _crumbs(match: re.Match) -> str:
    items = [m.group(1) if m.group(1) is not None else m.group(2) for m in _CRUMB.finditer(match.group(2))]
    if not items:
        return match.group(0)
    lis = [f'<li class="breadcrumb-item">{text}</li>' for text in items[:-1]]
    lis.append(f'<li class="breadcrumb-item active" aria-current="page">{items[-1]}</li>')
    return match.group(1) + "".join(lis) + match.group(3)


def _cards(match: re.Match, lang: str = language.DEFAULT) -> str:
    attrs, body = match.group(1) or "", match.group(2)
    head, sep, rows = body.partition("</thead>")
    labels = [_TAGS.sub("", th).replace('"', "&quot;").strip() for th in _TH.findall(head)]
    if not sep or len(labels) < CARD_COLUMNS or "data-label=" in body:
        return match.group(0)

    def label_cells(row: re.Match) -> str:
        cells = iter(labels)
        return (
            row.group(1)
            + _TD.sub(lambda td: f'<td data-label="{next(cells, "")}"{td.group(1) or ""}>', row.group(2))
            + row.group(3)
        )

    if 'class="' in attrs:
        attrs = attrs.replace('class="', 'class="cards ', 1)
    else:
        attrs += ' class="cards"'
    name = f"{language.texts(lang).SITE['table']}: {', '.join(labels[:3])}".replace("<", "&lt;")
    return (
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{name}">'
        f"<table{attrs}>{head}{sep}{_ROW.sub(label_cells, rows)}</table></div>"
    )


# The word joiner that ``present.esc`` puts between the characters of a run of ``.`` or ``-`` from data (so
# that no renderer's smart punctuation makes an ellipsis or a dash of them) comes out again: the reader
# sees, copies and searches exactly the text of the data.
_RUN_JOINER = re.compile(r"(&#4[56];|[.\-])(?:\u2060|&#8288;)(?=&#4[56];|[.\-])")


def unjoin_runs(text: str) -> str:
    return _RUN_JOINER.sub(r"\1", text)


def finish_page(page: str, lang: str = language.DEFAULT) -> str:
    page = unjoin_runs(page)
    for english, own in language.texts(lang).INTERFACE.items():
        page = page.replace(english, own)
    page = _TOGGLE.sub(_button, page)
    page = _TABLE.sub(lambda m: _cards(m, lang), page)
    page = _CELL.sub(_cell, page)
    return _BREADCRUMBS.sub(_crumbs, page)


def finish_search_index(path: Path) -> None:
    """Add the plain-digit spelling of sub- and superscripts to each entry's text ("CO₂" is found as "CO2")."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    for entry in entries:
        for key in ("title", "section", "text"):
            if isinstance(entry.get(key), str):
                entry[key] = unjoin_runs(entry[key])
        text = entry.get("text", "")
        plain = text.translate(_SUBSCRIPTS)
        if plain != text:
            words = sorted({w for w in re.findall(r"\w+", plain) if w not in text})
            entry["text"] = text + " " + " ".join(words)
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")


def finish_site(site: Path, breadcrumbs: dict | None = None, lang: str = language.DEFAULT) -> None:
    """Apply the pass to every page, the search index and the fallback's script of one language's site
    (``lang``), in place. A page named in ``breadcrumbs`` (``_breadcrumbs.json`` from
    :mod:`analysis.site.navigation`, by path in the site) gets its trail above the title."""
    from analysis.site.navigation import place_breadcrumbs

    breadcrumbs = breadcrumbs or {}
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        done = finish_page(text, lang)
        name = page.relative_to(site).as_posix()
        if name in breadcrumbs:
            done = place_breadcrumbs(done, [tuple(c) for c in breadcrumbs[name]], name, lang)
        if done != text:
            page.write_text(done, encoding="utf-8")
    index = site / "search.json"
    if index.is_file():
        finish_search_index(index)
    for script in (site / "site_libs").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        done = text
        for english, own in _script_words(lang).items():
            done = done.replace(english, own)
        if done != text:
            script.write_text(done, encoding="utf-8")
