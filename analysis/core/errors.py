"""Errors that tell the user exactly what is wrong with an input: file, row, field and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(ValueError):
    """A bad input file or value. ``row`` is 1-based as a person counts lines in the file."""

    path: str | Path | None
    reason: str
    row: int | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [str(self.path) if self.path is not None else "<input>"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.reason}"


class ParameterError(ValueError):
    """A notebook parameter that is unknown or of the wrong type; raised before anything runs."""
