"""One HTTP cache for SSB's APIs (PxWebApi and KLASS): a ``requests_cache.CachedSession`` on one SQLite file.

Why one cache: a question asked once is answered from disk ever after, so a rebuild, a test or a
colleague without internet gets exactly the bytes that were fetched, and both clients behave alike
(offline mode, errors, what a fetch records). Responses never expire (SSB's tables and KLASS's
versions are dated; fetch again by deleting the cache, ``data/cache/http/``); only HTTP 200 is kept.

- **Offline** (``offline=True`` or ``BAEREKRAFT_OFFLINE=1``): only the cache answers; a request not in
  it is a :class:`CacheMissError` naming the method, the URL and the query.
- **Rate limit**: :class:`Throttle` is a transport adapter, so it counts only requests that really go
  out; answers from the cache never reach it. SSB allows about 30 PxWebApi queries a minute.
- **Provenance**: :func:`record` says what was asked and when it was fetched (the server's ``Date``),
  also for an answer from the cache; :func:`write_sidecar` puts it beside a file written from responses.

The transport is injectable (``transport=``): tests mount an adapter that replays recorded responses,
so the cache itself, keys, offline mode and the sidecars run as they do for real, with no network.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections import deque
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable

import requests
import yaml
from requests.adapters import BaseAdapter, HTTPAdapter
from requests_cache import NEVER_EXPIRE, CachedSession

from analysis.core import config
from analysis.core.atomic import write_atomic_text
from analysis.core.errors import InputError
from analysis.core.inputs import sidecar

CACHE_FILE = "ssb.sqlite"


class CacheMissError(LookupError):
    """Offline mode and the request is not in the cache."""


class HttpError(RuntimeError):
    """The server answered with something other than HTTP 200."""


def offline_from_env() -> bool:
    return os.environ.get("BAEREKRAFT_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def cache_dir(directory: Path | None = None) -> Path:
    """The folder of the HTTP cache: ``data/cache/http`` unless given."""
    return Path(directory or config.CACHE_DIR / "http")


class Throttle(BaseAdapter):
    """Let at most ``per_minute`` requests through ``inner`` inside any 60 seconds, waiting before the next.

    Mounted under the cache, it sees only the requests that go to the network. ``clock`` and ``sleep`` are
    injectable so that a test checks the waits without waiting.
    """

    def __init__(
        self,
        inner: BaseAdapter | None = None,
        per_minute: int = 30,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.inner = inner or HTTPAdapter()
        self.per_minute, self.clock, self.sleep = per_minute, clock, sleep
        self._recent: deque[float] = deque()

    def send(self, request, **kwargs):
        self.wait()
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()

    def wait(self) -> None:
        now = self.clock()
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_minute:
            self.sleep(60.0 - (now - self._recent[0]))
            self._recent.popleft()
            now = self.clock()
        self._recent.append(now)


def cached_session(
    directory: Path | None = None, *, offline: bool | None = None, transport: BaseAdapter | None = None
) -> CachedSession:
    """The project's HTTP session: every GET and POST answered from ``<directory>/ssb.sqlite`` when cached.

    ``offline=None`` reads ``BAEREKRAFT_OFFLINE``. ``transport`` replaces the network adapter (a
    :class:`Throttle`, or a test's recorded responses).
    """
    path = cache_dir(directory) / CACHE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        session = CachedSession(
            str(path),
            backend="sqlite",
            expire_after=NEVER_EXPIRE,
            allowable_methods=("GET", "POST"),
            allowable_codes=(200,),
            only_if_cached=offline_from_env() if offline is None else offline,
        )
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    if transport is not None:
        session.mount("https://", transport)
        session.mount("http://", transport)
    return session


def _damaged(path: Path, exc: Exception) -> InputError:
    return InputError(path, f"the HTTP cache is damaged ({exc}); delete it and fetch again")


def _asked(method: str, url: str, params: Any, body: Any) -> str:
    query = f" with {json.dumps(body, ensure_ascii=False)}" if body is not None else ""
    if params:
        url = requests.Request(method, url, params=params).prepare().url or url
    return f"{method} {url}{query}"


def fetch(
    session: CachedSession,
    method: str,
    url: str,
    *,
    params: Any = None,
    body: Any = None,
    headers: dict | None = None,
    timeout: float = 60.0,
) -> requests.Response:
    """One request through the cache; an offline miss, a damaged cache or an HTTP error is named, not a traceback."""
    try:
        resp = session.request(method, url, params=params, json=body, headers=headers, timeout=timeout)
    except sqlite3.DatabaseError as exc:
        raise _damaged(session.cache.db_path, exc) from None
    if session.settings.only_if_cached and resp.status_code == 504:
        raise CacheMissError(
            f"offline mode: {_asked(method, url, params, body)} is not in the cache {session.cache.db_path}; "
            "fetch it online first (unset BAEREKRAFT_OFFLINE, leave out --offline)"
        )
    if resp.status_code != 200:
        raise HttpError(f"{_asked(method, url, params, body)} answered HTTP {resp.status_code}: {resp.text[:300]}")
    return resp


def forget(session: CachedSession, resp: requests.Response) -> None:
    """Take a response out of the cache (one the caller found unusable, so that it is fetched again)."""
    key = getattr(resp, "cache_key", None)
    if key:
        session.cache.delete(key)


def record(resp: requests.Response) -> dict:
    """What was asked and when it was fetched: method, URL (with its query string), JSON body, the
    server's ``Date`` (kept in the cache with the response, so a cached answer says when it was fetched)."""
    req = resp.request
    raw = req.body.decode("utf-8") if isinstance(req.body, bytes) else req.body
    date = resp.headers.get("Date")
    fetched = parsedate_to_datetime(date) if date else resp.created_at  # requests-cache's own time, UTC
    return {
        "method": req.method,
        "url": req.url,
        "body": json.loads(raw) if raw else None,
        "fetched_at": fetched.isoformat(timespec="seconds"),
        "from_cache": bool(getattr(resp, "from_cache", False)),
    }


def write_sidecar(path: Path, source: str, records: list[dict], licence: str = "NLOD-2.0") -> Path:
    """``<file>.provenance.yaml`` beside ``path``, in the format of data/raw/README.md (source, url,
    retrieved, licence, sha256) plus every request the file was made from."""
    path = Path(path)
    requests_made = [{k: v for k, v in r.items() if k != "from_cache" and v is not None} for r in records]
    meta = {
        "source": source,
        "url": requests_made[0]["url"],
        "retrieved": max(r["fetched_at"] for r in requests_made),
        "licence": licence,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "requests": requests_made,
    }
    side = sidecar(path)
    write_atomic_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), side)
    return side
