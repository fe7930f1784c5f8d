"""Registry storage: institutions and agreements, found, listed, changed (audited).

The validated models live in ``docgen.registry.models``; here they are stored as JSON with
the columns lists need. Every change writes one ``RegistryChange`` per top-level field that
changed (creation included, from nothing). Operations flush; the caller commits.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from docgen.domain.common import ErasmusCode
from docgen.errors import InvalidInput, NotFound
from docgen.registry.models import Agreement as AgreementModel
from docgen.registry.models import Institution as InstitutionModel
from docgen.store.models import Agreement, Institution, RegistryChange, utcnow
from docgen.store.records import Actor, fold
from docgen.store.users import actor_ids, actor_name

ERASMUS_CODE: TypeAdapter[str] = TypeAdapter(ErasmusCode)


def _dump(model: InstitutionModel | AgreementModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def _audit(
    session: Session, entity: str, entity_id: int, actor: Actor, old: dict, new: dict
) -> int:
    """Write a change for each top-level field that differs; return how many."""
    key_id, user_id = actor_ids(actor)
    count = 0
    for name in sorted(set(old) | set(new)):
        if old.get(name) == new.get(name):
            continue
        session.add(
            RegistryChange(
                entity=entity,
                entity_id=entity_id,
                api_key_id=key_id,
                user_id=user_id,
                who=actor_name(actor),
                field=f"/{name}",
                old=None if name not in old else {"value": old[name]},
                new=None if name not in new else {"value": new[name]},
            )
        )
        count += 1
    return count


def _search_text(model: InstitutionModel) -> str:
    parts = [
        model.erasmus_code,
        model.schac,
        model.name_native,
        model.name_ro,
        model.name_en,
        model.city,
        model.country,
        *model.faculties,
        *(c.name for c in model.contacts),
    ]
    return fold(" ".join(p for p in parts if p))[:20000]


def _check_unique(session: Session, model: InstitutionModel, own_id: int | None) -> None:
    for column, value in (("erasmus_code", model.erasmus_code), ("schac", model.schac)):
        if value is None:
            continue
        other = session.scalar(select(Institution.id).where(getattr(Institution, column) == value))
        if other is not None and other != own_id:
            raise InvalidInput.at(f"/{column}", f"{value} is already institution {other}")


def _fill(row: Institution, model: InstitutionModel) -> None:
    row.erasmus_code = model.erasmus_code
    row.schac = model.schac
    row.name = model.display_name[:300]
    row.country = model.country
    row.city = model.city[:300]
    row.data = _dump(model)
    row.search_text = _search_text(model)


def create_institution(
    session: Session, model: InstitutionModel, actor: Actor, *, home: bool = False
) -> Institution:
    """Store a new institution (the home one when ``home``: there is only ever one)."""
    _check_unique(session, model, None)
    row = Institution(is_home=False)
    _fill(row, model)
    session.add(row)
    session.flush()
    _audit(session, "institution", row.id, actor, {}, row.data)
    if home:
        set_home(session, row, actor)
    session.flush()
    return row


def update_institution(
    session: Session, row: Institution, model: InstitutionModel, actor: Actor
) -> int:
    """Replace an institution's data; return the number of fields that changed."""
    _check_unique(session, model, row.id)
    old = dict(row.data)
    _fill(row, model)
    changed = _audit(session, "institution", row.id, actor, old, row.data)
    if changed:
        row.updated_at = utcnow()
    session.flush()
    return changed


def set_home(session: Session, row: Institution, actor: Actor) -> None:
    """Make ``row`` the home institution, and no other."""
    for other in session.scalars(select(Institution).where(Institution.is_home.is_(True))):
        if other.id != row.id:
            other.is_home = False
            _audit(session, "institution", other.id, actor, {"home": True}, {"home": False})
    if not row.is_home:
        row.is_home = True
        _audit(session, "institution", row.id, actor, {"home": False}, {"home": True})
    session.flush()


def home_institution(session: Session) -> Institution | None:
    return session.scalar(select(Institution).where(Institution.is_home.is_(True)))


def institution_model(row: Institution) -> InstitutionModel:
    return InstitutionModel.model_validate(row.data)


def get_institution(session: Session, institution_id: int) -> Institution:
    # Ids are 32-bit on both databases; a larger one cannot exist (nor be bound on SQLite).
    row = session.get(Institution, institution_id) if 0 < institution_id < 2**31 else None
    if row is None:
        raise NotFound(f"no institution {institution_id}")
    return row


def find_institution(session: Session, code: str) -> Institution | None:
    """The institution with this Erasmus code or SCHAC code (spacing and case ignored)."""
    try:
        erasmus = ERASMUS_CODE.validate_python(code)
    except ValidationError:
        erasmus = None
    clauses = [Institution.schac == code.strip().lower()]
    if erasmus:
        clauses.append(Institution.erasmus_code == erasmus)
    return session.scalar(select(Institution).where(or_(*clauses)))


def list_institutions(
    session: Session,
    *,
    text: str | None = None,
    country: str | None = None,
    agreement_type: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Institution], int]:
    """Institutions matching every filter, by country then name; and how many match."""
    query = select(Institution)
    if text:
        for word in fold(text).split():
            query = query.where(Institution.search_text.contains(word, autoescape=True))
    if country:
        query = query.where(Institution.country == country.strip().upper())
    if agreement_type:
        query = query.where(
            Institution.id.in_(
                select(Agreement.institution_id).where(Agreement.type == agreement_type)
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(Institution.country, Institution.name, Institution.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(items), total


def _check_partner(session: Session, model: AgreementModel) -> None:
    partner = model.partner_id
    if partner is None or not 0 < partner < 2**31 or session.get(Institution, partner) is None:
        raise InvalidInput.at("/partner_id", f"no institution {partner}")


def create_agreement(session: Session, model: AgreementModel, actor: Actor) -> Agreement:
    """Store a new agreement; its ``partner_id`` must name a registry institution."""
    _check_partner(session, model)
    row = Agreement(institution_id=model.partner_id, type=model.type.value, data=_dump(model))
    session.add(row)
    session.flush()
    _audit(session, "agreement", row.id, actor, {}, row.data)
    return row


def update_agreement(session: Session, row: Agreement, model: AgreementModel, actor: Actor) -> int:
    _check_partner(session, model)
    old = dict(row.data)
    row.institution_id = model.partner_id
    row.type = model.type.value
    row.data = _dump(model)
    changed = _audit(session, "agreement", row.id, actor, old, row.data)
    if changed:
        row.updated_at = utcnow()
    session.flush()
    return changed


def agreement_model(row: Agreement) -> AgreementModel:
    return AgreementModel.model_validate(row.data)


def get_agreement(session: Session, agreement_id: int) -> Agreement:
    row = session.get(Agreement, agreement_id) if 0 < agreement_id < 2**31 else None
    if row is None:
        raise NotFound(f"no agreement {agreement_id}")
    return row


def list_agreements(
    session: Session, *, institution_id: int | None = None, agreement_type: str | None = None
) -> list[Agreement]:
    query = select(Agreement)
    if institution_id is not None:
        query = query.where(Agreement.institution_id == institution_id)
    if agreement_type:
        query = query.where(Agreement.type == agreement_type)
    return list(session.scalars(query.order_by(Agreement.id)))


def history(session: Session, entity: str, entity_id: int) -> list[RegistryChange]:
    """Every change to one institution or agreement, oldest first."""
    return list(
        session.scalars(
            select(RegistryChange)
            .where(RegistryChange.entity == entity, RegistryChange.entity_id == entity_id)
            .order_by(RegistryChange.id)
        )
    )
