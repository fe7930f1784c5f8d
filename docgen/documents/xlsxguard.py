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
    def __init__(self, message: str):
        self.message = message


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
        raise _Refused(
            "holds a DOCTYPE declaration, which a workbook never needs: "
            "save it again from Excel or LibreOffice"
        )

    def _entity(self, *_args: Any) -> None:
        raise _Refused("declares an XML entity, which a workbook never needs")

    def _external(self, *_args: Any) -> int:
        raise _Refused("refers to an external XML entity")

    def where(self) -> str:
        if self.kind == "strings":
            return f"shared string {self.cells}"
        return (
            f"row {self.row}, column {column_letter(self.column)}"
            if self.column
            else f"row {self.row}"
        )

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        limits = self.limits
        if self.kind == "sheet":
            if local == "row":
                number = attrs.get("r")
                self.row = int(number) if number and number.isdigit() else self.row + 1
                self.column = 0
                if self.row > limits.last_row:
                    raise _Refused(
                        f"row {self.row}: a sheet may use rows 1 to "
                        f"{limits.last_row} (at most {limits.rows} rows of data)"
                    )
            elif local == "c":
                ref = _REF.match(attrs.get("r", ""))
                if ref:
                    self.column = _column_index(ref.group(1))
                    self.row = max(self.row, int(ref.group(2)))
                else:
                    self.column += 1
                if self.column > limits.columns:
                    raise _Refused(
                        f"{self.where()}: a sheet may have at most {limits.columns} columns"
                    )
                if self.row > limits.last_row:
                    raise _Refused(
                        f"row {self.row}: a sheet may use rows 1 to "
                        f"{limits.last_row} (at most {limits.rows} rows of data)"
                    )
                self.cells += 1
                if self.cells > limits.cells:
                    raise _Refused(f"{self.where()}: more than {limits.cells} cells")
            elif local in ("v", "t", "f"):
                self.in_value, self.text = True, 0
        elif local == "si":
            self.cells += 1
            self.text = 0
            if self.cells > limits.cells:
                raise _Refused(f"more than {limits.cells} shared strings")
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
                raise _Refused(
                    f"{self.where()}: a cell may hold at most {self.limits.cell_chars} characters"
                )

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
        raise MalformedInput.at(
            "", f"the workbook holds {len(members)} files; at most {limits.members} are accepted"
        )
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > limits.member_bytes:
            raise MalformedInput.at(
                "",
                f"{info.filename} unpacks to more than "
                f"{limits.member_bytes // 1_000_000} MB: split the "
                "workbook",
            )
        if total > limits.unpacked_bytes:
            raise MalformedInput.at(
                "",
                f"the workbook unpacks to more than "
                f"{limits.unpacked_bytes // 1_000_000} MB: split it",
            )
        if info.file_size > 1_000_000 and info.file_size > limits.ratio * max(
            1, info.compress_size
        ):
            raise MalformedInput.at(
                "",
                f"{info.filename} is compressed more than "
                f"{limits.ratio} to 1: not a workbook we read",
            )
    for info in members:
        if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        scan = _Scan(limits, _kind(info.filename))
        try:
            with archive.open(info) as stream:
                scan.feed(stream)
        except _Refused as exc:
            prefix = "" if scan.kind == "sheet" else f"{info.filename}: "
            raise MalformedInput.at("", prefix + exc.message) from None
        except expat.ExpatError as exc:
            raise MalformedInput.at(
                "",
                f"{info.filename} is not well-formed XML (line {exc.lineno}, column {exc.offset})",
            ) from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise MalformedInput.at(
                "", f"{info.filename} cannot be unpacked ({type(exc).__name__})"
            ) from None
