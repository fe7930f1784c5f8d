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
# How far (in points) a mark may be from where the QR says it is: a phone photo in perspective
# puts the far corners 60 points or more from the estimate of a QR that small.
MARK_SEARCH = 90.0


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


def _mark_candidates(image: np.ndarray, px_per_pt: float) -> np.ndarray:
    """Return the centres (pixels) of every filled square of a mark's size with paper around
    it: dark against its surroundings, so a photo's uneven light does not matter."""
    side = MARK_SIZE * px_per_pt
    background = cv2.blur(image, (int(side * 4) | 1, int(side * 4) | 1))
    ink = cv2.compare(image, cv2.convertScaleAbs(background, alpha=0.55), cv2.CMP_LT)
    _, labels, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = image.shape[:2]
    x, y, w, h, area = (stats[1:, i].astype(np.int64) for i in range(5))
    # Squares of a mark's size, filled (not a letter), not cut by the image's edge (the
    # centre would be wrong): checked on every component at once, a page has thousands.
    keep = (
        (w >= 0.6 * side)
        & (w <= 1.5 * side)
        & (h >= 0.6 * side)
        & (h <= 1.5 * side)
        & (area >= 0.8 * w * h)
        & (w >= 0.7 * h)
        & (w <= 1.4 * h)
        & (x > 0)
        & (y > 0)
        & (x + w < width)
        & (y + h < height)
    )
    found = []
    pad = int(side / 2)
    for index in np.flatnonzero(keep) + 1:
        x0, y0, w0, h0 = (int(v) for v in stats[index, :4])
        around = (slice(max(0, y0 - pad), y0 + h0 + pad), slice(max(0, x0 - pad), x0 + w0 + pad))
        ring, own = ink[around], labels[around] == index
        if ring[~own].mean() > 0.05 * 255:  # paper all around, not a piece of the desk
            continue
        found.append(centres[index])
    return np.array(found, np.float32).reshape(-1, 2)


def _to_canon(points_pt: np.ndarray, height_pt: float, dpi: int) -> np.ndarray:
    scale = dpi / 72
    return np.stack([points_pt[:, 0] * scale, (height_pt - points_pt[:, 1]) * scale], axis=1)


def _fit(wanted: np.ndarray, seen: np.ndarray, marks: int) -> np.ndarray | None:
    """Return the page-to-image map that the points allow: more points, more freedom."""
    if marks == 4:  # a photo: the full perspective, from the four corners
        homography, _ = cv2.findHomography(wanted, seen, 0)
        return homography
    if marks >= 2:  # rotation, shear and scale from what the scanner left
        affine, _ = cv2.estimateAffine2D(wanted, seen, method=cv2.LMEDS)
    else:
        affine, _ = cv2.estimateAffinePartial2D(wanted, seen, method=cv2.LMEDS)
    return None if affine is None else np.vstack([affine, [0, 0, 1]])


def _refine_by_marks(
    found: Found,
    homography: np.ndarray,
    qr_pt: np.ndarray,
    target: np.ndarray,
    page_size: tuple[float, float],
    dpi: int,
) -> tuple[np.ndarray, int]:
    """Find the corner marks, nearest to the QR first, refining the map after each one.

    Of the squares near where a mark should be, the one furthest out towards its corner is
    taken: nothing is printed beyond the marks, while a bold title may sit near one.
    """
    width_pt, height_pt = page_size
    source = found.corners
    px_per_pt = float(np.linalg.norm(source[1] - source[0])) / float(qr_pt[1, 0] - qr_pt[0, 0])
    candidates = _mark_candidates(found.image, px_per_pt)
    if not len(candidates):
        return homography, 0
    canon = _to_canon(_mark_centres_pt(width_pt, height_pt), height_pt, dpi).astype(np.float32)
    outwards = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32)  # TL TR BR BL
    qr_centre = target.mean(axis=0)
    order = sorted(range(4), key=lambda i: float(np.linalg.norm(canon[i] - qr_centre)))
    radius = MARK_SEARCH * dpi / 72
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    for index in order:
        inverse = np.linalg.inv(homography)
        on_page = cv2.perspectiveTransform(candidates.reshape(-1, 1, 2), inverse).reshape(-1, 2)
        near = np.linalg.norm(on_page - canon[index], axis=1) <= radius
        if not near.any():
            continue
        reach = on_page[near] @ outwards[index]
        got = candidates[near][int(np.argmax(reach))]
        pairs.append((canon[index], got))
        wanted = np.array([p[0] for p in pairs] + list(target), np.float32)
        seen = np.array([p[1] for p in pairs] + list(source), np.float32)
        refined = _fit(wanted, seen, len(pairs))
        if refined is not None:
            homography = refined
    return homography, len(pairs)


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
        homography, used = _refine_by_marks(found, homography, qr_pt, target, page_size, dpi)
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
