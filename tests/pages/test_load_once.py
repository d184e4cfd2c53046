"""``report_data.load`` reads the processed tables once per process, and no page's change reaches another.

A warm kernel runs hundreds of pages; each gets tables of its own (pandas' copy-on-write), and new files
are read again. Built on a tiny processed folder of the test's own.
"""

import os

import pandas as pd
import pytest
from processed_helpers import write_processed

from analysis.pages import report_data


@pytest.fixture
def processed(tmp_path):
    report_data._LOADED.clear()
    yield write_processed(tmp_path / "processed")
    report_data._LOADED.clear()


def test_the_second_load_reads_nothing_and_gets_tables_of_its_own(processed, monkeypatch):
    first = report_data.load(processed)
    first.observations.loc[0, "value"] = -999.0  # a page that changes what it was given
    first.observations["extra"] = 1
    first.results["trends"].loc[0, "slope"] = 42.0
    first.metadata["vintages"].append("changed")
    del first.units["name"]

    def no_reading(*args, **kwargs):
        raise AssertionError("read again although the files are the same")

    monkeypatch.setattr(pd, "read_parquet", no_reading)
    second = report_data.load(processed)
    assert second.observations["value"].tolist() == [1.5, 2.5]
    assert "extra" not in second.observations.columns and "name" in second.units.columns
    assert second.results["trends"]["slope"].tolist() == [1.0]
    assert second.metadata["vintages"] == ["v1"]


def test_new_files_are_read_again(processed):
    assert report_data.load(processed).observations["value"].tolist() == [1.5, 2.5]
    stamp = (processed / "observations.parquet").stat().st_mtime_ns
    write_processed(processed, value=7.0)  # a new build
    os.utime(processed / "observations.parquet", ns=(stamp + 10**9, stamp + 10**9))  # a coarse clock
    assert report_data.load(processed).observations["value"].tolist() == [7.0, 2.5]
    assert len(report_data._LOADED) == 1  # only the latest tables are kept
