"""Counting days: the 30/360 convention, calendar days and working days."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


def days_360(start: date, end: date) -> int:
    """Count the days of a long-term student mobility by the programme's 30/360 convention.

    ``(Y2-Y1)*360 + (M2-M1)*30 + (min(D2,30) - min(D1,30)) + 1``, both ends included, as in
    the European Commission's grant calculator (RULES.md "Durations"; erasmus-regulation-ro
    Art. 17 and 37 count student mobilities in months).
    """
    return (
        (end.year - start.year) * 360
        + (end.month - start.month) * 30
        + (min(end.day, 30) - min(start.day, 30))
        + 1
    )


def calendar_days(start: date, end: date) -> int:
    """Count calendar days, both ends included (``end - start + 1``)."""
    return (end - start).days + 1


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError as exc:
        raise LookupError(f"no public holiday calendar for country {country}") from exc


def public_holidays(country: str, start: date, end: date) -> list[date]:
    """List the host country's public holidays between two dates (both included)."""
    days: set[date] = set()
    for year in range(start.year, end.year + 1):
        days |= _holidays(country, year)
    return sorted(d for d in days if start <= d <= end)


def working_days(start: date, end: date, country: str) -> int:
    """Count Monday-to-Friday days that are not public holidays in ``country``.

    The incoming-mobility-call ("Erasmus+ grants") pays staff for working days, "Monday to
    Friday, excluding national holidays", plus travel days.
    """
    off = set(public_holidays(country, start, end))
    count = 0
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in off:
            count += 1
        day += timedelta(days=1)
    return count
