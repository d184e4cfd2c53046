"""Read the built site as a reader's browser does: every page in Chromium, scanned with axe-core.

The site promises WCAG 2.1 AA, no request to any host but its own, and that no text that came in
with the data ever runs as code. Reading the HTML cannot show any of that (a theme's CSS
``@import`` is a request; a script injected through a member's name runs only in a browser), so
this module serves the site on localhost, opens each page in Debian's ``chromium`` through
Playwright and records, per page: axe violations, requests to other hosts, dialogs opened by
scripts (``alert``), and script errors. ``python -m analysis audit-site`` runs it on
``reports/_site``; the browser tests in ``tests/end_to_end/test_site_in_browser.py`` use the same functions.

Playwright never downloads a browser here: it is launched on the system's Chromium
(``CHROMIUM`` or ``/usr/bin/chromium``).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

#: The rules the site is held to: WCAG 2.0 and 2.1, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desktop": (1366, 900), "mobile": (390, 844)}


def chromium_path() -> str | None:
    """The system Chromium (``apt-get install chromium``), or ``CHROMIUM`` when set."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the audit reports what matters; no access log on the terminal
        pass


@contextmanager
def serve(site: Path):
    """Serve ``site`` on a free localhost port for the duration of the block; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser():
    """A headless Chromium of the system, never one that Playwright downloads."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium not found: install it (apt-get install chromium) or set CHROMIUM")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@dataclass
class PageReport:
    page: str
    violations: list[dict] = field(default_factory=list)  # axe: id, impact, help, nodes (targets)
    foreign_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # own URLs that answered 404

    @property
    def ok(self) -> bool:
        return not (self.violations or self.foreign_requests or self.dialogs or self.script_errors or self.missing)

    def summary(self) -> str:
        lines = [self.page]
        for v in self.violations:
            targets = ", ".join(v["nodes"][:3])
            lines.append(f"  axe {v['id']} ({v['impact']}): {v['help']} - {len(v['nodes'])} nodes, e.g. {targets}")
        lines += [f"  request to another host: {u}" for u in self.foreign_requests]
        lines += [f"  a script opened a dialog: {d!r}" for d in self.dialogs]
        lines += [f"  script error: {e}" for e in self.script_errors]
        lines += [f"  not found: {u}" for u in self.missing]
        return "\n".join(lines)


def watch(page, base: str, report: PageReport) -> None:
    """Record what ``page`` does that the site promises it never does."""
    own = urlparse(base).netloc

    def on_request(request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != own:
            report.foreign_requests.append(request.url)

    def on_dialog(dialog) -> None:
        report.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_response(response) -> None:
        if response.status == 404 and urlparse(response.url).netloc == own:
            report.missing.append(response.url)

    page.on("request", on_request)
    page.on("dialog", on_dialog)
    page.on("response", on_response)
    page.on("pageerror", lambda error: report.script_errors.append(str(error)))
    # nothing leaves the machine, even when a page asks for it
    page.route(lambda url: urlparse(url).netloc not in (own, ""), lambda route: route.abort())


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "help": v["help"],
            "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]],
        }
        for v in result.response["violations"]
    ]


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def audit_site(site: Path, pages: list[str] | None = None, viewport: str = "desktop") -> list[PageReport]:
    """Open every page of ``site`` (or ``pages``) in Chromium; one report per page."""
    site = Path(site)
    pages = pages if pages is not None else site_pages(site)
    reports = []
    with serve(site) as base, browser() as b:
        width, height = VIEWPORTS[viewport]
        context = b.new_context(viewport={"width": width, "height": height}, locale="nb-NO")
        for rel in pages:
            report = PageReport(rel)
            page = context.new_page()
            watch(page, base, report)
            page.goto(base + rel, wait_until="load")
            page.wait_for_timeout(100)  # scripts that run after load (search, sidebar) have run
            report.violations = axe_violations(page)
            page.close()
            reports.append(report)
        context.close()
    return reports
