"""Real data path: a member's U4SSC submission is checked, ingested and becomes the report's data."""

import os
import subprocess
import sys

import pandas as pd
import pytest
from site_helpers import ROOT, make_project

pytestmark = pytest.mark.slow  # check, ingest and build-data in a copy of the project (about half a minute)

SUBMISSION = """\
municipality_code,year,kpi_code,data_point,kpi_name_nb,value,unit,source,comment
3024,2022,EC: ICT: ICT: 1C,,Husholdninger med internettilgang,"97,1",% av husholdningene,SSB,
3201,2024,EC: ICT: ICT: 1C,,Husholdninger med internettilgang,97.9,% av husholdningene,SSB,
3201,2024,EN: EN: AQ: 1C,PM2.5,Luftforurensning: PM2.5,..,µg/m³ årsmiddel,NILU,ikke målt
5001,2024,EC: ICT: ICT: 1C,,Husholdninger med internettilgang,98.4,% av husholdningene,SSB,
1507,2022,EC: ICT: ICT: 1C,,Husholdninger med internettilgang,96.5,% av husholdningene,SSB,
1508,2024,EC: ICT: ICT: 1C,,Husholdninger med internettilgang,96.9,% av husholdningene,SSB,
0220,2019,EC: ICT: ICT: 1C,,Husholdninger med internettilgang,95.0,% av husholdningene,SSB,
"""


def _run(project, *args):
    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(ROOT.parent / "shared")}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def test_submission_is_ingested_in_2024_borders_and_feeds_the_statistics(tmp_path):
    project = make_project(
        tmp_path,
        network=(
            'members:\n  - {code: "3201", name: Bærum, type: kommune, county: "32"}\n'
            '  - {code: "5001", name: Trondheim, type: kommune, county: "50"}\n'
            '  - {code: "1508", name: Ålesund, type: kommune, county: "15"}\n'
            '  - {code: "3203", name: Asker, type: kommune, county: "32"}\n'
            'counties: {"15": Møre og Romsdal, "32": Akershus, "50": Trøndelag}\n'
        ),
    )
    inbox = project / "data" / "raw" / "submissions"
    inbox.mkdir()
    (inbox / "baerum_trondheim.csv").write_text(SUBMISSION, encoding="utf-8")
    settings = project / "params" / "report.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("data: demo", "data: ingested"), encoding="utf-8")

    checked = _run(project, "check", str(inbox / "baerum_trondheim.csv"))
    assert checked.returncode == 0, checked.stderr
    assert "format:    u4ssc" in checked.stdout
    ingested = _run(project, "ingest", str(inbox))
    assert ingested.returncode == 0, ingested.stderr
    built = _run(project, "build-data")
    assert built.returncode == 0, built.stderr

    obs = pd.read_parquet(project / "data" / "processed" / "observations.parquet")
    baerum = obs[obs["unit_code"] == "3201"].set_index(["year", "kpi_id"])
    assert baerum.loc[(2022, "EC:ICT:ICT:1C"), "value"] == 97.1  # reported as 3024, the code of 2022
    assert pd.isna(baerum.loc[(2024, "EN:EN:AQ:1C:PM2.5"), "value"])
    assert baerum.loc[(2024, "EN:EN:AQ:1C:PM2.5"), "status"] == ".."
    # a split: Ålesund 1507 (2020-23) included Haram; its value continues as 1508 with the break noted
    alesund = obs[obs["unit_code"] == "1508"].set_index("year")
    assert alesund.loc[2022, "value"] == 96.5 and "brudd i serien" in alesund.loc[2022, "note"]
    assert alesund.loc[2024, "note"] == ""
    # a merger: Asker 0220 in 2019 was only a part of today's 3203, so its share is left out: no value, a row
    # that says why (shown on Asker's page)
    asker = obs[obs["unit_code"] == "3203"]
    assert asker["value"].isna().all() and (asker["status"] == "..").all() and (asker["year"] == 2019).all()
    assert set(asker["note"]) == {"utelatt: merged 0220 2019"}
    assert "0220 2019 left out: merged in a reform" in built.stdout
    status = pd.read_parquet(project / "data" / "processed" / "results" / "status.parquet")
    row = status[(status["unit_code"] == "5001") & (status["kpi_id"] == "EC:ICT:ICT:1C")].iloc[0]
    assert row["value"] == 98.4 and row["year"] == 2024
    raw = (inbox / "baerum_trondheim.csv").read_text(encoding="utf-8")
    assert raw == SUBMISSION  # raw files are never modified


def test_bad_submission_is_refused_and_nothing_is_written(tmp_path):
    project = make_project(tmp_path)
    inbox = project / "data" / "raw" / "submissions"
    inbox.mkdir()
    (inbox / "bad.csv").write_text(SUBMISSION.replace('"97,1"', "107"), encoding="utf-8")
    result = _run(project, "ingest", str(inbox))
    assert result.returncode == 2  # bad input, not a bug (1)
    assert "bad.csv, row 2, field 'value'" in result.stderr and "above 100" in result.stderr
    assert not (project / "data" / "processed" / "ingested").exists()
