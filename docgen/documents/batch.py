"""The batch engine: many documents of one kind validated (every invalid row reported) and
rendered into a ZIP, streaming. The CLI, the API and the batch jobs all use it; the
operations layer records each document it writes (``on_file``).

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
    """What a batch gave: the files written, the invalid rows and their problems, and the
    items that could not be rendered (``{"index", "title", "detail"}``)."""

    written: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


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


def write_zip(
    kind_id: str,
    lang: str,
    payloads: Sequence[Any],
    out: IO[bytes],
    report: BatchReport | None = None,
    *,
    fmt: Format = "docx",
    convert: Converter | None = None,
    parallel: int = 1,
    root: Path | None = None,
    rates_dir: str = "",
    keep_going: bool = False,
    on_item: Callable[[int, str | None], None] | None = None,
    on_file: Callable[[Rendered, str, bytes], None] | None = None,
    finish: Callable[[Rendered, str, bytes], bytes] | None = None,
) -> BatchReport:
    """Render each payload (and convert it when ``fmt`` asks for PDF) into a ZIP on ``out``.

    Documents are rendered and converted ``parallel`` at a time (``render_many``); each file
    goes into the ZIP as soon as it is ready, then ``on_file(item, extension, content)``
    (in the caller's thread). An item that cannot be rendered stops the batch (raised),
    unless ``keep_going``: then it is reported in ``report.errors`` and the batch goes on.
    ``on_item(index, error detail or None)`` follows every item. ``finish(item, extension,
    content)`` may change a file before it is written (the page codes of a PDF).
    """
    report = report if report is not None else BatchReport()
    names: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in render_many(
            kind_id,
            lang,
            payloads,
            fmt=fmt,
            convert=convert,
            parallel=parallel,
            root=root,
            rates_dir=rates_dir,
        ):
            if item.error is not None:
                if not keep_going:
                    raise item.error
                report.errors.append(
                    {"index": item.index, "title": item.error.title, "detail": item.error.detail}
                )
                if on_item:
                    on_item(item.index, item.error.detail)
                continue
            stem = unique_name(item.name, names)[: -len(".docx")]
            files = (("docx", item.docx if fmt != "pdf" else None), ("pdf", item.pdf))
            for ext, content in files:
                if content is None:
                    continue
                if finish:
                    content = finish(item, ext, content)
                archive.writestr(f"{stem}.{ext}", content)
                report.written.append(f"{stem}.{ext}")
                if on_file:
                    on_file(item, ext, content)
            if on_item:
                on_item(item.index, None)
    return report
