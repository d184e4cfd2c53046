"""Session fixtures shared by the test modules.

``bundled_project`` holds the processed data of the frozen bundled network (``tests/fixtures/network/
bundled.yaml``) with the demonstration data, built once per session in a throw-away copy of the project:
tests with known answers for Trondheim, Ålesund or Viken read it instead of ``data/processed``, so they
hold whichever network and data a user configures in ``params/``.

``population_exports``, ``population_totals`` and ``bundled_population`` are the real SSB 07459 exports in
``../shared`` (824 000 rows), read once per run (shared by the pytest-xdist workers): several modules check
their numbers, and reading them took seconds each time.

Both are kept between runs in ``.test-cache/`` under a digest of their inputs, the package's code that made them
and the libraries (``cached``, ``code_of``): a run with nothing of that changed reads them instead of making them.

``make test-fast`` runs the property tests with the hypothesis profile "fast" (``--hypothesis-profile fast``): a
quarter of the examples, which were a fifth of the fast suite's CPU time; ``make test`` keeps hypothesis's default.

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
import hashlib
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings
from network_helpers import BUNDLED_NETWORK, BUNDLED_TARGETS
from requests.adapters import HTTPAdapter
from test_layers import STAGES

from analysis.core import config
from analysis.pages import report_data
from analysis.site.sandbox import make_project

settings.register_profile("fast", max_examples=25)


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


#: What the session fixtures made, kept between runs (``make clean`` removes it): each entry is named by a digest of
#: everything it was made from, so a changed input, library or code that made it (``code_of``) makes it again.
CACHE = Path(__file__).resolve().parents[1] / ".test-cache"
PACKAGE = Path(config.PACKAGE_DIR)
LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "pyarrow", "openpyxl", "pymannkendall")


def code_of(stage: str) -> tuple[Path, ...]:
    """The package's code a fixture made by ``stage`` can run: that stage, every earlier one (a stage imports only
    those: ``tests/test_layers.py``) and the modules on top (``build-data`` runs through ``cli.py`` and
    ``build.py``). Editing the pages or the site then keeps the data fixtures; editing the statistics makes the
    bundled project's data again, not the population read from the exports."""
    return (*sorted(PACKAGE.glob("*.py")), *(PACKAGE / s for s in STAGES[: STAGES.index(stage) + 1]))


def inputs_digest(*paths: Path, code: tuple[Path, ...]) -> str:
    """A digest of the files under ``paths`` and ``code`` (names and bytes; ``code_of``), Python and the libraries:
    a cached result never outlives a change to its inputs or to the code that made it."""
    from importlib.metadata import version

    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        digest.update(f"{library} {version(library)}".encode())
    for root in (*code, *paths):
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.name.startswith("."):
                continue
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached(name: str, key: str, make) -> Path:
    """``CACHE/<name>-<key>``, made by ``make(path)`` (into a temporary name, then renamed, so a run that is
    interrupted or runs beside another never leaves a half-made entry) unless a run made it before; older
    entries of ``name`` are removed."""
    entry = CACHE / f"{name}-{key}"
    if not entry.exists():
        CACHE.mkdir(exist_ok=True)
        partial = CACHE / f".{name}-{key}.{os.getpid()}"
        make(partial)
        for old in CACHE.glob(f"{name}-*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        os.replace(partial, entry)
    return entry


def shared_frame(
    tmp_path_factory, worker_id: str, name: str, make, inputs: tuple[Path, ...], stage: str
) -> pd.DataFrame:
    """``make()`` (code of ``stage``) once for ``inputs`` (files or folders; see ``inputs_digest``), kept in
    ``CACHE`` as a pickle (which keeps ``attrs``) and read by every worker and later run."""
    with once_per_run(tmp_path_factory, worker_id, name):
        entry = cached(name, inputs_digest(*inputs, code=code_of(stage)), lambda path: make().to_pickle(path))
    return pd.read_pickle(entry)


@pytest.fixture(scope="session")
def bundled_project(tmp_path_factory, worker_id) -> Path:
    """A copy of the project with the bundled network, its data built (``build-data``), once per run; the
    processed data is kept in ``CACHE`` for the copy's files and the shared data, so a later run with the same
    inputs copies it instead of building.

    Tests only read it."""
    with once_per_run(tmp_path_factory, worker_id, "bundled") as (shared, todo):
        project = shared / "bundled"
        if todo:
            make_project(project, BUNDLED_NETWORK.read_text(encoding="utf-8"), "all")
            shutil.copyfile(BUNDLED_TARGETS, project / "params" / "targets.csv")  # its own local targets too
            settings = project / "params" / "report.yaml"  # the demonstration data, whatever params/ says
            text = re.sub(r"^data: \w+", "data: demo", settings.read_text(encoding="utf-8"), flags=re.M)
            settings.write_text(text)
            code = (*code_of("stats"), PACKAGE / "pages" / "text_nb.py")  # build-data checks the warnings' texts
            key = inputs_digest(project, config.SHARED_DATA_DIR, config.SHARED_KPI_CSV, code=code)
            processed = cached("bundled-processed", key, lambda path: build_data(project, path))
            shutil.copytree(processed, project / "data" / "processed")
    return project


def build_data(project: Path, out: Path) -> None:
    """``build-data`` in ``project``; its processed tables copied to ``out``."""
    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(config.SHARED_DIR)}
    subprocess.run(
        [sys.executable, "-m", "analysis", "build-data"], cwd=project, env=env, check=True, capture_output=True
    )
    shutil.copytree(project / "data" / "processed", out)  # the files the link points to
    shutil.rmtree(project / "data" / "processed.versions")
    (project / "data" / "processed").unlink()


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
REFERENCE = Path(config.PACKAGE_DIR).parent / "data" / "reference"  # the codes and borders the mapping reads


@pytest.fixture(scope="session")
def population_exports(tmp_path_factory, worker_id):
    """Every row of the real StatBank 07459 exports (``read_population_exports``)."""
    from analysis.ingest.statbank import read_population_exports

    if not POPULATION_EXPORTS.exists():
        pytest.skip("shared data not available")
    return shared_frame(
        tmp_path_factory,
        worker_id,
        "population_exports",
        lambda: read_population_exports(POPULATION_EXPORTS),
        (POPULATION_EXPORTS,),
        "ingest",
    )


@pytest.fixture(scope="session")
def population_totals(request, tmp_path_factory, worker_id):
    """The exports summed over ages per code and year (``population.population_totals``), made from the exports
    fixture: asked for only when the totals are not in the cache (loading it takes seconds)."""
    from analysis.process import population

    if not POPULATION_EXPORTS.exists():
        pytest.skip("shared data not available")
    return shared_frame(
        tmp_path_factory,
        worker_id,
        "population_totals",
        lambda: population.population_totals(POPULATION_EXPORTS, request.getfixturevalue("population_exports")),
        (POPULATION_EXPORTS, REFERENCE),
        "process",
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
        (POPULATION_EXPORTS, REFERENCE, BUNDLED_NETWORK),
        "process",
    )
