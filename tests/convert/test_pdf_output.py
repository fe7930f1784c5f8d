"""Every kind x language x sample as PDF: the text a reader sees, pages, embedded fonts."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdf
import pytest

from docgen.documents.check import samples_of
from docgen.documents.filters import filters
from docgen.documents.kinds import KINDS, LANGS
from docgen.documents.render import render_document
from docgen.rules.grants import quote_grant

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    (kind, lang, path.stem)
    for kind in KINDS
    for path in samples_of(kind, ROOT / "samples")
    for lang in LANGS
]


def _load(name: str) -> dict:
    return json.loads((ROOT / "samples" / f"{name}.json").read_text(encoding="utf-8"))


def _fonts(reader: pypdf.PdfReader) -> list[tuple[str, bool]]:
    found = []
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found.append((str(font.get("/BaseFont")), embedded))
    return found


def _squash(text: str) -> str:
    # pypdf may break lines inside a table cell; compare with whitespace normalised.
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


@pytest.mark.parametrize(("kind", "lang", "sample"), CASES)
def test_pdf_shows_names_amounts_and_dates(kind, lang, sample, pdf_pool):
    data = _load(sample)
    payload = KINDS[kind].validate(data)
    pdf = pdf_pool.convert(render_document(kind, lang, payload))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = _squash("\n".join(page.extract_text() for page in reader.pages))
    f = filters(lang)

    names = {
        "certificate_of_attendance": lambda p: [p.participant.full_name, p.signer.name],
        "financial_contract": lambda p: [p.participant.full_name, p.bank.holder],
        "learning_agreement": lambda p: [p.student.full_name, p.sending_responsible.name],
        "selection_minutes": lambda p: [m.name for m in p.committee],
        "letter_of_nomination": lambda p: [p.student.full_name, p.signer.name],
    }[kind](payload)
    for name in names:
        assert _squash(name) in text, f"{name!r} not in the PDF of {sample} ({lang})"
    assert "ş" not in text and "ţ" not in text

    first_date = {
        "certificate_of_attendance": lambda p: p.start,
        "financial_contract": lambda p: p.mobility.start,
        "learning_agreement": lambda p: p.student_signature.date,
        "selection_minutes": lambda p: p.meeting_date,
        "letter_of_nomination": lambda p: p.start,
    }[kind](payload)
    assert f["date"](first_date) in text or f["date_num"](first_date) in text

    if kind == "financial_contract":
        quote = quote_grant(payload.quote_request())
        assert _squash(f["money"](quote.total, quote.currency)) in text

    # Every page's footer counts the pages the PDF really has.
    pages = len(reader.pages)
    footer = r"Pagina (\d+) din (\d+)" if lang == "ro" else r"Page (\d+) of (\d+)"
    counted = re.findall(footer, text)
    assert sorted({int(page) for page, _ in counted}) == list(range(1, pages + 1))
    assert {int(total) for _, total in counted} == {pages}

    fonts = _fonts(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
