"""PxWebApi clients replaying a recorded SSB response (the real 07459 file) through the HTTP cache; no network."""

import argparse
import hashlib
import json

import pytest
import yaml
from http_helpers import always

from analysis.core import config
from analysis.core.http import CacheMissError
from analysis.ingest.pxweb import PxWebClient, PxWebError
from analysis.process.ingested import register

RECORDED = (config.SHARED_DATA_DIR / "ssb-jsonstat" / "07459_population_2022_all_municipalities.json").read_bytes()
QUERY = [
    {"code": "Region", "selection": {"filter": "agg:KommSummer", "values": ["*"]}},
    {"code": "ContentsCode", "selection": {"filter": "item", "values": ["Personer1"]}},
    {"code": "Tid", "selection": {"filter": "item", "values": ["2022"]}},
]


class FakeClock:
    def __init__(self):
        self.t, self.sleeps = 1000.0, []

    def __call__(self):
        return self.t

    def sleep(self, s):
        self.sleeps.append(s)
        self.t += s


def client(tmp_path, transport, **kw):
    clock = FakeClock()
    return PxWebClient(cache_dir=tmp_path / "http", transport=transport, clock=clock, sleep=clock.sleep, **kw), clock


def sent(transport, i=0):
    """Method, URL and JSON body of the i-th request that reached the transport."""
    r = transport.calls[i]
    return r.method, r.url, json.loads(r.body) if r.body else None


def test_v0_post_is_cached_and_served_from_disk(tmp_path):
    t = always(RECORDED)
    c, _ = client(tmp_path, t, offline=False)
    data = c.fetch_v0("07459", QUERY)
    assert sum(data["value"]) == 5_425_270
    method, url, body = sent(t)
    assert (method, url) == ("POST", "https://data.ssb.no/api/v0/no/table/07459/")
    assert body == {"query": QUERY, "response": {"format": "json-stat2"}}
    meta = c.last_meta
    assert meta["url"] == url and meta["body"] == body and meta["fetched_at"] == "2024-03-01T12:00:00+00:00"
    assert meta["updated"] == "2022-02-24T07:00:00Z" and meta["from_cache"] is False
    assert [p.name for p in (tmp_path / "http").iterdir()] == ["ssb.sqlite"]
    again = PxWebClient(cache_dir=tmp_path / "http", transport=t, offline=True).fetch_table("07459", QUERY)
    assert len(t.calls) == 1  # answered from the cache
    assert again["value"].sum() == 5_425_270
    # a cached answer still says when it was fetched, not when it was read
    assert again.attrs["fetch"]["from_cache"] is True and again.attrs["fetch"]["fetched_at"] == meta["fetched_at"]


def test_v2_get_builds_the_documented_query(tmp_path):
    t = always(RECORDED)
    c, _ = client(tmp_path, t, offline=False)
    c.fetch_v2(
        "07459",
        {"Region": "*", "Tid": ["2022"], "ContentsCode": "Personer1"},
        codelist={"Region": "agg_KommSummer"},
        output_values={"Region": "aggregated"},
    )
    r = t.calls[0]
    assert (r.method, r.url.split("?")[0]) == ("GET", "https://data.ssb.no/api/pxwebapi/v2/tables/07459/data")
    assert r.url.split("?")[1] == (
        "lang=no&valueCodes%5BContentsCode%5D=Personer1&valueCodes%5BRegion%5D=%2A&valueCodes%5BTid%5D=2022"
        "&codelist%5BRegion%5D=agg_KommSummer&outputValues%5BRegion%5D=aggregated&outputFormat=json-stat2"
    )
    assert c.last_meta["url"] == r.url and c.last_meta["body"] is None


def test_offline_miss_is_a_clear_error_naming_the_request(tmp_path, monkeypatch):
    monkeypatch.setenv("BAEREKRAFT_OFFLINE", "1")
    t = always(RECORDED)
    c = PxWebClient(cache_dir=tmp_path / "http", transport=t)
    with pytest.raises(CacheMissError) as err:
        c.fetch_v0("07459", QUERY)
    assert str(err.value).startswith(
        'offline mode: POST https://data.ssb.no/api/v0/no/table/07459/ with {"query": [{"code": "Region"'
    )
    assert f"is not in the cache {tmp_path / 'http' / 'ssb.sqlite'}" in str(err.value)
    with pytest.raises(CacheMissError, match=r"GET https://data.ssb.no/api/pxwebapi/v2/tables/07459/data\?lang=no&"):
        c.fetch_v2("07459", {"Tid": "2022"})
    assert t.calls == []


def test_rate_limit_waits_before_the_31st_query_in_a_minute(tmp_path):
    t = always(RECORDED)
    c, clock = client(tmp_path, t, offline=False)
    for year in range(1990, 2020):  # 30 different requests at the same instant
        c.fetch_v0("07459", [{"code": "Tid", "selection": {"filter": "item", "values": [str(year)]}}])
    assert clock.sleeps == []
    clock.t += 12.0
    c.fetch_v0("07459", [])
    assert clock.sleeps == [pytest.approx(48.0)]
    assert len(t.calls) == 31
    for year in range(1990, 2020):  # answers from the cache are not queries to SSB: no wait
        c.fetch_v0("07459", [{"code": "Tid", "selection": {"filter": "item", "values": [str(year)]}}])
    assert clock.sleeps == [pytest.approx(48.0)] and len(t.calls) == 31


def test_http_error_and_non_jsonstat_are_not_cached(tmp_path):
    c, _ = client(tmp_path, always(b'{"error": "Too many cells"}', status=403), offline=False)
    with pytest.raises(PxWebError, match="HTTP 403"):
        c.fetch_v0("07459", QUERY)
    c, _ = client(tmp_path, always(b'{"class": "dataset"}'), offline=False)
    with pytest.raises(PxWebError, match="did not return a JSON-stat dataset: .*missing 'id'"):
        c.fetch_v0("07459", QUERY)
    assert len(c.session.cache.responses) == 0
    with pytest.raises(CacheMissError):
        PxWebClient(cache_dir=tmp_path / "http", transport=always(RECORDED), offline=True).fetch_v0("07459", QUERY)


def fetch_parser(transport):
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"), client_factory=lambda **kw: PxWebClient(transport=transport, **kw))
    return p


def test_fetch_command_caches_writes_a_sidecar_then_works_offline(tmp_path, capsys):
    t = always(RECORDED)
    qfile = tmp_path / "q.json"
    qfile.write_text(json.dumps({"query": QUERY}), encoding="utf-8")
    p, cache, out = fetch_parser(t), str(tmp_path / "c"), tmp_path / "raw" / "07459.json"
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", cache, "--out", str(out)])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "fetched: POST https://data.ssb.no/api/v0/no/table/07459/" in printed
    assert f"cached in {tmp_path / 'c' / 'ssb.sqlite'}" in printed
    assert json.loads(out.read_bytes()) == json.loads(RECORDED)
    side = yaml.safe_load((tmp_path / "raw" / "07459.json.provenance.yaml").read_text(encoding="utf-8"))
    assert side["source"] == "SSB PxWebApi, tabell 07459" and side["licence"] == "NLOD-2.0"
    assert side["url"] == "https://data.ssb.no/api/v0/no/table/07459/"
    assert side["retrieved"] == "2024-03-01T12:00:00+00:00"
    assert side["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert side["requests"][0]["body"]["query"] == QUERY
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", cache, "--offline"])
    assert args.func(args) == 0
    assert "from cache" in capsys.readouterr().out and len(t.calls) == 1
    args = p.parse_args(["fetch", "07459", "--v2", "--offline", "--cache-dir", cache])
    assert args.func(args) == 1
    assert "not in the cache" in capsys.readouterr().err


def test_a_damaged_cache_or_query_file_is_named_not_a_traceback(tmp_path, capsys):
    from analysis.core.errors import EXIT_BAD_INPUT

    p = fetch_parser(always(RECORDED))
    qfile = tmp_path / "q.json"
    qfile.write_bytes('{"query": [], "lang": "bokmål"}'.encode("iso-8859-1"))
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", str(tmp_path / "c")])
    assert args.func(args) == EXIT_BAD_INPUT
    assert "q.json, row 1: byte 0xE5 is not UTF-8" in capsys.readouterr().err
    qfile.write_text(json.dumps({"query": QUERY}), encoding="utf-8")
    assert args.func(args) == 0
    cached = tmp_path / "c" / "ssb.sqlite"
    cached.write_bytes(cached.read_bytes()[:100])  # a disk that filled up while the cache was written
    args = p.parse_args(["fetch", "07459", "--query-file", str(qfile), "--cache-dir", str(tmp_path / "c"), "--offline"])
    assert args.func(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{cached}: the HTTP cache is damaged (" in err and "); delete it and fetch again" in err
