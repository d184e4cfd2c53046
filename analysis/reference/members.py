"""The network's members from ``params/network.yaml`` (and their population facts), checked before anything runs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError, Problems
from analysis.core.inputs import defines_anchor, foreign_digit, line_of, read_csv_frame, read_yaml
from analysis.core.schema import BORDERS_YEAR, NATIONAL_CODE, NATIONAL_NAME, slugify
from analysis.reference import geography

#: The name used when network.yaml gives none (a network is not necessarily Bærekraftsnettverket).
DEFAULT_NETWORK_NAME = "Nettverket"
NAME_MAX = 120
#: What network.yaml and each member may say; anything else is a typo whose setting would be lost without a word
#: (``peer_gruop: Storbyer`` leaves the member without a peer group).
TOP_KEYS = ("network", "members", "counties")
MEMBER_FIELDS = ("code", "name", "type", "county", "peer_group", "valid_from", "valid_to")


def network_name(path: Path | None = None) -> str:
    """``network.name`` from ``params/network.yaml``: the site's title, the front page's and the annual
    report's name for the network. A name that is not one line of text is refused."""
    path = Path(path or config.NETWORK_YAML)
    data = read_yaml(path, "network.yaml")
    network = data.get("network")
    if network is None:
        return DEFAULT_NETWORK_NAME
    if not isinstance(network, dict):
        raise InputError(path, "must be a mapping such as '{name: Vestlandsnettverket}'", field="network")
    name = network.get("name", DEFAULT_NETWORK_NAME)
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX or "\n" in name.strip():
        raise InputError(
            path, f"must be a name on one line of at most {NAME_MAX} characters, got {name!r}", field="network.name"
        )
    return name.strip()


def load_units(path: Path | None = None) -> pd.DataFrame:
    """The unit registry: every member, plus the nation (not a member) for comparisons.

    Columns: unit_code, name, type, county_code, county_name, peer_group, is_member,
    valid_from, valid_to, slug. Every problem of the file is reported at once, each with its row: a
    code that is not quoted or not in the registry for the member's last year (2024 borders, or
    ``valid_to``), a name the registry does not give that code (``0301 Bergen``: 0301 is Oslo), two
    members with one code or one name, ``valid_from`` after ``valid_to``, a county that is not listed
    or is not the one the municipality number begins with, an unknown key or member field (a typo's setting
    would be lost), a peer group that is not one line of text, a county given for a county member.
    """
    path = Path(path or config.NETWORK_YAML)
    data = read_yaml(path, "network.yaml")
    problems = Problems()
    for key in sorted({k for k in set(data) - set(TOP_KEYS) if not defines_anchor(data, k)}, key=str):
        where = dict(row=line_of(data, key), field=str(key))
        problems.add(InputError(path, f"unknown key {key!r} (network.yaml has: {', '.join(TOP_KEYS)})", **where))
    members = data.get("members")
    if members == "all":
        data = {**data, **everyone(BORDERS_YEAR)}
        members = data["members"]
    if not isinstance(members, list) or not members:
        raise InputError(path, "no members listed (a list: '- {code: ...}' lines)", row=line_of(data), field="members")
    counties = _counties(path, data.get("counties"), problems)
    rows = []
    for i, m in enumerate(members, start=1):
        row = _member(path, i, m, counties, problems)
        if row is not None:
            rows.append(row)
    _twice(path, members, problems)
    problems.raise_if_any()
    units = pd.DataFrame(rows)
    national = {
        "unit_code": NATIONAL_CODE,
        "name": NATIONAL_NAME,
        "type": "land",
        "county_code": "",
        "county_name": "",
        "peer_group": "",
        "is_member": False,
        "valid_from": None,
        "valid_to": None,
    }
    units = pd.concat([units, pd.DataFrame([national])], ignore_index=True)
    units["valid_from"] = pd.array(units["valid_from"], dtype="Int64")
    units["valid_to"] = pd.array(units["valid_to"], dtype="Int64")
    units["slug"] = units["name"].map(slugify)
    twice = units.duplicated(["type", "slug"], keep=False)  # two Herøy: the code tells their pages apart
    units.loc[twice, "slug"] = units.loc[twice, "slug"] + "-" + units.loc[twice, "unit_code"]
    return units.merge(population_facts(), on="unit_code", how="left")


def everyone(year: int) -> dict:
    """``members: all``: every municipality and county of ``year`` in the code registry, each
    municipality under the county its number begins with, as if each were listed in network.yaml
    (no peer groups: the comparisons are with all municipalities, the county and the nation)."""
    towns = geography.codes_at(year, "municipality")
    counties = geography.codes_at(year, "county")
    listed = [{"code": c, "name": n, "type": "kommune", "county": c[:2]} for c, n in towns.itertuples(index=False)]
    listed += [{"code": c, "name": n, "type": "fylke"} for c, n in counties.itertuples(index=False)]
    return {
        "members": listed,
        "counties": dict(counties.itertuples(index=False)),
    }


def _twice(path: Path, members: list, problems: Problems) -> None:
    """Two members with one code, or with one name (a copied line whose code was not changed). Names
    are compared within a type and county: Oslo is a municipality and a county, and Herøy is a
    municipality in Møre og Romsdal and one in Nordland."""
    for key in ("code", "name"):
        first: dict[str, int | None] = {}
        for m in members:
            value = m.get(key) if isinstance(m, dict) else None
            if not isinstance(value, str):
                continue
            k = " ".join(value.casefold().split())
            if key == "name":
                k = f"{m.get('type')} {m.get('county', '')} {k}"
            if k in first:
                problems.add(
                    InputError(
                        path,
                        f"member {m.get('code')} ({m.get('name')}) is listed twice: {key} {value!r} is also in "
                        f"row {first[k]}",
                        row=line_of(m),
                        field=key,
                    )
                )
            first.setdefault(k, line_of(m))


def _counties(path: Path, raw, problems: Problems) -> dict[str, str]:
    """The ``counties`` mapping (code -> name), each name checked against the registry."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(InputError(path, "must be a mapping of county codes to names", field="counties"))
        return {}
    out = {}
    for code, name in raw.items():
        where = dict(row=line_of(raw), field="counties")
        if not isinstance(code, str) or not re.fullmatch(r"[0-9]{2}", code):
            problems.add(InputError(path, f"county code {code!r} must be two digits in quotes", **where))
        elif not isinstance(name, str) or not name.strip():
            problems.add(InputError(path, f"county {code}: the name is missing", **where))
        elif not geography.name_of(code):
            problems.add(InputError(path, f"county {code} ({name}) is not in the registry", **where))
        elif not geography.names_agree(name, geography.name_of(code)):
            problems.add(
                InputError(path, f"county {code} is {geography.name_of(code)} in the registry, not {name}", **where)
            )
        else:
            out[code] = name
    return out


def _year(value, key: str, code: str, path: Path, row, problems: Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1838 <= value <= BORDERS_YEAR + 50:
        problems.add(InputError(path, f"member {code}: {key} must be a year such as 2020, not {value!r}", row, key))
        return None
    return value


def _member(path: Path, i: int, m, counties: dict[str, str], problems: Problems) -> dict | None:
    """One member as a row of the unit table, or None after adding its problems to ``problems``."""
    if not isinstance(m, dict):
        problems.add(InputError(path, f"member {i} is not a mapping", field="members"))
        return None
    row = line_of(m)
    n_before = len(problems.found)

    def refuse(reason: str, field: str) -> None:
        problems.add(InputError(path, reason, row=row, field=field))

    for key in sorted(set(m) - set(MEMBER_FIELDS), key=str):
        label = m["code"] if isinstance(m.get("code"), str) else i
        refuse(f"member {label}: unknown field {key!r} (a member has: {', '.join(MEMBER_FIELDS)})", str(key))
    code = m.get("code")
    if not isinstance(code, str):
        refuse(f"member {i}: code {code!r} must be a quoted string (an unquoted 0301 becomes the number 301)", "code")
        return None
    unit_type = m.get("type")
    if unit_type not in ("kommune", "fylke"):
        refuse(f"member {code}: type must be 'kommune' or 'fylke', not {unit_type!r}", "type")
        return None
    expected_len = 4 if unit_type == "kommune" else 2
    if not re.fullmatch(rf"[0-9]{{{expected_len}}}", code):
        refuse(foreign_digit(code) or f"member {code}: a {unit_type} code has {expected_len} digits", "code")
        return None
    name = m.get("name")
    if not isinstance(name, str) or not name.strip():
        refuse(f"member {code}: name is missing", "name")
        return None
    valid_from = _year(m.get("valid_from"), "valid_from", code, path, row, problems)
    valid_to = _year(m.get("valid_to"), "valid_to", code, path, row, problems)
    if valid_from is not None and valid_to is not None and valid_from > valid_to:
        refuse(f"member {code} ({name}): valid_from {valid_from} is after valid_to {valid_to}", "valid_from")
    year = min(valid_to, BORDERS_YEAR) if valid_to is not None else BORDERS_YEAR
    if m.get("valid_to") is not None and valid_to is None:
        pass  # the year is refused above; the code cannot be checked without it
    elif not geography.code_valid_in(code, year):
        level = "municipality" if unit_type == "kommune" else "county"
        refuse(f"member {code} ({name}): {code} is not a {level} code in the borders of {year}", "code")
    elif not geography.names_agree(name, geography.name_of(code)):
        refuse(f"member {code} ({name}): {code} is {geography.name_of(code)} in the registry, not {name}", "name")
    peer_group = m.get("peer_group", "")
    if not isinstance(peer_group, str) or "\n" in peer_group.strip():
        refuse(f"member {code} ({name}): peer_group must be a name on one line, got {peer_group!r}", "peer_group")
    if unit_type == "fylke" and "county" in m:
        refuse(f"member {code} ({name}): a county lies in no county; remove county (or is it a kommune?)", "county")
    county = str(m.get("county", "")) if unit_type == "kommune" else ""  # a county is not compared with itself
    if unit_type == "kommune":
        if county not in counties:
            refuse(f"member {code} ({name}): county {county!r} is not listed under 'counties'", "county")
        elif not code.startswith(county):
            refuse(
                f"member {code} ({name}): county {county} ({counties[county]}), but a municipality number "
                f"begins with its county's ({code[:2]})",
                "county",
            )
    if len(problems.found) > n_before:
        return None
    return {
        "unit_code": code,
        "name": name,
        "type": unit_type,
        "county_code": county,
        "county_name": counties.get(county, ""),
        "peer_group": peer_group.strip(),
        "is_member": True,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def population_facts(path: Path | None = None) -> pd.DataFrame:
    """Public population figures per member (SSB), if the project has them: population, its year, a note."""
    path = Path(path or config.REFERENCE_DIR / "population.csv")
    columns = ["unit_code", "population", "population_year", "population_note", "population_source"]
    if not path.exists():
        return pd.DataFrame(columns=columns).astype({"unit_code": str})
    facts = read_csv_frame(path, "the population facts")
    facts = facts.rename(columns={"year": "population_year", "note": "population_note", "source": "population_source"})
    missing = [c for c in columns if c not in facts.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}", row=1, field=missing[0])
    for col in ("population", "population_year"):
        bad = ~facts[col].str.fullmatch(r"[0-9]+")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise InputError(path, f"{facts[col][bad].iloc[0]!r} is not a whole number", row=row, field=col)
        facts[col] = pd.to_numeric(facts[col]).astype("Int64")
    return facts[columns]
