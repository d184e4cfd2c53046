"""The annual reports' cache: a PDF is made again exactly when what it is made from changes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from analysis.site import annual

# an executed page as the build leaves it: the figure moved out of the page into figurer/
PAGE = json.dumps(
    {"cells": [{"outputs": [{"data": {"text/markdown": ['<img src="figurer/alesund-1.svg" alt="x">']}}]}]}
)


def _report(tmp_path: Path) -> annual.AnnualReport:
    (tmp_path / "figurer").mkdir()
    (tmp_path / "figurer" / "alesund-1.svg").write_text("<svg>1</svg>", encoding="utf-8")
    notebook = tmp_path / "alesund.ipynb"
    notebook.write_text(PAGE, encoding="utf-8")
    cover = annual.Cover("Ålesund kommune", "Møre og Romsdal", 2024, "Nettverket", False, "2025-06-30")
    return annual.AnnualReport("1508", "1508 Ålesund", notebook, tmp_path / "pdf" / "alesund.pdf", cover)


def test_the_key_follows_the_page_its_figures_the_cover_and_the_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    report = _report(tmp_path)
    key = annual.report_key(report)
    assert annual.report_key(report) == key
    (tmp_path / "figurer" / "alesund-1.svg").write_text("<svg>2</svg>", encoding="utf-8")  # a figure changed
    changed_figure = annual.report_key(report)
    assert changed_figure != key
    assert annual.report_key(replace(report, cover=replace(report.cover, year=2025))) != changed_figure
    report.notebook.write_text(PAGE.replace('alt=\\"x', 'alt=\\"y'), encoding="utf-8")
    changed_page = annual.report_key(report)
    assert changed_page != changed_figure
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764720000")
    assert annual.report_key(report) != changed_page


def test_a_cached_pdf_is_copied_a_new_one_made_and_stale_ones_removed(tmp_path, monkeypatch):
    report = _report(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{annual.report_key(report)}.pdf").write_bytes(b"%PDF cached")
    (cache / "0000.pdf").write_bytes(b"%PDF stale")

    def refuse(*_):
        raise AssertionError("a cached report was made again")

    monkeypatch.setattr(annual, "make_annual_report", refuse)
    (result,) = annual.make_annual_reports([report], tmp_path, cache_dir=cache)
    assert result.ok and result.reused and report.pdf.read_bytes() == b"%PDF cached"
    assert sorted(p.name for p in cache.iterdir()) == [f"{annual.report_key(report)}.pdf"]

    made = []

    def make(r, root):
        made.append(r.code)
        r.pdf.write_bytes(b"%PDF new")
        return annual.AnnualResult(r, True, 0.1)

    monkeypatch.setattr(annual, "make_annual_report", make)
    report.notebook.write_text(PAGE.replace('alt=\\"x', 'alt=\\"z'), encoding="utf-8")  # the page changed
    (result,) = annual.make_annual_reports([report], tmp_path, cache_dir=cache)
    assert made == ["1508"] and result.ok and not result.reused
    assert [p.read_bytes() for p in cache.iterdir()] == [b"%PDF new"]


def test_a_failed_report_is_not_cached(tmp_path, monkeypatch):
    report = _report(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setattr(annual, "make_annual_report", lambda r, root: annual.AnnualResult(r, False, 0.1, error="x"))
    (result,) = annual.make_annual_reports([report], tmp_path, cache_dir=cache)
    assert not result.ok and not (cache.is_dir() and any(cache.iterdir()))
