"""The data page: every processed table as CSV and Parquet, a Data Package that validates, every column
described from one reference file, the licence of each source, the build's metadata; and the date every
page's footer shows."""

import csv
import json
import subprocess
import sys
from html import unescape

import pandas as pd
import pytest

from analysis.core import clock, config
from analysis.pages import report_data
from analysis.pages.text_nb import date_long
from analysis.reference import columns
from analysis.site import datapage, finish
from analysis.site.render import site_footer


@pytest.fixture(scope="module")
def data(bundled_data):
    return bundled_data


@pytest.fixture(scope="module")
def page(data, bundled_project, tmp_path_factory):
    staging = tmp_path_factory.mktemp("staging")
    info = datapage.write_data_page(data, bundled_project / "data" / "processed", staging, config.ROOT)
    return staging, info


def test_every_column_of_every_processed_table_has_a_description(data):
    assert columns.undescribed(datapage.tables(data)) == []
    assert columns.undescribed(datapage.tables(data), columns.load_columns(lang="en")) == []  # the English page
    extra = {"observations": data.observations.assign(new_column=1)}
    assert columns.undescribed(extra) == ["observations.new_column"]  # a new column fails until described


def test_the_reference_file_refuses_a_row_without_a_description(tmp_path):
    bad = tmp_path / "columns.csv"
    bad.write_text("table,column,description\nobservations,value,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"columns.csv, row 2, field 'description'"):
        columns.load_columns(bad)
    with pytest.raises(ValueError, match=r"columns.csv, field 'description_en': .*missing"):
        columns.load_columns(bad, lang="en")
    bad.write_text("table,column,description,description_en\nobservations,value,Verdien,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"columns.csv, row 2, field 'description_en'"):
        columns.load_columns(bad, lang="en")


def test_every_table_is_there_as_csv_and_parquet_with_the_same_rows(data, page):
    staging, _ = page
    folder = staging / "data"
    for name, table in datapage.tables(data).items():
        parquet = pd.read_parquet(folder / f"{name}.parquet")
        pd.testing.assert_frame_equal(parquet, table.reset_index(drop=True))
        with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == list(table.columns), name
            assert sum(1 for _ in reader) == len(table), name
    assert len(datapage.tables(data)) == 4 + 7  # observations, catalog, units, targets and the seven results


@pytest.mark.slow  # frictionless reads every row of every file (about a minute)
def test_the_data_package_validates_with_frictionless_validate(data, page):
    staging, _ = page
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=staging / "data",
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["valid"], [t["errors"][:2] for t in report["tasks"] if not t["valid"]]
    assert len(report["tasks"]) == 2 * len(datapage.tables(data))  # every CSV and Parquet file


def test_the_validation_fails_on_a_broken_file(page, tmp_path):
    """The same check on the observations alone, with one year that is not a number."""
    from frictionless import Package

    staging, _ = page
    package = json.loads((staging / "data" / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"] = [r for r in package["resources"] if r["name"] == "observations-csv"]
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    lines = (staging / "data" / "observations.csv").read_text(encoding="utf-8-sig").splitlines()
    assert Package(str(tmp_path / "datapackage.json")).validate().valid is False  # no file yet
    (tmp_path / "observations.csv").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    assert Package(str(tmp_path / "datapackage.json")).validate().valid
    cells = lines[1].split(",")
    cells[1] = "tjue-tjue"  # the year column
    lines[1] = ",".join(cells)
    (tmp_path / "observations.csv").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert not report.valid and ["year", "type-error"] in report.flatten(["fieldName", "type"])


def test_columns_licences_and_build_in_the_package(data, page):
    staging, info = page
    package = json.loads((staging / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = [f for r in package["resources"] for f in r["schema"]["fields"]]
    assert fields and all(f["description"] for f in fields)
    obs = next(r for r in package["resources"] if r["name"] == "observations-csv")
    value = next(f for f in obs["schema"]["fields"] if f["name"] == "value")
    assert value["type"] == "number" and "enhet" in value["description"]
    # demo data (generated: the code's licence) and the population figures (SSB: NLOD 2.0, PROVENANCE.md)
    assert {lic["name"] for lic in package["licenses"]} == {"MIT", "NLOD-2.0"}
    build = package["baerekraft"]
    assert build["data_vintage"] == "demo-seed-2020" and build["report_year"] == 2024
    assert build["data_digest_sha256"] == report_data.slice_digest(data) and len(build["data_digest_sha256"]) == 64
    head = subprocess.run(["git", "-C", str(config.ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert head.stdout.startswith(build["code_version"].removesuffix("+endringer"))
    assert build["built"] == data.metadata["built"]


def test_the_page_lists_every_file_column_and_licence(data, page):
    staging, info = page
    text = unescape((staging / "_data.md").read_text(encoding="utf-8"))
    for name in datapage.tables(data):
        assert f"(data/{name}.csv)" in text and f"(data/{name}.parquet)" in text
    assert "Norsk lisens for offentlige data (NLOD 2.0)" in text and "demo-seed-2020" in text
    assert info.data_digest in text and "Enhetskode" in text and "Versjon" in text  # the per-page columns too


def test_the_build_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    assert clock.build_date().isoformat() == "2023-11-14"
    assert date_long("2023-11-14") == "14. november 2023" and date_long("2024-01-01") == "1. januar 2024"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert clock.source_date_epoch() is None


def test_the_footer_shows_the_date_and_vintage_as_the_text_they_are():
    from smalldocs.layout import inline_md

    class Site:
        def resolve(self, href, page):
            return href

    hostile = "SSB 07459 ... --x <script>alert(1)</script> *v* [l](javascript:x)"
    footer = site_footer({"built": "2026-12-03", "vintages": [hostile]})
    html = finish.unjoin_runs(inline_md(footer, Site(), None))
    assert "<script" not in html and "<a " not in html and "<em>" not in html
    assert unescape(html).endswith(f"Sist oppdatert 3. desember 2026 · Dataversjon {hostile}")
