"""The batch on a Dask cluster: the same jobs, failure isolation and progress as on local processes.

:func:`analysis.site.batch.run_jobs` takes any ``concurrent.futures`` executor; this module gives it
the executor of a ``dask.distributed`` client, either on a cluster of this machine (``local``) or on
a scheduler already running elsewhere (``tcp://host:8786``). Every machine needs the project at the
same path (a shared folder) and the same environment: the workers read ``data/processed`` and write
the executed notebooks there. A notebook's failure is its own result, never an exception, so Dask
only reruns a job when the worker running it is lost (its ``allowed-failures`` rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from analysis.core.errors import ParameterError


@contextmanager
def dask_executor(scheduler: str, workers: int = 2, timeout: str = "30s") -> Iterator:
    """A ``concurrent.futures`` executor on Dask. ``scheduler`` is ``"local"`` (a ``LocalCluster`` of
    ``workers`` processes, one thread each, so each has one warm kernel) or a scheduler's address."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=timeout)
        except OSError as exc:  # nothing answers at that address
            raise ParameterError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    try:
        yield client.get_executor(pure=False)  # the same notebook twice is run twice
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
