"""Our learning agreement as an EWP ``omobility-las-get-response`` document (OLA, v1).

The payload must be complete (as it is rendered): both institutions with their SCHAC code,
the contacts' given names and family name apart with an e-mail, every signature with its
time. What EWP needs and the payload lacks is refused, each with its field; changes are
not exported yet (EWP wants them signed on their own). The document is validated against
the schema before it is returned.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree

from docgen.domain.learning_agreement import LearningAgreement
from docgen.domain.validation import validate as validate_model
from docgen.errors import InvalidInput, Problem
from docgen.registry.ewp.la import GENDER_OUT, REASON_OUT
from docgen.registry.ewp.xml import LA_NS, TERM_NS, serialise, validate


def _e(parent, name: str, text: object = None, ns: str = LA_NS):
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _export_component(parent, row, status: str | None = None, change=None) -> None:
    element = _e(parent, "component")
    if status:
        element.set("status", status)
        if change.reason.value in REASON_OUT:
            element.set("reason-code", REASON_OUT[change.reason.value])
        if change.note:
            element.set("reason-text", change.note)
    if row.code:
        _e(element, "los-code", row.code)
    _e(element, "title", row.title)
    if row.semester and "/" in row.semester:
        number, total = row.semester.split("/", 1)
        if number.isdigit() and total.isdigit():
            term = _e(element, "term-id")
            _e(term, "term-number", number, TERM_NS)
            _e(term, "total-terms", total, TERM_NS)
    if row.ects is not None:
        credit = _e(element, "credit")
        _e(credit, "scheme", "ects")
        _e(credit, "value", _number(row.ects))


def _export_signature(parent, name: str, signatory, where: str, problems) -> None:
    if signatory is None:
        return
    if signatory.timestamp is None:
        problems.append(Problem(f"/{where}/timestamp", "EWP needs the time of signing"))
        return
    element = _e(parent, name)
    _e(element, "signer-name", signatory.name)
    if signatory.position:
        _e(element, "signer-position", signatory.position)
    if signatory.email:
        _e(element, "signer-email", signatory.email)
    _e(element, "timestamp", signatory.timestamp.isoformat())


def _export_person(parent, name: str, contact, where: str, problems) -> None:
    if contact is None or not (contact.given_names and contact.family_name and contact.email):
        problems.append(
            Problem(
                f"/{where}/contact",
                "EWP needs the contact's given names, family name and e-mail apart",
            )
        )
        return
    person = _e(parent, name)
    _e(person, "given-names", contact.given_names)
    _e(person, "family-name", contact.family_name)
    _e(person, "email", contact.email)


def export_la(data: Any) -> bytes:
    """A ``learning_agreement`` payload (complete, as rendered) as a valid
    ``omobility-las-get-response``; what EWP needs and the payload lacks is refused."""
    la: LearningAgreement = validate_model(LearningAgreement, data)
    try:
        return _export(la)
    except ValueError as exc:  # lxml: a character XML cannot hold (a control character)
        raise InvalidInput.at("", f"a value cannot be written in XML: {exc}") from exc


def _export(la: LearningAgreement) -> bytes:
    problems: list[Problem] = []
    if not re.fullmatch(r"[\x21-\x7E]{1,64}", la.reference):
        problems.append(
            Problem("/reference", "EWP needs printable ASCII without spaces (omobility-id)")
        )
    root = etree.Element(
        f"{{{LA_NS}}}omobility-las-get-response", nsmap={None: LA_NS, "trm": TERM_NS}
    )
    element = _e(root, "la")
    _e(element, "omobility-id", la.reference)
    for side in ("sending", "receiving"):
        institution = getattr(la, side)
        hei = _e(element, f"{side}-hei")
        if institution.schac is None:
            problems.append(Problem(f"/{side}/schac", "EWP names institutions by SCHAC code"))
        _e(hei, "hei-id", institution.schac or "")
        if institution.faculty:
            _e(hei, "ounit-name", institution.faculty)
        _export_person(hei, "contact-person", institution.contact, side, problems)
    _e(element, "receiving-academic-year-id", la.academic_year.replace("-", "/"))
    student = _e(element, "student")
    person = la.student
    _e(student, "given-names", person.given_names)
    _e(student, "family-name", person.family_name)
    if person.birth_date:
        _e(student, "birth-date", person.birth_date.isoformat())
    if person.nationality:
        _e(student, "citizenship", person.nationality)
    if person.gender:
        _e(student, "gender", GENDER_OUT[person.gender.value])
    if person.email:
        _e(student, "email", person.email)
    for edge, value in (("start", la.start), ("end", la.end)):
        if isinstance(value, str):
            _e(element, f"{edge}-year-month", value)
        else:
            _e(element, f"{edge}-date", value.isoformat())
    _e(element, "eqf-level-studied-at-departure", person.eqf)
    _e(element, "isced-f-code", person.isced)
    if person.field_of_education:
        _e(element, "isced-clarification", person.field_of_education)
    skill = _e(element, "student-language-skill")
    _e(skill, "language", la.language)
    _e(skill, "cefr-level", la.cefr)
    first = _e(element, "first-version")
    for name, rows in (
        ("components-studied", la.table_a),
        ("components-recognized", la.table_b),
        ("virtual-components", la.table_c),
    ):
        if rows:
            listed = _e(first, name)
            for row in rows:
                _export_component(listed, row)
    signatures = (
        ("student-signature", la.student_signature, "student_signature"),
        ("sending-hei-signature", la.sending_responsible, "sending_responsible"),
        ("receiving-hei-signature", la.receiving_responsible, "receiving_responsible"),
    )
    for name, signatory, where in signatures:
        _export_signature(first, name, signatory, where, problems)
    if la.changes:
        problems.append(
            Problem("/changes", "changes go to EWP with their own signatures: not exported yet")
        )
    if problems:
        raise InvalidInput(problems)
    validate(root)  # what we send must be valid: a failure here is a bug of ours
    return serialise(root)
