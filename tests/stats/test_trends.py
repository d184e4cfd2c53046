"""Trends: OLS, Theil–Sen and Mann–Kendall against statsmodels, scipy, pymannkendall and hand work."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis.stats.common import build_grid, prepare_observations
from analysis.stats.trends import (
    compute_trends,
    mann_kendall,
    mann_kendall_batch,
    ols_batch,
    ols_trend,
    theil_sen,
    theil_sen_batch,
    verdict_from_mk,
)

YEARS = np.arange(2010, 2022, dtype=float)


def random_matrix(seed: int, rows: int = 60, gaps: float = 0.2, ties: bool = True) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Y = rng.normal(0, 1, (rows, len(YEARS))).cumsum(axis=1) * 10 + 50
    if ties:
        Y[: rows // 2] = np.round(Y[: rows // 2] / 5) * 5  # many tied values
    Y[rng.random(Y.shape) < gaps] = np.nan
    return Y


# --------------------------------------------------------------------------------------------
# OLS
# --------------------------------------------------------------------------------------------


def test_ols_batch_equals_statsmodels_with_gaps():
    Y = random_matrix(1)
    r = ols_batch(YEARS, Y)
    checked = 0
    for i in range(len(Y)):
        keep = np.isfinite(Y[i])
        x, y = YEARS[keep], Y[i][keep]
        if len(y) < 3 or np.ptp(y) == 0:
            continue
        fit = sm.OLS(y, sm.add_constant(x)).fit()
        lo, hi = fit.conf_int(alpha=0.05)[1]
        assert r.slope[i] == pytest.approx(fit.params[1], rel=1e-9, abs=1e-12)
        assert r.se[i] == pytest.approx(fit.bse[1], rel=1e-9)
        assert r.p[i] == pytest.approx(fit.pvalues[1], rel=1e-8, abs=1e-15)
        assert (r.ci_low[i], r.ci_high[i]) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9))
        checked += 1
    assert checked > 40


def test_ols_hand_worked_example():
    # y = 1, 3, 2, 4 at x = 0..3: x̄ = 1.5, ȳ = 2.5, Sxx = 5, Sxy = (−1.5)(−1.5)+(−.5)(.5)+(.5)(−.5)+(1.5)(1.5) = 4
    # slope = 4/5 = 0.8; residuals 0.7−… SSR = Syy − Sxy²/Sxx = 5 − 16/5 = 1.8; se = sqrt(1.8/2/5) = 0.42426
    r = ols_trend([0, 1, 2, 3], [1, 3, 2, 4])
    assert r["slope"] == pytest.approx(0.8)
    assert r["se"] == pytest.approx(math.sqrt(1.8 / 2 / 5))
    t = 0.8 / math.sqrt(0.18)
    assert r["p"] == pytest.approx(2 * stats.t.sf(t, 2))


# --------------------------------------------------------------------------------------------
# Theil–Sen
# --------------------------------------------------------------------------------------------


def test_theil_sen_batch_equals_scipy_with_gaps_and_ties():
    Y = random_matrix(2)
    r = theil_sen_batch(YEARS, Y)
    for i in range(len(Y)):
        keep = np.isfinite(Y[i])
        if keep.sum() < 2:
            assert np.isnan(r.slope[i])
            continue
        ref = stats.theilslopes(Y[i][keep], YEARS[keep])
        assert r.slope[i] == pytest.approx(ref.slope, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose([r.low[i], r.high[i]], [ref.low_slope, ref.high_slope], rtol=1e-12, atol=1e-12)


def test_theil_sen_hand_worked_example():
    # pairwise slopes of y = 1, 3, 2, 10 at x = 0..3: 2, 0.5, 3, −1, 3.5, 8 -> sorted −1, .5, 2, 3, 3.5, 8
    # median = (2 + 3) / 2 = 2.5 (the outlier 10 barely moves it; OLS gives 2.6)
    assert theil_sen([0, 1, 2, 3], [1, 3, 2, 10])["slope"] == pytest.approx(2.5)


# --------------------------------------------------------------------------------------------
# Mann–Kendall
# --------------------------------------------------------------------------------------------


def test_mann_kendall_hand_worked_monotone_five():
    # y = 1..5: all 10 pairs increase -> S = 10; Var S = 5·4·15/18 = 16.667
    # z = (10 − 1)/sqrt(16.667) = 2.2045; p = 2(1 − Φ(2.2045)) = 0.0275; tau = 10/10 = 1
    r = mann_kendall([1, 2, 3, 4, 5])
    assert r["s"] == 10
    assert r["var_s"] == pytest.approx(5 * 4 * 15 / 18)
    assert r["z"] == pytest.approx(9 / math.sqrt(5 * 4 * 15 / 18))
    assert r["p"] == pytest.approx(0.027486, abs=1e-6)
    assert r["tau"] == 1.0


def test_mann_kendall_hand_worked_ties():
    # y = 1, 2, 2, 3: pairs (1,2)+ (1,2)+ (1,3)+ (2,2)0 (2,3)+ (2,3)+ -> S = 5
    # one tie group of size 2: Var S = (4·3·13 − 2·1·9)/18 = (156 − 18)/18 = 7.667
    # z = (5 − 1)/sqrt(7.667) = 1.4446; p = 0.1486
    r = mann_kendall([1, 2, 2, 3])
    assert r["s"] == 5
    assert r["var_s"] == pytest.approx(138 / 18)
    assert r["z"] == pytest.approx(4 / math.sqrt(138 / 18))
    assert r["p"] == pytest.approx(2 * stats.norm.sf(4 / math.sqrt(138 / 18)))


def test_mann_kendall_four_points_can_never_reach_five_percent():
    # S = 6 is the maximum for n = 4: Var S = 4·3·13/18 = 8.667, z = 5/2.944 = 1.698, p = 0.0895
    r = mann_kendall([1, 2, 3, 4])
    assert r["p"] == pytest.approx(2 * stats.norm.sf(5 / math.sqrt(156 / 18)))
    assert r["p"] > 0.05
    assert verdict_from_mk("higher_is_better", r["p"], r["s"], 4) == "no_clear_trend"


def test_mann_kendall_constant_series():
    r = mann_kendall([3, 3, 3, 3, 3])
    assert r["s"] == 0 and r["z"] == 0 and r["p"] == 1.0


def test_mann_kendall_batch_equals_pymannkendall():
    pmk = pytest.importorskip("pymannkendall")
    Y = random_matrix(3)
    r = mann_kendall_batch(Y)
    for i in range(len(Y)):
        y = Y[i][np.isfinite(Y[i])]
        if len(y) < 3:
            continue
        ref = pmk.original_test(y)
        assert r.s[i] == ref.s
        assert r.var_s[i] == pytest.approx(ref.var_s)
        assert r.z[i] == pytest.approx(ref.z)
        assert r.p[i] == pytest.approx(ref.p, abs=1e-12)
        assert r.tau[i] == pytest.approx(ref.Tau)


def test_mann_kendall_equals_scipy_kendalltau_statistic():
    # with no ties, tau-a of (year, y) is Kendall's tau-b: a second, independent known answer
    rng = np.random.default_rng(4)
    for _ in range(20):
        y = rng.normal(size=9)
        assert mann_kendall(y)["tau"] == pytest.approx(stats.kendalltau(np.arange(9), y).statistic)


# --------------------------------------------------------------------------------------------
# the table for all series
# --------------------------------------------------------------------------------------------


def catalog(*pairs):
    return pd.DataFrame({"kpi_id": [k for k, _ in pairs], "direction": [d for _, d in pairs], "unit": "count"})


def obs_table(series: dict) -> pd.DataFrame:
    rows = []
    for (unit, kpi), values in series.items():
        for year, v in values.items():
            status = v if isinstance(v, str) else ""
            rows.append((unit, year, kpi, np.nan if isinstance(v, str) else v, status))
    return pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status"])


def trends_of(series, cat, bands=None, report_year=2024):
    obs = prepare_observations(obs_table(series), report_year)
    grid = build_grid(obs, cat, complete=False)
    return compute_trends(grid, bands).set_index(["unit_code", "kpi_id"])


def test_verdicts_follow_the_direction():
    up = {y: 10 + y - 2015 for y in range(2015, 2025)}
    cat = catalog(("H", "higher_is_better"), ("L", "lower_is_better"), ("U", "unknown"), ("B", "binary"))
    t = trends_of(
        {("1", "H"): up, ("1", "L"): up, ("1", "U"): up, ("1", "B"): {y: float(y >= 2018) for y in range(2015, 2025)}},
        cat,
    )
    assert t.loc[("1", "H"), "verdict"] == "improving"
    assert t.loc[("1", "L"), "verdict"] == "worsening"
    assert t.loc[("1", "U"), "verdict"] == "no_direction"
    assert t.loc[("1", "U"), "ols_slope"] == pytest.approx(1.0)  # statistics still there
    assert t.loc[("1", "B"), "verdict"] == "improving"
    assert (t["reason"] == "").all()
    assert t.loc[("1", "H"), "rel_change_per_year"] == pytest.approx(100 * 1 / 14.5)


def test_target_band_verdict_uses_distance_to_band():
    cat = catalog(("G", "target_band"))
    towards = {y: 0.80 + 0.02 * (y - 2015) for y in range(2015, 2022)}  # 0.80 … 0.92, band [0.95, 1.05]
    above_towards = {y: 1.30 - 0.02 * (y - 2015) for y in range(2015, 2022)}
    away = {y: 0.90 - 0.02 * (y - 2015) for y in range(2015, 2022)}
    series = {("1", "G"): towards, ("2", "G"): above_towards, ("3", "G"): away, ("4", "G"): towards}
    obs = prepare_observations(obs_table(series), 2024)
    grid = build_grid(obs, cat, complete=False)
    bands = pd.DataFrame({"band_low": [0.95, 0.95, 0.95, np.nan], "band_high": [1.05, 1.05, 1.05, np.nan]})
    t = compute_trends(grid, bands).set_index("unit_code")
    assert t.loc["1", "verdict"] == "improving"
    assert t.loc["2", "verdict"] == "improving"
    assert t.loc["3", "verdict"] == "worsening"
    assert t.loc["4", "verdict"] == "no_direction" and "no_band" in t.loc["4", "note"]
    assert t.loc["1", "method"].endswith("(distance_to_band)")
    # the Mann–Kendall columns are the test behind the verdict: inside the band the distance is 0 every
    # year, so a series rising from 0.96 to 1.04 has S = 0 on the distance (p = 1), not S = 36 on the values
    inside = {y: 0.96 + 0.01 * (y - 2015) for y in range(2015, 2024)}
    grid = build_grid(prepare_observations(obs_table({("5", "G"): inside}), 2024), cat, complete=False)
    row = compute_trends(grid, pd.DataFrame({"band_low": [0.95], "band_high": [1.05]})).iloc[0]
    assert row["verdict"] == "no_clear_trend" and row["mk_s"] == 0 and row["mk_p"] == 1.0
    assert row["ols_slope"] == pytest.approx(0.01)  # OLS still describes the values themselves


def test_short_series_get_descriptive_change_only():
    cat = catalog(("H", "higher_is_better"))
    t = trends_of({("1", "H"): {2016: 10.0, 2018: 14.0, 2020: 13.0}, ("2", "H"): {2020: 5.0}}, cat)
    one = t.loc[("1", "H")]
    assert one["verdict"] == "not_assessed" and one["reason"] == "too_few_points"
    assert one["method"] == "descriptive"
    # (13 − 10) / (2020 − 2016) = 0.75 per year
    assert one["change_per_year"] == pytest.approx(0.75)
    for col in ("ols_slope", "ols_p", "theil_sen_slope", "mk_p", "mk_tau"):
        assert np.isnan(one[col])
    two = t.loc[("2", "H")]
    assert two["n_points"] == 1 and np.isnan(two["change_per_year"]) and two["reason"] == "too_few_points"


def test_empty_series_say_why():
    cat = catalog(("H", "higher_is_better"))
    t = trends_of({("1", "H"): {2020: ":", 2021: ":"}, ("2", "H"): {2020: ".."}, ("3", "H"): {2020: "."}}, cat)
    assert t.loc[("1", "H"), "reason"] == "suppressed"
    assert t.loc[("2", "H"), "reason"] == "missing"
    assert t.loc[("3", "H"), "reason"] == "not_applicable"
    assert (t["n_points"] == 0).all()
    assert t["verdict"].eq("not_assessed").all()


def test_constant_series():
    cat = catalog(("H", "higher_is_better"))
    t = trends_of({("1", "H"): {y: 7.0 for y in range(2015, 2021)}}, cat).iloc[0]
    assert t["ols_slope"] == 0 and t["theil_sen_slope"] == 0 and t["mk_p"] == 1.0
    assert t["verdict"] == "no_clear_trend" and "constant_series" in t["note"]
    assert np.isnan(t["ols_p"])  # 0/0: no p-value, never a made-up one


def test_years_after_report_year_are_ignored():
    cat = catalog(("H", "higher_is_better"))
    t = trends_of({("1", "H"): {y: float(y) for y in range(2015, 2027)}}, cat, report_year=2020).iloc[0]
    assert t["last_year"] == 2020 and t["n_points"] == 6


# --------------------------------------------------------------------------------------------
# real data: population of network members, SSB table 07459
# --------------------------------------------------------------------------------------------

MEMBERS = {"1804": "Bodø", "1833": "Rana", "1103": "Stavanger"}


@pytest.fixture(scope="module")
def members_population(population_exports) -> pd.DataFrame:
    """Population per unit and year (sum over one-year ages) for a few members, 2005–2018, from the real
    exports (the session fixture: read once per run, not again here)."""
    pop = population_exports
    pop = pop.loc[pop["unit_code"].astype(str).isin(MEMBERS) & pop["year"].between(2005, 2018)]
    pop = pop.groupby(["unit_code", "year"], as_index=False)["value"].sum()
    pop["year"] = pop["year"].astype(int)
    return pop.sort_values(["unit_code", "year"]).reset_index(drop=True)


def test_population_trends_of_members_match_statsmodels(members_population):
    pop = members_population
    assert set(pop["year"]) == set(range(2005, 2019))
    assert pop.loc[(pop.unit_code == "1804") & (pop.year == 2018), "value"].item() == 51558
    obs = pop.assign(kpi_id="POP", status="")
    cat = catalog(("POP", "higher_is_better"))
    grid = build_grid(prepare_observations(obs, 2018), cat, complete=False)
    t = compute_trends(grid).set_index("unit_code")
    for code in MEMBERS:
        s = pop.loc[pop.unit_code == code]
        fit = sm.OLS(s["value"].to_numpy(float), sm.add_constant(s["year"].to_numpy(float))).fit()
        assert t.loc[code, "ols_slope"] == pytest.approx(fit.params[1], rel=1e-10)
        assert t.loc[code, "ols_p"] == pytest.approx(fit.pvalues[1], rel=1e-6, abs=1e-300)
        ts = stats.theilslopes(s["value"].to_numpy(float), s["year"].to_numpy(float))
        assert t.loc[code, "theil_sen_slope"] == pytest.approx(ts.slope)
    # Bodø grew every year 2005–2018: S = 91 (all pairs), a growing population is "improving"
    assert t.loc["1804", "mk_tau"] == 1.0
    assert t.loc["1804", "verdict"] == "improving"
    assert t.loc["1804", "n_points"] == 14
