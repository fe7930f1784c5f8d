"""Registry use cases that span the seeds, the models and the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.errors import DocgenError
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


# Which prefilled field of a form names the home institution (the sending one: the forms
# go with outgoing participants).
HOME_FORM_FIELDS: dict[str, str] = {
    "certificate_of_attendance": "sending_institution",
    "learning_agreement": "sending_institution",
}


def _home_model(session: Session) -> InstitutionModel | None:
    row = store.home_institution(session)
    return store.institution_model(row) if row is not None else None


def complete_payload(
    session: Session, kind_id: str, data: Any, at: tuple[str | int, ...] = ()
) -> Any:
    """A document payload completed from the registry: the home institution where the kind
    names it and the payload leaves it out, and every institution named by code."""
    from docgen.registry.fill import HOME_FIELDS, fill_home, unnamed

    fields = HOME_FIELDS.get(kind_id, ())
    if isinstance(data, dict) and any(data.get(f) is None or unnamed(data[f]) for f in fields):
        home = _home_model(session)
        if home is not None:
            data = fill_home(data, fields, home)
    return fill_from_registry(session, data, at)


def complete_items(
    session: Session, kind_id: str, items: Sequence[Any], at: str = "items"
) -> list[Any]:
    """Every item of a batch completed from the registry; one error for all their problems."""
    from docgen.errors import InvalidInput

    filled, problems = [], []
    for index, item in enumerate(items):
        try:
            filled.append(complete_payload(session, kind_id, item, (at, index)))
        except InvalidInput as exc:
            problems.extend(exc.problems)
            filled.append(item)
    if problems:
        raise InvalidInput(problems)
    return filled


def prefill_home(session: Session, form_id: str, data: Any) -> Any:
    """Prefill data (``{"reference", "values"}``) with the home institution's name in the
    form's field for it, when the values leave it out."""
    field = HOME_FORM_FIELDS.get(form_id)
    if field is None or not isinstance(data, dict) or not isinstance(data.get("values"), dict):
        return data
    if data["values"].get(field) not in (None, ""):
        return data
    home = _home_model(session)
    if home is None:
        return data
    return {**data, "values": {**data["values"], field: home.name_en or home.display_name}}


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


def _fits(condition: Any, direction: Any, activity: Any, eqf: int | None) -> bool:
    """Whether a mobility (direction, activity, study level) takes this condition's places."""
    return bool(
        condition.direction == direction
        and condition.mobility_type == activity
        and (eqf is None or not condition.eqf or eqf in condition.eqf)
    )


def _places(session: Session, request: Any, at: str = "/agreement") -> tuple[Any, Any, str]:
    """The agreement's condition with places for this quote (direction, activity, level)."""
    from docgen.errors import InvalidInput, NotFound

    try:
        row = store.get_agreement(session, request.agreement)
    except NotFound as exc:
        raise InvalidInput.at(at, f"no agreement {request.agreement}") from exc
    agreement = store.agreement_model(row)
    partner = store.get_institution(session, row.institution_id).name
    name = f"agreement {row.id} ({partner}, {agreement.type.value.upper()})"
    places = [
        c
        for c in agreement.conditions
        if _fits(c, request.direction, request.activity, request.eqf)
        and (c.days_per_mobility or c.teaching_days or c.transport_days)
    ]
    if not places:
        level = f" at EQF {request.eqf}" if request.eqf else ""
        raise InvalidInput.at(
            at,
            f"{name} has no places for {request.direction.value} {request.activity.value}{level}",
        )
    if len({(c.days_per_mobility, c.teaching_days, c.transport_days) for c in places}) > 1:
        eqf_at = at.rsplit("/", 1)[0] + "/eqf"
        raise InvalidInput.at(eqf_at, f"{name} funds each study level differently: give eqf")
    return agreement, places[0], name


@dataclass(frozen=True)
class Taken:
    """What one contract generated here took of an agreement's places."""

    reference: str
    direction: Any
    activity: Any
    eqf: int | None
    days: int
    travel: int


def _days(quote: Any) -> tuple[int, int]:
    lines = quote.support.lines
    days = sum(int(line.quantity) for line in lines if line.kind == "days")
    travel = sum(int(line.quantity) for line in lines if line.kind == "travel_days")
    return days, travel


def _rates_dir(rates_dir: str | None) -> str:
    if rates_dir is not None:
        return rates_dir
    from flask import current_app, has_app_context

    if has_app_context() and "docgen.settings" in current_app.extensions:
        return str(current_app.extensions["docgen.settings"].rates_dir)
    return ""  # outside an app: the shipped rate tables


def taken(session: Session, agreement_id: int, rates_dir: str | None = None) -> list[Taken]:
    """The grants the financial contracts generated here took of an agreement: the latest
    contract under each number (a contract generated again replaces the earlier one)."""
    from docgen.domain.financial_contract import FinancialContract
    from docgen.rules.grants import quote_grant
    from docgen.store.models import Document

    rows = session.scalars(
        select(Document)
        .where(
            Document.kind == "financial_contract",
            Document.payload["mobility"]["agreement"].as_integer() == agreement_id,
        )
        .order_by(Document.created_at, Document.id)
    )
    latest: dict[str, Document] = {}
    for row in rows:
        latest.pop(row.reference, None)
        latest[row.reference] = row
    found = []
    for reference, row in latest.items():
        try:
            contract = FinancialContract.model_validate(row.payload)
            request = contract.quote_request()
            days, travel = _days(quote_grant(request, _rates_dir(rates_dir)))
        except (ValueError, DocgenError):  # a contract of older rules: its days cannot count
            continue
        found.append(
            Taken(reference, request.direction, request.activity, request.eqf, days, travel)
        )
    return found


def _count(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:5]) + (", ..." if len(numbers) > 5 else "")
    return f"{len(numbers)} contract{'s' if len(numbers) != 1 else ''} ({shown})"


def lock_agreements(session: Session, agreement_ids: Sequence[int | None]) -> None:
    """Hold the agreements' rows until the transaction ends, so that counting what their
    contracts took and recording a new contract are one step per agreement.

    Two contracts generated at once on an agreement with one place left would otherwise
    both count the same stored contracts and both be recorded. On PostgreSQL this is
    ``SELECT ... FOR UPDATE`` on the agreements: a second transaction checking a contract
    on the same agreement waits here until the first one commits (its contract recorded)
    or rolls back, then counts it; contracts on other agreements do not wait. The rows are
    locked in the order of their ids, so that two batches naming the same agreements in a
    different order do not deadlock. On SQLite the clause is left out: its transactions
    begin with ``BEGIN IMMEDIATE`` (:mod:`docgen.store.database`) and already hold the
    database's write lock from the check to the commit.

    The lock is held until the caller commits: the request (its document rendered, and
    converted, in between), or the batch job's item.
    """
    wanted = sorted({i for i in agreement_ids if i is not None and 0 < i < 2**31})
    if wanted:
        session.execute(
            select(Agreement.id)
            .where(Agreement.id.in_(wanted))
            .order_by(Agreement.id)
            .with_for_update()
        )


def check_caps(
    session: Session,
    quote: Any,
    *,
    rates_dir: str | None = None,
    reference: str | None = None,
    others: Sequence[Taken] = (),
    at: str = "/agreement",
) -> Taken | None:
    """Refuse a quote that funds more than its agreement's places allow, counting what the
    contracts already generated on the agreement took: days per place, the places
    themselves and all their funded days (students), the teaching and travel days in
    total (staff); the refusal names the agreement and what is left. ``reference`` is the
    contract's own number (generated again, it does not count against itself); ``others``
    are contracts of the same batch. Returns what this quote takes (None: no agreement).

    The agreement stays locked until the transaction ends (:func:`lock_agreements`): the
    caller records the contract before committing, and the next check counts it."""
    from docgen.errors import InvalidInput, Problem

    request = quote.request
    if request.agreement is None:
        return None
    lock_agreements(session, [request.agreement])
    _agreement, place, name = _places(session, request, at)
    days, travel = _days(quote)
    before = [
        t
        for t in [*taken(session, request.agreement, rates_dir), *others]
        if t.reference != reference and _fits(place, t.direction, t.activity, t.eqf)
    ]
    numbers = [t.reference for t in before]
    took_days = sum(t.days for t in before)
    took_travel = sum(t.travel for t in before)
    problems = []

    def refuse(cap: int, used: int, what: str, took: int) -> None:
        left = max(0, cap - took)
        if used <= left:
            return
        already = f", {_count(numbers)} took {took}" if took else ""
        problems.append(
            Problem(
                at,
                f"{name} allows {cap} {what}{already}; this quote has {used}: "
                f"{used - left} over, {left} left",
            )
        )

    if place.days_per_mobility is not None:
        refuse(place.days_per_mobility, days, "funded days per place", 0)
    if place.mobilities is not None and len(before) >= place.mobilities:
        problems.append(
            Problem(
                at,
                f"{name} has {place.mobilities} place{'s' if place.mobilities != 1 else ''} "
                f"for {request.direction.value} {request.activity.value}: "
                f"{_count(numbers)} took them, 0 left",
            )
        )
    elif place.days_per_mobility is not None and place.mobilities is not None:
        total = place.days_per_mobility * place.mobilities
        refuse(total, days, "funded days in total", took_days)
    if place.teaching_days is not None:
        refuse(place.teaching_days, days, "days of activity in total", took_days)
    if place.transport_days is not None:
        refuse(place.transport_days, travel, "travel days in total", took_travel)
    if problems:
        raise InvalidInput(problems)
    return Taken(reference or "", request.direction, request.activity, request.eqf, days, travel)


class ContractCaps:
    """Checks financial contracts against their agreements one after the other, those of
    the same batch counted as taken (``check`` raises, naming ``at``/mobility/agreement)."""

    def __init__(self, session: Session, rates_dir: str | None = None) -> None:
        self.session = session
        self.rates_dir = rates_dir
        self.batch: list[Taken] = []

    def check(self, payload: Any, at: str = "") -> None:
        from docgen.rules.grants import quote_grant

        request = payload.quote_request()
        if request.agreement is None:
            return
        quote = quote_grant(request, _rates_dir(self.rates_dir))
        took = check_caps(
            self.session,
            quote,
            rates_dir=self.rates_dir,
            reference=payload.number,
            others=[t for t in self.batch if t.reference != payload.number],
            at=f"{at}/mobility/agreement",
        )
        if took is not None:
            self.batch.append(took)


def check_contracts(
    session: Session,
    payloads: Sequence[Any],
    rates_dir: str | None = None,
    at: str = "/data",
    *,
    indexed: bool = False,
    pointers: Sequence[str] | None = None,
) -> None:
    """Refuse financial contracts that take more of their agreements than is left, those
    stored and those before them in ``payloads`` (one batch) counted. Their agreements are
    locked first, all at once (:func:`lock_agreements`). The problems point at ``at``, at
    ``at/INDEX`` when ``indexed``, or at each payload's own pointer in ``pointers``."""
    from docgen.errors import InvalidInput

    lock_agreements(session, [payload.mobility.agreement for payload in payloads])
    caps = ContractCaps(session, rates_dir)
    problems = []
    for index, payload in enumerate(payloads):
        where = pointers[index] if pointers is not None else at
        try:
            caps.check(payload, f"{where}/{index}" if indexed else where)
        except InvalidInput as exc:
            problems.extend(exc.problems)
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


def registry_table(session: Session, filters: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The registry as a table (the API's and the pages' export): REGISTRY_COLUMNS, and one
    row per institution matching ``filters`` (as the list)."""
    items, _total = store.list_institutions(session, **filters, per_page=100_000)
    by_partner: dict[int, list[Agreement]] = {}
    for agreement in store.list_agreements(session):
        by_partner.setdefault(agreement.institution_id, []).append(agreement)
    return REGISTRY_COLUMNS, [_registry_row(r, by_partner.get(r.id, [])) for r in items]


@dataclass(frozen=True)
class KnownChoices:
    """What docgen knows that a form offers as choices instead of free text."""

    calls: list[tuple[str, str]]  # rate table id, its title in the language
    criteria_sets: list[tuple[str, str]]  # criteria set id, its title in the language
    institutions: list[tuple[int, str, dict[str, Any]]]  # id, name, the fields it fills
    agreements: list[tuple[int, str]]  # id, "partner · type · years"


def known_choices(session: Session, lang: str, rates_dir: str = "") -> KnownChoices:
    """The calls (rate tables), criteria sets, registry institutions (with the fields a
    payload's institution takes from them, in the document's shape) and agreements."""
    from docgen.registry.fill import institution_fields
    from docgen.rules.rates import rate_tables
    from docgen.rules.selection import criteria_sets, load_criteria_set

    def titled(title: dict[str, str], fallback: str) -> str:
        return title.get(lang) or title.get("en") or fallback

    calls = [
        (table_id, f"{titled(table.title, table_id)} ({table_id})")
        for table_id, table in sorted(rate_tables(rates_dir).items())
    ]
    sets = []
    for set_id in criteria_sets():
        try:
            title = load_criteria_set(set_id).title
            sets.append((set_id, title.ro if lang == "ro" else title.en))
        except DocgenError:  # a broken file: offered by its id, refused when used
            sets.append((set_id, set_id))
    rows = session.scalars(select(Institution).order_by(Institution.country, Institution.name))
    institutions, names = [], {}
    for row in rows:
        model = store.institution_model(row)
        name = (model.name_ro if lang == "ro" else model.name_en) or model.display_name
        names[row.id] = name
        institutions.append(
            (row.id, f"{name} ({model.country}, {model.city})", institution_fields(model))
        )
    agreements = []
    for agreement in store.list_agreements(session):
        data = agreement.data
        years = ", ".join(data.get("academic_years") or [])
        parts = [names.get(agreement.institution_id, "?"), agreement.type.upper(), years]
        agreements.append((agreement.id, f"{agreement.id} · " + " · ".join(p for p in parts if p)))
    return KnownChoices(calls, sets, institutions, agreements)
