"""Pages without a readable code: their bounded image in the answer, and their reading once
a person says which form they are (registered by the corner marks alone, no QR)."""

from __future__ import annotations

import base64

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
