"""Durations: how a mobility's days are counted and which lengths an activity allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from docgen.domain.common import STUDENT_ACTIVITIES, Activity
from docgen.domain.grant import QuoteRequest
from docgen.errors import Problem
from docgen.rules.calendar import calendar_days, days_360, working_days
from docgen.rules.rates import RateTable, duration_limits


@dataclass(frozen=True)
class Duration:
    """Days of activity by the call's method, travel days apart; months for monthly grants."""

    days: int
    travel_days: int
    months: int
    extra_days: int
    method: str


def count_days(method: str, start: date, end: date, country: str | None) -> int:
    """Count a period's days by ``method``: ``30/360``, ``calendar`` or ``working-days``."""
    if method == "30/360":
        return days_360(start, end)
    if method == "working-days":
        if not country:
            raise ValueError("working days need the host country")
        return working_days(start, end, country)
    return calendar_days(start, end)


def _describe(ranges: list[list[int]]) -> str:
    return " or ".join(f"{lo} to {hi} days" for lo, hi in ranges)


def check_duration(
    request: QuoteRequest,
    table: RateTable,
    start: date | None = None,
    end: date | None = None,
    prefix: str = "",
) -> list[Problem]:
    """List what is wrong with a mobility's length, travel days and teaching hours.

    Limits: RULES.md "Durations" (``data/limits.yaml``, each with its article), narrowed
    by the call (``min_days``/``max_days``); the Visiting@UPT 14-day exception needs the
    board's approval (visiting-grant-regulation Art. 5(2)); long-term student mobilities
    count towards 12 months per study cycle (erasmus-regulation-ro Art. 6b, 26b); a
    teaching mobility needs at least 8 teaching hours (Art. 58(4)).
    """
    start = start or request.start
    end = end or request.end
    activity = request.activity
    limits = duration_limits()
    rule = limits["activities"][activity.value]
    rates = table.activities[activity.value]
    # Limits are in calendar days of activity; 30/360 only matters for money and the cap.
    days = calendar_days(start, end)
    ranges = [list(r) for r in rule["ranges"]]
    if rates.min_days is not None:
        ranges = [[max(lo, rates.min_days), hi] for lo, hi in ranges if hi >= rates.min_days]
    if rates.max_days is not None:
        ranges = [[lo, min(hi, rates.max_days)] for lo, hi in ranges if lo <= rates.max_days]
    if rates.exceptional_min_days is not None and request.exceptional_approval:
        ranges = [[rates.exceptional_min_days, hi] for lo, hi in ranges]

    problems: list[Problem] = []
    if not any(lo <= days <= hi for lo, hi in ranges):
        message = (
            f"a {activity} mobility lasts {_describe(ranges)} ({rule['article']}); "
            f"this one lasts {days} days"
        )
        exceptional = rates.exceptional_min_days
        if exceptional and not request.exceptional_approval and exceptional <= days:
            message += (
                f"; {exceptional} days are possible only with the "
                "board's exceptional approval (exceptional_approval)"
            )
        problems.append(Problem(f"{prefix}/end", message))

    if activity in STUDENT_ACTIVITIES and request.earlier_months and days > 30:
        cap = Decimal(limits["cycle_cap_months"])
        months = Decimal(days_360(start, end)) / 30
        if request.earlier_months + months > cap:
            left = max(cap - request.earlier_months, Decimal(0))
            problems.append(
                Problem(
                    f"{prefix}/end",
                    f"with {request.earlier_months} earlier Erasmus months in this study cycle, "
                    f"at most {left.normalize():f} months are left "
                    f"(12 per cycle, erasmus-regulation-ro Art. 6b, 26b); this mobility "
                    f"lasts {months.quantize(Decimal('0.1'))} months",
                )
            )

    minimum_hours = rule.get("min_teaching_hours")
    if (
        activity is Activity.STA
        and minimum_hours
        and request.teaching_hours is not None
        and request.teaching_hours < minimum_hours
        and not prefix
    ):
        problems.append(
            Problem(
                "/teaching_hours",
                f"a teaching mobility needs at least {minimum_hours} teaching hours "
                f"({rule['article']}); {request.teaching_hours} given",
            )
        )
    return problems
