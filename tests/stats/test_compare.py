"""Comparisons: level figures, slope tests (statsmodels formulas, multipletests) and the network model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests

from analysis.stats import compare
from analysis.stats.common import build_grid, prepare_observations, prepare_units
from analysis.stats.compare import (
    compute_comparisons,
    compute_network_trends,
    compute_slope_tests,
    compute_spread,
    fit_mixed_trend,
    percentile_rank,
    robust_z,
)

# --------------------------------------------------------------------------------------------
# robust z and percentile rank
# --------------------------------------------------------------------------------------------


def test_robust_z_and_percentile_against_scipy():
    vals = np.array([3.0, 7.0, 7.0, 2.0, 10.0, 5.0, 4.0])
    mad = stats.median_abs_deviation(vals)  # median |x − 5| = 2
    assert mad == 2.0
    assert robust_z(10.0, vals) == pytest.approx((10 - 5) / (1.4826 * 2))
    assert robust_z(10.0, vals, "lower_is_better") == pytest.approx(-(10 - 5) / (1.4826 * 2))
    for x in vals:
        assert percentile_rank(x, vals) == pytest.approx(stats.percentileofscore(vals, x, kind="mean"))
        assert percentile_rank(x, vals, "lower_is_better") == pytest.approx(
            stats.percentileofscore(-vals, -x, kind="mean")
        )
    # 7 appears twice: 4 values below, 2 tied -> (4 + 0.5·2)/7 = 71.4 %
    assert percentile_rank(7.0, vals) == pytest.approx(100 * 5 / 7)


# --------------------------------------------------------------------------------------------
# level comparisons
# --------------------------------------------------------------------------------------------

UNITS = pd.DataFrame(
    {
        "unit_code": ["1804", "1833", "1103", "0301", "4601", "0", "18"],
        "name": ["Bodø", "Rana", "Stavanger", "Oslo", "Bergen", "Norge", "Nordland"],
        "type": ["kommune"] * 5 + ["land", "fylke"],
        "county_code": ["18", "18", "11", "03", "46", "", ""],
        "peer_group": ["K13", "K13", "K16", "K16", "K16", "", ""],
        "is_member": [True, True, True, False, False, False, True],
    }
)


def level_obs():
    values = {"1804": 10.0, "1833": 20.0, "1103": 30.0, "0301": 40.0, "4601": 50.0, "0": 33.0, "18": 12.0}
    rows = [(u, 2023, k, v, "") for k in ("H", "L") for u, v in values.items()]
    rows += [(u, 2022, k, v - 1, "") for k in ("H", "L") for u, v in values.items()]
    rows.append(("0301", 2024, "H", 99.0, ""))  # one early 2024 value must not move the year
    rows.append(("1804", 2023, "S", np.nan, ":"))
    rows += [(u, 2023, "S", 1.0, "") for u in ("1833", "1103")]
    return pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status"])


def level_table():
    cat = pd.DataFrame(
        {
            "kpi_id": ["H", "L", "S"],
            "direction": ["higher_is_better", "lower_is_better", "higher_is_better"],
            "unit": "x",
        }
    )
    obs = prepare_observations(level_obs(), 2024)
    u = prepare_units(UNITS)
    grid = build_grid(obs, cat, u)
    return compute_comparisons(obs, grid, u).set_index(["unit_code", "kpi_id"])


def test_level_comparison_figures():
    c = level_table()
    b = c.loc[("1804", "H")]
    assert b["year"] == 2023  # not 2024 (only Oslo has 2024)
    assert b["value"] == 10.0
    assert b["network_median"] == 20.0 and b["network_mean"] == 20.0  # members 10, 20, 30
    assert b["national_value"] == 33.0  # unit "0", not the mean (30)
    assert b["county_value"] == 12.0  # unit "18"
    assert b["peer_median"] == 15.0  # K13: 10, 20
    assert b["n_compared"] == 5 and b["n_network"] == 3
    all_k = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    assert b["percentile_rank"] == pytest.approx(stats.percentileofscore(all_k, 10.0, kind="mean"))
    mad = stats.median_abs_deviation(all_k)
    assert b["robust_z"] == pytest.approx((10 - 30) / (1.4826 * mad))
    # lower is better: the same value is the best one, z positive
    lb = c.loc[("1804", "L")]
    assert lb["percentile_rank"] == pytest.approx(90.0) and lb["robust_z"] == pytest.approx((30 - 10) / (1.4826 * mad))
    assert c.loc[("1103", "H"), "note"] == "no_county"  # no unit "11" in the data
    assert c.loc[("0301", "H"), "year"] == 2023 and c.loc[("0301", "H"), "value"] == 40.0


def test_level_comparison_suppressed_and_zero_mad():
    c = level_table()
    s = c.loc[("1804", "S")]
    assert s["reason"] == "suppressed" and np.isnan(s["value"]) and np.isnan(s["percentile_rank"])
    r = c.loc[("1833", "S")]
    assert r["reason"] == "" and np.isnan(r["robust_z"]) and "mad_zero" in r["note"]  # 1, 1: MAD 0
    assert c.loc[("0301", "S"), "reason"] == "no_data"


# --------------------------------------------------------------------------------------------
# slope tests against statsmodels formulas
# --------------------------------------------------------------------------------------------


def panel(seed: int = 0):
    rng = np.random.default_rng(seed)
    codes = ["A", "B", "C", "D", "E"]
    rows = []
    for i, u in enumerate(codes):
        level, slope = 100 + 30 * i, 1.0 + 0.4 * i
        for y in range(2013, 2024):
            if rng.random() < 0.15:
                continue  # gaps
            for k, sign in (("H", 1), ("L", -1)):
                rows.append((u, y, k, level + sign * slope * (y - 2013) + rng.normal(0, 1.5), ""))
    obs = pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status"])
    units = pd.DataFrame({"unit_code": codes, "type": "kommune", "is_member": [True, True, True, True, False]})
    cat = pd.DataFrame({"kpi_id": ["H", "L"], "direction": ["higher_is_better", "lower_is_better"], "unit": "x"})
    return obs, units, cat


@pytest.mark.parametrize(
    "model, formula",
    [
        ("unit_fe", "value ~ C(unit_code) + year + year:in_unit"),
        ("pooled", "value ~ year * in_unit"),
    ],
)
def test_slope_tests_equal_statsmodels_formula(model, formula):
    obs, units, cat = panel()
    u = prepare_units(units)
    grid = build_grid(prepare_observations(obs, 2024), cat, u)
    out = compute_slope_tests(grid, u, model=model).set_index(["unit_code", "kpi_id"])
    members = set(units.loc[units.is_member, "unit_code"])
    for (code, kpi), row in out.iterrows():
        group = members - {code}
        d = obs.loc[(obs.kpi_id == kpi) & obs.unit_code.isin(group | {code})].copy()
        d["in_unit"] = (d["unit_code"] == code).astype(float)
        fit = smf.ols(formula, data=d).fit()
        name = "year:in_unit"
        lo, hi = fit.conf_int().loc[name]
        assert row["diff"] == pytest.approx(fit.params[name], rel=1e-7, abs=1e-9)
        assert row["p_value"] == pytest.approx(fit.pvalues[name], rel=1e-6, abs=1e-14)
        assert row["ci_low"] == pytest.approx(lo, rel=1e-7) and row["ci_high"] == pytest.approx(hi, rel=1e-7)
        assert row["df"] == fit.df_resid
        assert row["n_group_units"] == len(group)
        assert row["slope_unit"] - row["slope_group"] == pytest.approx(row["diff"])
    # E is not a member: its group is all four members
    assert out.loc[("E", "H"), "n_group_units"] == 4


def test_q_values_are_benjamini_hochberg_per_unit_and_better_follows_direction():
    obs, units, cat = panel(1)
    u = prepare_units(units)
    out = compute_slope_tests(build_grid(prepare_observations(obs, 2024), cat, u), u)
    for code, sub in out.groupby("unit_code"):
        ok = sub["p_value"].notna()
        np.testing.assert_allclose(sub.loc[ok, "q_value"], multipletests(sub.loc[ok, "p_value"], method="fdr_bh")[1])
    h = out.set_index(["unit_code", "kpi_id"])
    # D has the steepest growth in H (better) and the steepest fall in L (better too: lower is better)
    assert bool(h.loc[("D", "H"), "better"]) and bool(h.loc[("D", "L"), "better"])
    assert not bool(h.loc[("A", "H"), "better"])


def test_slope_tests_reasons():
    obs, units, cat = panel()
    obs = obs.loc[~((obs.unit_code == "A") & (obs.year > 2015))]  # A: 3 points at most
    u = prepare_units(units)
    out = compute_slope_tests(build_grid(prepare_observations(obs, 2024), cat, u), u).set_index(["unit_code", "kpi_id"])
    assert out.loc[("A", "H"), "reason"] == "too_few_points" and np.isnan(out.loc[("A", "H"), "p_value"])
    lonely = prepare_units(pd.DataFrame({"unit_code": ["A"], "type": "kommune", "is_member": [True]}))
    out2 = compute_slope_tests(build_grid(prepare_observations(panel()[0], 2024), cat, lonely), lonely)
    assert set(out2["reason"]) == {"no_group"}


# --------------------------------------------------------------------------------------------
# the network: mixed model
# --------------------------------------------------------------------------------------------


def network_data(seed=2, n_units=10, slope=0.8):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_units):
        a = rng.normal(50, 10)
        for y in range(2014, 2025):
            if rng.random() < 0.1:
                continue
            rows.append((f"{3000 + i}", y, a + slope * (y - 2014) + rng.normal(0, 2)))
    return pd.DataFrame(rows, columns=["unit_code", "year", "value"])


@pytest.mark.parametrize("seed, n_units, slope", [(2, 10, 0.8), (5, 40, 0.1), (11, 4, -0.5), (17, 25, 0.0)])
def test_mixed_trend_equals_statsmodels_mixedlm(seed, n_units, slope):
    d = network_data(seed, n_units, slope)
    ref = sm.MixedLM.from_formula("value ~ year", d, groups=d["unit_code"]).fit(reml=True)
    assert ref.converged
    got = fit_mixed_trend(d["year"].to_numpy(), d["value"].to_numpy(), d["unit_code"].to_numpy())
    assert got["reason"] == ""
    assert got["slope"] == pytest.approx(ref.fe_params["year"], rel=1e-4)
    lo, hi = ref.conf_int().loc["year"]
    assert got["ci_low"] == pytest.approx(lo, rel=1e-3) and got["ci_high"] == pytest.approx(hi, rel=1e-3)
    assert got["p"] == pytest.approx(ref.pvalues["year"], rel=1e-2, abs=1e-12)


def test_mixed_trend_failures_are_reasons_not_crashes():
    # every value in one year: no slope can be estimated (XᵀH⁻¹X is singular)
    groups = np.repeat(list("abcd"), 3)
    r = fit_mixed_trend(np.full(12, 2020), np.arange(12.0), groups)
    assert r["reason"] == "fit_failed" and r["note"] == "LinAlgError" and np.isnan(r["slope"])
    # every unit's values exactly on one line: no residual variance, no standard error
    years = np.tile(np.arange(2015, 2018), 4)
    r = fit_mixed_trend(years, 2.0 * years, groups)
    assert r["reason"] in ("fit_failed", "singular_fit") and np.isnan(r["p"])


def test_mixed_trend_zero_variance_and_boundary():
    years = np.tile(np.arange(2015, 2021), 4)
    groups = np.repeat(list("abcd"), 6)
    assert fit_mixed_trend(years, np.full(24, 5.0), groups)["reason"] == "zero_variance"
    # no differences in level between units: the random-intercept variance is on the boundary (0)
    rng = np.random.default_rng(3)
    y = 2.0 * (years - 2015) + rng.normal(0, 1, 24)
    r = fit_mixed_trend(years, y, groups)
    assert r["reason"] in ("", "singular_fit")
    if r["reason"] == "":
        assert r["slope"] == pytest.approx(2.0, abs=0.5)


def reml_criterion_dense(gamma: float, x: np.ndarray, y: np.ndarray, groups: np.ndarray):
    """−2 × the REML log-likelihood of ``y ~ 1 + x`` with a random intercept per group, written out
    with dense matrices: V = σ²(I + γ·[same group]); σ² profiled out, constants dropped. Returns the
    criterion and the GLS coefficients at γ (an independent reference for ``fit_mixed_trend``)."""
    X = np.column_stack([np.ones_like(x), x])
    H = np.eye(len(y)) + gamma * (groups[:, None] == groups[None, :])
    Hi = np.linalg.inv(H)
    A = X.T @ Hi @ X
    beta = np.linalg.solve(A, X.T @ Hi @ y)
    r = y - X @ beta
    return np.linalg.slogdet(H)[1] + np.linalg.slogdet(A)[1] + (len(y) - 2) * np.log(r @ Hi @ r), beta


GAMMA_GRID = np.concatenate([[0.0], np.logspace(-8, 4, 1201)])


def boundary_panel(within: float, noise: float):
    """Four units of four years, windows 2010–13, 2013–16, 2016–19, 2019–22. Every unit's mean lies
    exactly on the line 0.3 · (year − 2016) (identical intercepts: no level differences between
    units), each unit's own slope is 0.3 + ``within``, and a zig-zag (+1, −1, −1, +1) · ``noise``
    adds residual variance without touching means or slopes. The between-unit variance of the
    REML fit is then 0, and the REML slope is the OLS slope with one common intercept."""
    years, values, groups = [], [], []
    for i, start in enumerate((2010, 2013, 2016, 2019)):
        t = np.arange(start, start + 4, dtype=float)
        years += list(t)
        values += list(0.3 * (t - 2016) + within * (t - t.mean()) + noise * np.array([1.0, -1.0, -1.0, 1.0]))
        groups += [f"u{i}"] * 4
    return np.array(years), np.array(values), np.array(groups)


def identical_intercepts_panel(seed: int):
    """Units with one and the same intercept and slope 0.1 plus N(0, 1) noise, each observed in a
    random subset of the years 2012–2024. Seed 234 is one where statsmodels' gradient fit stops at a
    random-intercept variance of about 1e-12 with a slope that is not the GLS slope there."""
    rng = np.random.default_rng(seed)
    years, values, groups = [], [], []
    for i in range(rng.integers(4, 12)):
        t = np.sort(rng.choice(np.arange(2012, 2025), rng.integers(2, 13), replace=False)).astype(float)
        years += list(t)
        values += list(0.1 * (t - 2015) + rng.normal(0, 1, len(t)))
        groups += [f"u{i}"] * len(t)
    return np.array(years), np.array(values), np.array(groups)


@pytest.mark.parametrize(
    "panel, within",
    [
        pytest.param(boundary_panel(1.0, 1.0), 1.3, id="zigzag-1-1"),
        pytest.param(boundary_panel(3.0, 3.0), 3.3, id="zigzag-3-3"),
        pytest.param(boundary_panel(2.0, 3.0), 2.3, id="zigzag-2-3"),
        pytest.param(identical_intercepts_panel(234), None, id="identical-intercepts-234"),
    ],
)
def test_mixed_trend_on_the_boundary_is_the_reml_optimum_with_variance_zero(panel, within):
    x, y, groups = panel
    # the REML optimum over the variance ratio is at 0 (brute force over the grid) ...
    crit = np.array([reml_criterion_dense(g, x, y, groups)[0] for g in GAMMA_GRID])
    assert crit[0] <= crit.min()
    # ... where the model is plain OLS with one common intercept (closed form, numpy lstsq)
    X = np.column_stack([np.ones_like(x), x - x.mean()])
    (_, slope), ssr, *_ = np.linalg.lstsq(X, y, rcond=None)
    se = np.sqrt(ssr[0] / (len(y) - 2) / ((x - x.mean()) ** 2).sum())  # REML scale SSR / (n − 2)
    z = stats.norm.ppf(0.975)
    got = fit_mixed_trend(x, y, groups)
    assert got["slope"] == pytest.approx(slope, rel=1e-9)
    assert got["reason"] == "" and got["note"] == "boundary_fit"
    assert got["ci_low"] == pytest.approx(slope - z * se, rel=1e-9)
    assert got["ci_high"] == pytest.approx(slope + z * se, rel=1e-9)
    assert got["p"] == pytest.approx(2 * stats.norm.sf(abs(slope / se)), rel=1e-6)
    if within is not None:  # the within-unit (fixed-effects) slope is a different number
        assert abs(got["slope"] - within) > 0.1


def test_mixed_trend_off_the_boundary_is_the_reml_optimum():
    d = network_data()
    x, y, groups = d["year"].to_numpy(float), d["value"].to_numpy(), d["unit_code"].to_numpy()
    crit = np.array([reml_criterion_dense(g, x, y, groups)[0] for g in GAMMA_GRID])
    best = int(np.argmin(crit))
    assert 0 < best < len(GAMMA_GRID) - 1  # an interior optimum: a real between-unit variance
    lo, hi = np.log(GAMMA_GRID[best - 1]), np.log(GAMMA_GRID[best + 1])
    opt = optimize.minimize_scalar(
        lambda s: reml_criterion_dense(np.exp(s), x, y, groups)[0],
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-10},
    )
    slope = reml_criterion_dense(np.exp(opt.x), x, y, groups)[1][1]
    got = fit_mixed_trend(x, y, groups)
    assert got["reason"] == "" and got["note"] == ""
    assert got["slope"] == pytest.approx(slope, rel=1e-6)


# --------------------------------------------------------------------------------------------
# spread and convergence
# --------------------------------------------------------------------------------------------


def spread_setup(kind: str):
    rows = []
    for i in range(6):
        start = 20 + 10 * i if kind != "diverging" else 30 + 8 * i  # diverging stays positive
        for t, y in enumerate(range(2015, 2025)):
            if kind == "converging":
                v = 50 + (start - 50) * (1 - t / 10)
            elif kind == "diverging":
                v = 50 + (start - 50) * (1 + t / 10)
            else:
                v = start + t
            rows.append((f"u{i}", y, "K", v, ""))
    obs = prepare_observations(pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status"]), 2024)
    units = prepare_units(
        pd.DataFrame(
            {"unit_code": [f"u{i}" for i in range(6)] + ["x"], "type": "kommune", "is_member": [True] * 6 + [False]}
        )
    )
    cat = pd.DataFrame({"kpi_id": ["K"], "direction": ["higher_is_better"], "unit": "x"})
    return build_grid(obs, cat, units), units


def test_spread_values_match_numpy():
    grid, units = spread_setup("stable")
    sp = compute_spread(grid, units)
    row = sp.loc[sp["year"] == 2015].iloc[0]
    v = np.array([20, 30, 40, 50, 60, 70], dtype=float)
    assert row["n_units"] == 6
    assert (row["median"], row["q1"], row["q3"]) == (np.median(v), np.percentile(v, 25), np.percentile(v, 75))
    assert row["std"] == pytest.approx(v.std(ddof=1)) and row["cv"] == pytest.approx(v.std(ddof=1) / v.mean())


@pytest.mark.parametrize("kind, expected", [("converging", "converging"), ("diverging", "diverging")])
def test_convergence_classification(kind, expected):
    grid, units = spread_setup(kind)
    nt = compute_network_trends(grid, units).iloc[0]
    assert nt["convergence"] == expected
    assert nt["spread_measure"] == "cv" and nt["n_units"] == 6


def test_convergence_stable_when_spread_does_not_trend():
    # same offsets every year around a common trend: SD constant -> no trend in SD
    rows = [(f"u{i}", y, "K", 10 * i - 20 + (y - 2015), "") for i in range(5) for y in range(2015, 2025)]
    obs = prepare_observations(pd.DataFrame(rows, columns=["unit_code", "year", "kpi_id", "value", "status"]), 2024)
    units = prepare_units(
        pd.DataFrame({"unit_code": [f"u{i}" for i in range(5)], "type": "kommune", "is_member": True})
    )
    cat = pd.DataFrame({"kpi_id": ["K"], "direction": ["higher_is_better"], "unit": "x"})
    nt = compute_network_trends(build_grid(obs, cat, units), units).iloc[0]
    assert nt["spread_measure"] == "std"  # negative values present
    assert nt["convergence"] == "stable"
    assert nt["mixed_slope"] == pytest.approx(1.0, abs=1e-6)


def test_network_trends_too_few_units():
    grid, units = spread_setup("stable")
    units = units.assign(is_member=units["unit_code"].isin(["u0", "u1"]))
    nt = compute_network_trends(grid, units).iloc[0]
    assert nt["reason"] == "too_few_units" and np.isnan(nt["mixed_slope"])
    assert nt["convergence"] == "not_assessed"
    assert compare.MIN_UNITS_MIXED == 3
