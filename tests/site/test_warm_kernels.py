"""Warm kernels: notebooks share a worker's kernel, and nothing a page does reaches the next page."""

import json

import nbformat
import pytest
from notebook_helpers import notebook, printed
from processed_helpers import write_processed

from analysis.site.batch import Job, run_jobs

pytestmark = pytest.mark.slow  # starts real kernels

# A page that changes everything a page can change, and prints its kernel's process id.
LEAKY = """
import os, sys, warnings
import matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd
secret = "left behind"
matplotlib.rcParams["lines.linewidth"] = 9.5
pd.set_option("display.max_rows", 3)
np.seterr(all="raise")
warnings.simplefilter("error")
os.environ["LEAK"] = "1"
sys.path.insert(0, "/leak")
plt.figure()
os.chdir("/")
print(os.getpid())
"""

# A page that reports what it finds.
PROBE = """
import json, os, sys, warnings
import matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd
print(json.dumps({
    "pid": os.getpid(),
    "secret": "secret" in globals(),
    "linewidth": matplotlib.rcParams["lines.linewidth"],
    "max_rows": pd.get_option("display.max_rows"),
    "numpy": np.geterr()["divide"],
    "warnings_error": any(f[0] == "error" and f[2] is Warning for f in warnings.filters),
    "env": "LEAK" in os.environ,
    "path": "/leak" in sys.path,
    "figures": len(plt.get_fignums()),
    "cwd": os.getcwd(),
}))
"""

FAILING = "raise ValueError('this page fails')"


def test_a_page_finds_the_kernel_as_new_although_it_is_the_same(tmp_path):
    leaky = notebook(tmp_path / "leaky.ipynb", LEAKY)
    probe = notebook(tmp_path / "probe.ipynb", PROBE)
    site = tmp_path / "site"
    jobs = [Job(leaky, site / "a.ipynb"), Job(probe, site / "b.ipynb")]
    results = run_jobs(jobs, 1, tmp_path / "_failed", warm=True)
    assert all(r.ok for r in results), [r.error for r in results]
    found = json.loads(printed(site / "b.ipynb"))
    assert found.pop("pid") == int(printed(site / "a.ipynb"))  # the same kernel ran both pages
    assert found == {
        "secret": False,
        "linewidth": 1.5,
        "max_rows": 60,
        "numpy": "warn",
        "warnings_error": False,
        "env": False,
        "path": False,
        "figures": 0,
        "cwd": str(tmp_path),
    }
    # numbered as in a new kernel: the execution counts do not run on from the previous page
    counts = [c.execution_count for c in nbformat.read(site / "b.ipynb", as_version=4).cells if c.cell_type == "code"]
    assert counts == [1, 2]  # the parameters cell, the probe


def test_warm_and_cold_kernels_give_the_same_page(tmp_path):
    probe = notebook(tmp_path / "probe.ipynb", PROBE.replace('"pid": os.getpid(),', ""))
    for warm in (True, False):
        results = run_jobs([Job(probe, tmp_path / str(warm) / "p.ipynb")], 1, tmp_path / "_failed", warm=warm)
        assert results[0].ok, results[0].error
    assert (tmp_path / "True" / "p.ipynb").read_bytes() == (tmp_path / "False" / "p.ipynb").read_bytes()


def test_after_a_failing_page_the_next_gets_a_new_kernel(tmp_path):
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    failing = notebook(tmp_path / "failing.ipynb", FAILING)
    site = tmp_path / "site"
    jobs = [Job(pid, site / "1.ipynb"), Job(failing, site / "2.ipynb"), Job(pid, site / "3.ipynb")]
    results = run_jobs(jobs, 1, tmp_path / "_failed", warm=True)
    assert [r.ok for r in results] == [True, False, True]
    assert "ValueError: this page fails" in results[1].error
    assert printed(site / "1.ipynb") != printed(site / "3.ipynb")


def test_the_processed_tables_stay_loaded_and_a_pages_change_does_not_reach_the_next(tmp_path):
    """The tables ``report_data.load`` read survive the reset (that is what saves the time), and what one
    page does to them the next page does not see."""
    processed = write_processed(tmp_path / "processed")
    changer = f"""
from analysis.pages import report_data
d = report_data.load({str(processed)!r})
d.observations.loc[0, "value"] = -999.0
d.results["trends"].loc[0, "slope"] = 42.0
d.metadata["vintages"].append("changed")
print("ok")
"""
    reader = f"""
import json
from analysis.pages import report_data
kept = len(report_data._LOADED)
d = report_data.load({str(processed)!r})
found = [kept, d.observations["value"].tolist(), d.results["trends"]["slope"].tolist(), d.metadata["vintages"]]
print(json.dumps(found))
"""
    site = tmp_path / "site"
    jobs = [Job(notebook(tmp_path / "a.ipynb", changer), site / "a.ipynb")]
    jobs.append(Job(notebook(tmp_path / "b.ipynb", reader), site / "b.ipynb"))
    results = run_jobs(jobs, 1, tmp_path / "_failed", warm=True)
    assert all(r.ok for r in results), [r.error for r in results]
    assert json.loads(printed(site / "b.ipynb")) == [1, [1.5, 2.5], [1.0], ["v1"]]
