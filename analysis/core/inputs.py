"""Reading an input file's bytes so that no file, however broken or hostile, gets past this module as
anything but an :class:`InputError` naming the file, the row and the reason.

Every reader of the project (StatBank CSV, JSON-stat, workbooks, U4SSC submissions, verification
values, targets, params) takes its bytes, text, CSV rows and YAML from here, so that one set of limits
and one wording apply everywhere:

- a size limit per kind of file, checked before the file is read (a 50 MB download is refused for
  its size, not after it has filled the memory);
- strict UTF-8 (a byte-order mark is allowed and dropped): a Latin-1 or Windows-1252 file is named
  as such with the row of its first foreign byte, never read with the wrong letters;
- CSV rows with the header's number of fields and lines of bounded length, problems of every row
  reported at once;
- YAML through PyYAML's safe loader with a limit on aliases and nesting, so that an anchor bomb
  ("billion laughs") or a deeply nested document is refused in milliseconds; every mapping keeps the
  line it starts on (``line_of``) so that a message can name the row.

A file that cannot be opened (missing, a folder, no permission) is bad input too and says so.
"""

from __future__ import annotations

import csv
import re
import stat
import unicodedata
from pathlib import Path

import yaml

from analysis.core.errors import InputError, InputErrors, Problems

MB = 1024 * 1024

#: Longest line of a CSV file: StatBank, submission and targets lines are a few hundred characters.
MAX_LINE_CHARS = 100_000
#: Longest CSV field; also given to the csv module, whose own limit would otherwise raise ``_csv.Error``.
MAX_FIELD_CHARS = 100_000

#: YAML: params files are a few kilobytes, use no aliases (``*name``) and nest three levels deep.
#: Twenty aliases can expand a document at most about e**(20/e), some 1 600 times; an anchor bomb needs many more.
MAX_YAML_BYTES = 1 * MB
MAX_YAML_ALIASES = 20
MAX_YAML_DEPTH = 20


#: The only digits a number, code or year may be written with. Python's ``int()``, ``float()``, ``str.isdigit()``
#: and ``re``'s ``\d`` also take fullwidth (``１２``), Arabic-Indic (``١٢``) and other Unicode digits, which a
#: person cannot tell apart from a typing error; the project reads ``[0-9]`` only and names anything else.
ASCII_DIGITS = frozenset("0123456789")


def foreign_digit(text) -> str | None:
    """Why ``text`` is not read as a number, code or year, when it holds a digit other than 0-9 (``'２０２２'`` is
    written with FULLWIDTH DIGIT TWO); None when it holds none. Every reader adds this to its refusal."""
    if not isinstance(text, str) or text.isascii():
        return None
    for ch in text:
        if ch not in ASCII_DIGITS and unicodedata.category(ch) == "Nd":
            return (
                f"{text!r} is written with {ch!r} ({unicodedata.name(ch, 'a digit')}), not with the digits 0-9: "
                "only 0-9 are read as digits; retype it"
            )
    return None


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB / 10 else f"{n} bytes"


def read_bytes(path: str | Path, limit: int, what: str, hint: str = "") -> bytes:
    """The bytes of ``path``, refused before reading when there are more than ``limit``. ``what`` names
    the kind of file in the message ("a JSON-stat dataset"), ``hint`` says what to do instead."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            raise InputError(path, "is not a regular file (a pipe, a socket or a device): a file to read is needed")
        size = info.st_size
        if size <= limit:
            with open(path, "rb") as fh:
                raw = fh.read(limit + 1)  # a file that grows while read (a pipe, /dev/zero) stops here
            size = len(raw)
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    if size > limit:
        raise InputError(
            path, f"{_size(size)} is more than the {_size(limit)} {what} may have" + (f"; {hint}" if hint else "")
        )
    return raw


def decode_utf8(raw: bytes, path: str | Path, what: str = "the file") -> str:
    """Text of UTF-8 bytes (a leading byte-order mark is dropped). Anything else is refused with the row of
    the first byte that is not UTF-8 and, where it looks like one, the encoding the file is in."""
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(path, f"{what} is a zip archive (an .xlsx workbook with another name?), not text")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise InputError(path, f"{what} is UTF-16 or binary (NUL bytes), not UTF-8 text; save it as UTF-8")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        latin1 = raw[exc.start : exc.start + 1].decode("cp1252", errors="replace")
        guess = (
            f" (in ISO-8859-1 or Windows-1252 it would be {latin1!r}: save the file as UTF-8, in Excel 'CSV UTF-8')"
            if latin1.isalpha()
            else ""
        )
        raise InputError(path, f"byte 0x{byte:02X} is not UTF-8{guess}; {what} must be UTF-8", row=row) from None
    stray_bom(text, path)
    return text


def stray_bom(text: str, path: str | Path) -> None:
    """Refuse a byte-order mark inside the text (a leading one is dropped before): it starts a second file pasted
    after the first, whose header would be read as a row of data."""
    at = text.find("\ufeff", 1)
    if at > 0:
        raise InputError(
            path,
            "a byte-order mark (U+FEFF) inside the file, where a second file begins: two files pasted together? "
            "Keep one header, or send them as two files",
            row=text.count("\n", 0, at) + 1,
        )


def _n(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def check_lines(lines: list[str], path: str | Path, first_row: int = 1) -> None:
    """Refuse a line longer than ``MAX_LINE_CHARS`` (a binary file, or one whose line ends were lost)."""
    for i, line in enumerate(lines):
        if len(line) > MAX_LINE_CHARS:
            raise InputError(
                path,
                f"a line of {_n(len(line))} characters (at most {_n(MAX_LINE_CHARS)}): not a table of values, "
                "or its line ends are lost",
                row=first_row + i,
            )


def csv_rows(lines: list[str], path: str | Path, delimiter: str, first_row: int = 1) -> list[tuple[int, list[str]]]:
    """(row, fields) for every non-blank record of ``lines``; ``first_row`` is the file row of the first
    line. An over-long line or field is refused with its row (a wrong field count is the caller's to name)."""
    check_lines(lines, path, first_row)
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(lines, delimiter=delimiter)
    out = []
    start = first_row  # the file row the next record starts on (a quoted field may span lines)
    try:
        for rec in reader:
            if "".join(rec).strip():  # a record of empty or blank fields is a blank line
                out.append((start, rec))
            start = first_row + reader.line_num
    except csv.Error as exc:
        raise InputError(path, f"not a well-formed CSV line ({exc}); a stray or unclosed quote?", row=start) from None
    return out


def csv_table(
    raw: bytes, path: str | Path, what: str, delimiters: str = ",;"
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and rows of a small UTF-8 CSV file the project defines (targets, submissions, verification
    values): the delimiter is the one of ``delimiters`` that the header holds most of; every row must have the
    header's number of fields (all rows with a wrong count are named at once); fields are stripped."""
    text = decode_utf8(raw, path, what)
    first = text.split("\n", 1)[0]
    delimiter = max(delimiters, key=first.count)
    rows = csv_rows(text.splitlines(), path, delimiter)
    if not rows:
        raise InputError(path, f"{what} is empty: no header")
    (_, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    problems = Problems()
    for name in {h for h in header if header.count(h) > 1}:
        problems.add(InputError(path, f"column {name!r} appears twice in the header", row=1, field=name))
    out = []
    for row, rec in body:
        if len(rec) != len(header):
            problems.add(
                InputError(path, f"{len(rec)} fields but the header has {len(header)} (separator {delimiter!r})", row)
            )
            continue
        out.append((row, {h: f.strip() for h, f in zip(header, rec)}))
    problems.raise_if_any()
    return header, out


def read_csv_frame(path: str | Path, what: str, limit: int = 20 * MB):
    """A project CSV (reference tables, the catalog) as a DataFrame of text, empty cells as ''; the same
    strictness as :func:`csv_table` (UTF-8, every row with the header's fields)."""
    import pandas as pd

    header, rows = csv_table(read_bytes(path, limit, what), path, what, ",")
    return pd.DataFrame([rec for _, rec in rows], columns=header)


# -- YAML -----------------------------------------------------------------------------------------


class _LineDict(dict):
    """A mapping that remembers the file row it starts on and the row of each key (see :func:`line_of`)."""

    line: int | None = None
    key_rows: dict[str, int] = {}
    anchors: set[str] = set()  # keys whose value only defines an anchor (``peers: &p Storbyer``), read via aliases


def defines_anchor(obj, key) -> bool:
    """Whether ``key`` of a mapping read by :func:`read_yaml` holds an anchor definition (``&name``): a key that
    names no setting but a value the file uses elsewhere (``*name``), which no check should call unknown."""
    return str(key) in getattr(obj, "anchors", set())


def line_of(obj, key: str | None = None) -> int | None:
    """The row a mapping read by :func:`read_yaml` starts on, or the row of its ``key`` (None for anything else)."""
    if key is not None and str(key) in getattr(obj, "key_rows", {}):
        return obj.key_rows[str(key)]
    return getattr(obj, "line", None)


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python objects) that refuses more than ``MAX_YAML_ALIASES`` aliases and
    nesting deeper than ``MAX_YAML_DEPTH`` while it composes the document, before anything is expanded."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        # (row, key, why) of what YAML reads otherwise than written: integers such as 0301, keys given twice
        self.misread: list[tuple[int, str | None, str]] = []
        self.key_of: dict[int, str] = {}  # id of a value node -> its key, to name the field of a problem
        self.anchored: set[int] = set()  # ids of nodes that define an anchor (&name), to be used by aliases

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise _YamlLimit(
                    f"more than {MAX_YAML_ALIASES} aliases (*name): refused, as an alias bomb would expand "
                    "without end; write the values out",
                    mark,
                )
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _YamlLimit(f"nested more than {MAX_YAML_DEPTH} levels deep", self.peek_event().start_mark)
        anchor = None if self.check_event(yaml.AliasEvent) else getattr(self.peek_event(), "anchor", None)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if anchor:
            self.anchored.add(id(node))
        return node


def _construct_mapping(loader, node):
    """A mapping that keeps its row; a key written twice is a problem, as YAML would silently keep only the last
    (a setting added below the old one, a member field typed twice)."""
    data = _LineDict()
    data.line = node.start_mark.line + 1
    data.anchors = set()
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            loader.key_of[id(value_node)] = str(key_node.value)
            key, row = str(key_node.value), key_node.start_mark.line + 1
            if key in seen and key != "<<":
                rows = f" (rows {seen[key]} and {row})" if seen[key] != row else ""
                loader.misread.append((row, key, f"{key!r} is given twice{rows}: YAML keeps only the last; remove one"))
            seen.setdefault(key, row)
            if id(value_node) in loader.anchored:
                data.anchors.add(key)
    data.key_rows = seen
    yield data
    data.update(loader.construct_mapping(node))


_LimitedLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _construct_int(loader, node):
    """A YAML integer only as a person writes one: digits 0-9, no leading zero. YAML 1.1 also reads ``0301`` as
    the octal number 193, ``2_020`` and ``0x7E4`` as 2020 and ``33:42`` (base 60) as 2022, which no one means."""
    text = str(node.value)
    if re.fullmatch(r"[-+]?(?:0|[1-9][0-9]*)", text):
        return int(text)
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    loader.misread.append(
        (
            node.start_mark.line + 1,
            loader.key_of.get(id(node)),
            f"{text} is read by YAML as the number {value}, not as written: a code must be a quoted string "
            f"('{text}'), a number plain digits 0-9 without a leading zero",
        )
    )
    return value  # read on, so that every such number of the file is named in one report


_LimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class _YamlLimit(Exception):
    def __init__(self, reason: str, mark):
        super().__init__(reason)
        self.reason, self.mark = reason, mark


def read_yaml(path: str | Path, what: str = "a params file") -> dict:
    """A YAML file whose top level is a mapping, read safely (no Python objects, no alias bomb, no deep
    nesting, at most ``MAX_YAML_BYTES``); every problem is an :class:`InputError` with the row."""
    path = Path(path)
    raw = read_bytes(path, MAX_YAML_BYTES, what)
    text = decode_utf8(raw, path)
    loader = _LimitedLoader(text)
    try:
        data = loader.get_single_data()
    except _YamlLimit as exc:
        raise InputError(path, exc.reason, row=exc.mark.line + 1 if exc.mark else None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            path, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", row=mark.line + 1 if mark else None
        ) from None
    finally:
        loader.dispose()
    if loader.misread:
        misread = sorted(loader.misread, key=lambda p: p[0])
        raise InputErrors([InputError(path, why, row=row, field=key) for row, key, why in misread])
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping (key: value lines) at the top level")
    return data


def sidecar(path: str | Path) -> Path:
    """The provenance sidecar of a file: ``<file>.provenance.yaml`` beside it (data/raw/README.md)."""
    path = Path(path)
    return path.with_name(path.name + ".provenance.yaml")
