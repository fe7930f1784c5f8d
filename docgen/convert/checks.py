"""Check that bytes are a DOCX package before LibreOffice sees them.

LibreOffice opens almost anything (random bytes come out as a page of plain text) and
can spend long on a broken package, so the converters refuse what is not a readable
Word document up front, quickly and with a reason.
"""

from __future__ import annotations

import io
import xml.parsers.expat
import zipfile
import zlib

from docgen.errors import MalformedInput

REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")
# A generated contract unpacks to well under 1 MiB; this only stops ZIP bombs.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024


def _refuse(reason: str) -> MalformedInput:
    return MalformedInput.at("", f"not a DOCX document: {reason}")


def check_docx(data: bytes) -> None:
    """Raise ``MalformedInput`` unless ``data`` is a readable DOCX package.

    Checks the ZIP structure and every member's checksum, the parts Word always writes,
    the unpacked size, and that ``word/document.xml`` is well-formed XML.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"a DOCX is bytes, not {type(data).__name__}")
    if not data:
        raise _refuse("the file is empty")
    if not bytes(data[:4]) == b"PK\x03\x04":
        raise _refuse("it is not a ZIP package (a DOCX file is one)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            for part in REQUIRED_PARTS:
                if part not in names:
                    raise _refuse(f"the package has no {part}")
            unpacked = sum(info.file_size for info in package.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise _refuse(f"it unpacks to {unpacked} bytes, more than {MAX_UNPACKED_BYTES}")
            for info in package.infolist():
                try:
                    with package.open(info) as member:
                        while member.read(1 << 20):
                            pass
                except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                    raise _refuse(f"the member {info.filename} is corrupt ({exc})") from exc
            body = package.read("word/document.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError) as exc:
        raise _refuse(f"the ZIP package is broken ({exc})") from exc
    except NotImplementedError as exc:  # e.g. an unsupported compression method
        raise _refuse(f"the ZIP package cannot be read ({exc})") from exc
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        raise _refuse(f"word/document.xml is not well-formed XML ({exc})") from exc
