"""Session fixtures shared by the test modules.

``bundled_processed`` is the processed data of the frozen bundled network (``tests/fixtures/network/
bundled.yaml``) with the demonstration data, built once per session in a throw-away copy of the project:
tests with known answers for Trondheim, Ålesund or Viken read it instead of ``data/processed``, so they
hold whichever network and data a user configures in ``params/``.

``no_network`` makes any real HTTP request through ``requests`` (the SSB clients' only way out) fail the
test that sent it: the clients' tests replay recorded answers (``http_helpers.Recorded``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from network_helpers import BUNDLED_NETWORK
from requests.adapters import HTTPAdapter

from analysis.core import config
from analysis.pages import report_data
from analysis.site.sandbox import make_project


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Refuse every request that would reach the network; a test that tries one fails, naming it."""

    def refuse(adapter, request, **kwargs):
        raise AssertionError(f"a test tried a real HTTP request: {request.method} {request.url}")

    real, HTTPAdapter.send = HTTPAdapter.send, refuse
    yield
    HTTPAdapter.send = real


@pytest.fixture(scope="session")
def bundled_project(tmp_path_factory) -> Path:
    """A copy of the project with the bundled network, its data built (``build-data``)."""
    project = make_project(tmp_path_factory.mktemp("bundled"), BUNDLED_NETWORK.read_text(encoding="utf-8"), "all")
    settings = project / "params" / "report.yaml"  # the demonstration data, whatever params/ says
    settings.write_text(re.sub(r"^data: \w+", "data: demo", settings.read_text(encoding="utf-8"), flags=re.M))
    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
    subprocess.run(
        [sys.executable, "-m", "analysis", "build-data"], cwd=project, env=env, check=True, capture_output=True
    )
    return project


@pytest.fixture(scope="session")
def bundled_data(bundled_project) -> report_data.ReportData:
    """The bundled network's processed tables, as the pages read them."""
    return report_data.load(bundled_project / "data" / "processed")
