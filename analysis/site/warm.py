"""Warm kernels: each worker process starts one Jupyter kernel, imports the page code in it once, and
runs its notebooks there one after the other, with a reset in between.

A fresh kernel per notebook costs its start and, in the first cell, the import of pandas, matplotlib,
statsmodels and the package: more than the page's own work. Papermill stays the executor: this is a
papermill engine (``engine_name="warm"``) that hands nbclient the worker's running kernel instead of
starting a new one. Before every notebook :func:`analysis.site.kernel_state.restore` empties the
namespace and restores the state listed there; a notebook that fails or a kernel that dies is never
reused (the next notebook gets a fresh kernel). Executed pages are the same as with a cold kernel.
"""

from __future__ import annotations

import multiprocessing.util
import os
import threading
import time
from pathlib import Path

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

ENGINE = "warm"

#: Imported once per kernel: what every page template imports in its first cell.
WARM_UP = "import analysis.pages.content, analysis.pages.report_data, analysis.pages.present"


class KernelFailed(RuntimeError):
    """The warm kernel could not be started or reset (never a notebook's own error)."""


class WarmKernel:
    """One running kernel with the page code imported, and a client to reset it between notebooks."""

    def __init__(self, kernel_name: str, log: Path | None = None) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.kernel_name = kernel_name
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.stopped = False
        if log is not None:  # the kernel's own log lines (it keeps this stderr for its life)
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "ab") as fh:
                run_sync(self.km.start_kernel)(stderr=fh)
        else:
            run_sync(self.km.start_kernel)()
        self.client = self.km.blocking_client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        self.run(f"{WARM_UP}\nimport analysis.site.kernel_state\nanalysis.site.kernel_state.remember()")

    def run(self, code: str, timeout: float = 120) -> None:
        """Run ``code`` silently (no output, no execution count); refuse anything but success."""
        reply = self.client.execute_interactive(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda msg: None
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise KernelFailed(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")

    def reset(self, cwd: str) -> None:
        self.run(f"import analysis.site.kernel_state\nanalysis.site.kernel_state.restore({cwd!r})")

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.stopped:
            return
        self.stopped = True
        try:
            self.client.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - shutting down at exit: the kernel may be gone already
            pass


# One warm kernel per worker thread (a process pool has one thread per process; a Dask worker may
# run several): two notebooks never share a kernel at the same time.
_local = threading.local()


def kernel_for(kernel_name: str, cwd: str, log: Path | None = None) -> WarmKernel:
    """This worker's warm kernel, started on first use and reset for the notebook about to run."""
    kernel = getattr(_local, "kernel", None)
    if kernel is not None and (kernel.kernel_name != kernel_name or not kernel.alive()):
        discard_kernel()
        kernel = None
    if kernel is None:
        start = time.perf_counter()
        kernel = _local.kernel = WarmKernel(kernel_name, log)
        _local.started = time.perf_counter() - start
        # a worker process ends through multiprocessing, which runs these finalizers (atexit does not);
        # should it be killed, the kernel notices that its parent is gone and stops itself
        multiprocessing.util.Finalize(kernel, kernel.shutdown, exitpriority=100)
    kernel.reset(cwd)
    return kernel


def take_start_seconds() -> float:
    """How long this worker's last notebook waited for its kernel to start and import the page code (0 when it
    found one warm): the batch counts a page's own time without it (:func:`analysis.site.batch.longest_first`)."""
    seconds = getattr(_local, "started", 0.0)
    _local.started = 0.0
    return seconds


def discard_kernel() -> None:
    """Shut this worker's warm kernel down (after a failure; at exit the finalizer does it)."""
    kernel = getattr(_local, "kernel", None)
    _local.kernel = None
    if kernel is not None:
        kernel.shutdown()


class WarmKernelEngine(NBClientEngine):
    """Papermill's nbclient engine on the worker's warm kernel (see the module's docstring)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        kernel_log=None,
        **kwargs,
    ):
        kernel = kernel_for(kernel_name, os.getcwd(), kernel_log)  # papermill has changed into the job's cwd
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(
            nb_man,
            km=kernel.km,
            **merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            ),
        )
        try:
            nb = client.execute()
        except BaseException:
            discard_kernel()
            raise
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        if any(output.get("output_type") == "error" for cell in nb.cells for output in cell.get("outputs", [])):
            discard_kernel()  # a page that failed leaves its kernel in an unknown state
        return nb


papermill_engines.register(ENGINE, WarmKernelEngine)
