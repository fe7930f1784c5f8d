"""Render many documents of one kind into a ZIP, streaming, reporting every invalid row.

With PDF output the conversions run side by side, as many at a time as the converter has
instances, and each finished document goes into the ZIP at once: memory holds a few
documents, never the batch.
"""

from __future__ import annotations

import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from docgen.documents.kinds import check_lang, file_name, get_kind
from docgen.documents.render import render_document
from docgen.documents.tabular import Row, row_problems
from docgen.errors import DocgenError, InvalidInput, Problem

Format = Literal["docx", "pdf", "both"]
Converter = Callable[[bytes], bytes]


@dataclass
class BatchReport:
    written: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid_rows: int = 0


def validate_rows(
    kind_id: str,
    rows: Iterable[Row],
    rates_dir: str = "",
    fill: Callable[[Any], Any] | None = None,
    check: Callable[[Any], None] | None = None,
) -> tuple[list, BatchReport]:
    """Validate every row; return the valid payloads and a report of the invalid ones.

    ``fill`` completes a row's data first (the registry: institutions named by code, the
    home institution); ``check`` then refuses a valid payload (an agreement's caps). Both
    raise ``InvalidInput`` with pointers into the row's payload."""
    kind = get_kind(kind_id)
    report = BatchReport()
    valid = []
    for row in rows:
        try:
            payload = kind.validate(fill(row.data) if fill else row.data, rates_dir)
            if check is not None:
                check(payload)
            valid.append(payload)
        except InvalidInput as exc:
            report.invalid_rows += 1
            report.problems.extend(row_problems(row, exc))
    return valid, report


def unique_name(name: str, names: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... if the ZIP already holds it."""
    stem, ext = name.rsplit(".", 1)
    candidate, n = name, 2
    while candidate in names:
        candidate, n = f"{stem}-{n}.{ext}", n + 1
    names.add(candidate)
    return candidate


@dataclass(frozen=True)
class Rendered:
    """One item of a batch: its DOCX and PDF as asked, or the error that stopped it."""

    index: int
    payload: Any
    name: str  # <kind>-<reference>-<lang>.docx
    docx: bytes | None = None
    pdf: bytes | None = None
    error: DocgenError | None = None


def render_many(
    kind_id: str,
    lang: str,
    payloads: Sequence[Any],
    *,
    fmt: Format = "docx",
    convert: Converter | None = None,
    parallel: int = 1,
    root: Path | None = None,
    rates_dir: str = "",
) -> Iterator[Rendered]:
    """Render (and convert) validated payloads side by side; yield them in order.

    At most ``2 * parallel`` documents are in flight, so memory stays bounded whatever the
    batch size. An item that fails with a docgen error is yielded with that error; the
    caller decides whether the batch goes on.
    """
    kind = get_kind(kind_id)
    check_lang(lang)
    if fmt != "docx" and convert is None:
        raise ValueError("PDF output needs a converter")
    width = max(1, parallel)

    def produce(index: int, payload: Any) -> Rendered:
        name = file_name(kind, payload, lang, "docx")
        try:
            docx = render_document(kind.id, lang, payload, root, rates_dir)
            pdf = convert(docx) if fmt != "docx" and convert else None
        except DocgenError as exc:
            return Rendered(index, payload, name, error=exc)
        return Rendered(index, payload, name, docx, pdf)

    with ThreadPoolExecutor(width, thread_name_prefix="batch") as workers:
        pending: deque[Future[Rendered]] = deque()
        try:
            for index, payload in enumerate(payloads):
                pending.append(workers.submit(produce, index, payload))
                while len(pending) > 2 * width:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


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
    root: Path | None = None,
    rates_dir: str = "",
) -> None:
    """Render each payload (and convert it when ``fmt`` asks for PDF) into a ZIP on ``out``."""
    names: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in render_many(
            kind_id, lang, payloads, fmt=fmt, convert=convert, parallel=parallel, root=root,
            rates_dir=rates_dir,
        ):
            if item.error is not None:
                raise item.error
            name = unique_name(item.name, names)
            if fmt in ("docx", "both"):
                archive.writestr(name, item.docx)
                report.written.append(name)
            if item.pdf is not None:
                pdf_name = name[: -len(".docx")] + ".pdf"
                archive.writestr(pdf_name, item.pdf)
                report.written.append(pdf_name)
            if progress:
                progress(1)
