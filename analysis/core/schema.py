"""The project's one vocabulary: the tidy observation table, SSB's symbols, the nation's code and
the borders every report is expressed in. Every stage imports these names from here and nowhere else.
"""

from __future__ import annotations

import re

# SSB symbols. A value is absent (NaN) exactly when its status is one of SUPPRESSED: not applicable
# ".", missing "..", confidential ":", not yet available "...".
SUPPRESSED = frozenset({".", "..", ":", "..."})
#: "-" is nil (a true zero) and "*" provisional: both come with a number.
STATUS_SYMBOLS = frozenset({"", "-", "*"}) | SUPPRESSED

#: What every reader returns (plus reader-specific bookkeeping such as ``source_row``, ``code_year``).
OBSERVATION_COLUMNS = ["unit_code", "year", "kpi_id", "value", "status", "source", "vintage"]
#: The processed observation table adds ``note``: where a series breaks (a value of a unit before a split), and
#: ``warning``: the names of the soft plausibility rules a value lies outside (``""`` for none, several joined by
#: ``;``), which the member's page shows as «Merknad» (data/reference/plausibility.csv, pages.text_nb.WARNINGS).
PROCESSED_OBSERVATION_COLUMNS = [*OBSERVATION_COLUMNS, "note", "warning"]

#: A target: network-wide when ``unit_code`` is empty, else local; band KPIs use band_low/band_high.
TARGET_COLUMNS = ("kpi_id", "unit_code", "target", "target_year", "band_low", "band_high")
#: The targets file adds where the target comes from.
TARGET_FILE_COLUMNS = [*TARGET_COLUMNS, "source"]

NATIONAL_CODE = "0"
NATIONAL_NAME = "Hele landet"

#: The member codes in params/network.yaml, and so every report, are in the borders of this year.
BORDERS_YEAR = 2024


def slugify(name: str) -> str:
    """ASCII file name for a Norwegian name: 'Ålesund' -> 'alesund', 'Møre og Romsdal' -> 'more-og-romsdal'."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", name.translate(table).lower()).strip("-")
