"""SSB PxWebApi clients (v0 POST and v2 GET) with an on-disk cache, rate limit and offline mode.

Every response is stored under ``config.CACHE_DIR / "pxweb"`` as ``<table>-<key>.json`` with a
sidecar ``<table>-<key>.meta.json`` saying what was asked (method, URL, parameters, body) and when
it was fetched. The key is a hash of the request, so the same question is answered from disk.
SSB allows about 30 queries a minute: the client waits (with an injectable clock and sleep) before
the 31st query inside any 60 seconds. Offline mode (``offline=True`` or ``BAEREKRAFT_OFFLINE=1``)
answers only from the cache and raises ``CacheMissError`` for anything not cached. The HTTP session
is injectable so that tests replay recorded responses and never touch the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from analysis.core import config
from analysis.core.atomic import write_atomic_text
from analysis.core.errors import InputError
from analysis.core.inputs import read_bytes
from analysis.ingest.jsonstat import read_jsonstat

BASE_URL = "https://data.ssb.no"
MAX_PER_MINUTE = 30


class CacheMissError(LookupError):
    """Offline mode and the request is not in the cache."""


class PxWebError(RuntimeError):
    """SSB answered with an error or with something that is not JSON-stat."""


def offline_from_env() -> bool:
    return os.environ.get("BAEREKRAFT_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def v0_body(query: list[dict] | None = None) -> dict:
    """The v0 POST body: selections plus the json-stat2 response format."""
    return {"query": list(query or []), "response": {"format": "json-stat2"}}


def v2_params(
    value_codes: dict[str, str | list[str]] | None = None,
    *,
    lang: str = "no",
    codelist: dict[str, str] | None = None,
    output_values: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Query parameters for v2 ``.../tables/{id}/data``, in a stable order."""
    params = [("lang", lang)]
    for key, mapping in (("valueCodes", value_codes), ("codelist", codelist), ("outputValues", output_values)):
        for dim, val in sorted((mapping or {}).items()):
            params.append((f"{key}[{dim}]", val if isinstance(val, str) else ",".join(val)))
    params.append(("outputFormat", "json-stat2"))
    return params


def _cached_json(path: Path) -> dict:
    """A cached response or its record; a damaged one (a disk that filled up, an edit) is named, not a traceback."""
    from analysis.ingest.jsonstat import MAX_BYTES

    raw = read_bytes(path, MAX_BYTES, "a cached response")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(
            path, f"the cached file is damaged ({type(exc).__name__}); delete it and fetch again"
        ) from None
    if not isinstance(data, dict):
        raise InputError(path, "the cached file is not a JSON object; delete it and fetch again")
    return data


class PxWebClient:
    """Fetch JSON-stat tables from SSB, answering from the on-disk cache where possible."""

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        session: Any = None,
        offline: bool | None = None,
        base_url: str = BASE_URL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        max_per_minute: int = MAX_PER_MINUTE,
        timeout: float = 60.0,
    ) -> None:
        self.cache_dir = Path(cache_dir or config.CACHE_DIR / "pxweb")
        self.offline = offline_from_env() if offline is None else offline
        self.base_url = base_url.rstrip("/")
        self._session = session
        self.clock, self.sleep, self.now = clock, sleep, now
        self.max_per_minute = max_per_minute
        self.timeout = timeout
        self._recent: deque[float] = deque()
        self.last_meta: dict = {}

    @property
    def session(self) -> Any:
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    # -- public API ---------------------------------------------------------------------------
    def fetch_v0(self, table_id: str, query: list[dict] | None = None, lang: str = "no") -> dict:
        """POST a v0 query; returns the JSON-stat dataset as a dict."""
        url = f"{self.base_url}/api/v0/{lang}/table/{table_id}/"
        return self._request(table_id, "POST", url, params=None, body=v0_body(query))

    def fetch_v2(
        self,
        table_id: str,
        value_codes: dict | None = None,
        *,
        lang: str = "no",
        codelist: dict | None = None,
        output_values: dict | None = None,
    ) -> dict:
        """GET v2 ``tables/{id}/data``; e.g. ``codelist={"Region": "agg_KommSummer"}``."""
        url = f"{self.base_url}/api/pxwebapi/v2/tables/{table_id}/data"
        params = v2_params(value_codes, lang=lang, codelist=codelist, output_values=output_values)
        return self._request(table_id, "GET", url, params=params, body=None)

    def fetch_table(
        self, table_id: str, query: list[dict] | None = None, *, v2: bool = False, **v2_kwargs: Any
    ) -> pd.DataFrame:
        """Fetch and read into a DataFrame (see ``read_jsonstat``); ``attrs`` get the fetch record."""
        data = self.fetch_v2(table_id, **v2_kwargs) if v2 else self.fetch_v0(table_id, query)
        df = read_jsonstat(data)
        df.attrs["fetch"] = self.last_meta
        return df

    def cached(self) -> list[dict]:
        """The sidecar records of every cached response."""
        return [_cached_json(p) for p in sorted(self.cache_dir.glob("*.meta.json"))]

    # -- internals ----------------------------------------------------------------------------
    @staticmethod
    def request_key(method: str, url: str, params: list | None, body: dict | None) -> str:
        canon = json.dumps(
            {"method": method, "url": url, "params": params, "body": body}, sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:20]

    def paths(self, table_id: str, key: str) -> tuple[Path, Path]:
        stem = f"{table_id}-{key}"
        return self.cache_dir / f"{stem}.json", self.cache_dir / f"{stem}.meta.json"

    def _request(self, table_id: str, method: str, url: str, params: list | None, body: dict | None) -> dict:
        key = self.request_key(method, url, params, body)
        data_path, meta_path = self.paths(table_id, key)
        if data_path.exists() and meta_path.exists():
            meta = _cached_json(meta_path)
            data = _cached_json(data_path)
            self.last_meta = meta | {"from_cache": True}
            return data
        if self.offline:
            raise CacheMissError(
                f"offline mode: {method} {url} (params {params}, body {json.dumps(body)}) is not in the "
                f"cache {self.cache_dir}; fetch it online first (unset BAEREKRAFT_OFFLINE)"
            )
        self._wait_for_slot()
        if method == "POST":
            resp = self.session.post(url, json=body, timeout=self.timeout)
        else:
            resp = self.session.get(url, params=params, timeout=self.timeout)
        fetched_at = self.now().isoformat(timespec="seconds")
        if resp.status_code != 200:
            raise PxWebError(f"{method} {url} answered HTTP {resp.status_code}: {resp.text[:300]}")
        try:
            data = json.loads(resp.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PxWebError(f"{method} {url} did not return JSON: {exc}") from None
        read_jsonstat(data)  # refuse to cache anything that is not a readable dataset
        meta = {
            "table_id": table_id,
            "method": method,
            "url": url,
            "params": params,
            "body": body,
            "fetched_at": fetched_at,
            "key": key,
            "updated": data.get("updated", ""),
            "response_url": str(getattr(resp, "url", url)),
        }
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomic_text(json.dumps(data, ensure_ascii=False), data_path)
        write_atomic_text(json.dumps(meta, ensure_ascii=False, indent=2), meta_path)
        self.last_meta = meta | {"from_cache": False}
        return data

    def _wait_for_slot(self) -> None:
        """Keep at most ``max_per_minute`` queries inside any 60-second window."""
        now = self.clock()
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if len(self._recent) >= self.max_per_minute:
            self.sleep(60.0 - (now - self._recent[0]))
            self._recent.popleft()
            now = self.clock()
        self._recent.append(now)
