"""Identify scanned pages by their QR and put them back in place.

``find_code`` looks for docgen's page code on a page image (zxing-cpp, any rotation),
turns the page upright by the code's orientation, and ``register`` maps the page to the
form's geometry: a homography from the QR's corners, refined by the four corner marks when
they are found, then a warp onto a canonical raster where a field's rectangle in PDF points
is a fixed pixel box.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from docgen.forms.pagecode import (
    MARK_SIZE,
    QR_BORDER,
    QR_MODULE,
    CodeRefused,
    PageCode,
    decode,
    mark_boxes,
    qr_box,
)

CANON_DPI = 300
# How far (in points) a mark may be from where the QR says it is: a page rotated by 3 degrees
# moves the far corners by about 40 points from the QR's own estimate.
MARK_SEARCH = 45.0


@dataclass
class Found:
    """A page's code: ``code`` when it verifies, ``refused`` when it is a foreign one."""

    code: PageCode | None
    text: str
    corners: np.ndarray  # the QR symbol's corners in the upright image: TL, TR, BR, BL
    image: np.ndarray  # the page turned upright (multiples of 90 degrees)
    rotation: int  # degrees the page lay turned clockwise on the scan
    refused: str | None = None


def _points(position: zxingcpp.Position) -> np.ndarray:
    return np.array(
        [
            [position.top_left.x, position.top_left.y],
            [position.top_right.x, position.top_right.y],
            [position.bottom_right.x, position.bottom_right.y],
            [position.bottom_left.x, position.bottom_left.y],
        ],
        dtype=np.float32,
    )


def _upright(image: np.ndarray, orientation: int) -> tuple[np.ndarray, int]:
    """Turn ``image`` by the quarter turn that cancels a code's ``orientation``."""
    quarter = round(orientation / 90) % 4
    turns = {
        0: None,
        1: cv2.ROTATE_90_COUNTERCLOCKWISE,
        2: cv2.ROTATE_180,
        3: cv2.ROTATE_90_CLOCKWISE,
    }
    how = turns[quarter]
    return (image if how is None else cv2.rotate(image, how)), quarter * 90


def _read(image: np.ndarray) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def find_code(image: np.ndarray, key: bytes) -> Found | None:
    """Return the docgen page code on ``image`` (a verified or a refused one), or None."""
    barcodes = _read(image)
    if not barcodes:
        # A soft photo or a low-resolution scan: a sharpened copy often reads.
        blurred = cv2.GaussianBlur(image, (0, 0), 1.2)
        barcodes = _read(cv2.addWeighted(image, 1.8, blurred, -0.8, 0))
    refused: Found | None = None
    for barcode in barcodes:
        try:
            code = decode(barcode.text, key)
        except CodeRefused as exc:
            code, why = None, str(exc)
        else:
            if code is None:
                continue  # someone else's QR on the page (a stamp, a link)
            why = None
        upright, rotation = _upright(image, barcode.orientation)
        # Read again on the upright page so the corners are in its coordinates.
        corners = _points(barcode.position)
        if rotation:
            again = [b for b in _read(upright) if b.text == barcode.text]
            corners = (
                _points(again[0].position)
                if again
                else _rotate_points(corners, image.shape, rotation)
            )
        found = Found(code, barcode.text, corners, upright, rotation, why)
        if code is not None:
            return found
        refused = refused or found
    return refused


def _rotate_points(points: np.ndarray, shape: tuple[int, ...], rotation: int) -> np.ndarray:
    height, width = shape[:2]
    x, y = points[:, 0], points[:, 1]
    if rotation == 90:  # the page lay turned clockwise: turn the points back
        turned = np.stack([y, width - 1 - x], axis=1)
    elif rotation == 180:
        turned = np.stack([width - 1 - x, height - 1 - y], axis=1)
    else:
        turned = np.stack([height - 1 - y, x], axis=1)
    return turned.astype(np.float32)


def qr_corners_pt(text: str, page_width: float) -> np.ndarray:
    """Return the QR symbol's corners (TL, TR, BR, BL) in PDF points, as printed."""
    x, y, size = qr_box(page_width, text)
    inset = QR_BORDER * QR_MODULE
    left, right = x + inset, x + size - inset
    bottom, top = y + inset, y + size - inset
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], np.float32)


def _mark_centres_pt(width: float, height: float) -> np.ndarray:
    half = MARK_SIZE / 2
    return np.array([[x + half, y + half] for x, y in mark_boxes(width, height)], np.float32)


def _find_mark(image: np.ndarray, guess: np.ndarray, px_per_pt: float) -> np.ndarray | None:
    """Return the centre of the filled square nearest ``guess`` (pixels), or None."""
    radius = int(MARK_SEARCH * px_per_pt)
    height, width = image.shape[:2]
    gx, gy = int(guess[0]), int(guess[1])
    x0, y0 = max(0, gx - radius), max(0, gy - radius)
    x1, y1 = min(width, gx + radius), min(height, gy + radius)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    window = image[y0:y1, x0:x1]
    _, ink = cv2.threshold(window, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() > 200:  # all dark: a shadow or the scanner's lid, not a mark
        return None
    count, _, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    side = MARK_SIZE * px_per_pt
    best, best_distance = None, None
    for index in range(1, count):
        _, _, w, h, area = stats[index]
        if not (0.6 * side <= w <= 1.5 * side and 0.6 * side <= h <= 1.5 * side):
            continue
        if area < 0.75 * w * h:  # a filled square, not text or a frame
            continue
        centre = centres[index] + (x0, y0)
        distance = float(np.hypot(*(centre - guess)))
        if best_distance is None or distance < best_distance:
            best, best_distance = centre, distance
    return None if best is None else best.astype(np.float32)


def _to_canon(points_pt: np.ndarray, height_pt: float, dpi: int) -> np.ndarray:
    scale = dpi / 72
    return np.stack([points_pt[:, 0] * scale, (height_pt - points_pt[:, 1]) * scale], axis=1)


def register(
    found: Found,
    page_size: tuple[float, float],
    *,
    marks: bool,
    dpi: int = CANON_DPI,
) -> tuple[np.ndarray, int]:
    """Warp the page onto a canonical raster at ``dpi``; return it and the marks used."""
    width_pt, height_pt = page_size
    qr_pt = qr_corners_pt(found.text, width_pt)
    source = found.corners
    target = _to_canon(qr_pt, height_pt, dpi).astype(np.float32)
    # A small QR says little about perspective: start from rotation, scale and shift only.
    similar, _ = cv2.estimateAffinePartial2D(target, source, method=cv2.LMEDS)
    homography = np.vstack([similar, [0, 0, 1]])
    used = 0
    if marks:
        px_per_pt = float(np.linalg.norm(source[1] - source[0])) / float(qr_pt[1, 0] - qr_pt[0, 0])
        centres_pt = _mark_centres_pt(width_pt, height_pt)
        canon = _to_canon(centres_pt, height_pt, dpi).astype(np.float32)
        guesses = cv2.perspectiveTransform(canon.reshape(-1, 1, 2), homography).reshape(-1, 2)
        pairs = []
        for want, guess in zip(canon, guesses, strict=True):
            got = _find_mark(found.image, guess, px_per_pt)
            if got is not None:
                pairs.append((want, got))
        used = len(pairs)
        if used:
            wanted = np.array([p[0] for p in pairs] + list(target), np.float32)
            seen = np.array([p[1] for p in pairs] + list(source), np.float32)
            if used == 4:  # a photo: the full perspective, from the four corners
                refined, _ = cv2.findHomography(wanted, seen, 0)
            else:  # a page cut by the scanner: rotation, shear and scale from what is left
                affine, _ = cv2.estimateAffine2D(wanted, seen, method=cv2.LMEDS)
                refined = None if affine is None else np.vstack([affine, [0, 0, 1]])
            if refined is not None:
                homography = refined
    size = (round(width_pt * dpi / 72), round(height_pt * dpi / 72))
    canon_image = cv2.warpPerspective(
        found.image,
        homography,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return canon_image, used
