"""SSB PxWebApi clients (v0 POST and v2 GET) through the project's one HTTP cache (``analysis.core.http``).

A question asked once is answered from ``data/cache/http/`` ever after; SSB allows about 30 queries a
minute, so the client's transport waits (with an injectable clock and sleep) before the 31st query that
really goes out inside any 60 seconds. Offline mode (``offline=True`` or ``BAEREKRAFT_OFFLINE=1``) answers
only from the cache and raises ``CacheMissError`` naming the request. What was asked and when it was
fetched is ``last_meta``; ``save`` writes a dataset with its provenance sidecar.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from requests.adapters import BaseAdapter

from analysis.core import http
from analysis.core.atomic import write_atomic_text
from analysis.core.http import HttpError
from analysis.ingest.jsonstat import read_jsonstat

BASE_URL = "https://data.ssb.no"
MAX_PER_MINUTE = 30


class PxWebError(HttpError):
    """SSB answered with an error or with something that is not JSON-stat."""


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


class PxWebClient:
    """Fetch JSON-stat tables from SSB, answering from the HTTP cache where possible."""

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        offline: bool | None = None,
        transport: BaseAdapter | None = None,
        base_url: str = BASE_URL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_per_minute: int = MAX_PER_MINUTE,
        timeout: float = 60.0,
    ) -> None:
        self.throttle = http.Throttle(transport, max_per_minute, clock, sleep)
        self.session = http.cached_session(cache_dir, offline=offline, transport=self.throttle)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.last_meta: dict = {}

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

    def save(self, data: dict, path: Path) -> Path:
        """Write the last fetched dataset to ``path`` with ``<path>.provenance.yaml`` beside it; returns the sidecar."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic_text(json.dumps(data, ensure_ascii=False), path)
        meta = self.last_meta
        return http.write_sidecar(path, f"SSB PxWebApi, tabell {meta['table_id']}", [meta])

    # -- internals ----------------------------------------------------------------------------
    def _request(self, table_id: str, method: str, url: str, params: list | None, body: dict | None) -> dict:
        try:
            resp = http.fetch(self.session, method, url, params=params, body=body, timeout=self.timeout)
        except HttpError as exc:
            raise PxWebError(str(exc)) from None
        try:
            data = json.loads(resp.content.decode("utf-8-sig"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            read_jsonstat(data)  # refuse to keep anything that is not a readable dataset
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            http.forget(self.session, resp)
            raise PxWebError(f"{method} {resp.url} did not return a JSON-stat dataset: {exc}") from None
        self.last_meta = {"table_id": table_id, **http.record(resp), "updated": data.get("updated", "")}
        return data
