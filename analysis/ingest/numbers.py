"""Numbers written as text, read one way or refused: the one number parser of every reader.

``1,266`` is 1.266 with a decimal comma and 1266 with a comma between thousands; ``95.424`` is
95.424, or 95 424 written the Norwegian way with a point between thousands. Neither the reader nor the
person who sent the file can tell from the value alone, so such a value (one point or comma followed by
exactly three digits, after one to three digits that do not start with 0) is refused with both
readings named, unless the file's decimal mark is declared: ``decimal_mark: ","`` or ``"."`` in the
provenance sidecar ``<file>.provenance.yaml`` beside it (data/raw/README.md). With a declared mark, the
other mark may separate thousands (``1.234,5`` with ``","``).

Only the digits 0-9 are digits: ``２６６`` (fullwidth) or ``٢٦٦`` (Arabic-Indic), which Python's ``float()``
would read, are refused with the digit named (:func:`analysis.core.inputs.foreign_digit`).

Always accepted, because they can be read one way only: whole numbers (``266``), a space, no-break
space or narrow no-break space between thousands (``95 424``, ``1 234,5``), a decimal part of other than
three digits (``27,27``, ``0.5``), a leading zero (``0,125``), and both marks at once (``1.234,5``: the
last is the decimal mark).
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.core.errors import InputError
from analysis.core.inputs import foreign_digit

DECIMAL_MARKS = (",", ".")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
_SHAPE = re.compile(r"[+-]?[0-9][0-9., ]*")
_NAME = {",": "comma", ".": "point"}


class NumberError(ValueError):
    """The text is not a number (``ambiguous`` False: the caller may say what else the field allows), or
    not one that can be read only one way (``ambiguous`` True); ``reason`` says which. ``specific`` is True
    when the reason says more than "not a number" (two readings, a digit other than 0-9): the caller shows it."""

    def __init__(self, reason: str, ambiguous: bool = False, specific: bool = False):
        super().__init__(reason)
        self.reason, self.ambiguous, self.specific = reason, ambiguous, specific or ambiguous


def _grouped(body: str, mark: str) -> bool:
    """``body`` is digits in groups of three separated by ``mark`` (``1 234 567``, ``12.345``)."""
    return re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(mark)}[0-9]{{3}})+", body) is not None


def _show(x: float) -> str:
    return f"{x:,.10g}".replace(",", " ")


def parse_number(text: str | float | int, decimal: str | None = None) -> float:
    """The number ``text`` stands for; ``decimal`` is the file's declared decimal mark (``","``, ``"."``)
    or None when the file declares none. A number cell of a workbook (int or float) is taken as it is.
    Raises :class:`NumberError` for text that is not a number or that could be read two ways."""
    if isinstance(text, bool):
        raise NumberError(f"{text!r} is not a number")
    if isinstance(text, (int, float)):
        return float(text)
    t = str(text).translate(_SPACES).strip()
    other = foreign_digit(t)
    if other:
        raise NumberError(other, specific=True)
    if not _SHAPE.fullmatch(t) or t.endswith((".", ",", " ")) or "  " in t:
        raise NumberError(f"{text!r} is not a number")
    sign = -1.0 if t.startswith("-") else 1.0
    body = t.lstrip("+-")
    marks = [c for c in body if c in DECIMAL_MARKS]
    kinds = sorted(set(marks))
    spaced = " " in body

    def number(int_part: str, frac: str = "") -> float:
        x = sign * float(int_part.replace(" ", "").replace(",", "").replace(".", "") + ("." + frac if frac else ""))
        if x in (float("inf"), float("-inf")):
            raise NumberError(f"{t[:20]}... ({len(t)} characters) is too large to be a number", specific=True)
        return x

    if not marks:
        if spaced and not _grouped(body, " "):
            raise NumberError(f"{text!r} is not a number")
        return number(body)
    if len(kinds) == 2 or spaced:  # a thousands separator and a decimal mark: the last mark is the decimal
        last = marks[-1]
        int_part, frac = body.rsplit(last, 1)
        thousands = " " if spaced else next(k for k in kinds if k != last)
        if marks.count(last) > 1 or (spaced and len(kinds) > 1) or not _grouped(int_part, thousands):
            raise NumberError(f"{text!r} is not a number")
        if decimal is not None and last != decimal:
            raise NumberError(
                f"{text!r} has a decimal {_NAME[last]}, but the file declares a decimal {_NAME[decimal]}", True
            )
        return number(int_part, frac)
    mark = kinds[0]
    if len(marks) > 1:  # 1.234.567: the mark can only separate thousands
        if not _grouped(body, mark) or decimal == mark:
            raise NumberError(f"{text!r} is not a number")
        return number(body)
    int_part, frac = body.split(mark)
    could_be_thousands = _grouped(body, mark) and not int_part.startswith("0")
    if decimal == mark or not could_be_thousands:
        if decimal is not None and decimal != mark:
            raise NumberError(
                f"{text!r} has a decimal {_NAME[mark]}, but the file declares a decimal {_NAME[decimal]}", True
            )
        return number(int_part, frac)
    if decimal is not None:  # the other mark is the declared decimal: this one separates thousands
        return number(body)
    as_decimal, as_thousands = number(int_part, frac), number(body)
    raise NumberError(
        f"{text!r} can be read two ways: {_show(as_decimal)} (decimal {_NAME[mark]}) or {_show(as_thousands)} "
        f"({_NAME[mark]} between thousands); declare the file's decimal mark (decimal_mark: ',' or '.' in "
        "<file>.provenance.yaml) or write the number without a thousands separator",
        True,
    )


def declared_decimal(path: str | Path) -> str | None:
    """The decimal mark the sidecar of ``path`` declares (``decimal_mark``), or None without one."""
    from analysis.core.inputs import line_of, read_yaml, sidecar

    side = sidecar(path)
    if not side.is_file():
        return None
    meta = read_yaml(side, "a provenance sidecar")
    mark = meta.get("decimal_mark")
    if mark is not None and mark not in DECIMAL_MARKS:
        raise InputError(
            side, f"decimal_mark must be ',' or '.', not {mark!r}", row=line_of(meta), field="decimal_mark"
        )
    return mark
