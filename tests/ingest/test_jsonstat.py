"""JSON-stat 2.0 reader against the two real SSB responses and small hand-made datasets."""

import numpy as np
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import InputError
from analysis.ingest.jsonstat import jsonstat_to_observations, read_jsonstat
from analysis.ingest.statbank import read_statbank

JS = config.SHARED_DATA_DIR / "ssb-jsonstat"
POP_2022 = JS / "07459_population_2022_all_municipalities.json"
S05300 = JS / "05300_with_status_symbols.json"


def test_07459_reads_all_regions_and_sums_to_national_total():
    df = read_jsonstat(POP_2022)
    assert len(df) == 359
    assert list(df.columns[:6]) == ["Region", "Region_label", "ContentsCode", "ContentsCode_label", "Tid", "Tid_label"]
    assert df["value"].sum() == 5_425_270
    assert df.attrs["role"]["geo"] == ["Region"]
    assert df.attrs["table_id"] == "07459"
    assert set(df["unit"]) == {"personer"}
    assert df.loc[df["Region"] == "K-5001", "Region_label"].item().startswith("Trondheim")


def test_07459_observations_drop_pseudo_regions_and_strip_prefix():
    obs = jsonstat_to_observations(read_jsonstat(POP_2022))
    assert len(obs) == 356
    assert obs.attrs["pseudo_regions"] == {"21-22": 0.0, "23": 0.0, "Rest": 0.0}
    by_code = obs.set_index("unit_code")["value"]
    assert by_code["5001"] == 210_496 and by_code["3024"] == 128_982 and by_code["0301"] > 690_000
    assert obs["value"].sum() == 5_425_270
    assert set(obs["kpi_id"]) == {"ssb/07459/Personer1"}
    assert obs["year"].dtype == np.int64 and set(obs["year"]) == {2022}
    assert set(obs["code_year"]) == {2022} and set(obs["vintage"]) == {"2022-02-24T07:00:00Z"}
    assert not obs["unit_code"].str.startswith("K").any()


def test_07459_json_agrees_with_the_statbank_csv_for_every_municipality():
    """The same fact published twice (API and CSV export) must agree cell by cell."""
    obs = jsonstat_to_observations(read_jsonstat(POP_2022)).set_index("unit_code")["value"]
    csv = read_statbank(config.SHARED_DATA_DIR / "ssb-07459-population" / "Personer2022.csv")
    totals = csv.groupby("unit_code")["value"].sum()
    pd.testing.assert_series_equal(obs.sort_index(), totals.sort_index(), check_names=False)


def test_05300_four_dimensions_row_major_with_statuses():
    df = read_jsonstat(S05300)
    assert len(df) == 6 * 8 * 1 * 9
    first = df.iloc[0]
    assert (first["Avstand1"], first["Kulturtilbud"], first["Tid"], first["value"]) == ("01", "01", "1991", 16)
    cell = df.iloc[71]  # status index 71 is '.'; last year of (distance 01, bookshop 08)
    assert (cell["Avstand1"], cell["Kulturtilbud"], cell["Tid"], cell["status"]) == ("01", "08", "2021", ".")
    assert np.isnan(cell["value"])
    assert df["status"].value_counts().to_dict() == {"": 404, ".": 20, "..": 8}
    assert (df["value"].isna() == df["status"].isin([".", ".."])).all()
    assert df.attrs["units"] == {"Avstand": {"base": "prosent", "decimals": 0}}
    assert df["Avstand1_label"].iloc[-1] == "50 km eller over"


def test_05300_is_national_and_extra_dimensions_go_into_the_variable():
    obs = jsonstat_to_observations(read_jsonstat(S05300))
    assert set(obs["unit_code"]) == {"0"}
    assert obs["kpi_id"].nunique() == 48
    assert "ssb/05300/Avstand/Avstand1=01/Kulturtilbud=08" in set(obs["kpi_id"])
    assert not obs.duplicated(["unit_code", "year", "kpi_id"]).any()


def _tiny(**over):
    ds = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "Tid"],
        "size": [2, 2],
        "role": {"geo": ["Region"], "time": ["Tid"]},
        "dimension": {
            "Region": {"category": {"index": ["0301", "5001"], "label": {"0301": "Oslo", "5001": "Trondheim"}}},
            "Tid": {"category": {"index": {"2021": 0, "2022": 1}}},
        },
        "value": [1, 2, None, 4],
    }
    ds.update(over)
    return ds


def test_sparse_values_single_status_and_list_index():
    df = read_jsonstat(_tiny(value={"0": 1.5, "3": 4}, status="*"))
    assert df["value"].tolist()[0] == 1.5 and np.isnan(df["value"].tolist()[1])
    assert df["status"].tolist() == ["*", "*", "*", "*"]
    assert df["Region"].tolist() == ["0301", "0301", "5001", "5001"]
    assert df["Tid"].tolist() == ["2021", "2022", "2021", "2022"]


def test_null_without_status_is_marked_missing():
    df = read_jsonstat(_tiny())
    assert df["status"].tolist() == ["", "", "..", ""]


def test_status_as_list_and_custom_variable():
    obs = jsonstat_to_observations(read_jsonstat(_tiny(status=[None, None, ":", None])), variable="EC:I:T:1C")
    assert obs["status"].tolist() == ["", "", ":", ""] and set(obs["kpi_id"]) == {"EC:I:T:1C"}
    assert set(obs["code_year"]) == {2021, 2022}  # unprefixed codes follow the data year


@pytest.mark.parametrize(
    "over, field",
    [
        ({"value": [1, 2, 3]}, "value"),
        ({"size": [2, 3]}, "dimension.Tid"),
        ({"value": [1, "x", 3, 4]}, "value"),
        ({"value": {"7": 1}}, "value"),
        ({"id": ["Region"]}, "size"),
    ],
)
def test_inconsistent_datasets_are_refused(over, field):
    with pytest.raises(InputError) as e:
        read_jsonstat(_tiny(**over))
    assert e.value.field == field
