"""A throw-away copy of the project with another network, built in a temporary folder.

The tests and the benchmarks build sites this way so that the real tree (its ``data/processed``,
``reports/_site``) is never touched; a user can do the same to try a network before switching to it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from analysis.core import config

ROOT = config.PACKAGE_DIR.parent  # the tree the package was installed from

SMALL_NETWORK_NAME = "Midt-nettverket"  # not Bærekraftsnettverket: the pages must follow params
SMALL_NETWORK = (
    f"network:\n  name: {SMALL_NETWORK_NAME}\n"
    + """\
members:
  - {code: "5001", name: Trondheim, type: kommune, county: "50", peer_group: "Storbyer"}
  - {code: "1508", name: Ålesund, type: kommune, county: "15", peer_group: "Mellomstore byer"}
  - {code: "1505", name: Kristiansund, type: kommune, county: "15", peer_group: "Mellomstore byer"}
  - {code: "15", name: Møre og Romsdal, type: fylke}
counties:
  "15": Møre og Romsdal
  "50": Trøndelag
"""
)


def make_project(tmp: Path, network: str = SMALL_NETWORK, indicator_pages: str = "key") -> Path:
    """A copy of the project with a small network; indicator pages only for the key KPIs by default."""
    for folder in ("params", "data/raw", "data/reference", "data/templates", "notebooks"):
        shutil.copytree(ROOT / folder, tmp / folder)
    shutil.copytree(
        ROOT / "reports",
        tmp / "reports",
        ignore=shutil.ignore_patterns(
            "_site", "_site.versions", "_build", "_build-*", "_failed", "_logs", "_annual", "_cache"
        ),
    )
    (tmp / "params" / "network.yaml").write_text(network, encoding="utf-8")
    keep_members_targets(tmp / "params")
    settings = tmp / "params" / "report.yaml"
    text = re.sub(
        r"^indicator_pages: \w+",
        f"indicator_pages: {indicator_pages}",
        settings.read_text(encoding="utf-8"),
        flags=re.M,
    )
    settings.write_text(text, encoding="utf-8")
    return tmp


def keep_members_targets(params: Path) -> None:
    """Drop the local targets of units that are not members of the copy's network from its targets file:
    the build refuses a local target of a non-member (it would never be used), so a copy with another
    network must leave out what the real network's members set for themselves, as a user trying a
    smaller network would."""
    from analysis.core.inputs import read_yaml

    members = read_yaml(params / "network.yaml", "network.yaml").get("members")
    if members == "all" or not isinstance(members, list):
        return
    codes = {m.get("code") for m in members if isinstance(m, dict)}
    path = params / "targets.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0]] + [ln for ln in lines[1:] if ln.split(",")[1] in codes | {""}]
    path.write_text("".join(kept), encoding="utf-8")


def run_report(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m analysis report`` in ``project``; ``env`` adds variables (``SOURCE_DATE_EPOCH``)."""
    env = {
        **os.environ,
        "BAEREKRAFT_ROOT": str(project),
        "BAEREKRAFT_SHARED": str(config.SHARED_DIR),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--workers", "2", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
