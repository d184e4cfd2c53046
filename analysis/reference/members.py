"""The network's members from ``params/network.yaml`` (and their population facts), checked before anything runs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.schema import NATIONAL_CODE, NATIONAL_NAME, slugify
from analysis.core.settings import read_yaml


def load_units(path: Path | None = None) -> pd.DataFrame:
    """The unit registry: every member, plus the nation (not a member) for comparisons.

    Columns: unit_code, name, type, county_code, county_name, peer_group, is_member,
    valid_from, valid_to, slug.
    """
    path = Path(path or config.NETWORK_YAML)
    data = read_yaml(path)
    members = data.get("members")
    if not isinstance(members, list) or not members:
        raise InputError(path, "no members listed", field="members")
    counties = {str(k): str(v) for k, v in (data.get("counties") or {}).items()}
    rows = []
    for i, m in enumerate(members, start=1):
        where = dict(path=path, row=None)
        if not isinstance(m, dict):
            raise InputError(reason=f"member {i} is not a mapping", field="members", **where)
        code = m.get("code")
        if not isinstance(code, str):
            raise InputError(
                reason=f"member {i}: code {code!r} must be a quoted string (an unquoted 0301 becomes the number 301)",
                field="code",
                **where,
            )
        unit_type = m.get("type")
        if unit_type not in ("kommune", "fylke"):
            raise InputError(
                reason=f"member {code}: type must be 'kommune' or 'fylke', not {unit_type!r}", field="type", **where
            )
        expected_len = 4 if unit_type == "kommune" else 2
        if not re.fullmatch(rf"\d{{{expected_len}}}", code):
            raise InputError(
                reason=f"member {code}: a {unit_type} code has {expected_len} digits", field="code", **where
            )
        name = m.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(reason=f"member {code}: name is missing", field="name", **where)
        county = str(m.get("county", "")) if unit_type == "kommune" else ""  # a county is not compared with itself
        if unit_type == "kommune" and county not in counties:
            raise InputError(
                reason=f"member {code} ({name}): county {county!r} is not listed under 'counties'",
                field="county",
                **where,
            )
        rows.append(
            {
                "unit_code": code,
                "name": name,
                "type": unit_type,
                "county_code": county,
                "county_name": counties.get(county, ""),
                "peer_group": str(m.get("peer_group", "")),
                "is_member": True,
                "valid_from": m.get("valid_from"),
                "valid_to": m.get("valid_to"),
            }
        )
    units = pd.DataFrame(rows)
    dup = units["unit_code"][units["unit_code"].duplicated()]
    if len(dup):
        raise InputError(path, f"member {dup.iloc[0]} is listed twice", field="code")
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
    if units["slug"].duplicated().any():
        units["slug"] = units["slug"] + "-" + units["unit_code"]
    return units.merge(population_facts(), on="unit_code", how="left")


def population_facts(path: Path | None = None) -> pd.DataFrame:
    """Public population figures per member (SSB), if the project has them: population, its year, a note."""
    path = Path(path or config.REFERENCE_DIR / "population.csv")
    columns = ["unit_code", "population", "population_year", "population_note", "population_source"]
    if not path.exists():
        return pd.DataFrame(columns=columns).astype({"unit_code": str})
    facts = pd.read_csv(path, dtype={"unit_code": str, "note": str}, keep_default_na=False, encoding="utf-8")
    facts = facts.rename(columns={"year": "population_year", "note": "population_note", "source": "population_source"})
    facts["population"] = facts["population"].astype("Int64")
    facts["population_year"] = facts["population_year"].astype("Int64")
    return facts[columns]
