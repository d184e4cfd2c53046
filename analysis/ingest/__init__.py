"""Stage 2, readers for real data: SSB JSON-stat, PxWebApi (v0/v2), StatBank CSV exports, KOSTRA workbooks.

Shared here: how a region code from SSB (``K-3001``, ``F-50``, ``0101 Halden``) becomes a project
``unit_code``. The symbols and the observation columns are in :mod:`analysis.core.schema`.

Pseudo-regions. SSB municipality lists end with ``21-22`` (Svalbard and Jan Mayen), ``23``
(the continental shelf) and ``Rest`` (divided municipalities and unknown). They are not
municipalities or counties of the mainland, so readers keep them out of the unit rows; the
population counted there is reported in ``df.attrs["pseudo_regions"]`` so that national sums can
be reconciled. Under the ``K-`` prefix a two-digit code such as ``K-23`` is a pseudo-region, not a
county.
"""

from __future__ import annotations

import re

PSEUDO_REGIONS = frozenset({"21-22", "21", "22", "23", "Rest"})

_REGION_RE = re.compile(r"^(?:(?P<level>[KF])-)?(?P<code>[0-9]+(?:-[0-9]+)?|Rest)$")  # 0-9 only, never ３


def split_region(raw: str) -> tuple[str, bool] | None:
    """``'K-0301'`` -> ``('0301', False)``, ``'K-23'`` -> ``('23', True)``; None if not a region code.

    The second item says whether the code is a pseudo-region (see the module docstring).
    Svalbard and continental-shelf municipality numbers (21xx, 22xx, 23xx) count as pseudo too.
    Any other code must be the nation (0), a county (2 digits) or a municipality (4 digits): a
    3-digit code is most often a municipality whose leading zero was lost, and is refused, never
    set aside as a pseudo-region.
    """
    m = _REGION_RE.match(str(raw).strip())
    if m is None:
        return None
    code, level = m.group("code"), m.group("level")
    pseudo = code in PSEUDO_REGIONS or "-" in code or (len(code) == 4 and code[:2] in {"21", "22", "23"})
    if pseudo:
        return code, True
    expected = {"K": (4,), "F": (2,)}.get(level, (1, 2, 4))
    if len(code) not in expected or (len(code) == 1 and code != "0"):
        return None
    return code, False
