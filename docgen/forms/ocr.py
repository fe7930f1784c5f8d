"""Read the fields of a registered page: text by Tesseract, boxes by their ink.

The page is a canonical raster (:data:`docgen.forms.identify.CANON_DPI`) where a field's
rectangle in PDF points is a fixed pixel box. Each text-like box is cut out, what is left
of its frame whitened, narrowed to its text and read by a warm Tesseract (tesserocr: the
model loads once a process, :func:`warm` at a worker's start, so a box costs only its
recognition, tens of milliseconds): one line (PSM 7) or a block for a multiline box, the
LSTM engine only, dates and numbers with their characters only. Every value comes with a
confidence from 0 to 1: Tesseract's lowest word confidence, at most
:data:`AMBIGUOUS_CONFIDENCE` for a code whose O/0 or I/l/1 only the font's shape tells.
"""

from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from docgen.forms.spec import FieldSpec

LANGS = "ron"
GAP = 40  # white pixels around a box: Tesseract reads text with paper around it best
# Fraction of dark pixels beyond which a box holds ink (a tick, a signature, a stamp).
INK_EMPTY = 0.004
CHECK_INK = 0.06
SIGN_INK = 0.01
DIGITS = "0123456789"
# Dates and numbers are read with digits and separators only (in one run together: a
# run's fixed cost is the model load); normalise.py then types them as AcroForm values.
NUMERIC = DIGITS + "./-,"
CHARSETS = {"date": NUMERIC, "integer": NUMERIC, "decimal": NUMERIC}
PSM_BLOCK = 6  # a multiline box: one block of text
PSM_LINE = 7  # any other box: one line
CANON_DPI = 300  # the registered page's resolution (identify.CANON_DPI)
_APIS: dict[str | None, Any] = {}  # one warm Tesseract a character set, per process


@dataclass
class Read:
    """What one field's box says: its raw text (or tick), confidence, and pixel box."""

    raw: str | bool
    confidence: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 on the canonical page


def field_box(
    field: FieldSpec, height_pt: float, dpi: int, inset: float
) -> tuple[int, int, int, int]:
    scale = dpi / 72
    x0, y0, x1, y1 = field.rect
    return (
        round((x0 + inset) * scale),
        round((height_pt - y1 + inset) * scale),
        round((x1 - inset) * scale),
        round((height_pt - y0 - inset) * scale),
    )


def _ink(image: np.ndarray) -> np.ndarray:
    """Return a boolean mask of ink: dark against the paper around it (a photo's paper is
    grey, a copier's white), after a light denoise."""
    blurred = cv2.GaussianBlur(image, (3, 3), 0)
    paper = float(np.percentile(blurred, 90)) if blurred.size else 255.0
    return blurred < min(150.0, 0.6 * paper)


def _ink_ratio(image: np.ndarray) -> float:
    return float(_ink(image).mean()) if image.size else 0.0


def _clean(crop: np.ndarray) -> np.ndarray:
    """Whiten the box's frame lines left at the crop's edges (a scan is never exact)."""
    crop = crop.copy()
    ink = _ink(crop)
    height, width = crop.shape
    edge = max(2, height // 6)
    for rows in (slice(0, edge), slice(height - edge, height)):
        for r in range(rows.start, rows.stop):
            if ink[r].mean() > 0.6:
                crop[r] = 255
    for cols in (slice(0, edge), slice(width - edge, width)):
        for c in range(cols.start, cols.stop):
            if ink[:, c].mean() > 0.6:
                crop[:, c] = 255
    return crop


def _text_only(crop: np.ndarray) -> np.ndarray | None:
    """Return the part of a box that holds its text, the rest of the frame whitened.

    What is left of the box's frame after :func:`_clean` (a photo's perspective bends it
    into the crop) touches the crop's edge; the text does not (the box is cut inside its
    frame). Those pieces are whitened, Tesseract reads no stray "1" or "." from them, and
    the crop shrinks to the text with a margin: a smaller image is also a faster read.
    """
    ink = _ink(crop).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = crop.shape
    x, y, w, h = (stats[1:, i] for i in range(4))
    edge = (x == 0) | (y == 0) | (x + w >= width) | (y + h >= height)
    if edge.all():
        return None
    crop = crop.copy()
    if edge.any():
        crop[np.isin(labels, np.flatnonzero(edge) + 1)] = 255
    keep = ~edge
    pad = max(4, height // 5)
    x0 = max(0, int(x[keep].min()) - pad)
    x1 = min(width, int((x + w)[keep].max()) + pad)
    return crop[:, x0:x1]


def tessdata() -> str:
    """Where the models are: TESSDATA_PREFIX, else the system's (apt installs
    tesseract-ocr-ron into /usr/share/tesseract-ocr/<version>/tessdata), the newest first."""
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    found = sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata/ron.traineddata"), reverse=True)
    found += glob.glob("/usr/local/share/tessdata/ron.traineddata")
    found += glob.glob("/usr/share/tessdata/ron.traineddata")
    return os.path.dirname(found[0]) + "/" if found else "./"


def _api(charset: str | None) -> Any:
    """Return this process's warm Tesseract for ``charset`` (the model loads once)."""
    api = _APIS.get(charset)
    if api is None:
        import tesserocr

        api = tesserocr.PyTessBaseAPI(
            path=tessdata(), lang=LANGS, oem=tesserocr.OEM.LSTM_ONLY, psm=tesserocr.PSM.SINGLE_LINE
        )
        if charset:
            api.SetVariable("tessedit_char_whitelist", charset)
        _APIS[charset] = api
    return api


def warm() -> None:
    """Load the models now (a worker's start), not in its first scan. Without them (no
    tesseract-ocr-ron on the machine) the worker still reads PDFs; a scan then fails alone."""
    try:
        for charset in {None, *CHARSETS.values()}:
            _api(charset)
    except (ImportError, RuntimeError) as exc:
        logging.getLogger(__name__).warning("Tesseract is not ready: %s", exc)


# Glyphs the forms' font draws (almost) alike: in a token mixing letters and digits (a code
# such as "RO SUCEAVA01") nothing but the shape tells them apart, and Tesseract is sure of
# either reading. Such a token is read with at most AMBIGUOUS_CONFIDENCE: flagged.
AMBIGUOUS = frozenset("O0Il1|")
AMBIGUOUS_CONFIDENCE = 0.5


def ambiguous(text: str) -> bool:
    """Whether a word of ``text`` mixes letters and digits and holds O/0 or I/l/1."""
    for word in text.split():
        letters = any(c.isalpha() for c in word)
        digits = any(c.isdigit() for c in word)
        if letters and digits and any(c in AMBIGUOUS for c in word):
            return True
    return False


def _tesseract(crop: np.ndarray, charset: str | None, psm: int) -> tuple[str, float]:
    """Read one padded box: its text (lines kept) and the lowest word confidence."""
    sheet = cv2.copyMakeBorder(crop, GAP, GAP, GAP, GAP, cv2.BORDER_CONSTANT, value=255)
    api = _api(charset)
    api.SetPageSegMode(psm)
    api.SetImageBytes(sheet.tobytes(), sheet.shape[1], sheet.shape[0], 1, sheet.shape[1])
    api.SetSourceResolution(CANON_DPI)
    text = api.GetUTF8Text()
    confidences = [c for c in api.AllWordConfidences() if c >= 0]
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(line for line in lines if line)
    if not text or not confidences:
        return "", 0.0
    confidence = min(confidences) / 100
    if charset is None and ambiguous(text):
        confidence = min(confidence, AMBIGUOUS_CONFIDENCE)
    return text, confidence


def read_box(crop: np.ndarray, charset: str | None, multiline: bool) -> tuple[str, float]:
    """Return (text, confidence) for one field's box: a line, or a block of lines."""
    result = _tesseract(crop, charset, PSM_BLOCK if multiline else PSM_LINE)
    # A lone short word (a "5" in a wide box) is missed now and then: read it again in black
    # and white, then at half size (both help with a single character), keep the surer.
    if len(result[0].strip()) <= 2:
        again = _read_alone(crop, charset)
        if again[0] and (not result[0] or again[1] > result[1]):
            result = again
    return result


def _read_alone(crop: np.ndarray, charset: str | None) -> tuple[str, float]:
    _, binary = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    half = cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    for variant in (binary, half):
        found = _tesseract(variant, charset, PSM_LINE)
        if found[0]:
            return found
    return "", 0.0


def read_fields(
    page: np.ndarray, fields: list[FieldSpec], height_pt: float, dpi: int
) -> dict[str, Read]:
    """Read every field of one page; blank boxes read as empty with full confidence."""
    found: dict[str, Read] = {}
    for field in fields:
        if field.type in {"checkbox", "signature"}:
            inset = 2.5 if field.type == "signature" else 0.22 * (field.rect[2] - field.rect[0])
            box = field_box(field, height_pt, dpi, inset)
            ratio = _ink_ratio(page[box[1] : box[3], box[0] : box[2]])
            edge = CHECK_INK if field.type == "checkbox" else SIGN_INK
            # Confidence grows with the distance from the threshold, in either direction.
            margin = abs(ratio - edge) / edge
            found[field.name] = Read(ratio >= edge, min(1.0, 0.5 + margin), box)
            continue
        box = field_box(field, height_pt, dpi, 1.2)
        crop = _clean(page[box[1] : box[3], box[0] : box[2]])
        if _ink_ratio(crop) < INK_EMPTY:
            found[field.name] = Read("", 1.0, box)
            continue
        crop = _text_only(crop)
        if crop is None:
            found[field.name] = Read("", 1.0, box)
            continue
        text, confidence = read_box(crop, CHARSETS.get(field.type), bool(field.multiline))
        if not field.multiline:
            text = " ".join(text.split())
        found[field.name] = Read(text, confidence, box)
    return found
