"""Build each kind's template context: plain data (str, int, Decimal, date, lists, dicts).

Computed values (grants, durations, totals, rankings) come from :mod:`docgen.rules`; the
payload never carries them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from docgen.documents.filters import filters
from docgen.documents.labels import label
from docgen.domain.certificate_of_attendance import CertificateOfAttendance
from docgen.domain.common import Institution, Person, Place, Representative
from docgen.domain.financial_contract import FinancialContract
from docgen.domain.learning_agreement import Component, LearningAgreement, Signatory
from docgen.domain.selection_minutes import SelectionMinutes
from docgen.errors import InvalidInput
from docgen.rules.calendar import calendar_days
from docgen.rules.grants import Line, Quote, quote_grant
from docgen.rules.selection import rank_candidates


def representative(rep: Representative | Signatory | None) -> dict[str, Any] | None:
    if rep is None:
        return None
    data = rep.model_dump()
    data.setdefault("email", None)
    return data


def institution(inst: Institution, lang: str) -> dict[str, Any]:
    data = inst.model_dump(exclude={"legal_representative", "contact"})
    data["name"] = inst.name_ro if lang == "ro" else inst.name_en
    data["country_name"] = label("country", inst.country, lang)
    data["legal_representative"] = representative(inst.legal_representative)
    data["contact"] = representative(inst.contact)
    return data


def person(p: Person, lang: str) -> dict[str, Any]:
    data = p.model_dump()
    data["full_name"] = p.full_name
    data["nationality_name"] = label("country", p.nationality, lang) if p.nationality else None
    data["gender_name"] = label("gender", p.gender.value, lang) if p.gender else None
    return data


def place_name(place: Place | None, lang: str) -> str | None:
    if place is None:
        return None
    if place.city:
        country = label("country", place.country, lang) if place.country else ""
        return f"{place.city}, {country}" if country else place.city
    return f"{place.lat:.4f}, {place.lon:.4f}"


# --- certificate of attendance -------------------------------------------------------------


def certificate_context(payload: CertificateOfAttendance, lang: str) -> dict[str, Any]:
    data = payload.model_dump(
        exclude={"issuer", "signer", "participant", "sending", "virtual", "activity"}
    )
    data.update(
        issuer=institution(payload.issuer, lang),
        signer=representative(payload.signer),
        participant=person(payload.participant, lang),
        sending=institution(payload.sending, lang),
        activity=payload.activity.value,
        activity_name=label("activity", payload.activity.value, lang),
        days=calendar_days(payload.start, payload.end),
        is_teaching=payload.activity.value == "STA",
        virtual=payload.virtual.model_dump() if payload.virtual else None,
    )
    return data


# --- learning agreement --------------------------------------------------------------------


def _rows(components: list[Component]) -> list[dict[str, Any]]:
    return [
        {**c.model_dump(), "code": c.code or "", "semester": c.semester or ""} for c in components
    ]


def _signature(signatory: Signatory | None) -> dict[str, Any]:
    """A signature block: blank (not "None") where nobody signed or a detail is unknown."""
    if signatory is None:
        return {"name": "", "position": "", "email": "", "date": None, "timestamp": None}
    data = signatory.model_dump()
    data.update(position=signatory.position or "", email=signatory.email or "")
    return data


def _ects(components: list[Component]) -> Decimal:
    return sum((c.ects for c in components), Decimal(0))


def learning_agreement_context(payload: LearningAgreement, lang: str) -> dict[str, Any]:
    student = person(payload.student, lang)
    student["eqf_name"] = label("eqf", str(payload.student.eqf), lang)
    changes = [
        {
            "table": change.table,
            "action": change.action,
            "action_name": label(
                "change_action",
                f"proposed_{change.action}" if change.proposed else change.action,
                lang,
            ),
            **_rows([change.component])[0],
            "reason": change.reason.value,
            "reason_name": label("change_reason", change.reason.value, lang),
            "note": change.note or "",
        }
        for change in payload.changes
    ]
    return {
        "reference": payload.reference,
        "academic_year": payload.academic_year,
        "student": student,
        "sending": institution(payload.sending, lang),
        "receiving": institution(payload.receiving, lang),
        "start": payload.start,
        "end": payload.end,
        "table_a": _rows(payload.table_a),
        "total_a": _ects(payload.table_a),
        "table_b": _rows(payload.table_b),
        "total_b": _ects(payload.table_b),
        "automatic_recognition": payload.automatic_recognition,
        "table_c": _rows(payload.table_c),
        "total_c": _ects(payload.table_c),
        "has_table_c": bool(payload.table_c),
        "language": payload.language,
        "cefr": payload.cefr,
        "student_signature": _signature(payload.student_signature),
        "sending_responsible": _signature(payload.sending_responsible),
        "receiving_responsible": _signature(payload.receiving_responsible),
        "changes": changes,
        "has_changes": bool(changes),
    }


# --- financial contract --------------------------------------------------------------------

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


# --- selection minutes ---------------------------------------------------------------------


def minutes_ranking(payload: SelectionMinutes) -> dict[str, Any]:
    """Rank the minutes' candidates with the rules; problems point into the minutes.

    The criteria set must be one for the call's activity (a teaching call is not ranked with
    the students' criteria).
    """
    try:
        ranking = rank_candidates(payload.selection)
    except InvalidInput as exc:
        moved = [p.at("/selection" + p.pointer) for p in exc.problems]
        raise InvalidInput(moved) from exc
    activity = payload.call.activity.value
    if activity not in ranking["activities"]:
        raise InvalidInput.at(
            "/selection/criteria_set",
            f"the criteria set {ranking['criteria_set']} ranks "
            f"{', '.join(ranking['activities'])} mobilities; the call is for {activity}",
        )
    return ranking


def selection_minutes_context(payload: SelectionMinutes, lang: str) -> dict[str, Any]:
    ranking = minutes_ranking(payload)
    keys = [c["key"] for c in ranking["criteria"]]
    places = {p["id"]: p for p in ranking["places"]}
    candidates = []
    for c in ranking["candidates"]:
        allocated = places.get(c["allocated"]) if c["allocated"] else None
        candidates.append(
            {
                "rank": c["rank"],
                "id": c["id"],
                "name": c["name"] or c["id"],
                "points": [Decimal(str(c["points"][k])) for k in keys],
                "total": Decimal(str(c["total"])),
                "status": c["status"],
                "status_name": label("status", c["status"], lang),
                "allocated": c["allocated"] or "",
                "allocated_label": (allocated["label"] or allocated["id"]) if allocated else "",
                "reason": (c["reason_ro"] if lang == "ro" else c["reason"]) or "",
                "reason_source": c["reason_source"] or "",
                "tie_break": (c["tie_break_ro"] if lang == "ro" else c["tie_break"]) or "",
                "preferences": ", ".join(c["preferences"]),
            }
        )
    by_status = {
        s: [c for c in candidates if c["status"] == s]
        for s in ("admitted", "reserve", "rejected", "withdrawn")
    }
    threshold = ranking["threshold"]
    return {
        "university": institution(payload.university, lang),
        "number": payload.number,
        "meeting_date": payload.meeting_date,
        "place": payload.place,
        "call": {
            **payload.call.model_dump(),
            "activity": payload.call.activity.value,
            "activity_name": label("activity", payload.call.activity.value, lang),
        },
        "committee": [
            {**m.model_dump(), "role_name": label("role", m.role, lang)} for m in payload.committee
        ],
        "criteria_title": ranking["title"][lang],
        "criteria_source": ranking["source"],
        "criteria": [
            {"key": c["key"], "label": c[f"label_{lang}"], "max": Decimal(str(c["max"]))}
            for c in ranking["criteria"]
        ],
        "max_total": Decimal(str(ranking["max_total"])),
        "threshold": Decimal(str(threshold)) if threshold is not None else None,
        "places": [{**p, "label": p["label"] or p["id"]} for p in ranking["places"]],
        "candidates": candidates,
        "admitted": by_status["admitted"],
        "reserves": by_status["reserve"],
        "rejected": by_status["rejected"],
        "withdrawn": by_status["withdrawn"],
        "tie_break": [t[lang] for t in ranking["tie_break"]],
        "appeal_text": ranking["appeal_text"][lang],
        "appeal_rule": ranking["appeal_rule"],
        "last_admitted_total": ranking["last_admitted_total"],
        "final_results_at": ranking["final_results_at"],
        "published_at": ranking["published_at"],
        "appeal_hours": ranking["appeal_hours"],
        "appeal_deadline": ranking["appeal_deadline"],
        "confirmation_deadline": ranking["confirmation_deadline"],
    }
