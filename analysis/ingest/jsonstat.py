"""JSON-stat 2.0 datasets (what PxWebApi v0 and v2 return with ``json-stat2``).

``read_jsonstat`` gives one row per cell: a code column and a ``<dim>_label`` column for every
dimension in ``id`` order, then ``value`` (float, NaN for ``null``) and ``status`` (the SSB symbol
or ""). A ``null`` without a status is marked ``..`` (data missing), so that a missing value is
never silent. Dataset label, source, update time, roles, dimension labels and metric units are in
``df.attrs``; when the metric dimension declares units a ``unit`` column carries them per row.
``jsonstat_to_observations`` turns such a table into the project's observation rows.

Limits and refusals, each with a message: a file over ``MAX_BYTES`` (refused before it is read: ask
PxWebApi for fewer cells) or declaring more than ``MAX_CELLS`` cells (a small file can declare a huge
``size`` with a sparse ``value``), nesting deeper than JSON can be read, the non-JSON tokens ``NaN``,
``Infinity`` and ``-Infinity`` (JSON-stat writes a missing value as ``null`` with a status), a number too
large to be finite, a role other than time, geo and metric or naming a dimension that is not in ``id``,
units that are not objects or belong to no category, and a dataset with no cells.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.inputs import MB, foreign_digit, read_bytes
from analysis.core.schema import OBSERVATION_COLUMNS
from analysis.ingest import split_region

#: PxWebApi answers at most 800 000 cells (v2), some 15 MB of JSON-stat; a larger file is refused unread.
MAX_BYTES = 25 * MB
MAX_CELLS = 1_000_000
ROLES = ("time", "geo", "metric")
#: Dimension ids that name the region or the time when a dataset gives no role (SSB's own ids first).
GEO_IDS = ("region", "kommune", "fylke", "kommnr", "fylkenr")
TIME_IDS = ("tid", "time", "year", "år", "aar")


def _n(n: int) -> str:
    return f"{n:,}".replace(",", " ")


class _NotJson(ValueError):
    def __init__(self, reason: str, field: str):
        super().__init__(reason)
        self.reason, self.field = reason, field


def _no_constant(token: str):
    raise _NotJson(f"{token} is not JSON (JSON-stat writes a missing value as null, with a status)", "value")


def _once(pairs: list) -> dict:
    """An object whose keys are each given once: ``json`` would keep the last of two ``"value"`` arrays silently."""
    out = dict(pairs)
    if len(out) < len(pairs):
        twice = next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i]))
        raise _NotJson(f"{twice!r} is given twice in one object: JSON keeps only the last; which is meant?", twice)
    return out


def _load(source: str | Path | dict) -> tuple[dict, str]:
    if isinstance(source, dict):
        return source, "<json-stat>"
    path = Path(source)
    raw = read_bytes(path, MAX_BYTES, "a JSON-stat dataset", "ask PxWebApi for fewer regions, years or variables")
    if not raw.strip():
        raise InputError(path, "empty file, expected a JSON-stat 2.0 dataset")
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant, object_pairs_hook=_once)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 (byte {exc.start}); JSON-stat is always UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            path, f"invalid JSON ({exc.msg}, column {exc.colno}); truncated download?", row=exc.lineno
        ) from None
    except _NotJson as exc:
        raise InputError(path, exc.reason, field=exc.field) from None
    except ValueError as exc:  # a number of more than 4 300 digits, which Python will not convert
        raise InputError(path, f"not a JSON-stat dataset: {str(exc).split(';')[0]}", field="value") from None
    except RecursionError:
        raise InputError(
            path, "nested too deeply to be a JSON-stat dataset (arrays or objects thousands deep)"
        ) from None
    return data, str(path)


def _category_codes(name: str, dim: dict, size: int, where: str) -> list[str]:
    """Codes in index order; the index may be a list or a dict code -> position."""
    cat = dim.get("category")
    if not isinstance(cat, dict):
        raise InputError(where, "dimension has no category object", field=f"dimension.{name}")
    index = cat.get("index")
    labels = cat.get("label") or {}
    if not isinstance(labels, dict):
        raise InputError(where, "category label must be an object", field=f"dimension.{name}.category.label")
    if index is None:
        if len(labels) == 1:  # allowed by the standard for a single category
            index = list(labels)
        else:
            raise InputError(where, "category has no index", field=f"dimension.{name}.category.index")
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in index.values()):
            raise InputError(
                where, "category index positions must be whole numbers", field=f"dimension.{name}.category.index"
            )
        positions = sorted(index.values())
        if positions != list(range(len(index))):
            raise InputError(where, "category index positions are not 0..n-1", field=f"dimension.{name}.category.index")
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    else:
        raise InputError(where, "category index must be a list or an object", field=f"dimension.{name}.category.index")
    if len(codes) != size:
        raise InputError(where, f"{len(codes)} categories but size says {size}", field=f"dimension.{name}")
    return codes


def _cell_list(obj: Any, n: int, what: str, where: str) -> list:
    """Expand ``value``/``status`` (list, sparse dict by index, or a single scalar) to n cells."""
    if isinstance(obj, list):
        if len(obj) != n:
            raise InputError(where, f"{what} has {len(obj)} entries, expected {n} (product of size)", field=what)
        return obj
    out: list = [None] * n
    if isinstance(obj, dict):
        for key, val in obj.items():
            if not re.fullmatch(r"[0-9]+", str(key)):  # int() would also take ' 1', '+1' and a fullwidth １
                raise InputError(where, f"{what} key {key!r} is not a cell index (digits 0-9)", field=what)
            i = int(key)
            if not 0 <= i < n:
                raise InputError(where, f"{what} index {i} outside 0..{n - 1}", field=what)
            out[i] = val
        return out
    if what == "status" and isinstance(obj, str):
        return [obj] * n
    raise InputError(where, f"{what} must be a list or an object", field=what)


def _roles(role, ids: list[str], dims: dict, where: str) -> dict[str, list[str]]:
    """The dataset's roles, checked; a region or time dimension without a role is found by its id
    (``Region``, ``Tid``), so that region codes never end up unchecked inside a variable's name."""
    if role is None:
        role = {}
    if not isinstance(role, dict):
        raise InputError(where, "'role' must be an object", field="role")
    out: dict[str, list[str]] = {}
    for key, names in role.items():
        if key not in ROLES:
            raise InputError(where, f"unknown role {key!r} (JSON-stat 2.0 knows {', '.join(ROLES)})", field="role")
        if not isinstance(names, list) or not all(isinstance(x, str) and x in ids for x in names):
            raise InputError(where, f"role {key!r} must list dimensions of 'id' {ids}, not {names!r}", field="role")
        out[key] = list(names)
    for key, known in (("geo", GEO_IDS), ("time", TIME_IDS)):
        if key not in out:
            found = [d for d in ids if d.casefold() in known and d not in sum(out.values(), [])]
            if found:
                out[key] = found[:1]
    return out


def _updated(updated, where: str) -> str:
    """``updated``: when the table was last changed (its year names the borders of ``K-`` code lists)."""
    day = None
    if isinstance(updated, str) and re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", updated):
        try:
            day = date.fromisoformat(updated[:10])
        except ValueError:
            pass
    if updated != "" and (day is None or day > date.today()):
        raise InputError(
            where, f"updated {str(updated)[:40]!r} is not a past date such as 2022-02-24T07:00:00Z", field="updated"
        )
    return updated


def _units(metric: str, cat: dict, codes: list[str], where: str) -> dict[str, dict]:
    unit = cat.get("unit") or {}
    field = f"dimension.{metric}.category.unit"
    if not isinstance(unit, dict) or not all(isinstance(u, dict) for u in unit.values()):
        raise InputError(where, "unit must be an object of {code: {base: ..., decimals: ...}}", field=field)
    stray = sorted(set(unit) - set(codes), key=str)
    if stray:
        raise InputError(where, f"units given for {stray[:3]}, which are not categories of {metric}", field=field)
    return unit


def _table_id(tableid, where: str) -> str:
    """The SSB table number the variables are named after (``ssb/07459/...``): letters and digits only."""
    if not re.fullmatch(r"[0-9A-Za-z_]*", str(tableid)) or isinstance(tableid, (dict, list, bool)):
        raise InputError(where, f"{str(tableid)[:40]!r} is not a table number such as '07459'", field="tableid")
    return str(tableid)


def read_jsonstat(source: str | Path | dict) -> pd.DataFrame:
    """Read a JSON-stat 2.0 dataset (file or parsed dict) into one row per cell."""
    data, where = _load(source)
    if not isinstance(data, dict):
        raise InputError(where, "top level is not a JSON object")
    if data.get("class") == "collection" or "dataset" in data and "id" not in data:
        raise InputError(where, "a JSON-stat collection or bundle, expected one dataset", field="class")
    for key in ("id", "size", "dimension", "value"):
        if key not in data:
            raise InputError(where, f"missing '{key}'; not a JSON-stat 2.0 dataset", field=key)
    ids, sizes, dims = data["id"], data["size"], data["dimension"]
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise InputError(where, f"'id' ({str(ids)[:80]}) and 'size' ({str(sizes)[:80]}) do not match", field="size")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes):
        raise InputError(where, f"size {sizes!r} must be non-negative integers", field="size")
    if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        raise InputError(where, "'id' must list each dimension once, by name", field="id")
    if not isinstance(dims, dict) or not all(isinstance(d, dict) for d in dims.values()):
        raise InputError(where, "'dimension' must be an object of dimension objects", field="dimension")
    n = math.prod(sizes)
    if n == 0:
        raise InputError(where, f"size {sizes} gives no cells: the dataset holds no values", field="size")
    if n > MAX_CELLS:
        raise InputError(
            where,
            f"size {sizes} gives {_n(n)} cells, more than the {_n(MAX_CELLS)} read; ask for fewer",
            field="size",
        )
    role = _roles(data.get("role"), ids, dims, where)
    codes: list[list[str]] = []
    labels: list[list[str]] = []
    for name, size in zip(ids, sizes):
        if name not in dims:
            raise InputError(where, f"dimension '{name}' listed in id but not described", field="dimension")
        dim_codes = _category_codes(name, dims[name], size, where)
        lab = dims[name]["category"].get("label") or {}
        codes.append(dim_codes)
        labels.append([str(lab.get(c, c)) for c in dim_codes])
    values = _cell_list(data["value"], n, "value", where)
    statuses = _cell_list(data.get("status", {}), n, "status", where)

    num = np.full(n, np.nan)
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(where, f"value at cell {i} is {str(v)[:40]!r}, not a number or null", field="value")
        if not math.isfinite(v):
            raise InputError(where, f"value at cell {i} is {v}, too large to be a number", field="value")
        num[i] = v
    if np.isnan(num).all() and n > 1:  # like a StatBank export of zeros: a query that matched no data
        raise InputError(where, f"every one of the {_n(n)} values is null: the dataset holds nothing", field="value")
    status = np.array(["" if s is None else str(s) for s in statuses], dtype=object)
    status[np.isnan(num) & (status == "")] = ".."

    # Row-major: the last dimension varies fastest.
    grids = np.indices(sizes).reshape(len(sizes), -1) if n else np.zeros((len(sizes), 0), int)
    cols: dict[str, Any] = {}
    for k, name in enumerate(ids):
        cols[name] = np.array(codes[k], dtype=object)[grids[k]]
        cols[f"{name}_label"] = np.array(labels[k], dtype=object)[grids[k]]
    df = pd.DataFrame(cols)
    units: dict[str, dict] = {}
    for metric in role.get("metric", []):
        units.update(_units(metric, dims[metric]["category"], codes[ids.index(metric)], where))
        if units:
            df["unit"] = [str(units.get(c, {}).get("base", "")) for c in df[metric]]
    df["value"] = num
    df["status"] = pd.Series(status, dtype=object).astype(str)
    ext = data.get("extension")
    ext = ext.get("px") if isinstance(ext, dict) else None
    ext = ext if isinstance(ext, dict) else {}
    df.attrs.update(
        {
            "label": str(data.get("label", "")),
            "source": str(data.get("source", "")),
            "updated": _updated(data.get("updated", ""), where),
            "table_id": _table_id(ext.get("tableid", ""), where),
            "role": role,
            "dimensions": {name: dims[name].get("label", name) for name in ids},
            "units": units,
            "note": data.get("note", []),
        }
    )
    return df


def jsonstat_to_observations(
    df: pd.DataFrame,
    *,
    geo: str | None = None,
    time: str | None = None,
    variable: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
    code_year: int | None = None,
) -> pd.DataFrame:
    """Observation rows from ``read_jsonstat`` output.

    ``geo``/``time`` default to the dataset roles. Without a geo dimension the table is national
    (``unit_code`` "0"). ``variable`` is the kpi_id to use (a catalog id, or by default
    ``ssb/<table>/<metric code>``); other dimensions with several categories are appended as
    ``/<dim>=<code>`` so that every row keeps its identity. Pseudo-regions are dropped and their
    values listed in ``attrs["pseudo_regions"]``. ``code_year`` is the year whose borders the
    region codes follow: by default the year of ``updated`` for ``K-``/``F-`` aggregated code
    lists (summed to the borders of the day), else the data year.
    """
    role = df.attrs.get("role", {})
    geo = geo or (role.get("geo") or [None])[0]
    time = time or (role.get("time") or [None])[0]
    if time is None or time not in df.columns:
        raise InputError(None, "no time dimension; name it with time=", field="time")
    table = df.attrs.get("table_id") or "unknown"
    metric = (role.get("metric") or [None])[0]
    dims = [c for c in df.attrs.get("dimensions", {}) if c not in (geo, time)]
    varying = [d for d in dims if d != metric and df[d].nunique() > 1]
    if variable is None:
        base = f"ssb/{table}"
        kpi = base + ("/" + df[metric].astype(str) if metric else "")
    else:
        kpi = pd.Series(variable, index=df.index)
    for d in varying:
        kpi = kpi + f"/{d}=" + df[d].astype(str)
    out = pd.DataFrame({"kpi_id": kpi, "value": df["value"].astype("float64"), "status": df["status"]})
    year_text = df[time].astype(str).str.extract(r"^([0-9]{4})(?![0-9])", expand=False)  # four digits 0-9
    years = pd.to_numeric(year_text, errors="coerce")
    if years.isna().any():
        bad = df.loc[years.isna(), time].iloc[0]
        why = foreign_digit(bad) or "a time code starts with a year of four digits 0-9 (2022, 2022M01, 2022K1)"
        raise InputError(None, f"time code {bad!r} does not start with a year: {why}", field=time)
    out["year"] = years.astype("int64")
    pseudo: dict[str, float] = {}
    if geo is None:
        out["unit_code"] = "0"
        aggregated = False
    else:
        parsed = df[geo].map(split_region)
        if parsed.isna().any():
            bad = df.loc[parsed.isna(), geo].iloc[0]
            why = f" ({foreign_digit(bad)})" if foreign_digit(bad) else ""
            raise InputError(None, f"region code {bad!r} is not an SSB region code{why}", field=geo)
        out["unit_code"] = parsed.str[0]
        out["unit_name"] = df.get(f"{geo}_label", "").astype(str)
        is_pseudo = parsed.str[1].astype(bool)
        for code, val in out.loc[is_pseudo].groupby("unit_code")["value"].sum().items():
            pseudo[str(code)] = float(val)
        out = out.loc[~is_pseudo]
        aggregated = bool(df[geo].astype(str).str.match(r"^[KF]-").any())
    updated = str(df.attrs.get("updated", ""))
    if code_year is not None:
        out["code_year"] = np.int64(code_year)
    elif aggregated and re.match(r"[0-9]{4}", updated):
        out["code_year"] = np.int64(int(updated[:4]))
    else:
        out["code_year"] = out["year"]
    out["source"] = source or f"SSB table {table}"
    out["vintage"] = vintage if vintage is not None else updated
    extra = ["code_year"] + (["unit_name"] if "unit_name" in out.columns else [])
    out = out[OBSERVATION_COLUMNS + extra].reset_index(drop=True)
    for col in ("unit_code", "kpi_id", "status", "source", "vintage"):
        out[col] = out[col].astype(str)
    out.attrs["pseudo_regions"] = pseudo
    return out
