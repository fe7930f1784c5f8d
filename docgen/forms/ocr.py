"""Read the fields of a registered page: text by Tesseract, boxes by their ink.

The page is a canonical raster (:data:`docgen.forms.identify.CANON_DPI`) where a field's
rectangle in PDF points is a fixed pixel box. Text-like fields are cut out, stacked into one
image per character set and read in one Tesseract run each (a run costs a process and a
model load: one per field would cost seconds a page); words go back to the field whose
strip they lie in. Every value comes with a confidence from 0 to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from docgen.forms.spec import FieldSpec

LANGS = "ron"
GAP = 40  # white pixels between stacked strips
# Fraction of dark pixels beyond which a box holds ink (a tick, a signature, a stamp).
INK_EMPTY = 0.004
CHECK_INK = 0.06
SIGN_INK = 0.01
DIGITS = "0123456789"
# Dates and numbers are read with digits and separators only (in one run together: a
# run's fixed cost is the model load); normalise.py then types them as AcroForm values.
NUMERIC = DIGITS + "./-,"
CHARSETS = {"date": NUMERIC, "integer": NUMERIC, "decimal": NUMERIC}
OCR_TIMEOUT = 20


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


def _stack(crops: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    width = max(c.shape[1] for c in crops) + 2 * GAP
    spans, rows = [], []
    y = GAP
    for crop in crops:
        height = crop.shape[0]
        row = np.full((height + GAP, width), 255, np.uint8)
        row[:height, GAP : GAP + crop.shape[1]] = crop
        rows.append(row)
        spans.append((y, y + height))
        y += height + GAP
    sheet = np.vstack([np.full((GAP, width), 255, np.uint8), *rows])
    return sheet, spans


def _tesseract(sheet: np.ndarray, charset: str | None, psm: int = 6) -> dict[str, list]:
    import pytesseract

    config = f"--psm {psm} -c preserve_interword_spaces=1"
    if charset:
        config += f" -c tessedit_char_whitelist={charset}"
    return pytesseract.image_to_data(
        sheet,
        lang=LANGS,
        config=config,
        output_type=pytesseract.Output.DICT,
        timeout=OCR_TIMEOUT,
    )


def read_strips(crops: list[np.ndarray], charset: str | None) -> list[tuple[str, float]]:
    """Return (text, confidence) for each crop, read in one Tesseract run."""
    if not crops:
        return []
    sheet, spans = _stack(crops)
    data = _tesseract(sheet, charset)
    words: list[list[tuple[int, int, int, str, float]]] = [[] for _ in crops]
    for i, text in enumerate(data["text"]):
        if not text.strip() or float(data["conf"][i]) < 0:
            continue
        top, height = data["top"][i], data["height"][i]
        middle = top + height / 2
        for index, (start, end) in enumerate(spans):
            if start - GAP / 2 <= middle < end + GAP / 2:
                words[index].append(
                    (top, data["left"][i], height, text, float(data["conf"][i]) / 100)
                )
                break
    results = [_join(found) for found in words]
    # Tesseract's page layout loses a lone short word (a "5" in a wide box) now and then:
    # such a box is read again on its own, as one line, and the surer reading kept.
    for index, (text, confidence) in enumerate(results):
        if len(text.strip()) <= 2:
            again = _read_alone(crops[index], charset)
            if again[0] and (not text or again[1] > confidence):
                results[index] = again
    return results


def _read_alone(crop: np.ndarray, charset: str | None) -> tuple[str, float]:
    """Read one box as one line: in black and white, then at half size (both help Tesseract
    with a single character that it misses in grey)."""
    _, binary = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    half = cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    for variant in (binary, half):
        sheet, _ = _stack([variant])
        data = _tesseract(sheet, charset, psm=7)
        found = [
            (data["top"][i], data["left"][i], data["height"][i], t, float(data["conf"][i]) / 100)
            for i, t in enumerate(data["text"])
            if t.strip() and float(data["conf"][i]) >= 0
        ]
        if found:
            return _join(found)
    return "", 0.0


def _join(words: list[tuple[int, int, int, str, float]]) -> tuple[str, float]:
    if not words:
        return "", 0.0
    # Lines: words whose middles are within half a word height of each other.
    words.sort(key=lambda w: w[0] + w[2] / 2)
    lines: list[list[tuple[int, int, int, str, float]]] = []
    for word in words:
        middle = word[0] + word[2] / 2
        if lines and abs(middle - (lines[-1][0][0] + lines[-1][0][2] / 2)) < word[2] / 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    text = "\n".join(" ".join(w[3] for w in sorted(line, key=lambda w: w[1])) for line in lines)
    return text, min(w[4] for w in words)


def read_fields(
    page: np.ndarray, fields: list[FieldSpec], height_pt: float, dpi: int
) -> dict[str, Read]:
    """Read every field of one page; blank boxes read as empty with full confidence."""
    found: dict[str, Read] = {}
    groups: dict[str | None, list[tuple[FieldSpec, np.ndarray, tuple]]] = {}
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
        charset = CHARSETS.get(field.type)
        groups.setdefault(charset, []).append((field, crop, box))
    for charset, members in groups.items():
        results = read_strips([crop for _, crop, _ in members], charset)
        for (field, _, box), (text, confidence) in zip(members, results, strict=True):
            if not field.multiline:
                text = " ".join(text.split())
            found[field.name] = Read(text, confidence, box)
    return found
