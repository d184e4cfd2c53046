"""Opening an .xlsx workbook so that what is read is what Excel shows, or nothing.

A workbook can look right in Excel and still read wrong: a formula whose result was never saved (a
file written by a program that does not calculate) reads as an empty cell, so a row would silently
count as "not reported"; a merged cell holds its value in its first cell only, so the others read as
empty; a number in a cell formatted as a date reads as a date (45292 is 1 January 2024). Each of these is
refused with the sheet and the cell. The file's size, and the size it unpacks to (an .xlsx is a zip
archive: a small file can unpack to gigabytes), are bounded before anything is parsed.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from analysis.core.errors import InputError, Problems
from analysis.core.inputs import MB, read_bytes

MAX_BYTES = 20 * MB
MAX_UNPACKED = 200 * MB
#: Cells a sheet may span (rows x columns up to its last used cell): the KOSTRA long sheet has some 10 000. A
#: stray value or formatting in cell XFD1048576 makes a sheet of 17 billion cells, which reading cell by cell
#: would never finish.
MAX_CELLS = 5_000_000


def archive_bytes(path: str | Path, what: str) -> bytes:
    """The bytes of an .xlsx file once its size and the size it unpacks to are known to be bounded."""
    path = Path(path)
    raw = read_bytes(path, MAX_BYTES, what)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise InputError(path, "not a readable .xlsx workbook (not a zip archive)") from None
    if unpacked > MAX_UNPACKED:
        raise InputError(path, f"unpacks to {unpacked / MB:.0f} MB, more than the {MAX_UNPACKED // MB} MB allowed")
    return raw


def load_workbook(path: str | Path, what: str):
    """The workbook at ``path`` with formulas (``data_only=False``) and its bytes, or an :class:`InputError`
    saying why not."""
    from openpyxl import load_workbook as _load
    from openpyxl.utils import get_column_letter

    raw = archive_bytes(path, what)
    try:
        wb = _load(io.BytesIO(raw), data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken workbook
        raise InputError(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    for ws in wb.worksheets:
        cells = ws.max_row * ws.max_column
        if cells > MAX_CELLS:
            n = f"{cells:,}".replace(",", " ")
            raise InputError(
                path,
                f"sheet {ws.title!r} reaches cell {get_column_letter(ws.max_column)}{ws.max_row}: {n} cells, more "
                f"than the {MAX_CELLS // 1_000_000} million read; a stray value or formatting far below or right of "
                "the table? Delete the rows and columns after the table",
                row=ws.max_row,
            )
    return wb, raw


def first_sheet(path: str | Path, wb, what: str, hint: str = "") -> str:
    """The name of the first sheet, the one ``what`` reads when no sheet is named; refused when it is hidden, since
    what would be read is then not what the person who sends the file sees (an old year hidden in front)."""
    ws = wb.worksheets[0]
    if ws.sheet_state != "visible":
        raise InputError(
            path,
            f"the first sheet, {ws.title!r}, is hidden, and {what} reads the first sheet: not the one you see; "
            f"unhide or delete it{hint}",
            field=ws.title,
        )
    return ws.title


def values_workbook(
    path: str | Path,
    wb,
    raw: bytes,
    sheets: list[str],
    number_columns: set[str],
    problems: Problems,
    merged_ok: tuple[str, ...] = (),
):
    """The workbook whose cells hold what Excel shows, after checking ``sheets`` (names in ``wb``): merged
    cells (except in ``merged_ok``) and, in columns named (in row 1) in ``number_columns``, dates are added
    to ``problems``; a formula without a saved result is too. Returns ``wb`` itself when no sheet has a formula."""
    from openpyxl import load_workbook as _load

    formulas = []
    for name in sheets:
        ws = wb[name]
        for merged in [] if name in merged_ok else sorted(ws.merged_cells.ranges, key=str)[:10]:
            problems.add(
                InputError(
                    path,
                    f"sheet {name!r}: cells {merged} are merged, so only the first holds a value; unmerge them "
                    "and give every cell its own value",
                    row=merged.min_row,
                )
            )
        header = {c.column: str(c.value).strip() for c in next(ws.iter_rows(max_row=1), []) if c.value is not None}
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((name, cell.coordinate, cell.row, cell.value, header.get(cell.column)))
                elif (
                    header.get(cell.column) in number_columns
                    and isinstance(cell.value, (int, float))
                    and "%" in str(cell.number_format)
                ):
                    problems.add(
                        InputError(
                            path,
                            f"sheet {name!r}, cell {cell.coordinate}: formatted as a percentage, so Excel shows "
                            f"{cell.value * 100:g} % but the cell holds {cell.value:g}; format it as a number and "
                            "type the number shown (97 for 97 %)",
                            row=cell.row,
                            field=header.get(cell.column),
                        )
                    )
                elif header.get(cell.column) in number_columns and isinstance(cell.value, (datetime, date, time)):
                    shown = (
                        cell.value.date()
                        if isinstance(cell.value, datetime) and cell.value.time() == time(0)
                        else cell.value
                    )
                    problems.add(
                        InputError(
                            path,
                            f"sheet {name!r}, cell {cell.coordinate}: a date ({shown}) where a number belongs; "
                            "the cell is formatted as a date (Excel shows the number 45292 as 1 January 2024): "
                            "format it as a number",
                            row=cell.row,
                            field=header.get(cell.column),
                        )
                    )
    if not formulas:
        return wb
    values = _load(io.BytesIO(raw), data_only=True)  # the results Excel saved beside the formulas
    for name, coordinate, row, formula, field in formulas:
        if values[name][coordinate].value is None:
            problems.add(
                InputError(
                    path,
                    f"sheet {name!r}, cell {coordinate}: the formula {formula} has no saved result (the file was "
                    "written by a program that does not calculate); open and save it in Excel or LibreOffice, "
                    "or type the value",
                    row=row,
                    field=field,
                )
            )
    return values
