"""Page images of a scan: decode a PDF of images, a JPEG, PNG, TIFF or HEIC into gray pages.

Every image is checked against a pixel limit from its header, before it is decoded, so a
small file that unpacks to gigabytes (a decompression bomb) is refused; PDF pages are
rendered by PDFium at a fixed resolution and the page count is capped.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageOps

from docgen.errors import DocgenError

HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"heif", b"avif")


class PageLimit(DocgenError):
    """The scan is beyond a limit (pixels, pages); ``code`` is a parse error code."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def sniff(data: bytes) -> str | None:
    """Return ``"pdf"``, ``"image"`` or None for what the bytes are (by content)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")):
        return "image"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "image"
    return None


def media_type(head: bytes) -> str:
    """Return the media type of a file from its first bytes (what an upload is served as)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return "application/pdf"


def _gray(image: Image.Image) -> np.ndarray:
    if image.mode not in {"L", "RGB"}:
        image = image.convert("RGB")
    return np.asarray(image.convert("L"))


def image_pages(data: bytes, max_pixels: int, max_pages: int) -> Iterator[np.ndarray]:
    """Yield the frames of an image file as gray arrays, upright by their EXIF tag."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    # Our own check comes first and is exact; Pillow's (twice its limit) stays as a guard.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > max_pages:
                raise PageLimit("too_complex", f"{frames} images, more than {max_pages}")
            for index in range(frames):
                image.seek(index)
                width, height = image.size
                if width * height > max_pixels:
                    raise PageLimit(
                        "too_complex",
                        f"image {index + 1} has {width}x{height} pixels, more than {max_pixels}",
                    )
                image.load()
                yield _gray(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError as exc:
        raise PageLimit("too_complex", f"the image has too many pixels ({exc})") from exc
    except PageLimit:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PageLimit("malformed", f"the image cannot be read ({str(exc)[:200]})") from exc


def pdf_pages(data: bytes, dpi: int, max_pixels: int, max_pages: int) -> Iterator[np.ndarray]:
    """Yield the pages of a PDF rendered in gray at ``dpi``."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PageLimit("malformed", f"the PDF cannot be rendered ({exc})") from exc
    try:
        for index in range(len(document)):
            # Checked as the pages come: a caller may stop after the first few.
            if index == max_pages:
                raise PageLimit("too_complex", f"{len(document)} pages, more than {max_pages}")
            page = document[index]
            try:
                width, height = page.get_size()
                scale = dpi / 72
                if width * height * scale * scale > max_pixels:
                    size = f"{width:.0f}x{height:.0f} pt"
                    raise PageLimit("too_complex", f"page {index + 1} is too large ({size})")
                bitmap = page.render(scale=scale, grayscale=True)
                try:
                    pixels = bitmap.to_numpy()
                    yield (pixels[:, :, 0] if pixels.ndim == 3 else pixels).copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
    finally:
        document.close()


def load_pages(data: bytes, *, dpi: int, max_pixels: int, max_pages: int) -> Iterator[np.ndarray]:
    """Yield every page of a scan, a PDF or an image file, as a gray array."""
    kind = sniff(data)
    if kind == "pdf":
        yield from pdf_pages(data, dpi, max_pixels, max_pages)
    elif kind == "image":
        yield from image_pages(data, max_pixels, max_pages)
    else:
        raise PageLimit("not_pdf", "the file is neither a PDF nor a JPEG, PNG, TIFF or HEIC image")


# A page is a scanned image when image objects cover at least this share of it (a copier's
# page is one image of the whole sheet; a logo or a photo in a typed letter is far less).
IMAGE_COVER = 0.6
MAX_OBJECTS = 64  # image objects looked at on a page (a hostile page may hold millions)


def pdf_image_pages(data: bytes, count: int) -> list[bool]:
    """Whether each of the first ``count`` pages of a PDF is covered by images (IMAGE_COVER),
    as a copier's or a scanner's page is; a blank or vector-only page is not."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    covered = []
    try:
        for index in range(min(count, len(document))):
            page = document[index]
            try:
                width, height = page.get_size()
                area = 0.0
                for number, obj in enumerate(
                    page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
                ):
                    if number == MAX_OBJECTS:
                        break
                    left, bottom, right, top = obj.get_bounds()
                    w = min(right, width) - max(left, 0.0)
                    h = min(top, height) - max(bottom, 0.0)
                    if w > 0 and h > 0:
                        area += w * h
                covered.append(width * height > 0 and area >= IMAGE_COVER * width * height)
            finally:
                page.close()
    except pdfium.PdfiumError:
        return covered
    finally:
        document.close()
    return covered


# A rendered page has ink when this share of its pixels is dark: a form, a letter or a
# signed page has far more; a blank sheet through a copier (specks, a shadow) has less.
INK = 0.005


def has_ink(image: np.ndarray) -> bool:
    """Whether a gray page image carries ink (see INK), not a blank sheet."""
    return bool(image.size) and float(np.count_nonzero(image < 128)) >= INK * image.size
