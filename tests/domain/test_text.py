"""What text and dates a payload may hold (issue 12, points 5 and 6): the shared base model."""

from __future__ import annotations

import pytest
from pydantic import Field

from docgen.domain.common import (
    Institution,
    Model,
    NonEmpty,
    OptionalText,
    clean_text,
    forbidden_character,
)
from docgen.domain.validation import validate
from docgen.errors import InvalidInput


class Note(Model):
    title: NonEmpty
    body: OptionalText | None = None
    tags: list[NonEmpty] = Field(default_factory=list)


def _problems(model, data) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        validate(model, data)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x08", "\x0e", "\x1f", "\ufffe", "\uffff", "\ud800"]
)
def test_characters_xml_cannot_hold_are_refused_naming_the_field(char):
    code = f"U+{ord(char):04X}"
    assert _problems(Note, {"title": f"a{char}b"}) == [
        f"/title: must not contain the control character {code}"
    ]
    assert _problems(Note, {"title": "t", "tags": ["ok", f"x{char}"]}) == [
        f"/tags/1: must not contain the control character {code}"
    ]
    upt = {"name_ro": "UPT", "name_en": "UPT", "country": "RO", "city": f"Timi{char}soara"}
    assert _problems(Institution, upt) == [f"/city: must not contain the control character {code}"]


def test_breaks_become_a_line_in_multiline_fields_and_a_space_elsewhere():
    data = {
        "title": "Timi\x0bsoara\tcentru\r\nvest",
        "body": "a\x0bb\r\nc\rd\te\x0cf",
        "tags": ["x\ny"],
    }
    note = validate(Note, data)
    assert note.title == "Timi soara centru vest"
    assert note.body == "a\nb\nc\nd e\nf"
    assert note.tags == ["x y"]
    assert data["title"] == "Timi\x0bsoara\tcentru\r\nvest", "the caller's data changed"


def test_old_text_is_cleaned_not_refused():
    assert forbidden_character("Timi\x0bsoara") is None
    assert forbidden_character("a\x07") == "U+0007"
    assert clean_text("a\x07b\x0bc\x00") == "ab\nc"
    assert clean_text("a\x0bb", multiline=False) == "a b"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_dates_outside_1900_to_2199_are_refused(day):
    from docgen.domain.grant import QuoteRequest

    data = {
        "activity": "SMS",
        "direction": "outgoing",
        "call": "ka131-2024",
        "origin": {"city": "Timișoara", "country": "RO"},
        "destination": {"city": "Porto", "country": "PT"},
        "start": day,
        "end": "2027-01-31",
    }
    assert "/start: must be a date between 1900-01-01 and 2199-12-31" in _problems(
        QuoteRequest, data
    )
