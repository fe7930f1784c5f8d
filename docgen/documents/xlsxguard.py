"""Check an XLSX before openpyxl reads it: sizes, entities, and where its cells are.

openpyxl trusts what the file says: the ``<dimension>`` of a sheet (it pads every row to
it), the shared strings (all loaded at once) and the ZIP's members. One pass of expat over
each member, reading the ZIP in chunks, checks instead what is really there and stops at
the first thing past a limit, so that the read that follows is bounded:

* the ZIP: number of members, unpacked size of each and of all, compression ratio;
* every XML part: no DOCTYPE and no entity declaration (what defusedxml refuses);
* the sheets: the row and column of every cell (``<dimension>`` is ignored), the number of
  cells and the length of each value; the shared strings: their number and length.

Errors are :class:`docgen.errors.MalformedInput` naming the row and column in Excel's
terms (``row 7, column C``).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from docgen.errors import MalformedInput

CHUNK = 1 << 16
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


@dataclass(frozen=True)
class Limits:
    """How much a batch file may hold. The numbers are documented in the README."""

    rows: int = 10_000  # rows with data, after the header
    last_row: int = 20_001  # the last row number a sheet may use (blank rows included)
    columns: int = 1_024
    cell_chars: int = 10_000
    cells: int = 2_000_000  # cells with a value, in a sheet or in the shared strings
    members: int = 256  # files inside the XLSX
    member_bytes: int = 64_000_000  # one file inside the XLSX, unpacked
    unpacked_bytes: int = 128_000_000  # all of them
    ratio: int = 200  # unpacked / packed, for members over 1 MB
    json_depth: int = 64  # nesting of a JSON batch file


LIMITS = Limits()

# What a refused batch file is told, by key: the pages translate these templates
# (docgen.web.ui.labels), so every message is built from one of them.
TABLE_MESSAGES = {
    "doctype": "{member}: holds a DOCTYPE declaration, which a workbook never needs: "
    "save it again from Excel or LibreOffice",
    "entity": "{member}: declares an XML entity, which a workbook never needs",
    "external": "{member}: refers to an external XML entity",
    "last_row": "row {row}: a sheet may use rows 1 to {last_row} (at most {rows} rows of data)",
    "columns": "row {row}, column {column}: a sheet may have at most {columns} columns",
    "cells": "row {row}, column {column}: more than {cells} cells",
    "strings": "more than {cells} shared strings",
    "cell_chars": "row {row}, column {column}: a cell may hold at most {chars} characters",
    "string_chars": "shared string {index}: a cell may hold at most {chars} characters",
    "members": "the workbook holds {count} files; at most {members} are accepted",
    "member_bytes": "{member} unpacks to more than {mb} MB: split the workbook",
    "unpacked": "the workbook unpacks to more than {mb} MB: split it",
    "ratio": "{member} is compressed more than {ratio} to 1: not a workbook we read",
    "xml": "{member} is not well-formed XML (line {line}, column {column})",
    "unpack": "{member} cannot be unpacked ({reason})",
    "header_columns": "the header has {count} columns; at most {columns} are accepted",
    "rows": "more than {rows} rows: split the batch",
    "items": "more than {rows} items: split the batch",
    "csv_field": "row {row}: cannot be read ({reason}); a cell may hold at most {chars} characters",
    "json_depth": "the JSON nests deeper than {depth} levels",
    "json_digits": "not valid JSON: a number has more than {digits} digits",
    "no_sheet": "the workbook has no sheet",
    "empty_sheet": "the first sheet is empty",
    "unreadable": "not a readable XLSX workbook ({reason})",
    "sheet_unreadable": "the first sheet cannot be read ({reason})",
    "timeout": "the file took longer than {seconds} s to read: split it",
    "memory": "the file needs more memory than allowed: split it",
    "failed": "the file cannot be read",
}


def table_error(key: str, **values: object) -> MalformedInput:
    """The error for a batch file refused for ``key`` (see ``TABLE_MESSAGES``)."""
    return MalformedInput.at("", TABLE_MESSAGES[key].format(**values), f"table_{key}", **values)


def column_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


class _Refused(Exception):
    def __init__(self, key: str, **values: object):
        self.key, self.values = key, values


class _Scan:
    """Expat handlers for one XML part; ``sheet`` and ``strings`` add the cell checks."""

    def __init__(self, limits: Limits, kind: str):
        self.limits = limits
        self.kind = kind  # "sheet", "strings" or "other"
        self.row = 0
        self.column = 0
        self.cells = 0
        self.text = 0  # characters of the value being read
        self.in_value = False
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.ExternalEntityRefHandler = self._external
        if kind != "other":
            self.parser.StartElementHandler = self._start
            self.parser.EndElementHandler = self._end
            self.parser.CharacterDataHandler = self._chars

    def _doctype(self, *_args: Any) -> None:
        raise _Refused("doctype")

    def _entity(self, *_args: Any) -> None:
        raise _Refused("entity")

    def _external(self, *_args: Any) -> int:
        raise _Refused("external")

    def _past_last_row(self) -> _Refused:
        limits = self.limits
        return _Refused("last_row", row=self.row, last_row=limits.last_row, rows=limits.rows)

    def _at_cell(self, key: str, **values: object) -> _Refused:
        return _Refused(key, row=self.row, column=column_letter(self.column), **values)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        limits = self.limits
        if self.kind == "sheet":
            if local == "row":
                number = attrs.get("r")
                self.row = int(number) if number and number.isdigit() else self.row + 1
                self.column = 0
                if self.row > limits.last_row:
                    raise self._past_last_row()
            elif local == "c":
                ref = _REF.match(attrs.get("r", ""))
                if ref:
                    self.column = _column_index(ref.group(1))
                    self.row = max(self.row, int(ref.group(2)))
                else:
                    self.column += 1
                if self.column > limits.columns:
                    raise self._at_cell("columns", columns=limits.columns)
                if self.row > limits.last_row:
                    raise self._past_last_row()
                self.cells += 1
                if self.cells > limits.cells:
                    raise self._at_cell("cells", cells=limits.cells)
            elif local in ("v", "t", "f"):
                self.in_value, self.text = True, 0
        elif local == "si":
            self.cells += 1
            self.text = 0
            if self.cells > limits.cells:
                raise _Refused("strings", cells=limits.cells)
        elif local == "t":
            self.in_value = True

    def _end(self, name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local in ("v", "t", "f"):
            self.in_value = False

    def _chars(self, data: str) -> None:
        if self.in_value:
            self.text += len(data)
            if self.text > self.limits.cell_chars:
                chars = self.limits.cell_chars
                if self.kind == "strings":
                    raise _Refused("string_chars", index=self.cells, chars=chars)
                raise self._at_cell("cell_chars", chars=chars)

    def feed(self, stream: IO[bytes]) -> None:
        while chunk := stream.read(CHUNK):
            self.parser.Parse(chunk, False)
        self.parser.Parse(b"", True)


def _kind(name: str) -> str:
    lowered = name.lower()
    if lowered.startswith("xl/worksheets/") and lowered.endswith(".xml"):
        return "sheet"
    if lowered == "xl/sharedstrings.xml":
        return "strings"
    return "other"


def check_xlsx(archive: zipfile.ZipFile, limits: Limits = LIMITS) -> None:
    """Refuse, with where and why, an XLSX past the limits or with XML entities."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise table_error("members", count=len(members), members=limits.members)
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > limits.member_bytes:
            raise table_error(
                "member_bytes", member=info.filename, mb=limits.member_bytes // 1_000_000
            )
        if total > limits.unpacked_bytes:
            raise table_error("unpacked", mb=limits.unpacked_bytes // 1_000_000)
        if info.file_size > 1_000_000 and info.file_size > limits.ratio * max(
            1, info.compress_size
        ):
            raise table_error("ratio", member=info.filename, ratio=limits.ratio)
    for info in members:
        if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        scan = _Scan(limits, _kind(info.filename))
        try:
            with archive.open(info) as stream:
                scan.feed(stream)
        except _Refused as exc:
            raise table_error(exc.key, member=info.filename, **exc.values) from None
        except expat.ExpatError as exc:
            raise table_error(
                "xml", member=info.filename, line=exc.lineno, column=exc.offset
            ) from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise table_error("unpack", member=info.filename, reason=type(exc).__name__) from None
