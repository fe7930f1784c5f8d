"""Languages of the pages: Romanian by default, English on request; dates and numbers per
language (Babel), in the office's time zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, session
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale

from docgen.documents.kinds import LANGS

DEFAULT_LANG = "ro"
LANGUAGE_NAMES = {"ro": "Română", "en": "English"}


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGS else DEFAULT_LANG


def current_lang() -> str:
    return str(get_locale() or DEFAULT_LANG)


def _as_date(value: Any) -> date | datetime | None:
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    return None


def fdate(value: Any) -> str:
    """A date as the language writes it (ro: 30.11.2026, en: 30 Nov 2026)."""
    moment = _as_date(value)
    if moment is None:
        return "" if value is None else str(value)
    if isinstance(moment, datetime):
        moment = moment.date()
    return format_date(moment, "dd.MM.y" if current_lang() == "ro" else "d MMM y")


def fdatetime(value: Any) -> str:
    moment = _as_date(value)
    if not isinstance(moment, datetime):
        return fdate(value)
    return format_datetime(moment, "dd.MM.y HH:mm" if current_lang() == "ro" else "d MMM y, HH:mm")


def fnumber(value: Any, places: int | None = None) -> str:
    """A number with the language's separators (ro: 1.234,50; en: 1,234.50)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if places is not None:
        return format_decimal(number, format=f"#,##0.{'0' * places}" if places else "#,##0")
    return format_decimal(number)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANG)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters.update(fdate=fdate, fdatetime=fdatetime, fnumber=fnumber)
