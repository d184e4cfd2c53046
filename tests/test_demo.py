import numpy as np
import pandas as pd

from analysis.core import config
from analysis.process.demo import generate_observations, generate_targets
from analysis.process.pipeline import check_observations, load_targets
from analysis.reference.catalog import load_catalog
from analysis.reference.members import load_units


def test_demo_is_deterministic_and_covers_every_member_year_and_kpi():
    units, cat = load_units(), load_catalog()
    a = generate_observations(units, cat)
    b = generate_observations(units, cat)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["unit_code"]) == set(units["unit_code"])
    assert set(a["kpi_id"]) == set(cat["kpi_id"])
    towns = a[a["unit_code"] == "5001"]
    assert sorted(towns["year"].unique()) == list(range(2015, 2025))
    # Viken existed 2020-2023 only
    assert sorted(a.loc[a["unit_code"] == "30", "year"].unique()) == [2020, 2021, 2022, 2023]
    check_observations(a, cat, units, "demo")


def test_demo_values_are_in_range_and_symbols_never_carry_numbers():
    cat = load_catalog().set_index("kpi_id")
    obs = generate_observations(load_units(), load_catalog())
    symbols = obs["status"] != ""
    assert set(obs.loc[symbols, "status"]) == {"..", ":"}
    assert obs.loc[symbols, "value"].isna().all() and obs.loc[~symbols, "value"].notna().all()
    percent = obs["kpi_id"].map(cat["unit_nb"]).str.startswith("%")
    assert obs.loc[percent, "value"].dropna().between(0, 100).all()
    binary = obs["kpi_id"].map(cat["direction"]) == "binary"
    assert set(obs.loc[binary, "value"].dropna()) <= {0.0, 1.0}
    assert (obs["value"].dropna() >= 0).all()
    # a few cells are missing or suppressed, not many
    assert 0.002 < symbols.mean() < 0.02


def test_committed_demo_targets_are_what_the_generator_makes():
    cat, units = load_catalog(), load_units()
    committed = load_targets(config.PARAMS_DIR / "targets.csv", cat, units, 2030)
    fresh = generate_targets(cat)
    assert len(committed) == len(fresh)
    np.testing.assert_allclose(committed["target"], fresh["target"])
    assert committed.loc[committed["unit_code"] == "5001", "kpi_id"].tolist() == ["EN:EN:AQ:2C"]
    # no target for KPIs without a direction
    unknown = set(cat.loc[cat["direction"] == "unknown", "kpi_id"])
    assert not unknown & set(committed["kpi_id"])
