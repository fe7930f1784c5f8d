"""Grants: individual support, travel, top-ups, pre-financing, balance and final amount.

Amounts are ``Decimal`` and each line is rounded to cents once, at its end. What a call pays
comes from its rate table (:mod:`docgen.rules.rates`); durations follow RULES.md
"Durations"; the final amount is recomputed from the real dates on the certificate of
attendance (erasmus-regulation-ro Art. 22(2), 43(2)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from docgen.domain.common import Activity
from docgen.domain.grant import QuoteRequest
from docgen.errors import InvalidInput, Problem
from docgen.rules.durations import Duration, check_duration, count_days
from docgen.rules.rates import ActivityRates, RateTable, Tier, load_rate_table, rate_tables
from docgen.rules.travel import TravelQuote, travel_grant
from docgen.rules.words import amount_in_words

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to cents, half up (the rounding of the programme's grant calculator)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """One line of individual support: ``quantity`` units at ``rate``."""

    kind: str  # "months", "extra_days", "days", "travel_days"
    quantity: int
    unit: str  # "month" or "day"
    rate: Decimal
    amount: Decimal
    from_day: int | None = None
    to_day: int | None = None


@dataclass(frozen=True)
class TopUpLine:
    """A top-up: a fixed ``amount``, or ``rate`` per month for the months and extra days."""

    id: str
    label: dict[str, str]
    amount: Decimal
    rate: Decimal | None = None
    months: int = 0
    extra_days: int = 0


@dataclass(frozen=True)
class Support:
    duration: Duration
    lines: tuple[Line, ...]
    top_ups: tuple[TopUpLine, ...]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def top_ups_amount(self) -> Decimal:
        return sum((t.amount for t in self.top_ups), Decimal(0))


@dataclass(frozen=True)
class Final:
    """The grant recomputed from the real dates, against what was paid in advance."""

    support: Support
    eligible: bool
    reason: str | None
    total: Decimal
    paid: Decimal

    @property
    def difference(self) -> Decimal:
        """Positive: still to pay; negative: to recover."""
        return self.total - self.paid


@dataclass(frozen=True)
class Quote:
    request: QuoteRequest
    table: RateTable
    support: Support
    travel: TravelQuote | None
    prefinancing_percent: Decimal
    final: Final | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def currency(self) -> str:
        return self.table.currency

    @property
    def total(self) -> Decimal:
        travel = self.travel.amount if self.travel else Decimal(0)
        return self.support.amount + self.support.top_ups_amount + travel

    @property
    def prefinancing(self) -> Decimal:
        return money(self.total * self.prefinancing_percent / 100)

    @property
    def balance(self) -> Decimal:
        return self.total - self.prefinancing


def _rates_for(table: RateTable, activity: Activity, days: int) -> ActivityRates:
    rates = table.activities[activity.value]
    short = rates.short_term
    if short is not None and days <= short.max_days:
        return ActivityRates(
            method=short.method, unit=short.unit, tiers=short.tiers, travel=short.travel
        )
    return rates


def _base_rate(rates: ActivityRates, table: RateTable, country: str | None) -> Decimal | None:
    if not isinstance(rates.rate, dict):
        return rates.rate
    group = table.group_of(country or "")
    if group is None or group not in rates.rate:
        raise InvalidInput.at(
            "/destination/country",
            f"the call {table.id} has no rate for host country {country or '(unknown)'}",
        )
    return rates.rate[group]


def _tier_rate(tier: Tier, base: Decimal | None) -> Decimal:
    if tier.rate is not None:
        return tier.rate
    assert base is not None and tier.percent is not None  # checked when the table loads
    return base * tier.percent / 100


def _day_lines(
    rates: ActivityRates, base: Decimal | None, days: int, travel_days: int
) -> list[Line]:
    if not rates.tiers:
        assert base is not None
        lines = [Line("days", days, "day", base, money(days * base))]
        if travel_days:
            lines.append(Line("travel_days", travel_days, "day", base, money(travel_days * base)))
        return lines
    # Tiers count every paid day, travel days included, from the first one.
    paid = days + travel_days
    lines, first = [], 1
    for tier in rates.tiers:
        last = min(paid, tier.to_day)
        if last >= first:
            rate = _tier_rate(tier, base)
            quantity = last - first + 1
            lines.append(
                Line("days", quantity, "day", money(rate), money(quantity * rate), first, last)
            )
        first = tier.to_day + 1
    return lines


def _month_lines(
    rates: ActivityRates, base: Decimal, days: int, exceptional: bool
) -> tuple[list[Line], int, int]:
    if rates.whole_months_only:
        # visiting-grant-regulation Art. 5: a month is at least 30 days; the exceptional
        # 14-day grant is paid as a full month; leftover days are not paid.
        months = days // 30
        if months == 0 and exceptional:
            months = 1
        if rates.max_months is not None:
            months = min(months, rates.max_months)
        return [Line("months", months, "month", base, money(months * base))], months, 0
    months, extra = divmod(days, 30)
    lines = [Line("months", months, "month", base, money(months * base))]
    if extra:
        # RULES.md "Durations": remaining days at the monthly rate / 30.
        lines.append(Line("extra_days", extra, "day", money(base / 30), money(extra * base / 30)))
    return lines, months, extra


def _top_ups(
    table: RateTable, request: QuoteRequest, duration: Duration, long_term: bool
) -> list[TopUpLine]:
    found = []
    for top in table.top_ups:
        if request.activity.value not in top.activities:
            continue
        if top.when and not getattr(request, top.when):
            continue
        amount: Decimal | None = None
        if top.amount is not None:
            amount = top.amount
        elif long_term and top.per_month is not None:
            amount = duration.months * top.per_month + duration.extra_days * top.per_month / 30
            if amount:
                found.append(
                    TopUpLine(
                        top.id,
                        dict(top.label),
                        money(amount),
                        top.per_month,
                        duration.months,
                        duration.extra_days,
                    )
                )
            continue
        elif not long_term:
            amount = next((s.amount for s in top.short_term if duration.days <= s.to_day), None)
        if amount:
            found.append(TopUpLine(top.id, dict(top.label), money(amount)))
    return found


def _support(
    table: RateTable, request: QuoteRequest, start: date, end: date
) -> tuple[Support, ActivityRates]:
    calendar = count_days("calendar", start, end, request.country)
    rates = _rates_for(table, request.activity, calendar)
    days = count_days(rates.method, start, end, request.country)
    base = _base_rate(rates, table, request.country)
    travel_days = request.travel_days if rates.travel_days_paid else 0
    months = extra = 0
    if rates.unit == "month":
        assert base is not None
        lines, months, extra = _month_lines(rates, base, days, request.exceptional_approval)
    else:
        lines = _day_lines(rates, base, days, travel_days)
    duration = Duration(days, request.travel_days, months, extra, rates.method)
    top_ups = _top_ups(table, request, duration, long_term=rates.unit == "month")
    return Support(duration, tuple(lines), tuple(top_ups)), rates


def find_table(call: str, extra_dir: str = "") -> RateTable:
    """Return a call's rate table, or an error listing the known ones."""
    table = load_rate_table(call, extra_dir)
    if table is None:
        known = ", ".join(sorted(rate_tables(extra_dir)))
        raise InvalidInput.at("/call", f"unknown call '{call}' (known: {known})")
    return table


def quote_grant(request: QuoteRequest, extra_dir: str = "") -> Quote:
    """Compute the grant of a mobility under its call's rate table.

    Raises ``InvalidInput`` listing every problem: an unknown call, an activity the call
    does not fund, a duration outside the limits, a place that cannot be found.
    """
    table = find_table(request.call, extra_dir)
    if request.activity.value not in table.activities:
        funded = ", ".join(table.activities)
        raise InvalidInput.at(
            "/activity", f"the call {table.id} does not fund {request.activity} (only {funded})"
        )
    problems: list[Problem] = check_duration(request, table)
    if problems:
        raise InvalidInput(problems)
    support, rates = _support(table, request, request.start, request.end)

    travel = None
    if table.travel_bands and rates.travel:
        if request.origin is None:
            raise InvalidInput.at("/origin", "is required: the call pays a travel grant")
        travel = travel_grant(
            request.origin, request.destination, table.travel_bands, request.green_travel
        )
    share = (
        request.prefinancing_percent
        if request.prefinancing_percent is not None
        else table.prefinancing_percent
    )
    quote = Quote(request, table, support, travel, share)
    if request.actual is not None:
        quote = Quote(request, table, support, travel, share, _final(quote))
    return quote


def _final(planned: Quote) -> Final:
    request, table = planned.request, planned.table
    actual = request.actual
    assert actual is not None
    problems = check_duration(request, table, actual.start, actual.end, "/actual")
    support, _ = _support(table, request, actual.start, actual.end)
    if problems:
        # Erasmus-regulation-ro Art. 22(2), 43(2): a mobility that does not meet the
        # minimum is not funded, and what was paid is recovered.
        return Final(support, False, problems[0].message, Decimal("0.00"), planned.prefinancing)
    travel = planned.travel.amount if planned.travel else Decimal(0)
    total = support.amount + support.top_ups_amount + travel
    return Final(support, True, None, total, planned.prefinancing)


def _amount(value: Decimal) -> str:
    return f"{money(value):.2f}"


def _duration_json(duration: Duration) -> dict:
    return {
        "days": duration.days,
        "travel_days": duration.travel_days,
        "months": duration.months,
        "extra_days": duration.extra_days,
        "method": duration.method,
    }


def _support_json(support: Support) -> tuple[dict, list]:
    lines = []
    for line in support.lines:
        item = {
            "kind": line.kind,
            "quantity": line.quantity,
            "unit": line.unit,
            "rate": _amount(line.rate),
            "amount": _amount(line.amount),
        }
        if line.from_day is not None:
            item.update(from_day=line.from_day, to_day=line.to_day)
        lines.append(item)
    top_ups = []
    for t in support.top_ups:
        item: dict = {"id": t.id, "label": t.label, "amount": _amount(t.amount)}
        if t.rate is not None:
            item.update(rate=_amount(t.rate), months=t.months, extra_days=t.extra_days)
        top_ups.append(item)
    return {"amount": _amount(support.amount), "lines": lines}, top_ups


def quote_to_json(quote: Quote) -> dict:
    """Return the quote in the shape of the CLI and API contract (amounts as strings)."""
    individual, top_ups = _support_json(quote.support)
    out: dict = {
        "call": quote.table.id,
        "currency": quote.currency,
        "duration": _duration_json(quote.support.duration),
        "travel": None
        if quote.travel is None
        else {
            "distance_km": float(quote.travel.distance_km),
            "band": quote.travel.band,
            "green": quote.travel.green,
            "amount": _amount(quote.travel.amount),
        },
        "individual_support": individual,
        "top_ups": top_ups,
        "total": _amount(quote.total),
        "prefinancing_percent": float(quote.prefinancing_percent),
        "prefinancing": _amount(quote.prefinancing),
        "balance": _amount(quote.balance),
        "in_words": {
            lang: amount_in_words(money(quote.total), quote.currency, lang)  # type: ignore[arg-type]
            for lang in ("ro", "en")
        },
        "example_rates": quote.table.example,
        "source": quote.table.source,
    }
    if quote.final is not None:
        final = quote.final
        final_support, final_top_ups = _support_json(final.support)
        out["final"] = {
            "duration": _duration_json(final.support.duration),
            "eligible": final.eligible,
            "reason": final.reason,
            "individual_support": final_support,
            "top_ups": final_top_ups,
            "total": _amount(final.total),
            "paid": _amount(final.paid),
            "difference": _amount(final.difference),
            "to_pay": _amount(max(final.difference, Decimal(0))),
            "to_recover": _amount(max(-final.difference, Decimal(0))),
        }
    return out
