"""Municipality and county codes through the reforms (2018 Trøndelag, 2020, 2024) and moving series
into the borders of one year.

The registry is two bundled files in ``data/reference/``: ``municipalities.csv`` (every code with
its name, level and years of validity; a blank ``valid_from`` means "before 2005", the start of the
bundled data, a blank ``valid_to`` "still valid") and ``code_changes.csv`` (one row per old code ->
new code on 1 January of ``change_year``, ``kind`` renumbered/merged/split, ``whole_from`` naming the
earlier codes whose whole area went to ``new_code`` in a split, e.g. Haram 1534 -> 1580 in 2024).
``analysis.reference.klass.refresh_registry`` rebuilds both from SSB's KLASS API.

Series are never apportioned: renumberings map 1->1, mergers n->1 (counts summed, rates recomputed
from summed numerators and denominators), and a split flags ``break`` on the affected rows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.inputs import read_csv_frame

MUNICIPALITIES_CSV = config.REFERENCE_DIR / "municipalities.csv"
CODE_CHANGES_CSV = config.REFERENCE_DIR / "code_changes.csv"
REGISTRY_COLUMNS = ["code", "name", "level", "valid_from", "valid_to", "source"]
CHANGES_COLUMNS = [
    "old_code",
    "new_code",
    "old_name",
    "new_name",
    "change_year",
    "change_date",
    "kind",
    "whole_from",
    "source",
    "note",
]
KINDS = ("same", "renumbered", "merged", "split")
# Columns that describe a value rather than identify it; everything else in a table is a key.
# The readers' bookkeeping (source_row, code_year, the submitter's source and comment, notes) is not a key
# either: it differs between the parts of a merger, which must still line up.
_VALUE_COLUMNS = {
    "unit_code",
    "unit_name",
    "value",
    "status",
    "source",
    "vintage",
    "numerator",
    "denominator",
    "source_row",
    "code_year",
    "reported_source",
    "comment",
    "note",
}
# When components carry different SSB symbols, the strongest reason wins.
_STATUS_ORDER = (":", "..", ".", "...", "")


def _level(code: str) -> str:
    return "county" if len(code) == 2 else "municipality"


@lru_cache(maxsize=4)
def _load(mun_path: str, changes_path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    mun = read_csv_frame(mun_path, "the municipality registry")
    ch = read_csv_frame(changes_path, "the code changes")
    for path, df, cols in ((mun_path, mun, REGISTRY_COLUMNS), (changes_path, ch, CHANGES_COLUMNS)):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise InputError(path, f"missing columns {missing}")
    for i, r in mun.iterrows():
        for col in ("valid_from", "valid_to"):
            if r[col] and not re.fullmatch(r"[0-9]{4}", r[col]):
                raise InputError(mun_path, f"year expected, got {r[col]!r}", row=i + 2, field=col)
    bad = ch.loc[~ch["kind"].isin(KINDS[1:])]
    if len(bad):
        raise InputError(changes_path, f"unknown kind {bad['kind'].iloc[0]!r}", row=int(bad.index[0]) + 2, field="kind")
    unknown = sorted((set(ch["old_code"]) | set(ch["new_code"])) - set(mun["code"]))
    if unknown:
        raise InputError(changes_path, f"codes not in {Path(mun_path).name}: {unknown[:5]}", field="old_code/new_code")
    mun["valid_from_year"] = pd.to_numeric(mun["valid_from"]).fillna(0).astype(int)
    mun["valid_to_year"] = pd.to_numeric(mun["valid_to"]).fillna(9999).astype(int)
    ch["change_year"] = ch["change_year"].astype(int)
    return mun, ch


def registry(mun_path: Path | None = None, changes_path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two registry tables (municipalities incl. counties, code changes), checked and cached."""
    return _load(str(mun_path or MUNICIPALITIES_CSV), str(changes_path or CODE_CHANGES_CSV))


@lru_cache(maxsize=4)
def _by_code(mun_path: str, changes_path: str) -> dict[str, tuple[int, int, str]]:
    """Every code's first registry row as (valid_from_year, valid_to_year, name): checking a file's few hundred
    codes one scan of the registry each took a second of every check, ingest and build."""
    mun, _ = _load(mun_path, changes_path)
    first = mun.drop_duplicates("code")
    return dict(
        zip(first["code"], zip(first["valid_from_year"].tolist(), first["valid_to_year"].tolist(), first["name"]))
    )


def _registered(code: str) -> tuple[int, int, str] | None:
    return _by_code(str(MUNICIPALITIES_CSV), str(CODE_CHANGES_CSV)).get(str(code))


def code_valid_in(code: str, year: int) -> bool:
    """Whether ``code`` (municipality or county) was in use on 1 January of ``year``."""
    row = _registered(code)
    return row is not None and row[0] <= year <= row[1]


def codes_at(year: int, level: str = "municipality") -> pd.DataFrame:
    """Codes valid on 1 January of ``year`` at ``level`` ("municipality" or "county"), with names."""
    mun, _ = registry()
    ok = (mun["level"] == level) & (mun["valid_from_year"] <= year) & (mun["valid_to_year"] >= year)
    return mun.loc[ok, ["code", "name"]].reset_index(drop=True)


def name_of(code: str) -> str:
    row = _registered(code)
    return row[2] if row is not None else ""


def _name_words(name: str) -> list[str]:
    """The words of a name, case folded, without what labels add to it: '(-2017)', '(Viken)', 'municipality'."""
    n = re.sub(r"\(.*?\)", " ", str(name)).casefold()
    words = re.findall(r"[\w\ufffd]+", n)
    return [w for w in words if not w.isdigit() and w not in ("municipality", "kommune", "county", "fylke")]


def names_agree(given: str, registered: str) -> bool:
    """Whether a region name from a file (``given``) names the unit the registry calls ``registered``.

    Labels differ from the registry in ways that do not change the unit, and these are accepted: an
    addition in brackets ('Våler (Viken)', 'Holmestrand (-2017)'), a word such as 'municipality', spacing,
    hyphens and case ('Deatnu-Tana' for 'Deatnu - Tana'), one of the parallel Norwegian and Sami names
    ('Evenes' for 'Evenes - Evenássi'), words after the name ('Trondheim kommune'), letters lost in
    publication (U+FFFD: 'B\ufffdrum'), and a label cut short at its ends that still holds most of the name
    (SSB's 2020-2023 exports print Steinkjer as 'teinkj'). Any other name is refused, so that
    ``K-0301 Bergen`` (0301 is Oslo) or ``1867 Bømlo`` (1867 is Bø) cannot pass.
    """
    words = _name_words(given)
    if not words:
        return True  # nothing to compare: the file gives a code only
    names = [_name_words(registered)] + [_name_words(p) for p in str(registered).split(" - ")]

    def same(a: str, b: str) -> bool:
        return len(a) == len(b) and all(x == y or x == "\ufffd" for x, y in zip(a, b))

    g = "".join(words)
    for name in names:
        if name and same(g, "".join(name)):
            return True  # spacing and hyphens aside, the same name
        if name and len(words) > len(name) and all(same(w, n) for w, n in zip(words, name)):
            return True  # the name, then words of the file's own
    whole = "".join(names[0])
    pattern = "".join("." if ch == "\ufffd" else re.escape(ch) for ch in g)
    return len(g) >= 0.6 * len(whole) and re.search(pattern, whole) is not None


@lru_cache(maxsize=64)
def _mapping(target_year: int, from_year: int, level: str) -> pd.DataFrame:
    mun, ch = registry()
    names = dict(zip(mun["code"], mun["name"]))
    edges: dict[int, dict[str, list]] = {}
    for r in ch.itertuples():
        edges.setdefault(r.change_year, {}).setdefault(r.old_code, []).append(r)
    rows = []
    for start in codes_at(from_year, level)["code"]:
        # A path: current code, the codes it has been, whether it still carries the start's value, notes.
        paths = [(start, {start}, True, False, [])]
        for year in range(from_year + 1, target_year + 1):
            nxt = []
            for code, seen, carries, split, notes in paths:
                out = edges.get(year, {}).get(code, [])
                if len(out) > 1:
                    whole = [e for e in out if seen & set(filter(None, e.whole_from.split(";")))]
                    if len(whole) == 1:
                        out = whole
                if len(out) == 1:
                    e = out[0]
                    nxt.append((e.new_code, seen | {e.new_code}, carries, split, notes))
                elif out:
                    targets = ", ".join(f"{e.new_code} {e.new_name}" for e in out)
                    for e in out:
                        # The successor with the old name continues the old series; the others get nothing.
                        cont = carries and e.new_name == e.old_name
                        msg = f"{code} {names[code]} was split in {year} into {targets}; " + (
                            "the value is that of the whole of the old unit" if cont else "its value is not included"
                        )
                        nxt.append((e.new_code, seen | {e.new_code}, cont, True, notes + [msg]))
                else:
                    nxt.append((code, seen, carries, split, notes))
            paths = nxt
        for code, _seen, carries, split, notes in paths:
            rows.append(
                {
                    "from_code": start,
                    "to_code": code,
                    "carries_value": carries,
                    "split": split,
                    "notes": "; ".join(notes),
                }
            )
    m = pd.DataFrame(rows, columns=["from_code", "to_code", "carries_value", "split", "notes"])
    n_from = m.groupby("to_code")["from_code"].transform("size")
    m["kind"] = "same"
    m.loc[m["from_code"] != m["to_code"], "kind"] = "renumbered"
    m.loc[n_from > 1, "kind"] = "merged"
    m.loc[m["split"], "kind"] = "split"
    m["weight"] = m["carries_value"].map({True: 1.0, False: float("nan")})
    return m[["from_code", "to_code", "kind", "weight", "carries_value", "notes"]]


def mapping_to(target_year: int, from_year: int, level: str = "municipality") -> pd.DataFrame:
    """How every code valid in ``from_year`` ends up in the borders of ``target_year``.

    Returns DataFrame[from_code, to_code, kind, weight, carries_value, notes], following chains
    (0219 -> 3024 -> 3201). ``kind`` is "same", "renumbered", "merged" (the target has several
    sources) or "split" (the path crosses a split; ``weight`` is NaN unless this target continues
    the old unit, and ``notes`` says why). Weights are 1 or NaN: nothing is apportioned.
    """
    if target_year < from_year:
        raise ValueError(f"mapping goes forward in time only (from {from_year} to {target_year})")
    return _mapping(int(target_year), int(from_year), level).copy()


def strongest_status(statuses: pd.Series) -> str:
    present = [s for s in statuses if s]
    return min(present, key=lambda s: _STATUS_ORDER.index(s) if s in _STATUS_ORDER else 0) if present else ""


def _collapse_to_counties(m: pd.DataFrame) -> pd.DataFrame:
    """Municipality mapping -> county mapping; a split whose parts stay in one county is no split there."""
    m = m.assign(to_code=m["to_code"].str[:2])
    grp = m.groupby(["from_code", "to_code"], as_index=False).agg(
        carries_value=("carries_value", "any"), notes=("notes", "first")
    )
    one = grp.groupby("from_code")["to_code"].transform("size") == 1
    grp.loc[one, "carries_value"] = True
    grp.loc[one, "notes"] = ""
    grp["kind"] = "merged"
    grp.loc[grp["notes"] != "", "kind"] = "split"
    return grp


@lru_cache(maxsize=64)
def county_area_changes(target_year: int, from_year: int) -> dict[str, str]:
    """Counties whose code carries over (same or renumbered) although their municipalities changed
    between ``from_year`` and ``target_year`` (in 2020 Halsa left Møre og Romsdal for Trøndelag and
    Hornindal joined it): from_code -> a Norwegian description of the break. The county code
    changes alone do not show this."""
    municipalities = _mapping(target_year, from_year, "municipality")
    counties = _mapping(target_year, from_year, "county")
    out = {}
    for r in counties.loc[counties["kind"].isin(["same", "renumbered"])].itertuples(index=False):
        then = set(municipalities.loc[municipalities["from_code"].str[:2] == r.from_code, "from_code"])
        now = set(municipalities.loc[municipalities["to_code"].str[:2] == r.to_code, "from_code"])
        if then != now:
            moved = ", ".join(f"{c} {name_of(c)}" for c in sorted(then ^ now))
            out[r.from_code] = (
                f"{r.from_code} {name_of(r.from_code)} ({from_year}) omfattet ikke de samme "
                f"kommunene som {r.to_code} i {target_year} (flyttet: {moved}): brudd i serien"
            )
    return out


def to_borders(
    df: pd.DataFrame,
    target_year: int,
    value_kind: str = "count",
    numerator: str = "numerator",
    denominator: str = "denominator",
    scale: float = 1.0,
    level: str = "municipality",
    targets: list[str] | None = None,
    path: str | Path | None = None,
) -> pd.DataFrame:
    """Move a tidy table (``unit_code``, ``year``, ``value`` or numerator/denominator, any key columns)
    into the borders of ``target_year``.

    Counts of merged units are summed; rates (``value_kind="rate"``) are ``sum(numerator) /
    sum(denominator) * scale``, never averages. ``level="county"`` aggregates municipalities to the
    counties of ``target_year``. A target is ``incomplete`` (value NaN) when a component is missing
    or has no value, so a merger never becomes a silently too-small total; a split sets ``break``
    with ``break_reason``. ``targets`` restricts the result to these codes and gives them a row even
    when none of their components is in the table. Result columns: unit_code, unit_name, year, the
    key columns, value, status, [numerator, denominator], components, kind, break, break_reason,
    incomplete, missing_components, borders.
    """
    if value_kind not in ("count", "rate"):
        raise ValueError(f"value_kind must be 'count' or 'rate', not {value_kind!r}")
    data = (
        df.rename(columns={numerator: "numerator", denominator: "denominator"}) if value_kind == "rate" else df.copy()
    )
    vals = ["numerator", "denominator"] if value_kind == "rate" else ["value"]
    missing = [c for c in ["unit_code", "year"] + vals if c not in data.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}")
    if "status" not in data.columns:
        data["status"] = ""
    data["status"] = data["status"].fillna("")
    keys = [c for c in data.columns if c not in _VALUE_COLUMNS and c != "year"]
    # codes follow the borders named in code_year where a reader recorded it (the 2023 KOSTRA workbook
    # uses 2024 codes), else the borders of the data year
    data["_code_year"] = data["code_year"].fillna(data["year"]) if "code_year" in data else data["year"]
    out = []
    for (year, code_year), part in data.groupby(["year", "_code_year"], sort=True):
        m = mapping_to(target_year, int(code_year), "municipality")
        unknown = sorted(set(part["unit_code"]) - set(m["from_code"]))
        if unknown:
            raise InputError(
                path,
                f"code {unknown[0]!r} is not a valid municipality code in {int(code_year)} ({len(unknown)} such codes)",
                field="unit_code",
            )
        if level == "county":
            m = _collapse_to_counties(m)
        wanted = set(targets) if targets else set(m.loc[m["from_code"].isin(part["unit_code"]), "to_code"])
        m = m.loc[m["to_code"].isin(wanted)]
        info = m.groupby("to_code").agg(
            components=("from_code", lambda s: ";".join(sorted(s))),
            kind=("kind", lambda s: max(s, key=KINDS.index)),
            break_reason=("notes", lambda s: "; ".join(sorted(set(n for n in s if n)))),
        )
        keysets = part[keys].drop_duplicates() if keys else pd.DataFrame({"_k": [0]})
        expected = m.loc[m["carries_value"], ["to_code", "from_code"]].merge(keysets, how="cross")
        got = part.rename(columns={"unit_code": "from_code"})[["from_code"] + keys + vals + ["status"]]
        e = expected.merge(got, on=["from_code"] + keys, how="left", indicator=True)
        e["absent"] = e["_merge"] == "left_only"
        e["no_value"] = e[vals].isna().any(axis=1) & ~e["absent"]
        e["missing_code"] = e["from_code"].where(e["absent"], "")
        e["nan_status"] = e["status"].where(e["no_value"], "").fillna("")
        # dropna=False: an empty key column (an `age` that a table leaves blank) is a key like any other,
        # not a reason to drop every row of the table
        g = e.groupby(["to_code"] + (keys or ["_k"]), as_index=False, dropna=False).agg(
            **{v: (v, "sum") for v in vals},
            absent=("absent", "any"),
            no_value=("no_value", "any"),
            missing_components=("missing_code", lambda s: ";".join(sorted(c for c in s if c))),
            status=("nan_status", strongest_status),
        )
        frame = pd.DataFrame({"to_code": sorted(wanted & set(info.index))}).merge(keysets, how="cross")
        for k in keys:  # grouping turns a key of only None into floats: give it back its own type
            g[k] = g[k].astype(frame[k].dtype)
        g = frame.merge(g, on=["to_code"] + (keys or ["_k"]), how="left")
        g["incomplete"] = g["absent"].fillna(True).astype(bool) | g["no_value"].fillna(False).astype(bool)
        g["missing_components"] = g["missing_components"].fillna("")
        g["status"] = g["status"].fillna("")
        if value_kind == "rate":
            g.loc[g["incomplete"], vals] = float("nan")
            g["value"] = g["numerator"] / g["denominator"].where(g["denominator"] != 0) * scale
        else:
            g.loc[g["incomplete"], "value"] = float("nan")
        g = g.join(info, on="to_code")
        g["break"] = g["break_reason"] != ""
        g["year"] = int(year)
        out.append(
            g.rename(columns={"to_code": "unit_code"}).drop(columns=["_k", "absent", "no_value"], errors="ignore")
        )
    if not out:
        return pd.DataFrame()
    res = pd.concat(out, ignore_index=True)
    res["unit_name"] = res["unit_code"].map(name_of)
    res["borders"] = int(target_year)
    res["year"] = res["year"].astype("int64")
    res["value"] = res["value"].astype("float64")
    front = (
        ["unit_code", "unit_name", "year"]
        + keys
        + ["value", "status"]
        + (["numerator", "denominator"] if value_kind == "rate" else [])
    )
    rest = ["components", "kind", "break", "break_reason", "incomplete", "missing_components", "borders"]
    return res[front + rest].sort_values(["unit_code", "year"] + keys).reset_index(drop=True)


# --- names to codes: a file that names its municipalities without codes ---------------------------------------


def _plain(name: str) -> str:
    """A name as compared: case folded, spaces collapsed, no spaces around a hyphen."""
    return re.sub(r"\s*-\s*", "-", " ".join(str(name).casefold().split()))


def _name_key(name: str) -> str:
    """The name without what labels add to it: a bracket ('Herøy (Nordland)'), a trailing 'kommune',
    'fylke' or 'fylkeskommune' ('Trondheim kommune')."""
    n = _plain(re.sub(r"\(.*?\)", " ", str(name)))
    return re.sub(r"(?:^| )(?:kommune|fylkeskommune|fylke)$", "", n).strip()


def _name_parts(name: str) -> set[str]:
    """The parallel names of a Norwegian/Sami/Kven double name: 'Porsanger - Porsángu - Porsanki' has three.
    Only a hyphen with spaces around it separates parallel names (Midt-Telemark is one name)."""
    bare = re.sub(r"\(.*?\)", " ", str(name))
    return {_name_key(p) for p in re.split(r"\s+-\s+", bare) if _name_key(p)}


@lru_cache(maxsize=64)
def _names_in(year: int, level: str) -> tuple[tuple[str, str, str, str, frozenset], ...]:
    return tuple(
        (code, name, _plain(name), _name_key(name), frozenset(_name_parts(name)))
        for code, name in codes_at(year, level).itertuples(index=False)
    )


def codes_named(name: str, year: int, level: str = "municipality", county: str | None = None) -> list[tuple[str, str]]:
    """The (code, registry name) of every unit at ``level`` in use on 1 January of ``year`` that ``name``
    can mean; one pair when the name is unambiguous, none when it names nothing, several when it is ambiguous.

    Case, spacing and a trailing «kommune» do not matter. The registry's whole name is tried first
    ('Herøy (Nordland)'), then the name without its bracket, then one of the parallel names of a double
    name ('Trondheim - Tråante' is Trondheim, 'Porsanger' is Porsanger - Porsángu - Porsanki). ``county``
    (a county's name or two-digit code in the same year) keeps only the municipalities in it, which is how
    the two Herøys of 2024 (Møre og Romsdal 1515, Nordland 1818) are told apart; a bracket that names a
    county does the same ('Bø (Telemark)'). A name without a bracket never matches only the unbracketed one
    of two namesakes: 'Bø' in 2019 is Bø (Telem.) 0821 or Bø 1867, and is ambiguous."""
    entries = _names_in(int(year), level)
    given, key, parts = _plain(name), _name_key(name), _name_parts(name)
    bracket = re.search(r"\((.*?)\)", str(name))
    hits = [e for e in entries if e[2] == given] if bracket else []  # 'Bø' alone is no exact match of Bø (1867)
    if (
        not hits
        and bracket
        and county is None
        and level == "municipality"
        and codes_named(bracket.group(1), year, "county")
    ):
        county = bracket.group(1)  # 'Bø (Telemark)': the bracket names the county
    if not hits:
        hits = [e for e in entries if e[3] == key]
    if not hits:
        hits = [e for e in entries if parts & e[4]]
    if county is not None and level == "municipality":
        counties = {c for c, _ in codes_named(county, year, "county")} if not str(county).isdigit() else {county}
        hits = [e for e in hits if e[0][:2] in counties]
    return [(e[0], e[1]) for e in hits]


def names_like(name: str, year: int, level: str = "municipality", n: int = 3) -> list[str]:
    """The registry's names closest to a name that names nothing (a misspelling, an old name), for the message."""
    import difflib

    entries = _names_in(int(year), level)
    keys = {e[3]: e[1] for e in entries}
    return [keys[k] for k in difflib.get_close_matches(_name_key(name), list(keys), n=n, cutoff=0.75)]
