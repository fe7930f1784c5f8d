"""Grants: individual support, travel, top-ups, pre-financing, balance and final amount.

Amounts are ``Decimal`` and each line is rounded to cents once, at its end. What a call pays
comes from its rate table (:mod:`docgen.rules.rates`); durations follow RULES.md
"Durations"; the final amount is recomputed from the real dates on the certificate of
attendance (erasmus-regulation-ro Art. 22(2), 43(2)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from docgen.domain.common import Activity
from docgen.domain.grant import QuoteRequest
from docgen.errors import InvalidInput, Problem
from docgen.rules.durations import Duration, check_duration, count_days
from docgen.rules.rates import (
    ActivityRates,
    RateTable,
    Tier,
    TopUp,
    load_rate_table,
    rate_tables,
)
from docgen.rules.travel import TravelQuote, travel_grant
from docgen.rules.words import amount_in_words

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to cents, half up (the rounding of the programme's grant calculator)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """One line of individual support: ``quantity`` units at ``rate``.

    ``basis`` is the formula with its numbers (``4 x 690.00``, ``16 x 670.00 / 30``): it
    multiplies out to ``amount``; ``rate_basis`` says how a derived rate is made (``690.00 /
    30``, ``70 % x 180.00``); ``source`` is the rate table's entry and its article.
    """

    kind: str  # "months", "extra_days", "days", "travel_days"
    quantity: int
    unit: str  # "month" or "day"
    rate: Decimal
    amount: Decimal
    basis: str
    source: str
    from_day: int | None = None
    to_day: int | None = None
    rate_basis: str | None = None


@dataclass(frozen=True)
class TopUpLine:
    """A top-up: a fixed ``amount``, or ``rate`` per month for the months and extra days."""

    id: str
    label: dict[str, str]
    amount: Decimal
    basis: str
    source: str
    rate: Decimal | None = None
    months: int = 0
    extra_days: int = 0


@dataclass(frozen=True)
class Support:
    duration: Duration
    lines: tuple[Line, ...]
    top_ups: tuple[TopUpLine, ...]
    travel_support: bool
    travel_support_rule: str

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def top_ups_amount(self) -> Decimal:
        return sum((t.amount for t in self.top_ups), Decimal(0))

    @property
    def basis(self) -> str:
        return " + ".join(line.basis for line in self.lines if line.quantity) or "0.00"


@dataclass(frozen=True)
class Final:
    """The grant recomputed from the real dates, against what was paid so far.

    ``computed`` is what the real dates give; ``total`` is that, capped at the contract's
    total (or the amended one): a longer stay is paid only after a written amendment raises
    the contract (contract Art. 2(4)).
    """

    support: Support
    eligible: bool
    reason: str | None
    computed: Decimal
    total: Decimal
    paid: Decimal
    paid_basis: str
    cap: Decimal
    capped: bool
    cap_reason: str | None
    # The reasons as codes with the values they quote, for a door to say in its language.
    reason_code: str | None = None
    reason_params: Mapping[str, Any] = field(default_factory=dict)
    cap_reason_code: str | None = None
    cap_reason_params: Mapping[str, Any] = field(default_factory=dict)

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
    prefinancing_percent: Decimal | None
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
    def monthly(self) -> bool:
        return self.table.payment == "monthly"

    @property
    def prefinancing(self) -> Decimal | None:
        if self.prefinancing_percent is None:
            return None
        return money(self.total * self.prefinancing_percent / 100)

    @property
    def balance(self) -> Decimal | None:
        prefinancing = self.prefinancing
        return None if prefinancing is None else self.total - prefinancing

    @property
    def basis(self) -> str:
        parts = [_fmt(self.support.amount)]
        parts += [_fmt(t.amount) for t in self.support.top_ups]
        if self.travel is not None:
            parts.append(_fmt(self.travel.amount))
        return " + ".join(parts)


def _fmt(value: Decimal) -> str:
    return f"{money(value):.2f}"


def _exact(value: Decimal) -> bool:
    return value == money(value)


def _rates_for(table: RateTable, activity: Activity, calendar: int) -> tuple[ActivityRates, str]:
    rates = table.activities[activity.value]
    source = rates.source or table.source
    short = rates.short_term
    if short is not None and calendar <= short.max_days:
        short_rates = ActivityRates(
            method=short.method, unit=short.unit, tiers=short.tiers, travel=short.travel
        )
        return short_rates, short.source or source
    return rates, source


def _base_rate(rates: ActivityRates, table: RateTable, country: str | None) -> Decimal | None:
    if not isinstance(rates.rate, dict):
        return rates.rate
    group = table.group_of(country or "")
    if group is None or group not in rates.rate:
        raise InvalidInput.at(
            "/destination/country",
            f"the call {table.id} has no rate for host country {country or '(unknown)'}",
            "no_rate_for_country",
            call=table.id,
            country=country or "",
        )
    return rates.rate[group]


def _tier_rate(tier: Tier, base: Decimal | None) -> tuple[Decimal, str | None]:
    if tier.rate is not None:
        return tier.rate, None
    assert base is not None and tier.percent is not None  # checked when the table loads
    if tier.percent == 100:
        return base, None
    return base * tier.percent / 100, f"{tier.percent.normalize():f} % x {_fmt(base)}"


def _times(quantity: int, rate: Decimal, rate_basis: str | None) -> str:
    """``quantity x rate``, or the formula when the rate is not a whole number of cents."""
    if _exact(rate) or rate_basis is None:
        return f"{quantity} x {_fmt(rate)}"
    return f"{quantity} x {rate_basis}"


def _day_lines(
    rates: ActivityRates,
    base: Decimal | None,
    days: int,
    travel_days: int,
    source: str,
) -> list[Line]:
    if not rates.tiers:
        assert base is not None
        lines = [
            Line("days", days, "day", base, money(days * base), f"{days} x {_fmt(base)}", source)
        ]
        if travel_days:
            lines.append(
                Line(
                    "travel_days",
                    travel_days,
                    "day",
                    base,
                    money(travel_days * base),
                    f"{travel_days} x {_fmt(base)}",
                    source,
                )
            )
        return lines
    # Tiers count every paid day, travel days included, from the first one; the last tier
    # runs on over travel days past its last day (the limit is on the days of activity).
    paid = days + travel_days
    lines, first = [], 1
    for i, tier in enumerate(rates.tiers):
        last = paid if i == len(rates.tiers) - 1 else min(paid, tier.to_day)
        if last >= first:
            rate, rate_basis = _tier_rate(tier, base)
            quantity = last - first + 1
            lines.append(
                Line(
                    "days",
                    quantity,
                    "day",
                    money(rate),
                    money(quantity * rate),
                    _times(quantity, rate, rate_basis),
                    tier.source or source,
                    first,
                    last,
                    rate_basis,
                )
            )
        first = tier.to_day + 1
    return lines


def _month_lines(
    rates: ActivityRates, base: Decimal, days: int, exceptional: bool, source: str
) -> tuple[list[Line], int, int]:
    if rates.whole_months_only:
        # visiting-grant-regulation Art. 5: a month is at least 30 days; the exceptional
        # 14-day grant is paid as a full month; leftover days are not paid.
        months = days // 30
        if months == 0 and exceptional:
            months = 1
        if rates.max_months is not None:
            months = min(months, rates.max_months)
        return [_months_line(months, base, source)], months, 0
    months, extra = divmod(days, 30)
    lines = [_months_line(months, base, source)]
    if extra:
        # Remaining days at the monthly rate / 30 (EC Beneficiary Module, 30/360).
        lines.append(_per_day_of_month("extra_days", extra, base, source))
    return lines, months, extra


def _months_line(months: int, base: Decimal, source: str) -> Line:
    return Line(
        "months", months, "month", base, money(months * base), f"{months} x {_fmt(base)}", source
    )


def _per_day_of_month(kind: str, quantity: int, base: Decimal, source: str) -> Line:
    rate = base / 30
    rate_basis = f"{_fmt(base)} / 30"
    return Line(
        kind,
        quantity,
        "day",
        money(rate),
        money(quantity * rate),
        _times(quantity, rate, rate_basis),
        source,
        rate_basis=rate_basis,
    )


def _receives_travel(rates: ActivityRates, request: QuoteRequest) -> bool:
    if rates.travel == "all":
        return True
    if rates.travel == "fewer_opportunities":
        return request.fewer_opportunities
    return False


_TRAVEL_RULE = {
    "all": "every participant of this activity receives travel support",
    "fewer_opportunities": "only participants with fewer opportunities receive travel support",
    "none": "the call pays no travel support for this activity",
}


def _green_top_up(table: RateTable, request: QuoteRequest) -> TopUp | None:
    return next(
        (
            t
            for t in table.top_ups
            if t.when == "green_travel" and request.activity.value in t.activities
        ),
        None,
    )


def _top_ups(
    table: RateTable,
    request: QuoteRequest,
    duration: Duration,
    long_term: bool,
    receives_travel: bool,
) -> list[TopUpLine]:
    found = []
    for top in table.top_ups:
        if request.activity.value not in top.activities:
            continue
        if top.when and not getattr(request, top.when):
            continue
        source = top.source or table.source
        if top.when == "green_travel":
            # Only a student without travel support gets the green top-up; whoever receives
            # travel support is paid the green band amount instead (RULES.md "Money").
            if receives_travel or top.amount is None:
                continue
            found.append(
                TopUpLine(
                    top.id, dict(top.label), money(top.amount), f"{_fmt(top.amount)} once", source
                )
            )
            continue
        if long_term and top.per_month is not None:
            amount = duration.months * top.per_month + duration.extra_days * top.per_month / 30
            if amount:
                basis = f"{duration.months} x {_fmt(top.per_month)}"
                if duration.extra_days:
                    basis += " + " + _times(
                        duration.extra_days, top.per_month / 30, f"{_fmt(top.per_month)} / 30"
                    )
                found.append(
                    TopUpLine(
                        top.id,
                        dict(top.label),
                        money(amount),
                        basis,
                        source,
                        top.per_month,
                        duration.months,
                        duration.extra_days,
                    )
                )
            continue
        if not long_term:
            tier = next((s for s in top.short_term if duration.days <= s.to_day), None)
            if tier is not None and tier.amount:
                found.append(
                    TopUpLine(
                        top.id,
                        dict(top.label),
                        money(tier.amount),
                        f"{_fmt(tier.amount)} for up to {tier.to_day} days",
                        source,
                    )
                )
    return found


def _support(
    table: RateTable, request: QuoteRequest, start: date, end: date
) -> tuple[Support, ActivityRates]:
    calendar = count_days("calendar", start, end, request.country)
    rates, source = _rates_for(table, request.activity, calendar)
    days = count_days(rates.method, start, end, request.country)
    base = _base_rate(rates, table, request.country)
    receives = bool(table.travel_bands) and _receives_travel(rates, request)
    green = _green_top_up(table, request)
    green_days = 0
    if request.green_travel and not receives and green is not None:
        # The green-travel top-up adds up to ``travel_days_max`` days of individual support.
        green_days = request.travel_days
    travel_days = request.travel_days if rates.travel_days_paid else 0
    months = extra = 0
    if rates.unit == "month":
        assert base is not None
        lines, months, extra = _month_lines(rates, base, days, request.exceptional_approval, source)
        if green_days:
            lines.append(
                _per_day_of_month(
                    "travel_days", green_days, base, (green.source if green else None) or source
                )
            )
    else:
        lines = _day_lines(rates, base, days, travel_days or green_days, source)
    duration = Duration(days, request.travel_days, months, extra, rates.method)
    top_ups = _top_ups(table, request, duration, rates.unit == "month", receives)
    rule = _TRAVEL_RULE[rates.travel] if table.travel_bands else "the call has no travel line"
    support = Support(duration, tuple(lines), tuple(top_ups), receives, rule)
    return support, rates


def find_table(call: str, extra_dir: str = "") -> RateTable:
    """Return a call's rate table, or an error listing the known ones."""
    table = load_rate_table(call, extra_dir)
    if table is None:
        known = ", ".join(sorted(rate_tables(extra_dir)))
        raise InvalidInput.at(
            "/call",
            f"unknown call '{call}' (known: {known})",
            "unknown_call",
            call=call,
            known=known,
        )
    return table


def _check_places(request: QuoteRequest, table: RateTable) -> list[Problem]:
    """Direction and countries: outgoing leaves the home country, incoming comes to it."""
    home = table.home_country
    problems: list[Problem] = []
    if request.direction.value not in table.directions:
        covered = " and ".join(table.directions)
        problems.append(
            Problem(
                "/direction",
                f"the call {table.id} covers {covered} mobilities only",
                "direction_not_covered",
                {"call": table.id, "directions": covered},
            )
        )
        return problems
    country = request.country
    origin = request.origin.country if request.origin else None
    if request.direction.value == "outgoing":
        if country == home:
            problems.append(
                Problem(
                    "/destination/country",
                    f"an outgoing mobility goes abroad; this host is in {home}",
                    "outgoing_at_home",
                    {"home": home},
                )
            )
    else:
        if origin == home:
            problems.append(
                Problem(
                    "/origin/country",
                    f"an incoming mobility comes from abroad, not {home}",
                    "incoming_from_home",
                    {"home": home},
                )
            )
        if country is not None and country != home:
            problems.append(
                Problem(
                    "/destination/country",
                    f"an incoming mobility takes place in {home}; this one is in {country}",
                    "incoming_abroad",
                    {"home": home, "country": country},
                )
            )
    return problems


def _check_travel_days(
    request: QuoteRequest, table: RateTable, rates: ActivityRates, receives: bool
) -> list[Problem]:
    if not request.green_travel or receives or rates.travel_days_paid:
        return []
    green = _green_top_up(table, request)
    if green is None or green.travel_days_max is None:
        return []
    if request.travel_days > green.travel_days_max:
        return [
            Problem(
                "/travel_days",
                f"the green-travel top-up pays at most {green.travel_days_max} travel days "
                f"({green.source or table.source}); {request.travel_days} given",
                "green_travel_days",
                {
                    "max": green.travel_days_max,
                    "given": request.travel_days,
                    "source": green.source or table.source,
                },
            )
        ]
    return []


def quote_grant(request: QuoteRequest, extra_dir: str = "") -> Quote:
    """Compute the grant of a mobility under its call's rate table.

    Raises ``InvalidInput`` listing every problem: an unknown call, an activity or a
    direction the call does not fund, a host or origin in the wrong country, a duration
    outside the limits, missing teaching hours, a place that cannot be found.
    """
    table = find_table(request.call, extra_dir)
    if request.activity.value not in table.activities:
        funded = ", ".join(table.activities)
        raise InvalidInput.at(
            "/activity",
            f"the call {table.id} does not fund {request.activity} (only {funded})",
            "activity_not_funded",
            call=table.id,
            activity=request.activity.value,
            funded=funded,
        )
    problems: list[Problem] = _check_places(request, table)
    problems += check_duration(request, table)
    if request.prefinancing_percent is not None and table.payment == "monthly":
        problems.append(
            Problem(
                "/prefinancing_percent",
                f"the call {table.id} pays monthly ({table.payment_source}): no pre-financing",
                "no_prefinancing",
                {"call": table.id, "source": table.payment_source},
            )
        )
    if problems:
        raise InvalidInput(problems)
    support, rates = _support(table, request, request.start, request.end)
    problems = _check_travel_days(request, table, rates, support.travel_support)
    if problems:
        raise InvalidInput(problems)

    travel = None
    if support.travel_support:
        if request.origin is None:
            raise InvalidInput.at(
                "/origin", "is required: the call pays a travel grant", "origin_for_travel"
            )
        travel = travel_grant(
            request.origin, request.destination, table.travel_bands or "", request.green_travel
        )
    share = (
        request.prefinancing_percent
        if request.prefinancing_percent is not None
        else table.prefinancing_percent
    )
    quote = Quote(request, table, support, travel, share)
    if request.actual is not None:
        quote = Quote(request, table, support, travel, share, _final(quote, extra_dir))
    return quote


def _final(planned: Quote, extra_dir: str) -> Final:
    request, table = planned.request, planned.table
    actual = request.actual
    assert actual is not None
    if request.activity is Activity.STA and actual.teaching_hours is None:
        raise InvalidInput.at(
            "/actual/teaching_hours",
            "is required: the certificate of a teaching mobility states its teaching hours",
            "certificate_teaching_hours",
        )
    problems = check_duration(
        request, table, actual.start, actual.end, "/actual", actual.teaching_hours
    )
    support, _ = _support(table, request, actual.start, actual.end)

    cap, cap_name = planned.total, "the contract's total"
    if request.amendment is not None:
        amended = request.model_copy(
            update={
                "start": request.amendment.start or request.start,
                "end": request.amendment.end,
                "actual": None,
                "amendment": None,
            }
        )
        cap = quote_grant(amended, extra_dir).total
        cap_name = (
            f"the total of amendment {request.amendment.number} of "
            f"{request.amendment.signed_on.isoformat()}"
        )

    if planned.monthly:
        rate = planned.support.lines[0].rate
        paid = money(actual.months_paid * rate)
        paid_basis = f"{actual.months_paid} x {_fmt(rate)} paid monthly ({table.payment_source})"
    else:
        paid = planned.prefinancing or Decimal(0)
        paid_basis = f"pre-financing {_fmt(paid)}"

    if problems:
        # Erasmus-regulation-ro Art. 22(2), 43(2): a mobility that does not meet the
        # minimum is not funded, and what was paid is recovered.
        return Final(
            support,
            False,
            problems[0].message,
            Decimal("0.00"),
            Decimal("0.00"),
            paid,
            paid_basis,
            cap,
            False,
            None,
            problems[0].code,
            dict(problems[0].params),
        )
    travel = planned.travel.amount if planned.travel else Decimal(0)
    computed = support.amount + support.top_ups_amount + travel
    capped = computed > cap
    reason = None
    cap_params: dict[str, Any] = {}
    if capped:
        cap_params = {"computed": _fmt(computed), "cap": _fmt(cap), "currency": table.currency}
        if request.amendment is not None:
            cap_params.update(
                amendment=request.amendment.number,
                signed_on=request.amendment.signed_on.isoformat(),
            )
        reason = (
            f"the real dates give {_fmt(computed)} {table.currency}, more than {cap_name} "
            f"({_fmt(cap)} {table.currency}): a longer stay is paid only after a written "
            "amendment raises the contract (contract Art. 2(4))"
        )
    cap_code = None
    if capped:
        cap_code = "capped_at_amendment" if request.amendment is not None else "capped_at_contract"
    return Final(
        support,
        True,
        None,
        computed,
        min(computed, cap),
        paid,
        paid_basis,
        cap,
        capped,
        reason,
        cap_reason_code=cap_code,
        cap_reason_params=cap_params,
    )


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{money(value):.2f}"


def _duration_json(duration: Duration) -> dict[str, Any]:
    return {
        "days": duration.days,
        "travel_days": duration.travel_days,
        "months": duration.months,
        "extra_days": duration.extra_days,
        "method": duration.method,
    }


def _support_json(support: Support) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines: list[dict[str, Any]] = []
    for line in support.lines:
        item: dict[str, Any] = {
            "kind": line.kind,
            "quantity": line.quantity,
            "unit": line.unit,
            "rate": _amount(line.rate),
            "amount": _amount(line.amount),
            "basis": line.basis,
            "source": line.source,
        }
        if line.rate_basis is not None:
            item["rate_basis"] = line.rate_basis
        if line.from_day is not None:
            item.update(from_day=line.from_day, to_day=line.to_day)
        lines.append(item)
    top_ups = []
    for t in support.top_ups:
        item = {
            "id": t.id,
            "label": t.label,
            "amount": _amount(t.amount),
            "basis": t.basis,
            "source": t.source,
        }
        if t.rate is not None:
            item.update(rate=_amount(t.rate), months=t.months, extra_days=t.extra_days)
        top_ups.append(item)
    individual = {"amount": _amount(support.amount), "basis": support.basis, "lines": lines}
    return individual, top_ups


def _travel_json(quote: Quote) -> dict[str, Any] | None:
    travel = quote.travel
    if travel is None:
        return None
    kind = "green" if travel.green else "standard"
    if travel.band is None:
        basis = f"{travel.distance_km} km: below 10 km, no travel grant"
    else:
        basis = (
            f"{travel.distance_km} km: band {travel.band} km, {kind} travel: {_fmt(travel.amount)}"
        )
    return {
        "distance_km": float(travel.distance_km),
        "band": travel.band,
        "green": travel.green,
        "amount": _amount(travel.amount),
        "basis": basis,
        "source": f"Erasmus+ Programme Guide, travel bands of the calls {quote.table.travel_bands}"
        " (one-way great-circle distance, EC distance calculator)",
    }


def quote_to_json(quote: Quote) -> dict[str, Any]:
    """Return the quote in the shape of the CLI and API contract (amounts as strings).

    Every line carries its ``basis`` (the formula with its numbers) and its ``source`` (the
    rate table's entry and the article or Programme Guide section).
    """
    individual, top_ups = _support_json(quote.support)
    table = quote.table
    out: dict[str, Any] = {
        "call": table.id,
        "currency": quote.currency,
        "duration": _duration_json(quote.support.duration),
        "travel_support": {
            "receives": quote.support.travel_support,
            "rule": quote.support.travel_support_rule,
        },
        "travel": _travel_json(quote),
        "individual_support": individual,
        "top_ups": top_ups,
        "total": _amount(quote.total),
        "total_basis": quote.basis,
        "payment": {
            "kind": table.payment,
            "source": table.payment_source or table.source,
        },
        "prefinancing_percent": None
        if quote.prefinancing_percent is None
        else float(quote.prefinancing_percent),
        "prefinancing": _amount(quote.prefinancing),
        "balance": _amount(quote.balance),
        "in_words": {
            lang: amount_in_words(money(quote.total), quote.currency, lang)  # type: ignore[arg-type]
            for lang in ("ro", "en")
        },
        "example_rates": table.example,
        "source": table.source,
    }
    if quote.monthly:
        first = quote.support.lines[0]
        out["payment"].update(instalments=first.quantity, per_instalment=_amount(first.rate))
    if quote.final is not None:
        final = quote.final
        final_support, final_top_ups = _support_json(final.support)
        out["final"] = {
            "duration": _duration_json(final.support.duration),
            "eligible": final.eligible,
            "reason": final.reason,
            "reason_code": final.reason_code,
            "reason_params": dict(final.reason_params),
            "individual_support": final_support,
            "top_ups": final_top_ups,
            "computed": _amount(final.computed),
            "cap": _amount(final.cap),
            "capped": final.capped,
            "cap_reason": final.cap_reason,
            "cap_reason_code": final.cap_reason_code,
            "cap_reason_params": dict(final.cap_reason_params),
            "total": _amount(final.total),
            "paid": _amount(final.paid),
            "paid_basis": final.paid_basis,
            "difference": _amount(final.difference),
            "to_pay": _amount(max(final.difference, Decimal(0))),
            "to_recover": _amount(max(-final.difference, Decimal(0))),
        }
    return out
