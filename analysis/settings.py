"""Network members and report settings from ``params/``, checked before anything runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis import config
from analysis.errors import InputError

NATIONAL_CODE = "0"
NATIONAL_NAME = "Hele landet"


def slugify(name: str) -> str:
    """ASCII file name for a Norwegian name: 'Ålesund' -> 'alesund', 'Møre og Romsdal' -> 'more-og-romsdal'."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", name.translate(table).lower()).strip("-")


def _read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                         row=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping at the top level")
    return data


def load_units(path: Path | None = None) -> pd.DataFrame:
    """The unit registry: every member, plus the nation (not a member) for comparisons.

    Columns: unit_code, name, type, county_code, county_name, peer_group, is_member,
    valid_from, valid_to, slug.
    """
    path = Path(path or config.NETWORK_YAML)
    data = _read_yaml(path)
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
            raise InputError(reason=f"member {i}: code {code!r} must be a quoted string "
                             "(an unquoted 0301 becomes the number 301)", field="code", **where)
        unit_type = m.get("type")
        if unit_type not in ("kommune", "fylke"):
            raise InputError(reason=f"member {code}: type must be 'kommune' or 'fylke', not {unit_type!r}",
                             field="type", **where)
        expected_len = 4 if unit_type == "kommune" else 2
        if not re.fullmatch(rf"\d{{{expected_len}}}", code):
            raise InputError(reason=f"member {code}: a {unit_type} code has {expected_len} digits",
                             field="code", **where)
        name = m.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(reason=f"member {code}: name is missing", field="name", **where)
        county = str(m.get("county", "")) if unit_type == "kommune" else ""  # a county is not compared with itself
        if unit_type == "kommune" and county not in counties:
            raise InputError(reason=f"member {code} ({name}): county {county!r} is not listed under 'counties'",
                             field="county", **where)
        rows.append({
            "unit_code": code, "name": name, "type": unit_type, "county_code": county,
            "county_name": counties.get(county, ""),
            "peer_group": str(m.get("peer_group", "")), "is_member": True,
            "valid_from": m.get("valid_from"), "valid_to": m.get("valid_to"),
        })
    units = pd.DataFrame(rows)
    dup = units["unit_code"][units["unit_code"].duplicated()]
    if len(dup):
        raise InputError(path, f"member {dup.iloc[0]} is listed twice", field="code")
    national = {"unit_code": NATIONAL_CODE, "name": NATIONAL_NAME, "type": "land", "county_code": "",
                "county_name": "", "peer_group": "", "is_member": False, "valid_from": None, "valid_to": None}
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


@dataclass(frozen=True)
class ReportSettings:
    report_year: int
    base_year: int
    default_target_year: int
    first_year: int
    data: str
    targets: Path
    workers: int
    indicator_pages: str = "all"


def load_report_settings(path: Path | None = None) -> ReportSettings:
    path = Path(path or config.REPORT_YAML)
    data = _read_yaml(path)
    types = {"report_year": int, "base_year": int, "default_target_year": int, "first_year": int,
             "data": str, "targets": str, "workers": int, "indicator_pages": str}
    optional = {"indicator_pages"}
    unknown = sorted(set(data) - set(types))
    if unknown:
        raise InputError(path, f"unknown setting {unknown[0]!r}; known: {', '.join(types)}", field=unknown[0])
    for key, typ in types.items():
        if key not in data:
            if key in optional:
                continue
            raise InputError(path, "setting is missing", field=key)
        if not isinstance(data[key], typ) or isinstance(data[key], bool):
            raise InputError(path, f"must be {typ.__name__}, got {data[key]!r}", field=key)
    if data["data"] not in ("demo", "ingested"):
        raise InputError(path, f"must be 'demo' or 'ingested', got {data['data']!r}", field="data")
    if not data["first_year"] <= data["base_year"] <= data["report_year"] <= data["default_target_year"]:
        raise InputError(path, "years must satisfy first_year ≤ base_year ≤ report_year ≤ default_target_year",
                         field="report_year")
    if data.get("indicator_pages", "all") not in ("all", "key", "none"):
        raise InputError(path, f"must be 'all', 'key' or 'none', got {data['indicator_pages']!r}",
                         field="indicator_pages")
    if data["workers"] < 1:
        raise InputError(path, "must be at least 1", field="workers")
    return ReportSettings(**{**data, "targets": config.ROOT / data["targets"]})
