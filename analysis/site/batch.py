"""Execute the notebook templates with papermill, many at once, and never lose a result.

Parameters are checked against each template's annotated ``parameters`` cell before any notebook
runs. Jobs run in worker processes (about one per core) through any ``concurrent.futures``
executor — a local process pool by default, or e.g. a Dask cluster's executor — so the notebooks
do not change when the batch moves to more machines. A failed notebook is kept for debugging and
the batch goes on with the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from analysis.core.atomic import write_atomic_text
from analysis.core.errors import ParameterError
from analysis.pages.present import esc

TYPE_NAMES = {"str": str, "int": int, "float": float, "bool": bool}


def parameter_spec(notebook: Path) -> dict[str, type]:
    """Names and types declared in the template's cell tagged ``parameters`` (``name: type = default``),
    as papermill itself reads them (:func:`papermill.inspect_notebook`)."""
    import papermill as pm

    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{notebook}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    spec: dict[str, type] = {}
    try:
        declared = pm.inspect_notebook(str(notebook))
    except ValueError as exc:  # e.g. no kernelspec in the notebook's metadata
        raise ParameterError(f"{notebook}: {exc}") from None
    for name, info in declared.items():
        type_name = info["inferred_type_name"]
        if type_name not in TYPE_NAMES:
            raise ParameterError(
                f"{notebook}: every line of the parameters cell must be 'name: type = default' "
                f"with type {', '.join(TYPE_NAMES)}; {name!r} has type {type_name!r}"
            )
        spec[name] = TYPE_NAMES[type_name]
    return spec


def check_parameters(notebook: Path, parameters: dict, spec: dict[str, type] | None = None) -> None:
    """Refuse unknown names and wrong types (``0301`` given as the int 301 is the classic mistake)."""
    spec = spec if spec is not None else parameter_spec(notebook)
    for name, value in parameters.items():
        if name not in spec:
            raise ParameterError(
                f"{notebook.name}: unknown parameter {name!r}; the template declares "
                f"{', '.join(sorted(spec)) or 'none'}"
            )
        expected = spec[name]
        ok = isinstance(value, expected) and not (expected is not bool and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise ParameterError(
                f"{notebook.name}: parameter {name!r} must be {expected.__name__}, got {type(value).__name__} {value!r}"
            )


@dataclass(frozen=True)
class Job:
    """One notebook to execute: template, where the executed copy goes, its parameters and page title."""

    template: Path
    output: Path
    parameters: dict = field(default_factory=dict)
    title: str = ""
    label: str = ""
    inputs: dict = field(default_factory=dict)  # digests of what else the page reads, by name; see build.py
    name: str = ""  # unique in the batch, for its log and its kept notebook if it fails; default: the output's

    @property
    def kept_as(self) -> str:
        """The file name of the notebook kept in ``_failed/`` (and of its log) when it fails."""
        return self.name or self.output.name

    def components(self) -> dict:
        """What the executed notebook depends on, by name (the template as its digest)."""
        return {
            "template": hashlib.sha256(self.template.read_bytes()).hexdigest(),
            "parameters": self.parameters,
            "title": self.title,
            **self.inputs,
        }

    def fingerprint(self) -> str:
        """Same template, parameters, title and inputs -> the same executed notebook."""
        return hashlib.sha256(json.dumps(self.components(), sort_keys=True).encode()).hexdigest()[:32]


@dataclass
class JobResult:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    cached: bool = False
    reason: str = ""  # why it ran instead of being reused: "new page", "data changed", ...
    kernel_start: float = 0.0  # of ``seconds``, the wait for a warm kernel to start (the worker's first page)


# Two kernels started at the same moment can pick the same free TCP port; the loser dies before it
# answers. That is not the notebook's fault, so its start is tried again (an error raised inside the
# notebook, a PapermillExecutionError, never is).
KERNEL_START_ATTEMPTS = 3


def _kernel_did_not_start(exc: BaseException) -> bool:
    from papermill.exceptions import PapermillExecutionError

    return not isinstance(exc, PapermillExecutionError) and "kernel died before replying" in str(exc).lower()


def _execute(job: Job, failed_dir: str, warm: bool = True) -> JobResult:
    """Run in a worker process: papermill into a temporary file, then move it into place. With ``warm``
    the notebook runs on the worker's warm kernel (:mod:`analysis.site.warm`), otherwise on a new one."""
    import papermill as pm
    import tenacity
    from papermill.exceptions import PapermillExecutionError

    from analysis.site import warm as warm_kernels

    start = time.perf_counter()
    os.environ["MPLBACKEND"] = "Agg"  # pages are drawn to files; the kernel inherits this, no display needed
    job.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = job.output.with_name(f".{job.output.name}.running.ipynb")
    logs = Path(failed_dir).parent / "_logs"
    log = logs / f"{Path(job.kept_as).stem}.log"
    engine = {"engine_name": warm_kernels.ENGINE, "kernel_log": logs / f"kernel-{os.getpid()}.log"} if warm else {}
    try:
        run = tenacity.retry(
            retry=tenacity.retry_if_exception(_kernel_did_not_start),
            stop=tenacity.stop_after_attempt(KERNEL_START_ATTEMPTS),
            wait=tenacity.wait_incrementing(start=1, increment=1),
            reraise=True,
        )(pm.execute_notebook)
        with _stderr_to(log):  # the kernel's own log lines go to a file, not into the progress display
            run(
                str(job.template),
                str(tmp),
                parameters=job.parameters,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(job.template.parent),
                request_save_on_cell_execute=False,  # written once, when it is done
                **engine,
            )
        _finish(tmp, job.title)
        os.replace(tmp, job.output)
        return JobResult(job, True, time.perf_counter() - start, kernel_start=warm_kernels.take_start_seconds())
    except Exception as exc:  # noqa: BLE001 - any failure of one notebook must not stop the batch
        kept = Path(failed_dir) / job.kept_as
        if tmp.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(tmp), kept)
        if isinstance(exc, PapermillExecutionError):  # raised inside the notebook: name it as the notebook shows it
            message = f"{exc.ename}: {exc.evalue}"
        else:
            text = str(exc).strip()
            message = f"{type(exc).__name__}: {text.splitlines()[-1] if text else ''}"
        return JobResult(job, False, time.perf_counter() - start, message)


@contextmanager
def _stderr_to(path: Path):
    """Send file descriptor 2 (inherited by the kernel process) to ``path`` for the duration."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


#: What papermill and nbclient record about one run (clock times, durations, temporary paths): two runs
#: on the same input differ only there, so it is dropped and an executed page is reproducible.
VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path", "exception")
VOLATILE_CELL_KEYS = ("execution", "papermill")


def reproducible(nb) -> None:
    """Drop the run's clock times, durations and paths from ``nb`` (in place); parameters stay."""
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id


def _finish(path: Path, title: str) -> None:
    """Give the executed page its title (front matter), hide papermill's injected-parameters cell, and
    drop what only says when and where it ran."""
    nb = nbformat.read(path, as_version=4)
    reproducible(nb)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    if title:  # both renderers read a title as Markdown: a name from data is escaped like any other text
        front = f"---\ntitle: {json.dumps(esc(title), ensure_ascii=False)}\n---"
        cell = nbformat.v4.new_raw_cell(front)
        cell["id"] = "front-matter"  # not a random one: the same input gives the same page
        nb.cells.insert(0, cell)
    nbformat.write(nb, path)


def _from_cache(job: Job, cache_dir: Path | None) -> JobResult | None:
    """Reuse the notebook executed by an earlier build when nothing it depends on has changed."""
    if cache_dir is None:
        return None
    cached = cache_dir / f"{job.fingerprint()}.ipynb"
    if not cached.exists():
        return None
    job.output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(cached, job.output)
    return JobResult(job, True, 0.0, cached=True)


INDEX = "pages.json"  # in the cache: what each page depended on when it last ran


def _page_key(job: Job) -> str:
    return f"{job.template.name} {json.dumps(job.parameters, sort_keys=True)}"


def longest_first(jobs: list[Job], index: dict) -> list[Job]:
    """The jobs in the order to start them: the longest last time first, new pages before those (their time is
    unknown), otherwise in the given order. With two workers and a one-value change, the two front pages
    (the slowest, a few seconds each) then run side by side instead of the second starting when the
    short pages are done."""

    def last_time(job: Job) -> float:
        return -float(index.get(_page_key(job), {}).get("seconds", float("inf")))

    return sorted(jobs, key=last_time)


def why_it_runs(job: Job, index: dict) -> str:
    """Which of the page's inputs changed since its last successful run (or that it is new)."""
    before = index.get(_page_key(job))
    if before is None:
        return "new page"
    changed = [name for name, value in job.components().items() if before.get(name) != value]
    return f"{', '.join(changed)} changed" if changed else "not in the cache"


def run_jobs(
    jobs: list[Job],
    workers: int,
    failed_dir: Path,
    executor: Executor | None = None,
    out=sys.stdout,
    cache_dir: Path | None = None,
    warm: bool = True,
) -> list[JobResult]:
    """Check every job's parameters, then run them all; print progress and return every result.

    With ``warm`` (the default) each worker runs its notebooks on one warm kernel, reset between them
    (:mod:`analysis.site.warm`); ``warm=False`` starts a new kernel for every notebook.

    With ``cache_dir``, a job whose fingerprint matches an earlier successful run is copied from there
    instead of executed, and every successful run is stored there; entries no job used are removed.
    The build says how many pages it reused and, for every page it ran, which of its inputs changed.
    """
    specs: dict[Path, dict] = {}
    for job in jobs:
        spec = specs.setdefault(job.template, parameter_spec(job.template))
        check_parameters(job.template, job.parameters, spec)
    index_path = cache_dir / INDEX if cache_dir is not None else None
    index = json.loads(index_path.read_text(encoding="utf-8")) if index_path and index_path.is_file() else {}
    results: list[JobResult] = []
    pending: list[Job] = []
    for job in jobs:
        reused = _from_cache(job, cache_dir)
        if reused:
            results.append(reused)
        else:
            pending.append(job)
    reasons = {id(job): why_it_runs(job, index) if cache_dir is not None else "" for job in pending}
    pending = longest_first(pending, index)
    if results:
        counts: dict[str, int] = {}
        for reason in reasons.values():
            counts[reason] = counts.get(reason, 0) + 1
        why = "; ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        print(f"  {len(results)} of {len(jobs)} reused unchanged{'; running ' + why if why else ''}", file=out)

    def report(res: JobResult) -> None:
        results.append(res)
        res.reason = reasons.get(id(res.job), "")
        state = "ok  " if res.ok else "FEIL"
        print(
            f"  [{len(results):>3}/{len(jobs)}] {state} {res.job.label or res.job.output.name} "
            f"({res.seconds:.1f} s){'  [' + res.reason + ']' if res.reason else ''}"
            f"{'  ' + res.error if res.error else ''}",
            file=out,
            flush=True,
        )

    own = executor is None and bool(pending)
    executor = executor or (ProcessPoolExecutor(max_workers=max(1, workers)) if pending else None)
    try:
        futures = {executor.submit(_execute, job, str(failed_dir), warm): job for job in pending}
        for fut in as_completed(futures):
            res = fut.result()
            res.job = futures[fut]  # the job itself, not the copy that went to the worker and back
            if res.ok and cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy2(res.job.output, cache_dir / f"{res.job.fingerprint()}.ipynb")
                own_time = res.seconds - res.kernel_start  # for the order of the next run (longest_first)
                index[_page_key(res.job)] = {**res.job.components(), "seconds": round(own_time, 1)}
            report(res)
    finally:
        if own:
            executor.shutdown()
    if cache_dir is not None and cache_dir.is_dir():
        used = {f"{job.fingerprint()}.ipynb" for job in jobs}
        for stale in cache_dir.glob("*.ipynb"):
            if stale.name not in used:
                stale.unlink()
        keys = {_page_key(job) for job in jobs}
        write_atomic_text(json.dumps({k: v for k, v in index.items() if k in keys}, sort_keys=True), index_path)
    return results
