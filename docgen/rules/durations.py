"""Durations: how a mobility's days are counted and which lengths an activity allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from docgen.domain.common import Activity
from docgen.domain.grant import QuoteRequest
from docgen.errors import Problem
from docgen.rules.calendar import calendar_days, days_360, working_days
from docgen.rules.rates import RateTable, duration_limits

_METHOD_WORDS = {
    "30/360": "days counted by 30/360",
    "calendar": "calendar days",
    "working-days": "working days",
}


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


def is_long_term(activity: Activity, start: date, end: date) -> bool:
    """A student mobility for studies or traineeships longer than 30 calendar days."""
    return activity in (Activity.SMS, Activity.SMT) and calendar_days(start, end) > 30


def cycle_months(activity: Activity, start: date, end: date) -> Decimal:
    """Months a mobility uses of the 12 per study cycle (erasmus-regulation-ro Art. 6b).

    Long-term: days by 30/360 / 30, the count that pays them; short-term and BIP: calendar
    days / 30.
    """
    if is_long_term(activity, start, end):
        return Decimal(days_360(start, end)) / 30
    return Decimal(calendar_days(start, end)) / 30


def required_teaching_hours(start: date, end: date, per_week: int) -> Decimal:
    """Minimum teaching hours of a teaching stay: ``per_week`` a week, an incomplete week pro rata.

    Erasmus+ Programme Guide (KA131, staff mobility for teaching): "at least 8 hours of
    teaching per week (or any shorter period of stay)"; for a stay longer than a week, the
    hours of the incomplete last week are proportional to its working days (Monday to Friday)
    out of five. 12 days from a Monday to the Friday of the next week are 1 week + 5 working
    days = 2 weeks = 16 hours; 10 days Monday to Wednesday are 1 + 3/5 weeks = 12.8 hours.
    """
    days = calendar_days(start, end)
    if days <= 7:
        return Decimal(per_week)
    weeks, rest = divmod(days, 7)
    last = end - timedelta(days=rest - 1)
    weekdays = sum(1 for i in range(rest) if (last + timedelta(days=i)).weekday() < 5)
    return (Decimal(per_week) * (weeks + Decimal(min(weekdays, 5)) / 5)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _number(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _months(value: Decimal) -> str:
    return f"{_number(value)} month" + ("" if value == 1 else "s")


@dataclass(frozen=True)
class _Range:
    low: int
    high: int
    low_method: str
    high_method: str

    def holds(self, counts: dict[str, int]) -> bool:
        return self.low <= counts[self.low_method] and counts[self.high_method] <= self.high

    def __str__(self) -> str:
        if self.low_method == self.high_method:
            return f"{self.low} to {self.high} {_METHOD_WORDS[self.low_method]}"
        return (
            f"at least {self.low} {_METHOD_WORDS[self.low_method]} and at most {self.high} "
            f"{_METHOD_WORDS[self.high_method]}"
        )


def check_duration(
    request: QuoteRequest,
    table: RateTable,
    start: date | None = None,
    end: date | None = None,
    prefix: str = "",
    teaching_hours: int | None = None,
) -> list[Problem]:
    """List what is wrong with a mobility's length, the cycle cap and the teaching hours.

    Limits: ``data/limits.yaml`` (each with its article), counted as the limit says (30/360
    for long-term students, the call's paying count for staff), narrowed by the call
    (``min_days``/``max_days``); the Visiting@UPT 14-day exception needs the board's
    approval (visiting-grant-regulation Art. 5(2)); student mobilities, short-term and BIP
    included, count towards 12 months per study cycle (erasmus-regulation-ro Art. 6b, 26b); a
    teaching mobility needs at least 8 teaching hours a week (Art. 58(4)). ``prefix`` is
    ``/actual`` when the real dates of a certificate are checked; ``teaching_hours`` are
    then the certificate's.
    """
    start = start or request.start
    end = end or request.end
    activity = request.activity
    limits = duration_limits()
    rule = limits["activities"][activity.value]
    rates = table.activities[activity.value]
    problems: list[Problem] = []

    ranges: list[_Range] = []
    for r in rule["ranges"]:
        lo, hi = r["min"], r["max"]
        method = rates.method if r["count"] == "paid" else r["count"]
        high_method = r.get("max_count", r["count"])
        high_method = rates.method if high_method == "paid" else high_method
        if rates.min_days is not None:
            if hi < rates.min_days:
                continue
            lo = max(lo, rates.min_days)
        if rates.max_days is not None:
            if lo > rates.max_days:
                continue
            hi = min(hi, rates.max_days)
        if rates.exceptional_min_days is not None and request.exceptional_approval:
            lo = rates.exceptional_min_days
        ranges.append(_Range(lo, hi, method, high_method))

    methods = {m for r in ranges for m in (r.low_method, r.high_method)}
    counts = {m: count_days(m, start, end, request.country) for m in sorted(methods)}
    if not any(r.holds(counts) for r in ranges):
        lasts = ", ".join(f"{n} {_METHOD_WORDS[m]}" for m, n in counts.items())
        described = " or ".join(str(r) for r in ranges)
        message = (
            f"a {activity} mobility lasts {described} ({rule['article']}); this one lasts {lasts}"
        )
        if counts.get("working-days") == 0:
            message += " (week-ends and public holidays are not days of activity)"
        exceptional = rates.exceptional_min_days
        if (
            exceptional
            and not request.exceptional_approval
            and exceptional <= counts.get("calendar", 0)
        ):
            message += (
                f"; {exceptional} days are possible only with the "
                "board's exceptional approval (exceptional_approval)"
            )
        params = {
            "activity": activity.value,
            "article": rule["article"],
            "limits": described,
            "lasts": lasts,
        }
        problems.append(Problem(f"{prefix}/end", message, "duration_out_of_range", params))

    if activity.value in limits["cycle_activities"]:
        cap = Decimal(limits["cycle_cap_months"])
        earlier = request.earlier_months + sum(
            (cycle_months(e.activity, e.start, e.end) for e in request.earlier_mobilities),
            Decimal(0),
        )
        months = cycle_months(activity, start, end)
        if earlier + months > cap:
            left = max(cap - earlier, Decimal(0))
            problems.append(
                Problem(
                    f"{prefix}/end",
                    f"with {_number(earlier)} earlier Erasmus+ months in this study cycle "
                    f"(short-term and BIP included), at most {_months(left)} "
                    f"{'is' if left == 1 else 'are'} left (12 per cycle, "
                    f"{limits['cycle_cap_article']}); this mobility uses {_months(months)}",
                    "cycle_months_exceeded",
                    {
                        "earlier": _number(earlier),
                        "left": _number(left),
                        "months": _number(months),
                        "article": limits["cycle_cap_article"],
                    },
                )
            )

    per_week = rule.get("min_teaching_hours")
    if activity is Activity.STA and per_week:
        hours = teaching_hours if prefix else request.teaching_hours
        needed = required_teaching_hours(start, end, per_week)
        where = f"{prefix}/teaching_hours"
        if hours is None:
            problems.append(
                Problem(
                    where,
                    f"is required: a teaching mobility needs at least {per_week} teaching "
                    f"hours a week ({rule['article']}), here {_number(needed)}",
                    "teaching_hours_missing",
                    {"per_week": per_week, "needed": _number(needed), "article": rule["article"]},
                )
            )
        elif hours < needed:
            problems.append(
                Problem(
                    where,
                    f"a teaching mobility needs at least {per_week} teaching hours a week, an "
                    f"incomplete week pro rata ({rule['article']}; Erasmus+ Programme Guide): "
                    f"{_number(needed)} hours for {calendar_days(start, end)} days; "
                    f"{hours} given",
                    "teaching_hours_too_few",
                    {
                        "per_week": per_week,
                        "needed": _number(needed),
                        "given": str(hours),
                        "days": calendar_days(start, end),
                        "article": rule["article"],
                    },
                )
            )
    return problems
