"""Pages without a readable code: their bounded image in the answer, and their reading once
a person says which form they are (registered by the corner marks alone, no QR)."""

from __future__ import annotations

import base64
import io

import cv2
import numpy as np

from docgen.forms.assign import MAX_PNG, MAX_SIDE, page_png, read_assigned
from docgen.forms.validate import validate
from tests.forms import scanlib
from tests.forms.test_forms_scan import LIMITS, REF, filled, scan


def test_a_torn_page_keeps_a_bounded_image_and_is_read_once_assigned(specs, values):
    raw = values["certificate_of_attendance"]
    certificate = filled(specs["certificate_of_attendance"], raw, REF)
    expected, _ = validate(specs["certificate_of_attendance"], raw)
    agreement = filled(specs["learning_agreement"], values["learning_agreement"], "LA-70")
    la1, la2 = scanlib.render(agreement, 200)
    (cert,) = scanlib.render(certificate, 200)
    torn = scanlib.tear_qr(cert, 200)
    stack = scanlib.image_pdf([la1, scanlib.quarter(torn, 180), la2], 200, quality=75)
    answer = scan(stack, specs)
    assert [(d["form"], d["reference"]) for d in answer["documents"]] == [
        ("learning_agreement", "LA-70")
    ]
    (page,) = answer["unidentified"]
    assert page["index"] == 2 and page["reason"] == "no_code"
    png = base64.b64decode(page["image"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) <= MAX_PNG
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    assert max(image.shape) <= MAX_SIDE and image.ndim == 2

    spec = specs["certificate_of_attendance"]
    record = read_assigned(stack, spec, specs, reference=REF, index=2, page=1, **LIMITS)
    assert record["form"] == "certificate_of_attendance" and record["reference"] == REF
    assert record["method"] == "scan" and record["pages"][0]["rotation"] == 180
    for name in ("actual_start", "actual_end", "days", "sign_date"):
        assert record["values"][name] == expected[name], name
    assert record["crops"] and record["fields"]["actual_end"]["confidence"] > 0.8
    flagged = {n for n, f in record["fields"].items() if f["flagged"]}
    review = {"low_confidence", "letter_unsure"}
    assert flagged == {i["field"] for i in record["issues"] if i["code"] in review}


def test_a_page_without_marks_is_an_error_naming_the_form(specs):
    blank = np.full((2339, 1654), 255, np.uint8)
    cv2.putText(blank, "a letter", (200, 400), cv2.FONT_HERSHEY_SIMPLEX, 3, 0, 5)
    answer = read_assigned(
        scanlib.png(blank), specs["application"], specs, reference="", index=1, page=1, **LIMITS
    )
    assert answer["error"]["code"] == "unreadable"
    assert "application" in answer["error"]["message"]
    assert (
        read_assigned(
            scanlib.png(blank), specs["application"], specs, reference="", index=3, page=1, **LIMITS
        )["error"]["message"]
        == "the file has no page 3"
    )


def test_page_png_is_bounded_even_for_noise():
    rng = np.random.default_rng(1)
    noisy = rng.integers(0, 255, (3508, 2480), dtype=np.uint8)
    png = base64.b64decode(page_png(noisy))
    assert len(png) <= MAX_PNG
    assert png.startswith(b"\x89PNG")


def test_page_images_shrink_as_a_scan_nears_its_budget():
    from docgen.forms.assign import MAX_IMAGES, MIN_PNG

    rng = np.random.default_rng(2)
    noisy = rng.integers(0, 255, (1754, 1240), dtype=np.uint8)
    late = base64.b64decode(page_png(noisy, used=MAX_IMAGES))
    assert len(late) <= MIN_PNG and late.startswith(b"\x89PNG")


def test_an_image_pdf_without_a_code_becomes_unidentified_pages(specs, values):
    """A copier's PDF of a form whose QR is torn off: each page unidentified, with its image
    (at most SCAN_PROBE pages; a longer one stays unrecognised, with an issue saying why)."""
    from docgen.forms.parse import SCAN_PROBE, ScanOptions, parse_bytes
    from tests.forms.test_forms_scan import KEY

    certificate = filled(
        specs["certificate_of_attendance"], values["certificate_of_attendance"], REF
    )
    (cert,) = scanlib.render(certificate, 200)
    torn = scanlib.tear_qr(cert, 200)
    record = parse_bytes(scanlib.image_pdf([torn], 200, quality=75), specs, scan=ScanOptions(KEY))
    assert record["method"] == "scan" and record["documents"] == []
    (page,) = record["unidentified"]
    assert page["index"] == 1 and page["reason"] == "no_code"
    assert base64.b64decode(page["image"]).startswith(b"\x89PNG\r\n\x1a\n")

    small = scanlib.render(certificate, 100)[0]
    longer = scanlib.image_pdf([scanlib.tear_qr(small, 100)] * (SCAN_PROBE + 1), 100)
    record = parse_bytes(longer, specs, scan=ScanOptions(KEY, dpi=100))
    assert record["status"] == "unrecognized" and "documents" not in record
    (not_read,) = [i for i in record["issues"] if i["code"] == "scan_not_read"]
    assert f"more than {SCAN_PROBE}" in not_read["message"]


def test_a_blank_or_vector_pdf_is_not_a_scan(specs):
    """A blank sheet through a copier, or a typed PDF with no form in it: unrecognised, as it
    was (no page to assign)."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    from docgen.forms.parse import ScanOptions, parse_bytes
    from tests.forms.test_forms_scan import KEY

    blank = np.full((1100, 850), 250, np.uint8)
    blank[500:505, 400:405] = 0  # a speck
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    drawn = writer.add_blank_page(595, 842)  # ink, drawn as vectors: no image
    stream = StreamObject()
    stream.set_data(b"0 g 60 60 475 700 re f")
    drawn[NameObject("/Contents")] = writer._add_object(stream)
    pdfs = [scanlib.image_pdf([blank, blank], 100)]
    for keep in ([0], [1]):
        out = io.BytesIO()
        part = PdfWriter()
        for number in keep:
            part.add_page(writer.pages[number])
        part.write(out)
        pdfs.append(out.getvalue())
    for pdf in pdfs:
        record = parse_bytes(pdf, specs, scan=ScanOptions(KEY))
        assert record["status"] == "unrecognized" and "documents" not in record
        assert [i["code"] for i in record["issues"]] == []
