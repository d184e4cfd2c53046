"""Status against a target: our percent-of-target formula and the U4SSC bands at their edges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.common import build_grid, prepare_observations, prepare_targets, prepare_units, resolve_targets
from analysis.stats.status import achieved_pct, band_of, compute_status


@pytest.mark.parametrize(
    "value, target, direction, expected",
    [
        (45.0, 60.0, "higher_is_better", 75.0),  # 100 · 45/60
        (75.0, 60.0, "higher_is_better", 100.0),  # capped at 100
        (-5.0, 60.0, "higher_is_better", 0.0),  # negative -> 0
        (30.0, 20.0, "lower_is_better", 100 * 20 / 30),  # 66.67
        (15.0, 20.0, "lower_is_better", 100.0),  # at or under the target
        (20.0, 20.0, "lower_is_better", 100.0),
        (5.0, 0.0, "lower_is_better", 0.0),  # zero target, any excess -> 0 %
        (1.0, 1.0, "binary", 100.0),
        (0.0, 1.0, "binary", 0.0),
    ],
)
def test_achieved_hand_worked(value, target, direction, expected):
    assert achieved_pct(value, target, direction) == pytest.approx(expected)


def test_target_band_formula():
    lo, hi = 0.95, 1.05
    assert achieved_pct(1.00, np.nan, "target_band", lo, hi) == 100.0
    assert achieved_pct(0.95, np.nan, "target_band", lo, hi) == 100.0  # edges are inside
    assert achieved_pct(0.855, np.nan, "target_band", lo, hi) == pytest.approx(90.0)  # 0.855/0.95
    assert achieved_pct(1.4, np.nan, "target_band", lo, hi) == pytest.approx(75.0)  # 1.05/1.4
    assert np.isnan(achieved_pct(1.0, np.nan, "target_band"))  # no band


def test_higher_with_non_positive_target_is_undefined():
    assert np.isnan(achieved_pct(5.0, 0.0, "higher_is_better"))


def test_bands_exactly_at_the_published_edges():
    # each edge belongs to the upper band: 95 -> ge95, 66 -> 66to95, 33 -> 33to66
    got = band_of([100, 95, 94.999999, 66, 65.99999, 33, 32.9999, 0, np.nan])
    assert list(got) == ["ge95", "ge95", "66to95", "66to95", "33to66", "33to66", "lt33", "lt33", ""]


def test_edges_survive_floating_point_from_the_formula():
    # 100 · 0.57 / 0.6 = 94.99999999999999 and 100 · 0.66 = 66.00000000000001 in floating point:
    # rounding to 9 decimals before banding puts them where the arithmetic says (95 %, 66 %)
    assert 100 * 0.57 / 0.6 < 95
    assert band_of(achieved_pct(0.57, 0.6, "higher_is_better")) == "ge95"
    assert band_of(achieved_pct(0.66, 1.0, "higher_is_better")) == "66to95"
    assert band_of(achieved_pct(0.33, 1.0, "higher_is_better")) == "33to66"
    assert band_of(achieved_pct(0.95, 1.0, "higher_is_better")) == "ge95"


def _setup(obs_rows, targets_rows, directions):
    cat = pd.DataFrame({"kpi_id": list(directions), "direction": list(directions.values()), "unit": "x"})
    units = prepare_units(
        pd.DataFrame(
            {
                "unit_code": ["1804", "1103", "0301"],
                "name": ["Bodø", "Stavanger", "Oslo"],
                "type": "kommune",
                "county_code": ["18", "11", "03"],
                "peer_group": "",
                "is_member": [True, True, False],
            }
        )
    )
    obs = prepare_observations(pd.DataFrame(obs_rows, columns=["unit_code", "year", "kpi_id", "value", "status"]), 2024)
    grid = build_grid(obs, cat, units)
    targets = prepare_targets(
        pd.DataFrame(targets_rows, columns=["kpi_id", "unit_code", "target", "target_year", "band_low", "band_high"])
    )
    resolved = resolve_targets(grid.index, targets, units, 2030)
    return compute_status(grid, resolved, 2024).set_index(["unit_code", "kpi_id"])


def test_status_table_targets_scope_and_reasons():
    rows = [
        ("1804", 2023, "H", 80.0, ""),
        ("1804", 2024, "H", 90.0, ""),
        ("1103", 2024, "H", 40.0, ""),
        ("0301", 2024, "H", 95.0, ""),
        ("1804", 2024, "L", np.nan, ":"),  # suppressed in the report year …
        ("1804", 2022, "L", 12.0, ""),  # … so the latest usable year is 2022
        ("1103", 2024, "L", np.nan, ":"),  # only suppressed
        ("1804", 2025, "H", 99.0, ""),  # after the report year: ignored
    ]
    targets = [
        ("H", "", 100.0, np.nan, np.nan, np.nan),
        ("H", "1103", 50.0, 2028, np.nan, np.nan),
        ("L", "", 10.0, 2030, np.nan, np.nan),
    ]
    s = _setup(rows, targets, {"H": "higher_is_better", "L": "lower_is_better"})
    b = s.loc[("1804", "H")]
    assert (b["year"], b["value"], b["target"], b["target_year"], b["target_scope"]) == (
        2024,
        90.0,
        100.0,
        2030,
        "network",
    )
    assert b["achieved_pct"] == pytest.approx(90.0) and b["band"] == "66to95" and b["reason"] == ""
    st = s.loc[("1103", "H")]  # local target overrides the network default
    assert (st["target"], st["target_year"], st["target_scope"]) == (50.0, 2028, "local")
    assert st["achieved_pct"] == pytest.approx(80.0)
    oslo = s.loc[("0301", "H")]  # not a member: no network default
    assert oslo["target_scope"] == "" and oslo["band"] == "" and oslo["reason"] == "no_target"
    assert oslo["value"] == 95.0
    lb = s.loc[("1804", "L")]
    assert lb["year"] == 2022 and lb["achieved_pct"] == pytest.approx(100 * 10 / 12) and lb["band"] == "66to95"
    ls = s.loc[("1103", "L")]
    assert ls["band"] == "" and ls["reason"] == "suppressed" and np.isnan(ls["achieved_pct"])
    assert pd.isna(ls["year"])


def test_status_band_kpi_uses_band_from_target():
    rows = [("1804", 2024, "G", 0.90, ""), ("1103", 2024, "G", 1.00, "")]
    s = _setup(
        rows, [("G", "", 1.0, np.nan, np.nan, np.nan), ("G", "1103", np.nan, np.nan, 0.97, 1.03)], {"G": "target_band"}
    )
    assert s.loc[("1804", "G"), "achieved_pct"] == pytest.approx(90.0)  # band [1, 1]: 0.90/1.0
    assert s.loc[("1103", "G"), "achieved_pct"] == 100.0
    assert s.loc[("1103", "G"), "band"] == "ge95"


def test_duplicate_targets_are_refused():
    from analysis.core.errors import InputError

    with pytest.raises(InputError, match="more than one row"):
        prepare_targets(pd.DataFrame({"kpi_id": ["H", "H"], "unit_code": ["", ""], "target": [1, 2]}))
