"""The build's date: ``SOURCE_DATE_EPOCH`` when it is set (reproducible builds), else today.

The processed metadata (``built``), the pages' «Sist oppdatert», the data page and the PDFs all take
the date from here, so two builds of the same input with the same ``SOURCE_DATE_EPOCH`` give
identical files (https://reproducible-builds.org/specs/source-date-epoch/).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone


def source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def build_date() -> date:
    """The date of ``SOURCE_DATE_EPOCH`` in UTC, as the specification asks, else today's local date."""
    epoch = source_date_epoch()
    return datetime.fromtimestamp(epoch, tz=timezone.utc).date() if epoch is not None else date.today()
