"""The financial contract: the participant's grant, computed by the rules from the call's
rate table, with its lines, pre-financing and balance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from docgen.documents.context import institution, person, place_name, representative
from docgen.documents.filters import filters
from docgen.documents.kinds.base import Kind
from docgen.documents.labels import label
from docgen.domain.financial_contract import FinancialContract
from docgen.errors import InvalidInput
from docgen.rules.grants import Line, Quote, quote_grant

# Where a grant problem sits in the contract payload (the quote's pointers are its own).
_QUOTE_POINTERS = {"/call": "/call/rate_table", "/prefinancing_percent": "/prefinancing_percent"}


def contract_quote(payload: FinancialContract, rates_dir: str = "") -> Quote:
    """Compute the contract's money with the rules; problems point into the contract.

    ``rates_dir`` holds the extra rate tables (the RATES_DIR setting) beside the shipped ones.
    """
    try:
        return quote_grant(payload.quote_request(), rates_dir)
    except InvalidInput as exc:
        moved = []
        for p in exc.problems:
            head = "/" + p.pointer.split("/")[1] if p.pointer else ""
            target = _QUOTE_POINTERS.get(head)
            where = target + p.pointer[len(head) :] if target else "/mobility" + p.pointer
            moved.append(p.at(where))
        raise InvalidInput(moved) from exc


def _rate_text(line: Line, currency: str, lang: str) -> str:
    """The rate as the contract prints it: exact, or with the formula it comes from."""
    money = filters(lang)["money"]
    if line.rate_basis is None:
        return money(line.rate, currency)
    left, _, right = line.rate_basis.partition(" / ")
    if right:  # monthly rate / 30
        base = money(Decimal(left), currency)
        if line.rate * 30 == Decimal(left):
            return f"{money(line.rate, currency)} ({base} / 30)"
        return f"{base} / 30"
    percent, _, base = line.rate_basis.partition(" % x ")
    return f"{money(line.rate, currency)} ({percent} % × {money(Decimal(base), currency)})"


def _lines(quote: Quote, lang: str) -> list[dict[str, Any]]:
    lines = []
    for line in quote.support.lines:
        name = label("line", line.kind, lang)
        if line.from_day is not None:
            span = f"{line.from_day}-{line.to_day}"
            name = f"{label('line', 'days', lang)} {span}"
        lines.append(
            {
                "kind": line.kind,
                "label": name,
                "quantity": line.quantity,
                "unit": label("unit", line.unit, lang),
                "rate": line.rate,
                "rate_text": _rate_text(line, quote.currency, lang),
                "amount": line.amount,
                "source": line.source,
            }
        )
    return lines


def grant_context(quote: Quote, lang: str) -> dict[str, Any]:
    d = quote.support.duration
    travel = quote.travel
    return {
        "currency": quote.currency,
        "call_title": quote.table.title[lang],
        "example_rates": quote.table.example,
        "days": d.days,
        "travel_days": d.travel_days,
        "months": d.months,
        "extra_days": d.extra_days,
        "method": d.method,
        "method_name": label("method", d.method, lang),
        "lines": _lines(quote, lang),
        "individual_support": quote.support.amount,
        "travel": None
        if travel is None
        else {
            "distance_km": travel.distance_km,
            "band": travel.band or "",
            "green": travel.green,
            "amount": travel.amount,
        },
        "top_ups": [
            {
                "id": t.id,
                "label": t.label[lang],
                "amount": t.amount,
                "rate": t.rate,
                "months": t.months,
                "extra_days": t.extra_days,
            }
            for t in quote.support.top_ups
        ],
        "total": quote.total,
        "total_basis": quote.basis,
        "monthly": quote.monthly,
        "prefinancing_percent": quote.prefinancing_percent,
        "prefinancing": quote.prefinancing,
        "balance": quote.balance,
    }


def financial_contract_context(
    payload: FinancialContract, lang: str, rates_dir: str = ""
) -> dict[str, Any]:
    quote = contract_quote(payload, rates_dir)
    m = payload.mobility
    mobility = m.model_dump(
        exclude={"host", "origin", "destination", "actual", "department_director"}
    )
    mobility.update(
        activity=m.activity.value,
        activity_name=label("activity", m.activity.value, lang),
        direction=m.direction.value,
        host=institution(m.host, lang),
        origin=place_name(m.origin, lang),
        destination=place_name(m.destination, lang),
        eqf_name=label("eqf", str(m.eqf), lang) if m.eqf else None,
        department_director=representative(m.department_director),
    )
    return {
        "number": payload.number,
        "signed_on": payload.signed_on,
        "place": payload.place,
        "call": payload.call.model_dump(),
        "university": institution(payload.university, lang),
        "participant": person(payload.participant, lang),
        "bank": payload.bank.model_dump(),
        "mobility": mobility,
        "grant": grant_context(quote, lang),
        "is_visiting": m.activity.value == "VISIT",
        "is_staff": m.activity.value in {"STA", "STT"},
        "is_student": m.activity.value in {"SMS", "SMT", "BIP"},
        "insurance_by_participant": payload.insurance_by_participant,
        "ols": payload.ols,
    }


KIND = Kind(
    "financial_contract",
    {"ro": "Contract financiar", "en": "Financial agreement"},
    FinancialContract,
    financial_contract_context,
    lambda p: p.number,
    order=20,
)
