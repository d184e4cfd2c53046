"""The batch on a Dask cluster of two local workers: every notebook runs once, failures stay their own."""

import pytest
from notebook_helpers import notebook, printed

from analysis.site.batch import Job, run_jobs
from analysis.site.cluster import dask_executor

pytestmark = pytest.mark.slow  # starts a cluster and kernels


def test_a_batch_on_two_dask_workers(tmp_path):
    # imported here, not when the module is collected: every process of `make test-fast` paid 0.5 s for it
    distributed = pytest.importorskip("distributed")  # a dependency of the project: installed by `make test`
    # each page prints its number and the process that runs its kernel (the Dask worker)
    page = notebook(
        tmp_path / "page.ipynb",
        parameters="n: int = 0",
        source="import os, time\ntime.sleep(0.5)\nprint(n, os.getppid())",
    )
    failing = notebook(
        tmp_path / "failing.ipynb", parameters="n: int = 0", source="raise RuntimeError('page 99 fails')"
    )
    site = tmp_path / "site"
    jobs = [Job(page, site / f"p{i}.ipynb", {"n": i}, label=f"p{i}") for i in range(6)]
    jobs.append(Job(failing, site / "failing.ipynb", label="failing"))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with dask_executor(cluster.scheduler_address) as executor:  # as for a scheduler on another machine
            results = run_jobs(jobs, 2, tmp_path / "_failed", executor=executor)
    by_label = {r.job.label: r for r in results}
    assert len(results) == 7 and not by_label["failing"].ok
    assert "RuntimeError: page 99 fails" in by_label["failing"].error
    assert (tmp_path / "_failed" / "failing.ipynb").exists()  # kept for debugging
    assert all(by_label[f"p{i}"].ok for i in range(6))
    runs = [printed(site / f"p{i}.ipynb").split() for i in range(6)]
    assert [int(n) for n, _ in runs] == list(range(6))  # each page got its own parameters
    assert len({worker for _, worker in runs}) == 2  # both workers took part


def test_the_local_cluster_runs_the_same_pages(tmp_path):
    page = notebook(tmp_path / "page.ipynb", parameters="n: int = 0", source="print(n * 2)")
    jobs = [Job(page, tmp_path / "dask" / "p.ipynb", {"n": 21}), Job(page, tmp_path / "dask" / "q.ipynb", {"n": 2})]
    with dask_executor("local", workers=2) as executor:
        assert all(r.ok for r in run_jobs(jobs, 2, tmp_path / "_failed", executor=executor))
    plain = run_jobs([Job(page, tmp_path / "pool" / "p.ipynb", {"n": 21})], 1, tmp_path / "_failed")
    assert plain[0].ok
    assert printed(tmp_path / "dask" / "p.ipynb") == "42"
    assert (tmp_path / "dask" / "p.ipynb").read_bytes() == (tmp_path / "pool" / "p.ipynb").read_bytes()


def test_an_unreachable_scheduler_is_a_clear_error():
    from analysis.core.errors import ParameterError

    with pytest.raises(ParameterError, match="tcp://127.0.0.1:1: cannot reach the Dask scheduler"):
        with dask_executor("tcp://127.0.0.1:1", timeout="2s"):
            pass
