"""What the reuse of executed notebooks depends on: the pages' code and what it imports, not a reader."""

from analysis.build import page_code_files
from analysis.core import config


def rel(paths):
    return {str(p.relative_to(config.PACKAGE_DIR)) for p in paths}


def test_page_code_is_the_pages_stage_and_what_it_imports():
    files = rel(page_code_files())
    assert {"pages/content.py", "pages/present.py", "pages/figures.py", "core/schema.py", "__init__.py"} <= files
    assert "stats/progress.py" in files  # the pages pick the badge rows with it
    assert not {f for f in files if f.startswith(("ingest/", "process/", "validate/", "site/"))}
    assert "build.py" not in files and "cli.py" not in files


def test_an_import_is_followed_through_the_package(tmp_path, monkeypatch):
    """A fake package whose page imports a helper: the helper is found, an unrelated module is not."""
    pkg = tmp_path / "analysis"
    (pkg / "pages").mkdir(parents=True)
    (pkg / "util").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "pages" / "__init__.py").write_text("")
    (pkg / "pages" / "page.py").write_text("from analysis.util.helper import f\n")
    (pkg / "util" / "__init__.py").write_text("")
    (pkg / "util" / "helper.py").write_text("import os\n")
    (pkg / "util" / "reader.py").write_text("")
    monkeypatch.setattr(config, "PACKAGE_DIR", pkg)
    files = {str(p.relative_to(pkg)) for p in page_code_files()}
    assert files == {"__init__.py", "pages/__init__.py", "pages/page.py", "util/__init__.py", "util/helper.py"}
