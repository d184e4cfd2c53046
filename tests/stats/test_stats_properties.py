"""Property-based tests (hypothesis): missing and suppressed cells never change a result, the
statistics behave on constant series, two points, gaps, zeros and negative values, and status and
progress agree on whether the target is reached."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.stats.common import build_grid, prepare_observations, prepare_targets, prepare_units, resolve_targets
from analysis.stats.progress import METHODS, TARGET_METHODS, compute_progress
from analysis.stats.results import compute_all
from analysis.stats.status import compute_status
from analysis.stats.trends import compute_trends, mann_kendall, theil_sen_batch


def examples(n: int) -> int:
    """``n`` examples under hypothesis's default profile (100 a test, ``make test``), the same share of a smaller
    profile's count: ``make test-fast`` selects "fast" (tests/conftest.py), a quarter, at least two."""
    return max(2, n * settings.default.max_examples // 100)


SETTINGS = settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: compute_all runs the whole pipeline (mixed models included) twice per example: fewer examples
SLOW = settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
YEARS = list(range(2012, 2025))
CATALOG = pd.DataFrame(
    {
        "kpi_id": ["H", "L", "B", "G"],
        "direction": ["higher_is_better", "lower_is_better", "binary", "target_band"],
        "unit": ["%", "count", "yes/no", "ratio"],
    }
)
UNITS = pd.DataFrame(
    {
        "unit_code": ["A", "B", "C", "D", "0"],
        "name": list("ABCD") + ["Norge"],
        "type": ["kommune"] * 4 + ["land"],
        "county_code": "",
        "peer_group": ["P", "P", "Q", "Q", ""],
        "is_member": [True, True, True, False, False],
    }
)
TARGETS = pd.DataFrame(
    {
        "kpi_id": ["H", "L", "B", "G", "H"],
        "unit_code": ["", "", "", "", "A"],
        "target": [80.0, 5.0, 1.0, np.nan, 90.0],
        "target_year": [2030, 2030, 2030, 2030, np.nan],
        "band_low": [np.nan, np.nan, np.nan, 0.95, np.nan],
        "band_high": [np.nan, np.nan, np.nan, 1.05, np.nan],
    }
)
IGNORED = {"note", "reason_text", "n_suppressed", "report_year_symbol"}
EMPTY_REASONS = {"no_data", "suppressed", "missing", "not_applicable", "no_value_in_year"}

values = st.one_of(
    st.integers(-50, 200).map(float),
    st.just(0.0),
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, width=32).map(float),
)


@st.composite
def series_with_cells(draw):
    """A series for unit A (every KPI gets a variant) plus extra years that are not usable."""
    years = draw(st.lists(st.sampled_from(YEARS), unique=True, max_size=10).map(sorted))
    vals = [draw(values) for _ in years]
    free = [y for y in YEARS if y not in years]
    bad_years = draw(st.lists(st.sampled_from(free), unique=True, max_size=4)) if free else []
    bad = [
        (y, draw(st.sampled_from([":", "..", ".", "..."])), draw(st.sampled_from([np.nan, 0.0, 123.0])))
        for y in bad_years
    ]
    return years, vals, bad


def background() -> list[tuple]:
    """Fixed data for the other units so that group statistics and the mixed model have material."""
    rng = np.random.default_rng(0)
    rows = []
    for u in ("B", "C", "D", "0"):
        for y in range(2014, 2025):
            rows.append((u, y, "H", 50 + 2 * (y - 2014) + rng.normal(0, 3), ""))
            rows.append((u, y, "L", 20 - 0.5 * (y - 2014) + rng.normal(0, 1), ""))
            rows.append((u, y, "B", float(y > 2018 + (u == "C")), ""))
            rows.append((u, y, "G", 0.85 + 0.01 * (y - 2014) + rng.normal(0, 0.01), ""))
    return rows


def a_rows(years, vals):
    rows = []
    for y, v in zip(years, vals):
        rows += [
            ("A", y, "H", v, ""),
            ("A", y, "L", v, ""),
            ("A", y, "B", float(v > 0), ""),
            ("A", y, "G", abs(v) / 100, ""),
        ]
    return rows


def frame(rows):
    return pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status"])


def run_all(rows):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return compute_all(frame(rows), CATALOG, UNITS, TARGETS, report_year=2024)


def assert_same_results(a: dict, b: dict):
    for key in a:
        x, y = a[key], b[key]
        assert list(x.columns) == list(y.columns) and len(x) == len(y), key
        for col in x.columns:
            if col in IGNORED:
                continue
            if col == "reason":
                differ = x[col].to_numpy() != y[col].to_numpy()
                assert all(
                    r1 in EMPTY_REASONS and r2 in EMPTY_REASONS for r1, r2 in zip(x[col][differ], y[col][differ])
                ), (key, x[col][differ].tolist())
                continue
            pd.testing.assert_series_equal(x[col], y[col], check_exact=False, rtol=1e-9, atol=1e-12, obj=f"{key}.{col}")


@SLOW
@given(series_with_cells())
def test_unusable_cells_never_change_a_result(data):
    years, vals, bad = data
    base = background() + a_rows(years, vals)
    with_bad = base + [("A", y, k, v, s) for y, s, v in bad for k in ("H", "L", "B", "G")]
    assert_same_results(run_all(with_bad), run_all(base))


@SLOW
@given(series_with_cells())
def test_nan_without_a_symbol_is_the_same_as_no_row(data):
    years, vals, _ = data
    assume(len(years) >= 1)
    base = background() + a_rows(years, vals)
    with_nan = base + [("A", y, "H", np.nan, "") for y in YEARS if y not in years]
    assert_same_results(run_all(with_nan), run_all(base))


@settings(max_examples=examples(8), deadline=None)
@given(st.lists(st.sampled_from(YEARS), unique=True, min_size=1, max_size=6))
def test_a_fully_suppressed_series_yields_no_numbers(years):
    rows = background() + [("A", y, k, 0.0, ":") for y in years for k in ("H", "L", "B", "G")]
    res = run_all(rows)
    own = {
        "trends": [
            "first_value",
            "last_value",
            "change_per_year",
            "ols_slope",
            "ols_p",
            "theil_sen_slope",
            "mk_p",
            "rel_change_per_year",
        ],
        "status": ["year", "value", "achieved_pct"],
        "progress": [
            "base_value",
            "current_value",
            "cagr_observed",
            "ratio",
            "growth_good_direction",
            "change_observed",
        ],
        "comparisons": ["value", "percentile_rank", "robust_z"],
        "slope_tests": ["slope_unit", "slope_group", "diff", "p_value", "q_value"],
    }
    for key, cols in own.items():
        df = res[key]
        a = df.loc[df["unit_code"] == "A"]
        assert a[cols].isna().all().all(), key
        assert set(a["reason"]) <= {"suppressed"}, key
    assert set(res["status"].loc[res["status"]["unit_code"] == "A", "band"]) == {""}


# --------------------------------------------------------------------------------------------
# the statistics themselves
# --------------------------------------------------------------------------------------------


def trend_of(years, vals, direction="higher_is_better"):
    obs = prepare_observations(frame([("A", y, "K", v, "") for y, v in zip(years, vals)]), 2024)
    cat = pd.DataFrame({"kpi_id": ["K"], "direction": [direction], "unit": "x"})
    return compute_trends(build_grid(obs, cat, complete=False)).iloc[0]


@SETTINGS
@given(st.lists(st.sampled_from(YEARS), unique=True, min_size=4, max_size=13).map(sorted), values)
def test_constant_series(years, c):
    t = trend_of(years, [c] * len(years))
    assert t["ols_slope"] == 0 and t["theil_sen_slope"] == 0 and t["mk_p"] == 1.0 and t["mk_tau"] == 0
    assert t["verdict"] == "no_clear_trend" and t["change_per_year"] == 0


@SETTINGS
@given(st.lists(st.sampled_from(YEARS), unique=True, min_size=2, max_size=2).map(sorted), values, values)
def test_two_points_give_only_the_descriptive_change(years, v1, v2):
    t = trend_of(years, [v1, v2])
    assert t["verdict"] == "not_assessed" and t["reason"] == "too_few_points"
    assert t["change_per_year"] == pytest.approx((v2 - v1) / (years[1] - years[0]))
    assert np.isnan(t["ols_slope"]) and np.isnan(t["mk_p"]) and np.isnan(t["theil_sen_slope"])


@SETTINGS
@given(st.lists(st.sampled_from(YEARS), unique=True, min_size=4, max_size=13).map(sorted), st.data())
def test_gaps_ols_and_theil_sen_match_numpy_and_scipy(years, data):
    vals = [data.draw(st.integers(-20, 20).map(float)) for _ in years]  # integers: many ties
    assume(np.ptp(vals) > 0)
    t = trend_of(years, vals)
    assert t["ols_slope"] == pytest.approx(np.polyfit(years, vals, 1)[0], rel=1e-9, abs=1e-9)
    ref = stats.theilslopes(vals, years)
    assert t["theil_sen_slope"] == pytest.approx(ref.slope, abs=1e-12)
    assert t["theil_sen_low"] == pytest.approx(ref.low_slope, abs=1e-12)
    assert t["theil_sen_high"] == pytest.approx(ref.high_slope, abs=1e-12)


@SETTINGS
@given(
    st.lists(st.sampled_from(YEARS), unique=True, min_size=4, max_size=13).map(sorted),
    st.data(),
    st.integers(-1000, 1000),
)
def test_negative_values_mirror_the_direction_and_shifts_change_nothing(years, data, shift):
    vals = [data.draw(values) for _ in years]
    up = trend_of(years, vals, "higher_is_better")
    mirrored = trend_of(years, [-v for v in vals], "lower_is_better")
    assert up["verdict"] == mirrored["verdict"]
    assert up["mk_p"] == pytest.approx(mirrored["mk_p"]) and up["mk_tau"] == -mirrored["mk_tau"] + 0.0
    # adding a constant keeps the order of integer values, hence Mann–Kendall, and the OLS slope
    ints = [float(round(v)) for v in vals]
    a, b = trend_of(years, ints), trend_of(years, [v + shift for v in ints])
    assert a["mk_p"] == b["mk_p"] and a["mk_tau"] == b["mk_tau"] and a["verdict"] == b["verdict"]
    assert b["ols_slope"] == pytest.approx(a["ols_slope"], rel=1e-9, abs=1e-9)
    assert b["theil_sen_slope"] == pytest.approx(a["theil_sen_slope"], rel=1e-9, abs=1e-9)


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=6, max_size=6), min_size=1, max_size=8))
def test_batch_statistics_equal_single_series(rows):
    Y = np.array([[np.nan if v is None else float(v) for v in r] for r in rows])
    x = np.arange(2015, 2021, dtype=float)
    ts = theil_sen_batch(x, Y)
    for i, row in enumerate(Y):
        keep = np.isfinite(row)
        if keep.sum() >= 2:
            ref = stats.theilslopes(row[keep], x[keep])
            assert ts.slope[i] == pytest.approx(ref.slope)
            if np.isfinite(ref.low_slope):
                assert ts.low[i] == pytest.approx(ref.low_slope)
        if keep.sum() >= 2:
            mk = mann_kendall(row)
            s = sum(np.sign(b - a) for j, a in enumerate(row[keep]) for b in row[keep][j + 1 :])
            assert mk["s"] == s


# --------------------------------------------------------------------------------------------
# status and progress tell the same story about reaching the target
# --------------------------------------------------------------------------------------------

ONE_UNIT = prepare_units(pd.DataFrame({"unit_code": ["A"], "type": "kommune", "is_member": True}))


def status_and_progress(direction, vals, target=np.nan, band=(np.nan, np.nan)):
    """Status and the five progress rows of one series of unit A (values 2015, 2016, …) with a
    local target for 2030 (no target row at all when neither target nor band is given)."""
    years = range(2015, 2015 + len(vals))
    obs = prepare_observations(frame([("A", y, "K", v, "") for y, v in zip(years, vals)]), 2024)
    cat = pd.DataFrame({"kpi_id": ["K"], "direction": [direction], "unit": "x"})
    grid = build_grid(obs, cat, ONE_UNIT)
    given = np.isfinite(target) or np.isfinite(band[0]) or np.isfinite(band[1])
    rows = {"kpi_id": ["K"], "unit_code": ["A"], "target": [target], "target_year": [2030.0]}
    rows |= {"band_low": [band[0]], "band_high": [band[1]]}
    targets = prepare_targets(pd.DataFrame(rows) if given else None)
    resolved = resolve_targets(grid.index, targets, ONE_UNIT, 2030)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        status = compute_status(grid, resolved, 2024).iloc[0]
        progress = compute_progress(grid, resolved).set_index("method")
    return status, progress


@SETTINGS
@given(
    st.sampled_from([None, 0.0, 1.0]),
    st.lists(st.sampled_from([0.0, 1.0]), min_size=1, max_size=6),
)
def test_binary_target_says_which_answer_is_the_goal(target, vals):
    """A yes/no KPI: target 1 (or no target) means "yes" is the goal, target 0 means "no" is. Status
    is 100 % exactly when progress says "achieved", in every method that gives a class."""
    status, progress = status_and_progress("binary", vals, np.nan if target is None else target)
    goal = 0.0 if target == 0.0 else 1.0
    met = vals[-1] == goal
    if target is None:
        assert status["reason"] == "no_target" and np.isnan(status["achieved_pct"])
    else:
        assert status["reason"] == "" and status["achieved_pct"] == (100.0 if met else 0.0)
        assert status["band"] == ("ge95" if met else "lt33")
    classed = progress.loc[progress["reason"] == "", "progress_class"]
    assert len(classed) == len(METHODS)  # a yes/no answer needs no base year: one value is enough
    assert set(classed) <= {"achieved" if met else "not_achieved"}


DIRECTIONS = ["higher_is_better", "lower_is_better", "binary", "target_band"]


@SETTINGS
@given(st.sampled_from(DIRECTIONS), st.lists(values, min_size=2, max_size=6), values, values, values, st.data())
def test_status_is_100_exactly_when_progress_says_achieved(direction, vals, target, e1, e2, data):
    """For every direction: a progress row classed "achieved" has status 100 %, and a status of 100 %
    is "achieved" in every target method that gives a class, except for a value within float noise
    of the target or band edge. Binary KPIs take values and targets 0 or 1."""
    band = (min(e1, e2), max(e1, e2)) if direction == "target_band" else (np.nan, np.nan)
    if direction == "binary":
        vals = [data.draw(st.sampled_from([0.0, 1.0])) for _ in vals]
        target = data.draw(st.sampled_from([0.0, 1.0]))
    elif direction == "target_band":
        target = np.nan
    status, progress = status_and_progress(direction, vals, target, band)
    assume(status["reason"] == "")
    full = round(status["achieved_pct"], 9) == 100.0
    methods = METHODS if direction == "binary" else TARGET_METHODS
    classed = progress.loc[list(methods)]
    classed = classed.loc[classed["reason"] == "", "progress_class"]
    edges = [e for e in (target, *band) if np.isfinite(e)]
    at_edge = any(abs(vals[-1] - e) <= 1e-9 * max(abs(e), 1.0) for e in edges)
    for method, cls in classed.items():
        if cls == "achieved":
            assert full, (method, status["achieved_pct"])
        elif not at_edge:
            assert not full, (method, cls, status["achieved_pct"])
