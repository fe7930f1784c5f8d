"""Render many documents of one kind into a ZIP, streaming, reporting every invalid row."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from docgen.documents.kinds import check_lang, file_name, get_kind
from docgen.documents.render import render_document
from docgen.documents.tabular import Row, row_problems
from docgen.errors import InvalidInput, Problem


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


def write_batch(
    kind_id: str,
    lang: str,
    payloads: list,
    out: IO[bytes],
    report: BatchReport,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Render each payload and add it to a ZIP written to ``out`` as it goes."""
    kind = get_kind(kind_id)
    check_lang(lang)
    names: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for payload in payloads:
            name = file_name(kind, payload, lang)
            stem, n = name[:-5], 2
            while name in names:
                name, n = f"{stem}-{n}.docx", n + 1
            names.add(name)
            archive.writestr(name, render_document(kind.id, lang, payload))
            report.written.append(name)
            if progress:
                progress(1)
