"""Errors that tell the user exactly what is wrong with an input: file, row, field and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The exit code of a command refused for bad input (file, row, field and why on stderr). An unexpected
#: exception, a bug, exits 1 with Python's traceback, so that the two can never be confused.
EXIT_BAD_INPUT = 2


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


class InputErrors(InputError):
    """Every problem found in one input, reported at once, so that a file with 15 mistakes needs one
    round of ``check``, not 15. ``problems`` holds each; the exception reads like the first
    (its ``path``, ``row``, ``field``) followed by the others."""

    SHOWN = 50  # more than this many lines are summarised

    def __init__(self, problems: list[InputError]):
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.path, first.reason, first.row, first.field)

    def __str__(self) -> str:
        lines = [InputError.__str__(p) for p in self.problems[: self.SHOWN]]
        if len(self.problems) > self.SHOWN:
            lines.append(f"... and {len(self.problems) - self.SHOWN} more problems")
        if len(lines) == 1:
            return lines[0]
        return f"{len(self.problems)} problems:\n  " + "\n  ".join(lines)


class Problems:
    """Collects the problems of one input; ``raise_if_any`` raises them together as :class:`InputErrors`."""

    def __init__(self) -> None:
        self.found: list[InputError] = []
        self._said: set[str] = set()

    def add(self, problem: InputError) -> None:
        """Adds each problem once: a recipe refused for itself is refused again for every file it covers."""
        for p in problem.problems if isinstance(problem, InputErrors) else [problem]:
            if str(p) not in self._said:
                self._said.add(str(p))
                self.found.append(p)

    def raise_if_any(self) -> None:
        if self.found:
            raise InputErrors(self.found)


class ParameterError(ValueError):
    """A notebook parameter that is unknown or of the wrong type; raised before anything runs."""
