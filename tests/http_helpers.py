"""Recorded HTTP answers for the SSB clients: a transport that replays bytes and never opens a socket.

Only the transport is replaced: requests, requests-cache (keys, the SQLite file, offline mode) and the
clients run as they do for real. ``tests/conftest.py`` makes any real request fail the test.
"""

from __future__ import annotations

import io
from typing import Callable

import urllib3
from requests import PreparedRequest
from requests.adapters import BaseAdapter, HTTPAdapter

#: The ``Date`` header of every recorded answer: when the recording says it was fetched.
RECORDED_AT = "Fri, 01 Mar 2024 12:00:00 GMT"


class Recorded(BaseAdapter):
    """Answers every request with ``answer(request) -> (status, bytes)`` and keeps the requests in ``calls``."""

    def __init__(self, answer: Callable[[PreparedRequest], tuple[int, bytes]]):
        super().__init__()
        self.answer, self.calls = answer, []

    def send(self, request: PreparedRequest, **kwargs):
        self.calls.append(request)
        status, content = self.answer(request)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(content),
            headers={"Content-Type": "application/json; charset=utf-8", "Date": RECORDED_AT},
            status=status,
            preload_content=False,
            request_url=request.url,
        )
        return HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass


def always(content: bytes, status: int = 200) -> Recorded:
    """A transport that gives the same answer to every request."""
    return Recorded(lambda request: (status, content))
