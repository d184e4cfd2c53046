"""The code registry, chains through the reforms, to_borders, and the KLASS client on recorded responses."""

import hashlib
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pandas as pd
import pytest
import yaml
from http_helpers import Recorded

from analysis.core import config, http
from analysis.core.errors import InputError
from analysis.process import population
from analysis.reference import geography as g
from analysis.reference import klass

FIXTURES = Path(__file__).parents[1] / "fixtures" / "klass"
POP = config.SHARED_DATA_DIR / "ssb-07459-population"


def test_counts_of_codes_match_the_reforms():
    assert len(g.codes_at(2019)) == 422
    assert len(g.codes_at(2020)) == 356 and len(g.codes_at(2023)) == 356
    assert len(g.codes_at(2024)) == 357
    assert sorted(g.codes_at(2024, "county")["code"]) == [
        "03",
        "11",
        "15",
        "18",
        "31",
        "32",
        "33",
        "34",
        "39",
        "40",
        "42",
        "46",
        "50",
        "55",
        "56",
    ]
    assert len(g.codes_at(2020, "county")) == 11


def test_code_valid_in():
    assert g.code_valid_in("0219", 2019) and not g.code_valid_in("0219", 2020)
    assert g.code_valid_in("3024", 2023) and not g.code_valid_in("3024", 2024)
    assert g.code_valid_in("1601", 2017) and not g.code_valid_in("1601", 2018)
    assert not g.code_valid_in("1505", 2007) and g.code_valid_in("1505", 2008)
    assert not g.code_valid_in("9999", 2020)


def test_chain_baerum_and_merger_asker():
    m = g.mapping_to(2024, 2019).set_index("from_code")
    assert m.loc["0219", "to_code"] == "3201" and m.loc["0219", "kind"] == "renumbered"
    for old in ("0220", "0627", "0628"):
        assert m.loc[old, "to_code"] == "3203" and m.loc[old, "kind"] == "merged"
    assert m.loc["1833", "kind"] == "same"
    assert (m.loc[m["to_code"] == "5001"].index.tolist()) == ["5001", "5030"]


def test_haram_before_2020_goes_whole_to_1580_but_2020_23_alesund_is_a_split():
    early = g.mapping_to(2024, 2019).set_index("from_code")
    assert early.loc["1534", "to_code"] == "1580" and early.loc["1534", "weight"] == 1.0
    assert early.loc["1504", "to_code"] == "1508" and early.loc["1504", "kind"] == "merged"
    late = g.mapping_to(2024, 2022)
    split = late.loc[late["from_code"] == "1507"].set_index("to_code")
    assert set(split.index) == {"1508", "1580"} and (split["kind"] == "split").all()
    assert split.loc["1508", "weight"] == 1.0 and np.isnan(split.loc["1580", "weight"])


def test_every_code_in_use_maps_forward_to_a_2024_code():
    valid24 = set(g.codes_at(2024)["code"])
    for year in range(2005, 2024):
        m = g.mapping_to(2024, year)
        assert set(m["to_code"]) <= valid24, year
        assert set(m["from_code"]) == set(g.codes_at(year)["code"])


def test_backward_mapping_is_refused():
    with pytest.raises(ValueError):
        g.mapping_to(2019, 2024)


def _toy(rows):
    return pd.DataFrame(rows, columns=["unit_code", "year", "value"])


def test_counts_are_summed_and_a_missing_component_is_incomplete():
    df = _toy(
        [
            ("0220", 2019, 10.0),
            ("0627", 2019, 5.0),
            ("0628", 2019, 1.0),
            ("0219", 2019, 7.0),
            ("0220", 2018, 10.0),
            ("0627", 2018, 5.0),
        ]
    )
    res = g.to_borders(df, 2024).set_index(["unit_code", "year"])
    assert res.loc[("3203", 2019), "value"] == 16.0 and not res.loc[("3203", 2019), "incomplete"]
    assert res.loc[("3201", 2019), "value"] == 7.0 and res.loc[("3201", 2019), "kind"] == "renumbered"
    row = res.loc[("3203", 2018)]
    assert np.isnan(row["value"]) and row["incomplete"] and row["missing_components"] == "0628"


def test_rates_are_recomputed_from_sums_never_averaged():
    df = pd.DataFrame(
        {
            "unit_code": ["0220", "0627", "0628"],
            "year": 2019,
            "numerator": [1.0, 9.0, 0.0],
            "denominator": [10.0, 30.0, 60.0],
        }
    )
    res = g.to_borders(df, 2024, value_kind="rate", scale=100)
    assert res["value"].iloc[0] == pytest.approx(10.0)  # 10/100, not the mean of 10 %, 30 %, 0 %


def test_split_is_flagged_not_apportioned():
    res = g.to_borders(_toy([("1507", 2022, 100.0)]), 2024).set_index("unit_code")
    assert res.loc["1508", "value"] == 100.0 and res.loc["1508", "break"]
    assert "split in 2024" in res.loc["1508", "break_reason"]
    assert np.isnan(res.loc["1580", "value"]) and res.loc["1580", "break"]


def test_suppressed_component_keeps_its_symbol():
    df = pd.DataFrame(
        {"unit_code": ["0220", "0627", "0628"], "year": 2019, "value": [1.0, np.nan, 2.0], "status": ["", ":", ""]}
    )
    res = g.to_borders(df, 2024)
    assert np.isnan(res["value"].iloc[0]) and res["status"].iloc[0] == ":" and res["incomplete"].iloc[0]


def test_key_columns_are_kept_apart():
    df = pd.DataFrame(
        {
            "unit_code": ["0220", "0627", "0628"] * 2,
            "year": 2019,
            "kpi_id": ["A"] * 3 + ["B"] * 3,
            "value": [1.0, 2, 3, 10, 20, 30],
        }
    )
    res = g.to_borders(df, 2024).set_index("kpi_id")
    assert res.loc["A", "value"] == 6 and res.loc["B", "value"] == 60


def test_unknown_code_is_an_input_error():
    with pytest.raises(InputError, match="'3201' is not a valid municipality code in 2019"):
        g.to_borders(_toy([("3201", 2019, 1.0)]), 2024)


def test_county_level_keeps_within_county_splits_whole():
    # Snillfjord 5012 was split in 2020 between three municipalities, all in Trøndelag.
    df = _toy([(c, 2019, 1.0) for c in g.mapping_to(2020, 2019).query("to_code.str.startswith('50')")["from_code"]])
    res = g.to_borders(df, 2024, level="county", targets=["50"])
    assert not res["break"].iloc[0] and not res["incomplete"].iloc[0]
    assert res["value"].iloc[0] == len(df)


def test_registry_files_are_consistent():
    mun, ch = g.registry()
    assert not mun["code"].duplicated().any()
    # Every code that stops being used has a successor in the changes.
    for year in range(2006, 2025):
        gone = set(g.codes_at(year - 1)["code"]) - set(g.codes_at(year)["code"])
        assert gone <= set(ch.loc[ch["change_year"] == year, "old_code"]), year
    assert (ch["note"] != "").all() and (ch["source"] != "").all()


def klass_answer(request):
    """The recorded KLASS response for a request, from tests/fixtures/klass (named by classification, call, dates)."""
    url = urlsplit(request.url)
    cls, what = url.path.rsplit("/", 2)[-2:]
    q = dict(parse_qsl(url.query))
    name = f"{cls}_{what}_{q['date'][:4]}" if what == "codesAt" else f"{cls}_{what}_{q['from']}_{q['to']}"
    return 200, (FIXTURES / f"{name}.json").read_bytes()


def test_klass_changes_and_cache(tmp_path):
    t = Recorded(klass_answer)
    ch = klass.fetch_changes("2023-01-01", "2024-12-31", session=http.cached_session(tmp_path, transport=t))
    assert list(ch["new_code"]) == ["1508", "1580", "3201"]
    offline = http.cached_session(tmp_path, offline=True, transport=t)
    again = klass.fetch_changes("2023-01-01", "2024-12-31", session=offline)
    assert len(t.calls) == 1 and again.equals(ch)
    assert t.calls[0].url == f"{klass.BASE_URL}/131/changes?from=2023-01-01&to=2024-12-31"
    assert t.calls[0].headers["Accept"] == "application/json"
    with pytest.raises(http.CacheMissError, match=rf"offline mode: GET {klass.BASE_URL}/104/changes\?from=2023"):
        klass.fetch_changes("2023-01-01", "2024-12-31", classification=klass.COUNTIES, session=offline)


def test_refresh_registry_from_recorded_responses(tmp_path):
    t = Recorded(klass_answer)
    mun_path, ch_path = klass.refresh_registry(
        2023, 2024, out_dir=tmp_path, session=http.cached_session(tmp_path / "cache", transport=t)
    )
    mun = pd.read_csv(mun_path, dtype=str, keep_default_na=False).set_index("code")
    ch = pd.read_csv(ch_path, dtype=str, keep_default_na=False)
    assert "9999" not in mun.index and "99" not in mun.index
    assert mun.loc["3024", "valid_to"] == "2023" and mun.loc["3201", "valid_from"] == "2024"
    assert mun.loc["5001", "valid_from"] == "" and mun.loc["30", "level"] == "county"
    kinds = dict(zip(ch["old_code"] + ">" + ch["new_code"], ch["kind"]))
    assert kinds["3024>3201"] == "renumbered" and kinds["1507>1580"] == "split" and kinds["30>32"] == "split"
    # The refreshed files load with the same registry reader.
    g.registry(mun_path, ch_path)
    # Each file has its provenance beside it: the six KLASS requests, when fetched, its own checksum.
    for path in (mun_path, ch_path):
        side = yaml.safe_load(path.with_name(path.name + ".provenance.yaml").read_text(encoding="utf-8"))
        assert side["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert side["source"].startswith("SSB KLASS") and side["retrieved"] == "2024-03-01T12:00:00+00:00"
        assert sorted(r["url"] for r in side["requests"]) == sorted(r.url for r in t.calls)
    assert len(t.calls) == 6  # codesAt 2023 and 2024 and changes, for 131 and 104


def test_bookkeeping_columns_are_not_keys():
    # readers add source_row, code_year, comment...; they differ between the parts of a merger
    df = pd.DataFrame(
        {
            "unit_code": ["0220", "0627", "0628"],
            "year": 2019,
            "value": [1.0, 2, 3],
            "source_row": [5, 9, 12],
            "code_year": 2019,
            "comment": ["", "anslag", ""],
        }
    )
    res = g.to_borders(df, 2024)
    assert len(res) == 1 and res["value"].iloc[0] == 6 and not res["incomplete"].iloc[0]


def test_codes_follow_code_year_where_a_reader_recorded_it():
    # the 2023 KOSTRA workbook lists Ålesund as 1508, the code it got in 2024
    df = pd.DataFrame({"unit_code": ["1508", "3201"], "year": 2023, "value": [1.0, 2.0], "code_year": 2024})
    res = g.to_borders(df, 2024).set_index("unit_code")
    assert res.loc["1508", "value"] == 1.0 and res.loc["3201", "value"] == 2.0
    assert (res["kind"] == "same").all() and (res["year"] == 2023).all()
    with pytest.raises(InputError, match="'1508' is not a valid municipality code in 2023"):
        g.to_borders(df.drop(columns="code_year"), 2024)


def test_real_kostra_2023_workbook_moves_into_2024_borders_unchanged():
    from analysis.ingest.kostra import read_road_network, road_network_to_observations

    obs = road_network_to_observations(
        read_road_network(config.SHARED_DATA_DIR / "kostra-road-network" / "road_network_2023.xlsx")
    )
    res = g.to_borders(obs, 2024)
    assert len(res) == len(obs) == 2142 and not res["incomplete"].any()
    assert res["value"].sum() == pytest.approx(obs["value"].sum())


def test_report_borders_follow_code_year_and_name_splits_and_moved_county_borders():
    from analysis.process.pipeline import in_report_borders

    obs = pd.DataFrame(
        {
            "unit_code": ["1508", "1850", "15", "50", "15", "0220"],
            "year": [2022, 2019, 2019, 2019, 2021, 2019],
            "kpi_id": "K",
            "value": 1.0,
            "status": "",
            "source": "s",
            "vintage": "v",
            "code_year": [2024, 2019, 2019, 2019, 2021, 2019],
        }
    )
    mapped, left_out = in_report_borders(obs, 2024)
    notes = mapped.set_index(["unit_code", "year"])["note"]
    assert notes[("1508", 2022)] == ""  # already in 2024 codes: carried as it is, no break
    # in 2020 Hornindal (county 14) joined Volda in Møre og Romsdal and Halsa left it for Trøndelag
    assert "1444 Hornindal, 1571 Halsa" in notes[("15", 2019)] and "brudd i serien" in notes[("15", 2019)]
    assert "1571 Halsa" in notes[("50", 2019)]
    assert notes[("15", 2021)] == ""
    reasons = left_out.set_index("unit_code")["reason"]
    assert reasons["1850"].startswith("split in a reform")  # Tysfjord 2020: Narvik and Hamarøy, neither continues it
    assert reasons["0220"].startswith("merged in a reform")


def test_population_of_a_code_not_in_use_names_file_and_row(tmp_path):
    # the 2019 export lists Rindal 1567 (in Trøndelag as 5061 since 2019) with zeros; a non-zero is an error
    text = (POP / "Personer2019.csv").read_text(encoding="utf-8")
    assert "1567 Rindal (-2018),0 years,0\n" in text
    bad = tmp_path / "Personer2019.csv"
    bad.write_text(text.replace("1567 Rindal (-2018),0 years,0\n", "1567 Rindal (-2018),0 years,5\n"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        population.population_totals(tmp_path)
    assert str(err.value) == (
        f"{bad}, row 30106, field 'region': code 1567 has 5 persons in 2019, a year it was not in use"
    )


@pytest.mark.parametrize(
    "given, registered",
    [
        ("Oslo municipality", "Oslo"),  # the English StatBank export
        ("Våler (Viken)", "Våler (Østfold)"),  # an addition in brackets names the county of the day
        ("Holmestrand (-2017)", "Holmestrand"),
        ("Deatnu-Tana", "Deatnu - Tana"),
        ("Evenes", "Evenes - Evenássi"),  # one of the parallel names
        ("B\ufffdrum", "Bærum"),  # a letter lost before publication (Personer2019.csv)
        ("teinkj", "Steinkjer"),  # as SSB's 2020-2023 exports print it
        ("Trondheim kommune", "Trondheim"),
    ],
)
def test_names_that_differ_only_in_form_agree(given, registered):
    assert g.names_agree(given, registered)


@pytest.mark.parametrize(
    "given, registered",
    [("Bergen", "Oslo"), ("Bømlo", "Bø"), ("Heim", "Trondheim"), ("Oslo", "Bærum"), ("Asker", "Bærum")],
)
def test_other_names_do_not(given, registered):
    assert not g.names_agree(given, registered)


def test_every_region_name_in_the_real_exports_agrees_with_the_registry(population_exports):
    """The rule must not refuse SSB's own files: every label of every bundled 07459 export is accepted."""
    pairs = set(population_exports[["unit_code", "unit_name"]].drop_duplicates().itertuples(index=False, name=None))
    assert len(pairs) > 800  # 851 code-name pairs from 2005 to 2023
    assert [p for p in pairs if not g.names_agree(p[1], g.name_of(p[0]))] == []


@pytest.mark.parametrize("blank", [np.nan, None, ""])
def test_an_empty_key_column_keeps_every_value(blank):
    """An ingested table whose `age` column is blank throughout: each value stays (it used to come
    back empty, because grouping dropped the rows with a missing key), and a merger still sums."""
    df = pd.DataFrame(
        {
            "unit_code": ["5001", "1506", "1502", "1543", "1545"],
            "year": [2024, 2024, 2019, 2019, 2019],
            "value": [10.0, 20.0, 1.0, 2.0, 4.0],  # Molde, Nesset and Midsund became 1506 Molde in 2020
            "age": [blank] * 5,
        }
    )
    out = g.to_borders(df, 2024).set_index(["unit_code", "year"])
    assert out.loc[("5001", 2024), "value"] == 10.0 and out.loc[("1506", 2024), "value"] == 20.0
    assert out.loc[("1506", 2019), "value"] == 7.0 and not out["incomplete"].any()
