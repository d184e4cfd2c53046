"""English texts for the pages and the site: the twin of :mod:`analysis.pages.text_nb`.

It defines exactly the same public names as ``text_nb`` (dicts with the same keys, format strings
with the same ``{placeholders}``), so that :func:`analysis.pages.language.texts` can hand either
module to the page code. KPI names come from the U4SSC catalog's English names, not from here.
"""

from __future__ import annotations

# --- site: strings of analysis.site (skip link, search, language switch, page chrome) ---------------
#: The site's own words (analysis.site and reports/): what the renderers write around every page, the
#: language switch and the parts of the project the build fills in. ``{network}`` arrives escaped.
SITE = {
    "language_name": "English",  # the switch on the other languages' pages says this, in this language
    "skip_link": "Skip to main content",
    "anchor": "Link to this section",
    "toc_title": "Contents",
    "no_results": "No results",
    "description": "U4SSC indicators for the members of {network}",
    "footer": "{network} · U4SSC indicators for smart sustainable cities",
    "table": "Table",
    "datapackage_link": "⬇ The data package (datapackage.json)",
    "package": "analysis package",
}

#: Landmarks and labels the fallback writes in English or leaves unlabelled (Quarto takes its own from
#: ``lang``), by the markup it writes: analysis.site.finish puts the page's language's words there.
INTERFACE = {
    '<nav class="navbar ': '<nav aria-label="Main menu" class="navbar ',
    '<nav class="quarto-secondary-nav">': '<nav aria-label="Menu on small screens" class="quarto-secondary-nav">',
    '<nav id="quarto-sidebar" ': '<nav aria-label="Side menu" id="quarto-sidebar" ',
    '<nav id="TOC" ': '<nav aria-label="On this page" id="TOC" ',
    '<nav class="page-navigation">': '<nav aria-label="Previous and next page" class="page-navigation">',
    'd-none d-lg-block" aria-label="breadcrumb"': 'd-none d-lg-block" aria-label="Breadcrumbs above the title"',
    'aria-label="Toggle navigation"': 'aria-label="Show or hide the navigation"',
    'aria-label="Toggle section"': 'aria-label="Show or hide the section"',
    'aria-label="Toggle sidebar navigation"': 'aria-label="Show or hide the side menu"',
    'aria-label="breadcrumb"': 'aria-label="Breadcrumbs"',
}

# --- pages: methods text, labels, tables, figures, maps, downloads (analysis.pages) -----------------
