"""Make scans from our own PDFs, as a copier or a phone would: render, turn, blur, compress.

Used by the scan tests and by ``bench/scans.py``; every image starts from a real PDF rendered
by PDFium, so what is read back was really drawn.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image


def render(pdf: bytes, dpi: int) -> list[np.ndarray]:
    """Render every page of ``pdf`` in gray at ``dpi``, its form fields drawn."""
    document = pdfium.PdfDocument(pdf)
    document.init_forms()  # print the fields as they look, like a viewer printing the form
    pages = []
    for index in range(len(document)):
        bitmap = document[index].render(scale=dpi / 72, grayscale=True)
        pixels = bitmap.to_numpy()
        pages.append((pixels[:, :, 0] if pixels.ndim == 3 else pixels).copy())
    document.close()
    return pages


def rotate(image: np.ndarray, degrees: float, margin: int = 0) -> np.ndarray:
    """Turn the page counter-clockwise by ``degrees`` on a white bed ``margin`` px larger."""
    bed = cv2.copyMakeBorder(image, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255)
    centre = (bed.shape[1] / 2, bed.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)
    return cv2.warpAffine(
        bed, matrix, (bed.shape[1], bed.shape[0]), flags=cv2.INTER_LINEAR, borderValue=255
    )


def quarter(image: np.ndarray, degrees: int) -> np.ndarray:
    """Turn by 90, 180 or 270 degrees clockwise."""
    how = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, how[degrees])


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


def black_white(image: np.ndarray) -> np.ndarray:
    """A copier's 1-bit mode: a fixed threshold, no grey."""
    return np.where(image < 160, 0, 255).astype(np.uint8)


def noise(image: np.ndarray, amount: float, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noisy = image.astype(np.float32) + rng.normal(0, amount, image.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def photo(image: np.ndarray, seed: int = 3) -> np.ndarray:
    """A phone photo: the page in perspective on a darker desk, uneven light, a little blur."""
    height, width = image.shape
    rng = np.random.default_rng(seed)
    pad = int(0.12 * width)
    out_w, out_h = width + 2 * pad, height + 2 * pad
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    jitter = rng.uniform(-0.35, 0.35, (4, 2)) * pad
    target = np.float32(
        [[pad, pad], [pad + width, pad], [pad + width, pad + height], [pad, pad + height]]
    ) + jitter.astype(np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    page = cv2.warpPerspective(image, matrix, (out_w, out_h), borderValue=255)
    mask = cv2.warpPerspective(
        np.full_like(image, 255), matrix, (out_w, out_h), borderValue=0
    ).astype(bool)
    desk = np.full((out_h, out_w), 90, np.uint8)
    shot = np.where(mask, page, desk).astype(np.float32)
    # Light falling off from one corner to the other.
    ramp = np.linspace(1.0, 0.82, out_w)[None, :] * np.linspace(1.0, 0.9, out_h)[:, None]
    shot = np.clip(shot * ramp, 0, 255).astype(np.uint8)
    return noise(blur(shot, 0.8), 4, seed)


def tear_qr(image: np.ndarray, dpi: int) -> np.ndarray:
    """Tear off the page's bottom-right corner, QR and all (an upright page)."""
    torn = image.copy()
    scale = dpi / 72
    height, width = image.shape
    torn[int(height - 120 * scale) :, int(width - 130 * scale) :] = 255
    return torn


def scribble(image: np.ndarray, rect: tuple[float, float, float, float], dpi: int) -> np.ndarray:
    """Sign inside a field's rectangle (PDF points, upright page) with a pen-like stroke."""
    scale = dpi / 72
    height = image.shape[0]
    x0, y0, x1, y1 = rect
    xs = np.linspace(x0 + 15, x1 - 20, 60)
    ys = (y0 + y1) / 2 + 14 * np.sin(np.linspace(0, 9, 60))
    points = np.stack([xs * scale, height - ys * scale], axis=1).astype(np.int32)
    signed = image.copy()
    cv2.polylines(signed, [points], False, 30, thickness=max(2, int(1.2 * scale)))
    return signed


def png(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG")
    return out.getvalue()


def jpeg(image: np.ndarray, quality: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def tiff(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="TIFF", compression="tiff_deflate")
    return out.getvalue()


def heic(image: np.ndarray, quality: int = 80) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.fromarray(image).convert("RGB").save(out, format="HEIF", quality=quality)
    return out.getvalue()


def image_pdf(images: list[np.ndarray], dpi: int, quality: int = 80) -> bytes:
    """A copier's PDF: one JPEG image a page, nothing else."""
    pages = [Image.fromarray(i) for i in images]
    out = io.BytesIO()
    pages[0].save(
        out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi, quality=quality
    )
    return out.getvalue()
