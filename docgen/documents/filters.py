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


def _is_month(value: Any) -> bool:
    """A planned month (``2027-02``) where a day is not known, as EWP allows."""
    return isinstance(value, str) and len(value) == 7 and value[4] == "-"


def _as_date(value: Any) -> date:
    if _is_month(value):
        return date.fromisoformat(value + "-01")  # only ever shown as a month
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# Nouns counted in documents: (singular, plural) per language.
NOUNS = {
    "day": {"ro": ("zi", "zile"), "en": ("day", "days")},
    "month": {"ro": ("lună", "luni"), "en": ("month", "months")},
    "hour": {"ro": ("oră", "ore"), "en": ("hour", "hours")},
    "point": {"ro": ("punct", "puncte"), "en": ("point", "points")},
    "week": {"ro": ("săptămână", "săptămâni"), "en": ("week", "weeks")},
}


def counted(value: Any, noun: str, lang: str) -> str:
    """``1 zi``, ``5 zile``, ``136 de zile`` / ``1 day``, ``136 days``.

    Romanian puts "de" between a number and its noun when the number's last two digits are
    00 or 20-99 (``20 de zile``, ``100 de zile``, ``136 de zile``; ``119 zile``), and never
    for 1-19; a number with decimals takes none (``2,5 luni``).
    """
    amount = _as_decimal(value)
    singular, plural = NOUNS[noun][lang]
    whole = amount == amount.to_integral_value()
    shown = format_decimal(amount, locale=LOCALES[lang])
    if whole and int(amount) == 1:
        return f"{shown} {singular}"
    if lang == "ro" and whole:
        n = int(amount)
        if n % 100 == 0 or n % 100 >= 20:
            return f"{shown} de {plural}"
    return f"{shown} {plural}"


@cache
def filters(lang: str) -> dict[str, Callable[..., str]]:
    """Return the template filters for ``lang`` (``ro`` or ``en``), built once."""
    locale = LOCALES[lang]

    def long_date(value: Any) -> str:
        """``7 martie 2026`` / ``7 March 2026`` (a month alone: ``martie 2026``)."""
        if _is_month(value):
            return month_year(value)
        return format_date(_as_date(value), "d MMMM y", locale=locale)

    def numeric_date(value: Any) -> str:
        """``07.03.2026`` (ro) / ``07/03/2026`` (en); a month alone ``03.2026`` / ``03/2026``."""
        if _is_month(value):
            return format_date(_as_date(value), NUMERIC_DATE[lang][3:], locale=locale)
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
        """``1.234,5`` / ``1,234.5``; with ``digits``, exactly that many decimals; nothing for
        an unknown number (``None``)."""
        if value is None:
            return ""
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

    def count(value: Any, noun: str) -> str:
        """``136 de zile`` / ``136 days``, ``1 lună`` / ``1 month``."""
        return counted(value, noun, lang)

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
        "count": count,
    }
