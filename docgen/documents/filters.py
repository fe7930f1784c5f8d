"""Formatting filters for templates, one set per language (Babel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

from docgen.documents.labels import label
from docgen.rules.words import amount_in_words, normalise_diacritics

LOCALES = {"ro": "ro_RO", "en": "en_GB"}
NUMERIC_DATE = {"ro": "dd.MM.yyyy", "en": "dd/MM/yyyy"}


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@cache
def filters(lang: str) -> dict[str, Callable[..., str]]:
    """Return the template filters for ``lang`` (``ro`` or ``en``), built once."""
    locale = LOCALES[lang]

    def long_date(value: Any) -> str:
        """``7 martie 2026`` / ``7 March 2026``."""
        return format_date(_as_date(value), "d MMMM y", locale=locale)

    def numeric_date(value: Any) -> str:
        """``07.03.2026`` (ro) / ``07/03/2026`` (en)."""
        return format_date(_as_date(value), NUMERIC_DATE[lang], locale=locale)

    def month_year(value: Any) -> str:
        """``martie 2026`` / ``March 2026``."""
        return format_date(_as_date(value), "LLLL y", locale=locale)

    def date_time(value: Any) -> str:
        """``12 martie 2026, ora 12:00`` / ``12 March 2026, 12:00``."""
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        clock = format_time(when, "HH:mm", locale=locale)
        joiner = ", ora " if lang == "ro" else ", "
        return long_date(when) + joiner + clock

    def money(value: Any, currency: str) -> str:
        """``3.750,50 EUR`` (ro) / ``3,750.50 EUR`` (en): figures, then the ISO code."""
        return format_currency(
            _as_decimal(value), currency, format="#,##0.00\u00a0¤¤", locale=locale
        )

    def number(value: Any, digits: int | None = None) -> str:
        """``1.234,5`` / ``1,234.5``; with ``digits``, exactly that many decimals."""
        amount = _as_decimal(value)
        if digits is not None:
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            return format_decimal(amount, format=pattern, locale=locale)
        return format_decimal(amount, locale=locale)

    def words(value: Any, currency: str) -> str:
        """The amount in words, in this language."""
        return amount_in_words(_as_decimal(value), currency, lang)  # type: ignore[arg-type]

    def money_words(value: Any, currency: str) -> str:
        """``3.750,50 EUR (trei mii ... eurocenți)``."""
        return f"{money(value, currency)} ({words(value, currency)})"

    def vocabulary(value: Any, group: str) -> str:
        """A code's name in this language, e.g. ``'STA'|term('activity')``."""
        return label(group, str(value), lang)

    def country(value: Any) -> str:
        """A country's name from its ISO code."""
        return label("country", str(value), lang)

    def text(value: Any) -> str:
        """Plain text with comma-below ș ț."""
        return normalise_diacritics(str(value))

    return {
        "date": long_date,
        "date_num": numeric_date,
        "month_year": month_year,
        "datetime": date_time,
        "money": money,
        "number": number,
        "words": words,
        "money_words": money_words,
        "term": vocabulary,
        "country": country,
        "text": text,
    }
