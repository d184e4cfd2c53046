"""The population shown in the page profiles is what the real SSB exports give in 2024 borders."""

import pandas as pd
import yaml
from network_helpers import BUNDLED_NETWORK, write_network

from analysis.core import config
from analysis.process.population import latest_facts, members_in_borders
from analysis.reference.members import load_units


def _committed():
    return pd.read_csv(config.REFERENCE_DIR / "population.csv", dtype={"unit_code": str}, keep_default_na=False)


def test_committed_population_facts_are_derived_from_the_real_exports(tmp_path, population_totals):
    """The file was made for some network (the bundled one, or the configured one after `--facts`):
    rebuild it from the exports for exactly the units it lists, taken from either network.yaml."""
    committed = _committed()
    with open(BUNDLED_NETWORK, encoding="utf-8") as f:
        bundled = yaml.safe_load(f)
    with open(config.NETWORK_YAML, encoding="utf-8") as f:
        configured = yaml.safe_load(f)
    entries = {str(m["code"]): m for m in bundled["members"] + configured["members"]}
    listed = set(committed["unit_code"])
    unknown = listed - set(entries)
    assert not unknown, f"population.csv lists {sorted(unknown)}: refresh it with `population ... --facts`"
    counties = {**bundled.get("counties", {}), **configured.get("counties", {})}
    path = write_network(tmp_path, [entries[c] for c in sorted(listed)], counties)
    fresh = latest_facts(members_in_borders(population_totals, load_units(path)))
    pd.testing.assert_frame_equal(committed, fresh, check_dtype=False)


def test_population_facts_match_provenance_and_mark_the_alesund_break(bundled_population):
    facts = latest_facts(bundled_population).set_index("unit_code")
    assert facts.at["5001", "population"] == 212_660 and facts.at["5001", "year"] == 2023  # PROVENANCE.md
    assert "delingen i 2024" in facts.at["1508", "note"]  # 2023 figure still includes Haram
    assert facts.at["5001", "note"] == ""
    assert "0" not in facts.index  # the nation is not a member


def test_units_carry_the_committed_facts_of_the_configured_members():
    """Each configured member listed in population.csv gets its figure and note; the nation none."""
    committed = _committed().set_index("unit_code")
    units = load_units().set_index("unit_code")
    members = units.loc[units["is_member"]]
    for code in members.index.intersection(committed.index):
        assert units.at[code, "population"] == int(committed.at[code, "population"])
        assert units.at[code, "population_year"] == int(committed.at[code, "year"])
        assert units.at[code, "population_note"] == committed.at[code, "note"]
    assert members.loc[~members.index.isin(committed.index), "population"].isna().all()
    assert pd.isna(units.at["0", "population"])  # the nation is not in the facts


def test_a_member_without_a_committed_fact_gets_the_exports_latest_figure_in_the_same_run(tmp_path):
    """Drammen (3301 since 2024, 3005 in the 2023 export) is not in population.csv: the build takes its
    1 January 2023 population from the export, summed here over ages with the csv module; Trondheim keeps
    the file's figure; the nation gets none."""
    import csv

    from analysis.process.population import with_population_facts

    path = write_network(
        tmp_path,
        [
            {"code": "5001", "name": "Trondheim", "type": "kommune", "county": "50"},
            {"code": "3301", "name": "Drammen", "type": "kommune", "county": "33"},
        ],
        {"50": "Trøndelag", "33": "Buskerud"},
    )
    units = load_units(path)
    assert pd.isna(units.set_index("unit_code").at["3301", "population"])
    exports = config.SHARED_DATA_DIR / "ssb-07459-population"
    folder = tmp_path / "exports"  # the last two real exports: the rule is the latest year, not every year
    folder.mkdir()
    for name in ("Personer2022.csv", "Personer2023.csv"):
        (folder / name).symlink_to(exports / name)
    export = exports / "Personer2023.csv"
    with export.open(encoding="latin-1", newline="") as f:  # SSB's exports are ISO-8859-1
        drammen = sum(int(r[2]) for r in csv.reader(f, delimiter=";") if len(r) == 3 and r[0] == "K-3005 Drammen")
    filled = with_population_facts(units, folder).set_index("unit_code")
    assert drammen > 100_000
    assert filled.at["3301", "population"] == drammen and filled.at["3301", "population_year"] == 2023
    assert "07459" in filled.at["3301", "population_source"] and filled.at["3301", "population_note"] == ""
    assert filled.at["5001", "population"] == int(_committed().set_index("unit_code").at["5001", "population"])
    assert pd.isna(filled.at["0", "population"])
