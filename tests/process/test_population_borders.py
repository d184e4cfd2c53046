"""The network's population 2005-2023 in 2024 borders, from the real SSB exports in ../shared/data."""

import numpy as np
import pytest

from analysis.core import config
from analysis.reference import geography as g

POP = config.SHARED_DATA_DIR / "ssb-07459-population"
pytestmark = pytest.mark.skipif(not POP.exists(), reason="shared data not available")


@pytest.fixture(scope="module")
def totals(population_totals):
    return population_totals


@pytest.fixture(scope="module")
def network(bundled_population):
    # the bundled network's members, whichever network params/network.yaml configures
    return bundled_population.set_index(["unit_code", "year"])


def test_known_values(network):
    assert network.loc[("5001", 2022), "value"] == 210_496
    assert network.loc[("5001", 2023), "value"] == 212_660
    assert network.loc[("3201", 2022), "value"] == 128_982
    assert network.loc[("3203", 2022), "value"] == 96_088
    assert network.loc[("1103", 2022), "value"] == 144_699


def test_baerum_is_one_chain(network, totals):
    t = totals.set_index(["unit_code", "year"])["value"]
    assert network.loc[("3201", 2015), "value"] == t[("0219", 2015)]
    assert network.loc[("3201", 2015), "kind"] == "renumbered"


def test_asker_before_2020_is_the_sum_of_three(network, totals):
    t = totals.set_index(["unit_code", "year"])["value"]
    want = t[("0220", 2019)] + t[("0627", 2019)] + t[("0628", 2019)]
    assert network.loc[("3203", 2019), "value"] == want == 93_679


def test_alesund_breaks_in_2020_23_only(network, totals):
    breaks = network.xs("1508", level="unit_code")["break"]
    assert breaks[breaks].index.tolist() == [2020, 2021, 2022, 2023]
    assert network.loc[("1508", 2022), "value"] == 67_114
    t = totals.set_index(["unit_code", "year"])["value"]
    # Before 2020 the 2024 Ålesund is old Ålesund, Ørskog, Skodje and Sandøy, without Haram.
    assert network.loc[("1508", 2019), "value"] == sum(t[(c, 2019)] for c in ("1504", "1523", "1529", "1546"))


def test_kristiansund_before_frei_merger_is_incomplete_not_small(network):
    row = network.loc[("1505", 2007)]
    assert np.isnan(row["value"]) and row["incomplete"] and row["missing_components"] == "1503;1556"
    assert network.loc[("1505", 2008), "value"] > 20_000


def test_counties_and_viken(network):
    viken = network.xs("30", level="unit_code")
    assert viken.index.tolist() == [2020, 2021, 2022, 2023] and (viken["borders"] == 2023).all()
    assert network.loc[("50", 2017), "value"] > 450_000
    assert not network.loc[("15", 2019), "incomplete"]


def test_national_totals_2017_2023_survive_the_mapping(totals):
    published = {2017: 5_258_317, 2022: 5_425_270, 2023: 5_488_984}
    for year, total in ((2022, published[2022]), (2023, published[2023])):
        part = totals.loc[totals["year"] == year, ["unit_code", "year", "value", "status"]]
        res = g.to_borders(part, 2024)
        assert res["value"].sum() == total, year
        assert res.loc[res["incomplete"], "value"].isna().all()
    # Before 2020 the units split in 2020 (Vågsøy, Snillfjord, Tysfjord, Sauherad) go to no single successor:
    # they are left out and flagged, never apportioned.
    part = totals.loc[totals["year"] == 2017, ["unit_code", "year", "value", "status"]]
    res = g.to_borders(part, 2024)
    split_pop = part.loc[part["unit_code"].isin(["1439", "1613", "1850", "0822"]), "value"].sum()
    assert res["value"].sum() + split_pop == published[2017]
    assert set(res.loc[res["break"], "unit_code"]) == {
        "4602",
        "4649",
        "5055",
        "5056",
        "5059",
        "1806",
        "1875",
        "4020",
        "4005",
    }


def test_mergers_and_renumberings_are_continuous(totals):
    """Each change in code_changes.csv is checked against the data: the population of the new unit
    in the change year is within 6 % (or 100 persons) of its components the year before. Fast-growing places and
    small unmodelled border adjustments (Lørenskog, Nes) stay inside that; a wrong mapping does not."""
    _, ch = g.registry()
    t = totals.set_index(["unit_code", "year"])["value"]
    ch = ch.loc[(ch["kind"] != "split") & (ch["old_code"].str.len() == 4) & ch["change_year"].between(2018, 2020)]
    checked = 0
    for (year, new), grp in ch.groupby(["change_year", "new_code"]):
        olds = set(grp["old_code"]) | ({new} if (new, year - 1) in t.index else set())
        if any((o, year - 1) not in t.index for o in olds) or (new, year) not in t.index:
            continue
        if g.mapping_to(year, year - 1).query("to_code == @new")["kind"].eq("split").any():
            continue
        before = sum(t[(o, year - 1)] for o in olds)
        assert abs(t[(new, year)] - before) < max(0.06 * before, 100), (year, new, t[(new, year)], before)
        checked += 1
    assert checked > 150
