"""The maps: members matched to the 2024 borders, the projection, the legend's classes and colours, and an
indicator page's and the front page's map with its alt text, credit, table and CSV rows.

Built from a small network and data of the test's own (three municipalities, a county member and a county
that ended in 2023), with hand-made values, not from the configured network.
"""

import csv
import io
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from site_helpers import markdown_table_cells, missing_numbers

from analysis.core.errors import InputError
from analysis.core.schema import TARGET_FILE_COLUMNS
from analysis.pages import content, maps
from analysis.pages.present import csv_cells, figure_html, figure_svg
from analysis.pages.report_data import ReportData
from analysis.pages.text_nb import DOWNLOAD_PARTS, MAPS
from analysis.reference.catalog import load_catalog
from analysis.reference.members import load_units
from analysis.site import downloads
from analysis.stats.results import compute_all

NETWORK = """\
network: {name: Kartnettet}
members:
  - {code: "5001", name: Trondheim, type: kommune, county: "50"}
  - {code: "0301", name: Oslo, type: kommune, county: "03"}
  - {code: "4601", name: Bergen, type: kommune, county: "46"}
  - {code: "15", name: Møre og Romsdal, type: fylke}
  - {code: "30", name: Viken, type: fylke, valid_from: 2020, valid_to: 2023}
counties: {"03": Oslo, "15": Møre og Romsdal, "30": Viken, "46": Vestland, "50": Trøndelag}
"""
#: The members' values in 2024 of the map's KPI (Bergen reports none at all: hatched, «uten tall»; Viken
#: 2020-2023 only).
VALUES_2024 = {"5001": 12.5, "0301": 40.0, "15": 7.25}


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    path = tmp_path_factory.mktemp("maps") / "network.yaml"
    path.write_text(NETWORK, encoding="utf-8")
    units = load_units(path)
    catalog = load_catalog()
    kpi = catalog.loc[catalog["direction"] == "higher_is_better", "kpi_id"].iloc[0]
    rows = []
    for unit in ("5001", "0301", "4601", "15", "30"):
        for year in range(2020, 2025):
            if unit == "30" and year == 2024 or unit == "4601":
                continue
            value = VALUES_2024.get(unit, 20.0) if year == 2024 else 10.0 + year - 2020
            rows.append(
                {
                    "unit_code": unit,
                    "year": year,
                    "kpi_id": kpi,
                    "value": value,
                    "status": "",
                    "source": "Testkilde",
                    "vintage": "2025-01-01",
                    "note": "",
                    "warning": "",
                }
            )
    obs = pd.DataFrame(rows)
    results = compute_all(obs, catalog, units, None, report_year=2024)
    targets = pd.DataFrame(columns=TARGET_FILE_COLUMNS)
    data = ReportData(catalog, units, obs, targets, results, {"report_year": 2024, "indicator_pages": [kpi]})
    return data, kpi


# --- geometry ---------------------------------------------------------------------------------------


def test_every_member_on_the_map_is_matched_to_a_geometry(network):
    data, _ = network
    on_map, not_on_map = content.map_members(data)
    shapes = maps.member_shapes(maps.borders(), list(zip(on_map["unit_code"], on_map["type"])))
    assert set(shapes) == {"5001", "0301", "4601", "15"}
    assert shapes["15"].name == "Møre og Romsdal"  # the county member is its county's polygon
    assert shapes["15"] is maps.borders().counties["15"]
    assert shapes["0301"].name == "Oslo"
    assert not_on_map == ["Viken"]  # ended before 2024: named, not an error


def test_a_member_without_geometry_is_one_error_naming_every_code():
    members = [("5001", "kommune"), ("9999", "kommune"), ("1507", "kommune"), ("30", "fylke"), ("15", "fylke")]
    with pytest.raises(InputError) as err:
        maps.member_shapes(maps.borders(), members)
    message = str(err.value)
    for code in ("9999", "1507", "30"):
        assert code in message
    assert "5001" not in message and " 15" not in message.replace("1507", "")


def test_the_geometry_is_parsed_once_per_process():
    assert maps.borders() is maps.borders()
    assert len(maps.borders().municipalities) == 357 and len(maps.borders().counties) == 15


def test_missing_border_files_are_named(tmp_path):
    with pytest.raises(InputError, match="kommuner_2024_S.geojson"):
        maps.borders(tmp_path)


def haversine_km(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def test_the_projection_keeps_norway_in_shape():
    geo = maps.borders()
    oslo, trondheim, bergen = (geo.municipalities[c].centroid for c in ("0301", "5001", "4601"))
    assert oslo[1] < trondheim[1]  # Oslo lies south of Trondheim
    assert oslo[0] > bergen[0]  # and east of Bergen
    # Norway's bounding box in UTM 33 is about 1 220 km wide and 1 490 km tall (0.82); plain lon/lat would
    # give 26.5° by 13.1°, twice as wide as tall
    xmin, ymin, xmax, ymax = geo.bounds
    assert 0.72 < (xmax - xmin) / (ymax - ymin) < 0.92
    assert 1400 < ymax - ymin < 1800
    # a distance across the whole country: Lindesnes to Nordkapp, on the sphere, within 2 %
    (x1, x2), (y1, y2) = maps.project([7.05, 25.78], [57.98, 71.17])
    assert math.hypot(x2 - x1, y2 - y1) == pytest.approx(haversine_km(7.05, 57.98, 25.78, 71.17), rel=0.02)
    # equal area: Oslo's area is 454 km² (SSB); the simplified polygon's true area within 3 %
    assert geo.municipalities["0301"].area == pytest.approx(454, rel=0.03)


# --- classes and colours ----------------------------------------------------------------------------

VIRIDIS_5 = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")  # R viridis(5): dark to light


def close(a, b) -> bool:
    return all(abs(x - y) <= 3 / 255 for x, y in zip(to_rgb(a), to_rgb(b)))


def test_the_legend_classes_and_colours_of_hand_made_values():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    # quantiles 20/40/60/80 %: 1 + 9·0.2 = 2.8, 4.6, 6.4, 8.2; span 9, so rounded to 0.1
    higher = maps.value_classes(values, "high")
    assert higher.edges == pytest.approx((1, 2.8, 4.6, 6.4, 8.2, 10))
    assert higher.labels == ("1,0–2,8", "2,8–4,6", "4,6–6,4", "6,4–8,2", "8,2–10,0")
    assert all(close(c, e) for c, e in zip(higher.colours, VIRIDIS_5[::-1]))  # higher is better: darker
    lower = maps.value_classes(values, "low")
    assert all(close(c, e) for c, e in zip(lower.colours, VIRIDIS_5))  # lower is better: the low values dark
    assert [higher.index(v) for v in (1, 2.79, 2.8, 8.2, 10)] == [0, 0, 1, 4, 4]  # an edge belongs above
    assert higher.index(float("nan")) is None


def test_outer_edges_round_outwards_so_every_value_is_in_its_label():
    values = [2.75, 3.04, 3.33, 3.67, 3.75, 4.02, 4.78, 5.13, 5.35, 5.66, 5.89, 6.05, 6.42]
    classes = maps.value_classes(values, "low")
    assert classes.edges[0] == pytest.approx(2.7) and classes.edges[-1] == pytest.approx(6.5)  # span 3.67: 0.1
    assert classes.labels[0].startswith("2,7–") and classes.labels[-1].endswith("–6,5")


def test_a_map_of_few_values_has_a_class_per_edge_pair():
    assert maps.value_classes([5.0, 5.0]).labels == ("5,00",)  # one class, written as the table writes 5
    assert maps.value_classes([]).labels == ()


# --- the drawn map ----------------------------------------------------------------------------------


def test_the_map_svg_references_nothing_outside_itself(network):
    data, kpi = network
    fig, _, _ = content.indicator_map(data, kpi)
    svg = figure_svg(fig).decode("utf-8")
    # every reference inside the drawing points into the file itself (clip paths, hatch patterns)
    refs = re.findall(r'(?:href|src)="([^"]*)"|url\(([^)]*)\)', svg)
    assert refs and all((a or b).startswith("#") for a, b in refs)
    # what is left naming a host is the namespaces, the DTD and the metadata's vocabulary, never fetched
    drawing = re.sub(r'xmlns(:\w+)?="[^"]*"|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>', "", svg, flags=re.S)
    assert not re.search(r"https?:|//[a-z]", drawing)
    assert "<image" not in svg  # vector, nothing embedded
    assert MAPS["credit"] in svg  # the credit is on the map itself
    assert len(svg) < 300_000


def test_the_national_map_draws_all_357_municipalities():
    geo = maps.borders()
    units = [maps.MapUnit(code, "kommune", float(i)) for i, code in enumerate(sorted(geo.municipalities))]
    fig = maps.choropleth(units, maps.value_classes([u.value for u in units]), "Test")
    patches = sum(len(c.get_paths()) for c in fig.axes[0].collections if c.get_zorder() == 3)
    assert patches == 357
    size = len(figure_svg(fig))
    assert size < 900_000


# --- the pages --------------------------------------------------------------------------------------


def test_the_indicator_pages_map_has_alt_text_caption_table_and_csv(network):
    data, kpi = network
    fig, caption, alt = content.indicator_map(data, kpi)
    hatched = [c for c in fig.axes[0].collections if c.get_hatch() == "////"]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 1  # Bergen, the member without a value
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[-2:] == [MAPS["no_value"], MAPS["non_member"]]
    html = figure_html(fig, caption, alt)
    alt_attr = re.search(r'alt="([^"]*)"', html).group(1)
    assert "Høyest: Oslo (40,0)" in alt_attr and "Lavest: Møre og Romsdal (7,25)" in alt_attr
    assert "Uten tall: Bergen" in alt_attr
    assert MAPS["credit_short"] in html and "Viken" in caption
    table = content.indicator_map_markdown(data, kpi)
    assert table.startswith("<details>")
    cells = markdown_table_cells(table)
    for name in ("Trondheim", "Oslo", "Bergen", "Møre og Romsdal"):
        assert name in cells
    assert "Viken" not in cells
    # the page's download holds every number of the map's table and of its legend
    rows = downloads.indicator_download(data, kpi, downloads.Provenance(data), "params/targets.csv")
    text = csv_cells(rows).to_csv(index=False)
    read = list(csv.DictReader(io.StringIO(text)))
    part = [r for r in read if r["Del"] == DOWNLOAD_PARTS["map"]]
    shown = {r["Enhetskode"]: float(r["Verdi"]) for r in part if r["Enhetskode"]}
    assert shown == VALUES_2024  # Bergen has no value: no row
    _, classes = content.indicator_map_table(data, kpi)
    assert not missing_numbers(cells + list(classes.labels), part)
    plt.close("all")


def test_the_front_pages_map_shows_the_status_tables_share(network):
    data, _ = network
    table, classes = content.network_map_table(data)
    status = content.network_status_table(data)
    # no targets in this network: nobody has a band, so every member is «uten mål», none has a share
    assert table["n_banded"].eq(0).all() and table["share_ge95"].isna().all()
    assert set(table["unit_code"]) == set(status["unit_code"]) - {"30"}
    fig, caption, alt = content.network_map(data)
    assert MAPS["none_with_value"] in alt and "Viken" in caption
    assert classes.labels == MAPS["share_classes"]
    plt.close(fig)


def test_the_share_on_the_front_pages_map_is_ge95_over_all_bands(network):
    """With a network target of 20 for the one KPI: Oslo (40) has reached it (100 % of its one banded KPI at
    ≥ 95 %), Trondheim (12,5: 62 %) and Møre og Romsdal (7,25: 36 %) have not (0 %); Bergen has no value."""
    data, kpi = network
    targets = pd.DataFrame(
        [{"kpi_id": kpi, "unit_code": "", "target": 20.0, "target_year": 2030, "band_low": np.nan,
          "band_high": np.nan, "source": "Test"}]
    )  # fmt: skip
    results = compute_all(data.observations, data.catalog, data.units, targets, report_year=2024)
    with_target = ReportData(data.catalog, data.units, data.observations, targets, results, data.metadata)
    table, classes = content.network_map_table(with_target)
    got = dict(zip(table["unit_code"], zip(table["n_banded"], table["share_ge95"], table["map_class"])))
    assert got.pop("4601")[::2] == (0, "")  # no band, no share, no class
    assert got == {"0301": (1, 100.0, "75–100 %"), "5001": (1, 0.0, "0–25 %"), "15": (1, 0.0, "0–25 %")}
    fig, caption, alt = content.network_map(with_target)
    assert "Høyest: Oslo (100" in alt and "Lavest: Trondheim, Møre og Romsdal (0" in alt
    assert "Uten tall: Bergen" in alt
    rows = downloads.network_download(with_target, downloads.Provenance(with_target))
    part = rows.loc[rows["Del"] == DOWNLOAD_PARTS["map"]]
    assert not missing_numbers(markdown_table_cells(content.network_map_markdown(with_target)), part.to_dict("records"))
    plt.close(fig)
