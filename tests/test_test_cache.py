"""The session fixtures' cache (``tests/conftest.py``) is keyed by the code that made an entry: a change to that
code, to an input or to the libraries makes it again; a change to a later stage does not."""

from conftest import PACKAGE, code_of, inputs_digest
from test_layers import STAGES


def test_a_stage_reaches_itself_the_earlier_stages_and_the_top():
    ingest = code_of("ingest")
    assert [p.name for p in ingest if p.is_dir()] == ["core", "reference", "ingest"]
    assert {p.name for p in ingest if p.is_file()} == {"__init__.py", "__main__.py", "build.py", "cli.py"}
    assert [p.name for p in code_of("stats") if p.is_dir()] == STAGES[: STAGES.index("stats") + 1]
    assert not any(p.name in ("pages", "site") for p in code_of("stats"))


def test_the_key_changes_with_the_inputs_and_the_code_it_covers(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n")
    stats = code_of("stats")
    key = inputs_digest(data, code=stats)
    assert inputs_digest(data, code=stats) == key
    data.write_text("a\n2\n")
    assert inputs_digest(data, code=stats) != key
    # a module of a stage the fixture runs is part of the key; one of a later stage is not
    fake_stats = tmp_path / "analysis" / "stats"
    fake_stats.mkdir(parents=True)
    (fake_stats / "m.py").write_text("x = 1\n")
    before = inputs_digest(data, code=(*stats, fake_stats))
    (fake_stats / "m.py").write_text("x = 2\n")
    assert inputs_digest(data, code=(*stats, fake_stats)) != before
    assert PACKAGE / "pages" not in stats and PACKAGE / "site" in code_of("site")
