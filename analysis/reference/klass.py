"""Client for SSB's KLASS classification API (131 municipalities, 104 counties), used to refresh the
bundled code registry. Responses are cached on disk with the date they were fetched; the session is
injectable so that tests replay recorded responses and never touch the network."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.atomic import write_atomic_csv, write_atomic_text
from analysis.core.errors import InputError
from analysis.reference.geography import CHANGES_COLUMNS

BASE_URL = "https://data.ssb.no/api/klass/v1/classifications"
MUNICIPALITIES, COUNTIES = 131, 104


def _get(url: str, params: dict, session, cache_dir: Path | None) -> dict:
    """GET a KLASS JSON document, from the cache when present."""
    import requests

    key = f"{url.rsplit('classifications/', 1)[-1].replace('/', '_')}_" + "_".join(
        f"{k}-{v}" for k, v in sorted(params.items())
    )
    cache = Path(cache_dir or config.CACHE_DIR / "klass") / f"{key}.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))["response"]
    session = session or requests.Session()
    resp = session.get(url, params=params, headers={"Accept": "application/json"}, timeout=60)
    resp.raise_for_status()
    body = resp.json()
    write_atomic_text(
        json.dumps(
            {"fetched": dt.date.today().isoformat(), "url": url, "params": params, "response": body}, ensure_ascii=False
        ),
        cache,
    )
    return body


def fetch_changes(
    date_from: str, date_to: str, classification: int = MUNICIPALITIES, session=None, cache_dir: Path | None = None
) -> pd.DataFrame:
    """Code changes between two dates: DataFrame[old_code, old_name, new_code, new_name, change_date]."""
    body = _get(f"{BASE_URL}/{classification}/changes", {"from": date_from, "to": date_to}, session, cache_dir)
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
    year: int, classification: int = MUNICIPALITIES, session=None, cache_dir: Path | None = None
) -> pd.DataFrame:
    """Codes valid on 1 January of ``year``: DataFrame[code, name]."""
    body = _get(f"{BASE_URL}/{classification}/codesAt", {"date": f"{year}-01-01"}, session, cache_dir)
    if "codes" not in body:
        raise InputError(f"KLASS {classification}/codesAt {year}", "response has no 'codes'")
    # 9999 (unknown) and 99 are KLASS placeholders, not places.
    return pd.DataFrame(
        [{"code": c["code"], "name": c["name"]} for c in body["codes"] if not set(c["code"]) <= {"9"}],
        columns=["code", "name"],
    )


def build_registry(
    first_year: int, last_year: int, session=None, cache_dir: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Registry tables in the bundled format from KLASS (municipalities and counties)."""
    spans: dict[str, dict] = {}
    changes = []
    for classification, level in ((MUNICIPALITIES, "municipality"), (COUNTIES, "county")):
        for year in range(first_year, last_year + 1):
            for r in fetch_codes_at(year, classification, session, cache_dir).itertuples():
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
        ch = fetch_changes(f"{first_year}-01-01", f"{last_year}-12-31", classification, session, cache_dir)
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
    session=None,
    cache_dir: Path | None = None,
) -> tuple[Path, Path]:
    """Rebuild ``municipalities.csv`` and ``code_changes.csv`` from KLASS and write them atomically.

    KLASS knows nothing of ``whole_from`` (the Haram case): review the diff before committing.
    """
    last_year = last_year or dt.date.today().year
    mun, ch = build_registry(first_year, last_year, session, cache_dir)
    out = Path(out_dir or config.REFERENCE_DIR)
    write_atomic_csv(mun, out / "municipalities.csv")
    write_atomic_csv(ch, out / "code_changes.csv")
    return out / "municipalities.csv", out / "code_changes.csv"
