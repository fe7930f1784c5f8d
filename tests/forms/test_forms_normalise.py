"""Normalising what comes back: Romanian letters, dates, numbers, checkboxes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docgen.forms.normalise import (
    clean_text,
    parse_checkbox,
    parse_date,
    parse_decimal,
    parse_integer,
)


def test_clean_text_fixes_cedilla_and_nfc():
    assert clean_text("  Timi\u015foara,  Bra\u0219ov ") == "Timișoara, Brașov"
    assert clean_text("\u0162\u0103ri") == "Țări"
    assert clean_text("a\u0306") == "ă"  # decomposed a + breve
    assert clean_text("one(cid:10)two") == "one\ntwo"


@pytest.mark.parametrize("text", [
    "7.3.2026", "07.03.2026", "2026-03-07", "7 martie 2026", "7 March 2026", "07/03/2026",
    "7 Martie 2026", "March 7, 2026", "7 mar. 2026",
])
def test_dates(text):
    assert parse_date(text) == date(2026, 3, 7)


@pytest.mark.parametrize("text", ["31.02.2026", "tomorrow", "7 brumar 2026", "2026"])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("7,5", Decimal("7.5")), ("7.5", Decimal("7.5")), ("1.234,5", Decimal("1234.5")),
    ("1,234.5", Decimal("1234.5")), ("30", Decimal(30)), ("1 200", Decimal(1200)),
])
def test_decimals(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["1O", "abc", "7,5,1", ""])
def test_bad_numbers(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_integers():
    assert parse_integer("12") == 12
    assert parse_integer("12,0") == 12
    with pytest.raises(ValueError):
        parse_integer("12,5")


@pytest.mark.parametrize(("raw", "expected"), [
    ("/Yes", True), ("/On", True), ("/1", True), ("/Y", True), ("/Off", False), ("", False),
    (True, True),
])
def test_checkbox(raw, expected):
    assert parse_checkbox(raw) is expected
