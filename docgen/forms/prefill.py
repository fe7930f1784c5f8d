"""Prefill a form with what the office knows, so that it displays right in every viewer.

Known values become the fields' values, with appearance streams that docgen draws in the
embedded field font (:mod:`docgen.forms.appearance`): they show ș ț ă in every viewer,
stay editable (a correction replaces the value; nothing is drawn on the page beneath) and
a flattened copy shows the same. The reference goes to the hidden ``docgen_ref`` field and
to the footer.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from pypdf import PdfReader, PdfWriter

from docgen.errors import InvalidInput, Problem, pointer
from docgen.forms.appearance import set_fields
from docgen.forms.build import (
    FONT,
    FOOTER_PREFIX,
    FOOTER_SIZE,
    FOOTER_Y,
    GREY,
    MARGIN,
    PAGE_W,
    build_form,
    new_canvas,
)
from docgen.forms.normalise import clean_text
from docgen.forms.spec import FORM_ID_FIELD, REF_FIELD, FormSpec
from docgen.forms.validate import type_value

REF_PREFIX = "docgen-ref"


def display(value: Any) -> str:
    """Return the text a prefilled text field holds: dates DD.MM.YYYY, decimals with a comma."""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
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


def _footer(spec: FormSpec, reference: str) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, spec.code)
    for _ in range(spec.pages):
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.drawRightString(PAGE_W - MARGIN, FOOTER_Y, f"{REF_PREFIX} {reference}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def field_values(spec: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Return what each field holds: display text, a choice's export value, a box's state."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        field = spec.field(name)
        if field.type in ("checkbox", "choice"):
            out[name] = value
        else:
            out[name] = display(value)
    return out


def prefill_form(spec: FormSpec, data: Any) -> bytes:
    """Return the form's PDF with the office's values in their fields, drawn by docgen."""
    values, reference = check_data(spec, data)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_form(spec))))
    if reference:
        footer = PdfReader(io.BytesIO(_footer(spec, reference)))
        for page, extra in zip(writer.pages, footer.pages, strict=True):
            page.merge_page(extra)
    set_fields(
        writer, spec, {**field_values(spec, values), FORM_ID_FIELD: spec.code, REF_FIELD: reference}
    )
    writer.add_metadata({"/Subject": f"{FOOTER_PREFIX} {spec.code} {reference}".strip()})
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
