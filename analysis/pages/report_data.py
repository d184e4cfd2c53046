"""Read the processed tables once and hand each page its slice.

Notebooks call :func:`load` and then :meth:`ReportData.page_slice` for their unit or KPI; nothing is
recomputed here. A page is drawn from its slice alone, so the slice's digest (:func:`slice_digest`) is
exactly the data the page depends on: the build re-executes a page only when its slice changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.settings import MethodSettings
from analysis.reference.members import DEFAULT_NETWORK_NAME


@dataclass
class ReportData:
    catalog: pd.DataFrame
    units: pd.DataFrame
    observations: pd.DataFrame
    targets: pd.DataFrame
    results: dict[str, pd.DataFrame]
    metadata: dict = field(default_factory=dict)
    #: Row positions by key, made once per table (:meth:`_where`); a slice (``replace``) starts its own.
    _positions: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def is_demo(self) -> bool:
        return self.metadata.get("data_mode") == "demo"

    @property
    def methods(self) -> MethodSettings:
        """The method choices the results were computed with (defaults for data built before they were stored)."""
        return MethodSettings(**self.metadata.get("methods", {}))

    @property
    def report_year(self) -> int:
        return int(self.metadata["report_year"])

    @property
    def network_name(self) -> str:
        """``network.name`` of params/network.yaml (data processed before it was recorded: the default)."""
        return str(self.metadata.get("network_name") or DEFAULT_NETWORK_NAME)

    @cached_property
    def members(self) -> pd.DataFrame:
        return self.units.loc[self.units["is_member"]].reset_index(drop=True)

    def first_member(self) -> str:
        """The code of the first member in params/network.yaml: the page a template shows when opened
        without parameters, whichever network is configured."""
        if self.members.empty:
            raise InputError(config.NETWORK_YAML, "the network has no members", field="members")
        return str(self.members["unit_code"].iloc[0])

    def unit(self, unit_code: str) -> pd.Series:
        match = self._where("units", self.units, "unit_code", unit_code)
        if not len(match):
            known = ", ".join(f"{c} {n}" for c, n in zip(self.members["unit_code"], self.members["name"]))
            raise InputError(
                config.NETWORK_YAML, f"unit {unit_code!r} is not in the registry; known: {known}", field="code"
            )
        return self.units.iloc[match[0]]

    def for_unit(self, name: str, unit_code: str) -> pd.DataFrame:
        """The rows of one unit in a processed table; a code that is not a unit of the registry is an error
        naming the members (an empty table would look like a unit without data)."""
        self.unit(unit_code)
        table = self.observations if name == "observations" else self.results[name]
        return table.take(self._where(name, table, "unit_code", unit_code)).reset_index(drop=True)

    def _where(self, name: str, table: pd.DataFrame, column: str, value) -> np.ndarray:
        """The positions of the rows of ``table`` whose ``column`` is ``value``, in the table's order: what
        ``table[column] == value`` selects. The positions of every value are made in one pass the first time a
        table and column are asked for and kept for the table object (the national downloads slice the same
        tables some 500 times: a boolean mask over the 400 000 observations each time was most of a page's
        slice). The tables are read, never changed in place, by the pages."""
        made = self._positions.get((name, column))
        if made is None or made[1] is not table or made[2] != len(table):
            codes, values = pd.factorize(table[column], use_na_sentinel=True)
            made = (_positions_by_code(codes, values), table, len(table), codes, values)
            self._positions[(name, column)] = made
        return made[0].get(value, _NOWHERE)

    def page_slice(self, unit_code: str | None = None, kpi_id: str | None = None) -> ReportData:
        """What one page reads: a member's page (``unit_code``) its own rows of every unit table and the
        rows of the members it is compared with for the KPIs of its key figure; an indicator page
        (``kpi_id``) every table's rows of that KPI. The catalog, the units and the metadata are kept
        whole; tables the page does not read are left empty. No argument: everything (the front page)."""
        if unit_code is None and kpi_id is None:
            return self
        if kpi_id is not None:
            return replace(
                self,
                observations=self._rows("observations", self.observations, kpi_id=kpi_id),
                targets=self._rows("targets", self.targets, kpi_id=kpi_id),
                results={name: self._rows(name, table, kpi_id=kpi_id) for name, table in self.results.items()},
            )
        from analysis.pages.content import key_kpis  # the KPIs of the key figure, as the page picks them

        unit = self.unit(unit_code)
        obs = self.observations
        peers = self.members.loc[self.members["type"] == unit["type"], "unit_code"]
        of_kpis = [self._where("observations", obs, "kpi_id", k) for k in dict.fromkeys(key_kpis(self, unit_code))]
        of_kpis = np.concatenate([_NOWHERE, *of_kpis])
        own = self._where("observations", obs, "unit_code", unit_code)
        codes, values = self._positions[("observations", "unit_code")][3:]
        is_peer = np.append(pd.Index(values).isin(peers), False)  # code -1 (no unit) last
        compared = of_kpis[is_peer[codes[of_kpis]]]
        rows = np.union1d(own, compared)  # sorted: in the table's order, as a mask selects them
        read = ("status", "trends", "progress", "comparisons", "slope_tests")
        return replace(
            self,
            observations=obs.take(rows),
            targets=self._rows("targets", self.targets, unit_code=unit_code),
            results={
                name: self._rows(name, table, unit_code=unit_code) if name in read else table.iloc[0:0]
                for name, table in self.results.items()
            },
        )

    def _rows(self, name: str, table: pd.DataFrame, **key) -> pd.DataFrame:
        ((column, value),) = key.items()
        return table.take(self._where(name, table, column, value)) if column in table.columns else table.iloc[0:0]


_NOWHERE = np.empty(0, dtype=np.intp)


def _positions_by_code(codes: np.ndarray, values) -> dict:
    """``value -> positions`` from a column's codes (:func:`pandas.factorize`; missing values, code -1, left
    out), each in ascending order."""
    order = np.argsort(codes, kind="stable")  # the missing (code -1) first, then each value's rows in order
    counts = np.bincount(codes + 1, minlength=len(values) + 1)
    ends = np.cumsum(counts)[1:]
    starts = ends - counts[1:]
    return {value: order[start:end] for value, start, end in zip(values, starts, ends)}


def slice_digest(data: ReportData) -> str:
    """A digest of every value in ``data`` (and of the metadata except the build's date)."""
    digest = hashlib.sha256()
    meta = dict(data.metadata)
    meta.pop("built", None)
    digest.update(json.dumps(meta, sort_keys=True, default=str).encode())
    tables = {"catalog": data.catalog, "units": data.units, "observations": data.observations, "targets": data.targets}
    for name, table in sorted({**tables, **{f"results/{k}": v for k, v in data.results.items()}}.items()):
        digest.update(f"{name} {list(table.columns)} {list(table.dtypes.astype(str))} {len(table)}".encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()


#: The tables :func:`load` read last, by folder and by the identity of its files (name, size, time of the last
#: change). A warm kernel (:mod:`analysis.site.warm`) runs hundreds of pages one after the other; reading
#: the national observations (400 000 rows) again for each took half a second of every page.
_LOADED: dict[tuple, ReportData] = {}


def _files_identity(directory: Path) -> tuple:
    files = [
        directory / "metadata.json",
        *sorted(directory.glob("*.parquet")),
        *sorted(directory.glob("results/*.parquet")),
    ]
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def load(directory: Path | None = None) -> ReportData:
    """All processed tables; a clear error if the build step has not run.

    Read once per process while the files stay the same (a new build writes new files, so it is read
    again). Every call gets tables of its own: pandas' copy-on-write makes a change by one page a copy,
    never a change to what the next page reads (``tests/site/test_warm_kernels.py`` checks it in a kernel)."""
    directory = Path(directory or config.PROCESSED_DIR).resolve()
    meta_path = directory / "metadata.json"
    if not meta_path.exists():
        raise InputError(directory, "no processed data yet: run `make data` (or `python -m analysis build-data`)")
    key = (str(directory), _files_identity(directory))
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = _read(directory)
    kept = _LOADED[key]
    return ReportData(
        catalog=kept.catalog.copy(deep=False),
        units=kept.units.copy(deep=False),
        observations=kept.observations.copy(deep=False),
        targets=kept.targets.copy(deep=False),
        results={name: table.copy(deep=False) for name, table in kept.results.items()},
        metadata=json.loads(json.dumps(kept.metadata)),
    )


def _read(directory: Path) -> ReportData:
    def read(path: Path) -> pd.DataFrame:
        """The table with each column in one piece: Parquet is read in batches of 128 Ki rows, and taking rows
        from a column in several pieces joins them first (a page's slice of the national observations took
        2 ms a column instead of 0.04 ms)."""
        return pd.DataFrame.from_arrow(pq.read_table(path).combine_chunks())

    return ReportData(
        catalog=read(directory / "catalog.parquet"),
        units=read(directory / "units.parquet"),
        observations=read(directory / "observations.parquet"),
        targets=read(directory / "targets.parquet"),
        results={path.stem: read(path) for path in sorted((directory / "results").glob("*.parquet"))},
        metadata=json.loads((directory / "metadata.json").read_text(encoding="utf-8")),
    )
