"""Page codes: the QR on every page, its MAC, the corner marks; found again on scans."""

from __future__ import annotations

import io

import numpy as np
import pytest
import segno
from pypdf import PdfReader

from docgen.forms import pagecode
from docgen.forms.identify import find_code
from docgen.forms.pagecode import (
    CodeRefused,
    PageCode,
    decode,
    encode,
    page_key,
    stamp_form,
    stamp_pdf,
)
from docgen.forms.prefill import prefill_form
from tests.forms import scanlib
from tests.forms.conftest import FORMS

KEY = page_key("the instance's secret")
OTHER = page_key("another instance's secret")


def test_code_round_trip_with_odd_reference():
    code = PageCode("certificate_of_attendance", "1", "UPT/2026 #42|x", 2, 3)
    assert decode(encode(code, KEY), KEY) == code


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("UPT-1", "UPT-2"),
        lambda t: t.replace("|1/1|", "|1/2|"),
        lambda t: t.replace("certificate_of_attendance", "application"),
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    ],
)
def test_forged_code_is_refused(tamper):
    text = encode(PageCode("certificate_of_attendance", "1", "UPT-1", 1, 1), KEY)
    with pytest.raises(CodeRefused):
        decode(tamper(text), KEY)


def test_code_of_another_instance_is_refused_and_other_qrs_ignored():
    text = encode(PageCode("application", "1", "", 1, 1), OTHER)
    with pytest.raises(CodeRefused):
        decode(text, KEY)
    assert decode("https://www.upt.ro/", KEY) is None


def test_stamped_form_keeps_its_fields_and_reads_at_150_dpi(specs):
    spec = specs["learning_agreement"]
    stamped = stamp_form((FORMS / "learning_agreement.pdf").read_bytes(), spec, "", "secret")
    reader = PdfReader(io.BytesIO(stamped))
    fields = reader.get_fields()
    assert "docgen_form" in fields and "student_name" in fields
    key = page_key("secret")
    for number, image in enumerate(scanlib.render(stamped, 150), start=1):
        found = find_code(image, key)
        assert found.code == PageCode("learning_agreement", "1", "", number, 2)
        assert found.rotation == 0
        # The four marks are where mark_boxes says: dark squares on a white page.
        height = image.shape[0]
        scale = 150 / 72
        for x, y in pagecode.mark_boxes(595.2756, 841.8898):
            cx = int((x + pagecode.MARK_SIZE / 2) * scale)
            cy = int(height - (y + pagecode.MARK_SIZE / 2) * scale)
            assert image[cy - 3 : cy + 4, cx - 3 : cx + 4].max() < 60


@pytest.fixture(scope="module")
def certificate(specs, values):
    spec = specs["certificate_of_attendance"]
    pdf = prefill_form(
        spec, {"reference": "UPT-2026-0042", "values": values["certificate_of_attendance"]}
    )
    return stamp_form(pdf, spec, "UPT-2026-0042", "the instance's secret")


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_code_found_on_a_turned_page_and_page_turned_upright(certificate, turn):
    (upright,) = scanlib.render(certificate, 150)
    image = upright if turn == 0 else scanlib.quarter(upright, turn)
    found = find_code(image, KEY)
    assert found.code == PageCode("certificate_of_attendance", "1", "UPT-2026-0042", 1, 1)
    assert found.rotation == turn
    assert found.image.shape == upright.shape
    assert np.mean(np.abs(found.image.astype(int) - upright)) < 1


def test_foreign_code_is_reported_as_refused(specs, values):
    spec = specs["certificate_of_attendance"]
    stamped = stamp_form((FORMS / f"{spec.id}.pdf").read_bytes(), spec, "", "someone else")
    (image,) = scanlib.render(stamped, 200)
    found = find_code(image, KEY)
    assert found.code is None and "not made by this instance" in found.refused


def test_page_without_a_code_or_with_someone_elses_qr():
    page = np.full((1200, 900), 255, np.uint8)
    assert find_code(page, KEY) is None
    qr = segno.make_qr("https://www.upt.ro/")
    out = io.BytesIO()
    qr.save(out, kind="png", scale=8)
    from PIL import Image

    stamp = np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("L"))
    page[100 : 100 + stamp.shape[0], 100 : 100 + stamp.shape[1]] = stamp
    assert find_code(page, KEY) is None


def test_generated_document_pages_carry_their_code():
    import json

    from reportlab.pdfgen.canvas import Canvas

    from docgen.documents.kinds import get_kind
    from docgen.operations.documents import stamp_document
    from tests.forms.conftest import ROOT

    kind = get_kind("financial_contract")
    payload = kind.validate(json.loads((ROOT / "samples" / "financial_contract.json").read_text()))
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for number in (1, 2, 3):
        canvas.drawString(72, 720, f"Contract page {number}")
        canvas.showPage()
    canvas.save()
    pdf = buffer.getvalue()
    assert stamp_document(pdf, "docx", kind, payload, "abc", KEY) is pdf
    assert stamp_document(pdf, "pdf", kind, payload, "abc", None) is pdf
    stamped = stamp_document(pdf, "pdf", kind, payload, "0123456789abcdef", KEY)
    found = [find_code(image, KEY) for image in scanlib.render(stamped, 150)]
    codes = [f.code for f in found]
    # In the left margin (2 cm), clear of the text, even with a long reference.
    assert all(f.corners[:, 0].max() < 56.7 * 150 / 72 for f in found)
    long = stamp_pdf(pdf, "financial_contract", "0123456789ab", "R" * 60, KEY)
    (page, *_) = scanlib.render(long, 150)
    assert find_code(page, KEY).corners[:, 0].max() < 56.7 * 150 / 72
    reference = str(kind.reference(payload))
    assert codes == [
        PageCode("financial_contract", "0123456789ab", reference, n, 3) for n in (1, 2, 3)
    ]
