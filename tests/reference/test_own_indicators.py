"""The network's own indicators (params/indicators.yaml): validated like the catalog, joined to it, shown
on the pages as the network's own and never as U4SSC's, with hostile names escaped on the page and in the CSV.

Everything is built from the test's own small network and data, not the configured one.
"""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import InputError, InputErrors
from analysis.pages import content
from analysis.pages.present import csv_cells
from analysis.pages.report_data import ReportData
from analysis.reference.catalog import load_catalog
from analysis.reference.indicators import full_catalog, load_own_indicators
from analysis.reference.members import load_units
from analysis.site import downloads, navigation
from analysis.site.sandbox import make_project
from analysis.stats.results import compute_all
from tests.network_helpers import write_network

GOOD = """\
  - code: imdi-bosatte
    name_nb: Bosatte flyktninger
    name_en: Refugees settled
    unit: personer
    direction: higher_is_better
    sdg_goals: [10, 16]
    dimension: Samfunn og kultur
    source: IMDi, bosetting
"""


def _write(tmp_path, body: str, name="indicators.yaml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _problems(path) -> list[InputError]:
    with pytest.raises(InputError) as caught:
        load_own_indicators(path)
    exc = caught.value
    return exc.problems if isinstance(exc, InputErrors) else [exc]


def test_a_valid_file_joins_the_catalog_as_own(tmp_path):
    cat = full_catalog(_write(tmp_path, "indicators:\n" + GOOD))
    u4ssc = load_catalog()
    assert len(cat) == len(u4ssc) + 1
    assert (cat["origin"] == "u4ssc").sum() == len(u4ssc)
    row = cat.set_index("kpi_id").loc["imdi-bosatte"]
    assert row["origin"] == "own"
    assert row["dimension"] == "Society and Culture" and row["dimension_nb"] == "Samfunn og kultur"
    assert row["sdg_goals"] == "10;16" and row["source"] == "IMDi, bosetting" and row["slug"] == "imdi-bosatte"
    assert row["formula"] == ""
    # the U4SSC rows are as the committed catalog has them
    pd.testing.assert_frame_equal(cat.iloc[: len(u4ssc)][u4ssc.columns].reset_index(drop=True), u4ssc)


def test_no_file_means_no_own_indicators(tmp_path):
    assert len(full_catalog(tmp_path / "absent.yaml")) == len(load_catalog())


def test_the_combined_catalog_follows_the_files_and_hands_out_copies(tmp_path):
    """It is made once per content of the two files: an edit of either is seen at the next call, and a caller
    that changes its copy changes no one else's."""
    catalog = tmp_path / "catalog.csv"
    catalog.write_bytes(config.CATALOG_CSV.read_bytes())
    own = tmp_path / "indicators.yaml"
    first = full_catalog(own, catalog)
    assert (first["origin"] == "u4ssc").all()
    first.loc[0, "name_nb"] = "changed by a caller"
    assert full_catalog(own, catalog).loc[0, "name_nb"] == load_catalog().loc[0, "name_nb"]
    own.write_text("indicators:\n" + GOOD, encoding="utf-8")
    assert "imdi-bosatte" in set(full_catalog(own, catalog)["kpi_id"])
    catalog.write_text(
        config.CATALOG_CSV.read_text(encoding="utf-8").replace("Husholdninger med internettilgang", "Nytt navn"),
        encoding="utf-8",
    )
    names = full_catalog(own, catalog).set_index("kpi_id")["name_nb"]
    assert names["EC:ICT:ICT:1C"] == "Nytt navn"
    catalog.write_text("kpi_id\nEC:ICT:ICT:1C\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns"):
        full_catalog(own, catalog)
    os.mkfifo(tmp_path / "pipe.csv")  # not a regular file: refused by the reader, never read for a digest
    with pytest.raises(InputError, match="not a regular file"):
        full_catalog(own, tmp_path / "pipe.csv")


@pytest.mark.parametrize(
    "entry, field, words",
    [
        (
            "{code: EN:EN:AQ:2C, name_nb: X, unit: t, direction: lower_is_better, sdg_goals: [13], dimension: Miljø,"
            " source: S}",
            "code",
            "is a U4SSC code",
        ),
        (
            "{code: 'XX:YY:ZZ:1', name_nb: X, unit: t, direction: lower_is_better, sdg_goals: [13], dimension: Miljø,"
            " source: S}",
            "code",
            "pattern of a U4SSC code",
        ),
        (
            "{code: Stor Kode, name_nb: X, unit: t, direction: lower_is_better, sdg_goals: [13], dimension: Miljø,"
            " source: S}",
            "code",
            "not an own code",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: sideways, sdg_goals: [13], dimension: Miljø, source: S}",
            "direction",
            "unknown direction 'sideways'",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: unknown, sdg_goals: [13], dimension: Klima, source: S}",
            "dimension",
            "unknown dimension 'Klima'",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: unknown, sdg_goals: [18], dimension: Miljø, source: S}",
            "sdg_goals",
            "SDG 18 is outside 1-17",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: unknown, sdg_goals: [0], dimension: Miljø, source: S}",
            "sdg_goals",
            "SDG 0 is outside 1-17",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: unknown, sdg_goals: [1], dimension: Miljø, source: S,"
            " formula: {per_1000_inhabitants: finnes-ikke}}",
            "formula",
            "unknown series 'finnes-ikke'",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: unknown, sdg_goals: [1], dimension: Miljø, source: S,"
            " formula: {per_km2: imdi-bosatte}}",
            "formula",
            "unknown formula 'per_km2'",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: unknown, sdg_goals: [1], dimension: Miljø, source: S,"
            " formula: {share: [imdi-bosatte]}}",
            "formula",
            "share needs [numerator, denominator]",
        ),
        (
            "{code: a, unit: t, direction: unknown, sdg_goals: [1], dimension: Miljø, source: S}",
            "name_nb",
            "name_nb is missing",
        ),
        (
            "{code: a, name_nb: X, unit: t, direction: unknown, sdg_goals: [1], dimension: Miljø, source: S, "
            "colour: red}",
            "colour",
            "unknown field 'colour'",
        ),
    ],
)
def test_each_bad_entry_is_named_with_its_field_and_reason(tmp_path, entry, field, words):
    path = _write(tmp_path, "indicators:\n" + GOOD + f"  - {entry}\n")
    problems = _problems(path)
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert p.field == field and words in p.reason and "indicator 2" in p.reason
    assert p.row == 10  # the entry's line in the file (GOOD is lines 2-9)
    assert str(path) in str(p)


def test_several_problems_in_one_report_and_a_duplicate_code(tmp_path):
    body = (
        "indicators:\n"
        + GOOD
        + GOOD
        + "  - {code: b, name_nb: Y, unit: t, direction: up, sdg_goals: [99], dimension: Rom, source: S}\n"
    )
    problems = _problems(_write(tmp_path, body))
    reasons = [(p.field, p.reason) for p in problems]
    assert len(problems) == 4, reasons
    assert any(f == "code" and "duplicate code 'imdi-bosatte' (also indicator 1)" in r for f, r in reasons)
    assert {f for f, _ in reasons} == {"code", "direction", "sdg_goals", "dimension"}


def test_a_formula_over_a_derived_series_is_refused(tmp_path):
    body = (
        "indicators:\n"
        + GOOD
        + (
            "  - {code: per-1000, name_nb: P, unit: per 1 000, direction: unknown, sdg_goals: [10],"
            " dimension: Miljø, source: S, formula: {per_1000_inhabitants: imdi-bosatte}}\n"
            "  - {code: per-per, name_nb: PP, unit: x, direction: unknown, sdg_goals: [10],"
            " dimension: Miljø, source: S, formula: {per_1000_inhabitants: per-1000}}\n"
        )
    )
    (problem,) = _problems(_write(tmp_path, body))
    assert problem.field == "formula" and "itself derived" in problem.reason and "indicator 3" in problem.reason


# --- on the pages ------------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> *fet* [x](y)"
FORMULA_NAME = "=cmd|' /C calc'!A0"
PAGE_YAML = f"""\
indicators:
  - code: hostil
    name_nb: "{HOSTILE}"
    unit: personer
    direction: higher_is_better
    sdg_goals: [10]
    dimension: Samfunn og kultur
    source: "<b>IMDi</b> [kilde](javascript:x)"
  - code: utslipp
    name_nb: "{FORMULA_NAME}"
    unit: tonn
    direction: lower_is_better
    sdg_goals: [13]
    dimension: Miljø
    source: Miljødirektoratet
  - code: utslipp-per-1000
    name_nb: Utslipp per 1 000 innbyggere
    unit: tonn per 1 000 innbyggere
    direction: lower_is_better
    sdg_goals: [13]
    dimension: Miljø
    source: Miljødirektoratet og SSB
    formula: {{per_1000_inhabitants: utslipp}}
"""


@pytest.fixture(scope="module")
def own_site(tmp_path_factory):
    from analysis.process.derived import derive

    tmp = tmp_path_factory.mktemp("own")
    network = write_network(
        tmp,
        [
            {"code": "5001", "name": "Trondheim", "type": "kommune", "county": "50"},
            {"code": "1506", "name": "Molde", "type": "kommune", "county": "15"},
            {"code": "1508", "name": "Ålesund", "type": "kommune", "county": "15"},
        ],
        {"15": "Møre og Romsdal", "50": "Trøndelag"},
    )
    units = load_units(network)
    catalog = full_catalog(_write(tmp, PAGE_YAML))
    rng = np.random.default_rng(11)
    obs = pd.DataFrame(
        [
            {
                "unit_code": u,
                "year": y,
                "kpi_id": k,
                "value": float(100 + 3 * (y - 2015) + rng.integers(0, 5)),
                "status": "",
                "source": "Testkilde",
                "vintage": "2025-01-01",
                "note": "",
            }
            for u in ("5001", "1506", "1508")
            for k in ("hostil", "utslipp")
            for y in range(2015, 2025)
        ]
    )
    pop = pd.DataFrame(
        {
            "unit_code": ["5001", "1506", "1508"] * 2,
            "year": [2023] * 3 + [2024] * 3,
            "population": [210000.0, 32000.0, 67000.0, 212000.0, 32100.0, 67100.0],
            "source": "SSB",
        }
    )
    obs = pd.concat([obs, derive(obs, catalog, pop)], ignore_index=True)
    results = compute_all(obs, catalog, units, None, report_year=2024)
    own = ["hostil", "utslipp", "utslipp-per-1000"]
    data = ReportData(
        catalog,
        units,
        obs,
        pd.DataFrame(columns=["kpi_id", "unit_code", "target", "target_year", "band_low", "band_high", "source"]),
        results,
        {"report_year": 2024, "indicator_pages": own},
    )
    return data, catalog


def _own_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "hostil" in ln or "&#60;script" in ln or "utslipp" in ln.lower()]


def test_an_own_indicator_reaches_the_member_table_escaped_and_never_called_u4ssc(own_site):
    data, _ = own_site
    text = content.kpi_tables_markdown(data, "1506")
    assert "<script>" not in text and "](y)" not in text and "](javascript" not in text and "<b>" not in text
    assert "&#60;script&#62;alert(1)&#60;/script&#62; &#42;fet&#42; &#91;x&#93;(y)" in text  # the text, literally
    row = next(ln for ln in text.splitlines() if ln.startswith("| ") and "&#60;script" in ln)
    assert "nettverkets egen indikator" in row and "indikatorer/hostil.html" in row
    for line in _own_lines(text):
        assert "U4SSC" not in line, line
    # the derived indicator's note: formula and population source in Norwegian, and the years left out
    assert "folkemengde × 1\xa0000" in text and "SSB, tabell 07459" in text
    assert "utelatt 2015–2022 (folkemengden for året finnes ikke" in text  # population given for 2023 and 2024 only
    assert "Nettverkets egne indikatorer i tabellen" in text


def test_an_own_indicator_page_says_own_and_its_source(own_site):
    data, _ = own_site
    intro = content.indicator_intro(data, "hostil")
    assert "U4SSC" not in intro
    assert "Nettverkets egen indikator" in intro and "Samfunn og kultur › Nettverkets egne indikatorer" in intro
    assert "<b>" not in intro and "&#60;b&#62;IMDi" in intro and "](javascript" not in intro
    derived = content.indicator_intro(data, "utslipp-per-1000")
    assert "Beregning" in derived and "folkemengde × 1\xa0000" in derived and "SSB, tabell 07459" in derived
    assert "U4SSC" not in content.indicator_table_markdown(data, "utslipp-per-1000")
    # its values are the hand-computable ones: Molde 2024 = utslipp / 32 100 × 1000
    obs = data.observations
    raw = obs.loc[(obs["kpi_id"] == "utslipp") & (obs["unit_code"] == "1506") & (obs["year"] == 2024), "value"].item()
    rate = obs.loc[(obs["kpi_id"] == "utslipp-per-1000") & (obs["unit_code"] == "1506") & (obs["year"] == 2024)]
    assert rate["value"].item() == pytest.approx(raw / 32100 * 1000)


def test_the_indicators_page_lists_own_indicators_as_own(own_site):
    _, catalog = own_site
    own = catalog.loc[catalog["origin"] == "own"]
    html = navigation.indicators_page(own)
    assert "<script>alert" not in html and "&#60;script&#62;alert" in html
    assert html.count("nettverkets egen indikator") == 3 and "U4SSC" not in html


def test_the_indicator_download_makes_a_formula_name_inert_and_is_not_u4ssc(own_site):
    data, _ = own_site
    table = csv_cells(downloads.indicator_download(data, "utslipp", downloads.Provenance(data), "params/targets.csv"))
    names = set(table["Indikator"])
    assert names == {"'" + FORMULA_NAME}
    text = table.to_csv(index=False)
    assert "U4SSC" not in text and "Nettverkets egen indikator" in text and "Miljødirektoratet" in text


# --- check and ingest accept a declared own code, and refuse an undeclared one ---------------------------------


@pytest.mark.slow  # three `python -m analysis check` processes on a copy of the project
def test_check_accepts_a_declared_own_code_and_refuses_an_undeclared_one(tmp_path):
    project = make_project(tmp_path / "p")
    _write(project / "params", "indicators:\n" + GOOD)
    obs = pd.DataFrame(
        {
            "unit_code": ["5001", "1505"],
            "year": [2023, 2023],
            "kpi_id": ["imdi-bosatte", "ukjent-kode"],
            "value": [31.0, 4.0],
            "status": ["", ""],
            "source": ["IMDi"] * 2,
            "vintage": ["2024"] * 2,
        }
    ).astype({"year": "int64"})
    good, bad = tmp_path / "good.parquet", tmp_path / "bad.parquet"
    obs.iloc[:1].to_parquet(good, index=False)
    obs.to_parquet(bad, index=False)
    env = {
        **os.environ,
        "BAEREKRAFT_ROOT": str(project),
        "BAEREKRAFT_SHARED": str(config.SHARED_DIR),
        "PYTHONPATH": str(config.PACKAGE_DIR.parent),
    }

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "analysis", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
        )

    ok = run("check", str(good))
    assert ok.returncode == 0, ok.stderr
    refused = run("check", str(bad))
    assert refused.returncode == 2
    assert "unknown kpi_id 'ukjent-kode' (not in the catalog" in refused.stderr and "imdi-bosatte" not in refused.stderr
    params = run("check", str(project / "params" / "indicators.yaml"))
    assert params.returncode == 0 and "own indicators" in params.stdout, params.stderr
