"""Registry use cases that span the seeds, the models and the store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.registry.models import Institution as InstitutionModel
from docgen.registry.seeds import DATA, seed_partners
from docgen.store import registry as store
from docgen.store.models import Agreement, Institution
from docgen.store.records import Actor


@dataclass
class SeedReport:
    institutions_created: int = 0
    institutions_kept: int = 0
    agreements_created: int = 0
    agreements_kept: int = 0
    home_id: int | None = None


def _existing(session: Session, country: str, name: str) -> Institution | None:
    return session.scalar(
        select(Institution).where(Institution.country == country, Institution.name == name)
    )


def import_seeds(session: Session, actor: Actor, data_dir: Path = DATA) -> SeedReport:
    """Store every partner and agreement of the seeds, once: what is already there (the same
    institution by country and name, the same agreement by its source) is kept as it is,
    staff's corrections included. The call's home institution becomes the home one unless
    one is set already."""
    home, partners = seed_partners(data_dir)
    report = SeedReport()
    current_home = store.home_institution(session)
    if current_home is None:
        row = _existing(session, home.country, home.display_name)
        if row is None:
            row = store.create_institution(session, home, actor)
            report.institutions_created += 1
        store.set_home(session, row, actor)
        current_home = row
    report.home_id = current_home.id
    for partner in partners:
        model = partner.institution
        row = _existing(session, model.country, model.display_name)
        if row is None:
            row = store.create_institution(session, model, actor)
            report.institutions_created += 1
        else:
            report.institutions_kept += 1
        sources = {
            a.data.get("source") for a in store.list_agreements(session, institution_id=row.id)
        }
        for agreement in partner.agreements:
            if agreement.source in sources:
                report.agreements_kept += 1
                continue
            store.create_agreement(
                session, agreement.model_copy(update={"partner_id": row.id}), actor
            )
            report.agreements_created += 1
    session.flush()
    return report


def _home(session: Session) -> Institution:
    from docgen.errors import InvalidInput

    home = store.home_institution(session)
    if home is None:
        raise InvalidInput.at("/home", "no home institution in the registry yet")
    return home


def export_agreement_iia(session: Session, agreement_id: int) -> bytes:
    """One registry agreement as an EWP ``iias-get-response`` document."""
    from docgen.registry.ewp.iia import export_iia

    row = store.get_agreement(session, agreement_id)
    home = store.institution_model(_home(session))
    partner = store.institution_model(store.get_institution(session, row.institution_id))
    return export_iia(store.agreement_model(row), row.id, home, partner)


def import_agreement_iia(session: Session, data: bytes, actor: Actor) -> Agreement:
    """Store the IIA of an ``iias-get-response`` document as a new agreement; its partner
    must be in the registry (found by SCHAC code), nothing about it is guessed."""
    from docgen.errors import InvalidInput
    from docgen.registry.ewp.iia import import_iia

    home = store.institution_model(_home(session))
    if home.schac is None:
        raise InvalidInput.at("/home/schac", "the home institution has no SCHAC code")
    imported = import_iia(data, home.schac)
    partner = store.find_institution(session, imported.partner_hei)
    if partner is None:
        raise InvalidInput.at(
            "/iia/partner/hei-id",
            f"{imported.partner_hei} is not in the registry: add the institution first",
        )
    model = imported.agreement.model_copy(update={"partner_id": partner.id})
    return store.create_agreement(session, model, actor)


def fill_from_registry(session: Session, data: Any, at: tuple[str | int, ...] = ()) -> Any:
    """The payload with its institutions named by code completed from the registry."""
    from docgen.registry.fill import fill_institutions, needs_registry

    if not needs_registry(data):
        return data

    def lookup(code: str) -> InstitutionModel | None:
        row = store.find_institution(session, code)
        return store.institution_model(row) if row is not None else None

    return fill_institutions(data, lookup, at)


def learning_agreement_payload(
    session: Session, data: bytes, warnings: list[str] | None = None
) -> dict[str, Any]:
    """An EWP learning agreement as a ``learning_agreement`` payload, its institutions
    completed from the registry when it knows them (else left as codes)."""
    from docgen.errors import InvalidInput
    from docgen.registry.ewp.la import import_la

    payload = import_la(data, warnings)
    for side in ("sending", "receiving"):
        try:
            payload[side] = fill_from_registry(session, payload[side], (side,))
        except InvalidInput as exc:  # left as a code: rendering will say it again
            if warnings is not None:
                warnings.extend(str(problem) for problem in exc.problems)
    return payload


def _places(session: Session, request: Any) -> tuple[Any, Any, str]:
    """The agreement's condition with places for this quote (direction, activity, level)."""
    from docgen.errors import InvalidInput, NotFound

    try:
        row = store.get_agreement(session, request.agreement)
    except NotFound as exc:
        raise InvalidInput.at("/agreement", f"no agreement {request.agreement}") from exc
    agreement = store.agreement_model(row)
    partner = store.get_institution(session, row.institution_id).name
    name = f"agreement {row.id} ({partner}, {agreement.type.value.upper()})"
    places = [
        c
        for c in agreement.conditions
        if c.direction == request.direction
        and c.mobility_type == request.activity
        and (c.days_per_mobility or c.teaching_days or c.transport_days)
    ]
    if request.eqf is not None:
        places = [c for c in places if not c.eqf or request.eqf in c.eqf]
    if not places:
        level = f" at EQF {request.eqf}" if request.eqf else ""
        raise InvalidInput.at(
            "/agreement",
            f"{name} has no places for {request.direction.value} {request.activity.value}{level}",
        )
    if len({(c.days_per_mobility, c.teaching_days, c.transport_days) for c in places}) > 1:
        raise InvalidInput.at("/eqf", f"{name} funds each study level differently: give eqf")
    return agreement, places[0], name


def check_caps(session: Session, quote: Any) -> None:
    """Refuse a quote that funds more than its agreement's places allow: days per place
    (students), teaching and travel days (staff), saying the agreement and what is left.

    The teaching and travel totals are the agreement's for all its mobilities; the days
    already given to other quotes are not counted here, so what is left is the total less
    this quote."""
    from docgen.errors import InvalidInput, Problem

    request = quote.request
    if request.agreement is None:
        return
    _agreement, place, name = _places(session, request)
    days = sum(line.quantity for line in quote.support.lines if line.kind == "days")
    travel = sum(line.quantity for line in quote.support.lines if line.kind == "travel_days")
    problems = []
    for cap, used, what in (
        (place.days_per_mobility, days, "funded days per place"),
        (place.teaching_days, days, "days of activity in total"),
        (place.transport_days, travel, "travel days in total"),
    ):
        if cap is not None and used > cap:
            problems.append(
                Problem(
                    "/agreement",
                    f"{name} allows {cap} {what}; this quote has {used}: "
                    f"{used - cap} over, {cap} left",
                )
            )
    if problems:
        raise InvalidInput(problems)


# Which cooperation conditions give places to which criteria set.
SELECTION_CONDITIONS = {
    "incoming-students": ("incoming", {"SMS", "SMT"}),
    "incoming-staff": ("incoming", {"STA", "STT"}),
    "outgoing-students": ("outgoing", {"SMS", "SMT"}),
    "outgoing-sta": ("outgoing", {"STA"}),
    "outgoing-stt": ("outgoing", {"STT"}),
}


def place_id(agreement_id: int, condition: Any) -> str:
    """``A51-0712-EQF8``: the agreement, its fields and levels (what preferences name)."""
    parts = [f"A{agreement_id}", "+".join(a.isced for a in condition.subject_areas) or "any"]
    if condition.eqf:
        parts.append("EQF" + "+".join(str(level) for level in condition.eqf))
    if condition.mobility_type.value not in {"SMS", "STA"}:
        parts.append(condition.mobility_type.value)
    return "-".join(parts)


def selection_places(session: Session, data: Any) -> Any:
    """A selection request with ``"agreements": [ID, ...]`` instead of typed ``places``: the
    places are the agreements' (the places a call opened when it says so, else the
    agreement's mobilities), per partner, fields and level, for the criteria set's
    direction and activities. Typed places win: both at once is refused."""
    from docgen.errors import InvalidInput, NotFound, Problem, pointer

    if not isinstance(data, dict) or "agreements" not in data:
        return data
    ids = data["agreements"]
    if "places" in data:
        raise InvalidInput.at("/agreements", "give the places or the agreements, not both")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise InvalidInput.at("/agreements", "must be a list of agreement ids")
    wanted = SELECTION_CONDITIONS.get(str(data.get("criteria_set")))
    if wanted is None:
        raise InvalidInput.at("/criteria_set", "no agreement places for this criteria set")
    direction, activities = wanted
    places, problems = [], []
    for index, agreement_id in enumerate(ids):
        try:
            row = store.get_agreement(session, agreement_id)
        except NotFound:
            problems.append(Problem(pointer("agreements", index), f"no agreement {agreement_id}"))
            continue
        model = store.agreement_model(row)
        partner = store.institution_model(store.get_institution(session, row.institution_id))
        fitting = [
            c
            for c in model.conditions
            if c.direction.value == direction
            and c.mobility_type.value in activities
            and c.mobilities is not None
        ]
        opened = [c for c in fitting if c.days_per_mobility or c.teaching_days]
        for condition in opened or fitting:
            fields = ", ".join(a.isced for a in condition.subject_areas)
            levels = "/".join(str(level) for level in condition.eqf)
            label = " · ".join(
                filter(None, [partner.display_name, fields, f"EQF {levels}" if levels else ""])
            )
            places.append(
                {
                    "id": place_id(row.id, condition),
                    "label": label[:300],
                    "places": condition.mobilities,
                }
            )
        if not fitting:
            problems.append(
                Problem(
                    pointer("agreements", index),
                    f"agreement {agreement_id} has no {direction} places for "
                    f"{'/'.join(sorted(activities))}",
                )
            )
    if problems:
        raise InvalidInput(problems)
    filled = {k: v for k, v in data.items() if k != "agreements"}
    filled["places"] = places
    return filled


# An institution's own fields, as staff edit them on its page.
INSTITUTION_FIELDS = (
    "erasmus_code",
    "schac",
    "name_native",
    "name_ro",
    "name_en",
    "country",
    "city",
    "address",
)
REGISTRY_COLUMNS = [
    "id",
    "home",
    *INSTITUTION_FIELDS,
    "faculties",
    "contacts",
    "agreements",
    "missing",
]


def _registry_row(row: Institution, agreements: list[Agreement]) -> list[Any]:
    model = store.institution_model(row)
    contacts = "; ".join(
        f"{c.name} ({c.role.value}{', ' + c.email if c.email else ''})" for c in model.contacts
    )
    return [
        row.id,
        row.is_home,
        model.erasmus_code,
        model.schac,
        model.name_native,
        model.name_ro,
        model.name_en,
        model.country,
        model.city,
        model.address,
        "; ".join(model.faculties),
        contacts,
        "; ".join(f"{a.id} {a.type}" for a in agreements),
        ", ".join(model.missing),
    ]


def registry_table(
    session: Session, filters: dict[str, Any]
) -> tuple[list[str], list[list[Any]]]:
    """The registry as a table (the API's and the pages' export): REGISTRY_COLUMNS, and one
    row per institution matching ``filters`` (as the list)."""
    items, _total = store.list_institutions(session, **filters, per_page=100_000)
    by_partner: dict[int, list[Agreement]] = {}
    for agreement in store.list_agreements(session):
        by_partner.setdefault(agreement.institution_id, []).append(agreement)
    return REGISTRY_COLUMNS, [_registry_row(r, by_partner.get(r.id, [])) for r in items]
