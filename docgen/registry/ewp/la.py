"""Learning agreements as EWP ``omobility-las-get-response`` documents (OLA, v1).

Import turns one ``<la>`` (in the EWP namespace, or without a namespace as the Online
Learning Agreement scenarios write it) into a ``learning_agreement`` payload: the
institutions by their SCHAC code (the registry fills their names, country, city and the
contacts' positions when the document is rendered), Tables A, B and C from the first
version (or, without one, from the proposal), the approved and the proposed changes, and
the signatures with their timestamps. ``la_export`` writes our payload back; exporting,
importing and exporting again gives the same document.

What EWP does not carry is never made up: a component without ECTS credits in Table A,
B or C, a learning agreement without components, or an update request instead of a
learning agreement is refused with the line and the reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree
from pydantic import EmailStr, TypeAdapter, ValidationError

from docgen.errors import InvalidInput
from docgen.registry.ewp.xml import LA_NS, namespace, parse_xml, validate

GENDER_IN = {"1": "M", "2": "F", "0": "U", "9": "U"}
GENDER_OUT = {"M": "1", "F": "2", "U": "9"}
REASON_IN = {
    "not-available": "not_available",
    "language-mismatch": "language_mismatch",
    "timetable-conflict": "timetable_conflict",
    "substituting-deleted": "substitutes_deleted",
    "extending-mobility": "extending_mobility",
    "adding-virtual-component": "adding_virtual",
}
REASON_OUT = {value: key for key, value in REASON_IN.items()}
TABLES = {"components-studied": "A", "components-recognized": "B", "virtual-components": "C"}


_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


class _Reader:
    """Finds children in the document's namespace (EWP's, or none); collects warnings."""

    def __init__(self, ns: str):
        self.ns = ns
        self.warnings: list[str] = []

    def email(self, element, name: str) -> str | None:
        """An e-mail address, or None (with a warning) when it is not a valid one."""
        value = self.text(element, name)
        if value is None:
            return None
        try:
            return _EMAIL.validate_python(value)
        except ValidationError:
            found = self.find(element, name)
            self.warnings.append(
                f"line {found.sourceline}: {value} is not a valid e-mail address: left out"
            )
            return None

    def tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def find(self, element, name: str):
        return element.find(self.tag(name))

    def all(self, element, name: str) -> list:
        return element.findall(self.tag(name))

    def text(self, element, name: str) -> str | None:
        found = self.find(element, name)
        return found.text.strip() if found is not None and found.text else None

    def term(self, element) -> str | None:
        term = self.find(element, "term-id")
        if term is None:
            return None
        values = {}
        for child in term:
            if isinstance(child.tag, str):
                values[etree.QName(child).localname] = (child.text or "").strip()
        if "term-number" in values and "total-terms" in values:
            return f"{values['term-number']}/{values['total-terms']}"
        return None


def _component(r: _Reader, element, where: str, credits_required: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"title": r.text(element, "title")}
    if code := r.text(element, "los-code"):
        data["code"] = code
    if term := r.term(element):
        data["semester"] = term
    for credit in r.all(element, "credit"):
        if (r.text(credit, "scheme") or "").lower() == "ects":
            data["ects"] = Decimal(r.text(credit, "value") or "0")
    if "ects" not in data and credits_required:
        raise InvalidInput.at(
            f"line {element.sourceline}", f"{where}: {data['title']!r} has no ECTS credits"
        )
    return data


def _signature(r: _Reader, element, fallback: dict[str, Any] | None) -> dict[str, Any] | None:
    if element is None:
        return None
    data: dict[str, Any] = {}
    for field, name in (("name", "signer-name"), ("position", "signer-position")):
        if value := r.text(element, name):
            data[field] = value
    if email := r.email(element, "signer-email"):
        data["email"] = email
    data["timestamp"] = r.text(element, "timestamp")
    if "name" not in data and fallback:  # the student's own signature names nobody else
        data["name"] = fallback["name"]
        if "email" not in data and fallback.get("email"):
            data["email"] = fallback["email"]
    return data


def _institution(r: _Reader, element) -> dict[str, Any]:
    data: dict[str, Any] = {"schac": r.text(element, "hei-id")}
    if ounit := r.text(element, "ounit-name"):
        data["faculty"] = ounit
    person = r.find(element, "contact-person")
    if person is not None:
        given, family = r.text(person, "given-names"), r.text(person, "family-name")
        contact = {"name": " ".join(filter(None, [given, family]))}
        contact.update({k: v for k, v in (("given_names", given), ("family_name", family)) if v})
        if email := r.email(person, "email"):
            contact["email"] = email
        data["contact"] = contact
    return data


def _tables(r: _Reader, version) -> dict[str, list[dict[str, Any]]]:
    """Tables A, B, C of a version: its components that carry no change status."""
    tables: dict[str, list[dict[str, Any]]] = {"A": [], "B": [], "C": []}
    for tag, table in TABLES.items():
        listed = r.find(version, tag)
        if listed is None:
            continue
        for element in r.all(listed, "component"):
            if element.get("status") is not None:
                continue
            tables[table].append(_component(r, element, f"Table {table}", True))
    return tables


def _changes(r: _Reader, version, proposed: bool) -> list[dict[str, Any]]:
    changes = []
    for tag, table in TABLES.items():
        listed = r.find(version, tag)
        if listed is None:
            continue
        for element in r.all(listed, "component"):
            status = element.get("status")
            if status is None:
                continue
            if table == "C":
                raise InvalidInput.at(
                    f"line {element.sourceline}",
                    "a change to Table C (virtual components) has no place in the payload",
                )
            change: dict[str, Any] = {
                "table": table,
                "action": "added" if status == "inserted" else "deleted",
                "component": _component(r, element, f"Table {table}", False),
                "reason": REASON_IN.get(element.get("reason-code") or "", "other"),
                "proposed": proposed,
            }
            if text := element.get("reason-text"):
                change["note"] = text
            changes.append(change)
    return changes


def _the_la(root) -> tuple[_Reader, Any]:
    ns = namespace(root)
    name = etree.QName(root).localname
    if ns not in (LA_NS, ""):
        raise InvalidInput.at(
            f"line {root.sourceline}",
            f"<{name}> in namespace {ns!r} is not a learning agreement (namespace {LA_NS!r})",
        )
    if ns == LA_NS:
        validate(root)
    r = _Reader(ns)
    if name == "la":
        return r, root
    if name != "omobility-las-get-response":
        raise InvalidInput.at(
            f"line {root.sourceline}",
            f"<{name}> is not a learning agreement (an <la> or an omobility-las-get-response)",
        )
    las = r.all(root, "la")
    if len(las) != 1:
        raise InvalidInput.at(
            f"line {root.sourceline}", f"one learning agreement per file, this one has {len(las)}"
        )
    return r, las[0]


def import_la(data: bytes, warnings: list[str] | None = None) -> dict[str, Any]:
    """The ``learning_agreement`` payload of an EWP learning agreement (institutions by SCHAC
    code; the registry completes them when the payload is rendered). What is left out (an
    e-mail address that is not one) is said in ``warnings``, with its line."""
    r, la = _the_la(parse_xml(data))
    student_el = r.find(la, "student")
    student: dict[str, Any] = {}
    for field, name in (
        ("given_names", "given-names"),
        ("family_name", "family-name"),
        ("birth_date", "birth-date"),
        ("nationality", "citizenship"),
    ):
        if student_el is not None and (value := r.text(student_el, name)):
            student[field] = value
    if student_el is not None and (email := r.email(student_el, "email")):
        student["email"] = email
    if student_el is not None and (gender := r.text(student_el, "gender")):
        student["gender"] = GENDER_IN.get(gender, "U")
    student["eqf"] = r.text(la, "eqf-level-studied-at-departure")
    student["isced"] = r.text(la, "isced-f-code")
    if clarification := r.text(la, "isced-clarification"):
        student["field_of_education"] = clarification
    skill = r.find(la, "student-language-skill")
    payload: dict[str, Any] = {
        "reference": r.text(la, "omobility-id"),
        "academic_year": (r.text(la, "receiving-academic-year-id") or "").replace("/", "-"),
        "student": student,
        "sending": _institution(r, r.find(la, "sending-hei")),
        "receiving": _institution(r, r.find(la, "receiving-hei")),
        "start": r.text(la, "start-date") or r.text(la, "start-year-month"),
        "end": r.text(la, "end-date") or r.text(la, "end-year-month"),
        "language": r.text(skill, "language") if skill is not None else None,
        "cefr": r.text(skill, "cefr-level") if skill is not None else None,
    }
    first = r.find(la, "first-version")
    approved = r.find(la, "approved-changes")
    proposal = r.find(la, "changes-proposal")
    base = first if first is not None else proposal
    if base is None:
        raise InvalidInput.at(
            f"line {la.sourceline}",
            "the learning agreement lists no component (no first-version, no changes-proposal)",
        )
    tables = _tables(r, base)
    payload.update(table_a=tables["A"], table_b=tables["B"], table_c=tables["C"])
    full_name = " ".join(filter(None, [student.get("given_names"), student.get("family_name")]))
    signer = {"name": full_name, "email": student.get("email")}
    payload["student_signature"] = _signature(r, r.find(base, "student-signature"), signer)
    payload["sending_responsible"] = _signature(r, r.find(base, "sending-hei-signature"), None)
    payload["receiving_responsible"] = _signature(r, r.find(base, "receiving-hei-signature"), None)
    changes = []
    if approved is not None:
        changes += _changes(r, approved, proposed=False)
    if proposal is not None:
        changes += _changes(r, proposal, proposed=True)
    payload["changes"] = changes
    if warnings is not None:
        warnings.extend(r.warnings)
    return {k: v for k, v in payload.items() if v is not None}
