"""What every kind's context builder shares: institutions, people, representatives and
places as plain data (str, int, Decimal, date, lists, dicts), in the document's language.

Each kind builds its own context in :mod:`docgen.documents.kinds`; computed values (grants,
durations, totals, rankings) come from :mod:`docgen.rules`; the payload never carries them.
"""

from __future__ import annotations

from typing import Any

from docgen.documents.labels import label
from docgen.domain.common import Institution, Person, Place, Representative
from docgen.domain.learning_agreement import Signatory


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
