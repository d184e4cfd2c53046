"""The network's own indicators (``params/indicators.yaml``) beside the 112 U4SSC data points.

A network measures more than U4SSC asks for (refugees settled, emissions per inhabitant from
Miljødirektoratet). Each such indicator is declared once in ``params/indicators.yaml`` and then joins
the catalog the build uses, with ``origin`` ``own`` (the U4SSC rows have ``u4ssc``), so that its
observations pass validation, get trends, status and comparisons and are shown on the pages as the
network's own indicators, never as U4SSC's. :func:`full_catalog` is the one function every stage calls
for that combined catalog.

An own code is lower-case letters, digits, ``-`` and ``_``, starting with a letter (``imdi-bosatte``):
it can never be mistaken for a U4SSC code (which always holds colons, ``EN:EN:AQ:2C``) nor for a
reader's source variable (``ssb/...``, ``kostra/...``). An optional ``formula`` derives the indicator
from series the project holds (:mod:`analysis.process.derived` computes it):

- ``per_1000_inhabitants: <code>`` / ``per_100000_inhabitants: <code>``: the series divided by the
  population of the same unit and year (1 January, SSB table 07459) times 1 000 or 100 000;
- ``share: [<numerator>, <denominator>]``: 100 × numerator / denominator, in percent.

Every problem of the file is reported at once (file, entry's row, field, reason).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError, Problems
from analysis.core.inputs import MB, line_of, read_bytes, read_yaml
from analysis.core.schema import slugify
from analysis.reference.catalog import CATALOG_COLUMNS, DIMENSION_NB, DIRECTIONS, load_catalog

INDICATORS_YAML = config.PARAMS_DIR / "indicators.yaml"
#: An own code: a letter, then letters, digits, ``-`` or ``_`` (no colon, no slash, no upper case).
OWN_CODE = re.compile(r"[a-z][a-z0-9_-]{0,63}")
#: What looks like a U4SSC code (``XX:YY:ZZ:n``): refused with its own reason, not only the pattern's.
U4SSC_LIKE = re.compile(r"\s*[A-Za-z]{2,3}\s*:\s*[A-Za-z]{2,3}\s*:\s*[A-Za-z]{2,3}\s*:.*")
#: The formulas and the factor each applies to ``source / population``; ``share`` is 100 × a / b.
PER_INHABITANTS = {"per_1000_inhabitants": 1_000, "per_100000_inhabitants": 100_000}
FORMULAS = (*PER_INHABITANTS, "share")
FIELDS = ("code", "name_nb", "name_en", "unit", "direction", "sdg_goals", "dimension", "source", "formula", "key")
REQUIRED = ("code", "name_nb", "unit", "direction", "sdg_goals", "dimension", "source")
#: The catalog's columns plus what only the combined catalog has.
FULL_CATALOG_COLUMNS = [*CATALOG_COLUMNS, "origin", "source", "formula"]
U4SSC_SOURCE = "ITU, U4SSC-indikatorene (ITU-T Y.4903)"
#: The sub-dimension and category an own indicator is filed under on the pages (it has no U4SSC one).
OWN_GROUP_NB = "Nettverkets egne indikatorer"


def formula_text(formula: dict | None) -> str:
    """The formula as one line in the catalog: ``per_1000_inhabitants: X`` or ``share: A / B`` (``""`` for none)."""
    if not formula:
        return ""
    (kind, arg), *_ = formula.items()
    return f"share: {arg[0]} / {arg[1]}" if kind == "share" else f"{kind}: {arg}"


def parse_formula(text: str) -> tuple[str, list[str]]:
    """``'share: a / b'`` -> ``('share', ['a', 'b'])``; ``'per_1000_inhabitants: x'`` -> (..., ['x'])."""
    kind, _, rest = str(text).partition(":")
    return kind.strip(), [p.strip() for p in rest.split(" / ")]


def load_own_indicators(path: Path | None = None, u4ssc: pd.DataFrame | None = None) -> pd.DataFrame:
    """The own indicators of ``path`` as catalog rows (``FULL_CATALOG_COLUMNS``); none when there is no file.

    Refused, every problem at once: an entry that is not a mapping, an unknown field, a missing one, a code
    that is a U4SSC code or looks like one, breaks the own-code rule or comes twice, an unknown direction or
    dimension, an SDG goal outside 1-17, a ``key`` that is not true/false, and a formula of an unknown kind,
    with the wrong number of series, or over a series that is neither in the catalog nor declared here (or
    that is itself derived: formulas are computed in one pass).
    """
    path = Path(path or INDICATORS_YAML)
    if not path.is_file():
        return pd.DataFrame(columns=FULL_CATALOG_COLUMNS)
    data = read_yaml(path, "the own indicators")
    u4ssc = load_catalog() if u4ssc is None else u4ssc
    entries = data.get("indicators") or []
    extra = sorted(set(data) - {"indicators"}, key=str)
    problems = Problems()
    if extra:
        problems.add(
            InputError(path, f"unknown key {extra[0]!r} (the file holds 'indicators:', a list)", field=extra[0])
        )
    if not isinstance(entries, list):
        problems.add(InputError(path, "'indicators' must be a list of entries (- code: ...)", field="indicators"))
        entries = []
    u4ssc_codes = set(u4ssc["kpi_id"]) | set(u4ssc["code"])
    declared = [e.get("code") for e in entries if isinstance(e, dict)]
    derived = {e.get("code") for e in entries if isinstance(e, dict) and e.get("formula")}
    known = set(u4ssc["kpi_id"]) | {c for c in declared if isinstance(c, str)}
    rows, seen = [], {}
    for i, entry in enumerate(entries, start=1):
        row = _entry(path, i, entry, u4ssc_codes, known, derived, seen, problems)
        if row is not None:
            rows.append(row)
    problems.raise_if_any()
    return pd.DataFrame(rows, columns=FULL_CATALOG_COLUMNS)


def _entry(path, i, entry, u4ssc_codes, known, derived, seen, problems) -> dict | None:
    """One entry as a catalog row, or None after adding its problems."""
    row_no = line_of(entry)
    n_before = len(problems.found)

    def refuse(field: str | None, reason: str) -> None:
        problems.add(InputError(path, f"indicator {i}: {reason}", row=row_no, field=field))

    if not isinstance(entry, dict):
        refuse(None, "must be a mapping (code: ..., name_nb: ..., ...)")
        return None
    for key in sorted(set(entry) - set(FIELDS), key=str):
        refuse(str(key), f"unknown field {key!r} (the fields are {', '.join(FIELDS)})")
    for key in REQUIRED:
        if entry.get(key) in (None, "", []):
            refuse(key, f"{key} is missing")
    for key in ("code", "name_nb", "name_en", "unit", "source"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            refuse(key, f"{key} must be text, got {entry[key]!r}")
    code = entry.get("code")
    if isinstance(code, str) and code:
        from analysis.reference.catalog import normalise_code

        if code in u4ssc_codes or normalise_code(code) in u4ssc_codes:
            refuse(
                "code", f"{code!r} is a U4SSC code: an own indicator needs a code of its own (such as 'imdi-bosatte')"
            )
        elif U4SSC_LIKE.fullmatch(code):
            refuse("code", f"{code!r} has the pattern of a U4SSC code (XX:YY:ZZ:n), which is U4SSC's namespace")
        elif not OWN_CODE.fullmatch(code):
            refuse(
                "code",
                f"{code!r} is not an own code: a lower-case letter, then lower-case letters, digits, '-' or '_' "
                "(at most 64), such as 'imdi-bosatte'",
            )
        if code in seen:
            refuse("code", f"duplicate code {code!r} (also indicator {seen[code]})")
        seen.setdefault(code, i)
    direction = entry.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        refuse("direction", f"unknown direction {direction!r} (one of {', '.join(DIRECTIONS)})")
    dimension = entry.get("dimension")
    dim_en = {**{k: k for k in DIMENSION_NB}, **{v: k for k, v in DIMENSION_NB.items()}}.get(dimension)
    if dimension is not None and dim_en is None:
        names = ", ".join(f"{nb} ({en})" for en, nb in DIMENSION_NB.items())
        refuse("dimension", f"unknown dimension {dimension!r} (one of {names})")
    goals = entry.get("sdg_goals")
    goals = [goals] if isinstance(goals, int) and not isinstance(goals, bool) else goals
    if goals is not None and not (
        isinstance(goals, list) and all(isinstance(g, int) and not isinstance(g, bool) for g in goals)
    ):
        refuse("sdg_goals", f"sdg_goals must be a list of goal numbers such as [11, 13], got {goals!r}")
        goals = None
    for g in goals or []:
        if not 1 <= g <= 17:
            refuse("sdg_goals", f"SDG {g} is outside 1-17 (there are 17 sustainable development goals)")
    key = entry.get("key", False)
    if not isinstance(key, bool):
        refuse("key", f"key must be true or false, got {key!r}")
    formula = entry.get("formula")
    if formula is not None:
        _check_formula(formula, code, known, derived, refuse)
    if len(problems.found) > n_before:
        return None
    dim_nb = DIMENSION_NB[dim_en]
    return {
        "kpi_id": code,
        "code": code,
        "data_point": "",
        "name_nb": entry["name_nb"],
        "name_en": entry.get("name_en") or "",
        "dimension": dim_en,
        "dimension_nb": dim_nb,
        "subdimension": "",
        "subdimension_nb": OWN_GROUP_NB,
        "category": "",
        "category_nb": OWN_GROUP_NB,
        "core_or_advanced": "",
        "unit": entry["unit"],
        "unit_nb": entry["unit"],
        "direction": direction,
        "direction_inferred": False,
        "sdg_goals": ";".join(str(g) for g in goals),
        "inferred_fields": "",
        "demo_low": float("nan"),
        "demo_high": float("nan"),
        "key": key,
        "slug": slugify(code),
        "origin": "own",
        "source": entry["source"],
        "formula": formula_text(formula),
    }


def _check_formula(formula, code, known, derived, refuse) -> None:
    if not isinstance(formula, dict) or len(formula) != 1:
        refuse("formula", f"formula must be one of {', '.join(FORMULAS)} with its series, got {formula!r}")
        return
    (kind, arg), *_ = formula.items()
    if kind not in FORMULAS:
        refuse("formula", f"unknown formula {kind!r} (one of {', '.join(FORMULAS)})")
        return
    if kind == "share":
        if not (isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg)):
            refuse("formula", f"share needs [numerator, denominator], two series codes, got {arg!r}")
            return
        if arg[0] == arg[1]:
            refuse("formula", f"share of {arg[0]!r} in itself is 100 % in every year: give two series")
            return
        series = arg
    else:
        if not isinstance(arg, str):
            refuse("formula", f"{kind} needs one series code, got {arg!r}")
            return
        series = [arg]
    for s in series:
        if s == code:
            refuse("formula", f"the formula refers to the indicator itself ({s!r})")
        elif s not in known:
            refuse(
                "formula",
                f"the formula refers to an unknown series {s!r} (neither a U4SSC data point nor declared here)",
            )
        elif s in derived:
            refuse(
                "formula", f"the formula refers to {s!r}, which is itself derived (formulas over measured series only)"
            )


def full_catalog(indicators: Path | None = None, catalog: Path | None = None) -> pd.DataFrame:
    """The catalog the build uses: the U4SSC data points (``origin`` ``u4ssc``) and then the network's own
    indicators from ``params/indicators.yaml`` (``origin`` ``own``).

    Made once per content of the two files and handed out as a copy: ``check`` and ``ingest`` validate every file
    against it, and reading and checking both files again was over a quarter of a small file's check."""
    indicators, catalog = Path(indicators or INDICATORS_YAML), Path(catalog or config.CATALOG_CSV)
    key = (_content_digest(indicators), _content_digest(catalog))
    if None in key:  # unreadable, too large or not a file: read it as always, which says why
        return _full_catalog(indicators, catalog)
    made = _full_catalog_of(indicators, catalog, key)
    if key != (_content_digest(indicators), _content_digest(catalog)):  # a file changed while it was read
        _full_catalog_of.cache_clear()
        return _full_catalog(indicators, catalog)
    return made.copy()


def _content_digest(path: Path) -> str | None:
    """A digest of the file's bytes, ``"absent"`` when there is no such path, ``None`` for what the readers refuse
    (a folder, a pipe, a file over 16 MB): they are then called as always, and say why."""
    if not path.exists():
        return "absent"
    try:
        return hashlib.sha256(read_bytes(path, 16 * MB, "a catalog file")).hexdigest()
    except InputError:
        return None


@lru_cache(maxsize=8)
def _full_catalog_of(indicators: Path, catalog: Path, key: tuple[str, str]) -> pd.DataFrame:
    """The combined catalog, kept per paths and ``key`` (the two files' digests)."""
    return _full_catalog(indicators, catalog)


def _full_catalog(indicators: Path, catalog: Path) -> pd.DataFrame:
    u4ssc = load_catalog(catalog).assign(origin="u4ssc", source=U4SSC_SOURCE, formula="")
    own = load_own_indicators(indicators, u4ssc)
    if own.empty:
        return u4ssc[FULL_CATALOG_COLUMNS]
    own = own.astype({"key": bool, "direction_inferred": bool, "demo_low": float, "demo_high": float})
    return pd.concat([u4ssc[FULL_CATALOG_COLUMNS], own], ignore_index=True)
