"""Read the text inside field rectangles, for forms whose fields are gone.

A flattened or printed-to-PDF copy keeps the values as page text; pdfplumber finds the
characters, and a character belongs to a field when its centre lies inside the field's
rectangle. pdfplumber measures from the top-left, PDF rectangles from the bottom-left.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pdfplumber
from pdfplumber.utils import extract_text

from docgen.forms.spec import FieldSpec

# Glyphs of our own footer and labels stay outside the boxes; this slack only absorbs
# rounding in other tools' output.
SLACK = 0.8


def _inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    cx = (char["x0"] + char["x1"]) / 2
    cy = (char["top"] + char["bottom"]) / 2
    return x0 - SLACK <= cx <= x1 + SLACK and top - SLACK <= cy <= bottom + SLACK


def read_boxes(data: bytes, fields: Iterable[FieldSpec]) -> dict[str, str]:
    """Return the text inside each field's rectangle, by field name (``""`` when empty)."""
    by_page: dict[int, list[FieldSpec]] = {}
    for field in fields:
        by_page.setdefault(field.page, []).append(field)
    found: dict[str, str] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page_fields in sorted(by_page.items()):
            if number > len(pdf.pages):
                continue
            page = pdf.pages[number - 1]
            try:
                x_origin, y_origin = float(page.mediabox[0]), float(page.mediabox[1])
                height = float(page.mediabox[3]) - y_origin
                chars = [c for c in page.chars if c.get("text", "").strip() or c["text"] == " "]
                for field in page_fields:
                    x0, y0, x1, y1 = field.rect
                    box = (
                        x0 - x_origin,
                        height - (y1 - y_origin),
                        x1 - x_origin,
                        height - (y0 - y_origin),
                    )
                    inside = [c for c in chars if _inside(c, box)]
                    found[field.name] = extract_text(inside) if inside else ""
            finally:
                page.close()
    return found
