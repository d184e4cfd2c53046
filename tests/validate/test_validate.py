"""Schema and per-KPI rules for the observation table."""

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.reference.catalog import load_catalog
from analysis.validate.observations import validate_observations


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def table(**cols):
    base = {
        "unit_code": ["5001", "1804", "50"],
        "year": np.array([2022, 2022, 2022], dtype="int64"),
        "kpi_id": ["EC:ICT:ICT:1C", "EC:ICT:ICT:1C", "EC:I:UP:2A:compact"],
        "value": [97.5, np.nan, 1.0],
        "status": ["", "..", ""],
        "source": ["test"] * 3,
        "vintage": ["2024-01-01"] * 3,
        "source_row": [2, 3, 4],
    }
    base.update(cols)
    return pd.DataFrame(base)


def always(code, year):
    return True


def test_a_sound_table_passes(catalog):
    assert validate_observations(table(), catalog, "obs.csv", valid_in=always) is None


@pytest.mark.parametrize(
    "cols, row, field, reason",
    [
        ({"unit_code": ["5001", "1804", "500"]}, 4, "unit_code", "'500' is not 4 digits"),
        ({"year": np.array([2022, 1850, 2022], dtype="int64")}, 3, "year", "year 1850 is outside 1950-"),
        ({"status": ["", "x", ""]}, 3, "status", "status 'x' is not an SSB symbol"),
        ({"value": [97.5, 3.0, 1.0]}, 3, "value", "given although status '..'"),
        ({"status": ["", "", ""]}, 3, "value", "value missing without a status symbol"),
        ({"value": [120.0, np.nan, 1.0]}, 2, "value", "a percentage must be within 0-100"),
        ({"value": [97.5, np.nan, 0.5]}, 4, "value", "yes/no must be 0 or 1"),
        ({"kpi_id": ["EC:ICT:ICT:1C", "EC:ICT:ICT:1C", "XX:NOPE"]}, 4, "kpi_id", "unknown kpi_id 'XX:NOPE'"),
        (
            {"unit_code": ["5001", "5001", "50"], "status": ["", "", ""], "value": [90.0, 91.0, 1.0]},
            3,
            "kpi_id",
            "duplicate row for unit_code=5001, year=2022, kpi_id=EC:ICT:ICT:1C",
        ),
        (
            {"kpi_id": ["EC:ICT:ICT:1C", "EC:ICT:ICT:1C", "ssb/07459/persons"], "value": [97.5, np.nan, -3.0]},
            4,
            "value",
            "-3.0 must not be negative",
        ),
        ({"status": ["-", "..", ""]}, 2, "value", "status '-' means nil but value is 97.5"),
    ],
)
def test_each_rule_names_row_field_and_reason(catalog, cols, row, field, reason):
    with pytest.raises(InputError) as e:
        validate_observations(table(**cols), catalog, "obs.csv", valid_in=always)
    named = [p for p in e.value.problems if (p.row, p.field) == (row, field) and reason in p.reason]
    assert len(named) == 1 and f"obs.csv, row {row}, field '{field}': " in str(e.value)


def test_all_problems_of_a_table_are_reported_together(catalog):
    bad = table(value=[120.0, np.nan, 0.5], status=["", "", ""])  # row 2 above 100, row 3 missing, row 4 not 0/1
    with pytest.raises(InputError) as e:
        validate_observations(bad, catalog, "obs.csv", valid_in=always)
    assert sorted((p.row, p.field) for p in e.value.problems) == [(2, "value"), (3, "value"), (4, "value")]
    assert str(e.value).startswith("3 problems:")


def test_text_in_the_value_column_is_refused(catalog):
    with pytest.raises(InputError, match="value must be float"):
        validate_observations(table(value=["97.5", None, "1"]), catalog, "obs.csv", valid_in=always)


def test_missing_column(catalog):
    with pytest.raises(InputError, match=r"missing columns \['year'\]"):
        validate_observations(table().drop(columns="year"), catalog, "obs.csv", valid_in=always)


def test_codes_are_checked_against_the_year_of_their_borders(catalog):
    valid = {("5001", 2022), ("1804", 2022), ("50", 2022), ("3201", 2024)}
    df = table(unit_code=["5001", "1804", "3201"], code_year=np.array([2022, 2022, 2023]))
    with pytest.raises(InputError, match="unit code 3201 did not exist in 2023") as e:
        validate_observations(df, catalog, "obs.csv", valid_in=lambda c, y: (c, y) in valid)
    assert e.value.row == 4
    ok = table(unit_code=["5001", "1804", "3201"], code_year=np.array([2022, 2022, 2024]))
    validate_observations(ok, catalog, "obs.csv", valid_in=lambda c, y: (c, y) in valid)


def test_extra_dimension_joins_the_duplicate_key(catalog):
    df = table(
        unit_code=["5001"] * 3,
        kpi_id=["ssb/07459/persons"] * 3,
        value=[1.0, 2.0, 3.0],
        status=[""] * 3,
        age=pd.array([0, 1, 2], dtype="Int64"),
    )
    validate_observations(df, catalog, "obs.csv", valid_in=always)
    df["age"] = pd.array([0, 1, 1], dtype="Int64")
    with pytest.raises(InputError, match="age=1"):
        validate_observations(df, catalog, "obs.csv", valid_in=always)


def test_plausibility_rules_apply_per_variable_level_and_scope(catalog):
    persons = table(
        unit_code=["5001", "5001", "0"],
        kpi_id=["ssb/07459/persons"] * 3,
        value=[2.5, 700_000.0, 6_100_000.0],
        status=["", "", ""],
        age=pd.array([3, 4, pd.NA], dtype="Int64"),
    )
    with pytest.raises(InputError) as e:
        validate_observations(persons, catalog, "obs.csv", valid_in=always)
    # one problem per row: 5001's ages sum to 700 002.5, below the municipal bound, so only the one age is named
    assert sorted(p.row for p in e.value.problems) == [2, 3, 4]
    reasons = {p.row: p.reason for p in e.value.problems}
    assert "2.5 is not a whole number" in reasons[2]
    assert "700 000 is above 25 000: no one-year age group" in reasons[3]
    assert "sum to 6 100 000, above 6 000 000: Norway has fewer than 6 million" in reasons[4]


def test_a_broken_rules_file_is_refused_with_every_problem(tmp_path):
    from analysis.reference.plausibility import load_plausibility

    path = tmp_path / "plausibility.csv"
    path.write_text(
        "variable,field,level,scope,min,max,whole,warning,why\n"
        "*,weight,,row,0,1,,,x\n"  # row 2: unknown field
        "*,value,town,row,0,1,,,x\n"  # row 3: unknown level
        "*,age,,sum,0,1,,,x\n"  # row 4: a sum of ages makes no sense
        "*,value,,row,5,1,,,x\n"  # row 5: min above max
        "*,value,,row,zero,1,maybe,,\n"  # row 6: not a number, not yes/no, no reason
        "*,value,,row,0,1,,Odd Name,x\n"  # row 7: a warning name must be lowercase a-z, 0-9, _
        "*,value,,sum,0,1,,odd,x\n"  # row 8: a warning is about single values
        "*,value,,row,0,,yes,odd,x\n"  # row 9: a fractional count is refused, never only warned of
        "*,value,,row,１２,,,,x\n"  # row 10: float() reads a fullwidth 12; the rules take 0-9
        "*,value,,row,0,1_000,,,x\n",  # row 11: nor 1_000
        encoding="utf-8",
    )
    with pytest.raises(InputError) as e:
        load_plausibility(path)
    assert [(p.row, p.field) for p in e.value.problems] == [
        (2, "field"),
        (3, "level"),
        (4, "scope"),
        (5, "min"),
        (6, "whole"),
        (6, "why"),
        (6, "min"),
        (7, "warning"),
        (8, "warning"),
        (9, "warning"),
        (10, "min"),
        (11, "max"),
    ]


def test_a_soft_rule_warns_and_never_refuses(catalog):
    """Life expectancy 72 lies inside the hard 40-110 but outside the soft 75-90 of the bundled rules: it is
    accepted, and the row carries the rule's warning name; 83 carries none, 30 is refused by the hard rule."""
    from analysis.reference.plausibility import warnings_of

    df = table(
        unit_code=["5001", "1804", "50"],
        kpi_id=["SC:EH:H:1C"] * 3,
        value=[72.0, 83.0, 91.5],
        status=[""] * 3,
    )
    assert validate_observations(df, catalog, "obs.csv", valid_in=always) is None
    names, notes = warnings_of(df, "obs.csv")
    assert names.tolist() == ["life_expectancy", "", "life_expectancy"]
    assert [(n.row, n.field) for n in notes] == [(2, "value"), (4, "value")]
    assert str(notes[0]).startswith("obs.csv, row 2, field 'value': 72 is outside 75-90: life expectancy")
    assert "accepted with the warning 'life_expectancy'" in notes[0].reason
    with pytest.raises(InputError, match="30 is outside 40-110"):
        validate_observations(df.assign(value=[30.0, 83.0, 80.0]), catalog, "obs.csv", valid_in=always)


def test_two_soft_rules_on_one_value_give_both_names(tmp_path):
    from analysis.reference.plausibility import load_plausibility, warnings_of

    path = tmp_path / "rules.csv"
    path.write_text(
        "variable,field,level,scope,min,max,whole,warning,why\n"
        "SC:EH:H:1C,value,,row,75,,,low,below 75\n"
        "SC:EH:H:1C,value,municipality,row,76,,,lower,below 76 in a municipality\n",
        encoding="utf-8",
    )
    df = table(unit_code=["5001", "50", "5001"], kpi_id=["SC:EH:H:1C"] * 3, value=[70.0, 70.0, 80.0], status=[""] * 3)
    names, _ = warnings_of(df, "obs.csv", rules=load_plausibility(path))
    assert names.tolist() == ["low;lower", "low", ""]


def test_the_counting_kpis_are_the_catalog_units_that_count():
    """The rules file names as counts exactly the catalog KPIs whose unit is a 'number of' something; per
    100 000 inhabitants is a rate, not a count."""
    from analysis.reference.plausibility import whole_variables

    cat = load_catalog()
    counted = set(cat.loc[cat["unit"].str.startswith("number of"), "kpi_id"])
    assert counted == {"EC:ICT:ICT:5A", "EC:ICT:PS:1A:number", "EC:ICT:PS:2A"}
    assert whole_variables(cat["kpi_id"]) == counted
    assert whole_variables(["ssb/07459/persons", "ssb/06265/boliger", "kostra/road_km", "ssb/09280/boligpris"]) == {
        "ssb/07459/persons",
        "ssb/06265/boliger",
    }


@pytest.mark.parametrize("kpi, value", [("EC:ICT:ICT:5A", 12.5), ("EC:ICT:PS:2A", 266.7), ("ssb/06265/boliger", 0.5)])
def test_a_fractional_count_is_refused(catalog, kpi, value):
    df = table(
        unit_code=["5001"],
        kpi_id=[kpi],
        value=[value],
        status=[""],
        year=np.array([2022]),
        source=["t"],
        vintage=["v"],
        source_row=[7],
    )
    with pytest.raises(InputError) as e:
        validate_observations(df, catalog, "obs.csv", valid_in=always)
    assert (e.value.row, e.value.field) == (7, "value") and "is not a whole number" in e.value.reason
    assert validate_observations(df.assign(value=[12.0]), catalog, "obs.csv", valid_in=always) is None
