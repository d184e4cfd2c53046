import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.schema import slugify
from analysis.reference.catalog import build_catalog, load_catalog, make_kpi_id, normalise_code


def test_codes_are_normalised_by_removing_spaces():
    assert normalise_code("EC: ICT: ICT: 1C") == "EC:ICT:ICT:1C"
    assert make_kpi_id("EN: EN: AQ: 1C", "PM2.5") == "EN:EN:AQ:1C:PM2.5"
    assert make_kpi_id("EC: I: T: 4A", "private vehicles") == "EC:I:T:4A:private_vehicles"
    assert make_kpi_id("EC: ICT: ICT: 1C", "") == "EC:ICT:ICT:1C"
    assert slugify("EN:EN:AQ:1C:PM2.5") == "en-en-aq-1c-pm2-5"


def test_committed_catalog_is_what_the_shared_reference_builds():
    built = build_catalog()
    committed = load_catalog()
    assert len(committed) == 112
    pd.testing.assert_frame_equal(built.reset_index(drop=True), committed, check_dtype=False)


def test_catalog_counts_match_the_u4ssc_structure():
    cat = load_catalog()
    assert cat["kpi_id"].is_unique and cat["slug"].is_unique
    # 91 KPIs, 3 dimensions, 22 categories (methods.md §1); 66 core and 46 advanced data points
    assert cat["code"].nunique() == 91
    assert set(cat["dimension_nb"]) == {"Økonomi", "Miljø", "Samfunn og kultur"}
    assert cat["category"].nunique() == 22
    assert (cat["core_or_advanced"] == "Core").sum() == 66
    assert (cat["name_nb"].str.len() > 3).all() and (cat["unit_nb"].str.len() > 0).all()
    assert (cat["demo_low"] <= cat["demo_high"]).all()


def test_supplement_that_misses_a_data_point_is_refused(tmp_path):
    sup = pd.read_csv(config.REFERENCE_DIR / "kpi_supplement.csv", dtype=str, keep_default_na=False)
    bad = tmp_path / "supplement.csv"
    sup.iloc[1:].to_csv(bad, index=False)
    with pytest.raises(InputError, match=r"supplement\.csv.*missing \['EC:ICT:ICT:1C'\]"):
        build_catalog(supplement_csv=bad)
