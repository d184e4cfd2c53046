"""What the navigation costs on every page: one member page's HTML, the sidebar's share of it, and the
render time per page, for today's network and for all of Norway.

Run as ``python bench/bench_navigation.py`` (``--page reports/_build/kommuner/alesund.ipynb`` to give
every page the content of a real executed page; by default each page is a short stub, so the figures
show the navigation's weight, not the content's). It stages the project exactly as the build does
(``prepare_project``: sidebar, generated pages) in a throw-away folder, gives every member and
indicator its page and renders with the renderer the build would use. It imports only what exists
before and after the navigation change, so the same script measures an older tree too:
``PYTHONPATH=<old tree> python bench/bench_navigation.py``.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis.core import config
from analysis.pages import report_data
from analysis.site.render import indicator_page, prepare_project, render, unit_page
from analysis.site.sandbox import ROOT, make_project

NETWORKS = {"today": None, "all": "network: {name: Norge}\nmembers: all\n"}
_SIDEBAR = re.compile(r'<nav [^>]*id="quarto-sidebar".*?</nav>', re.S)
_CRUMBS = re.compile(r'<nav [^>]*class="quarto-page-breadcrumbs[^"]*".*?</nav>', re.S)


def page_notebook(template: nbformat.NotebookNode | None, title: str) -> nbformat.NotebookNode:
    if template is None:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_raw_cell(f'---\ntitle: "{title}"\n---'), nbformat.v4.new_markdown_cell("Innhold.")]
        return nb
    nb = copy.deepcopy(template)
    nb.cells[0].source = re.sub(r'title: ".*?"', f'title: "{title}"', nb.cells[0].source, count=1)
    return nb


def measure(network: str, template: nbformat.NotebookNode | None, tmp: Path) -> dict:
    members = NETWORKS[network] or (ROOT / "params" / "network.yaml").read_text(encoding="utf-8")
    project = make_project(tmp / network, members, indicator_pages="all")
    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
    subprocess.run([sys.executable, "-m", "analysis", "build-data"], cwd=project, env=env, check=True)
    data = report_data.load(project / "data" / "processed")
    indicators = data.catalog.loc[data.catalog["kpi_id"].isin(data.metadata.get("indicator_pages", []))]
    staging = tmp / f"{network}-staging"
    prepare_project(project / "reports", staging, data.members, indicators, data.is_demo, {}, None, data.network_name)
    pages = {unit_page(u): str(u["name"]) for _, u in data.members.iterrows()}
    pages.update({indicator_page(s): str(n) for s, n in zip(indicators["slug"], indicators["name_nb"])})
    pages["index.ipynb"] = data.network_name
    for path, title in pages.items():
        (staging / path).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(page_notebook(template, title.replace('"', "")), staging / path)
    start = time.perf_counter()
    result = render(staging)
    seconds = time.perf_counter() - start
    member = data.members.loc[data.members["type"] == "kommune"].iloc[0]
    html = (result.site / unit_page(member).replace(".ipynb", ".html")).read_text(encoding="utf-8")
    sidebar = _SIDEBAR.search(html)
    crumbs = sum(len(m.group(0).encode()) for m in _CRUMBS.finditer(html))
    return {
        "network": network,
        "members": len(data.members),
        "page": unit_page(member).replace(".ipynb", ".html"),
        "page_bytes": len(html.encode()),
        "sidebar_bytes": len(sidebar.group(0).encode()) if sidebar else 0,
        "sidebar_links": sidebar.group(0).count("<a ") if sidebar else 0,
        "crumbs_bytes": crumbs,
        "pages": result.pages,
        "render_s": seconds,
        "renderer": result.renderer.split(" ")[0],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--networks", nargs="+", default=["today", "all"], choices=sorted(NETWORKS))
    p.add_argument("--page", type=Path, help="an executed notebook whose content every page gets")
    p.add_argument("--keep", type=Path, help="build in this folder and keep it, to look at the pages")
    args = p.parse_args(argv)
    template = nbformat.read(args.page, as_version=4) if args.page else None
    print(f"code from {ROOT}; page content: {args.page or 'stub'}")
    with tempfile.TemporaryDirectory() as tmp:
        for network in args.networks:
            r = measure(network, template, args.keep or Path(tmp))
            share = r["sidebar_bytes"] / r["page_bytes"]
            print(
                f"{r['network']:>5}: {r['members']} members, {r['pages']} pages; {r['page']}: {r['page_bytes']:,} B, "
                f"sidebar {r['sidebar_bytes']:,} B ({share:.0%}, {r['sidebar_links']} links), "
                f"breadcrumbs {r['crumbs_bytes']:,} B; render {r['render_s']:.1f} s "
                f"({1000 * r['render_s'] / r['pages']:.0f} ms/page, {r['renderer']})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
