"""The one HTTP cache shared by the PxWebApi and KLASS clients, on recorded answers; no network."""

import hashlib
from pathlib import Path

import pytest
import yaml
from http_helpers import always

from analysis.core import config, http
from analysis.ingest.pxweb import PxWebClient
from analysis.reference import klass

RECORDED = (config.SHARED_DATA_DIR / "ssb-jsonstat" / "07459_population_2022_all_municipalities.json").read_bytes()
KLASS_CHANGES = (
    Path(__file__).parents[1] / "fixtures" / "klass" / "131_changes_2023-01-01_2024-12-31.json"
).read_bytes()


def test_a_real_request_fails_the_test_that_sends_it(tmp_path):
    """The guard in conftest.py: without a recorded transport, a client would go to SSB, and the test fails."""
    with pytest.raises(AssertionError, match="a test tried a real HTTP request: GET https://data.ssb.no/api/klass/"):
        klass.fetch_codes_at(2024, session=http.cached_session(tmp_path, offline=False))
    with pytest.raises(AssertionError, match="real HTTP request: POST https://data.ssb.no/api/v0/no/table/07459/"):
        PxWebClient(cache_dir=tmp_path, offline=False).fetch_v0("07459", [])


def test_pxweb_and_klass_share_one_cache_file(tmp_path):
    PxWebClient(cache_dir=tmp_path, transport=always(RECORDED), offline=False).fetch_v0("07459", [])
    klass.fetch_changes(
        "2023-01-01", "2024-12-31", session=http.cached_session(tmp_path, transport=always(KLASS_CHANGES))
    )
    assert [p.name for p in tmp_path.iterdir()] == ["ssb.sqlite"]
    cached = sorted(r.url for r in http.cached_session(tmp_path).cache.responses.values())
    assert cached == [
        "https://data.ssb.no/api/klass/v1/classifications/131/changes?from=2023-01-01&to=2024-12-31",
        "https://data.ssb.no/api/v0/no/table/07459/",
    ]
    # offline, both are answered from it without a transport that could answer
    nothing = always(b"", status=500)
    assert (
        sum(PxWebClient(cache_dir=tmp_path, transport=nothing, offline=True).fetch_v0("07459", [])["value"])
        == 5_425_270
    )
    offline = http.cached_session(tmp_path, offline=True, transport=nothing)
    assert len(klass.fetch_changes("2023-01-01", "2024-12-31", session=offline)) == 3
    assert nothing.calls == []


def test_offline_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BAEREKRAFT_OFFLINE", "yes")
    assert http.cached_session(tmp_path).settings.only_if_cached is True
    assert http.cached_session(tmp_path, offline=False).settings.only_if_cached is False
    monkeypatch.setenv("BAEREKRAFT_OFFLINE", "0")
    assert http.cached_session(tmp_path).settings.only_if_cached is False


def test_the_sidecar_names_every_request_and_the_file_it_describes(tmp_path):
    session = http.cached_session(tmp_path / "cache", transport=always(KLASS_CHANGES))
    first = http.record(http.fetch(session, "GET", "https://data.ssb.no/api/klass/v1/x", params={"a": "1"}))
    again = http.record(http.fetch(session, "GET", "https://data.ssb.no/api/klass/v1/x", params={"a": "1"}))
    assert first["from_cache"] is False and again["from_cache"] is True
    assert first["fetched_at"] == again["fetched_at"] == "2024-03-01T12:00:00+00:00"
    out = tmp_path / "out.csv"
    out.write_text("code\n0301\n", encoding="utf-8")
    side = yaml.safe_load(http.write_sidecar(out, "SSB KLASS", [first]).read_text(encoding="utf-8"))
    assert side == {
        "source": "SSB KLASS",
        "url": "https://data.ssb.no/api/klass/v1/x?a=1",
        "retrieved": "2024-03-01T12:00:00+00:00",
        "licence": "NLOD-2.0",
        "sha256": hashlib.sha256(b"code\n0301\n").hexdigest(),
        "requests": [
            {
                "method": "GET",
                "url": "https://data.ssb.no/api/klass/v1/x?a=1",
                "fetched_at": "2024-03-01T12:00:00+00:00",
            }
        ],
    }
