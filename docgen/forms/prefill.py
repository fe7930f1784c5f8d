"""Prefill a form with what the office knows, so that it displays right in every viewer.

Field appearances made by pypdf, reportlab or LibreOffice use a WinAnsi font and lose
ș ț ă (LIBRARY-NOTES.md). So known values are drawn as page text in the embedded DejaVu
font, inside the field's box, and the field itself is removed: the value cannot be
overwritten, prints as shown, and reads back as text in the box (as a flattened copy does).
The reference goes to the hidden ``docgen_ref`` field and to the footer.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from docgen.errors import InvalidInput, Problem, pointer
from docgen.forms.build import (
    FIELD_BORDER,
    FONT,
    FOOTER_PREFIX,
    FOOTER_SIZE,
    FOOTER_Y,
    GREY,
    INK,
    MARGIN,
    PAGE_W,
    bilingual,
    build_form,
    new_canvas,
)
from docgen.forms.normalise import clean_text
from docgen.forms.spec import REF_FIELD, FieldSpec, FormSpec
from docgen.forms.validate import type_value

REF_PREFIX = "docgen-ref"
PAD = 2.5


def display(field: FieldSpec, value: Any) -> str:
    """Return the text a prefilled value shows: dates DD.MM.YYYY, decimals with a comma."""
    if field.type == "checkbox":
        return "✔" if value else ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    if field.type == "choice":
        for c in field.choices or []:
            if c.value == value:
                return bilingual(c.label.ro, c.label.en)
    return str(value)


def check_data(spec: FormSpec, data: Any) -> tuple[dict[str, Any], str]:
    """Validate prefill data ``{"reference": ..., "values": {...}}``; return (values, ref)."""
    if not isinstance(data, dict):
        raise InvalidInput.at("", "expected an object with 'values' (and 'reference')")
    unknown_top = set(data) - {"reference", "values"}
    problems = [Problem(pointer(k), "unknown key") for k in sorted(unknown_top)]
    reference = clean_text(data.get("reference") or "")
    if reference and (len(reference) > 60 or not reference.isascii() or " " in reference):
        problems.append(Problem("/reference", "must be ASCII without spaces, at most 60"))
    raw = data.get("values")
    if not isinstance(raw, dict):
        raise InvalidInput([*problems, Problem("/values", "expected an object")])
    values: dict[str, Any] = {}
    names = {f.name: f for f in spec.fields}
    for key, given in raw.items():
        field = names.get(key)
        if field is None or field.type == "signature":
            problems.append(Problem(pointer("values", key), f"not a field of {spec.id}"))
            continue
        try:
            value = type_value(field, given)
        except ValueError as exc:
            problems.append(Problem(pointer("values", key), str(exc)))
            continue
        if value is not None and value is not False:
            values[key] = value
    if problems:
        raise InvalidInput(problems)
    return values, reference


def _draw_value(canvas: Canvas, field: FieldSpec, text: str) -> None:
    x0, y0, x1, y1 = field.rect
    width, height = x1 - x0 - 2 * PAD, y1 - y0
    size = field.font_size
    # The widget goes away: keep its frame so the page looks as before.
    canvas.setStrokeColor(FIELD_BORDER)
    canvas.setLineWidth(0.6)
    canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
    canvas.setFillColor(INK)
    if field.type == "checkbox":
        size = min(height, x1 - x0) * 0.85
        canvas.setFont(FONT, size)
        canvas.drawCentredString((x0 + x1) / 2, y0 + (height - size * 0.75) / 2, text)
        return
    if field.multiline:
        lines = _wrap(text, size, width)
        leading = size * 1.2
        y = y1 - PAD - size * 0.8
        canvas.setFont(FONT, size)
        for line in lines:
            if y < y0 + 1:
                break
            canvas.drawString(x0 + PAD, y, line)
            y -= leading
        return
    natural = pdfmetrics.stringWidth(text, FONT, size)
    if natural > width:
        size = max(4.0, size * width / natural)
    canvas.setFont(FONT, size)
    canvas.drawString(x0 + PAD, y0 + (height - size * 0.72) / 2, text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}".strip()
            if line and pdfmetrics.stringWidth(candidate, FONT, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _overlay(spec: FormSpec, values: dict[str, Any], reference: str) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, spec.code)
    for page in range(1, spec.pages + 1):
        for field in spec.fields:
            if field.page == page and field.name in values:
                _draw_value(canvas, field, display(field, values[field.name]))
        if reference:
            canvas.setFillColor(GREY)
            canvas.setFont(FONT, FOOTER_SIZE)
            canvas.drawRightString(PAGE_W - MARGIN, FOOTER_Y, f"{REF_PREFIX} {reference}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _drop_fields(writer: PdfWriter, names: set[str]) -> None:
    def keep(ref: Any) -> bool:
        return ref.get_object().get("/T") not in names

    for page in writer.pages:
        if "/Annots" in page:
            page[NameObject("/Annots")] = ArrayObject(
                [a for a in page["/Annots"] if keep(a)]
            )
    acro = writer._root_object["/AcroForm"]
    acro[NameObject("/Fields")] = ArrayObject([f for f in acro["/Fields"] if keep(f)])


def prefill_form(spec: FormSpec, data: Any) -> bytes:
    """Return the form's PDF with the office's values drawn in and their fields removed."""
    values, reference = check_data(spec, data)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_form(spec))))
    overlay = PdfReader(io.BytesIO(_overlay(spec, values, reference)))
    for page, extra in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(extra)
    _drop_fields(writer, set(values))
    if reference:
        writer.update_page_form_field_values(
            writer.pages[0], {REF_FIELD: reference}, auto_regenerate=False
        )
    writer.add_metadata({"/Subject": f"{FOOTER_PREFIX} {spec.code} {reference}".strip()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
