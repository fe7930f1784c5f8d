"""Normalise what a form gives back: Unicode, Romanian letters, dates, numbers.

Each function takes the raw text of one field and returns the typed value or raises
``ValueError`` with a message fit for the issue list.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from docgen.domain.common import FIRST_DATE, LAST_DATE
from docgen.domain.common import clean_text as xml_text

# Cedilla forms (from old keyboards, OCR and fonts without comma-below) to the correct ones:
# only in Romanian text. Turkish, Azerbaijani, Kurdish, Tatar... write ş with a cedilla.
_ROMANIAN = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})
# Letters that only Romanian has among the languages our partners write (â î also occur in
# French and Turkish, which the Turkish letters below rule out; French has no ş ţ at all).
ROMANIAN_ONLY = frozenset("ăâîșțĂÂÎȘȚ")
# Letters of Turkish (and Azerbaijani) beside ş: a name with one of them keeps its ş.
TURKISH = frozenset("çğıöüÇĞİÖÜ")

# No form of the office speaks of other years; anything outside is a slip or an attack.
YEARS = (1900, 2100)
# Longer than any amount, count or grade on a form (and than a float can hold exactly).
MAX_NUMBER_CHARS = 20

MONTHS = {
    # Romanian, with and without diacritics, and English; short forms too.
    **{
        m: i
        for i, m in enumerate(
            [
                "ianuarie",
                "februarie",
                "martie",
                "aprilie",
                "mai",
                "iunie",
                "iulie",
                "august",
                "septembrie",
                "octombrie",
                "noiembrie",
                "decembrie",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            ["ian", "feb", "mar", "apr", "mai", "iun", "iul", "aug", "sep", "oct", "noi", "dec"], 1
        )
    },
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
        )
    },
    "sept": 9,
}


def is_romanian(text: str, lang: str | None = None) -> bool:
    """Say whether the cedillas ş ţ in ``text`` stand for Romanian ș ț.

    ``lang`` is the field's mark in the spec: ``"ro"`` (Romanian text), ``"foreign"`` (the
    name of a foreign person or institution: never changed) or None (judged by the value:
    Romanian when another letter is Romanian-only). A value with a Turkish letter is never
    Romanian, whatever the field.
    """
    if lang == "foreign" or any(c in TURKISH for c in text):
        return False
    if lang == "ro":
        return True
    return any(c in ROMANIAN_ONLY for c in text)


def romanian_letters(text: str, lang: str | None = None) -> str:
    """Return ``text`` with ş ţ as ș ț where :func:`is_romanian` says it is Romanian."""
    return text.translate(_ROMANIAN) if is_romanian(text, lang) else text


def clean_text(raw: object, lang: str | None = None) -> str:
    """Return NFC text with single spaces per line, no edge blanks, and ș ț where Romanian.

    ``lang`` is the field's mark (see :func:`is_romanian`). Characters XML cannot hold are
    dropped and Word's soft line break (U+000B) is a line break: a returned form is kept
    whatever it holds, and its values must export.
    """
    text = unicodedata.normalize("NFC", xml_text(str(raw)))
    # pdfminer writes glyphs it cannot map as (cid:N); 10 and 13 are line breaks.
    text = re.sub(r"\(cid:1[03]\)", "\n", text)
    text = re.sub(r"\(cid:\d+\)", "\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return romanian_letters("\n".join(line for line in lines if line).strip(), lang)


def _ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def parse_date(text: str) -> date:
    """Read ``7.3.2026``, ``07/03/2026``, ``2026-03-07``, ``7 martie 2026``, ``7 March 2026``."""
    value = clean_text(text).lower().rstrip(".")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})", value):
        d, mo, y = (int(g) for g in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})", value):
        month = MONTHS.get(_ascii_fold(m.group(2)))
        if month is None:
            raise ValueError(f"unknown month {m.group(2)!r}")
        d, mo, y = int(m.group(1)), month, int(m.group(3))
    elif m := re.fullmatch(r"([^\W\d_]+)\s+(\d{1,2}),?\s+(\d{4})", value):
        month = MONTHS.get(_ascii_fold(m.group(1)))
        if month is None:
            raise ValueError(f"unknown month {m.group(1)!r}")
        d, mo, y = int(m.group(2)), month, int(m.group(3))
    else:
        raise ValueError("not a date: write DD.MM.YYYY (e.g. 07.03.2026)")
    if not YEARS[0] <= y <= YEARS[1]:
        raise ValueError(f"the year {y} is outside {YEARS[0]}-{YEARS[1]}")
    try:
        day = date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"not a real date ({exc})") from exc
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"not a plausible date (years {FIRST_DATE.year} to {LAST_DATE.year})")
    return day


def parse_decimal(text: str) -> Decimal:
    """Read ``7,5``, ``7.5``, ``1.234,5``, ``1 234.5``; a comma or a point is the separator."""
    value = clean_text(text).replace(" ", "").replace("'", "")
    if len(value) > MAX_NUMBER_CHARS:
        raise ValueError(f"not a number of a form: more than {MAX_NUMBER_CHARS} characters")
    if not re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", value):
        raise ValueError("not a number")
    if "," in value and "." in value:
        # Whichever comes last is the decimal separator; the other groups thousands.
        decimal_sep = "," if value.rfind(",") > value.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        value = value.replace(group_sep, "").replace(decimal_sep, ".")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    elif value.count(",") > 1 or value.count(".") > 1:
        raise ValueError("not a number: more than one separator")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc


def parse_integer(text: str) -> int:
    """Read a whole number; ``12,0`` is accepted, ``12,5`` is not."""
    number = parse_decimal(text)
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    return int(number)


TRUE_WORDS = {"yes", "on", "true", "1", "x", "da", "✓", "✔", "4", "8"}


def parse_checkbox(raw: object) -> bool:
    """Return True for a checked box: any state other than ``Off`` (``/Yes``, ``/On``, ...)."""
    if isinstance(raw, bool):
        return raw
    text = clean_text(raw).lstrip("/")
    return bool(text) and text.lower() not in {"off", "no", "false", "0", "nu"}
