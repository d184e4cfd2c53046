"""Analysis and reporting for Bærekraftsnettverket (U4SSC KPIs for Norwegian municipalities).

All logic lives in this package; the notebooks in ``notebooks/`` only load, call and show.
"""

__version__ = "0.1.0"

import sys

# jsonschema (under nbformat, papermill and frictionless) imports rfc3987-syntax, when it is installed (JupyterLab
# pulls it in), for its "iri" format check; the import builds a grammar parser: 3 s of every process that reads a
# notebook on a busy 2-core machine (measured at load 4-5), before any work. Nothing here validates IRIs; marked
# absent, the module is skipped by jsonschema as if it were not installed (`python -X importtime -c "import
# analysis.build"` shows it).
sys.modules.setdefault("rfc3987_syntax", None)
