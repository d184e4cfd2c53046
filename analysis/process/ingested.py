"""Command-line entry points for real data: ``check``, ``ingest`` and ``fetch``.

``register(subparsers)`` adds the three subcommands to the project's argparse parser; each handler
returns an exit code: 0, or ``EXIT_BAD_INPUT`` (2) when an input is refused (file, row, field and
why on stderr). Raw files are only ever read; outputs are written atomically and, for ``ingest``, only
after every file has been read and validated (all or nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis.core import config
from analysis.core.atomic import atomic_path
from analysis.core.errors import EXIT_BAD_INPUT, InputError, Problems
from analysis.core.http import CacheMissError
from analysis.ingest.pxweb import PxWebClient, PxWebError
from analysis.ingest.registry import FORMATS, header_names, read_observations, summary
from analysis.reference.indicators import full_catalog as load_catalog  # U4SSC + params/indicators.yaml
from analysis.reference.plausibility import warnings_of
from analysis.validate.observations import validate_observations


def _cmd_check(args: argparse.Namespace) -> int:
    """Every file named (or, with none, the project's own params: network.yaml, report.yaml, the targets file and
    the plausibility rules), each with all its problems in one report; exit 2 when any is refused."""
    paths = [Path(f) for f in args.file] or project_params()
    bad = 0
    for path in paths:
        try:
            kind = params_kind(path)
            if kind is None:
                fmt, obs = read_observations(path)
                validate_observations(obs, load_catalog(), path)
                if fmt == "u4ssc":
                    members = Problems()
                    not_members(obs, path, members)
                    members.raise_if_any()
                _, notes = warnings_of(obs, path)
                warned = f"\nwarnings:  {len(notes)} {'value' if len(notes) == 1 else 'values'} accepted with a warning"
                text = summary(fmt, obs) + (warned if notes else "")
            else:
                text, notes = check_params(path, kind, args.rules_check), []
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            bad += 1
            continue
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
        print(f"{path}: OK")
        print(text)
    return EXIT_BAD_INPUT if bad else 0


def project_params() -> list[Path]:
    """What ``check`` reads when given no file: the project's params and plausibility rules."""
    from analysis.core.settings import load_report_settings
    from analysis.reference.plausibility import PLAUSIBILITY_CSV

    paths = [config.NETWORK_YAML, config.REPORT_YAML]
    try:
        paths.append(load_report_settings().targets)
    except InputError:
        pass  # report.yaml is refused when its turn comes; its targets file cannot be found without it
    from analysis.reference.indicators import INDICATORS_YAML

    methods = [config.METHODS_YAML] if config.METHODS_YAML.is_file() else []
    own = [INDICATORS_YAML] if INDICATORS_YAML.is_file() else []
    return paths + methods + own + [PLAUSIBILITY_CSV]


def params_kind(path: Path) -> str | None:
    """'network', 'report', 'targets', 'rules' or 'recipe' for a params file or a recipe, told by its header, keys
    or name; None for a data file (the readers of :mod:`analysis.ingest.registry`)."""
    from analysis.core.inputs import read_yaml
    from analysis.ingest.recipe import is_recipe

    suffix = path.suffix.lower()
    if is_recipe(path):
        return "recipe"
    if suffix in (".yaml", ".yml"):
        data = read_yaml(path, "a params file")
        if "members" in data:
            return "network"
        if "report_year" in data:
            return "report"
        if "indicators" in data:
            return "indicators"
        from analysis.core.settings import MethodSettings

        if data and set(data) <= set(MethodSettings.__dataclass_fields__):
            return "methods"
        named = {"methods": "methods", "report": "report", "network": "network", "indicators": "indicators"}
        if path.stem in named:  # told by its name: its own checks name the key that is wrong
            return named[path.stem]
        raise InputError(
            path,
            "not a params file check reads: no 'members' (network.yaml) or 'report_year' (report.yaml), and "
            "not the settings of methods.yaml",
        )
    if suffix == ".csv" and path.is_file():
        header = header_names(path)
        if {"kpi_id", "unit_code", "target"} <= header:
            return "targets"
        if {"variable", "field", "scope", "why"} <= header:
            return "rules"
    return None


def check_params(path: Path, kind: str, rules_check: Callable | None = None) -> str:
    """Read and check one params file as the build does; a summary, or :class:`InputErrors` with every problem."""
    from analysis.core.settings import load_report_settings
    from analysis.process.pipeline import load_targets
    from analysis.reference.members import load_units, network_name
    from analysis.reference.plausibility import load_plausibility

    if kind == "recipe":
        return check_recipe(path)
    if kind == "network":
        problems, units = Problems(), None
        for step in (lambda: network_name(path), lambda: load_units(path)):
            try:
                units = step()
            except InputError as exc:
                problems.add(exc)
        problems.raise_if_any()
        members = units.loc[units["is_member"]]
        towns = int((members["type"] == "kommune").sum())
        counties = len(members) - towns
        return f"format:    network\nmembers:   {len(members)} ({towns} municipalities, {counties} counties)"
    if kind == "indicators":
        from analysis.reference.indicators import load_own_indicators

        own = load_own_indicators(path)
        derived = int((own["formula"] != "").sum())
        return f"format:    own indicators\nindicators: {len(own)} ({derived} derived by a formula)"
    if kind == "methods":
        from analysis.core.settings import load_method_settings

        methods = load_method_settings(path)
        return f"format:    method settings\nalpha:     {methods.alpha}, slope model {methods.slope_model}"
    if kind == "report":
        settings = load_report_settings(path)
        if not settings.targets.is_file():
            from analysis.core.inputs import line_of, read_yaml

            row = line_of(read_yaml(path), "targets")
            raise InputError(path, f"{settings.targets} is not a file", row=row, field="targets")
        return f"format:    report settings\nreport:    {settings.report_year} ({settings.data} data)"
    if kind == "targets":
        settings = load_report_settings()
        try:
            units = load_units()
        except InputError:
            raise InputError(
                path, f"its local targets cannot be checked while {config.NETWORK_YAML} is refused: check that first"
            ) from None
        t = load_targets(path, load_catalog(), units, settings.default_target_year, settings.base_year)
        local = int((t["unit_code"] != "").sum())
        return f"format:    targets\ntargets:   {len(t) - local} for the network, {local} local"
    rules = load_plausibility.__wrapped__(path)
    if rules_check is not None:
        rules_check(rules, path)
    soft = sum(1 for r in rules if r.warning)
    counts = sum(1 for r in rules if r.whole and r.field == "value")
    return f"format:    plausibility rules\nrules:     {len(rules)} ({counts} for counts, {soft} with a warning)"


def check_recipe(path: Path) -> str:
    """A recipe and every file it covers, read and validated as ``ingest`` does; all problems in one report."""
    from analysis.ingest.recipe import load_recipe, read_with_recipe

    recipe = load_recipe(path)
    files = recipe.covered()
    if not files:
        raise InputError(
            path, f"covers no file: nothing in {recipe.folder} matches {', '.join(recipe.files)}", field="files"
        )
    problems, tables, catalog = Problems(), [], load_catalog()
    for p in files:
        try:
            obs = read_with_recipe(recipe, p)
            validate_observations(obs, catalog, p)
            tables.append((p, obs))
        except InputError as exc:
            problems.add(exc)
    duplicates_across(tables, problems)
    problems.raise_if_any()
    rows = sum(len(obs) for _, obs in tables)
    borders = f"{recipe.borders} borders (used as they are)" if recipe.borders else "the borders of each year"
    names = ", ".join(p.name for p in files[:3]) + (", ..." if len(files) > 3 else "")
    return f"format:    recipe\nfiles:     {len(files)} ({names})\nrows:      {rows} of {recipe.kpi}, {borders}"


def read_folder(folder: Path, catalog: pd.DataFrame, out=None, err=None) -> list[tuple[Path, pd.DataFrame]]:
    """Every supported file under ``folder`` (the files of its recipes among them) read and validated, each
    with the warnings it is accepted with printed; every problem of every file in one :class:`InputErrors`.
    A recipe that covers no file is a problem too (a glob that names nothing is a mistake, not an empty source)."""
    from analysis.ingest.recipe import is_recipe, load_recipe, recipe_for

    problems = Problems()
    tables: list[tuple[Path, pd.DataFrame]] = []
    for p in _files(folder):
        rel = p.relative_to(folder)
        try:
            if is_recipe(p):
                recipe = load_recipe(p)
                if not recipe.covered():
                    raise InputError(p, f"covers no file: nothing matches {', '.join(recipe.files)}", field="files")
                continue
            if recipe_for(p) is None and (p.suffix.lower() not in FORMATS or p.suffix.lower() == ".parquet"):
                print(f"skipped {rel} (not a supported source format, and no recipe covers it)", file=out)
                continue
            fmt, obs = read_observations(p)
            validate_observations(obs, catalog, p)
            if fmt == "u4ssc":
                not_members(obs, p, problems)
        except InputError as exc:
            problems.add(exc)
            continue
        tables.append((p, obs))
        for note in warnings_of(obs, p)[1]:  # accepted; build-data carries the warning to the page
            print(f"warning: {note}", file=err or sys.stderr)
    duplicates_across(tables, problems)
    problems.raise_if_any()
    return tables


def duplicates_across(tables: list[tuple[Path, pd.DataFrame]], problems) -> None:
    """A value given by two files (a copy of an export saved under a new name, a submission sent twice): each file
    is sound on its own, but together they give one unit, year and KPI two rows, and which is meant cannot be told.
    Each such row of a later file is named with the file and row of the first."""
    from analysis.validate.observations import EXTRA_KEYS

    if len(tables) < 2:
        return
    rows = [obs["source_row"] if "source_row" in obs else -1 for _, obs in tables]  # -1: the reader keeps no row
    every = pd.concat([obs.assign(_file=i, _row=rows[i]) for i, (_, obs) in enumerate(tables)], ignore_index=True)
    key = ["unit_code", "year", "kpi_id"] + [c for c in EXTRA_KEYS if c in every.columns]
    twice = every.loc[every.duplicated(key, keep=False), [*key, "_file", "_row"]]
    first: dict[tuple, tuple[int, int]] = {}
    named = 0
    for rec in twice.itertuples(index=False):
        k, (f, row) = tuple(rec[: len(key)]), rec[len(key) :]
        if k not in first:
            first[k] = (f, row)
            continue
        if first[k][0] == f:
            continue  # twice in one file: the validator names it with the file's own rows
        named += 1
        if named > 20:
            continue
        where = tables[first[k][0]][0].name + (f" row {first[k][1]}" if first[k][1] > 0 else "")
        problems.add(
            InputError(
                tables[f][0],
                f"{', '.join(map(str, k))} is also given by {where}: two files give a value for one unit, year and "
                "variable, and which is meant cannot be told; remove one of them (or the row from one)",
                row=int(row) if row > 0 else None,
                field="kpi_id",
            )
        )
    if named > 20:
        problems.add(InputError(tables[0][0].parent, f"and {named - 20} more values given by two files"))


def not_members(obs: pd.DataFrame, path: Path, problems) -> None:
    """A member's U4SSC submission for a unit that is not a member, nor in 2024 part of one (a typo in the code, a
    member not added yet): the build would leave all of it out without a word. Named with its first row; not
    checked while params/network.yaml is refused (checking that names why)."""
    from analysis.core.schema import BORDERS_YEAR
    from analysis.reference import geography
    from analysis.reference.members import load_units

    try:
        units = load_units()
    except InputError:
        return
    members = set(units.loc[units["is_member"], "unit_code"])
    for (code, year), rows in obs.groupby(["unit_code", "year"])["source_row"]:
        then = min(int(year), BORDERS_YEAR)
        level = "municipality" if len(code) == 4 else "county"
        mapping = geography.mapping_to(BORDERS_YEAR, then, level=level)
        now = set(mapping.loc[mapping["from_code"] == code, "to_code"]) | {code}
        if not now & members:
            problems.add(
                InputError(
                    path,
                    f"{code} ({geography.name_of(code) or 'unknown'}) is not a member of this network "
                    f"(params/network.yaml), nor part of one in {BORDERS_YEAR}: the build would leave its values out; "
                    "a typo in the code, or a member to add first?",
                    row=int(rows.min()),
                    field="municipality_code",
                )
            )


def write_ingested(tables: list[tuple[Path, pd.DataFrame]], folder: Path, out_dir: Path) -> dict[str, Path]:
    """One parquet file per input, named after the folder and the file's path in it, moved into place only
    if all were written; returns name -> the raw file it came from."""
    prefix = ingest_prefix(folder)
    written = {}
    with ExitStack() as stack:  # every file is moved into place only if all were written
        for p, obs in tables:
            target = out_dir / f"{prefix}__{str(p.relative_to(folder)).replace('/', '__')}.parquet"
            tmp = stack.enter_context(atomic_path(target))
            obs.to_parquet(tmp, index=False)
            written[target.name] = p
    return written


def _cmd_ingest(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    out_dir = Path(args.out) if args.out else config.PROCESSED_DIR / "ingested"
    if not folder.is_dir():
        print(f"error: {folder}: not a folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        tables = read_folder(folder, load_catalog())
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not tables:
        print(f"error: {folder}: no supported files", file=sys.stderr)
        return EXIT_BAD_INPUT
    prefix = ingest_prefix(folder)
    written = set(write_ingested(tables, folder, out_dir))
    for p, obs in tables:
        print(f"{p.relative_to(folder)}: {len(obs)} rows")
    print(f"wrote {len(tables)} files to {out_dir}")
    # the ingested set of a folder mirrors the folder: what was ingested from it before and is gone now goes
    for stale in sorted(out_dir.glob(f"{prefix}__*.parquet")):
        if stale.name not in written:
            stale.unlink()
            print(f"removed {stale.name} (its raw file is no longer in {folder})")
    return 0


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (links followed, each folder once, so that a link to a parent cannot
    make the walk endless), hidden files left out."""
    seen, out = set(), []
    for d, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(d)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        out += [Path(d) / f for f in names if not f.startswith(".")]
    return sorted(out)


def ingest_prefix(folder: Path) -> str:
    """The name that keeps one folder's ingested files apart from another's: the folder's path under
    data/raw (``submissions__2024``), or its own name when it lies elsewhere."""
    folder = folder.resolve()
    try:
        name = str(folder.relative_to(config.RAW_DIR.resolve()))
    except ValueError:
        name = folder.name
    return name.replace("/", "__") if name != "." else "raw"


def _load_query(path: str | None, v2: bool) -> dict:
    if path is None:
        return {}
    from analysis.core.inputs import MB, decode_utf8, read_bytes

    text = decode_utf8(read_bytes(path, MB, "a query file"), path, "a query file")
    try:
        q = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(path, f"cannot read query file: not JSON ({type(exc).__name__}: {exc})") from None
    if not v2 and isinstance(q, list):
        return {"query": q}
    if not isinstance(q, dict):
        raise InputError(path, "query file must hold a JSON object")
    allowed = {"valueCodes", "codelist", "outputValues", "lang"} if v2 else {"query", "response", "lang"}
    extra = sorted(set(q) - allowed, key=str)
    if extra:
        raise InputError(path, f"unknown keys {extra} (allowed: {sorted(allowed)})", field=extra[0])
    return q


def _cmd_fetch(args: argparse.Namespace) -> int:
    try:
        client: PxWebClient = args.client_factory(
            cache_dir=Path(args.cache_dir) if args.cache_dir else None, offline=True if args.offline else None
        )
        q = _load_query(args.query_file, args.v2)
        if args.v2:
            data = client.fetch_v2(
                args.table,
                q.get("valueCodes"),
                lang=q.get("lang", "no"),
                codelist=q.get("codelist"),
                output_values=q.get("outputValues"),
            )
        else:
            data = client.fetch_v0(args.table, q.get("query"), lang=q.get("lang", "no"))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (CacheMissError, PxWebError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    meta = client.last_meta
    print(f"{'from cache' if meta['from_cache'] else 'fetched'}: {meta['method']} {meta['url']}")
    print(f"fetched at {meta['fetched_at']}, table updated {data.get('updated', '?')}, size {data.get('size')}")
    print(f"cached in {client.session.cache.db_path}")
    if args.out:
        side = client.save(data, Path(args.out))
        print(f"wrote {args.out} and {side}")
    return 0


def register(
    subparsers: argparse._SubParsersAction,
    client_factory: Callable[..., PxWebClient] = PxWebClient,
    rules_check: Callable | None = None,
) -> None:
    """Add ``check``, ``ingest`` and ``fetch`` to the project's parser. ``rules_check(rules, path)`` is what the
    layers above add to checking the plausibility rules (every warning has its Norwegian text)."""
    p = subparsers.add_parser(
        "check",
        help="read and validate data files, a targets file, network.yaml, report.yaml or the plausibility rules "
        "(none named: the project's params); write nothing",
    )
    p.add_argument("file", nargs="*")
    p.set_defaults(func=_cmd_check, rules_check=rules_check)

    p = subparsers.add_parser("ingest", help="read and validate every file in a folder, then write parquet")
    p.add_argument("folder")
    p.add_argument("--out", default=None, help="output folder (default data/processed/ingested)")
    p.set_defaults(func=_cmd_ingest)

    p = subparsers.add_parser("fetch", help="fetch an SSB table into the cache (PxWebApi v0, or v2)")
    p.add_argument("table")
    p.add_argument("--v2", action="store_true", help="use PxWebApi v2 (GET)")
    p.add_argument(
        "--query-file",
        default=None,
        help="v0: JSON with 'query' (list of selections); v2: JSON with valueCodes/codelist/outputValues",
    )
    p.add_argument("--offline", action="store_true", help="answer only from the cache")
    p.add_argument("--cache-dir", default=None, help="HTTP cache folder (default data/cache/http)")
    p.add_argument("--out", default=None, help="also write the dataset here, with <file>.provenance.yaml beside it")
    p.set_defaults(func=_cmd_fetch, client_factory=client_factory)


# --- ingest inside the build: data/raw -> the ingested set, again only when a raw file or recipe changed ------

#: Beside the ingested set: what it was made from (the digest of data/raw and the registry) and what it holds.
STAMP = ".ingest-stamp.json"


def raw_digest(raw_dir: Path | None = None) -> str:
    """SHA-256 over every file under ``data/raw`` (its path and bytes: raw files, recipes, provenance sidecars)
    and the code registry the names are resolved through; a change to any of them means ingesting again."""
    import hashlib

    from analysis.reference.geography import CODE_CHANGES_CSV, MUNICIPALITIES_CSV

    raw_dir = Path(raw_dir or config.RAW_DIR)
    digest = hashlib.sha256()
    for p in _files(raw_dir) if raw_dir.is_dir() else []:
        digest.update(str(p.relative_to(raw_dir)).encode() + b"\0")
        digest.update(hashlib.sha256(p.read_bytes()).digest())
    for p in (MUNICIPALITIES_CSV, CODE_CHANGES_CSV):
        digest.update(hashlib.sha256(p.read_bytes()).digest() if p.is_file() else b"-")
    return digest.hexdigest()


def _file_hashes(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def ingest_is_current(ingested_dir: Path, digest: str) -> bool:
    """Whether ``ingested_dir`` is what ingesting data/raw with this digest made, untouched since: its stamp
    names the digest and exactly the parquet files there, byte for byte (a manual ``ingest`` since changes them)."""
    stamp = Path(ingested_dir) / STAMP
    try:
        made = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return made.get("inputs") == digest and made.get("outputs") == _file_hashes(Path(ingested_dir))


def raw_sources(raw_dir: Path | None = None) -> list[Path]:
    """The source folders of data/raw (``data/raw/<source>/``), each ingested as ``ingest data/raw/<source>``."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    if not raw_dir.is_dir():
        return []
    return sorted(d for d in raw_dir.iterdir() if d.is_dir() and not d.name.startswith("."))


def ingest_raw(staging: Path, raw_dir: Path | None = None, current: Path | None = None, out=None) -> Path:
    """The build's ingest step (``data: ingested``): the folder the report's ingested set is read from.

    ``current`` (``data/processed/ingested``) is returned as it is when its stamp says it was made from the
    same data/raw (:func:`ingest_is_current`), or when data/raw has no source folders (the set was ingested
    by hand from elsewhere). Otherwise every source folder is read and validated, all problems of all files in
    one :class:`InputErrors` and nothing written; only then is the new set written to ``staging`` with its stamp.
    The caller makes ``staging`` part of the new processed data, so a failed ingest leaves the previous
    processed data and site as they were."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    current = Path(current or config.PROCESSED_DIR / "ingested")
    sources = raw_sources(raw_dir)
    if not sources:
        print(f"      ingest: no source folders in {raw_dir}; the ingested set is used as it is", file=out)
        return current
    digest = raw_digest(raw_dir)
    if ingest_is_current(current, digest):
        print(f"      ingest: {raw_dir} unchanged since the last ingest ({digest[:12]}); not ingested again", file=out)
        return current

    problems, found = Problems(), []
    catalog = load_catalog()
    for folder in sources:
        try:
            found.append((folder, read_folder(folder, catalog, out=out, err=out)))
        except InputError as exc:
            problems.add(exc)
    duplicates_across([t for _, tables in found for t in tables], problems)  # between two source folders
    problems.raise_if_any()
    staging.mkdir(parents=True, exist_ok=True)
    written = {}
    for folder, tables in found:
        written.update(write_ingested(tables, folder, staging))
    (staging / STAMP).write_text(
        json.dumps({"inputs": digest, "outputs": _file_hashes(staging)}, indent=1), encoding="utf-8"
    )
    rows = sum(len(obs) for _, tables in found for _, obs in tables)
    print(f"      ingest: {len(written)} files, {rows} rows from {raw_dir} ({digest[:12]})", file=out)
    dropped = sorted(set(_file_hashes(current)) - set(written)) if current.is_dir() else []
    for name in dropped:
        print(f"      ingest: {name} is not made from {raw_dir} any more and is left out", file=out)
    return staging
