"""The data page: every processed table to download, described, licensed and versioned.

The build writes, into the site's ``data/`` folder, each processed table (the observations, every
results table, the catalog, the units and the targets) as CSV and as Parquet, and a Frictionless Data
Package (``datapackage.json``, https://datapackage.org/) that names each file, its columns with their
types and descriptions, the sources with their licences and the build's metadata (the code's version,
a digest of the data, the data's vintage, the date). ``reports/data.qmd`` shows the same as a page
(``_data.md``, written here). Column descriptions come from ``data/reference/columns.csv`` and licences
from ``data/reference/licences.csv`` (:mod:`analysis.reference.columns`), texts from
:mod:`analysis.pages.text_nb`; every string from data is escaped for the Markdown it lands in.

The files are the processed tables as they are: the Parquet files are the processed files' bytes, the
CSV files the same rows with text cells that a spreadsheet would run as a formula made inert (a leading
``'``, :func:`analysis.pages.present.csv_cells`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path

import pandas as pd

import analysis
from analysis.core.atomic import write_atomic_csv, write_atomic_text
from analysis.pages import language
from analysis.pages.present import csv_cells, esc, fmt_number, markdown_table
from analysis.pages.report_data import ReportData, slice_digest
from analysis.reference.columns import describe, licence_of, load_columns, load_licences
from analysis.site.languages import speaking

FOLDER = "data"
TABLE_ORDER = ("observations", "catalog", "units", "targets")
RESULT_ORDER = ("trends", "status", "progress", "comparisons", "slope_tests", "network_trends", "spread")
#: Rows that identify one row of each table (checked by ``frictionless validate``); the targets have
#: none a validator accepts (a network target's unit is empty).
PRIMARY_KEYS = {
    "observations": ["unit_code", "year", "kpi_id"],
    "catalog": ["kpi_id"],
    "units": ["unit_code"],
    "trends": ["unit_code", "kpi_id"],
    "status": ["unit_code", "kpi_id"],
    "progress": ["unit_code", "kpi_id", "method"],
    "comparisons": ["unit_code", "kpi_id"],
    "slope_tests": ["unit_code", "kpi_id"],
    "network_trends": ["kpi_id"],
    "spread": ["kpi_id", "year"],
}


def tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every processed table by name, in the order the page lists them (results tables not known here
    come last, so that a new one is never left out)."""
    out = {"observations": data.observations, "catalog": data.catalog, "units": data.units, "targets": data.targets}
    order = [*RESULT_ORDER, *sorted(set(data.results) - set(RESULT_ORDER))]
    out.update({name: data.results[name] for name in order if name in data.results})
    return out


def processed_file(processed: Path, name: str) -> Path:
    return processed / (f"{name}.parquet" if name in TABLE_ORDER else f"results/{name}.parquet")


def field_type(dtype) -> str:
    """The Table Schema type of a pandas column."""
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    return "string"


def code_version(root: Path) -> str:
    """The git commit the site was built from (with ``+endringer`` when the tracked files differ from it),
    or '' outside a git repository."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=20
        )
        if commit.returncode != 0:
            return ""
        dirty = subprocess.run(
            ["git", "-C", str(root), "diff", "--quiet", "HEAD", "--"], capture_output=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):  # no git on this machine
        return ""
    return commit.stdout.strip() + ("+endringer" if dirty.returncode == 1 else "")


@dataclass(frozen=True)
class BuildInfo:
    code_version: str  # git commit, '' when unknown
    package_version: str
    data_digest: str
    data_vintage: str
    built: str  # ISO date
    report_year: int
    data_mode: str


def build_info(data: ReportData, root: Path) -> BuildInfo:
    meta = data.metadata
    return BuildInfo(
        code_version(root),
        analysis.__version__,
        slice_digest(data),  # every value of every table (the metadata but the date too)
        ", ".join(meta.get("vintages", [])),
        str(meta.get("built", "")),
        data.report_year,
        str(meta.get("data_mode", "")),
    )


def sources(data: ReportData) -> list[str]:
    """Every source a row of the tables names: observations, targets and the population figures."""
    found = set(data.observations["source"]) | set(data.targets["source"])
    found |= set(data.units["population_source"].dropna())
    return sorted(s for s in found if s)


def datapackage(data: ReportData, files: dict[str, dict], info: BuildInfo) -> dict:
    """The Frictionless Data Package (v1 tabular): one resource per file, the schema of each table with
    every column described, the sources and their licences, the build."""
    described = load_columns()
    known = load_licences()
    all_sources = sources(data)
    licences = {}
    for source in all_sources:
        lic = licence_of(source, known)
        licences.setdefault(
            lic.name, {"name": lic.name, "title": lic.title, **({"path": lic.path} if lic.path else {})}
        )
    main = language.texts(language.DEFAULT)  # one package, in the site's main language
    d, table_texts = main.DATA_PAGE, main.TABLES
    created = datetime.combine(datetime.fromisoformat(info.built).date(), time(0), timezone.utc) if info.built else None
    resources = []
    for name, table in tables(data).items():
        schema = {
            "fields": [
                {"name": col, "type": field_type(table[col].dtype), "description": describe(name, col, described)}
                for col in table.columns
            ],
            "missingValues": [""],
        }
        if name in PRIMARY_KEYS:
            schema["primaryKey"] = PRIMARY_KEYS[name]
        for fmt, extra in (
            ("csv", {"mediatype": "text/csv", "encoding": "utf-8-sig", "dialect": {"delimiter": ",", "header": True}}),
            ("parquet", {"mediatype": "application/vnd.apache.parquet"}),
        ):
            resources.append(
                {
                    "name": f"{name.replace('_', '-')}-{fmt}",
                    "profile": "tabular-data-resource",
                    "path": files[name][fmt],
                    "format": fmt,
                    **extra,
                    "title": name,
                    "description": table_texts.get(name, name),
                    "schema": schema,
                }
            )
    package = {
        "profile": "tabular-data-package",
        "name": "baerekraftsnettverket",
        "title": "Bærekraftsnettverket: U4SSC-indikatorer for kommunene og fylkeskommunene",
        "description": f"{d['intro']}\n\n{d['csv_note']}",
        "version": info.package_version,
        "licenses": list(licences.values()),
        "sources": [
            {"title": s, "licence": licence_of(s, known).name, "attribution": licence_of(s, known).attribution}
            for s in all_sources
        ],
        "resources": resources,
        "baerekraft": {
            "code_version": info.code_version,
            "package_version": info.package_version,
            "data_digest_sha256": info.data_digest,
            "data_vintage": info.data_vintage,
            "built": info.built,
            "report_year": info.report_year,
            "data_mode": info.data_mode,
        },
    }
    if created is not None:
        package["created"] = created.isoformat().replace("+00:00", "Z")
    return package


def _size(path: Path, lang: str = language.DEFAULT) -> str:
    kb = path.stat().st_size / 1024
    with speaking(lang):  # the number format of the page's language
        if kb >= 1024:
            return f"{fmt_number(kb / 1024, 1)} MB"
        return f"{fmt_number(max(kb, 0.1), 1 if kb < 10 else 0)} kB"


def page_markdown(
    data: ReportData, files: dict[str, dict], folder: Path, info: BuildInfo, lang: str = language.DEFAULT
) -> str:
    """The body of the data page (``_data.md``) in ``lang``."""
    text = language.texts(lang)
    d, table_texts = text.DATA_PAGE, text.TABLES
    described = load_columns(lang=lang)
    known = load_licences()
    listing = pd.DataFrame(
        [
            {
                d["what"]: f"{name}: {table_texts.get(name, '')}",
                "CSV": _link(files[name]["csv"], folder, lang),
                "Parquet": _link(files[name]["parquet"], folder, lang),
                d["rows"]: fmt_number(len(table), 0),
            }
            for name, table in tables(data).items()
        ]
    )
    parts = [
        d["intro"],
        d["csv_note"],
        f"[{text.SITE['datapackage_link']}]({FOLDER}/datapackage.json)",
        f"## {d['tables_heading']}",
        markdown_table(listing, align={d["rows"]: "right"}),
    ]
    for name, table in tables(data).items():
        columns = pd.DataFrame(
            [
                {
                    d["column"]: col,
                    d["type"]: field_type(table[col].dtype),
                    d["description"]: describe(name, col, described),
                }
                for col in table.columns
            ]
        )
        parts += [f"### {d['columns_heading']} {esc(name)}", markdown_table(columns)]
    page_columns = pd.DataFrame(
        [{d["column"]: head, d["description"]: what} for head, what in text.DOWNLOAD_COLUMNS.values()]
    )
    parts += [f"## {d['pages_heading']}", d["pages_intro"], markdown_table(page_columns)]
    licences = pd.DataFrame(
        [
            {
                d["source"]: s,
                d["licence"]: _licence_cell(licence_of(s, known), lang),
            }
            for s in sources(data)
        ]
    )
    parts += [f"## {d['licence_heading']}", markdown_table(licences)]
    facts = pd.DataFrame(
        [
            (
                d["code_version"],
                f"{info.code_version or d['unknown_version']} ({text.SITE['package']} {info.package_version})",
            ),
            (d["data_vintage"], info.data_vintage),
            (d["built"], text.date_long(info.built)),
            (d["report_year"], str(info.report_year)),
            (d["data_mode"], d.get(info.data_mode, info.data_mode)),
            (d["data_digest"], info.data_digest),
        ],
        columns=["", d["this_version"]],
    )
    parts += [f"## {d['build_heading']}", markdown_table(facts)]
    return "\n\n".join(parts) + "\n"


def _link(path: str, folder: Path, lang: str = language.DEFAULT):
    from analysis.pages.present import link

    return link(f"{Path(path).name} ({_size(folder / path, lang)})", f"{FOLDER}/{path}")


def _licence_cell(lic, lang: str = language.DEFAULT):
    from analysis.pages.present import Md, link

    title = lic.title_in(lang)
    return link(title, lic.path) if lic.path.startswith("https://") else Md(esc(title))


def write_data_page(
    data: ReportData, processed: Path, staging: Path, root: Path, others: dict[str, Path] | None = None
) -> BuildInfo:
    """The files of the data page into ``staging/data/`` and its Markdown into ``staging/_data.md``; with
    ``others`` (language -> that language's project) the page in those languages too, about the same files
    (:func:`analysis.site.languages.share` puts them into each language's site)."""
    folder = Path(staging) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    for name, table in tables(data).items():
        csv_name, parquet_name = f"{name}.csv", f"{name}.parquet"
        write_atomic_csv(csv_cells(table), folder / csv_name, encoding="utf-8-sig")
        shutil.copyfile(processed_file(Path(processed), name), folder / parquet_name)
        files[name] = {"csv": csv_name, "parquet": parquet_name}
    info = build_info(data, root)
    package = datapackage(data, files, info)
    write_atomic_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", folder / "datapackage.json")
    write_atomic_text(page_markdown(data, files, folder, info), Path(staging) / "_data.md")
    for lang, project in (others or {}).items():
        with speaking(lang):
            write_atomic_text(page_markdown(data, files, folder, info, lang), Path(project) / "_data.md")
    return info
