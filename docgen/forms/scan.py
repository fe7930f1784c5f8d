"""Read a scan (a PDF of images, a photo) into records: identify, register, read, validate.

Pages are identified by their QR, in any order and rotation, and grouped into documents by
form, version and reference; each page of a known form is registered and its fields read
(:mod:`docgen.forms.ocr`), then typed and checked exactly as AcroForm values are
(:func:`docgen.forms.validate.validate`). A field read with a confidence below
:data:`CONFIDENCE` is flagged for review; a page without a code (or with another
instance's code) is listed as unidentified.

The answer is the record of the first document, with ``"documents"`` (every document's
record, the first included) and ``"unidentified"`` (pages, 1-based, with the reason; a
page without a code also carries ``"image"``, a bounded base64 PNG of the page, from which
staff assign it by hand: docgen.forms.assign).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import cv2

from docgen.errors import DocgenError
from docgen.forms.assign import page_png
from docgen.forms.identify import CANON_DPI, find_code, register
from docgen.forms.normalise import TURKISH
from docgen.forms.ocr import read_fields
from docgen.forms.pages import PageLimit, has_ink, load_pages, pdf_image_pages
from docgen.forms.spec import FieldSpec, FormSpec
from docgen.forms.validate import issue, validate

CONFIDENCE = 0.80
A4 = (595.2756, 841.8898)
# OCR cannot tell ş from ș nor ţ from ț (the cedilla and the comma below are a few pixels
# apart and fonts draw them alike). On a `lang: foreign` field, where a typed cedilla is
# kept as written, a scan's reading of one of them is therefore unsure: see _foreign_letters.
_COMMA = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})
_CEDILLA = str.maketrans({"ș": "ş", "Ș": "Ş", "ț": "ţ", "Ț": "Ţ"})
UNSURE_LETTERS = frozenset("şșţțŞȘŢȚ")


def _foreign_letters(field: FieldSpec, raw: object) -> tuple[object, bool]:
    """Return a foreign text field's reading with one spelling of ş/ș ţ/ț, and whether the
    letter is unsure (the field is then flagged for review, whatever the confidence).

    The spelling proposed is the cedilla when the value has a Turkish letter (ç ğ ı ö ü:
    a Turkish or Azerbaijani name), else the comma below (a Romanian name or institution,
    the common case on this office's forms); a person confirms it or types the other one.
    Romanian (`lang: ro`) and unmarked fields are normalised by validate() as usual.
    """
    if field.type != "text" or field.lang != "foreign" or not isinstance(raw, str):
        return raw, False
    if not any(c in UNSURE_LETTERS for c in raw):
        return raw, False
    turkish = any(c in TURKISH for c in raw)
    return raw.translate(_CEDILLA if turkish else _COMMA), True


def crop_png(page: Any, box: tuple[int, int, int, int]) -> str:
    """A field's box cut from the registered page, as a base64 gray PNG at half the canonical
    resolution (150 dpi: legible beside the value, a few KiB): what the reviewer compares."""
    x0, y0, x1, y1 = box
    pad = 6
    crop = page[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
    crop = cv2.resize(crop, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", crop, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    return base64.b64encode(png.tobytes()).decode("ascii") if ok else ""


def _page_entry(index: int, found: Any, marks: int | None) -> dict[str, Any]:
    return {
        "index": index,
        "page": found.code.page,
        "rotation": found.rotation,
        "marks": marks,
    }


def read_scan(
    data: bytes,
    specs: Mapping[str, FormSpec],
    key: bytes,
    *,
    dpi: int,
    max_pixels: int,
    max_pages: int,
    probe: int | None = None,
) -> dict[str, Any] | None:
    """Return the scan's answer (see the module's docstring); raise PageLimit past a limit.

    With ``probe`` (a PDF), a file whose first ``probe`` pages carry no docgen code at all
    is not read further: None (a PDF of someone else's images is not worth minutes of
    reading), unless every page is a scanned image (covered by an image, with ink): a file
    of at most ``probe`` such pages is answered with each page unidentified (a copier's
    scan of a form whose code is torn off, assigned by hand); a longer one raises
    :class:`NotRead`.
    """
    documents: dict[tuple[str, str, str], dict[str, Any]] = {}
    unidentified: list[dict[str, Any]] = []
    count = 0
    covered = pdf_image_pages(data, probe) if probe else []
    inked: list[bool] = []
    pages = load_pages(data, dpi=dpi, max_pixels=max_pixels, max_pages=max_pages)
    try:
        for index, image in enumerate(pages, start=1):
            count = index
            if probe and index > probe and not _ours(documents, unidentified):
                if _scanned(covered, inked, probe):
                    raise NotRead(
                        f"the PDF's first {probe} pages are scanned images without a page "
                        f"code: a file of more than {probe} such pages is not read as a "
                        "scan; split it, or upload the pages that carry their codes"
                    )
                return None
            if probe and not _ours(documents, unidentified):
                inked.append(has_ink(image))
            _read_page(image, index, specs, key, documents, unidentified)
    except PageLimit:
        if probe and not _ours(documents, unidentified):
            return None  # not one of ours: what it is beyond our limits is not our error
        raise
    if probe and not _ours(documents, unidentified) and not _scanned(covered, inked, count):
        return None
    return _answer(documents, unidentified, specs, count)


class NotRead(DocgenError):
    """A PDF of scanned images without a page code, longer than the probe: not read."""


def _scanned(covered: list[bool], inked: list[bool], count: int) -> bool:
    """Whether each of the first ``count`` pages is a scanned image (covered, with ink)."""
    return 0 < count == len(inked) <= len(covered) and all(covered[:count]) and all(inked)


def _read_page(
    image: Any,
    index: int,
    specs: Mapping[str, FormSpec],
    key: bytes,
    documents: dict[tuple[str, str, str], dict[str, Any]],
    unidentified: list[dict[str, Any]],
) -> None:
    """Identify one page and read its fields into ``documents`` (or list it unidentified)."""
    found = find_code(image, key)
    if found is None:
        # No code at all: staff assign the page by hand, from its image (docgen.forms.assign).
        used = sum(len(u.get("image", "")) for u in unidentified)
        unidentified.append({"index": index, "reason": "no_code", "image": page_png(image, used)})
        return
    if found.code is None:  # a forged or foreign code: refused, not assignable
        unidentified.append({"index": index, "reason": "foreign_code"})
        return
    code = found.code
    document = documents.setdefault(
        (code.kind, code.version, code.reference),
        {"code": code, "pages": [], "reads": {}, "crops": {}},
    )
    spec = specs.get(code.kind)
    marks = None
    if spec is not None and code.page <= spec.pages:
        canon, marks = register(found, A4, marks=True)
        fields = [f for f in spec.fields if f.page == code.page]
        for name, read in read_fields(canon, fields, A4[1], CANON_DPI).items():
            document["reads"][name] = (read, code.page)
            document["crops"][name] = crop_png(canon, read.box)
    document["pages"].append(_page_entry(index, found, marks))


def _answer(
    documents: dict[tuple[str, str, str], dict[str, Any]],
    unidentified: list[dict[str, Any]],
    specs: Mapping[str, FormSpec],
    count: int,
) -> dict[str, Any]:
    records = [_record(doc, specs) for doc in documents.values()]
    if records:
        answer = dict(records[0])
    else:
        answer = {
            "form": None,
            "version": None,
            "status": "unrecognized",
            "method": "scan",
            "reference": None,
            "values": {},
            "issues": [issue("", "unidentified", "no page carries a code of this instance")],
            "signatures": [],
            "fields": {},
            "pages": [],
        }
    answer["documents"] = records
    answer["unidentified"] = unidentified
    answer["scan_pages"] = count
    return answer


def _ours(documents: Mapping[Any, Any], unidentified: list[dict[str, Any]]) -> bool:
    """Whether a page so far carries a docgen code (ours, or another instance's)."""
    return bool(documents) or any(u["reason"] == "foreign_code" for u in unidentified)


def _record(document: dict[str, Any], specs: Mapping[str, FormSpec]) -> dict[str, Any]:
    code = document["code"]
    pages = sorted(document["pages"], key=lambda p: p["page"])
    base = {
        "form": code.kind,
        "version": code.version,
        "method": "scan",
        "reference": code.reference or None,
        "pages": pages,
    }
    spec = specs.get(code.kind)
    if spec is None:
        # A generated document (a contract, a certificate) or a form of another version of
        # the specs: identified, with nothing to read.
        return {
            **base,
            "status": "unrecognized",
            "values": {},
            "issues": [issue("", "unknown_form", f"no spec for form {code.kind!r}")],
            "signatures": [],
            "fields": {},
        }
    reads = document["reads"]
    raw: dict[str, Any] = {}
    unsure: set[str] = set()
    for field in spec.fields:
        if field.name in reads:
            raw[field.name], doubt = _foreign_letters(field, reads[field.name][0].raw)
            if doubt:
                unsure.add(field.name)
    values, issues = validate(spec, raw)
    seen = {p["page"] for p in pages}
    for number in range(1, spec.pages + 1):
        if number not in seen:
            issues.append(issue("", "page_missing", f"page {number} of {spec.pages} is missing"))
    if code.version != spec.version:
        issues.insert(
            0,
            issue(
                "",
                "version_mismatch",
                f"the scan is version {code.version} of the form, read with {spec.version}",
            ),
        )
    fields: dict[str, Any] = {}
    signatures = []
    for field in spec.fields:
        if field.name not in reads:
            continue
        read, page = reads[field.name]
        confidence = round(read.confidence, 3)
        fields[field.name] = {
            "read": read.raw,
            "confidence": confidence,
            "page": page,
            "box": list(read.box),
            "flagged": confidence < CONFIDENCE or field.name in unsure,
        }
        if field.name in unsure:
            issues.append(
                issue(
                    field.name,
                    "letter_unsure",
                    f"{field.label.en}: a scan cannot tell ş from ș nor ţ from ț, check it",
                )
            )
        elif confidence < CONFIDENCE:
            issues.append(
                issue(
                    field.name,
                    "low_confidence",
                    f"{field.label.en}: read with confidence {confidence:.2f}, check it",
                )
            )
        if field.type == "signature":
            signatures.append({"field": field.name, "signed": bool(read.raw), "digital": False})
            if not read.raw:
                issues.append(
                    issue(field.name, "signature_missing", f"{field.label.en}: no ink in the box")
                )
    return {
        **base,
        "status": "needs_review" if issues else "valid",
        "values": values,
        "issues": issues,
        "signatures": signatures,
        "fields": fields,
        # Each read field's box as a base64 PNG: the web layer stores them as images for the
        # review (the CLI leaves them out of its output).
        "crops": {n: c for n, c in document["crops"].items() if n in fields and c},
    }
