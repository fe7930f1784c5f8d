from datetime import date

import pytest

from docgen.rules.calendar import calendar_days, days_360, public_holidays, working_days


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 9, 1), date(2027, 1, 31), 150),  # 5 months
        (date(2026, 9, 15), date(2027, 1, 31), 136),
        (date(2026, 2, 1), date(2026, 2, 28), 28),
        (date(2026, 10, 1), date(2026, 10, 31), 30),  # the 31st counts as the 30th
        (date(2026, 10, 1), date(2027, 6, 30), 270),
        (date(2026, 3, 7), date(2026, 3, 7), 1),
    ],
)
def test_days_360(start, end, expected):
    assert days_360(start, end) == expected


def test_calendar_days_counts_both_ends():
    assert calendar_days(date(2026, 11, 30), date(2026, 12, 4)) == 5


def test_working_days_skip_romanian_public_holidays():
    # 30 November (St Andrew) and 1 December (National Day) fall on Monday and Tuesday.
    assert public_holidays("RO", date(2026, 11, 30), date(2026, 12, 4)) == [
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]
    assert working_days(date(2026, 11, 30), date(2026, 12, 4), "RO") == 3


def test_working_days_know_orthodox_easter():
    # Orthodox Easter 2026 is 12 April: Good Friday 10 April and Easter Monday 13 April.
    assert working_days(date(2026, 4, 6), date(2026, 4, 17), "RO") == 8


def test_working_days_skip_weekends():
    assert working_days(date(2026, 3, 2), date(2026, 3, 15), "RS") == 10
