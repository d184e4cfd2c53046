"""compute_all: the contract of the result tables, consistency between them, atomic storage."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.reference.catalog import load_catalog
from analysis.stats.progress import badge_rows
from analysis.stats.results import RESULT_KEYS, compute_all, read_all, write_all
from bench.bench_results import make_observations, make_targets, make_units

CONTRACT = {
    "trends": [
        "unit_code",
        "kpi_id",
        "n_points",
        "first_year",
        "last_year",
        "first_value",
        "last_value",
        "change_per_year",
        "ols_slope",
        "ols_ci_low",
        "ols_ci_high",
        "ols_p",
        "rel_change_per_year",
        "theil_sen_slope",
        "theil_sen_low",
        "theil_sen_high",
        "mk_tau",
        "mk_p",
        "verdict",
        "method",
        "reason",
    ],
    "status": [
        "unit_code",
        "kpi_id",
        "year",
        "value",
        "target",
        "target_year",
        "target_scope",
        "achieved_pct",
        "band",
        "reason",
    ],
    "progress": [
        "unit_code",
        "kpi_id",
        "method",
        "base_year",
        "base_value",
        "current_year",
        "current_value",
        "target",
        "target_year",
        "cagr_observed",
        "cagr_required",
        "ratio",
        "progress_class",
        "reason",
    ],
    "comparisons": [
        "unit_code",
        "kpi_id",
        "year",
        "value",
        "network_median",
        "network_mean",
        "national_value",
        "county_value",
        "peer_median",
        "percentile_rank",
        "robust_z",
        "n_compared",
        "reason",
    ],
    "slope_tests": [
        "unit_code",
        "kpi_id",
        "slope_unit",
        "slope_group",
        "diff",
        "ci_low",
        "ci_high",
        "p_value",
        "q_value",
        "better",
        "n_group_units",
        "reason",
    ],
    "network_trends": [
        "kpi_id",
        "n_units",
        "mixed_slope",
        "mixed_ci_low",
        "mixed_ci_high",
        "mixed_p",
        "spread_measure",
        "spread_slope",
        "spread_p",
        "convergence",
        "method",
        "reason",
    ],
    "spread": ["kpi_id", "year", "n_units", "median", "q1", "q3", "mean", "std", "cv"],
}
CODES = {
    ("trends", "verdict"): {"improving", "no_clear_trend", "worsening", "not_assessed", "no_direction"},
    ("status", "band"): {"ge95", "66to95", "33to66", "lt33", ""},
    ("status", "target_scope"): {"network", "local", ""},
    ("progress", "method"): {
        "eurostat_target",
        "eurostat_no_target",
        "statcan_target",
        "statcan_no_target",
        "sdsn_linear",
    },
    ("network_trends", "convergence"): {"converging", "diverging", "stable", "not_assessed"},
}


@pytest.fixture(scope="module")
def small():
    catalog = load_catalog()
    units = make_units(40)
    obs = make_observations(units, catalog, range(2015, 2023), seed=21)
    targets = make_targets(catalog, units)
    return obs, catalog, units, targets


@pytest.fixture(scope="module")
def results(small):
    obs, catalog, units, targets = small
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no silent 0/0 or log(−1)
        return compute_all(obs, catalog, units, targets, report_year=2022)


def test_keys_and_contract_columns(results):
    assert tuple(results) == RESULT_KEYS
    for key, cols in CONTRACT.items():
        missing = [c for c in cols if c not in results[key].columns]
        assert not missing, f"{key} lacks {missing}"
        if "reason" in results[key].columns:
            assert "reason_text" in results[key].columns
            assert results[key]["reason"].map(type).eq(str).all()
    for (key, col), allowed in CODES.items():
        assert set(results[key][col]) <= allowed, (key, col)


def test_every_missing_result_has_a_reason(results):
    t = results["trends"]
    assert (t.loc[t["verdict"] == "not_assessed", "reason"] != "").all()
    s = results["status"]
    assert (s.loc[s["band"] == "", "reason"] != "").all()
    p = results["progress"]
    assert (p.loc[p["progress_class"] == "", "reason"] != "").all()
    c = results["comparisons"]
    assert (c.loc[c["value"].isna(), "reason"] != "").all()
    st = results["slope_tests"]
    assert (st.loc[st["p_value"].isna(), "reason"] != "").all()
    n = results["network_trends"]
    assert (n.loc[n["mixed_slope"].isna(), "reason"] != "").all()


def test_no_infinite_numbers(results):
    for key, df in results.items():
        num = df.select_dtypes(include="number")
        assert not np.isinf(num.to_numpy(dtype=float)).any(), key


def test_tables_agree_with_each_other(results):
    t = results["trends"].set_index(["unit_code", "kpi_id"])
    st = results["slope_tests"].set_index(["unit_code", "kpi_id"])
    ok = st["reason"] == ""
    np.testing.assert_allclose(st.loc[ok, "slope_unit"], t.loc[st.index[ok], "ols_slope"], rtol=1e-9)
    s = results["status"].set_index(["unit_code", "kpi_id"])
    assert (s["year"].dropna() <= 2022).all()
    np.testing.assert_allclose(s["value"], t.loc[s.index, "last_value"])
    badge = badge_rows(results["progress"])
    assert len(badge) == len(t) and not badge.duplicated(["unit_code", "kpi_id"]).any()


def test_sorted_and_deterministic(small, results):
    obs, catalog, units, targets = small
    again = compute_all(obs.sample(frac=1.0, random_state=1), catalog, units, targets, report_year=2022)
    for key in RESULT_KEYS:
        pd.testing.assert_frame_equal(results[key], again[key], check_exact=False, rtol=1e-9)
    t = results["trends"]
    assert t[["unit_code", "kpi_id"]].equals(t[["unit_code", "kpi_id"]].sort_values(["unit_code", "kpi_id"]))


def test_write_all_is_atomic_and_round_trips(results, tmp_path, monkeypatch):
    paths = write_all(results, tmp_path / "results")
    assert sorted(p.name for p in paths) == sorted(f"{k}.parquet" for k in RESULT_KEYS)
    back = read_all(tmp_path / "results")
    for key in RESULT_KEYS:
        pd.testing.assert_frame_equal(back[key], results[key], check_dtype=False)
    # a failing write leaves the previous file in place and no temporary file behind
    before = (tmp_path / "results" / "trends.parquet").read_bytes()

    def broken(self, path, *a, **k):
        open(path, "wb").write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError):
        write_all({"trends": results["trends"].head(3)}, tmp_path / "results")
    assert (tmp_path / "results" / "trends.parquet").read_bytes() == before
    assert not [p for p in (tmp_path / "results").iterdir() if p.name.startswith(".")]


def test_units_without_observations_and_national_figure(small):
    obs, catalog, units, targets = small
    extra = pd.concat(
        [
            units,
            pd.DataFrame(
                {
                    "unit_code": ["9999"],
                    "name": ["Ny"],
                    "type": ["kommune"],
                    "county_code": ["99"],
                    "peer_group": [""],
                    "is_member": [False],
                }
            ),
        ]
    )
    res = compute_all(obs, catalog, extra, targets, report_year=2022)
    t = res["trends"].loc[res["trends"]["unit_code"] == "9999"]
    assert len(t) == len(catalog) and set(t["reason"]) == {"no_data"}
    c = res["comparisons"].set_index(["unit_code", "kpi_id"])
    national = obs.loc[(obs.unit_code == "0")].set_index(["kpi_id", "year"])["value"]
    row = c.loc[("1804", catalog["kpi_id"].iloc[0])]
    assert row["national_value"] == pytest.approx(national.loc[(catalog["kpi_id"].iloc[0], row["year"])], nan_ok=True)


def test_every_code_has_norwegian_text(results):
    from analysis.pages.language import methods_markdown
    from analysis.pages.text_nb import LABELS, REASONS, SECTIONS
    from analysis.stats import common

    assert set(common.REASONS) <= set(REASONS)
    for key, col in [
        ("trends", "verdict"),
        ("status", "band"),
        ("progress", "progress_class"),
        ("progress", "method"),
        ("network_trends", "convergence"),
    ]:
        assert set(results[key][col]) - {""} <= set(LABELS), (key, col)
    text = methods_markdown()
    assert set(SECTIONS) >= {"trend", "status", "progress", "comparisons", "q_values", "mixed_model"}
    assert "formelen er vår egen" in text and "q-verdi" in text and "Eurostat" in text
    assert all(ch in text for ch in "æøå")
