"""A page's slice selects by row positions made once per table (``ReportData._where``): the rows, their order
and their index are those of the boolean masks the slices were defined with, written out here again."""

import pandas as pd

from analysis.pages import content, report_data


def masked_slice(data, unit_code=None, kpi_id=None) -> dict[str, pd.DataFrame]:
    """The tables of a page's slice, selected by boolean masks over the whole tables (the definition)."""

    def rows(table, column, value):
        return table.loc[table[column] == value] if column in table.columns else table.iloc[0:0]

    obs = data.observations
    if kpi_id is not None:
        return {
            "observations": rows(obs, "kpi_id", kpi_id),
            "targets": rows(data.targets, "kpi_id", kpi_id),
            **{name: rows(table, "kpi_id", kpi_id) for name, table in data.results.items()},
        }
    unit = data.units.loc[data.units["unit_code"] == unit_code].iloc[0]
    peers = data.members.loc[data.members["type"] == unit["type"], "unit_code"]
    compared = obs["unit_code"].isin(peers) & obs["kpi_id"].isin(content.key_kpis(data, unit_code))
    read = ("status", "trends", "progress", "comparisons", "slope_tests")
    return {
        "observations": obs.loc[(obs["unit_code"] == unit_code) | compared],
        "targets": rows(data.targets, "unit_code", unit_code),
        **{
            name: rows(table, "unit_code", unit_code) if name in read else table.iloc[0:0]
            for name, table in data.results.items()
        },
    }


def tables(piece) -> dict[str, pd.DataFrame]:
    return {"observations": piece.observations, "targets": piece.targets, **piece.results}


def assert_same(got: dict, want: dict, what) -> None:
    assert list(got) == list(want), what
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_index_type=True, obj=f"{what} {name}")


def test_every_members_slice_is_its_masks(bundled_data):
    for code in bundled_data.members["unit_code"]:
        assert_same(tables(bundled_data.page_slice(unit_code=code)), masked_slice(bundled_data, unit_code=code), code)


def test_every_indicators_slice_is_its_masks(bundled_data):
    """Per KPI the same tables, columns (in order), types, rows and index; the values of all 112 slices compared at
    once per table, in KPI order (comparing frame by frame took 5 s of the fast suite)."""
    got, want = {}, {}
    for kpi_id in bundled_data.catalog["kpi_id"]:
        got[kpi_id] = tables(bundled_data.page_slice(kpi_id=kpi_id))
        want[kpi_id] = masked_slice(bundled_data, kpi_id=kpi_id)
        assert list(got[kpi_id]) == list(want[kpi_id]), kpi_id
        for name, table in want[kpi_id].items():
            mine = got[kpi_id][name]
            pd.testing.assert_series_equal(mine.dtypes, table.dtypes, obj=f"{kpi_id} {name} columns")
            pd.testing.assert_index_equal(mine.index, table.index, exact=True, obj=f"{kpi_id} {name}")
    for name in want[kpi_id]:
        pd.testing.assert_frame_equal(
            pd.concat([got[k][name] for k in got]), pd.concat([want[k][name] for k in want]), obj=name
        )


def test_a_unit_and_its_rows_are_the_masks(bundled_data):
    data = bundled_data
    for code in [*data.members["unit_code"], "0301"]:  # a non-member unit of the registry too
        if code not in set(data.units["unit_code"]):
            continue
        pd.testing.assert_series_equal(data.unit(code), data.units.loc[data.units["unit_code"] == code].iloc[0])
        for name in ("observations", "status", "progress"):
            table = data.observations if name == "observations" else data.results[name]
            want = table.loc[table["unit_code"] == code].reset_index(drop=True)
            pd.testing.assert_frame_equal(data.for_unit(name, code), want)


def test_a_changed_table_gets_new_positions(bundled_data):
    """The positions belong to the table object: a table put in its place is indexed again."""
    data = report_data.ReportData(
        bundled_data.catalog,
        bundled_data.units,
        bundled_data.observations,
        bundled_data.targets,
        bundled_data.results,
        bundled_data.metadata,
    )
    code = data.members["unit_code"].iloc[0]
    before = data.for_unit("observations", code)
    data.observations = data.observations.loc[data.observations["year"] >= 2020]
    after = data.for_unit("observations", code)
    assert len(after) < len(before) and after["year"].min() >= 2020


def test_load_reads_the_tables_pandas_reads(bundled_project):
    """``load`` reads each table in one piece (``DataFrame.from_arrow``); the tables, their types and index are
    those of ``pandas.read_parquet``."""
    report_data._LOADED.clear()
    data = report_data.load(bundled_project / "data" / "processed")
    folder = bundled_project / "data" / "processed"
    for name, table in {**tables(data), "units": data.units, "catalog": data.catalog}.items():
        path = (
            folder / f"{name}.parquet"
            if (folder / f"{name}.parquet").exists()
            else folder / "results" / f"{name}.parquet"
        )
        pd.testing.assert_frame_equal(table, pd.read_parquet(path), check_index_type=True, check_exact=True)
