"""A text snapshot of every template, so that a wording change shows in review.

The DOCX files in ``templates/<lang>/`` are the source of truth, edited in Word or
LibreOffice. ``docgen templates dump`` writes ``templates/snapshot/<lang>/<kind>.txt``: the
text of the body in document order (paragraphs as lines, table rows as cells joined by
`` | ``, repeated merged cells once), then the headers and footers, Jinja tags as they are.
A test compares the committed snapshot with the templates, so a template changed without its
snapshot (or the reverse) fails, and the diff of the ``.txt`` shows the wording change.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from docgen.documents.kinds import KINDS, LANGS


def _table_lines(table: Table) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen = set()
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.append(" / ".join(p.text for p in cell.paragraphs if p.text.strip()))
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def template_text(path: Path) -> str:
    """The text of one DOCX template, as the snapshot holds it."""
    document = Document(str(path))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text
            if text.strip():
                lines.append(text)
        elif tag == "tbl":
            lines += _table_lines(Table(child, document))
    for number, section in enumerate(document.sections, start=1):
        for name, part in (("header", section.header), ("footer", section.footer)):
            texts = [p.text for p in part.paragraphs if p.text.strip()]
            for table in part.tables:
                texts += _table_lines(table)
            if texts:
                lines.append(f"--- section {number} {name}")
                lines += texts
    return "\n".join(lines) + "\n"


def snapshot(templates: Path) -> dict[str, str]:
    """``{"<lang>/<kind>.txt": text}`` for every kind and language."""
    return {
        f"{lang}/{kind}.txt": template_text(templates / lang / f"{kind}.docx")
        for kind in KINDS
        for lang in LANGS
    }


def write_snapshot(templates: Path, out: Path) -> list[Path]:
    """Write the snapshot under ``out``; return the files written."""
    written = []
    for name, text in snapshot(templates).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
