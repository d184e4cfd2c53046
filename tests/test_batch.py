import nbformat
import pytest

from analysis import config
from analysis.batch import check_parameters, parameter_spec
from analysis.errors import ParameterError

MUNICIPALITY = config.NOTEBOOKS_DIR / "municipality.ipynb"


def test_templates_declare_typed_parameters():
    assert parameter_spec(MUNICIPALITY) == {"unit_code": str}
    assert parameter_spec(config.NOTEBOOKS_DIR / "network.ipynb") == {"highlight_n": int}


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
    cell = nbformat.v4.new_code_cell("unit_code = '5001'")
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ParameterError, match="must be 'name: type = default'"):
        parameter_spec(path)
