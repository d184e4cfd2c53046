"""English texts for the pages and the site: the twin of :mod:`analysis.pages.text_nb`.

It defines exactly the same public names as ``text_nb`` (dicts with the same keys, format strings
with the same ``{placeholders}``), so that :func:`analysis.pages.language.texts` can hand either
module to the page code. KPI names come from the U4SSC catalog's English names, not from here.
"""

from __future__ import annotations

# --- site: strings of analysis.site (skip link, search, language switch, page chrome) ---------------

# --- pages: methods text, labels, tables, figures, maps, downloads (analysis.pages) -----------------

#: The "Sources" section of member and indicator pages (analysis.pages.sources).
SOURCES = {
    "heading": "Sources",
    "intro": "The numbers on this page come from the sources below. The page's CSV file gives the source of every "
    "single number.",
    "none": "This page shows no numbers.",
    "source": "Source",
    "vintage": "Version",
    "supplies_kpis": "Indicators",
    "supplies_members": "Members",
    "years": "Years",
    "kpis": "{n} indicators",
    "members": "{n} members",
}
