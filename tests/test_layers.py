"""The package's stages import only from themselves and from earlier stages, in the order the data flows.

core → reference → ingest → validate → process → stats → pages → site → build/cli. A stage that
imports a later one (the statistics reading the pages' vocabulary, a reader importing the build)
fails here, naming the module, the line and the import.
"""

import ast
from pathlib import Path

import analysis

STAGES = ["core", "reference", "ingest", "validate", "process", "stats", "pages", "site"]
TOP = len(STAGES)  # analysis/build.py, analysis/cli.py, analysis/__main__.py orchestrate all stages
PACKAGE = Path(analysis.__file__).parent


def stage_of(module: str) -> int | None:
    """The stage index of ``analysis.<stage>...``; top-level modules are the orchestration layer."""
    parts = module.split(".")
    if parts[0] != "analysis":
        return None
    if len(parts) == 1:
        return 0  # `import analysis` (the version) is core
    return STAGES.index(parts[1]) if parts[1] in STAGES else TOP


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names if node.module == "analysis"]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def test_every_module_belongs_to_a_stage():
    top_level = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top_level == ["__init__.py", "__main__.py", "build.py", "cli.py"]
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(STAGES)


def test_no_stage_imports_a_later_stage():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(("analysis", *path.relative_to(PACKAGE).with_suffix("").parts))
        own = stage_of(module.removesuffix(".__init__"))
        for line, target in imports(path):
            other = stage_of(target)
            if other is not None and other > own:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not wrong, "imports against the data flow:\n" + "\n".join(wrong)


def test_the_layer_check_sees_a_backward_import(tmp_path):
    """The check itself can fail: a stats module importing the pages is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from analysis.pages.present import fmt_number\n", encoding="utf-8")
    assert [stage_of(t) for _, t in imports(bad)] == [STAGES.index("pages")]
    assert stage_of("analysis.stats.trends") < stage_of("analysis.pages.present")
