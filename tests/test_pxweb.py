"""PxWebApi clients replaying a recorded SSB response (the real 07459 file); no network."""

import argparse
import json
from datetime import datetime, timezone

import pytest

from analysis.core import config
from analysis.ingest.pxweb import CacheMissError, PxWebClient, PxWebError
from analysis.process.ingested import register

RECORDED = (config.SHARED_DATA_DIR / "ssb-jsonstat" / "07459_population_2022_all_municipalities.json").read_bytes()
QUERY = [
    {"code": "Region", "selection": {"filter": "agg:KommSummer", "values": ["*"]}},
    {"code": "ContentsCode", "selection": {"filter": "item", "values": ["Personer1"]}},
    {"code": "Tid", "selection": {"filter": "item", "values": ["2022"]}},
]


class Response:
    def __init__(self, content: bytes, status_code: int = 200, url: str = ""):
        self.content, self.status_code, self.url = content, status_code, url
        self.text = content.decode("utf-8", "replace")


class RecordedSession:
    """Stands in for requests.Session: records calls, answers with recorded bytes."""

    def __init__(self, content: bytes = RECORDED, status_code: int = 200):
        self.content, self.status_code, self.calls = content, status_code, []

    def post(self, url, json=None, timeout=None):
        self.calls.append(("POST", url, json))
        return Response(self.content, self.status_code, url)

    def get(self, url, params=None, timeout=None):
        self.calls.append(("GET", url, params))
        return Response(self.content, self.status_code, url)


class FakeClock:
    def __init__(self):
        self.t, self.sleeps = 1000.0, []

    def __call__(self):
        return self.t

    def sleep(self, s):
        self.sleeps.append(s)
        self.t += s


def client(tmp_path, session, **kw):
    clock = FakeClock()
    return PxWebClient(
        cache_dir=tmp_path / "pxweb",
        session=session,
        clock=clock,
        sleep=clock.sleep,
        now=lambda: datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc),
        **kw,
    ), clock


def test_v0_post_is_cached_with_a_sidecar_and_served_from_disk(tmp_path):
    s = RecordedSession()
    c, _ = client(tmp_path, s, offline=False)
    data = c.fetch_v0("07459", QUERY)
    assert sum(data["value"]) == 5_425_270
    method, url, body = s.calls[0]
    assert (method, url) == ("POST", "https://data.ssb.no/api/v0/no/table/07459/")
    assert body == {"query": QUERY, "response": {"format": "json-stat2"}}
    [meta] = c.cached()
    assert meta["url"] == url and meta["body"] == body and meta["fetched_at"] == "2024-03-01T12:00:00+00:00"
    assert meta["updated"] == "2022-02-24T07:00:00Z"
    again = PxWebClient(cache_dir=tmp_path / "pxweb", session=s, offline=True).fetch_table("07459", QUERY)
    assert len(s.calls) == 1  # answered from the cache
    assert again["value"].sum() == 5_425_270 and again.attrs["fetch"]["from_cache"] is True


def test_v2_get_builds_the_documented_query(tmp_path):
    s = RecordedSession()
    c, _ = client(tmp_path, s, offline=False)
    c.fetch_v2(
        "07459",
        {"Region": "*", "Tid": ["2022"], "ContentsCode": "Personer1"},
        codelist={"Region": "agg_KommSummer"},
        output_values={"Region": "aggregated"},
    )
    method, url, params = s.calls[0]
    assert (method, url) == ("GET", "https://data.ssb.no/api/pxwebapi/v2/tables/07459/data")
    assert params == [
        ("lang", "no"),
        ("valueCodes[ContentsCode]", "Personer1"),
        ("valueCodes[Region]", "*"),
        ("valueCodes[Tid]", "2022"),
        ("codelist[Region]", "agg_KommSummer"),
        ("outputValues[Region]", "aggregated"),
        ("outputFormat", "json-stat2"),
    ]
    assert c.cached()[0]["params"] == [list(p) for p in params]


def test_offline_miss_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("BAEREKRAFT_OFFLINE", "1")
    s = RecordedSession()
    c = PxWebClient(cache_dir=tmp_path / "pxweb", session=s)
    with pytest.raises(CacheMissError, match="offline mode: POST https://data.ssb.no/api/v0/no/table/07459/"):
        c.fetch_v0("07459", QUERY)
    assert s.calls == []


def test_rate_limit_waits_before_the_31st_query_in_a_minute(tmp_path):
    s = RecordedSession()
    c, clock = client(tmp_path, s, offline=False)
    for year in range(1990, 2020):  # 30 different requests at the same instant
        c.fetch_v0("07459", [{"code": "Tid", "selection": {"filter": "item", "values": [str(year)]}}])
    assert clock.sleeps == []
    clock.t += 12.0
    c.fetch_v0("07459", [])
    assert clock.sleeps == [pytest.approx(48.0)]
    assert len(s.calls) == 31


def test_http_error_and_non_jsonstat_are_not_cached(tmp_path):
    c, _ = client(tmp_path, RecordedSession(b'{"error": "Too many cells"}', status_code=403), offline=False)
    with pytest.raises(PxWebError, match="HTTP 403"):
        c.fetch_v0("07459", QUERY)
    c, _ = client(tmp_path, RecordedSession(b'{"class": "dataset"}'), offline=False)
    with pytest.raises(Exception, match="missing 'id'"):
        c.fetch_v0("07459", QUERY)
    assert not (tmp_path / "pxweb").exists() or list((tmp_path / "pxweb").iterdir()) == []


def test_fetch_command_caches_then_works_offline(tmp_path, capsys):
    s = RecordedSession()
    qfile = tmp_path / "q.json"
    qfile.write_text(json.dumps({"query": QUERY}), encoding="utf-8")
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"), client_factory=lambda **kw: PxWebClient(session=s, **kw))
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", str(tmp_path / "c")])
    assert args.func(args) == 0
    assert "fetched: POST https://data.ssb.no/api/v0/no/table/07459/" in capsys.readouterr().out
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", str(tmp_path / "c"), "--offline"])
    assert args.func(args) == 0
    assert "from cache" in capsys.readouterr().out and len(s.calls) == 1
    args = p.parse_args(["fetch", "07459", "--v2", "--offline", "--cache-dir", str(tmp_path / "c")])
    assert args.func(args) == 1
    assert "not in the cache" in capsys.readouterr().err


def test_a_damaged_cache_or_query_file_is_named_not_a_traceback(tmp_path, capsys):
    from analysis.core.errors import EXIT_BAD_INPUT

    s = RecordedSession()
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"), client_factory=lambda **kw: PxWebClient(session=s, **kw))
    qfile = tmp_path / "q.json"
    qfile.write_bytes('{"query": [], "lang": "bokmål"}'.encode("iso-8859-1"))
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", str(tmp_path / "c")])
    assert args.func(args) == EXIT_BAD_INPUT
    assert "q.json, row 1: byte 0xE5 is not UTF-8" in capsys.readouterr().err
    qfile.write_text(json.dumps({"query": QUERY}), encoding="utf-8")
    assert args.func(args) == 0
    cached = next((tmp_path / "c").glob("07459-*[0-9a-f].json"))
    cached.write_bytes(cached.read_bytes()[:100])  # a disk that filled up while the cache was written
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", str(tmp_path / "c"), "--offline"])
    assert args.func(args) == EXIT_BAD_INPUT
    assert "the cached file is damaged (JSONDecodeError); delete it and fetch again" in capsys.readouterr().err
