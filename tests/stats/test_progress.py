"""Progress towards a target: the CAGR arithmetic by hand and the published thresholds at their edges."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.stats.common import (
    build_grid,
    kpi_natural_limits,
    prepare_observations,
    prepare_targets,
    prepare_units,
    resolve_targets,
)
from analysis.stats.progress import (
    BADGE_METHOD,
    METHODS,
    badge_rows,
    cagr,
    classify_eurostat_growth,
    classify_sdsn,
    classify_statcan_growth,
    classify_target_ratio,
    compute_progress,
    statcan_c_factor,
)

# --------------------------------------------------------------------------------------------
# hand-worked CAGR and ratio classes
# --------------------------------------------------------------------------------------------


def test_cagr_and_ratio_hand_worked_on_track():
    # base 50 in 2015, current 60 in 2020, target 80 in 2030
    # CAGR_o = (60/50)^(1/5) − 1 = 1.2^0.2 − 1 = 0.037137
    # CAGR_r = (80/50)^(1/15) − 1 = 1.6^(1/15) − 1 = 0.031830
    # R = 0.037137 / 0.031830 = 1.1668 -> on track
    o = cagr(50, 60, 2015, 2020)
    r = cagr(50, 80, 2015, 2030)
    assert o == pytest.approx(0.037137, abs=1e-6)
    assert r == pytest.approx(0.031830, abs=1e-6)
    assert o / r == pytest.approx(1.1668, abs=1e-4)
    assert classify_target_ratio(o / r) == "on_track"


def test_cagr_and_ratio_hand_worked_acceleration_needed():
    # current 55 instead: CAGR_o = 1.1^0.2 − 1 = 0.019245; R = 0.019245/0.031830 = 0.6046 (60 % ≤ R < 95 %)
    o = cagr(50, 55, 2015, 2020)
    assert o == pytest.approx(0.019245, abs=1e-6)
    assert o / cagr(50, 80, 2015, 2030) == pytest.approx(0.6046, abs=1e-4)
    assert classify_target_ratio(o / cagr(50, 80, 2015, 2030)) == "acceleration_needed"


def test_cagr_and_ratio_hand_worked_lower_is_better():
    # base 20, current 19 after 5 years, target 10 in 2030:
    # CAGR_o = 0.95^0.2 − 1 = −0.010206; CAGR_r = 0.5^(1/15) − 1 = −0.045158; R = 0.2260 -> limited
    o, r = cagr(20, 19, 2015, 2020), cagr(20, 10, 2015, 2030)
    assert (o, r) == (pytest.approx(-0.010206, abs=1e-6), pytest.approx(-0.045158, abs=1e-6))
    assert o / r == pytest.approx(0.2260, abs=1e-4)
    assert classify_target_ratio(o / r) == "limited_progress"


def test_ratio_thresholds_at_the_boundaries():
    got = classify_target_ratio([0.95, 0.95 - 1e-12, 0.6, 0.6 - 1e-12, 0.0, -1e-12, np.nan])
    assert list(got) == [
        "on_track",
        "acceleration_needed",
        "acceleration_needed",
        "limited_progress",
        "limited_progress",
        "deterioration",
        "",
    ]


def test_eurostat_thresholds_at_the_boundaries():
    # > 1 % significant · (0, 1 %] moderate · [−1 %, 0] moderate away · < −1 % significant away
    got = classify_eurostat_growth([0.01 + 1e-12, 0.01, 1e-12, 0.0, -0.01, -0.01 - 1e-12])
    assert list(got) == [
        "significant_progress",
        "moderate_progress",
        "moderate_progress",
        "moderate_away",
        "moderate_away",
        "significant_away",
    ]


@pytest.mark.parametrize("c", [1.0, 0.5, 0.2])
def test_statcan_thresholds_at_the_boundaries(c):
    hi, med = 0.015 * c, 0.005 * c  # 1.5 %·C and 0.5 %·C
    got = classify_statcan_growth([hi, hi - 1e-12, med, med - 1e-12, 0.0, -1e-12], c)
    assert list(got) == [
        "on_track",
        "acceleration_needed",
        "acceleration_needed",
        "limited_progress",
        "limited_progress",
        "deterioration",
    ]


def test_statcan_at_the_limit_c_zero():
    # base value at the natural limit: C = 0, every threshold > 0 becomes 0: g ≥ 0 is on track
    assert list(classify_statcan_growth([0.0, 1e-9, -1e-9], 0.0)) == ["on_track", "on_track", "deterioration"]


def test_statcan_c_factor_hand_worked():
    # maximum 100, base 98: C = 1 − 0.98^4.44 = 1 − exp(4.44 · ln 0.98) = 1 − 0.91420 = 0.0858
    assert statcan_c_factor(98.0, 100.0, "higher_is_better") == pytest.approx(1 - math.exp(4.44 * math.log(0.98)))
    assert statcan_c_factor(98.0, 100.0, "higher_is_better") == pytest.approx(0.0858, abs=1e-4)
    assert statcan_c_factor(100.0, 100.0, "higher_is_better") == 0.0
    assert statcan_c_factor(20.0, 100.0, "higher_is_better") == pytest.approx(1 - 0.2**4.44)
    # minimum 10, base 15 (lower is better): C = 1 − ((20 − 15)/10)^4.44 = 1 − 0.5^4.44 = 0.95395
    assert statcan_c_factor(15.0, 10.0, "lower_is_better") == pytest.approx(1 - 0.5**4.44)
    assert statcan_c_factor(25.0, 10.0, "lower_is_better") == 1.0  # ≥ 2·limit
    assert statcan_c_factor(10.0, 10.0, "lower_is_better") == 0.0  # at the limit
    assert statcan_c_factor(3.0, 0.0, "lower_is_better") == 1.0  # minimum 0 never binds
    assert statcan_c_factor(98.0, np.nan, "higher_is_better") == 1.0  # no limit
    assert statcan_c_factor(5.0, 10.0, "lower_is_better") == 0.0  # already below the minimum: no room
    assert statcan_c_factor(98.0, 100.0, "unknown") == 1.0  # no direction, no limit to approach


def test_sdsn_hand_worked_and_boundaries():
    # base 50 (2015), current 57 (2020), target 80 (2030): observed 7/5 = 1.4 per year,
    # needed 30/15 = 2 per year, ratio 0.7 -> moderately improving
    p = run(
        {("A", "H"): {2015: 50.0, 2020: 57.0}},
        {"H": "higher_is_better"},
        targets=[("H", "", 80.0, 2030, np.nan, np.nan)],
    )
    row = p.loc[("A", "H", "sdsn_linear")]
    assert row["change_observed"] == pytest.approx(1.4) and row["change_required"] == pytest.approx(2.0)
    assert row["ratio"] == pytest.approx(0.7) and row["progress_class"] == "moderately_improving"
    assert list(classify_sdsn([1.0, 1 - 1e-12, 0.5, 0.5 - 1e-12, 0.0, -1e-12])) == [
        "on_track",
        "moderately_improving",
        "moderately_improving",
        "stagnating",
        "stagnating",
        "decreasing",
    ]


# --------------------------------------------------------------------------------------------
# the table for all series
# --------------------------------------------------------------------------------------------


def run(series: dict, directions: dict, targets=None, units=("A",), members=("A",), catalog_units=None):
    rows = [
        (u, y, k, v if not isinstance(v, str) else np.nan, v if isinstance(v, str) else "")
        for (u, k), vals in series.items()
        for y, v in vals.items()
    ]
    obs = prepare_observations(pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status"]), 2024)
    cat = pd.DataFrame(
        {
            "kpi_id": list(directions),
            "direction": list(directions.values()),
            "unit": [(catalog_units or {}).get(k, "count") for k in directions],
        }
    )
    u = prepare_units(
        pd.DataFrame({"unit_code": list(units), "type": "kommune", "is_member": [x in members for x in units]})
    )
    grid = build_grid(obs, cat, u)
    t = prepare_targets(
        None
        if targets is None
        else pd.DataFrame(targets, columns=["kpi_id", "unit_code", "target", "target_year", "band_low", "band_high"])
    )
    res = resolve_targets(grid.index, t, u, 2030, kpi_natural_limits(cat))
    return compute_progress(grid, res, 2015).set_index(["unit_code", "kpi_id", "method"])


def test_progress_rows_name_every_method_and_follow_the_hand_example():
    p = run(
        {("A", "H"): {2014: 40.0, 2015: 50.0, 2018: 58.0, 2020: 60.0}},
        {"H": "higher_is_better"},
        targets=[("H", "", 80.0, 2030, np.nan, np.nan)],
    )
    assert set(p.index.get_level_values("method")) == set(METHODS)
    e = p.loc[("A", "H", "eurostat_target")]
    assert (e["base_year"], e["base_value"], e["current_year"], e["current_value"]) == (2015, 50.0, 2020, 60.0)
    assert e["cagr_observed"] == pytest.approx(1.2**0.2 - 1)
    assert e["cagr_required"] == pytest.approx(1.6 ** (1 / 15) - 1)
    assert e["ratio"] == pytest.approx((1.2**0.2 - 1) / (1.6 ** (1 / 15) - 1))
    assert e["progress_class"] == "on_track" and e["reason"] == ""
    assert p.loc[("A", "H", "statcan_target"), "progress_class"] == "on_track"
    assert p.loc[("A", "H", "eurostat_no_target"), "progress_class"] == "significant_progress"  # 3.7 % > 1 %
    s = p.loc[("A", "H", "sdsn_linear")]
    assert s["ratio"] == pytest.approx((10 / 5) / (30 / 15)) and s["progress_class"] == "on_track"


def test_base_year_is_first_year_from_2015_with_data():
    p = run(
        {
            ("A", "H"): {2013: 1.0, 2016: 10.0, 2018: 11.0, 2020: 12.0},
            ("B", "H"): {2012: 1.0, 2014: 2.0},
            ("C", "H"): {2014: 1.0, 2019: 2.0},
        },
        {"H": "higher_is_better"},
        units=("A", "B", "C"),
    )
    assert p.loc[("A", "H", "eurostat_no_target"), "base_year"] == 2016
    assert p.loc[("B", "H", "eurostat_no_target"), "reason"] == "no_base_year"
    assert p.loc[("C", "H", "eurostat_no_target"), "reason"] == "too_few_points"


def test_target_achieved_and_no_target():
    p = run(
        {("A", "H"): {2015: 50.0, 2020: 85.0}, ("B", "H"): {2015: 50.0, 2020: 60.0}},
        {"H": "higher_is_better"},
        targets=[("H", "A", 80.0, 2030, np.nan, np.nan)],
        units=("A", "B"),
        members=(),
    )
    for m in ("eurostat_target", "statcan_target", "sdsn_linear"):
        assert p.loc[("A", "H", m), "progress_class"] == "achieved"
        assert p.loc[("B", "H", m), "reason"] == "no_target"
        assert p.loc[("B", "H", m), "progress_class"] == ""
    badge = badge_rows(p.reset_index()).set_index("unit_code")
    assert badge.loc["A", "method"] == BADGE_METHOD
    assert badge.loc["B", "method"] == "eurostat_no_target"
    assert len(badge) == 2


def test_zero_base_and_zero_target_are_replaced():
    # base 0 -> 0.001: CAGR_o = (5 / 0.001)^(1/5) − 1 = 5000^0.2 − 1
    # target 0 (lower is better) -> 0.001
    p = run(
        {("A", "H"): {2015: 0.0, 2020: 5.0}, ("A", "L"): {2015: 8.0, 2020: 4.0}},
        {"H": "higher_is_better", "L": "lower_is_better"},
        targets=[("L", "", 0.0, 2030, np.nan, np.nan)],
    )
    h = p.loc[("A", "H", "eurostat_no_target")]
    assert h["cagr_observed"] == pytest.approx(5000**0.2 - 1) and "zero_replaced" in h["note"]
    lo = p.loc[("A", "L", "eurostat_target")]
    assert lo["cagr_required"] == pytest.approx((0.001 / 8) ** (1 / 15) - 1)
    assert lo["ratio"] == pytest.approx((0.5**0.2 - 1) / ((0.001 / 8) ** (1 / 15) - 1))


def test_mixed_signs_and_all_negative():
    p = run(
        {("A", "H"): {2015: -2.0, 2018: 1.0, 2020: 3.0}, ("B", "H"): {2015: -10.0, 2020: -5.0}},
        {"H": "higher_is_better"},
        targets=[("H", "", 10.0, 2030, np.nan, np.nan)],
        units=("A", "B"),
        members=("A", "B"),
    )
    for m in ("eurostat_target", "statcan_target", "eurostat_no_target", "statcan_no_target"):
        assert p.loc[("A", "H", m), "reason"] == "mixed_signs"
        assert p.loc[("A", "H", m), "progress_class"] == ""
    assert p.loc[("A", "H", "sdsn_linear"), "reason"] == ""  # linear: no sign restriction
    # all negative, higher is better: −10 -> −5 is progress although |y| shrinks (direction flipped)
    b = p.loc[("B", "H", "eurostat_no_target")]
    assert b["cagr_observed"] == pytest.approx(0.5**0.2 - 1)
    assert b["growth_good_direction"] == pytest.approx(-(0.5**0.2 - 1))
    assert b["progress_class"] == "significant_progress" and "flipped" in b["note"]
    assert p.loc[("B", "H", "eurostat_target"), "reason"] == "mixed_signs"  # target 10 > 0


def test_binary_is_only_achieved_or_not():
    p = run(
        {("A", "B"): {2015: 0.0, 2020: 1.0}, ("C", "B"): {2022: 0.0}},
        {"B": "binary"},
        targets=[("B", "", 1.0, 2030, np.nan, np.nan)],
        units=("A", "C"),
        members=("A", "C"),
    )
    assert set(p.xs("A")["progress_class"]) == {"achieved"}
    assert set(p.xs("C")["progress_class"]) == {"not_achieved"}
    assert (p["reason"] == "").all()


def test_base_met_target_then_lost_it():
    # higher is better, target 80: base 90 already met it, current 70 no longer does
    p = run(
        {("A", "H"): {2015: 90.0, 2020: 70.0}},
        {"H": "higher_is_better"},
        targets=[("H", "", 80.0, 2030, np.nan, np.nan)],
    )
    e, s = p.loc[("A", "H", "eurostat_target")], p.loc[("A", "H", "statcan_target")]
    assert e["progress_class"] == "deterioration" and "base_met_target" in e["note"] and np.isnan(e["ratio"])
    # Statistics Canada: R = d · CAGR_o / |CAGR_r| < 0
    assert s["ratio"] == pytest.approx(((70 / 90) ** 0.2 - 1) / abs((80 / 90) ** (1 / 15) - 1))
    assert s["ratio"] < 0 and s["progress_class"] == "deterioration"
    assert p.loc[("A", "H", "sdsn_linear"), "progress_class"] == "decreasing"


def test_statcan_uses_natural_limit_for_percent_kpis():
    # % KPI, higher is better, base 98 -> C = 0.0858; growth 98 -> 99 over 5 years = 0.203 %/yr
    # thresholds 1.5 %·C = 0.129 % -> on track (Eurostat without a target: moderate progress)
    p = run({("A", "P"): {2015: 98.0, 2020: 99.0}}, {"P": "higher_is_better"}, catalog_units={"P": "% of households"})
    s = p.loc[("A", "P", "statcan_no_target")]
    assert s["c_factor"] == pytest.approx(1 - 0.98**4.44)
    assert s["natural_limit"] == 100.0
    assert s["growth_good_direction"] == pytest.approx((99 / 98) ** 0.2 - 1)
    assert s["progress_class"] == "on_track"
    assert p.loc[("A", "P", "eurostat_no_target"), "progress_class"] == "moderate_progress"


def test_unknown_direction_and_suppressed():
    p = run(
        {("A", "U"): {2015: 1.0, 2020: 2.0}, ("A", "H"): {2015: ":", 2020: ":"}},
        {"U": "unknown", "H": "higher_is_better"},
    )
    assert set(p.xs(("A", "U"))["reason"]) == {"no_direction"}
    assert set(p.xs(("A", "H"))["reason"]) == {"suppressed"}
    assert (p["progress_class"][p["reason"] != ""] == "").all()


def test_target_band_progress():
    # band [0.95, 1.05]; base 0.80 below it -> target = 0.95, higher is better
    p = run(
        {("A", "G"): {2015: 0.80, 2020: 0.90}, ("B", "G"): {2015: 0.80, 2020: 1.00}},
        {"G": "target_band"},
        targets=[("G", "", np.nan, 2030, 0.95, 1.05)],
        units=("A", "B"),
        members=("A", "B"),
    )
    a = p.loc[("A", "G", "eurostat_target")]
    assert a["target"] == 0.95
    assert a["ratio"] == pytest.approx(((0.9 / 0.8) ** 0.2 - 1) / ((0.95 / 0.8) ** (1 / 15) - 1))
    assert p.loc[("B", "G", "eurostat_target"), "progress_class"] == "achieved"
    assert p.loc[("A", "G", "eurostat_no_target"), "reason"] == "band_kpi"


def test_target_band_value_that_went_past_the_whole_band():
    # band [0.95, 1.05], base 0.80 (distance 0.15 below). A: 0.80 -> 1.40 is 0.35 above: farther away,
    # so deterioration although its growth "towards 0.95" is large. B: 0.80 -> 1.10 is 0.05 above:
    # nearer, but growth towards one edge says nothing about it, so no class and the reason says why.
    p = run(
        {("A", "G"): {2015: 0.80, 2020: 1.40}, ("B", "G"): {2015: 0.80, 2020: 1.10}},
        {"G": "target_band"},
        targets=[("G", "", np.nan, 2030, 0.95, 1.05)],
        units=("A", "B"),
        members=("A", "B"),
    )
    for method in ("eurostat_target", "statcan_target"):
        a = p.loc[("A", "G", method)]
        assert a["progress_class"] == "deterioration" and a["note"] == "overshot_band" and np.isnan(a["ratio"])
        b = p.loc[("B", "G", method)]
        assert b["progress_class"] == "" and b["reason"] == "overshot_band"
    assert p.loc[("A", "G", "sdsn_linear"), "progress_class"] == "decreasing"
    assert p.loc[("B", "G", "sdsn_linear"), "reason"] == "overshot_band"


def test_series_that_stays_at_zero_has_no_growth():
    # 0 -> 0: both ends replaced by 0.001, so CAGR_o = (0.001 / 0.001)^(1/5) - 1 = 0, "moderate_away" for
    # Eurostat (g in [-1 %, 0]) and "limited_progress" for Statistics Canada (0 <= g < 0.5 %), in both
    # directions; never the -100 %/yr that a bare 0 at the end would give.
    # 5 -> 0 in 5 years: (0.001 / 5)^(1/5) - 1 = -0.8177 per year.
    p = run(
        {("A", "H"): {2015: 0.0, 2020: 0.0}, ("A", "L"): {2015: 0.0, 2020: 0.0}, ("A", "D"): {2015: 5.0, 2020: 0.0}},
        {"H": "higher_is_better", "L": "lower_is_better", "D": "higher_is_better"},
    )
    for kpi in ("H", "L"):
        row = p.loc[("A", kpi, "eurostat_no_target")]
        assert row["cagr_observed"] == 0 and row["progress_class"] == "moderate_away", kpi
        assert "zero_replaced" in row["note"]
        assert p.loc[("A", kpi, "statcan_no_target"), "progress_class"] == "limited_progress", kpi
    d = p.loc[("A", "D", "eurostat_no_target")]
    assert d["cagr_observed"] == pytest.approx(0.0002**0.2 - 1) and d["progress_class"] == "significant_away"


def test_growth_exactly_at_a_boundary_computed_from_data_lands_where_the_definition_puts_it():
    from analysis.stats.progress import cagr, classify_eurostat_growth, classify_statcan_growth, classify_target_ratio

    # 100 -> 101 in one year is exactly 1 % growth: "moderate progress" (the class is (0, 1 %]),
    # although (101/100) - 1 is 0.010000000000000009 in floating point
    assert classify_eurostat_growth(cagr(100, 101, 2015, 2016)) == "moderate_progress"
    assert classify_eurostat_growth(cagr(100, 99, 2015, 2016)) == "moderate_away"  # exactly -1 %
    assert classify_statcan_growth(cagr(1000, 1015, 2015, 2016)) == "on_track"  # exactly 1.5 %
    assert classify_statcan_growth(cagr(1000, 1005, 2015, 2016)) == "acceleration_needed"  # 0.5 %
    # R = 9.5 % / 10 % = 0.95 exactly: on track
    assert classify_target_ratio(0.095 / 0.1) == "on_track"
