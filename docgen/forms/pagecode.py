"""Page codes: the QR printed on every page docgen produces, and the marks in the corners.

A code reads ``DG1|<kind>|<version>|<reference>|<page>/<pages>|<mac>``: the form or document
kind, its version, the (percent-encoded) reference, the page number and count, and the
first 10 bytes of an HMAC-SHA256 over the rest, keyed from the instance's secret. A code
whose MAC does not verify was made by another instance, or forged: it is refused.

``stamp_pdf`` draws the QR (segno) on every page (in a form's bottom-right corner, in a
document's left margin) and, for forms, four filled squares near the corners that a scanned
page is registered by.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

import segno
from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

from docgen.forms.spec import FormSpec

PREFIX = "DG1"
MAC_BYTES = 10
# Where the QR and the marks go, in PDF points. The QR's quiet zone is part of its box.
QR_MODULE = 1.45  # points per module: about 3 modules of 2.9 px at 150 dpi
QR_RIGHT = 40.0  # right edge of the QR box, from the page's right edge
QR_BOTTOM = 32.0  # bottom edge of the QR box, above the footer line
QR_BORDER = 2  # quiet zone, in modules
# Generated documents fill their page to the margins, footer and page number included: their
# QR goes in the left margin (2 cm in every template), smaller, above the footer line.
DOC_MODULE = 1.2
DOC_WIDTH = 46.0  # at most, so that a long reference does not reach the text
DOC_LEFT = 7.0
DOC_BOTTOM = 40.0
MARK_INSET = 16.0  # a mark's outer corner, from the page's corner
MARK_SIZE = 9.0
_TOKEN = re.compile(r"^[A-Za-z0-9_.\-@]{1,64}$")


class CodeRefused(ValueError):
    """The QR is a docgen page code, but not one of this instance (foreign or forged)."""


@dataclass(frozen=True)
class PageCode:
    kind: str
    version: str
    reference: str
    page: int
    pages: int


def page_key(secret: str) -> bytes:
    """Derive the key of page codes from the instance's secret (never the secret itself)."""
    return hmac.new(secret.encode(), b"docgen page code v1", hashlib.sha256).digest()


def _mac(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode().rstrip("=")


def encode(code: PageCode, key: bytes) -> str:
    """Return the text of a page's QR."""
    for token in (code.kind, code.version):
        if not _TOKEN.match(token):
            raise ValueError(f"not a page-code token: {token!r}")
    if not 1 <= code.page <= code.pages <= 9999:
        raise ValueError(f"page {code.page} of {code.pages}")
    reference = quote(code.reference, safe="-_.~/:")
    body = f"{PREFIX}|{code.kind}|{code.version}|{reference}|{code.page}/{code.pages}"
    return f"{body}|{_mac(key, body)}"


def decode(text: str, key: bytes) -> PageCode | None:
    """Return the page code in a QR's text; None if it is not a docgen page code at all.

    Raises :class:`CodeRefused` for a docgen code this instance did not make.
    """
    parts = text.split("|")
    if len(parts) != 6 or parts[0] != PREFIX:
        return None
    body, mac = "|".join(parts[:5]), parts[5]
    if not hmac.compare_digest(_mac(key, body), mac):
        raise CodeRefused("the page code was not made by this instance")
    _, kind, version, reference, numbers = parts[:5]
    page, _, pages = numbers.partition("/")
    try:
        return PageCode(kind, version, unquote(reference), int(page), int(pages))
    except ValueError as exc:
        raise CodeRefused(f"a malformed page code ({exc})") from exc


@functools.lru_cache(maxsize=512)
def _symbol_side(text: str) -> int:
    """Modules a side of the QR of ``text``, quiet zone included (a scan asks per page)."""
    return int(segno.make_qr(text, error="m").symbol_size(scale=1, border=QR_BORDER)[0])


def qr_box(width: float, text: str) -> tuple[float, float, float]:
    """Return ``(x, y, size)`` of the QR box (quiet zone included) on a page of ``width``."""
    size = _symbol_side(text) * QR_MODULE
    return width - QR_RIGHT - size, QR_BOTTOM, size


def mark_boxes(width: float, height: float) -> list[tuple[float, float]]:
    """Return the lower-left corners of the four marks: top-left, top-right, bottom-right,
    bottom-left (the order a registration maps them in)."""
    far_x, far_y = width - MARK_INSET - MARK_SIZE, height - MARK_INSET - MARK_SIZE
    return [
        (MARK_INSET, far_y),
        (far_x, far_y),
        (far_x, MARK_INSET),
        (MARK_INSET, MARK_INSET),
    ]


def draw_qr(canvas: Canvas, text: str, x: float, y: float, module: float = QR_MODULE) -> None:
    """Draw a QR with its quiet zone as filled modules, lower-left corner at ``(x, y)``."""
    qr = segno.make_qr(text, error="m")
    rows = list(qr.matrix)
    top = y + (len(rows) + 2 * QR_BORDER) * module
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    side = (len(rows) + 2 * QR_BORDER) * module
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                left = x + (QR_BORDER + start) * module
                bottom = top - (QR_BORDER + r + 1) * module
                # A hair wider than a module so adjacent runs leave no seam when rendered.
                path.rect(left, bottom, (c - start) * module + 0.01, module + 0.01)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _overlay(
    sizes: list[tuple[float, float]],
    kind: str,
    version: str,
    reference: str,
    key: bytes,
    marks: bool,
) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=1)
    for index, (width, height) in enumerate(sizes, start=1):
        canvas.setPageSize((width, height))
        text = encode(PageCode(kind, version, reference, index, len(sizes)), key)
        if marks:  # a form: where registration expects it
            x, y, _ = qr_box(width, text)
            draw_qr(canvas, text, x, y)
        else:
            modules = segno.make_qr(text, error="m").symbol_size(scale=1, border=QR_BORDER)[0]
            draw_qr(canvas, text, DOC_LEFT, DOC_BOTTOM, min(DOC_MODULE, DOC_WIDTH / modules))
        if marks:
            canvas.setFillColor(black)
            for mx, my in mark_boxes(width, height):
                canvas.rect(mx, my, MARK_SIZE, MARK_SIZE, stroke=0, fill=1)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def stamp_pdf(
    pdf: bytes, kind: str, version: str, reference: str, key: bytes, *, marks: bool = False
) -> bytes:
    """Return ``pdf`` with a page code on every page (and the corner marks, for forms).

    A form's QR sits in its bottom-right corner, where registration looks for it; a
    document's (``marks`` false) in the bottom of its left margin. Form fields and the rest
    of the document are kept as they are.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in writer.pages]
    overlay = PdfReader(io.BytesIO(_overlay(sizes, kind, version, reference, key, marks)))
    for page, extra in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(extra)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_form(pdf: bytes, spec: FormSpec, reference: str, secret: str) -> bytes:
    """Return a form's PDF (blank or prefilled) with its page codes and corner marks."""
    return stamp_pdf(pdf, spec.id, spec.version, reference, page_key(secret), marks=True)
