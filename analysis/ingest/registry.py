"""The reader registry: which reader a file needs, told by a recipe that covers it
(:mod:`analysis.ingest.recipe`), else by its extension and (for a U4SSC submission or verification values)
its header; every reader returns the observation columns of :mod:`analysis.core.schema`.
``read_observations(path)`` is the one entry point of this stage."""

from __future__ import annotations

import io
import os
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, InputErrors
from analysis.core.inputs import MAX_LINE_CHARS
from analysis.ingest.jsonstat import jsonstat_to_observations, read_jsonstat
from analysis.ingest.kostra import read_road_network, road_network_to_observations
from analysis.ingest.recipe import read_with_recipe, recipe_for
from analysis.ingest.statbank import read_statbank, statbank_to_observations
from analysis.ingest.u4ssc import read_submission, read_verification_values

FORMATS = {
    ".json": "json-stat",
    ".csv": "statbank",
    ".tsv": "statbank",
    ".txt": "statbank",
    ".xlsx": "kostra",
    ".parquet": "observations",
}


def file_date(path: Path) -> str:
    """The vintage we can honestly give a local export: the date the file was last written."""
    return "file " + datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()


def header_names(path: Path) -> set[str]:
    """The column names in the first line of a .csv or the first sheet of an .xlsx (empty otherwise)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        from analysis.ingest.workbook import archive_bytes

        try:
            raw = archive_bytes(path, "a workbook")  # sizes first: a zip bomb stops here
            wb = load_workbook(io.BytesIO(raw), read_only=True)
            header = [str(c.value or "") for c in next(wb.worksheets[0].iter_rows(max_row=1), [])]
            wb.close()
        except Exception:  # noqa: BLE001 - not a workbook we can open; the KOSTRA reader will say why
            return set()
    elif suffix == ".csv":
        try:
            with open(path, "rb") as fh:
                line = fh.readline(MAX_LINE_CHARS)
            utf16 = line.startswith((b"\xff\xfe", b"\xfe\xff"))  # told apart here; the reader refuses it
            first = line.decode("utf-16" if utf16 else "utf-8", errors="replace").lstrip("\ufeff")
        except OSError:
            return set()  # the reader says why
        header = [h.strip().strip('"') for h in first.replace(";", ",").split(",")]
    else:
        return set()
    return set(header)


def u4ssc_format(path: Path) -> str | None:
    """'u4ssc' for a member's filled-in template, 'u4ssc-verification' for values typed from ITU
    verification reports, None for anything else; told apart by the columns of the header."""
    header = header_names(path)
    if {"municipality_code", "kpi_code"} <= header:
        return "u4ssc"  # the reader names any other column that is missing
    if {"city", "report_date"} <= header:
        return "u4ssc-verification"
    return None


def read_observations(path: str | Path) -> tuple[str, pd.DataFrame]:
    """Detect the format from the extension (and a submission's header), read and return (format, rows)."""
    path = Path(path)
    recipe = recipe_for(path)  # a recipe says how to read the files it covers, whatever their shape
    fmt = "recipe" if recipe is not None else FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            path,
            f"unsupported file type {path.suffix!r} (supported: {', '.join(FORMATS)}; any table with a recipe.yaml "
            "beside it that covers it, see README «Recipes»)",
        )
    if not path.is_file():
        raise InputError(path, "no such file" if not path.exists() else "is not a file")
    if not os.access(path, os.R_OK):
        raise InputError(path, "cannot be read: permission denied")
    if fmt in ("statbank", "kostra"):
        fmt = u4ssc_format(path) or fmt
    try:
        if recipe is not None:
            obs = read_with_recipe(recipe, path)
            fmt = f"recipe {recipe.path.name} ({recipe.kpi}, {recipe.source})"
        elif fmt == "u4ssc":
            obs = read_submission(path)
        elif fmt == "u4ssc-verification":
            obs = read_verification_values(path)
        elif fmt == "json-stat":
            obs = jsonstat_to_observations(read_jsonstat(path))
        elif fmt == "statbank":
            obs = statbank_to_observations(read_statbank(path), vintage=file_date(path))
        elif fmt == "kostra":
            obs = road_network_to_observations(read_road_network(path))
        else:
            try:
                obs = pd.read_parquet(path)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a broken file
                raise InputError(path, f"not a readable parquet file ({type(exc).__name__})") from None
            if obs.empty:
                raise InputError(path, "an observation table with no rows: it holds nothing")
    except InputError as exc:
        if exc.path is None:
            exc = InputError(path, exc.reason, exc.row, exc.field)
        if fmt in ("statbank", "kostra"):  # a table of another shape: say how it can be read after all
            hint = InputError(
                path,
                f"read as a {'StatBank export' if fmt == 'statbank' else 'KOSTRA road workbook'} and refused; if it "
                "is a table of another shape (long, with names), describe it in a recipe.yaml beside it "
                "(README «Recipes: tables as you have them»)",
            )
            raise InputErrors([*getattr(exc, "problems", [exc]), hint]) from None
        raise exc from None
    obs.attrs = {}
    return fmt, obs


def summary(fmt: str, obs: pd.DataFrame) -> str:
    """A few lines a person can read: rows, units, years, statuses, variables."""
    status = obs["status"].replace("", "(value)").value_counts()
    years = f"{obs['year'].min()}-{obs['year'].max()}" if len(obs) else "none"
    return "\n".join(
        [
            f"format:    {fmt}",
            f"rows:      {len(obs)}",
            f"units:     {obs['unit_code'].nunique()}",
            f"years:     {years} ({obs['year'].nunique()} distinct)",
            f"variables: {', '.join(sorted(obs['kpi_id'].unique())[:5])}"
            + (f" (+{obs['kpi_id'].nunique() - 5} more)" if obs["kpi_id"].nunique() > 5 else ""),
            "statuses:  " + ", ".join(f"{k} {v}" for k, v in status.items()),
        ]
    )
