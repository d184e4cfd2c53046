"""Recipes: a Miljødirektoratet-shaped emissions CSV (long, names without codes, `.` for missing, 2024
borders) read with a few lines of YAML, names resolved to codes, every problem in one report, and the
build's ingest step run again only when a raw file or a recipe changed.

Every expected value is computed by hand from the fixture below; all files are written to tmp_path."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.core.errors import EXIT_BAD_INPUT, InputError
from analysis.ingest.recipe import load_recipe, recipe_for
from analysis.ingest.registry import read_observations
from analysis.process.ingested import STAMP, ingest_raw
from analysis.process.pipeline import in_report_borders
from analysis.reference.catalog import load_catalog
from analysis.validate.observations import validate_observations

VALUE = "Utslipp per innbygger (kg CO2-ekv.)"
EMISSIONS = f"""\
Kommune;År;Sektor;{VALUE}
Porsanger - Porsángu - Porsanki;2022;Totalt;6 543,2
Porsanger - Porsángu - Porsanki;2022;Jordbruk;1 200,0
Trondheim - Tråante;2022;Totalt;2 345,6
Trondheim - Tråante;2023;Totalt;.
Trondheim kommune;2021;Totalt;2 500
Midt-Telemark;2015;Totalt;4 100
Midt-Telemark;2016;Totalt;4 000
Midt-Telemark;2017;Totalt;3 900,5
Midt-Telemark;2018;Totalt;..
Midt-Telemark;2019;Totalt;3 800
"""
RECIPE = f"""\
source: "Miljødirektoratet, klimagassutslipp fra kommuner"
vintage: "2024-06"
files: "utslipp*.csv"
csv: {{separator: ";", decimal: ",", encoding: utf-8}}
columns: {{unit: Kommune, year: År, value: "{VALUE}"}}
units: names
filters: {{Sektor: Totalt}}
factor: 0.001
kpi: "EN:EN:AQ:2C"
kpi_unit: tonnes CO2-equivalent per capita
borders: 2024
missing: [".", ".."]
"""


def _source(folder: Path, data: str = EMISSIONS, recipe: str = RECIPE, name: str = "utslipp.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "recipe.yaml").write_text(recipe, encoding="utf-8")
    path = folder / name
    path.write_text(data, encoding="utf-8")
    return path


def _problems(exc: pytest.ExceptionInfo) -> list[InputError]:
    return getattr(exc.value, "problems", [exc.value])


def test_emissions_csv_becomes_observations_with_codes_filter_and_factor(tmp_path):
    path = _source(tmp_path / "miljo")
    fmt, obs = read_observations(path)  # the registry picks the recipe up for the file it covers
    assert fmt.startswith("recipe recipe.yaml")
    validate_observations(obs, load_catalog(), path)  # the same validation as every other reader
    got = obs.set_index(["unit_code", "year"])
    # 5622 Porsanger (2024 code): 6 543,2 kg -> 6.5432 t; the Jordbruk row is filtered out
    assert got.loc[("5622", 2022), "value"] == pytest.approx(6.5432)
    assert len(obs[obs["unit_code"] == "5622"]) == 1
    assert got.loc[("5001", 2022), "value"] == pytest.approx(2.3456)  # Trondheim - Tråante
    assert got.loc[("5001", 2021), "value"] == pytest.approx(2.5)  # «Trondheim kommune»
    assert pd.isna(got.loc[("5001", 2023), "value"]) and got.loc[("5001", 2023), "status"] == "."
    assert got.loc[("4020", 2017), "value"] == pytest.approx(3.9005)
    assert got.loc[("4020", 2018), "status"] == ".."
    assert got.loc[("5001", 2022), "source_row"] == 4  # the raw file's row (header is row 1)
    assert set(obs["source"]) == {"Miljødirektoratet, klimagassutslipp fra kommuner"}
    assert set(obs["vintage"]) == {"2024-06"} and set(obs["code_year"]) == {2024}
    assert len(obs) == 9  # 10 rows of data, one of them another sector


def test_borders_2024_keeps_midt_telemark_2015_to_2019(tmp_path):
    """Midt-Telemark (4020) did not exist before 2020, but data in 2024 borders is used as it is."""
    path = _source(tmp_path / "miljo")
    _, obs = read_observations(path)
    validate_observations(obs, load_catalog(), path)  # no "did not exist in 2015"
    kept, left_out = in_report_borders(obs, 2024)
    assert sorted(kept.loc[kept["unit_code"] == "4020", "year"]) == [2015, 2016, 2017, 2018, 2019]
    assert left_out.empty


def test_without_borders_names_are_looked_up_in_each_years_registry(tmp_path):
    path = _source(tmp_path / "miljo", recipe=RECIPE.replace("borders: 2024\n", ""))
    with pytest.raises(InputError) as exc:
        read_observations(path)
    rows = {(p.row, p.field) for p in _problems(exc)}
    assert rows == {(r, "Kommune") for r in (7, 8, 9, 10, 11)}  # Midt-Telemark 2015-2019, one error per row
    assert "no municipality named 'Midt-Telemark' in the registry of 2015" in str(exc.value)


def test_unknown_ambiguous_and_bad_values_are_named_together(tmp_path):
    data = f"""\
Kommune;År;Sektor;{VALUE}
Trondhjem;2022;Totalt;2 000
Herøy;2022;Totalt;5 000
Trondheim;2022;Totalt;mye
Herøy;2023;Totalt;5 100
Herøy;2023;Jordbruk;abc
"""
    path = _source(tmp_path / "miljo", data=data)
    with pytest.raises(InputError) as exc:
        read_observations(path)
    problems = _problems(exc)
    assert [(p.row, p.field) for p in problems] == [(2, "Kommune"), (3, "Kommune"), (4, VALUE), (5, "Kommune")]
    assert all(Path(str(p.path)).name == "utslipp.csv" for p in problems)
    assert "'Trondhjem'" in problems[0].reason and "close: Trondheim" in problems[0].reason
    for p in (problems[1], problems[3]):
        assert "ambiguous" in p.reason
        assert "1515 Herøy (Møre og Romsdal)" in p.reason and "1818 Herøy (Nordland)" in p.reason
    assert "'mye' is not a number" in problems[2].reason


def test_a_county_column_or_a_names_map_tells_the_two_heroys_apart(tmp_path):
    data = (
        f"Kommune;Fylke;År;Sektor;{VALUE}\nHerøy;Nordland;2022;Totalt;5 000\nHerøy;Møre og Romsdal;2022;Totalt;7 000\n"
    )
    with_county = RECIPE.replace("columns: {unit: Kommune,", "columns: {county: Fylke, unit: Kommune,")
    _, obs = read_observations(_source(tmp_path / "a", data=data, recipe=with_county))
    assert dict(zip(obs["unit_code"], obs["value"])) == {"1818": pytest.approx(5.0), "1515": pytest.approx(7.0)}

    mapped = RECIPE + "names: {Herøy: '1818'}\n"
    # without the map the plain recipe refuses (no county column in it) ...
    data_b = f"Kommune;År;Sektor;{VALUE}\nHerøy;2022;Totalt;5 000\n"
    with pytest.raises(InputError, match="ambiguous"):
        read_observations(_source(tmp_path / "c", data=data_b))
    # ... and with it the name is the code given
    _, obs = read_observations(_source(tmp_path / "d", data=data_b, recipe=mapped))
    assert obs["unit_code"].tolist() == ["1818"] and obs["value"].tolist() == [pytest.approx(5.0)]


def test_missing_column_names_the_recipe_key_and_the_files_columns(tmp_path):
    recipe = RECIPE.replace(f'value: "{VALUE}"', 'value: "Utslipp (tonn CO2-ekv.)"')
    path = _source(tmp_path / "miljo", recipe=recipe)
    with pytest.raises(InputError) as exc:
        read_observations(path)
    assert exc.value.row == 1 and exc.value.field == "Utslipp (tonn CO2-ekv.)"
    assert "no column 'Utslipp (tonn CO2-ekv.)' (columns.value in recipe.yaml)" in exc.value.reason
    assert f"'{VALUE}'" in exc.value.reason  # the columns the file does have


def test_a_bad_recipe_is_one_report_of_every_problem(tmp_path):
    recipe = RECIPE.replace("units: names", "units: navn").replace("factor: 0.001", "factor: lots")
    recipe = recipe.replace('kpi: "EN:EN:AQ:2C"', 'kpi: "EN:EN:AQ:2C"\nsektor: Totalt')
    recipe = recipe.replace("kpi_unit: tonnes CO2-equivalent per capita", "kpi_unit: kilotonnes")
    (tmp_path / "recipe.yaml").write_text(recipe, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_recipe(tmp_path / "recipe.yaml")
    by_field = {p.field: p for p in _problems(exc)}
    assert set(by_field) == {"sektor", "units", "factor", "kpi_unit"}
    assert "unknown key 'sektor'" in by_field["sektor"].reason
    assert by_field["sektor"].row == 10  # the recipe's own row of the key
    assert "'navn'" in by_field["units"].reason and "'lots'" in by_field["factor"].reason
    assert "'kilotonnes' is not the unit of EN:EN:AQ:2C" in by_field["kpi_unit"].reason


def test_an_unknown_kpi_and_missing_keys_are_refused(tmp_path):
    (tmp_path / "recipe.yaml").write_text('kpi: "XX:YY"\nsource: Meg\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_recipe(tmp_path / "recipe.yaml")
    fields = sorted(p.field for p in _problems(exc))
    assert fields == ["columns", "files", "kpi", "units"]


def test_recipe_covers_only_its_globs(tmp_path):
    path = _source(tmp_path / "miljo")
    other = tmp_path / "miljo" / "notater.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert recipe_for(path) is not None and recipe_for(other) is None
    assert recipe_for(tmp_path / "miljo" / "recipe.yaml") is None


def test_check_and_ingest_pick_the_recipe_up(tmp_path, capsys):
    path = _source(tmp_path / "miljo")
    assert main(["check", str(path)]) == 0
    assert "format:    recipe recipe.yaml" in capsys.readouterr().out
    assert main(["check", str(tmp_path / "miljo" / "recipe.yaml")]) == 0
    out = capsys.readouterr().out
    assert "format:    recipe" in out and "rows:      9 of EN:EN:AQ:2C, 2024 borders" in out
    assert main(["ingest", str(tmp_path / "miljo"), "--out", str(tmp_path / "out")]) == 0
    written = pd.read_parquet(tmp_path / "out" / "miljo__utslipp.csv.parquet")
    assert len(written) == 9 and set(written["unit_code"]) == {"5622", "5001", "4020"}
    (tmp_path / "miljo" / "utslipp.csv").unlink()  # a recipe that covers nothing is a mistake
    assert main(["ingest", str(tmp_path / "miljo"), "--out", str(tmp_path / "out2")]) == EXIT_BAD_INPUT
    assert "covers no file" in capsys.readouterr().err


def test_ingest_names_the_problems_of_every_file_at_once(tmp_path, capsys):
    folder = tmp_path / "miljo"
    _source(folder, data=EMISSIONS.replace("Midt-Telemark;2015", "Midt-Tel;2015"), name="utslipp_a.csv")
    (folder / "utslipp_b.csv").write_text(EMISSIONS.replace("2 345,6", "x"), encoding="utf-8")
    assert main(["ingest", str(folder), "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "utslipp_a.csv, row 7, field 'Kommune'" in err and "utslipp_b.csv, row 4" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# --- the build's ingest step: only when a raw file or a recipe changed -----------------------------------


def _ingest(raw: Path, current: Path, staging: Path) -> tuple[Path, str]:
    shutil.rmtree(staging, ignore_errors=True)
    buf = io.StringIO()
    with redirect_stdout(buf):
        used = ingest_raw(staging, raw_dir=raw, current=current, out=buf)
    return used, buf.getvalue()


def _publish(staging: Path, current: Path) -> None:
    """What build_data does with a new ingested set: it becomes the current one."""
    shutil.rmtree(current, ignore_errors=True)
    shutil.copytree(staging, current)


def test_build_ingest_runs_again_only_when_a_raw_file_or_recipe_changes(tmp_path):
    raw, current, staging = tmp_path / "raw", tmp_path / "current", tmp_path / "staging"
    _source(raw / "miljo")
    used, said = _ingest(raw, current, staging)
    assert used == staging and "ingest: 1 files, 9 rows" in said
    assert (staging / STAMP).is_file() and (staging / "miljo__utslipp.csv.parquet").is_file()
    _publish(staging, current)

    used, said = _ingest(raw, current, staging)
    assert used == current and "unchanged since the last ingest" in said and not staging.exists()

    (raw / "miljo" / "recipe.yaml").write_text(RECIPE.replace("factor: 0.001", "factor: 0.002"), encoding="utf-8")
    used, said = _ingest(raw, current, staging)
    assert used == staging and "ingest: 1 files" in said
    obs = pd.read_parquet(staging / "miljo__utslipp.csv.parquet").set_index(["unit_code", "year"])
    assert obs.loc[("5001", 2022), "value"] == pytest.approx(4.6912)  # 2 345,6 kg x 0.002
    _publish(staging, current)
    assert _ingest(raw, current, staging)[0] == current

    raw_file = raw / "miljo" / "utslipp.csv"
    raw_file.write_text(EMISSIONS.replace("2 345,6", "2 345,7"), encoding="utf-8")
    assert _ingest(raw, current, staging)[0] == staging  # a raw file changed
    _publish(staging, current)
    assert _ingest(raw, current, staging)[0] == current

    (current / "hand__other.parquet").write_bytes(b"")  # the set changed by hand since: made again
    used, said = _ingest(raw, current, staging)
    assert used == staging and "hand__other.parquet is not made from" in said


def test_a_refused_raw_file_writes_nothing(tmp_path):
    raw, current, staging = tmp_path / "raw", tmp_path / "current", tmp_path / "staging"
    _source(raw / "miljo", data=EMISSIONS.replace("Trondheim - Tråante;2022", "Herøy;2022"))
    _source(raw / "andre", data=EMISSIONS.replace("6 543,2", "abc"))
    with pytest.raises(InputError) as exc:
        _ingest(raw, current, staging)
    assert {Path(str(p.path)).parent.name for p in _problems(exc)} == {"miljo", "andre"}  # both sources named
    assert not staging.exists()


@pytest.mark.slow
def test_build_data_ingests_data_raw_and_a_failure_keeps_the_previous_data(tmp_path):
    from analysis.site.sandbox import ROOT, make_project

    network = (
        'members:\n  - {code: "5001", name: Trondheim, type: kommune, county: "50"}\n'
        '  - {code: "4020", name: Midt-Telemark, type: kommune, county: "40"}\n'
        '  - {code: "5622", name: Porsanger, type: kommune, county: "56"}\n'
        'counties: {"40": Telemark, "50": Trøndelag, "56": Finnmark}\n'
    )
    project = make_project(tmp_path / "p", network=network)
    _source(project / "data" / "raw" / "miljo")
    settings = project / "params" / "report.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("data: demo", "data: ingested"), encoding="utf-8")
    env = {**os.environ, "BAEREKRAFT_ROOT": str(project), "BAEREKRAFT_SHARED": str(ROOT.parent / "shared")}

    def build():
        return subprocess.run(
            [sys.executable, "-m", "analysis", "build-data"], cwd=project, env=env, capture_output=True, text=True
        )

    first = build()
    assert first.returncode == 0, first.stderr
    assert "ingest: 1 files, 9 rows" in first.stdout
    processed = project / "data" / "processed"
    obs = pd.read_parquet(processed / "observations.parquet").set_index(["unit_code", "year"])
    assert obs.loc[("4020", 2015), "value"] == pytest.approx(4.1)  # kept: the data is in 2024 borders
    assert obs.loc[("5622", 2022), "value"] == pytest.approx(6.5432)
    again = build()
    assert again.returncode == 0 and "not ingested again" in again.stdout
    before = os.path.realpath(processed)
    (project / "data" / "raw" / "miljo" / "utslipp.csv").write_text(EMISSIONS.replace("2 500", "mye"), encoding="utf-8")
    failed = build()
    assert failed.returncode == EXIT_BAD_INPUT
    assert "utslipp.csv, row 6" in failed.stderr and "'mye'" in failed.stderr
    assert os.path.realpath(processed) == before  # the previous processed data is still the current one
    assert pd.read_parquet(processed / "observations.parquet").set_index(["unit_code", "year"]).equals(obs)
