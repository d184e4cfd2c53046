"""The site's navigation, made so that its size on a page does not grow with the network.

Before, the sidebar held every member under its county and every indicator under its dimension,
so every page carried the whole list (372 entries plus 112 indicators for all of Norway) and both
the page weight and the renderer's work grew with members × pages. Now:

* the sidebar is a short constant list (:data:`SIDEBAR`, the same for 3 members or 372);
* the lists live on two generated pages, ``medlemmer.qmd`` (members by county) and
  ``indikatorer.qmd`` (indicators by dimension), each with a text filter: a small inline script on a
  labelled search field and a live count; without JavaScript the page is the plain, complete list;
* breadcrumbs (Nettverket › Medlemmer › Fylke › Kommune) keep telling where a page sits. Neither
  renderer can derive them any more (they follow the sidebar), so the build writes them to
  ``_breadcrumbs.json`` and the last pass (:mod:`analysis.site.finish`) puts them above the title.

Every name from data is escaped with :func:`~analysis.pages.present.esc`, which suits Markdown,
HTML text and quoted attributes alike; a raw HTML block in ``.qmd`` is passed through by Quarto and by
the fallback unchanged, so the escaping here is the only one.
"""

from __future__ import annotations

import html
import posixpath
import re

import pandas as pd

from analysis.pages import language
from analysis.pages.content import kpi_texts, unit_href
from analysis.pages.present import esc, member_title, nb_sort_key, nb_sorted
from analysis.site.languages import speaking

MEMBERS_PAGE = "medlemmer.qmd"
INDICATORS_PAGE = "indikatorer.qmd"
BREADCRUMBS_FILE = "_breadcrumbs.json"

#: The sidebar, in order: (source file, key of its text in NAV). One more page is one more line.
#: An entry whose page the build does not make (no indicator pages) is left out.
SIDEBAR: list[tuple[str, str]] = [
    ("index.ipynb", "network"),
    (MEMBERS_PAGE, "members"),
    (INDICATORS_PAGE, "indicators"),
    ("metode.qmd", "methods"),
    ("om-dataene.qmd", "about_data"),
    ("data.qmd", "data"),
]
HOME = "index.html"


def html_path(source: str) -> str:
    """Where a source file of the project lands in the site."""
    return re.sub(r"\.(qmd|ipynb|md)$", ".html", source)


def sidebar(has_indicators: bool = True, lang: str = language.DEFAULT) -> list[dict]:
    """The sidebar's ``contents`` for ``_quarto.yml``: page links with fixed texts, nothing from data."""
    nav = language.texts(lang).NAV
    return [
        {"href": source, "text": nav[key]} for source, key in SIDEBAR if has_indicators or source != INDICATORS_PAGE
    ]


def generated_pages(has_indicators: bool = True) -> list[str]:
    """The pages this module writes, for ``project.render`` in ``_quarto.yml``."""
    return [MEMBERS_PAGE] + ([INDICATORS_PAGE] if has_indicators else [])


def county_groups(units: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """Members by county, counties in Norwegian order: ``(county code, county name, members)``, the
    county authority first, then its municipalities by name. A county authority with no member
    municipality (Viken) is a group of its own, named by itself."""
    towns = units.loc[units["type"] == "kommune"]
    counties = units.loc[units["type"] == "fylke"]
    codes = list(dict.fromkeys([*towns["county_code"].astype(str), *counties["unit_code"].astype(str)]))
    groups = []
    for code in codes:
        own = counties.loc[counties["unit_code"].astype(str) == code]
        members = nb_sorted(towns.loc[towns["county_code"].astype(str) == code], "name")
        if len(members):
            name = str(members["county_name"].iloc[0])
        else:
            name = str(own["name"].iloc[0])
        groups.append((code, name, pd.concat([nb_sorted(own, "name"), members])))
    return sorted(groups, key=lambda g: (nb_sort_key(g[1]), g[0]))


def county_anchor(code: str) -> str:
    return "fylke-" + re.sub(r"[^A-Za-z0-9]+", "-", str(code)).strip("-")


def dimension_anchor(position: int) -> str:
    return f"dimensjon-{position}"


def member_entry(unit: pd.Series, lang: str = language.DEFAULT) -> str:
    """The text of a member in the list: a municipality by its name, a county authority as one."""
    if unit["type"] == "kommune":
        return str(unit["name"])
    return f"{unit['name']} {language.texts(lang).NAV['county_authority']}"


# The filter. It reads everything it says from data attributes (texts from NAV), so the script
# itself is constant and no data is ever written into JavaScript.
FILTER_SCRIPT = """\
<script>
(function () {
  var fold = function (s) { return s.normalize("NFC").toLocaleLowerCase(document.documentElement.lang || "nb"); };
  document.querySelectorAll("[data-nav-filter]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-nav-filter"));
    var input = box.querySelector("input");
    var count = box.querySelector("[aria-live]");
    var template = box.getAttribute("data-count");
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    items.forEach(function (li) {
      var group = li.closest("section").querySelector("h2");
      li.setAttribute("data-text", fold(li.textContent + " " + group.textContent));
    });
    var update = function () {
      var words = fold(input.value).split(/\\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (li) {
        var text = li.getAttribute("data-text");
        var hit = words.every(function (w) { return text.indexOf(w) !== -1; });
        li.hidden = !hit;
        if (hit) { shown += 1; }
      });
      list.querySelectorAll("section").forEach(function (s) {
        s.hidden = !s.querySelector("li:not([hidden])");
      });
      count.textContent = template.replace("{n}", shown).replace("{total}", items.length);
    };
    input.addEventListener("input", update);
    update();
    box.hidden = false;
  });
})();
</script>
"""


def _filter_box(list_id: str, label: str, count: str) -> str:
    return (
        f'<div class="nav-filter" data-nav-filter="{list_id}" data-count="{esc(count)}" hidden>\n'
        f'<label class="form-label" for="{list_id}-filter">{esc(label)}</label>\n'
        f'<input type="search" class="form-control" id="{list_id}-filter" autocomplete="off">\n'
        f'<p class="nav-filter-count" aria-live="polite"></p>\n'
        "</div>\n"
    )


def _page(title: str, description: str, intro: str, body: str) -> str:
    """A generated ``.qmd``: front matter with fixed texts, the demo notice, and the list as raw HTML
    (```` ```{=html} ````, which both renderers pass through; every name in it is escaped, and ``esc``
    writes backticks as references, so no name can close the block)."""
    return (
        f'---\ntitle: "{title}"\ndescription: "{description}"\n---\n\n'
        "{{< include _notice.md >}}\n\n"
        f"{intro}\n\n"
        f"```{{=html}}\n{body}{FILTER_SCRIPT}```\n"
    )


def members_page(units: pd.DataFrame, lang: str = language.DEFAULT) -> str:
    """``medlemmer.qmd``: every member once, under its county, linked to its page, with a filter."""
    nav = language.texts(lang).NAV
    groups = county_groups(units)
    sections = []
    for code, name, members in groups:
        items = "".join(
            f'<li><a href="{unit_href(u["type"], u["slug"])}">{esc(member_entry(u, lang))}</a></li>\n'
            for _, u in members.iterrows()
        )
        sections.append(
            f'<section class="nav-group">\n<h2 id="{county_anchor(code)}">{esc(name)}</h2>\n'
            f'<ul class="nav-members">\n{items}</ul>\n</section>\n'
        )
    total = sum(len(m) for _, _, m in groups)
    body = (
        _filter_box("medlemsliste", nav["members_filter"], nav["members_count"])
        + '<div class="nav-list" id="medlemsliste">\n'
        + "".join(sections)
        + "</div>\n"
    )
    return _page(
        nav["members"],
        nav["members_description"],
        nav["members_intro"].format(total=total),
        body,
    )


def dimensions(indicators: pd.DataFrame, lang: str = language.DEFAULT) -> list[tuple[int, str, pd.DataFrame]]:
    """Indicators by dimension in the catalog's order: ``(position from 1, dimension, indicators)``; the
    anchors are numbered, so a dimension has the same anchor in every language. The groups carry the KPI's
    texts in ``lang`` (``kpi_name``, ... of :func:`analysis.pages.content.kpi_texts`), as the pages name it."""
    return [
        (n, str(dim), group)
        for n, (dim, group) in enumerate(kpi_texts(indicators, lang).groupby("kpi_dimension", sort=False), start=1)
    ]


def _code_label(row: pd.Series, lang: str = language.DEFAULT) -> str:
    """The code shown beside a name; the network's own indicators say so (they are not U4SSC's)."""
    if row.get("origin") == "own":
        return f"{row['kpi_id']} · {language.texts(lang).NAV['own']}"
    return str(row["kpi_id"])


def indicators_page(indicators: pd.DataFrame, lang: str = language.DEFAULT) -> str:
    """``indikatorer.qmd``: every indicator with a page, under its dimension, with a filter."""
    nav = language.texts(lang).NAV
    sections = []
    for n, dim, group in dimensions(indicators, lang):
        items = "".join(
            f'<li><a href="indikatorer/{row["slug"]}.html">{esc(row["kpi_name"])}</a> '
            f'<span class="nav-code">{esc(_code_label(row, lang))}</span></li>\n'
            for _, row in group.iterrows()
        )
        sections.append(
            f'<section class="nav-group">\n<h2 id="{dimension_anchor(n)}">{esc(dim)}</h2>\n'
            f'<ul class="nav-indicators">\n{items}</ul>\n</section>\n'
        )
    body = (
        _filter_box("indikatorliste", nav["indicators_filter"], nav["indicators_count"])
        + '<div class="nav-list" id="indikatorliste">\n'
        + "".join(sections)
        + "</div>\n"
    )
    return _page(
        nav["indicators"],
        nav["indicators_description"],
        nav["indicators_intro"].format(total=len(indicators)),
        body,
    )


Trail = list[tuple[str, str | None]]  # (plain text, link from the site's root; None for the current page)


def breadcrumbs(units: pd.DataFrame, indicators: pd.DataFrame, lang: str = language.DEFAULT) -> dict[str, Trail]:
    """Every page's trail, by its path in its language's site, in plain text (escaped where it is written).
    A member's name in the trail is its page's title in ``lang`` (:func:`member_title` in that language)."""
    nav = language.texts(lang).NAV
    home = (nav["network"], HOME)
    members = (nav["members"], html_path(MEMBERS_PAGE))
    trails: dict[str, Trail] = {}
    for source, key in SIDEBAR[1:]:
        if source != INDICATORS_PAGE or len(indicators):
            trails[html_path(source)] = [home, (nav[key], None)]
    for code, name, group in county_groups(units):
        county = (name, f"{html_path(MEMBERS_PAGE)}#{county_anchor(code)}")
        for _, unit in group.iterrows():
            with speaking(lang):
                own = (member_title(unit["name"], unit["type"]), None)
            trail = [home, members, county, own] if unit["type"] == "kommune" else [home, members, own]
            trails[unit_href(unit["type"], unit["slug"])] = trail
    for n, dim, group in dimensions(indicators, lang):
        dimension = (dim, f"{html_path(INDICATORS_PAGE)}#{dimension_anchor(n)}")
        for _, row in group.iterrows():
            trails[f"indikatorer/{row['slug']}.html"] = [
                home,
                (nav["indicators"], html_path(INDICATORS_PAGE)),
                dimension,
                (str(row["kpi_name"]), None),
            ]
    return trails


def breadcrumbs_html(trail: Trail, page: str, lang: str = language.DEFAULT) -> str:
    """The trail as Quarto's breadcrumb markup, links relative to ``page``; the current page is text
    with ``aria-current="page"``. The list's own class keeps the last pass from treating it as a
    renderer's breadcrumbs."""
    base = posixpath.dirname(page) or "."
    items = []
    for text, href in trail:
        shown = html.escape(text)  # written into the finished page, past every renderer: plain HTML escaping
        if href is None:
            items.append(f'<li class="breadcrumb-item active" aria-current="page">{shown}</li>')
        else:
            path, _, anchor = href.partition("#")
            rel = posixpath.relpath(path, base) + (f"#{anchor}" if anchor else "")
            items.append(f'<li class="breadcrumb-item"><a href="{html.escape(rel)}">{shown}</a></li>')
    return (
        f'<nav class="quarto-page-breadcrumbs site-breadcrumbs" aria-label="{language.texts(lang).NAV["breadcrumbs"]}">'
        f'<ol class="breadcrumb site-crumbs">{"".join(items)}</ol></nav>'
    )


_RENDERER_CRUMBS = re.compile(r'<nav class="quarto-page-breadcrumbs[^"]*"[^>]*>.*?</nav>', re.S)
_TITLE = '<div class="quarto-title">'


def place_breadcrumbs(page_html: str, trail: Trail, page: str, lang: str = language.DEFAULT) -> str:
    """Put the trail above the page's title, in place of whatever breadcrumbs the renderer wrote (one
    trail per page, visible at every width). A page without a title block is left as it is."""
    if _TITLE not in page_html:
        return page_html
    page_html = _RENDERER_CRUMBS.sub("", page_html)
    return page_html.replace(_TITLE, breadcrumbs_html(trail, page, lang) + _TITLE, 1)
