"""Read the processed tables once and hand each page its slice.

Notebooks call :func:`load` and then ask for one unit or one KPI; nothing is recomputed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.settings import MethodSettings


@dataclass
class ReportData:
    catalog: pd.DataFrame
    units: pd.DataFrame
    observations: pd.DataFrame
    targets: pd.DataFrame
    results: dict[str, pd.DataFrame]
    metadata: dict = field(default_factory=dict)

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

    @cached_property
    def members(self) -> pd.DataFrame:
        return self.units.loc[self.units["is_member"]].reset_index(drop=True)

    def unit(self, unit_code: str) -> pd.Series:
        match = self.units.loc[self.units["unit_code"] == unit_code]
        if match.empty:
            known = ", ".join(f"{c} {n}" for c, n in zip(self.members["unit_code"], self.members["name"]))
            raise InputError(
                config.NETWORK_YAML, f"unit {unit_code!r} is not in the registry; known: {known}", field="code"
            )
        return match.iloc[0]

    def for_unit(self, name: str, unit_code: str) -> pd.DataFrame:
        table = self.observations if name == "observations" else self.results[name]
        return table.loc[table["unit_code"] == unit_code].reset_index(drop=True)


def load(directory: Path | None = None) -> ReportData:
    """All processed tables; a clear error if the build step has not run."""
    directory = Path(directory or config.PROCESSED_DIR)
    meta_path = directory / "metadata.json"
    if not meta_path.exists():
        raise InputError(directory, "no processed data yet: run `make data` (or `python -m analysis build-data`)")

    def read(name: str) -> pd.DataFrame:
        return pd.read_parquet(directory / f"{name}.parquet")

    return ReportData(
        catalog=read("catalog"),
        units=read("units"),
        observations=read("observations"),
        targets=read("targets"),
        results={path.stem: pd.read_parquet(path) for path in sorted((directory / "results").glob("*.parquet"))},
        metadata=json.loads(meta_path.read_text(encoding="utf-8")),
    )
