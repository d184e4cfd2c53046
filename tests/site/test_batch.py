import nbformat
import pytest

from analysis.core import config
from analysis.core.errors import ParameterError
from analysis.site import batch
from analysis.site.batch import check_parameters, parameter_spec

MUNICIPALITY = config.NOTEBOOKS_DIR / "municipality.ipynb"


def test_templates_declare_typed_parameters():
    assert parameter_spec(MUNICIPALITY) == {"unit_code": str, "lang": str}
    assert parameter_spec(config.NOTEBOOKS_DIR / "network.ipynb") == {"highlight_n": int, "lang": str}


def test_municipality_code_as_int_is_refused_before_running():
    with pytest.raises(ParameterError, match="'unit_code' must be str, got int 301"):
        check_parameters(MUNICIPALITY, {"unit_code": 301})


def test_unknown_parameter_is_refused():
    with pytest.raises(ParameterError, match="unknown parameter 'kommune'"):
        check_parameters(MUNICIPALITY, {"kommune": "0301"})


def test_bool_is_not_an_int():
    with pytest.raises(ParameterError, match="must be int"):
        check_parameters(config.NOTEBOOKS_DIR / "network.ipynb", {"highlight_n": True})


def test_untyped_parameter_cell_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell("unit_code = '5001'")
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ParameterError, match="must be 'name: type = default'"):
        parameter_spec(path)


def test_a_kernel_that_dies_at_start_is_retried_but_a_notebook_error_is_not(monkeypatch, tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    calls = []

    def flaky(input_path, output_path, **kwargs):
        calls.append(output_path)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    monkeypatch.setattr(batch.time, "sleep", lambda s: None)
    job = batch.Job(MUNICIPALITY, tmp_path / "site" / "x.ipynb", {"unit_code": "5001"}, title="X")
    result = batch._execute(job, str(tmp_path / "_failed"))
    assert result.ok and len(calls) == 2 and job.output.exists()

    def failing(input_path, output_path, **kwargs):
        calls.append(output_path)
        raise PapermillExecutionError(
            cell_index=3, exec_count=3, source="x", ename="ValueError", evalue="bad data", traceback=[]
        )

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", failing)
    result = batch._execute(job, str(tmp_path / "_failed"))
    assert not result.ok and len(calls) == 1 and result.error == "ValueError: bad data"


def test_the_longest_pages_of_the_last_run_start_first_new_pages_before_them(tmp_path):
    """Two workers and a changed value: the front pages (slowest) start together, not one after the short ones."""
    jobs = {
        name: batch.Job(MUNICIPALITY, tmp_path / f"{name}.ipynb", {"unit_code": code})
        for name, code in (("short", "1"), ("front", "2"), ("new", "3"), ("medium", "4"), ("short2", "5"))
    }
    index = {
        batch._page_key(jobs["short"]): {"seconds": 1.2},
        batch._page_key(jobs["front"]): {"seconds": 6.5},
        batch._page_key(jobs["medium"]): {"seconds": 2.0},
        batch._page_key(jobs["short2"]): {"seconds": 1.2},
    }
    order = [job.output.stem for job in batch.longest_first(list(jobs.values()), index)]
    assert order == ["new", "front", "medium", "short", "short2"]
    assert batch.longest_first(list(jobs.values()), {}) == list(jobs.values())  # a cold build: as given
