"""Command line: ``python -m analysis <command>`` (also installed as ``baerekraft``)."""

from __future__ import annotations

import argparse
import sys

from analysis.core.errors import EXIT_BAD_INPUT, InputError, ParameterError


def _build_data(args) -> int:
    from analysis.build import build_data
    from analysis.core import config
    from analysis.core.atomic import build_lock

    with build_lock(config.ROOT):
        info = build_data()
    print(
        f"Wrote {info.directory}: {info.n_observations} observations, {info.n_units} members "
        f"({info.data_mode}), {info.seconds:.1f} s"
    )
    return 0


def _report(args) -> int:
    from analysis.build import build_report

    return build_report(workers=args.workers, reuse=not args.fresh, scheduler=args.scheduler)


def _annual_report(args) -> int:
    from analysis.build import build_annual_report

    return build_annual_report(args.code)


def _catalog(args) -> int:
    from analysis.reference.catalog import build_catalog, write_catalog

    path = write_catalog(build_catalog(args.reference))
    print(f"Wrote {path}")
    return 0


def _template(args) -> int:
    from analysis.core import config
    from analysis.ingest.u4ssc import write_template

    xlsx, csv = config.TEMPLATES_DIR / "u4ssc_submission.xlsx", config.TEMPLATES_DIR / "u4ssc_submission.csv"
    write_template(xlsx, csv)
    print(f"Wrote {xlsx} and {csv}")
    return 0


def _refresh_codes(args) -> int:
    from analysis.core.http import CacheMissError, HttpError, cached_session
    from analysis.reference.klass import refresh_registry

    try:
        paths = refresh_registry(first_year=args.first_year, session=cached_session(offline=args.offline or None))
    except (CacheMissError, HttpError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        "Wrote " + " and ".join(map(str, paths)) + " (each with a .provenance.yaml); "
        "review the diff (git diff) before committing."
    )
    return 0


def _population(args) -> int:
    from analysis.core.atomic import write_atomic_csv
    from analysis.process.population import network_population

    table = network_population(args.folder)
    wide = table.pivot_table(index=["unit_code", "unit_name"], columns="year", values="value", aggfunc="first")
    print(wide.to_string(float_format=lambda v: f"{v:,.0f}".replace(",", " ")))
    breaks = table.loc[table["break"].astype(bool), ["unit_code", "year", "break_reason"]]
    for row in breaks.drop_duplicates(["unit_code", "break_reason"]).itertuples(index=False):
        print(f"break: {row.unit_code} from {row.year}: {row.break_reason}")
    if args.out:
        write_atomic_csv(table, args.out)
        print(f"Wrote {args.out}")
    if args.facts:
        from analysis.core import config
        from analysis.process.population import latest_facts

        path = config.REFERENCE_DIR / "population.csv"
        write_atomic_csv(latest_facts(table), path)
        print(f"Wrote {path} (the latest population per member, shown in the page profiles)")
    if args.series:
        from analysis.core import config
        from analysis.process.population import whole_series

        path = config.REFERENCE_DIR / "population_series.csv"
        write_atomic_csv(whole_series(table), path)
        print(f"Wrote {path} (every member's population per year, for per-inhabitant indicators)")
    return 0


def _preview(args) -> int:
    import functools
    import http.server

    from analysis.core import config

    if not (config.SITE_DIR / "index.html").exists():
        print(f"No site at {config.SITE_DIR}; run `make report` first.", file=sys.stderr)
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(config.SITE_DIR))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(f"Serving {config.SITE_DIR} at http://localhost:{args.port}/ (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def _audit_site(args) -> int:
    """Every page in Chromium with axe-core (WCAG 2.1 AA), third-party requests and scripts from data."""
    from pathlib import Path

    from analysis.core import config
    from analysis.site.audit import audit_site

    site = Path(args.site) if args.site else config.SITE_DIR
    if not (site / "index.html").is_file():
        print(f"No site at {site}; run `make report` first.", file=sys.stderr)
        return 1
    failing = 0
    for viewport in ("desktop", "mobile"):
        reports = audit_site(site, viewport=viewport)
        bad = [r for r in reports if not r.ok]
        failing += len(bad)
        print(f"{viewport}: {len(reports)} pages, {len(bad)} with problems")
        for report in bad:
            print(report.summary())
    return 1 if failing else 0


def _warning_texts(rules, path) -> None:
    from analysis.build import check_warning_texts

    check_warning_texts(rules, path)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analysis", description="Bærekraftsnettverket: data, statistics, report."
    )
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("build-data", help="build data/processed (tidy tables and all statistics)")
    s.set_defaults(func=_build_data)
    s = sub.add_parser("report", help="build data, execute every notebook, render and publish the site")
    s.add_argument("--workers", type=int, default=None, help="papermill worker processes (default: params/report.yaml)")
    s.add_argument(
        "--fresh",
        action="store_true",
        help="execute every notebook even if an identical one from the previous build can be reused",
    )
    s.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the notebooks on Dask: 'local' (a cluster of --workers processes on this machine) or a "
        "scheduler's address such as tcp://host:8786 (default: local processes without Dask)",
    )
    s.set_defaults(func=_report)
    s = sub.add_parser("annual-report", help="build one member's annual report (PDF) on its own, into reports/_annual/")
    s.add_argument("code", help="the member's code, e.g. 5001, or 'nettverket' for the network's report")
    s.set_defaults(func=_annual_report)
    s = sub.add_parser("catalog", help="rebuild the indicator catalog from the shared U4SSC reference list")
    s.add_argument("--reference", default=None, help="path to u4ssc_kpis.csv (default: ../shared/reference)")
    s.set_defaults(func=_catalog)
    s = sub.add_parser("template", help="write the U4SSC submission template (xlsx and csv) to data/templates")
    s.set_defaults(func=_template)
    s = sub.add_parser("refresh-codes", help="rebuild the municipality code registry from SSB's KLASS (online)")
    s.add_argument("--first-year", type=int, default=2005)
    s.add_argument("--offline", action="store_true", help="answer only from the HTTP cache (data/cache/http)")
    s.set_defaults(func=_refresh_codes)
    s = sub.add_parser("population", help="population of every member in 2024 borders from StatBank 07459 exports")
    s.add_argument("folder", help="folder with the exports (e.g. ../shared/data/ssb-07459-population)")
    s.add_argument("--out", default=None, help="also write the long table (with break flags) to this CSV")
    s.add_argument(
        "--facts",
        action="store_true",
        help="write data/reference/population.csv (latest year per member) for the pages",
    )
    s.add_argument(
        "--series",
        action="store_true",
        help="write data/reference/population_series.csv (every year) for per-inhabitant indicators",
    )
    s.set_defaults(func=_population)
    s = sub.add_parser(
        "audit-site", help="open every page of the built site in Chromium: axe (WCAG 2.1 AA), requests, scripts"
    )
    s.add_argument("--site", default=None, help="the site folder (default: reports/_site)")
    s.set_defaults(func=_audit_site)
    s = sub.add_parser("preview", help="serve reports/_site on localhost")
    s.add_argument("--port", type=int, default=4200)
    s.set_defaults(func=_preview)
    from analysis.process import ingested

    ingested.register(sub, rules_check=_warning_texts)  # check, ingest, fetch
    return p


#: Exit codes: 0 done, 1 a page, a PDF or a command failed (the message says which), 2 bad input
#: (file, row, field and why), 3 another build is running in this folder, 4 the disk refused a write.
EXIT_BUSY, EXIT_DISK = 3, 4  # EXIT_BAD_INPUT (2) lives with the error type, in analysis.core.errors


def main(argv: list[str] | None = None) -> int:
    import errno

    from analysis.core.atomic import BuildBusy

    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (InputError, ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BuildBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EPERM):
            raise
        print(f"error: cannot write {exc.filename or ''}: {exc.strerror}; nothing was published", file=sys.stderr)
        return EXIT_DISK


if __name__ == "__main__":
    sys.exit(main())
