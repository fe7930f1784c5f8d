"""Institutions named by code in a payload, completed from the registry.

A payload may give an institution as its Erasmus code or SCHAC code alone (with, if it
likes, some fields of its own): the registry fills the names, country, city, address, the
contact (the payload's contact completed by the registry's contact with the same e-mail,
or the registry's coordinator) and the legal representative. Fields the payload gives
win. A code the registry does not know is an error naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docgen.errors import InvalidInput, Problem, pointer
from docgen.registry.models import Contact, ContactRole, Institution

Lookup = Callable[[str], Institution | None]
REQUIRED = ("name_ro", "name_en", "country", "city")
CODES = ("erasmus_code", "schac")
# Where each kind of document names the home institution (the one paying, or holding the
# selection): left out of a payload, it comes from the registry's home entry.
HOME_FIELDS: dict[str, tuple[str, ...]] = {
    "financial_contract": ("university",),
    "selection_minutes": ("university",),
}
COORDINATORS = (
    ContactRole.DEPARTMENTAL_COORDINATOR,
    ContactRole.INSTITUTIONAL_COORDINATOR,
    ContactRole.INTERNATIONAL_OFFICE,
    ContactRole.CONTACT,
)


def _named_by_code(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and any(isinstance(value.get(code), str) for code in CODES)
        and any(field not in value for field in REQUIRED)
    )


def needs_registry(data: Any) -> bool:
    """Whether some institution of the payload is named by code only."""
    if _named_by_code(data):
        return True
    if isinstance(data, dict):
        return any(needs_registry(v) for v in data.values())
    if isinstance(data, list):
        return any(needs_registry(v) for v in data)
    return False


def _representative(contact: Contact) -> dict[str, Any]:
    data: dict[str, Any] = {"name": contact.name}
    if contact.position:
        data["position"] = contact.position
    if contact.email:
        data["email"] = contact.email
    return data


def _fill_contact(given: Any, registry: Institution) -> Any:
    by_email = {c.email.lower(): c for c in registry.contacts if c.email}
    by_name = {c.name.casefold(): c for c in registry.contacts}
    if isinstance(given, dict):
        email, name = given.get("email"), given.get("name")
        match = by_email.get(email.lower()) if isinstance(email, str) else None
        if match is None and not isinstance(email, str) and isinstance(name, str):
            match = by_name.get(name.casefold())  # a contact whose address was left out
        if match is None:
            return given
        return {**_representative(match), **given}
    if given is None:
        for role in COORDINATORS:
            for contact in registry.contacts:
                if contact.role == role:
                    return _representative(contact)
    return given


def _fill(value: dict[str, Any], registry: Institution) -> dict[str, Any]:
    filled = dict(value)
    own = {
        "name_ro": registry.name_ro,
        "name_en": registry.name_en,
        "erasmus_code": registry.erasmus_code,
        "schac": registry.schac,
        "country": registry.country,
        "city": registry.city,
        "address": registry.address,
    }
    for field, known in own.items():
        if field not in filled and known is not None:
            filled[field] = known
    contact = _fill_contact(value.get("contact"), registry)
    if contact is not None:
        filled["contact"] = contact
    if "legal_representative" not in filled:
        for person in registry.contacts:
            if person.role == ContactRole.LEGAL_REPRESENTATIVE and person.position:
                filled["legal_representative"] = _representative(person)
                break
    return filled


def institution_fields(registry: Institution) -> dict[str, Any]:
    """A registry institution in a payload's shape: names, codes, place, address, its
    coordinator as the contact and its legal representative (what is known of them)."""
    fields = _fill({}, registry)
    fields.setdefault("name_ro", registry.name_ro or registry.display_name)
    fields.setdefault("name_en", registry.name_en or registry.display_name)
    return fields


def fill_institutions(data: Any, lookup: Lookup, at: tuple[str | int, ...] = ()) -> Any:
    """``data`` with every institution named by code completed from the registry."""
    problems: list[Problem] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> Any:
        if _named_by_code(value):
            for code in CODES:
                if isinstance(value.get(code), str):
                    found = lookup(value[code])
                    if found is None:
                        problems.append(
                            Problem(
                                pointer(*path, code),
                                f"{value[code]} is not an institution of the registry",
                            )
                        )
                        return value
                    return _fill(value, found)
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        return value

    filled = walk(data, at)
    if problems:
        raise InvalidInput(problems)
    return filled


def unnamed(value: Any) -> bool:
    """An institution given without any code or name (say, only its representative)."""
    return isinstance(value, dict) and not any(
        isinstance(value.get(key), str) for key in (*CODES, "name_ro", "name_en")
    )


def fill_home(data: Any, fields: tuple[str, ...], home: Institution) -> Any:
    """``data`` with the home institution in ``fields`` when the payload leaves them out (or
    gives them without code nor name): its names, codes, address and legal representative,
    the payload's own fields winning. No contact is added that the payload did not name."""
    if not isinstance(data, dict):
        return data
    filled = dict(data)
    for field in fields:
        given = filled.get(field)
        if given is None or unnamed(given):
            own = dict(given or {})
            value = _fill(own, home)
            if "contact" not in own:
                value.pop("contact", None)
            filled[field] = value
    return filled


def wants_registry(kind_id: str, data: Any) -> bool:
    """Whether a payload of this kind needs the registry: an institution named by code, the
    home institution left out, or a contract taking an agreement's places."""
    if needs_registry(data):
        return True
    mobility = data.get("mobility") if isinstance(data, dict) else None
    if (
        kind_id == "financial_contract"
        and isinstance(mobility, dict)
        and mobility.get("agreement") is not None
    ):
        return True
    fields = HOME_FIELDS.get(kind_id, ())
    return isinstance(data, dict) and any(data.get(f) is None or unnamed(data[f]) for f in fields)
