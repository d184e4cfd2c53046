"""The CSV download of a page holds every number the page shows, and what is behind its figures.

The pages' tables are taken from the Markdown the notebooks show (the same functions); the numbers in
them are read as a reader reads them (decimal comma, spaces between thousands) and looked up in the
page's download, read back from the CSV file as a spreadsheet would.
"""

import csv

import numpy as np
import pandas as pd
import pytest
from site_helpers import markdown_table_cells, missing_numbers

from analysis.pages import content, report_data
from analysis.pages.text_nb import DOWNLOAD_COLUMNS, DOWNLOAD_PARTS, LABELS
from analysis.site import downloads

HEADERS = [h for h, _ in DOWNLOAD_COLUMNS.values()]
MEMBERS = ("5001", "1508", "30")  # a city, Ålesund (a break in its series), Viken (data 2020-23, a county)
INDICATORS = ("EN:EN:AQ:2C", "EC:ICT:ICT:1C", "EC:I:UP:2A:inclusive")  # a key KPI, a share, a yes/no KPI


@pytest.fixture(scope="module")
def data(bundled_data):
    return bundled_data


@pytest.fixture(scope="module")
def written(data, tmp_path_factory):
    """The downloads of every page as the build writes them, read back."""
    folder = tmp_path_factory.mktemp("nedlastinger")
    slugs = data.catalog.set_index("kpi_id")["slug"]
    names = {slug(data, c) for c in MEMBERS} | {f"indikator-{slugs[k]}" for k in INDICATORS} | {"nettverket"}
    assert downloads.write_downloads(data, folder, only=names) == (len(names), 0)

    def read(name):
        with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    return folder, read


def slug(data, code):
    return data.units.set_index("unit_code").at[code, "slug"]


def member_tables(data, code):
    return markdown_table_cells(
        content.unit_profile(data, code)
        + "\n\n"
        + content.kpi_tables_markdown(data, code)
        + "\n\n"
        + content.comparison_section(data, code)
    )


def test_every_number_in_a_member_pages_tables_is_in_its_download(data, written):
    _, read = written
    for code in MEMBERS:
        cells = member_tables(data, code)
        assert len(cells) > 800, code
        assert not missing_numbers(cells, read(slug(data, code))), code


def test_every_number_in_an_indicator_pages_tables_is_in_its_download(data, written):
    _, read = written
    slugs = data.catalog.set_index("kpi_id")["slug"]
    for kpi_id in INDICATORS:
        cells = markdown_table_cells(
            content.indicator_intro(data, kpi_id) + "\n\n" + content.indicator_table_markdown(data, kpi_id)
        )
        rows = read(f"indikator-{slugs[kpi_id]}")
        assert not missing_numbers(cells, rows), kpi_id
        shown = [r for r in rows if r["Del"] == DOWNLOAD_PARTS["members"] and r["Størrelse"] == "Verdi"]
        assert {r["Enhetskode"] for r in shown} <= set(data.members["unit_code"])


def test_the_front_pages_tables_are_in_its_download(data, written):
    _, read = written
    cells = markdown_table_cells(
        content.network_status_markdown(data) + "\n\n" + content.network_trend_markdown(data, "improving", 50)
    )
    assert not missing_numbers(cells, read("nettverket"))


def test_the_check_finds_a_number_the_download_lacks(data, written):
    """Without the comparison rows, the comparison table's medians and national values are missing."""
    _, read = written
    rows = [r for r in read("trondheim") if r["Del"] != DOWNLOAD_PARTS["comparison"]]
    comparison = markdown_table_cells(content.comparison_markdown(data, "5001", content.key_kpis(data, "5001")))
    assert missing_numbers(comparison, rows)


def test_the_figures_series_every_year_and_the_network_median(data, written):
    _, read = written
    rows = read("trondheim")
    figure = [r for r in rows if r["Del"] == DOWNLOAD_PARTS["key_series"]]
    kpi = content.key_kpis(data, "5001")[0]  # the first panel of the figure
    obs = data.observations
    own = obs.loc[(obs["unit_code"] == "5001") & (obs["kpi_id"] == kpi) & obs["value"].notna()]
    drawn = {int(r["År"]): float(r["Verdi"]) for r in figure if r["Indikatorkode"] == kpi and r["Størrelse"] == "Verdi"}
    assert drawn == dict(zip(own["year"], own["value"])) and len(drawn) == 10  # 2015-2024
    towns = data.units.loc[data.units["is_member"] & (data.units["type"] == "kommune"), "unit_code"]
    in_2019 = obs.loc[obs["unit_code"].isin(towns) & (obs["kpi_id"] == kpi) & (obs["year"] == 2019), "value"]
    median = [r for r in figure if r["Indikatorkode"] == kpi and r["Størrelse"] == "Nettverkets median"]
    assert float(next(r["Verdi"] for r in median if r["År"] == "2019")) == pytest.approx(np.nanmedian(in_2019))


def test_the_comparison_values_county_nation_and_network(data, written):
    _, read = written
    rows = read("alesund")
    comp = data.results["comparisons"].set_index(["unit_code", "kpi_id"]).loc[("1508", "EN:EN:AQ:2C")]
    got = {
        r["Størrelse"]: float(r["Verdi"])
        for r in rows
        if r["Del"] == DOWNLOAD_PARTS["comparison"] and r["Indikatorkode"] == "EN:EN:AQ:2C"
    }
    nation = data.observations.query("unit_code == '0' and kpi_id == 'EN:EN:AQ:2C' and year == @comp.year")["value"]
    county = data.observations.query("unit_code == '15' and kpi_id == 'EN:EN:AQ:2C' and year == @comp.year")["value"]
    assert got["Hele landets verdi"] == pytest.approx(nation.iloc[0])
    assert got["Fylkets verdi"] == pytest.approx(county.iloc[0])
    assert got["Nettverkets median"] == pytest.approx(comp["network_median"])


def test_every_progress_method_and_a_source_on_every_row(data, written):
    _, read = written
    methods = {LABELS[m] for m in data.results["progress"]["method"].unique()}
    assert len(methods) == 5
    for name in ("trondheim", "viken", "indikator-en-en-aq-2c"):
        rows = read(name)
        assert list(rows[0]) == HEADERS
        progress = [r for r in rows if r["Del"] == DOWNLOAD_PARTS["progress"] and r["Størrelse"] == "Fremdrift"]
        assert {r["Metode"].split(" (")[0] for r in progress} == methods, name  # "(base_met_target)": its note
        assert all(r["Kilde"] and r["Versjon"] for r in rows), name
    viken = read("viken")
    progress = data.results["progress"].query("unit_code == '30'")
    assert sum(r["Størrelse"] == "Fremdrift" for r in viken) == len(progress)  # one row per KPI and method
    targets = [r for r in read("trondheim") if r["Størrelse"] == "Mål" and r["Del"] == DOWNLOAD_PARTS["kpi_table"]]
    local = [r for r in targets if r["Indikatorkode"] == "EN:EN:AQ:2C"]
    assert [(r["Verdi"], r["Tekst"], r["Kilde"], r["Versjon"]) for r in local] == [
        ("2.0", "lokalt mål", "Demonstrasjonsmål (lokalt)", "params/targets.csv")
    ]


def test_hostile_names_stay_inert_in_the_csv(data, tmp_path):
    """A KPI or member name that a spreadsheet would run is written with a leading apostrophe."""
    hostile = data.catalog.copy()
    attacks = {"EN:EN:AQ:2C": '=HYPERLINK("http://x";"klikk")', "EC:ICT:ICT:1C": "@SUM(A1:A9)"}
    for kpi, name in attacks.items():
        hostile.loc[hostile["kpi_id"] == kpi, "name_nb"] = name
    units = data.units.copy()
    units.loc[units["unit_code"] == "5001", "name"] = "+Trondheim\t-1"
    changed = report_data.ReportData(hostile, units, data.observations, data.targets, data.results, data.metadata)
    downloads.write_downloads(changed, tmp_path, only={"trondheim"})
    with (tmp_path / "trondheim.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    names = {r["Indikator"] for r in rows} | {r["Enhet"] for r in rows}
    assert "'" + attacks["EN:EN:AQ:2C"] in names and "'" + attacks["EC:ICT:ICT:1C"] in names
    assert "'+Trondheim\t-1" in names
    every = [cell for r in rows for cell in r.values()]
    assert not [c for c in every if c and c[0] in "=+@\t\r"]
    assert not [c for c in every if c.startswith("-") and c != "-" and not _is_number(c)]


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_unchanged_pages_reuse_their_download(data, tmp_path):
    units = data.units.assign(is_member=data.units["unit_code"].isin(["5001", "1508"]))
    small = report_data.ReportData(
        data.catalog, units, data.observations, data.targets, data.results, {**data.metadata, "indicator_pages": []}
    )
    keys = {"trondheim": "a", "alesund": "b", "nettverket": "c"}
    cache = tmp_path / "cache"
    first = downloads.write_downloads(small, tmp_path / "a", page_keys=keys, cache_dir=cache)
    second = downloads.write_downloads(
        small, tmp_path / "b", page_keys={**keys, "trondheim": "changed"}, cache_dir=cache
    )
    assert first == (3, 0) and second == (1, 2)
    for name in keys:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    assert len(list(cache.glob("*.csv"))) == 3  # the copy made for Trondheim's old key is gone


def test_csv_values_are_plain_numbers_with_a_point(data, written):
    folder, _ = written
    frame = pd.read_csv(folder / "trondheim.csv", encoding="utf-8-sig", dtype={"Enhetskode": str})
    assert frame["Verdi"].dtype == float and frame["År"].dropna().between(2000, 2100).all()
    assert set(frame["Enhetskode"].dropna()) <= {"5001"}


def test_a_large_networks_figures_are_in_its_downloads(data, monkeypatch):
    """Above SMALL_MULTIPLES_MAX municipalities the indicator figure draws percentiles and the heat maps
    one column per county: the downloads hold those numbers (here with the limit lowered to 2)."""
    from analysis.pages import figures

    monkeypatch.setattr(figures, "SMALL_MULTIPLES_MAX", 2)
    provenance = downloads.Provenance(data)
    indicator = downloads.indicator_download(data, "EN:EN:AQ:2C", provenance, "params/targets.csv")
    towns = data.units.loc[data.units["is_member"] & (data.units["type"] == "kommune"), "unit_code"]
    obs = data.observations.query("kpi_id == 'EN:EN:AQ:2C' and year == 2020")
    p90 = indicator.loc[(indicator["Størrelse"] == "90. persentil blant kommunene") & (indicator["År"] == 2020)]
    assert p90["Verdi"].tolist() == pytest.approx([obs.loc[obs["unit_code"].isin(towns), "value"].quantile(0.9)])
    network = downloads.network_download(data, provenance)
    county = network.loc[network["Størrelse"] == "Median av robust z for fylkets kommuner"]
    more = county.loc[(county["Tekst"] == "Møre og Romsdal") & (county["Indikatorkode"] == "EN:EN:AQ:2C")]
    comp = data.results["comparisons"].query("kpi_id == 'EN:EN:AQ:2C' and unit_code in ['1505', '1506', '1508']")
    assert more["Verdi"].tolist() == pytest.approx([comp["robust_z"].median()])
    assert set(county["Enhetskode"]) <= set(data.units["county_code"]) | {""}


def test_workers_write_the_files_one_process_writes(data, written, tmp_path):
    one, _ = written  # the same pages, written by one process
    slugs = data.catalog.set_index("kpi_id")["slug"]
    names = {slug(data, c) for c in MEMBERS} | {f"indikator-{slugs[k]}" for k in INDICATORS} | {"nettverket"}
    assert sorted(p.name for p in one.iterdir()) == sorted(f"{n}.csv" for n in names)
    assert downloads.write_downloads(data, tmp_path / "two", only=names, workers=2) == (len(names), 0)
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(f"{n}.csv" for n in names)
    for name in names:
        assert (one / f"{name}.csv").read_bytes() == (tmp_path / "two" / f"{name}.csv").read_bytes()


def test_workers_reuse_the_cache_and_remove_what_no_page_uses(data, tmp_path):
    units = data.units.assign(is_member=data.units["unit_code"].isin(["5001", "1508", "1505"]))
    small = report_data.ReportData(
        data.catalog, units, data.observations, data.targets, data.results, {**data.metadata, "indicator_pages": []}
    )
    keys = {"trondheim": "a", "alesund": "b", "kristiansund": "c", "nettverket": "d"}
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "stale.csv").write_text("from a page that is gone")
    first = downloads.write_downloads(small, tmp_path / "a", page_keys=keys, cache_dir=cache, workers=2)
    changed = {**keys, "trondheim": "changed", "alesund": "changed too"}
    second = downloads.write_downloads(small, tmp_path / "b", page_keys=changed, cache_dir=cache, workers=2)
    assert first == (4, 0) and second == (2, 2)
    for name in keys:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    assert len(list(cache.glob("*.csv"))) == 4 and not (cache / "stale.csv").exists()
    assert not list(cache.glob(".*")) and not list((tmp_path / "b").glob(".*"))  # no temporary file left


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_download_stops_with_its_name(data, tmp_path, monkeypatch, workers):
    make = downloads.unit_download

    def broken(data, code, *args):
        if code == "1508":
            raise ZeroDivisionError("division by zero")
        return make(data, code, *args)

    monkeypatch.setattr(downloads, "unit_download", broken)
    with pytest.raises(downloads.DownloadFailed, match=r"alesund\.csv could not be made: ZeroDivisionError"):
        downloads.write_downloads(data, tmp_path, only={"trondheim", "alesund", "kristiansund"}, workers=workers)
    assert not (tmp_path / "alesund.csv").exists()


def test_bad_input_in_a_worker_is_an_input_error(data, tmp_path, monkeypatch):
    from analysis.core.errors import InputError

    def bad(data, code, *args):
        raise InputError("params/targets.csv", "target must be a number", row=3, field="target")

    monkeypatch.setattr(downloads, "unit_download", bad)
    with pytest.raises(InputError) as raised:
        downloads.write_downloads(data, tmp_path, only={"trondheim", "alesund"}, workers=2)
    assert str(raised.value) == "params/targets.csv, row 3, field 'target': target must be a number"
