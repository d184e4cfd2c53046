"""HTML helpers of the site tests; the project copies they build come from :mod:`analysis.site.sandbox`."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from analysis.site.sandbox import ROOT, SMALL_NETWORK, SMALL_NETWORK_NAME, make_project, run_report  # noqa: F401 - used by the tests


class Resources(HTMLParser):
    """Collect every URL a page refers to, with the tag and attribute it came from."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append((tag, name, value))


def page_refs(html: str) -> list[tuple[str, str, str]]:
    parser = Resources()
    parser.feed(html)
    css_urls = [("style", "url", u) for u in re.findall(r"url\(['\"]?([^'\")]+)", html)]
    return parser.refs + css_urls
