import numpy as np
import pandas as pd
import pytest
from network_helpers import bundled_units

from analysis.core import config
from analysis.process.demo import generate_observations, generate_targets
from analysis.process.pipeline import check_observations, load_targets
from analysis.reference.catalog import load_catalog


def test_demo_is_deterministic_and_covers_every_member_year_and_kpi():
    units, cat = bundled_units(), load_catalog()  # the bundled network: Trondheim, and Viken 2020-2023
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
    obs = generate_observations(bundled_units(), load_catalog())
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


def _demo_targets_csv(path, cat):
    """The generator's targets written in the format of params/targets.csv (empty cells for NaN)."""
    generate_targets(cat).to_csv(path, index=False)
    return path


def test_demo_targets_load_as_generated(tmp_path):
    cat = load_catalog()
    fresh = generate_targets(cat)
    loaded = load_targets(_demo_targets_csv(tmp_path / "targets.csv", cat), cat, bundled_units(), 2030)
    assert len(loaded) == len(fresh) == 110
    np.testing.assert_allclose(loaded["target"], fresh["target"])
    assert loaded.loc[loaded["kpi_id"] == "EC:ICT:ICT:3C", "target"].item() == 122630.148
    assert loaded.loc[loaded["unit_code"] == "5001", "kpi_id"].tolist() == ["EN:EN:AQ:2C"]
    # no target for KPIs without a direction
    unknown = set(cat.loc[cat["direction"] == "unknown", "kpi_id"])
    assert not unknown & set(loaded["kpi_id"])


def test_committed_demo_targets_are_what_the_generator_makes():
    """While params/targets.csv is still the demo's, its network-wide rows are the generator's."""
    committed = pd.read_csv(config.PARAMS_DIR / "targets.csv", dtype={"unit_code": str}, keep_default_na=False)
    network = committed.loc[committed["unit_code"] == ""]
    if not network["source"].eq("Demonstrasjonsmål for nettverket").all():
        pytest.skip("params/targets.csv holds the network's own targets, not the demo's")
    fresh = generate_targets(load_catalog())
    fresh = fresh.loc[fresh["unit_code"] == ""]
    assert network["kpi_id"].tolist() == fresh["kpi_id"].tolist()
    np.testing.assert_allclose(pd.to_numeric(network["target"]), fresh["target"])
