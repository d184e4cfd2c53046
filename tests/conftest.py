"""Session fixtures shared by the test modules.

``bundled_processed`` is the processed data of the frozen bundled network (``tests/fixtures/network/
bundled.yaml``) with the demonstration data, built once per session in a throw-away copy of the project:
tests with known answers for Trondheim, Ålesund or Viken read it instead of ``data/processed``, so they
hold whichever network and data a user configures in ``params/``.

``population_exports``, ``population_totals`` and ``bundled_population`` are the real SSB 07459 exports in
``../shared`` (824 000 rows), read once per run (shared by the pytest-xdist workers): several modules check
their numbers, and reading them took seconds each time.

``no_network`` makes any real HTTP request through ``requests`` (the SSB clients' only way out) fail the
test that sent it: the clients' tests replay recorded answers (``http_helpers.Recorded``).
"""

from __future__ import annotations

import os

# One BLAS/OpenMP thread per test process (and the builds it starts), set before numpy loads: on a busy
# 2-core machine OpenBLAS's spinning threads made the dense linear algebra of the tests about 5x slower
# (tests/stats/test_compare.py's REML checks: 70 s against 14 s). Parallelism comes from pytest-xdist instead.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import fcntl
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from network_helpers import BUNDLED_NETWORK, BUNDLED_TARGETS
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


@contextmanager
def once_per_run(tmp_path_factory, worker_id: str, name: str):
    """The folder this run's processes share and whether ``name`` still has to be made there.

    Under pytest-xdist each worker has its own session; the first to get here makes ``name`` while holding a
    lock and marks it done, the others wait and reuse it, so ``-n 2`` makes nothing twice."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # the folder all workers of this run share
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / f"{name}.done"
        yield shared, not done.exists()
        done.touch()


def shared_frame(tmp_path_factory, worker_id: str, name: str, make) -> pd.DataFrame:
    """``make()`` once per run, handed to every worker through a pickle (which keeps ``attrs``)."""
    with once_per_run(tmp_path_factory, worker_id, name) as (shared, todo):
        if todo:
            make().to_pickle(shared / f"{name}.pkl")
    return pd.read_pickle(shared / f"{name}.pkl")


@pytest.fixture(scope="session")
def bundled_project(tmp_path_factory, worker_id) -> Path:
    """A copy of the project with the bundled network, its data built (``build-data``), once per run.

    Tests only read it."""
    with once_per_run(tmp_path_factory, worker_id, "bundled") as (shared, todo):
        project = shared / "bundled"
        if todo:
            make_project(project, BUNDLED_NETWORK.read_text(encoding="utf-8"), "all")
            shutil.copyfile(BUNDLED_TARGETS, project / "params" / "targets.csv")  # its own local targets too
            settings = project / "params" / "report.yaml"  # the demonstration data, whatever params/ says
            text = re.sub(r"^data: \w+", "data: demo", settings.read_text(encoding="utf-8"), flags=re.M)
            settings.write_text(text)
            env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
            subprocess.run(
                [sys.executable, "-m", "analysis", "build-data"], cwd=project, env=env, check=True, capture_output=True
            )
    return project


@pytest.fixture
def bundled_network(monkeypatch):
    """The frozen bundled network as the configured one, for tests whose own files name its members (Karmøy's
    submission, Trondheim's local target): they then hold whichever network params/network.yaml configures."""
    monkeypatch.setattr(config, "NETWORK_YAML", BUNDLED_NETWORK)


@pytest.fixture(scope="session")
def bundled_data(bundled_project) -> report_data.ReportData:
    """The bundled network's processed tables, as the pages read them."""
    return report_data.load(bundled_project / "data" / "processed")


POPULATION_EXPORTS = config.SHARED_DATA_DIR / "ssb-07459-population"


@pytest.fixture(scope="session")
def population_exports(tmp_path_factory, worker_id):
    """Every row of the real StatBank 07459 exports (``read_population_exports``)."""
    from analysis.ingest.statbank import read_population_exports

    if not POPULATION_EXPORTS.exists():
        pytest.skip("shared data not available")
    return shared_frame(
        tmp_path_factory, worker_id, "population_exports", lambda: read_population_exports(POPULATION_EXPORTS)
    )


@pytest.fixture(scope="session")
def population_totals(tmp_path_factory, worker_id):
    """The exports summed over ages per code and year (``population.population_totals``)."""
    from analysis.process import population

    if not POPULATION_EXPORTS.exists():
        pytest.skip("shared data not available")
    return shared_frame(
        tmp_path_factory, worker_id, "population_totals", lambda: population.population_totals(POPULATION_EXPORTS)
    )


@pytest.fixture(scope="session")
def bundled_population(population_totals, tmp_path_factory, worker_id):
    """The bundled network's members in 2024 borders (``population.network_population``), whichever network
    params/network.yaml configures."""
    from network_helpers import bundled_units

    from analysis.process import population

    return shared_frame(
        tmp_path_factory,
        worker_id,
        "bundled_population",
        lambda: population.members_in_borders(population_totals, bundled_units()),
    )
