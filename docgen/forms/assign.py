"""Pages without a readable page code: their image, and their reading once staff say which
form they are.

A scanned page whose QR is torn off, smudged or cut by the copier cannot be identified, so
it becomes an ``unidentified`` record (see :mod:`docgen.operations.unidentified`) that
keeps :func:`page_png`, a bounded PNG of the page encoded here in the parser's worker
(never the uploaded bytes). When a person assigns the page to a form,
:func:`read_assigned` reads the page again from the original file, in the worker too: it
registers the page by the form's four corner marks alone (no QR needed) and reads the
fields with the same reader and checks as an identified page
(:func:`docgen.forms.scan._record`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np

from docgen.forms.identify import CANON_DPI, _mark_candidates, _mark_centres_pt, _to_canon
from docgen.forms.ocr import read_fields
from docgen.forms.pagecode import PageCode
from docgen.forms.pages import load_pages
from docgen.forms.spec import FormSpec

A4 = (595.2756, 841.8898)
# The page image shown to staff: at most A4 at 150 dpi on its long side and 1.5 MB encoded
# (a noisy photo is scaled down further until it fits).
MAX_SIDE = 1754
MAX_PNG = 1_500_000
# All the page images of one scan's answer together (base64): past it, each further page is
# kept smaller, so 60 torn pages do not swell the worker's answer past its memory.
MAX_IMAGES = 24_000_000
MIN_PNG = 150_000
# How much of the image the page may fill: a copier's page fills it, a phone photo shows
# the desk around the page.
FILLS = (1.0, 0.85, 0.7, 0.55)


def page_png(image: np.ndarray, used: int = 0) -> str:
    """The page as a base64 gray PNG within MAX_SIDE pixels and MAX_PNG bytes, less when the
    scan's images so far (``used`` base64 characters) near MAX_IMAGES ("" if it cannot be
    made that small)."""
    limit = max(MIN_PNG, min(MAX_PNG, (MAX_IMAGES - used) * 3 // 4))
    scale = min(1.0, MAX_SIDE / max(image.shape[:2]))
    while scale >= 0.1:
        small = (
            image
            if scale >= 1.0
            else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        )
        ok, png = cv2.imencode(".png", small, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        if not ok:
            return ""
        if len(png) <= limit:
            return base64.b64encode(png.tobytes()).decode("ascii")
        scale *= 0.7
    return ""


def _corner_marks(
    image: np.ndarray, page_size: tuple[float, float]
) -> tuple[list[int], np.ndarray] | None:
    """The corner marks found in the image: which (0-3: TL, TR, BR, BL) and their centres.

    At least three are needed (a torn corner takes its mark with the QR). Of four, one that
    three others do not agree with (a dot where the corner was torn) is left out.
    """
    height, width = image.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    canon = _mark_centres_pt(*page_size)
    for fill in FILLS:
        px_per_pt = fill * min(width / page_size[0], height / page_size[1])
        candidates = _mark_candidates(image, px_per_pt)
        if len(candidates) < 3:
            continue
        reach = 0.3 * min(width, height)
        which, seen = [], []
        for index, corner in enumerate(corners):
            distance = np.linalg.norm(candidates - corner, axis=1)
            nearest = int(np.argmin(distance))
            if distance[nearest] <= reach:
                which.append(index)
                seen.append(candidates[nearest])
        if len(which) == 4:
            which, seen = _agreeing(canon, np.array(seen, np.float32), px_per_pt)
        if len(which) >= 3 and _plausible(canon[which], np.array(seen, np.float32)):
            return which, np.array(seen, np.float32)
    return None


def _agreeing(
    canon: np.ndarray, seen: np.ndarray, px_per_pt: float
) -> tuple[list[int], list[np.ndarray]]:
    """Four marks, or the three that agree when one is off (by more than a phone's
    perspective moves a corner)."""
    errors = []
    for out in range(4):
        keep = [i for i in range(4) if i != out]
        affine = cv2.getAffineTransform(canon[keep], seen[keep])
        guess = affine @ np.array([canon[out][0], canon[out][1], 1.0])
        errors.append(float(np.linalg.norm(guess - seen[out])))
    if max(errors) <= 0.12 * page_width_pt(canon) * px_per_pt:
        return [0, 1, 2, 3], list(seen)
    out = int(np.argmax(errors))
    keep = [i for i in range(4) if i != out]
    return keep, [seen[i] for i in keep]


def page_width_pt(canon: np.ndarray) -> float:
    return float(canon[1][0] - canon[0][0])


def _plausible(canon: np.ndarray, seen: np.ndarray) -> bool:
    """Whether the marks seen are laid out as printed: a page's proportions, not specks."""
    ratios = [
        float(np.linalg.norm(seen[i] - seen[j]) / np.linalg.norm(canon[i] - canon[j]))
        for i in range(len(seen))
        for j in range(i + 1, len(seen))
    ]
    return min(ratios) > 0 and max(ratios) / min(ratios) < 1.3


def register_by_marks(
    image: np.ndarray, page_size: tuple[float, float] = A4, dpi: int = CANON_DPI
) -> np.ndarray | None:
    """Warp an upright page onto the canonical raster by its corner marks, or None."""
    found = _corner_marks(image, page_size)
    if found is None:
        return None
    which, seen = found
    width_pt, height_pt = page_size
    centres = _to_canon(_mark_centres_pt(width_pt, height_pt), height_pt, dpi).astype(np.float32)
    wanted = centres[which]
    if len(which) == 4:
        homography = cv2.getPerspectiveTransform(wanted, seen)
    else:
        homography = np.vstack([cv2.getAffineTransform(wanted, seen), [0, 0, 1]])
    size = (round(width_pt * dpi / 72), round(height_pt * dpi / 72))
    return cv2.warpPerspective(
        image,
        homography,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


_TURNS = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


def _readings(image: np.ndarray, spec: FormSpec, page: int) -> list[tuple[float, int, Any]]:
    """Read the page in each orientation it may lie in, each with its score."""
    portrait = image.shape[0] >= image.shape[1]
    fields = [f for f in spec.fields if f.page == page]
    texts = [f for f in fields if f.type not in {"checkbox", "signature"}] or fields
    out = []
    for rotation in (0, 180) if portrait else (90, 270):
        upright = image if rotation == 0 else cv2.rotate(image, _TURNS[rotation])
        canon = register_by_marks(upright)
        if canon is None:
            continue
        reads = read_fields(canon, fields, A4[1], CANON_DPI)
        # A blank box reads as empty with full confidence: what counts is text read surely
        # (upside down, the boxes hold nothing legible).
        score = sum(reads[f.name].confidence for f in texts if reads[f.name].raw)
        out.append((score, rotation, (canon, reads)))
    return out


def read_assigned(
    data: bytes,
    spec: FormSpec,
    specs: Mapping[str, FormSpec],
    *,
    reference: str,
    index: int,
    page: int,
    dpi: int,
    max_pixels: int,
    max_pages: int,
) -> dict[str, Any]:
    """Read page ``index`` (1-based) of a scan as page ``page`` of ``spec``: the record, as
    an identified page's, or ``{"error": {"code", "message"}}``."""
    from docgen.forms.pages import PageLimit
    from docgen.forms.scan import _record, crop_png

    image = None
    try:
        for number, pixels in enumerate(
            load_pages(data, dpi=dpi, max_pixels=max_pixels, max_pages=max_pages), start=1
        ):
            if number == index:
                image = pixels
                break
    except PageLimit as exc:
        return {"error": {"code": exc.code, "message": exc.detail}}
    if image is None:
        return {"error": {"code": "unreadable", "message": f"the file has no page {index}"}}
    readings = _readings(image, spec, page)
    if not readings:
        return {
            "error": {
                "code": "unreadable",
                "message": f"the four corner marks of {spec.id} were not found on the page",
            }
        }
    _score, rotation, (canon, reads) = max(readings, key=lambda r: r[0])
    code = PageCode(spec.id, spec.version, reference, page, spec.pages)
    document: dict[str, Any] = {"code": code, "pages": [], "reads": {}, "crops": {}}
    for name, read in reads.items():
        document["reads"][name] = (read, page)
        document["crops"][name] = crop_png(canon, read.box)
    document["pages"].append({"index": index, "page": page, "rotation": rotation, "marks": 4})
    record = _record(document, specs)
    record["assigned"] = True
    return record
