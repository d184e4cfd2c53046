"""Client for SSB's KLASS classification API (131 municipalities, 104 counties), used to refresh the
bundled code registry. Requests go through the project's one HTTP cache (``analysis.core.http``: offline
mode, tests replaying recorded responses); the registry files are written with a provenance sidecar
naming every request they were made from and when it was fetched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from requests_cache import CachedSession

from analysis.core import config, http
from analysis.core.atomic import write_atomic_csv
from analysis.core.errors import InputError
from analysis.reference.geography import CHANGES_COLUMNS

BASE_URL = "https://data.ssb.no/api/klass/v1/classifications"
MUNICIPALITIES, COUNTIES = 131, 104


def _get(url: str, params: dict, session: CachedSession | None, fetched: list[dict] | None) -> dict:
    """GET a KLASS JSON document through the HTTP cache; its record is appended to ``fetched``."""
    resp = http.fetch(
        session or http.cached_session(), "GET", url, params=params, headers={"Accept": "application/json"}
    )
    try:
        body = resp.json()
    except ValueError as exc:
        raise InputError(resp.url, f"KLASS did not answer with JSON ({exc})") from None
    if fetched is not None:
        fetched.append(http.record(resp))
    return body


def fetch_changes(
    date_from: str,
    date_to: str,
    classification: int = MUNICIPALITIES,
    session: CachedSession | None = None,
    fetched: list[dict] | None = None,
) -> pd.DataFrame:
    """Code changes between two dates: DataFrame[old_code, old_name, new_code, new_name, change_date]."""
    body = _get(f"{BASE_URL}/{classification}/changes", {"from": date_from, "to": date_to}, session, fetched)
    if "codeChanges" not in body:
        raise InputError(f"KLASS {classification}/changes", "response has no 'codeChanges'")
    rows = [
        {
            "old_code": c["oldCode"],
            "old_name": c["oldName"],
            "new_code": c["newCode"],
            "new_name": c["newName"],
            "change_date": c["changeOccurred"],
        }
        for c in body["codeChanges"]
    ]
    return pd.DataFrame(rows, columns=["old_code", "old_name", "new_code", "new_name", "change_date"])


def fetch_codes_at(
    year: int,
    classification: int = MUNICIPALITIES,
    session: CachedSession | None = None,
    fetched: list[dict] | None = None,
) -> pd.DataFrame:
    """Codes valid on 1 January of ``year``: DataFrame[code, name]."""
    body = _get(f"{BASE_URL}/{classification}/codesAt", {"date": f"{year}-01-01"}, session, fetched)
    if "codes" not in body:
        raise InputError(f"KLASS {classification}/codesAt {year}", "response has no 'codes'")
    # 9999 (unknown) and 99 are KLASS placeholders, not places.
    return pd.DataFrame(
        [{"code": c["code"], "name": c["name"]} for c in body["codes"] if not set(c["code"]) <= {"9"}],
        columns=["code", "name"],
    )


def build_registry(
    first_year: int, last_year: int, session: CachedSession | None = None, fetched: list[dict] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Registry tables in the bundled format from KLASS (municipalities and counties); the record of
    every request is appended to ``fetched``."""
    session = session or http.cached_session()
    spans: dict[str, dict] = {}
    changes = []
    for classification, level in ((MUNICIPALITIES, "municipality"), (COUNTIES, "county")):
        for year in range(first_year, last_year + 1):
            for r in fetch_codes_at(year, classification, session, fetched).itertuples():
                s = spans.setdefault(
                    r.code,
                    {
                        "code": r.code,
                        "name": r.name,
                        "level": level,
                        "first": year,
                        "last": year,
                        "source": "SSB KLASS",
                    },
                )
                s["last"], s["name"] = year, r.name
        ch = fetch_changes(f"{first_year}-01-01", f"{last_year}-12-31", classification, session, fetched)
        changes.append(ch)
    mun = pd.DataFrame(spans.values())
    mun["valid_from"] = mun["first"].where(mun["first"] > first_year, "").astype(str)
    mun["valid_to"] = mun["last"].where(mun["last"] < last_year, "").astype(str)
    mun = mun[["code", "name", "level", "valid_from", "valid_to", "source"]].sort_values(["level", "code"])
    ch = pd.concat(changes, ignore_index=True)
    ch["change_year"] = ch["change_date"].str[:4].astype(int)
    ch["change_date"] = ch["change_date"].str[:10]
    n_new = ch.groupby(["change_year", "old_code"])["new_code"].transform("size")
    n_old = ch.groupby(["change_year", "new_code"])["old_code"].transform("size")
    kept = [
        c in set(mun.loc[mun["valid_from"].eq("") | (mun["valid_from"].replace("", "0").astype(int) < y), "code"])
        for c, y in zip(ch["new_code"], ch["change_year"])
    ]
    ch["kind"] = "renumbered"
    ch.loc[(n_old > 1) | pd.Series(kept, index=ch.index), "kind"] = "merged"
    ch.loc[n_new > 1, "kind"] = "split"
    ch["whole_from"] = ""
    ch["source"] = "SSB KLASS"
    ch["note"] = ""
    return mun.reset_index(drop=True), ch[CHANGES_COLUMNS].sort_values(
        ["change_year", "new_code", "old_code"]
    ).reset_index(drop=True)


def refresh_registry(
    first_year: int = 2005,
    last_year: int | None = None,
    out_dir: Path | None = None,
    session: CachedSession | None = None,
) -> tuple[Path, Path]:
    """Rebuild ``municipalities.csv`` and ``code_changes.csv`` from KLASS and write them atomically, each
    with ``<file>.provenance.yaml`` beside it (every KLASS request, when it was fetched, the file's sha256).

    KLASS knows nothing of ``whole_from`` (the Haram case): review the diff before committing.
    """
    last_year = last_year or dt.date.today().year
    fetched: list[dict] = []
    mun, ch = build_registry(first_year, last_year, session, fetched)
    out = Path(out_dir or config.REFERENCE_DIR)
    paths = out / "municipalities.csv", out / "code_changes.csv"
    for table, path in zip((mun, ch), paths):
        write_atomic_csv(table, path)
        http.write_sidecar(path, f"SSB KLASS, klassifikasjon {MUNICIPALITIES} og {COUNTIES}", fetched)
    return paths
