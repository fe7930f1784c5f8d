"""The letter of nomination, the kind added by following CONTRIBUTING.md "Add a document kind":
found as a kind from its own module, refused with pointers when it cannot be, rendered in
both languages with the lines that depend on what the payload gives."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from docgen.documents.kinds import KINDS, file_name
from docgen.documents.render import render_document
from docgen.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = json.loads((ROOT / "samples" / "letter_of_nomination.json").read_text("utf-8"))


def _with(**changes) -> dict:
    data = copy.deepcopy(SAMPLE)
    data.update(changes)
    return data


def _problems(data: dict) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        KINDS["letter_of_nomination"].validate(data)
    return [str(p) for p in caught.value.problems]


def test_the_kind_is_found_from_its_module_and_listed_last():
    kind = KINDS["letter_of_nomination"]
    assert list(KINDS)[-1] == "letter_of_nomination"
    assert kind.title == {"ro": "Scrisoare de nominalizare", "en": "Letter of nomination"}
    payload = kind.validate(SAMPLE)
    assert file_name(kind, payload, "ro") == "letter_of_nomination-UPT-DRI-2026-0518-ro.docx"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"activity": "STA"}, "/activity: a nomination is for a student mobility (SMS or SMT)"),
        ({"end": "2026-09-01"}, "/end: must not be before start"),
        (
            {"issued_on": "2026-10-02"},
            "/issued_on: a nomination is issued before the mobility starts",
        ),
        ({"eqf": 9}, "/eqf: must be at most 8"),
        ({"academic_year": "2026-2028"}, "/academic_year"),
    ],
)
def test_a_letter_that_cannot_be_is_refused_with_the_field_at_fault(changes, expected):
    problems = _problems(_with(**changes))
    assert any(p.startswith(expected) for p in problems), problems


def test_the_signer_and_the_student_are_required():
    data = copy.deepcopy(SAMPLE)
    del data["signer"], data["student"]["family_name"]
    problems = _problems(data)
    assert "/signer: is required" in problems
    assert "/student/family_name: is required" in problems


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "ro",
            [
                "SCRISOARE DE NOMINALIZARE",
                "Către: Universitatea din Novi Sad",
                "În atenția: Dr. Milica Petrović",
                "este nominalizat(ă) pentru o mobilitate de studiu",
                "1 octombrie 2026 – 12 februarie 2027 (135 de zile)",
                "Inginerie mecanică, licență (EQF 6)",
            ],
        ),
        (
            "en",
            [
                "LETTER OF NOMINATION",
                "To: University of Novi Sad",
                "For the attention of: Dr. Milica Petrović",
                "is hereby nominated for a student mobility for studies",
                "1 October 2026 – 12 February 2027 (135 days)",
                "Inginerie mecanică, Bachelor (EQF 6)",
            ],
        ),
    ],
)
def test_the_letter_says_who_is_nominated_where_and_when(lang, texts, docx_text):
    text = docx_text(render_document("letter_of_nomination", lang, SAMPLE))
    for expected in texts:
        assert expected in text, f"{expected!r} missing ({lang})"


def test_lines_without_data_are_left_out(docx_text):
    data = copy.deepcopy(SAMPLE)
    del data["receiving"]["contact"], data["student"]["birth_date"], data["sending"]["faculty"]
    text = docx_text(render_document("letter_of_nomination", "ro", data))
    assert "În atenția" not in text
    assert "Data nașterii" not in text
    assert "Facultatea de origine" not in text
    assert "Cetățenia" in text and "Ștefania-Irina Vlăduțescu" in text
