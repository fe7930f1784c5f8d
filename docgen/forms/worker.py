"""The parsing worker: a long-lived child process that answers parse requests.

Run as ``python -m docgen.forms.worker --memory-mb N``. It caps its own address space,
loads the PDF libraries once, then reads frames from stdin and writes one answer frame
per request to stdout, until stdin closes. A frame is a 4-byte big-endian length and a
payload; a request is a JSON header frame followed by a frame of PDF bytes (or of a batch
file, when the header says ``"task": "batch"``); an answer is one JSON frame: the record
(the rows), or ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import struct
import sys
from typing import IO, Any

HEADER = struct.Struct(">I")
MAX_FRAME = 1 << 30


def read_frame(stream: IO[bytes]) -> bytes | None:
    """Read one frame; None at a clean end of input."""
    head = stream.read(HEADER.size)
    if not head:
        return None
    if len(head) < HEADER.size:
        raise EOFError("truncated frame header")
    (size,) = HEADER.unpack(head)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes is too large")
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("truncated frame")
    return payload


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space so a hostile file fails with MemoryError."""
    import resource

    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Handler:
    """Answer requests with warm state: specs by folder and trust roots by setting."""

    def __init__(self) -> None:
        self._roots: dict[str, list[Any]] = {}

    def handle(self, header: dict[str, Any], data: bytes) -> dict[str, Any]:
        if header.get("task") == "batch":
            return read_batch_answer(data, str(header.get("filename") or ""))
        if header.get("task") == "assign":
            return read_assigned_answer(header, data)
        from pathlib import Path

        from docgen.forms.parse import ParseFailed, ScanOptions, parse_bytes
        from docgen.forms.signatures import load_trust_roots
        from docgen.forms.spec import load_specs

        setting = header.get("trust_roots") or ""
        if setting not in self._roots:
            self._roots[setting] = load_trust_roots(setting)
        specs = load_specs(Path(header["forms_dir"]))
        scan = None
        if header.get("page_key"):
            scan = ScanOptions(
                key=bytes.fromhex(header["page_key"]),
                dpi=int(header["scan_dpi"]),
                max_pixels=int(header["max_pixels"]),
                max_pages=int(header["scan_max_pages"]),
            )
        try:
            return parse_bytes(
                data,
                specs,
                filename=header.get("filename"),
                trust_roots=self._roots[setting],
                scan=scan,
            )
        except ParseFailed as exc:
            return exc.as_json()


def read_assigned_answer(header: dict[str, Any], data: bytes) -> dict[str, Any]:
    """One page of a scan read as the form a person chose (docgen.forms.assign)."""
    from pathlib import Path

    from docgen.forms.assign import read_assigned
    from docgen.forms.spec import load_specs

    specs = load_specs(Path(header["forms_dir"]))
    spec = specs.get(str(header.get("form")))
    if spec is None:
        return {"error": {"code": "unreadable", "message": f"no form {header.get('form')!r}"}}
    return read_assigned(
        data,
        spec,
        specs,
        reference=str(header.get("reference") or ""),
        index=int(header["index"]),
        page=int(header["page"]),
        dpi=int(header["scan_dpi"]),
        max_pixels=int(header["max_pixels"]),
        max_pages=int(header["scan_max_pages"]),
    )


def read_batch_answer(data: bytes, filename: str) -> dict[str, Any]:
    """The rows of a batch file, or its problems, as JSON-ready data."""
    from docgen.documents.tabular import read_batch
    from docgen.errors import DocgenError, InvalidInput

    try:
        rows = read_batch(data, filename)
    except DocgenError as exc:
        problems = exc.problems if isinstance(exc, InvalidInput) else []
        return {
            "error": {
                "code": "invalid",
                "message": exc.detail,
                "status": exc.status,
                "problems": [[p.pointer, p.message, p.code, dict(p.params)] for p in problems],
            }
        }
    return {"rows": [{"number": r.number, "where": r.where, "data": r.data} for r in rows]}


def _json_default(value: Any) -> Any:
    # A Decimal read from a spreadsheet came from a float (Decimal(repr(f))): as a JSON
    # number it reads back, with parse_float=Decimal, as the same Decimal. One from a JSON
    # file with more digits than a float holds goes as text (pydantic reads "0.1234..." as
    # a number too), never rounded.
    from decimal import Decimal

    if isinstance(value, Decimal):
        number = float(value)
        return number if Decimal(repr(number)) == value else str(value)
    return str(value)


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> int:
    handler = Handler()
    write_frame(stdout, b'{"ready": true}')
    while True:
        head = read_frame(stdin)
        if head is None:
            return 0
        data = read_frame(stdin)
        if data is None:
            return 1
        fatal = False
        header = json.loads(head)
        # A record's numbers go out as text (default=str), a batch's as numbers.
        default = _json_default if header.get("task") == "batch" else str
        try:
            answer = handler.handle(header, data)
        except MemoryError:
            answer = {
                "error": {
                    "code": "too_complex",
                    "message": "the file needs more memory than allowed",
                }
            }
            fatal = True  # the heap may be in a poor state: let the pool start afresh
        except Exception as exc:  # the contract: an answer, never a traceback
            answer = {
                "error": {"code": "internal", "message": f"{type(exc).__name__}: {str(exc)[:300]}"}
            }
        try:
            frame = json.dumps(answer, ensure_ascii=False, default=default).encode()
        except (ValueError, TypeError, RecursionError) as exc:  # e.g. a lone surrogate
            frame = json.dumps(
                {
                    "error": {
                        "code": "internal",
                        "message": f"the answer cannot be sent ({type(exc).__name__})",
                    }
                }
            ).encode()
        write_frame(stdout, frame)
        if fatal:
            return 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space cap (MiB)")
    args = parser.parse_args(argv)
    # Frames go to the real stdout; anything a library prints lands on stderr instead.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    for noisy in ("pypdf", "pdfminer", "pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    # Tesseract's threads would only fight each other (and the other workers) for the cores.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    limit_memory(args.memory_mb)
    # Import the parsing stack before the first request: a warm worker answers fast.
    import cv2
    import pyhanko.sign.validation  # noqa: F401

    import docgen.forms.ocr
    import docgen.forms.parse
    import docgen.forms.scan
    import docgen.forms.signatures

    cv2.setNumThreads(1)  # one core a worker for OpenCV too, as for Tesseract
    docgen.forms.ocr.warm()  # Tesseract's models loaded once, before the first scan
    return serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    sys.exit(main())
