"""Render many documents of one kind into a ZIP, streaming, reporting every invalid row.

With PDF output the conversions run side by side, as many at a time as the converter has
instances, and each finished document goes into the ZIP at once: memory holds a few
documents, never the batch.
"""

from __future__ import annotations

import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Literal

from docgen.documents.kinds import check_lang, file_name, get_kind
from docgen.documents.render import render_document
from docgen.documents.tabular import Row, row_problems
from docgen.errors import InvalidInput, Problem

Format = Literal["docx", "pdf", "both"]
Converter = Callable[[bytes], bytes]


@dataclass
class BatchReport:
    written: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid_rows: int = 0


def validate_rows(kind_id: str, rows: Iterable[Row]) -> tuple[list, BatchReport]:
    """Validate every row; return the valid payloads and a report of the invalid ones."""
    kind = get_kind(kind_id)
    report = BatchReport()
    valid = []
    for row in rows:
        try:
            valid.append(kind.validate(row.data))
        except InvalidInput as exc:
            report.invalid_rows += 1
            report.problems.extend(row_problems(row, exc))
    return valid, report


def _unique(name: str, names: set[str]) -> str:
    stem, ext = name.rsplit(".", 1)
    candidate, n = name, 2
    while candidate in names:
        candidate, n = f"{stem}-{n}.{ext}", n + 1
    names.add(candidate)
    return candidate


def write_batch(
    kind_id: str,
    lang: str,
    payloads: list,
    out: IO[bytes],
    report: BatchReport,
    progress: Callable[[int], None] | None = None,
    *,
    fmt: Format = "docx",
    convert: Converter | None = None,
    parallel: int = 1,
) -> None:
    """Render each payload (and convert it when ``fmt`` asks for PDF) into a ZIP on ``out``."""
    kind = get_kind(kind_id)
    check_lang(lang)
    if fmt != "docx" and convert is None:
        raise ValueError("PDF output needs a converter")
    names: set[str] = set()

    def produce(payload) -> tuple[str, bytes, bytes | None]:
        docx = render_document(kind.id, lang, payload)
        pdf = convert(docx) if fmt != "docx" and convert else None
        return file_name(kind, payload, lang, "docx"), docx, pdf

    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ThreadPoolExecutor(max(1, parallel), thread_name_prefix="batch") as workers,
    ):
        pending: deque[Future] = deque()

        def drain(limit: int) -> None:
            while len(pending) > limit:
                name, docx, pdf = pending.popleft().result()
                name = _unique(name, names)
                if fmt in ("docx", "both"):
                    archive.writestr(name, docx)
                    report.written.append(name)
                if pdf is not None:
                    pdf_name = name[: -len(".docx")] + ".pdf"
                    archive.writestr(pdf_name, pdf)
                    report.written.append(pdf_name)
                if progress:
                    progress(1)

        try:
            for payload in payloads:
                pending.append(workers.submit(produce, payload))
                drain(2 * max(1, parallel))
            drain(0)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
