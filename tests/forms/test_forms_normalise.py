"""Normalising what comes back: Romanian letters, dates, numbers, checkboxes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docgen.forms.normalise import (
    clean_text,
    is_romanian,
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


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [
        # Romanian by a letter of its own (ă â î ș ț): the cedillas become commas.
        ("Ştefania Ţurcanu-Bălăşoiu", None, "Ștefania Țurcanu-Bălășoiu"),
        ("Ştefan Ţăran", None, "Ștefan Țăran"),
        # Romanian by the field's mark.
        (
            "Facultatea de Automatica şi Calculatoare",
            "ro",
            "Facultatea de Automatica și Calculatoare",
        ),
        ("Ioana Ţuţu-Maş", "ro", "Ioana Țuțu-Maș"),
        # Turkish letters beside ş: a Turkish name, whatever the field says.
        ("Çağrı Şahin", None, "Çağrı Şahin"),
        ("Çağrı Şahin", "ro", "Çağrı Şahin"),
        ("Şükrü Öztürk", "ro", "Şükrü Öztürk"),
        ("Işık Üniversitesi, Şile", None, "Işık Üniversitesi, Şile"),
        # Nothing says Romanian: a name is never altered.
        ("Ayşe Kaya", None, "Ayşe Kaya"),
        ("Ioana Ţuţu-Maş", None, "Ioana Ţuţu-Maş"),
        # A foreign person or institution keeps what it wrote, even with Romanian letters.
        ("Universitatea din Chişinău", "foreign", "Universitatea din Chişinău"),
        ("Ayşe Kaya", "foreign", "Ayşe Kaya"),
        # What is already right stays right.
        ("Ștefania Țurcanu", "foreign", "Ștefania Țurcanu"),
        ("Timișoara", None, "Timișoara"),
    ],
)
def test_cedillas_become_commas_only_in_romanian_text(raw, lang, expected):
    assert clean_text(raw, lang) == expected


def test_is_romanian_reasons():
    assert is_romanian("Brăila") and is_romanian("x", "ro")
    assert not is_romanian("Brăila", "foreign")
    assert not is_romanian("Gümüşhane Bălan", "ro")  # ü: Turkish
    assert not is_romanian("Paris")


@pytest.mark.parametrize(
    "text",
    [
        "7.3.2026",
        "07.03.2026",
        "2026-03-07",
        "7 martie 2026",
        "7 March 2026",
        "07/03/2026",
        "7 Martie 2026",
        "March 7, 2026",
        "7 mar. 2026",
    ],
)
def test_dates(text):
    assert parse_date(text) == date(2026, 3, 7)


@pytest.mark.parametrize("text", ["31.02.2026", "tomorrow", "7 brumar 2026", "2026"])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7,5", Decimal("7.5")),
        ("7.5", Decimal("7.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("30", Decimal(30)),
        ("1 200", Decimal(1200)),
    ],
)
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/Yes", True),
        ("/On", True),
        ("/1", True),
        ("/Y", True),
        ("/Off", False),
        ("", False),
        (True, True),
    ],
)
def test_checkbox(raw, expected):
    assert parse_checkbox(raw) is expected
