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


# --- the numbers a page shows in its tables, and whether its download holds them ----------------------

#: A number as the site writes it: optional real minus, groups of three after a (narrow) no-break space,
#: decimal comma. "2015–2024" is two numbers, "1.1.2023" three.
NUMBER = re.compile(r"(<\s*)?([−-]?\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+|[−-]?\d+)(?:,(\d+))?")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def numbers_in(text: str) -> list[tuple[float, int, bool]]:
    """(value, decimals, shown as an upper bound "< x") of every number in ``text``."""
    out = []
    for m in NUMBER.finditer(text):
        whole = re.sub(r"[\u00a0\u202f\u2009 ]", "", m.group(2)).replace("−", "-")
        decimals = m.group(3) or ""
        out.append((float(f"{whole}.{decimals}" if decimals else whole), len(decimals), bool(m.group(1))))
    return out


def markdown_table_cells(markdown: str) -> list[str]:
    """The text of every cell (headers included) of the pipe tables in ``markdown``, as a reader sees it."""
    from html import unescape

    cells = []
    for line in markdown.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[-:|]+\|", line.strip()):
            cells += [unescape(_LINK.sub(r"\1", c)).strip() for c in line.strip().strip("|").split(" | ")]
    return cells


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self._in = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._in += 1
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in -= 1

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


def html_table_cells(html: str) -> list[str]:
    """The text of every table cell of a rendered page's main content."""
    main = html.split('id="quarto-document-content"', 1)[-1]
    parser = _Cells()
    parser.feed(main)
    return [c.strip() for c in parser.cells]


def download_numbers(rows: list[dict]) -> list[float]:
    """Every number a download holds: its values and years, and the numbers inside its texts."""
    found = []
    for row in rows:
        for key, cell in row.items():
            if not cell:
                continue
            if key in ("Verdi", "År", "Enhetskode"):
                try:
                    found.append(float(cell))
                    continue
                except ValueError:
                    pass
            found += [v for v, _, _ in numbers_in(cell)]
    return found


def missing_numbers(cells: list[str], rows: list[dict]) -> list[str]:
    """The cells with a number the download does not hold: a shown number with d decimals is held when a
    value of the download rounds to it, or rounds down to it (the shares of the target are rounded down);
    "< 0,001" when a value below it is there."""
    import math

    held = sorted(set(download_numbers(rows)))
    as_shown: dict[int, set[float]] = {}  # the held values written with d decimals, rounded as the site does

    def shown_with(decimals: int) -> set[float]:
        if decimals not in as_shown:
            rounded = {float(f"{v:.{decimals}f}") for v in held}
            floored = {math.floor(round(v * 10**decimals, 9)) / 10**decimals for v in held}
            as_shown[decimals] = rounded | floored
        return as_shown[decimals]

    missing = []
    for cell in cells:
        for value, decimals, bound in numbers_in(cell):
            ok = any(0 <= v < value for v in held) if bound else value in shown_with(decimals)
            if not ok:
                missing.append(f"{cell!r}: {value}")
    return missing
