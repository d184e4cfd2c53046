"""StatBank CSV exports: the eight real 07459 files in their different dialects."""

import warnings

import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import InputError
from analysis.ingest.statbank import read_population_exports, read_statbank

POP = config.SHARED_DATA_DIR / "ssb-07459-population"

# National population on 1 January: 2017, 2022 and 2023 from PROVENANCE.md; 2018-2021 are the sums
# of the exports (a regression check; 2022 is also confirmed by the JSON-stat response).
NATIONAL = {
    2017: 5_258_317,
    2018: 5_295_619,
    2019: 5_328_212,
    2020: 5_367_580,
    2021: 5_391_369,
    2022: 5_425_270,
    2023: 5_488_984,
}


@pytest.fixture(scope="module")
def population(population_exports):
    return population_exports


def test_national_totals_2017_to_2023(population):
    sums = population.groupby("year")["value"].sum()
    assert {y: int(sums[y]) for y in NATIONAL} == NATIONAL


@pytest.mark.parametrize(
    "code, year, total",
    [
        ("5001", 2022, 210_496),
        ("5001", 2023, 212_660),
        ("3024", 2022, 128_982),
        ("3025", 2022, 96_088),
        ("1103", 2022, 144_699),
        ("1804", 2022, 52_803),
        ("1507", 2022, 67_114),
        ("4204", 2022, 113_737),
    ],
)
def test_known_municipal_totals(population, code, year, total):
    sel = population[(population["unit_code"] == code) & (population["year"] == year)]
    assert len(sel) == 106 and sel["value"].sum() == total


def test_table_shape_and_types(population):
    assert list(population.columns) == [
        "unit_code",
        "unit_name",
        "year",
        "age",
        "value",
        "status",
        "source",
        "source_row",
    ]
    assert str(population["age"].dtype) == "Int64" and population["age"].min() == 0
    assert population["age"].max() == 105  # "105 years or older"
    assert population["year"].dtype == "int64" and population["value"].dtype == "float64"
    assert set(population["year"]) == set(range(2005, 2024))
    units = population.groupby("year")["unit_code"].nunique()
    assert units[2020] == units[2023] == 356 and units[2017] == 426 and units[2018] == 422
    assert not population.duplicated(["unit_code", "year", "age"]).any()
    assert (population["status"] == "").all()


def test_borders_as_published_and_fill_zeros_dropped(population):
    y = population.groupby("year")["unit_code"].agg(set)
    assert "1601" in y[2017] and "5001" not in y[2017]  # Trondheim renumbered in 2018
    assert "5001" in y[2018] and "1601" not in y[2018]
    assert "0219" in y[2019] and "3024" in y[2020]  # Bærum renumbered in 2020
    assert ("5001", 2017) in population.attrs["dropped_empty"]
    assert ("1567", 2019) in population.attrs["dropped_empty"]  # "1567 Rindal (-2018)", all zeros


def test_pseudo_regions_are_kept_out_but_reported(population):
    assert not population["unit_code"].isin(["21-22", "23", "Rest"]).any()
    assert population.attrs["pseudo_regions"][2022] == {"21-22": 0.0, "23": 0.0, "Rest": 0.0}


@pytest.mark.parametrize(
    "name, encoding, separator, title",
    [
        ("Personer2005-2009.csv", "iso-8859-1", "tab", ""),
        ("Personer2019.csv", "utf-8", "comma", ""),
        ("Personer2020.csv", "iso-8859-1", "tab", ""),
        ("Personer2021.csv", "iso-8859-1", "semicolon", "07459: Population, by region, age, contents and year"),
        ("Personer2023.csv", "iso-8859-1", "semicolon", "07459: Population, by region, age, contents and year"),
    ],
)
def test_dialects_detected(name, encoding, separator, title):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read_statbank(POP / name)
    assert (df.attrs["encoding"], df.attrs["separator"], df.attrs["title"]) == (encoding, separator, title)
    assert df.attrs["variable"] == "Persons"


def test_latin1_names_survive_and_rows_point_into_the_file():
    df = read_statbank(POP / "Personer2022.csv")
    baerum = df[df["unit_code"] == "3024"]
    assert set(baerum["unit_name"]) == {"Bærum"}
    first = df.iloc[0]
    assert (first["unit_code"], first["age"], first["source_row"]) == ("3001", 0, 4)  # title, blank, header
    assert df.attrs["table_id"] == "07459" and df["source"].iloc[0] == "SSB 07459 StatBank export Personer2022.csv"


def test_damaged_names_in_the_2019_export_are_reported():
    with pytest.warns(UserWarning, match="125 region names contain U"):
        df = read_statbank(POP / "Personer2019.csv")
    assert df.loc[df["unit_code"] == "0121", "unit_name"].iloc[0] == "R\ufffdmskog"


def test_same_year_in_two_files_is_refused(tmp_path):
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_bytes((POP / "Personer2022.csv").read_bytes())
    with pytest.raises(InputError, match="year 2022 is also in a.csv"):
        read_population_exports(tmp_path)


def test_age_is_missing_when_the_export_has_no_age_column(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text('"region";"Persons 2022"\n"K-5001 Trondheim - Tråante";210496\n"K-23 Sokkel";0\n', encoding="utf-8")
    df = read_statbank(f)
    assert df["age"].isna().all() and df["unit_name"].tolist() == ["Trondheim - Tråante"]
    assert df.attrs["pseudo_regions"] == {2022: {"23": 0.0}}
    assert pd.isna(df["age"].iloc[0])
