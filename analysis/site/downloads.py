"""The CSV download of every page: each number the page shows, and the numbers behind it.

A page's figures and tables are drawn by :mod:`analysis.pages.content`; its download is made here from
the same functions on the same processed data, so it holds what the page shows — the series behind
each figure (every year drawn), the values in its tables, the comparison values (network median, the
county, the nation), the targets — and what the methods page promises is in the downloads: the rows of
every progress method, not only the Eurostat badge, and the source and version on every row. Nothing
is computed here that a page does not compute itself.

One long table per page, one number (or one word) per row, with the same columns on every page in the
page's language (``DOWNLOAD_COLUMNS`` of :mod:`analysis.pages.text_nb` and ``text_en``, read at call time):
«Del» (Part) names the part of the page, «Størrelse» (Measure) what the number is, «Metode» (Method) how it
was computed. Written with a byte-order mark (Excel reads UTF-8 as
such only then) and with every text cell a spreadsheet would run as a formula made inert
(:func:`analysis.pages.present.csv_cells`).
"""

from __future__ import annotations

import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analysis.core.atomic import write_atomic_csv
from analysis.core.errors import InputError
from analysis.core.filecache import FileCache, store
from analysis.core.schema import NATIONAL_CODE
from analysis.pages import content, figures, language
from analysis.pages.present import (
    BAND_ORDER,
    bands,
    convergences,
    csv_cells,
    data_note,
    directions,
    fmt_kpi_value,
    fmt_value,
    unit_types,
    verdicts,
)
from analysis.pages.report_data import ReportData

CATALOG_VINTAGE = "data/reference/u4ssc_catalog.csv"


def _texts():
    """The text module of the download's language (read at call time, as the pages do)."""
    return language.texts()


def _words() -> dict[str, str]:
    return _texts().DOWNLOAD_TEXTS


def _col(frame: pd.DataFrame, spec, default=None) -> np.ndarray:
    """``spec`` as a column of ``frame``: a column name, a Series or list of the frame's length, or one value."""
    if isinstance(spec, str) and spec in frame.columns:
        return frame[spec].to_numpy(dtype=object)
    if isinstance(spec, pd.Series | pd.Index | list | np.ndarray):
        return np.asarray(list(spec), dtype=object)
    out = np.empty(len(frame), dtype=object)
    out[:] = default if spec is None else spec
    return out


def _text(values: np.ndarray) -> np.ndarray:
    """The values with every missing one (None, NaN, NA) an empty text."""
    out = np.array(values, dtype=object)
    out[pd.isna(out)] = ""
    return out


def _numbers(frame: pd.DataFrame, spec, default) -> np.ndarray:
    """``spec`` (as :func:`_col`) as floats, anything that is not a number NaN; a numeric column of ``frame``
    directly (turning a national page's columns into Python objects and back was a tenth of its download)."""
    if isinstance(spec, str) and spec in frame.columns:
        column = frame[spec]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            return column.to_numpy(dtype=float, na_value=np.nan)
    elif isinstance(spec, pd.Series) and len(spec) == len(frame):
        if pd.api.types.is_numeric_dtype(spec) and not pd.api.types.is_bool_dtype(spec):
            return spec.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(pd.Series(_col(frame, spec, default), dtype=object), errors="coerce").to_numpy(float)


def rows(frame: pd.DataFrame, part: str, measure: str, value=None, *, year=None, text=None, method="", **keys) -> dict:
    """One download row per row of ``frame``, as a block of columns (:func:`finish` makes the table):
    ``measure`` (a key of ``DOWNLOAD_MEASURES``, by default also the column its values are in) with
    its value, year, text and method taken from columns of ``frame`` or given; ``unit_code``, ``kpi_id``
    and ``dimension`` from the frame's columns unless given. ``scope`` says whose observations the row
    speaks for (:class:`Provenance`); ``source`` and ``vintage`` given here are kept as they are."""

    def key(name: str, column: str) -> np.ndarray:
        if name in keys:
            return _col(frame, keys[name], "")
        return frame[column].to_numpy(dtype=object) if column in frame.columns else _col(frame, "", "")

    texts = _texts()
    return {
        "part": _col(frame, texts.DOWNLOAD_PARTS[part]),
        "unit_code": key("unit_code", "unit_code"),
        "kpi_id": key("kpi_id", "kpi_id"),
        "dimension": key("dimension", "kpi_dimension"),
        "year": _numbers(frame, year, np.nan),
        "measure": _col(frame, texts.DOWNLOAD_MEASURES[measure]),
        "method": _col(frame, method, ""),
        "value": _numbers(frame, measure if value is None else value, np.nan),
        "text": _text(_col(frame, text, "")),
        "source": _text(_col(frame, keys.get("source"), "")),
        "vintage": _text(_col(frame, keys.get("vintage"), "")),
        "_scope": _col(frame, keys.get("scope", "unit_kpi")),
        "_of": key("of", "unit_code"),  # whose observations the row's source is looked up for
    }


class Provenance:
    """The source and version of the observations behind a row, by the scope the row speaks for: one
    unit's value in one year, a unit's series of a KPI, a KPI in one year (a median), a KPI, a unit.

    Each scope is a dictionary from its key to (source, version), made once for all pages: a page's few
    thousand rows are looked up in it, where merging them with the 400 000 national keys took a fifth of
    a member's download."""

    def __init__(self, data: ReportData) -> None:
        obs = data.observations

        def join(values: pd.Series) -> str:
            return "; ".join(sorted(set(values.astype(str)) - {""}))

        def by(keys: list[str]) -> dict[tuple, tuple[str, str]]:
            """One entry per key: its sources and versions, joined where there are several (rare: most
            keys have one of each, taken as they are, which keeps this fast at the scale of Norway)."""
            distinct = obs[[*keys, "source", "vintage"]].drop_duplicates()
            several = distinct.duplicated(keys, keep=False)
            joined = (
                distinct.loc[several]
                .groupby(keys, as_index=False)
                .agg(source=("source", join), vintage=("vintage", join))
            )
            table = pd.concat([distinct.loc[~several], joined], ignore_index=True)
            found = zip(table["source"].fillna("").tolist(), table["vintage"].fillna("").tolist())
            return dict(zip(zip(*(table[k].tolist() for k in keys)), found))

        self.tables = {
            "unit_kpi_year": (["unit_code", "kpi_id", "year"], by(["unit_code", "kpi_id", "year"])),
            "unit_kpi": (["unit_code", "kpi_id"], by(["unit_code", "kpi_id"])),
            "kpi_year": (["kpi_id", "year"], by(["kpi_id", "year"])),
            "kpi": (["kpi_id"], by(["kpi_id"])),
            "unit": (["unit_code"], by(["unit_code"])),
        }

    def fill(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the blank sources and versions of its rows looked up by their scope (a row whose
        key has no observation keeps them blank)."""
        source = frame["source"].to_numpy(dtype=object).copy()
        vintage = frame["vintage"].to_numpy(dtype=object).copy()
        scopes = frame["_scope"].to_numpy(dtype=object)
        blank = source == ""
        for scope, (keys, lookup) in self.tables.items():
            rows = np.flatnonzero((scopes == scope) & blank)
            if not len(rows):
                continue
            columns = [frame["_of" if k == "unit_code" else k].to_numpy(dtype=object)[rows] for k in keys]
            if "year" in keys:
                at = keys.index("year")
                years = pd.to_numeric(pd.Series(columns[at], dtype=object), errors="coerce").astype("Int64")
                columns[at] = [None if y is pd.NA else int(y) for y in years]
            found = [lookup.get(key, ("", "")) for key in zip(*columns)]
            source[rows] = [f[0] for f in found]
            vintage[rows] = [f[1] for f in found]
        return frame.assign(source=source, vintage=vintage)


def finish(data: ReportData, parts: list[dict], provenance: Provenance) -> pd.DataFrame:
    """The rows of one page as its CSV: empty rows dropped (no number and no word), names added, the
    provenance filled in, the headers in the page's language."""
    blocks = [b for b in parts if len(b["part"])]
    table = pd.DataFrame({column: np.concatenate([b[column] for b in blocks]) for column in blocks[0]})
    table = table.loc[table["value"].notna() | table["text"].fillna("").astype(str).ne("")].reset_index(drop=True)
    table = provenance.fill(table)
    units = data.units.set_index("unit_code")["name"]
    catalog = content.catalog(data).set_index("kpi_id")
    table["unit_name"] = table["unit_code"].map(units).fillna("")
    table["kpi_name"] = table["kpi_id"].map(catalog["kpi_name"]).fillna("")
    table["measure_unit"] = table["kpi_id"].map(catalog["kpi_unit"]).fillna("")
    has_kpi = table["kpi_id"].ne("")
    table.loc[has_kpi, "dimension"] = table.loc[has_kpi, "kpi_id"].map(catalog["kpi_dimension"])
    table["year"] = pd.to_numeric(table["year"], errors="coerce").astype("Int64")
    columns = _texts().DOWNLOAD_COLUMNS
    return table[list(columns)].rename(columns={key: header for key, (header, _) in columns.items()})


# --- the parts that several pages share -------------------------------------------------------------


def _label(code) -> str:
    return _texts().LABELS.get(code, code) if isinstance(code, str) else ""


def _band_text(frame: pd.DataFrame) -> list[str]:
    labels = _texts().LABELS
    return [
        labels[b] if isinstance(b, str) and b else language.reason_phrase(r) if isinstance(r, str) else ""
        for b, r in zip(frame["band"], frame.get("reason", pd.Series([""] * len(frame))))
    ]


def _target_rows(data: ReportData, status: pd.DataFrame, part: str, targets_file: str) -> list[dict]:
    """A unit's targets as the status table used them, with the target's own source (the targets file).
    ``data`` is all the data: a member's slice holds its local targets only."""
    with_target = status.loc[status["target"].notna() | status["band_low"].notna()].reset_index(drop=True)
    wanted = with_target.assign(
        target_unit=np.where(with_target["target_scope"] == "local", with_target["unit_code"], "")
    )[["kpi_id", "target_unit"]]
    targets = data.targets[["kpi_id", "unit_code", "source"]].rename(columns={"unit_code": "target_unit"})
    source = wanted.merge(targets, on=["kpi_id", "target_unit"], how="left")["source"].fillna("")
    words = _words()
    scope = [words["local_target"] if s == "local" else words["network_target"] for s in with_target["target_scope"]]
    keys = dict(source=source, vintage=targets_file, scope="given")
    return [
        rows(with_target, part, "target", year="target_year", text=scope, **keys),
        rows(with_target, part, "band_low", year="target_year", **keys),
        rows(with_target, part, "band_high", year="target_year", **keys),
    ]


def _comparison_rows(data: ReportData, comp: pd.DataFrame) -> list[dict]:
    """The comparison of each unit's level; the county's and the nation's values carry their own sources."""
    part = "comparison"
    median = _words()["median_of"]
    county = comp["unit_code"].map(data.units.set_index("unit_code")["county_code"]).fillna("")
    return [
        rows(comp, part, "value", year="year", scope="unit_kpi_year"),
        rows(comp, part, "network_median", year="year", method=median, scope="kpi_year"),
        rows(comp, part, "network_mean", year="year", scope="kpi_year"),
        rows(comp, part, "county_value", year="year", of=county, scope="unit_kpi_year"),
        rows(comp, part, "national_value", year="year", of=NATIONAL_CODE, scope="unit_kpi_year"),
        rows(comp, part, "peer_median", year="year", scope="kpi_year"),
        rows(comp, part, "percentile_rank", year="year"),
        rows(comp, part, "robust_z", year="year", method=_words()["robust_z"]),
    ]


def _progress_rows(progress: pd.DataFrame) -> list[dict]:
    """Every progress method's row: its class (with R or the growth in the good direction), the growth it
    observed and needed, and the base value once per series."""
    p = progress.reset_index(drop=True)
    notes = p["note"] if "note" in p.columns else pd.Series([""] * len(p))
    # the codes the methods page names in parentheses («merknadene i de nedlastbare dataene»)
    method = [_label(m) + (f" ({n})" if isinstance(n, str) and n else "") for m, n in zip(p["method"], notes)]
    klass = [
        _label(c) if isinstance(c, str) and c else language.reason_phrase(r)
        for c, r in zip(p["progress_class"], p["reason"])
    ]
    headline = p["ratio"].where(p["ratio"].notna(), p["growth_good_direction"])
    base = p.drop_duplicates(["unit_code", "kpi_id"])
    part = "progress"
    return [
        rows(base, part, "base_value", year="base_year", scope="unit_kpi_year"),
        rows(p, part, "progress", value=headline, year="current_year", text=klass, method=method),
        *(
            rows(p, part, m, year="current_year", method=method)
            for m in ("cagr_observed", "cagr_required", "change_observed", "change_required", "c_factor")
        ),
    ]


# --- a member's page ---------------------------------------------------------------------------------


def unit_download(data: ReportData, unit_code: str, provenance: Provenance, targets_file: str) -> pd.DataFrame:
    """Everything on a member's page (notebooks/municipality.ipynb), in the page's order."""
    page = data.page_slice(unit_code=unit_code)
    unit = page.unit(unit_code)
    one = pd.DataFrame({"unit_code": [unit_code]})
    parts = []

    # the profile
    if pd.notna(unit.get("population")):
        parts.append(
            rows(
                one,
                "profile",
                "population",
                value=unit["population"],
                year=unit["population_year"],
                text=data_note(unit["population_note"]),
                source=unit["population_source"],
                vintage=_words()["population_vintage"].format(year=unit["population_year"]),
                scope="given",
            )
        )
    words = _words()
    facts = [("kind", unit_types()[unit["type"]])]
    if unit["type"] == "kommune":
        facts += [("county", f"{unit['county_name']} ({unit['county_code']})"), ("peer_group", unit["peer_group"])]
    breaks = sorted(set(page.for_unit("observations", unit_code).get("note", pd.Series(dtype=str))) - {""})
    if breaks:
        facts.append(("breaks", "; ".join(breaks)))
    parts += [rows(one, "profile", key, value=np.nan, text=text, scope="unit") for key, text in facts]
    if pd.notna(unit.get("population")) and unit["population"] < page.methods.small_population:
        parts.append(rows(one, "profile", "small_population", value=page.methods.small_population, scope="unit"))
    counts = content.profile_counts(page, unit_code)
    for key in ("kpis_reported", "kpis_in_catalog", "first_year", "last_year", "kpis_with_target"):
        parts.append(rows(one, "profile", key, value=counts[key], scope="unit"))
    for key in ("n_improving", "n_worsening"):
        if counts[key] is not None:
            parts.append(rows(one, "profile", key, value=counts[key], method=words["trend_method"], scope="unit"))

    # the three dimensions (band counts per dimension)
    by_band = content.band_counts(page, unit_code)
    last = content.last_year_shown(page, unit_code)
    long = by_band.stack().rename("n").reset_index().rename(columns={"level_1": "band"})
    long.columns = ["kpi_dimension", "band", "n"]
    named = bands()
    text = [named[b] if b else words["no_band"] for b in long["band"]]
    parts.append(
        rows(
            long.assign(unit_code=unit_code),
            "dimensions",
            "n_kpis",
            value="n",
            year=last,
            text=text,
            kpi_id="",
            scope="unit",
        )
    )

    # the table of every KPI
    table = content.kpi_table(page, unit_code)
    value_text = [
        fmt_kpi_value(v, "", d)
        if d == "binary" and pd.notna(v)
        else fmt_value(v, s)
        if isinstance(s, str) and s
        else ""
        for v, s, d in zip(table["value"], table["latest_status"], table["direction"])
    ]
    value_text = [t if t != "–" else "" for t in value_text]
    year = table["year"].where(table["year"].notna(), table["latest_year"])
    said = verdicts()
    verdict = [said.get(v, "") if isinstance(v, str) else "" for v in table["verdict"]]
    badge = [content.progress_text(c, m) for c, m in zip(table["progress_class"], table["progress_method"])]
    badge = [b if b != "–" else "" for b in badge]
    status = page.for_unit("status", unit_code)
    parts += [
        rows(table, "kpi_table", "latest_value", value="value", year=year, text=value_text, scope="unit_kpi_year"),
        rows(table, "kpi_table", "warning", value=np.nan, year=year, text="warning_phrase", scope="unit_kpi_year"),
        *_target_rows(data, status, "kpi_table", targets_file),
        rows(table, "kpi_table", "achieved_pct", year="year", text=_band_text(table)),
        rows(table, "kpi_table", "mk_p", text=verdict, method=words["trend_method"]),
        rows(table, "kpi_table", "ols_slope", method=words["ols"]),
        rows(
            table,
            "kpi_table",
            "badge",
            value=np.nan,
            year=year,
            text=badge,
            method=[_label(m) for m in table["progress_method"]],
        ),
    ]

    # the figure of the key KPIs: the unit's series, the network's median, the target line
    kpis = content.key_kpis(page, unit_code)
    panel = content.key_series_panel(page, unit_code, kpis)
    own = panel.loc[panel["series"] == "unit"].assign(unit_code=unit_code)
    network = panel.loc[panel["series"] == "network"].assign(unit_code="")
    parts += [
        rows(own, "key_series", "value", year="year", scope="unit_kpi_year"),
        rows(
            network,
            "key_series",
            "network_median",
            value="value",
            year="year",
            method=words["median_of"],
            scope="kpi_year",
        ),
    ]
    key_status = status.loc[status["kpi_id"].isin(kpis)].reset_index(drop=True)
    parts += _target_rows(data, key_status, "key_series", targets_file)

    # the comparison with the network (every KPI, not only those the page lists) and differing trends
    parts += _comparison_rows(data, content.comparison_table(page, unit_code))
    sig = content.differing_trends(page, unit_code)
    better = [content.better_text(b) for b in sig["better"]]
    method = words["slope_test"]
    parts += [
        rows(sig, "slope_tests", m, text=better if m == "diff" else "", method=method)
        for m in ("slope_unit", "slope_group", "diff", "ci_low", "ci_high", "q_value")
    ]

    # every progress method
    parts += _progress_rows(page.for_unit("progress", unit_code))
    return finish(data, parts, provenance)


# --- an indicator's page -----------------------------------------------------------------------------


def indicator_download(data: ReportData, kpi_id: str, provenance: Provenance, targets_file: str) -> pd.DataFrame:
    """Everything on an indicator's page (notebooks/indicator.ipynb), in the page's order."""
    page = data.page_slice(kpi_id=kpi_id)
    kpi = content.indicator_row(page, kpi_id)
    one = pd.DataFrame({"kpi_id": [kpi_id], "unit_code": [""]})
    words, page_words = _words(), _texts().PAGE
    catalog = dict(source=words["catalog_source"], vintage=CATALOG_VINTAGE, scope="given")
    direction = directions().get(kpi["direction"], kpi["direction"])
    kind = page_words["core"] if kpi["core_or_advanced"] == "Core" else page_words["advanced"]
    facts = [
        ("code", kpi["code"]),
        ("name_en", kpi["name_en"]),
        ("data_point", kpi["data_point"]),
        ("kind", kind),
        ("direction", direction + (words["inferred"] if kpi["direction_inferred"] else "")),
        ("sdg_goals", ", ".join(kpi["sdg_goals"].split(";")) if kpi["sdg_goals"] else ""),
    ]
    if kpi_id in content.own_ids(page.catalog):  # the network's own: never labelled U4SSC, its own source
        catalog = dict(source=kpi["source"], vintage="params/indicators.yaml", scope="given")
        facts = [("own_code", kpi["code"]), *facts[1:2], facts[4], facts[5]]
        if kpi.get("formula"):
            names = content.catalog(page).set_index("kpi_id")["kpi_name"]
            facts.append(("formula", _texts().formula_phrase(kpi["formula"], names)))
    parts = [rows(one, "facts", key, value=np.nan, text=text, **catalog) for key, text in facts]
    network_target = page.targets.loc[page.targets["unit_code"] == ""]
    if len(network_target):
        parts.append(
            rows(
                network_target.reset_index(drop=True),
                "facts",
                "network_target",
                value="target",
                year="target_year",
                vintage=targets_file,
                source="source",
                scope="given",
            )
        )

    # the figure: every municipality's series, their median, the target
    obs, median, target = content.indicator_series(page, kpi_id)
    medians = pd.DataFrame({"kpi_id": kpi_id, "unit_code": "", "year": median.index, "value": median.to_numpy()})
    parts += [
        rows(obs.reset_index(drop=True), "all_units", "value", year="year", text="status", scope="unit_kpi_year"),
        rows(
            medians,
            "all_units",
            "network_median",
            value="value",
            year="year",
            method=words["median_towns"],
            scope="kpi_year",
        ),
    ]
    if obs["name"].nunique() > figures.SMALL_MULTIPLES_MAX:  # the figure draws the spread, not each series
        q = figures.spread_quantiles(obs)
        for quantile, key in zip(figures.SPREAD_QUANTILES, ("p10", "p25", "p50", "p75", "p90")):
            band = pd.DataFrame({"kpi_id": kpi_id, "unit_code": "", "year": q.index, "value": q[quantile].to_numpy()})
            parts.append(rows(band, "all_units", key, value="value", year="year", scope="kpi_year"))
    if target is not None and len(network_target):
        parts.append(
            rows(
                network_target.reset_index(drop=True),
                "all_units",
                "target",
                year="target_year",
                text=words["network_target"],
                source="source",
                vintage=targets_file,
                scope="given",
            )
        )

    # the map: each member's value with its colour class, and the classes' edges
    shown, classes = content.indicator_map_table(page, kpi_id)
    parts += [
        rows(shown, "map", "map_value", value="value", year="year", text="map_class", scope="unit_kpi_year"),
        *_class_rows(classes, kpi_id),
    ]

    # the members' table
    table = content.indicator_table(page, kpi_id)
    said = verdicts()
    verdict = [said.get(v, "") if isinstance(v, str) else "" for v in table["verdict"]]
    badge = [content.progress_text(c, m) for c, m in zip(table["progress_class"], table["progress_method"])]
    badge = [b if b != "–" else "" for b in badge]
    value_text = [
        fmt_kpi_value(v, "", kpi["direction"]) if kpi["direction"] == "binary" and pd.notna(v) else ""
        for v in table["value"]
    ]
    parts += [
        rows(table, "members", "value", year="year", text=value_text, scope="unit_kpi_year"),
        rows(table, "members", "achieved_pct", year="year", text=_band_text(table.assign(reason=""))),
        rows(table, "members", "ols_slope", method=words["ols"]),
        rows(table, "members", "ols_ci_low", method=words["ols"]),
        rows(table, "members", "ols_ci_high", method=words["ols"]),
        rows(table, "members", "mk_p", text=verdict, method=words["trend_method"]),
        rows(table, "members", "badge", value=np.nan, text=badge, method=[_label(m) for m in table["progress_method"]]),
        rows(table, "members", "robust_z", method=words["robust_z"]),
        rows(table, "members", "percentile_rank"),
    ]
    members = page.members["unit_code"]
    comp = page.results["comparisons"]
    parts += _comparison_rows(data, comp.loc[comp["unit_code"].isin(members)])
    status = page.results["status"]
    local = status.loc[status["unit_code"].isin(members) & (status["target_scope"] == "local")]
    parts += _target_rows(data, local, "members", targets_file)  # the network's target is among the facts
    progress = page.results["progress"]
    parts += _progress_rows(progress.loc[progress["unit_code"].isin(members)])

    # the network as a whole
    parts += _network_trend_rows(content.network_trend_table(page).loc[lambda t: t["kpi_id"] == kpi_id])
    return finish(data, parts, provenance)


def _class_rows(classes, kpi_id: str) -> list[dict]:
    """A map's colour classes: each one's lower and upper edge, with its legend label as the text."""
    edges = pd.DataFrame(
        {
            "kpi_id": kpi_id,
            "unit_code": "",
            "low": list(classes.edges[:-1]),
            "high": list(classes.edges[1:]),
            "label": list(classes.labels),
        }
    )
    keys = (
        dict(text="label", dimension="", scope="kpi")
        if kpi_id
        else dict(text="label", dimension="", scope="given", source=_words()["computed"])
    )
    return [
        rows(edges, "map", "map_class_low", value="low", **keys),
        rows(edges, "map", "map_class_high", value="high", **keys),
    ]


def _network_trend_rows(nt: pd.DataFrame) -> list[dict]:
    nt = nt.reset_index(drop=True).assign(unit_code="")
    said = convergences()
    convergence = [said.get(c, "") if isinstance(c, str) else "" for c in nt["convergence"]]
    reason = [language.reason_phrase(r) for r in nt["reason"]]
    part, mixed = "network_trend", _words()["mixed"]
    return [
        rows(nt, part, "mixed_slope", text=reason, method=mixed, scope="kpi"),
        rows(nt, part, "mixed_ci_low", method=mixed, scope="kpi"),
        rows(nt, part, "mixed_ci_high", method=mixed, scope="kpi"),
        rows(nt, part, "mixed_p", method=mixed, scope="kpi"),
        rows(nt, part, "spread_p", text=convergence, scope="kpi"),
    ]


# --- the front page ----------------------------------------------------------------------------------


def network_download(data: ReportData, provenance: Provenance) -> pd.DataFrame:
    """Everything on the front page (notebooks/network.ipynb)."""
    parts = []
    words = _words()
    side = content.network_status_table(data)
    population = data.members.set_index("unit_code")
    pop = side.assign(
        population_year=side["unit_code"].map(population["population_year"]),
        source=side["unit_code"].map(population["population_source"]).fillna(""),
    )
    pop = pop.loc[pop["population"].notna()].reset_index(drop=True)
    parts.append(
        rows(
            pop,
            "side_by_side",
            "population",
            year="population_year",
            kpi_id="",
            dimension="",
            source="source",
            vintage=[words["population_vintage"].format(year=y) for y in pop["population_year"]],
            scope="given",
        )
    )
    named = bands()
    for band in BAND_ORDER:
        parts.append(
            rows(side, "side_by_side", "n_kpis", value=band, text=named[band], kpi_id="", dimension="", scope="unit")
        )
    testable = side.loc[side["trends_testable"] > 0]
    for key, column in (("n_improving", "improving"), ("n_worsening", "worsening")):
        parts.append(
            rows(
                testable,
                "side_by_side",
                key,
                value=column,
                kpi_id="",
                dimension="",
                method=words["trend_method"],
                scope="unit",
            )
        )

    # the map: each member's share of KPIs at >= 95 % of the target, with its colour class
    shown, classes = content.network_map_table(data)
    keys = dict(kpi_id="", dimension="", scope="unit")
    parts += [
        rows(shown, "map", "map_n_banded", value="n_banded", **keys),
        rows(shown, "map", "map_share_ge95", value="share_ge95", text="map_class", **keys),
        *_class_rows(classes, ""),
    ]

    # the heat maps: robust z of every member municipality and KPI
    comp = data.results["comparisons"]
    towns = data.members.loc[data.members["type"] == "kommune", "unit_code"]
    parts.append(
        rows(comp.loc[comp["unit_code"].isin(towns)], "heatmap", "robust_z", year="year", method=words["robust_z"])
    )

    if content.by_county(data):  # a large network's heat maps show the median z of each county's members
        county_of = data.members.drop_duplicates("county_name").set_index("county_name")["county_code"]
        catalog = content.catalog(data)
        kpi_of = catalog.drop_duplicates("kpi_name").set_index("kpi_name")["kpi_id"]
        for dimension in catalog["kpi_dimension"].unique():
            matrix = content.overview_matrix(data, dimension)
            long = matrix.stack().reset_index()
            long.columns = ["kpi_name", "county", "z"]
            frame = pd.DataFrame(
                {
                    "kpi_id": long["kpi_name"].map(kpi_of).fillna("").to_numpy(),
                    "unit_code": long["county"].map(county_of).fillna("").to_numpy(),
                    "county": long["county"].to_numpy(),
                    "z": long["z"].to_numpy(),
                }
            )
            parts.append(
                rows(frame, "heatmap", "county_z", value="z", text="county", method=words["robust_z"], scope="kpi")
            )

    # the common trends and the spread figure
    parts += _network_trend_rows(content.network_trend_table(data))
    moving = content.spread_kpis(data)
    spread = data.results["spread"]
    spread = spread.loc[spread["kpi_id"].isin(moving["kpi_id"])].assign(unit_code="")
    for key in ("median", "q1", "q3"):
        parts.append(rows(spread, "spread", key, year="year", method=words["spread"], scope="kpi_year"))
    return finish(data, parts, provenance)


# --- all of them -------------------------------------------------------------------------------------


def page_downloads(
    data: ReportData, targets_file: str = "params/targets.csv", made: Provenance | None = None
) -> dict[str, Callable[[], pd.DataFrame]]:
    """``name -> make`` for every page the build makes: each member (its slug), the front page
    (``nettverket``) and each indicator page (``indikator-<slug>``), the names the pages link to. The
    provenance is ``made`` or made at the first download."""
    provenance: list[Provenance] = [made] if made is not None else []

    def prov() -> Provenance:
        if not provenance:
            provenance.append(Provenance(data))
        return provenance[0]

    makers: dict[str, Callable[[], pd.DataFrame]] = {
        unit["slug"]: partial(lambda code: unit_download(data, code, prov(), targets_file), unit["unit_code"])
        for _, unit in data.members.iterrows()
    }
    makers["nettverket"] = lambda: network_download(data, prov())
    slugs = data.catalog.set_index("kpi_id")["slug"]
    for kpi_id in data.metadata.get("indicator_pages", []):
        makers[f"indikator-{slugs[kpi_id]}"] = partial(
            lambda k: indicator_download(data, k, prov(), targets_file), kpi_id
        )
    return makers


def inputs_digest(data: ReportData, targets_file: str) -> str:
    """What a download reads beyond its page's slice: this module, the sources and versions of every
    observation (a member's download names the sources of the county's and the nation's values) and the
    sources of the targets."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for module in ("text_nb", "text_en"):
        digest.update((Path(content.__file__).parent / f"{module}.py").read_bytes())
    digest.update(targets_file.encode())
    for table, columns in (
        (data.observations, ["unit_code", "kpi_id", "year", "source", "vintage"]),
        (data.targets, ["kpi_id", "unit_code", "source"]),
    ):
        digest.update(pd.util.hash_pandas_object(table[columns], index=False).to_numpy().tobytes())
    return digest.hexdigest()


class DownloadFailed(RuntimeError):
    """A page's download could not be made (a fault in the page code, not in the input): the build stops
    with this message, naming the download."""


def write_downloads(
    data: ReportData,
    folder: Path,
    targets_file: str = "params/targets.csv",
    page_keys: dict[str, str] | None = None,
    cache_dir: Path | None = None,
    only: set[str] | None = None,
    lang: str | None = None,
    workers: int = 1,
) -> tuple[int, int]:
    """Every page's download as ``folder/<name>.csv`` (UTF-8 with a byte-order mark, formulas made
    inert), in ``lang`` (default: the current language; headers, parts, measures, words and KPI names are
    the pages'). With ``page_keys`` (the fingerprint of each page, see :mod:`analysis.build`) and
    ``cache_dir``, a download whose page and other inputs are unchanged is copied from the cache
    instead of made again, and cached files no page uses any more are removed. ``only`` names the pages to
    write (all by default; a cache is then left as it is). With ``workers`` > 1 the downloads to make are
    shared among as many forked processes (the national site's 484 downloads are minutes of one core's
    work). Bad input raises :class:`~analysis.core.errors.InputError`, any other failure
    :class:`DownloadFailed` naming the download. Returns (made, reused)."""
    lang = lang or language.current()
    before = language.current()
    language.use(lang)
    try:
        return _write_downloads(data, Path(folder), targets_file, page_keys, cache_dir, only, lang, workers)
    finally:
        language.use(before)


def _write_downloads(data, folder, targets_file, page_keys, cache_dir, only, lang, workers) -> tuple[int, int]:
    folder.mkdir(parents=True, exist_ok=True)
    if cache_dir is not None and lang != language.DEFAULT:  # each language keeps (and cleans) its own cache
        cache_dir = Path(cache_dir) / lang
    extra = inputs_digest(data, targets_file) if cache_dir is not None and page_keys else ""
    cache = FileCache(cache_dir, ".csv") if extra else None
    todo: list[tuple[str, Path, Path | None]] = []
    reused = 0
    makers = page_downloads(data, targets_file)
    for name in makers:
        if only is not None and name not in only:
            continue
        target = folder / f"{name}.csv"
        key = hashlib.sha256((page_keys[name] + extra).encode()).hexdigest() if cache and name in page_keys else None
        if key and cache.fetch(key, target):
            reused += 1
            continue
        todo.append((name, target, cache.path(key) if key else None))
    if todo:
        _make_all(data, targets_file, todo, workers)
    if cache is not None and only is None:
        cache.drop_unused()
    return len(todo), reused


#: What the forked workers make their downloads from (set before they are forked, read in them).
_SHARED: dict = {}


def _make_all(data: ReportData, targets_file: str, todo: list[tuple[str, Path, Path | None]], workers: int) -> None:
    """Make each download of ``todo`` (name, file, cache file or None), in this process or in ``workers``
    forked ones. The provenance is made once, before the fork, so the workers share it (and the data)."""
    makers = page_downloads(data, targets_file, Provenance(data))
    workers = min(workers, len(todo))
    if workers <= 1:
        for job in todo:
            _raise_failure(_make_one(makers, *job))
        return
    _SHARED.update(makers=makers, lang=language.current())
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunk = max(1, len(todo) // (workers * 8))  # small enough to keep both busy to the end
            for failure in pool.map(_make_shared, todo, chunksize=chunk):
                if failure is not None:
                    pool.shutdown(cancel_futures=True)
                    _raise_failure(failure)
    finally:
        _SHARED.clear()


def _make_shared(job: tuple[str, Path, Path | None]):
    language.use(_SHARED["lang"])
    return _make_one(_SHARED["makers"], *job)


def _make_one(makers: dict, name: str, target: Path, cached: Path | None):
    """Write one download (and its cache copy, each atomically); its failure as plain values (the
    exception itself may not survive the trip back from a worker), None when it was made."""
    try:
        write_atomic_csv(csv_cells(makers[name]()), target, encoding="utf-8-sig")
        if cached is not None:
            store(target, cached)
    except InputError as exc:
        return ("input", name, (str(exc.path) if exc.path is not None else None, exc.reason, exc.row, exc.field))
    except OSError as exc:  # a full or read-only disk: the build's own message and exit code
        return ("disk", name, (exc.errno, exc.strerror, exc.filename))
    except Exception as exc:  # noqa: BLE001 - a fault in the page code, named with its download in the build's message
        return ("fault", name, f"{type(exc).__name__}: {exc}")
    return None


def _raise_failure(failure) -> None:
    if failure is None:
        return
    kind, name, detail = failure
    if kind == "input":
        raise InputError(*detail)
    if kind == "disk":
        raise OSError(*detail)
    raise DownloadFailed(f"the download {name}.csv could not be made: {detail}")
