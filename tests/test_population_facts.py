"""The population shown in the page profiles is what the real SSB exports give in 2024 borders."""

import pandas as pd

from analysis.core import config
from analysis.process.population import member_population_facts
from analysis.reference.members import load_units

EXPORTS = config.SHARED_DATA_DIR / "ssb-07459-population"


def test_committed_population_facts_are_derived_from_the_real_exports():
    committed = pd.read_csv(config.REFERENCE_DIR / "population.csv", dtype={"unit_code": str}, keep_default_na=False)
    fresh = member_population_facts(EXPORTS)
    pd.testing.assert_frame_equal(committed, fresh, check_dtype=False)


def test_population_facts_match_provenance_and_mark_the_alesund_break():
    units = load_units().set_index("unit_code")
    assert units.at["5001", "population"] == 212_660 and units.at["5001", "population_year"] == 2023  # PROVENANCE.md
    assert "delingen i 2024" in units.at["1508", "population_note"]  # 2023 figure still includes Haram
    assert units.at["5001", "population_note"] == ""
    assert pd.isna(units.at["0", "population"])  # the nation is not in the facts
