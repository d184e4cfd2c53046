"""The whole report in one call: processed data, every notebook, the rendered site.

Used by ``make report`` (``python -m analysis report``). Exits non-zero and keeps the previously
published site when anything fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from analysis.core import config
from analysis.core.atomic import build_lock, new_generation, switch_to, versions_dir
from analysis.core.settings import MAIN_LANGUAGE, ReportSettings, load_method_settings, load_report_settings
from analysis.pages import content as pages
from analysis.pages import report_data
from analysis.process.pipeline import read_inputs, write_processed
from analysis.site import languages
from analysis.site.annual import annual_reports, make_annual_reports
from analysis.site.batch import Job, run_jobs
from analysis.site.datapage import write_data_page
from analysis.site.downloads import DownloadFailed, write_downloads
from analysis.site.render import (
    externalise_figures,
    indicator_page,
    prepare_project,
    publish,
    render,
    site_footer,
    unit_page,
)
from analysis.stats.results import compute_all, write_all


@dataclass(frozen=True)
class ProcessedInfo:
    directory: Path
    n_observations: int
    n_units: int
    data_mode: str
    seconds: float


def check_warning_texts(rules=None, path: Path | None = None) -> None:
    """Every warning a soft plausibility rule names has its Norwegian text in ``text_nb.WARNINGS``, or the
    rules are refused before anything is built: a page must never show a rule's bare name as its «Merknad».
    The rules are stage 1 and the texts stage 6, so only the top sees both."""
    from analysis.core.errors import InputError, Problems
    from analysis.pages.text_nb import WARNINGS
    from analysis.reference.plausibility import PLAUSIBILITY_CSV, load_plausibility

    problems = Problems()
    for rule in load_plausibility() if rules is None else rules:
        if rule.warning and rule.warning not in WARNINGS:
            problems.add(
                InputError(
                    path or PLAUSIBILITY_CSV,
                    f"the warning {rule.warning!r} has no Norwegian text: add it to WARNINGS in "
                    "analysis/pages/text_nb.py (what the page shows after «Merknad:»)",
                    row=rule.row,
                    field="warning",
                )
            )
    problems.raise_if_any()


def build_data(settings: ReportSettings | None = None, out_dir: Path | None = None, out=None) -> ProcessedInfo:
    """Processed tables and every statistic: read and check all inputs, compute all results in one
    pass, and only then write. By default the tables are written as one new generation of
    ``data/processed`` that replaces the previous one in a single step when it is complete, so a crash
    or a full disk never leaves new observations next to old results.

    With ``data: ingested`` the raw files are ingested first (:func:`analysis.process.ingested.ingest_raw`:
    every source folder of data/raw with its recipes, again only when a raw file or recipe changed), into a
    folder of its own that becomes the new generation's ``ingested``; a refused raw file stops the build
    before anything is written."""
    start = time.perf_counter()
    check_warning_texts()
    settings = settings or load_report_settings()
    staging = None
    ingested = config.PROCESSED_DIR / "ingested"  # what `ingest` wrote: an input, kept across generations
    if settings.data == "ingested" and out_dir is None:
        from analysis.process.ingested import ingest_raw

        staging = versions_dir(config.PROCESSED_DIR) / f".ingest-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            ingested = ingest_raw(staging, out=out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    try:
        return _build_data(settings, out_dir, ingested, start)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _build_data(settings: ReportSettings, out_dir: Path | None, ingested: Path, start: float) -> ProcessedInfo:
    inputs = read_inputs(settings, ingested)
    settings = inputs.settings
    methods = load_method_settings()
    results = compute_all(
        inputs.observations,
        inputs.catalog,
        inputs.units,
        inputs.targets,
        settings.report_year,
        base_year=settings.base_year,
        default_target_year=settings.default_target_year,
        methods=methods,
    )
    if out_dir is not None:
        write_processed(inputs, Path(out_dir), methods)
        write_all(results, Path(out_dir) / "results")
    else:
        generation = new_generation(config.PROCESSED_DIR)
        try:
            if ingested.is_dir():
                shutil.copytree(ingested, generation / "ingested")
            write_processed(inputs, generation, methods)
            write_all(results, generation / "results")
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        switch_to(generation, config.PROCESSED_DIR)
    return ProcessedInfo(
        Path(out_dir or config.PROCESSED_DIR),
        len(inputs.observations),
        int(inputs.units["is_member"].sum()),
        settings.data,
        time.perf_counter() - start,
    )


def page_code_files(roots: tuple[str, ...] = ("analysis.pages",)) -> list[Path]:
    """The package's source files a page's code can run: the ``pages`` stage and every module it
    imports, followed through the package. A reader or a command is not among them, so editing one
    re-executes no notebook."""
    import ast

    def path_of(module: str) -> Path | None:
        rel = Path(*module.split(".")[1:])
        for cand in (config.PACKAGE_DIR / rel.with_suffix(".py"), config.PACKAGE_DIR / rel / "__init__.py"):
            if cand.is_file():
                return cand
        return None

    todo = [p for r in roots for p in sorted((config.PACKAGE_DIR / Path(*r.split(".")[1:])).rglob("*.py"))]
    seen: set[Path] = {config.PACKAGE_DIR / "__init__.py"}  # `import analysis` (the version in the footer)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                # a module and every package on its way (their __init__ runs too)
                for i in range(2, len(parts) + 1):
                    found = path_of(".".join(parts[:i])) if parts[0] == "analysis" else None
                    if found is not None and found not in seen:
                        todo.append(found)
    return sorted(seen)


def code_digest() -> str:
    """The code every page runs (:func:`page_code_files`), the borders its maps draw and the versions its
    footer names. A change to a reader or to the statistics' code alone executes no notebook (new numbers
    change the data)."""
    import platform

    import pandas as pd

    digest = hashlib.sha256(f"{platform.python_version()} {pd.__version__}".encode())  # shown in the footers
    for path in page_code_files():
        digest.update(str(path.relative_to(config.PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    from analysis.pages import maps

    for path in maps.border_files():  # the maps' borders are read by the page code like code is
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()


def report_jobs(
    data: report_data.ReportData, staging: Path, code: str = "", langs: tuple[str, ...] = (MAIN_LANGUAGE,)
) -> list[Job]:
    """For each language in ``langs``: one job per member (municipality template), the network front page
    and one per indicator page, with the language as the ``lang`` parameter; the main language's pages in
    ``staging``, another's in its own project beside it (``reports/_build-en``) at the same relative
    paths. A page's title is its page code's, in its language. A job's inputs are the page code and the
    digest of the data its page reads (:meth:`~analysis.pages.report_data.ReportData.page_slice`): a
    change to one member's value runs that member's page, the pages of that indicator and of the
    network, and the pages whose comparison rows it changes, and reuses all others. The language is a
    parameter, so each language's pages have fingerprints and cache entries of their own."""

    def inputs(**page) -> dict:
        key = tuple(page.items())
        if key not in digests:
            digests[key] = report_data.slice_digest(data.page_slice(**page))
        return {"code": code, "data": digests[key]}

    digests: dict[tuple, str] = {}  # a page's slice is the same in every language
    jobs = []
    catalog = data.catalog.set_index("kpi_id")
    for lang in langs:
        root = languages.staging_of(staging, lang, langs[0])
        tag = "" if lang == langs[0] else f" [{lang}]"

        def kept(page: str) -> str:  # a failed English page is kept beside the Norwegian one, not over it
            return "" if lang == langs[0] else f"{lang}-{Path(page).name}"

        with languages.speaking(lang):
            jobs += [
                Job(
                    config.NOTEBOOKS_DIR / "municipality.ipynb",
                    root / unit_page(unit),
                    {"unit_code": unit["unit_code"], "lang": lang},
                    title=pages.unit_title(data, unit["unit_code"]),
                    label=f"{unit['unit_code']} {unit['name']}{tag}",
                    inputs=inputs(unit_code=unit["unit_code"]),
                    name=kept(unit_page(unit)),
                )
                for _, unit in data.members.iterrows()
            ]
            jobs.append(
                Job(
                    config.NOTEBOOKS_DIR / "network.ipynb",
                    root / "index.ipynb",
                    {"lang": lang},
                    title=data.network_name,
                    label=f"Nettverket (forside){tag}",
                    inputs=inputs(),
                    name=kept("index.ipynb"),
                )
            )
            for kpi_id in data.metadata.get("indicator_pages", []):
                jobs.append(
                    Job(
                        config.NOTEBOOKS_DIR / "indicator.ipynb",
                        root / indicator_page(catalog.at[kpi_id, "slug"]),
                        {"kpi_id": kpi_id, "lang": lang},
                        title=pages.indicator_title(data, kpi_id),
                        label=f"{kpi_id}{tag}",
                        inputs=inputs(kpi_id=kpi_id),
                        name=kept(indicator_page(catalog.at[kpi_id, "slug"])),
                    )
                )
    return jobs


def download_keys(jobs: list[Job], lang: str = MAIN_LANGUAGE) -> dict[str, str]:
    """The fingerprint of each page in ``lang`` by the name of its download (``analysis.site.downloads``):
    a download is made again only when its page's inputs or the download's own inputs change."""
    keys = {}
    for job in jobs:
        if job.parameters.get("lang", MAIN_LANGUAGE) != lang:
            continue
        if job.output.name == "index.ipynb":
            keys["nettverket"] = job.fingerprint()
        elif job.output.parent.name == "indikatorer":
            keys[f"indikator-{job.output.stem}"] = job.fingerprint()
        else:
            keys[job.output.stem] = job.fingerprint()
    return keys


def build_report(workers: int | None = None, reuse: bool = True, out=sys.stdout, scheduler: str | None = None) -> int:
    """The whole site: data, notebooks, annual reports, rendering, publishing; one build at a time.
    With ``scheduler`` the notebooks run on Dask (:mod:`analysis.site.cluster`)."""
    with build_lock(config.ROOT, out):
        return _build_report(workers, reuse, out, scheduler)


def run_batch(jobs: list[Job], workers: int, failed_dir: Path, out, cache_dir: Path | None, scheduler: str | None):
    """The notebooks on local worker processes, or on Dask when a scheduler is named."""
    if scheduler is None:
        return run_jobs(jobs, workers, failed_dir, out=out, cache_dir=cache_dir)
    from analysis.site.cluster import dask_executor

    with dask_executor(scheduler, workers) as executor:
        return run_jobs(jobs, workers, failed_dir, executor=executor, out=out, cache_dir=cache_dir)


def _build_report(workers: int | None, reuse: bool, out, scheduler: str | None = None) -> int:
    start = time.perf_counter()
    settings = load_report_settings()
    workers = workers or settings.workers
    print(f"[1/5] Processed data ({settings.data}) -> {config.PROCESSED_DIR}", file=out, flush=True)
    info = build_data(settings, out=out)
    print(
        f"      {info.n_observations} observations, {info.n_units} members, statistics for all in {info.seconds:.1f} s",
        file=out,
        flush=True,
    )
    data = report_data.load()

    staging = config.REPORTS_DIR / "_build"
    failed_dir = config.REPORTS_DIR / "_failed"
    langs = settings.languages
    projects = {lang: languages.staging_of(staging, lang, langs[0]) for lang in langs}
    for folder in (*projects.values(), failed_dir, config.REPORTS_DIR / "_logs"):
        shutil.rmtree(folder, ignore_errors=True)
    jobs = report_jobs(data, staging, code_digest(), langs)
    cache_dir = config.REPORTS_DIR / "_cache" if reuse else None
    where = f"on Dask ({scheduler})" if scheduler else f"{workers} workers"
    print(
        f"[2/5] Executing {len(jobs)} notebooks ({len(langs)} language{'s' if len(langs) > 1 else ''}: "
        f"{', '.join(langs)}) with papermill, {where}, warm kernels"
        f"{' (unchanged ones are reused)' if reuse else ''}",
        file=out,
        flush=True,
    )
    results = run_batch(jobs, workers, failed_dir, out, cache_dir, scheduler)
    failed = [r for r in results if not r.ok]
    if failed:
        print(
            f"\n{len(failed)} of {len(results)} notebooks failed; the published site is unchanged ({config.SITE_DIR}).",
            file=out,
        )
        for r in failed:
            print(
                f"  - {r.job.label}: {r.error}\n    executed notebook kept at {failed_dir / r.job.kept_as}",
                file=out,
            )
        return 1

    indicators = data.catalog.loc[data.catalog["kpi_id"].isin(data.metadata.get("indicator_pages", []))]
    for lang, project in projects.items():
        prepare_project(
            config.REPORTS_DIR,
            project,
            data.members,
            indicators,
            data.is_demo,
            data.metadata.get("methods"),
            data.network_name,
            site_footer(data.metadata, data.network_name, lang),
            lang,
        )
    start_downloads = time.perf_counter()
    targets = settings.targets  # named on the target rows of the downloads, as a path in the project
    targets_file = str(targets.relative_to(config.ROOT)) if targets.is_relative_to(config.ROOT) else targets.name
    made = reused = 0
    for lang, project in projects.items():
        cache = config.REPORTS_DIR / "_cache" / "downloads" / languages.prefix(lang, langs[0]) if reuse else None
        keys = download_keys(jobs, lang)
        try:
            with languages.speaking(lang):  # the page code behind the downloads writes in the current language
                # on local processes, also with Dask (the data is loaded here), at most one a core of this machine
                local = min(workers, os.cpu_count() or 1)
                counts = write_downloads(data, project / "nedlastinger", targets_file, keys, cache, workers=local)
        except DownloadFailed as exc:
            print(f"\n{exc}; the published site is unchanged ({config.SITE_DIR}).", file=out)
            return 1
        made, reused = made + counts[0], reused + counts[1]
    write_data_page(
        data, config.PROCESSED_DIR, staging, config.ROOT, {k: v for k, v in projects.items() if k != langs[0]}
    )
    took = time.perf_counter() - start_downloads
    print(f"      downloads: {made} made, {reused} reused; the data page ({took:.1f} s)", file=out, flush=True)
    for project in projects.values():
        externalise_figures(project)
    print(f"[3/5] Annual reports (PDF), {workers} workers", file=out, flush=True)
    pdf_cache = config.REPORTS_DIR / "_cache" / "pdf" if reuse else None
    pdfs = make_annual_reports(annual_reports(data, staging, data.network_name), staging, workers, pdf_cache)
    failed_pdfs = [r for r in pdfs if not r.ok]
    for r in pdfs:
        if r.reused:
            continue
        state = "ok  " if r.ok else "FEIL"
        print(f"      {state} {r.report.label} ({r.seconds:.1f} s){'  ' + r.error if r.error else ''}", file=out)
    reused_pdfs = sum(r.reused for r in pdfs)
    print(f"      annual reports: {len(pdfs) - reused_pdfs} made, {reused_pdfs} reused (unchanged page)", file=out)
    if failed_pdfs:
        print(
            f"\n{len(failed_pdfs)} of {len(pdfs)} annual reports failed; the published site is unchanged "
            f"({config.SITE_DIR}).",
            file=out,
        )
        return 1
    for lang in langs[1:]:
        languages.share(staging, projects[lang])  # the PDFs and the data files, in every language's site
    print("[4/5] Rendering the site", file=out, flush=True)
    rendered = render(staging, langs=langs)
    for warning in rendered.warnings:
        print(f"      renderer warning: {warning}", file=out)
    print("[5/5] Publishing", file=out, flush=True)
    publish(rendered.site, config.SITE_DIR)
    print(
        f"\nSite ready: {config.SITE_DIR / 'index.html'}\n"
        f"  pages:    {rendered.pages} HTML pages ({len(jobs)} from notebooks; "
        f"{', '.join(f'{lang} at /{languages.prefix(lang, langs[0])}' for lang in langs)})\n"
        f"  reports:  {len(pdfs)} annual reports (PDF) in {config.SITE_DIR / 'pdf'}\n"
        f"  renderer: {rendered.renderer}\n"
        f"  data:     {'DEMONSTRATION DATA' if data.is_demo else 'ingested data'}, report year {data.report_year}\n"
        f"  time:     {time.perf_counter() - start:.0f} s\n"
        f"Preview it with `make preview` (http://localhost:4200).",
        file=out,
    )
    return 0


def build_annual_report(code: str, out=sys.stdout) -> int:
    """One member's annual report (or the network's, code ``nettverket``) on its own, to check it
    before the batch: written to ``reports/_annual/<slug>.pdf``; the published site is not touched."""
    with build_lock(config.ROOT, out):
        return _build_annual_report(code, out)


def _build_annual_report(code: str, out) -> int:
    settings = load_report_settings()
    build_data(settings)
    data = report_data.load()
    work = config.REPORTS_DIR / "_annual"
    staging = work / "_build"
    shutil.rmtree(staging, ignore_errors=True)
    reports = {r.code: r for r in annual_reports(data, staging, data.network_name)}
    if code.lower() not in reports:
        known = ", ".join(sorted(reports))
        print(f"error: {code!r} is not a member of the network (params/network.yaml); one of: {known}", file=sys.stderr)
        return 2
    report = reports[code.lower()]
    jobs = [j for j in report_jobs(data, staging, code_digest()) if j.output == report.notebook]
    results = run_jobs(jobs, 1, work / "_failed", out=out, cache_dir=config.REPORTS_DIR / "_cache")
    if not all(r.ok for r in results):
        print(f"The page of {report.label} failed: {results[0].error}", file=out)
        return 1
    externalise_figures(staging)
    report.pdf = work / report.pdf.name
    result = make_annual_reports([report], staging)[0]
    if not result.ok:
        print(f"The annual report of {report.label} failed: {result.error}", file=out)
        return 1
    print(f"Annual report ready: {report.pdf} ({result.seconds:.1f} s)", file=out)
    return 0
