"""One place for every path the project uses, derived from the package location.

Notebooks and scripts import these instead of writing ``../../data``. The environment variable
``BAEREKRAFT_ROOT`` points the whole pipeline at another project tree (the tests use it to build
into a temporary folder without touching the real one).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("BAEREKRAFT_ROOT", PACKAGE_DIR.parent)).resolve()

PARAMS_DIR = ROOT / "params"
RAW_DIR = ROOT / "data" / "raw"
REFERENCE_DIR = RAW_DIR / "reference"
DEMO_DIR = RAW_DIR / "demo"
TEMPLATES_DIR = RAW_DIR / "templates"
PROCESSED_DIR = ROOT / "data" / "processed"
RESULTS_DIR = PROCESSED_DIR / "results"
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
SITE_DIR = REPORTS_DIR / "_site"
CACHE_DIR = ROOT / "data" / "cache"

CATALOG_CSV = REFERENCE_DIR / "u4ssc_catalog.csv"
NETWORK_YAML = PARAMS_DIR / "network.yaml"
REPORT_YAML = PARAMS_DIR / "report.yaml"

# The shared folder beside the repository holds the reference list and real public files.
SHARED_DIR = Path(os.environ.get("BAEREKRAFT_SHARED", ROOT.parent / "shared")).resolve()
SHARED_DATA_DIR = SHARED_DIR / "data"
SHARED_KPI_CSV = SHARED_DIR / "reference" / "u4ssc_kpis.csv"
