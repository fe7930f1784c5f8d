"""A returned form carrying JavaScript, actions or embedded files is flagged at parse time."""

from __future__ import annotations

import io

import pytest
from hostile_pdfs import ATTACKS, hostile_pdf, plain_pdf

from docgen.forms.parse import parse_form


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_active_content_is_an_issue_on_the_record(attack):
    record = parse_form(io.BytesIO(hostile_pdf(attack)))
    assert record["form"] == "certificate_of_attendance"
    flagged = [i for i in record["issues"] if i["code"] == "active_content"]
    assert len(flagged) == 1, record["issues"]
    assert record["status"] == "needs_review"


def test_a_plain_returned_form_is_not_flagged():
    record = parse_form(io.BytesIO(plain_pdf()))
    assert not [i for i in record["issues"] if i["code"] == "active_content"]
