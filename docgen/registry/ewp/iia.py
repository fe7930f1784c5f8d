"""Inter-institutional agreements as EWP ``iias-get-response`` (v7) documents.

Export writes one agreement of the registry, the home institution first; import reads one
``<iia>`` back into an agreement with the SCHAC codes of both partners (the caller finds
them in the registry). What docgen keeps of an IIA: both partners' ids and codes, whether
it is in effect, and per cooperation condition the direction, mobility type, years,
places per year, months or days per year, languages, subject areas, EQF levels, blended,
other terms and the home side's coordinators (name and e-mail). Exporting, importing and
exporting again gives the same document.

``iia-hash`` is the official one of IIAs API v7: the SHA-256 of the "text to hash" that the
API's XSLT (``transform_version_7.xsl``) builds from the partners' IIA ids and the
cooperation conditions; :func:`text_to_hash` builds the same text in Python (lxml has no
XSLT 2.0), so that a partner's hash and ours agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from docgen.domain.common import Activity, Direction
from docgen.errors import InvalidInput, Problem, pointer
from docgen.registry.ewp.xml import CONTACT_NS, IIA_NS, namespace, parse_xml, serialise, validate
from docgen.registry.models import (
    Agreement,
    AgreementType,
    Condition,
    Contact,
    ContactRole,
    Institution,
    Language,
    SubjectArea,
)

SPECS = {
    Activity.SMS: "student-studies-mobility-spec",
    Activity.SMT: "student-traineeship-mobility-spec",
    Activity.STA: "staff-teacher-mobility-spec",
    Activity.STT: "staff-training-mobility-spec",
}
ACTIVITY_OF = {tag: activity for activity, tag in SPECS.items()}
STUDENT = {Activity.SMS, Activity.SMT}


def _e(parent: etree._Element, name: str, text: object = None, ns: str = IIA_NS):
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _year(year: str) -> str:
    return year.replace("-", "/")


def _number(value: Decimal | int) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def _contact(parent: etree._Element, name: str, contact: Contact) -> None:
    element = _e(parent, name)
    _e(element, "contact-name", contact.name, CONTACT_NS)
    if contact.email:
        _e(element, "email", contact.email, CONTACT_NS)


def _export_condition(
    parent: etree._Element,
    condition: Condition,
    index: int,
    agreement: Agreement,
    home: str,
    partner: str,
    problems: list[Problem],
) -> None:
    where = ("conditions", index)
    if condition.mobility_type not in SPECS:
        problems.append(
            Problem(pointer(*where, "mobility_type"), "EWP IIAs have no place for this type")
        )
        return
    years = condition.academic_years or agreement.academic_years
    if not years:
        problems.append(
            Problem(pointer(*where, "academic_years"), "no academic year (nor the agreement's)")
        )
    if not condition.mobilities:
        problems.append(
            Problem(pointer(*where, "mobilities"), "EWP needs at least 1 mobility per year")
        )
    if not condition.languages:
        problems.append(
            Problem(pointer(*where, "languages"), "EWP needs at least one recommended language")
        )
    if problems:
        return
    spec = _e(parent, SPECS[condition.mobility_type])
    incoming = condition.direction == Direction.INCOMING
    _e(spec, "sending-hei-id", partner if incoming else home)
    if not incoming:
        for person in condition.coordinators:
            _contact(spec, "sending-contact", person)
    _e(spec, "receiving-hei-id", home if incoming else partner)
    if incoming:
        for person in condition.coordinators:
            _contact(spec, "receiving-contact", person)
    _e(spec, "receiving-first-academic-year-id", _year(min(years)))
    _e(spec, "receiving-last-academic-year-id", _year(max(years)))
    _e(spec, "mobilities-per-year", condition.mobilities)
    for language in condition.languages:
        skill = _e(spec, "recommended-language-skill")
        _e(skill, "language", language.language)
        if language.level:
            _e(skill, "cefr-level", language.level)
    for area in condition.subject_areas:
        subject = _e(spec, "subject-area")
        _e(subject, "isced-f-code", area.isced)
        if area.name:
            _e(subject, "isced-clarification", area.name)
    if condition.notes:
        _e(spec, "other-info-terms", condition.notes)
    if condition.mobility_type in STUDENT:
        if condition.total_months is not None:
            _e(spec, "total-months-per-year", _number(condition.total_months))
        _e(spec, "blended", "true" if condition.blended else "false")
        if condition.mobility_type == Activity.SMS:
            for level in condition.eqf:
                _e(spec, "eqf-level", level)
    elif condition.total_days:
        _e(spec, "total-days-per-year", condition.total_days)


def _local(element: etree._Element | None) -> str:
    if element is None or not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def _parent(element: etree._Element | None) -> etree._Element | None:
    return element.getparent() if element is not None else None


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _string(element: etree._Element | None) -> str:
    """An element's string value (all its text), as XPath gives it."""
    if element is None:
        return ""
    return "".join(element.itertext())


def _undefined(element: etree._Element) -> bool:
    return element.get("not-yet-defined") in ("true", "1")


LEAVES_LEFT_OUT = ("receiving-first-academic-year-id", "receiving-last-academic-year-id")
CONTACTS = ("sending-contact", "receiving-contact")


def text_to_hash(iia: etree._Element) -> str:
    """The text the IIAs API v7 hashes for one ``<iia>``: terminated-as-a-whole, then each
    partner's IIA id by position, then per mobility each leaf (and each attribute) as
    ``_grandparent.parent.name=value_``, contacts, undefined elements and the academic
    years left out, and the first and last academic year at the end of the mobility."""
    parts: list[str] = []
    conditions = _child(iia, "cooperation-conditions")
    if conditions is not None and conditions.get("terminated-as-a-whole") in ("true", "1"):
        parts.append("_@terminated-as-a-whole@_")
    partners = [child for child in iia if _local(child) == "partner"]
    for position, partner in enumerate(partners, 1):
        parts.append(f"_iia-id_{position}={_string(_child(partner, 'iia-id'))}_")
    for mobility in conditions if conditions is not None else ():
        if not isinstance(mobility.tag, str):
            continue
        for element in mobility.iterdescendants():
            if not isinstance(element.tag, str):
                continue
            ancestors = list(element.iterancestors())
            if any(_local(a) in CONTACTS for a in ancestors):
                continue
            if _local(element) in LEAVES_LEFT_OUT:
                continue
            if _undefined(element) or any(_undefined(a) for a in ancestors):
                continue
            parent = _parent(element)
            grandparent = _parent(parent)
            for name, value in element.attrib.items():
                attribute = etree.QName(name).localname
                if attribute in ("not-yet-defined", "v6-value"):
                    continue
                where = f"{_local(grandparent)}.{_local(parent)}.{_local(element)}.{attribute}"
                parts.append(f"_@{where}={value}@_")
            if not any(isinstance(child.tag, str) for child in element):
                value = _string(element)
                if _local(element) == "isced-f-code" and element.get("v6-value"):
                    value = element.get("v6-value", "")
                parts.append(f"_{_local(grandparent)}.{_local(parent)}.{_local(element)}={value}_")
        for name in LEAVES_LEFT_OUT:
            parts.append(f"_{name}={_string(_child(mobility, name))}_")
    return "".join(parts)


def iia_hash(iia: etree._Element) -> str:
    """The ``iia-hash`` of one ``<iia>`` (IIAs API v7)."""
    return hashlib.sha256(text_to_hash(iia).encode("utf-8")).hexdigest()


def export_iia(
    agreement: Agreement, agreement_id: int, home: Institution, partner: Institution
) -> bytes:
    """The agreement as a valid ``iias-get-response`` document (bytes, UTF-8)."""
    problems = []
    if home.schac is None:
        problems.append(Problem("/home/schac", "the home institution has no SCHAC code"))
    if partner.schac is None:
        problems.append(
            Problem("/partner/schac", f"{partner.display_name} has no SCHAC code in the registry")
        )
    if problems:
        raise InvalidInput(problems)
    root = etree.Element(f"{{{IIA_NS}}}iias-get-response", nsmap={None: IIA_NS, "c": CONTACT_NS})
    iia = _e(root, "iia")
    ours = _e(iia, "partner")
    _e(ours, "hei-id", home.schac)
    iia_id = agreement.iia_id or f"docgen-{agreement_id}"
    _e(ours, "iia-id", iia_id)
    _e(ours, "iia-code", agreement.reference or iia_id)
    theirs = _e(iia, "partner")
    _e(theirs, "hei-id", partner.schac)
    if agreement.partner_iia_id:
        _e(theirs, "iia-id", agreement.partner_iia_id)
    if agreement.partner_iia_code:
        _e(theirs, "iia-code", agreement.partner_iia_code)
    _e(iia, "in-effect", "true" if agreement.in_effect else "false")
    conditions = _e(iia, "cooperation-conditions")
    ordered = sorted(
        enumerate(agreement.conditions),
        key=lambda pair: (
            list(SPECS).index(pair[1].mobility_type) if pair[1].mobility_type in SPECS else -1
        ),
    )
    for index, condition in ordered:
        _export_condition(
            conditions, condition, index, agreement, home.schac, partner.schac, problems
        )
    if problems:
        raise InvalidInput(problems)
    _e(iia, "iia-hash", iia_hash(iia))
    validate(root)  # what we send must be valid: a failure here is a bug of ours
    return serialise(root)


@dataclass
class ImportedIia:
    """An IIA read from EWP XML: the agreement and the SCHAC codes it names."""

    agreement: Agreement
    home_hei: str
    partner_hei: str


def _text(element: etree._Element, name: str, ns: str = IIA_NS) -> str | None:
    found = element.find(f"{{{ns}}}{name}")
    return found.text.strip() if found is not None and found.text else None


def _texts(element: etree._Element, name: str, ns: str = IIA_NS) -> list[str]:
    return [(e.text or "").strip() for e in element.findall(f"{{{ns}}}{name}")]


def _academic_years(first: str, last: str) -> list[str]:
    start, end = int(first[:4]), int(last[:4])
    return [f"{year}-{year + 1}" for year in range(start, end + 1)]


def _read_condition(spec: etree._Element, home_hei: str) -> Condition:
    incoming = _text(spec, "receiving-hei-id") == home_hei
    side = "receiving-contact" if incoming else "sending-contact"
    coordinators = [
        Contact(
            name=_text(c, "contact-name", CONTACT_NS) or "",
            email=_text(c, "email", CONTACT_NS),
            role=ContactRole.DEPARTMENTAL_COORDINATOR,
        )
        for c in spec.findall(f"{{{IIA_NS}}}{side}")
    ]
    activity = ACTIVITY_OF[etree.QName(spec).localname]
    months = _text(spec, "total-months-per-year")
    days = _text(spec, "total-days-per-year")
    return Condition(
        direction=Direction.INCOMING if incoming else Direction.OUTGOING,
        mobility_type=activity,
        subject_areas=[
            SubjectArea(
                isced=_text(area, "isced-f-code") or "",
                name=_text(area, "isced-clarification"),
            )
            for area in spec.findall(f"{{{IIA_NS}}}subject-area")
        ],
        eqf=[int(level) for level in _texts(spec, "eqf-level")],
        mobilities=int(_text(spec, "mobilities-per-year") or 0),
        total_months=Decimal(months) if months else None,
        total_days=int(Decimal(days)) if days else None,
        languages=[
            Language(language=_text(skill, "language") or "", level=_text(skill, "cefr-level"))
            for skill in spec.findall(f"{{{IIA_NS}}}recommended-language-skill")
        ],
        blended=_text(spec, "blended") == "true",
        coordinators=coordinators,
        academic_years=_academic_years(
            _text(spec, "receiving-first-academic-year-id") or "",
            _text(spec, "receiving-last-academic-year-id") or "",
        ),
        notes=_text(spec, "other-info-terms"),
    )


def import_iia(data: bytes, home_schac: str) -> ImportedIia:
    """Read an ``iias-get-response`` with one IIA between the home institution and a partner."""
    root = parse_xml(data)
    if namespace(root) != IIA_NS:
        raise InvalidInput.at(
            f"line {root.sourceline or 1}",
            f"<{etree.QName(root).localname}> is not an IIA response (namespace {IIA_NS!r})",
        )
    validate(root)
    iias = root.findall(f"{{{IIA_NS}}}iia")
    if len(iias) != 1:
        raise InvalidInput.at(
            f"line {root.sourceline or 1}", f"one IIA per file, this one has {len(iias)}"
        )
    iia = iias[0]
    partners = iia.findall(f"{{{IIA_NS}}}partner")
    heis = [_text(p, "hei-id") or "" for p in partners]
    if home_schac not in heis:
        raise InvalidInput.at(
            f"line {partners[0].sourceline}",
            f"neither partner ({', '.join(heis)}) is the home institution ({home_schac})",
        )
    ours = partners[heis.index(home_schac)]
    theirs = partners[1 - heis.index(home_schac)]
    problems = []
    conditions = []
    specs = iia.find(f"{{{IIA_NS}}}cooperation-conditions")
    for spec in specs:
        if not isinstance(spec.tag, str):
            continue  # a comment
        try:
            conditions.append(_read_condition(spec, home_schac))
        except ValueError as exc:
            problems.append(Problem(f"line {spec.sourceline}", str(exc)))
    if problems:
        raise InvalidInput(problems)
    years = sorted({year for c in conditions for year in c.academic_years})
    for condition in conditions:
        if condition.academic_years == years:
            condition.academic_years = []
    iia_id = _text(ours, "iia-id")
    code = _text(ours, "iia-code")
    agreement = Agreement(
        type=AgreementType.KA131,
        academic_years=years,
        reference=code if code and code != iia_id else None,
        in_effect=_text(iia, "in-effect") == "true",
        iia_id=iia_id,
        partner_iia_id=_text(theirs, "iia-id"),
        partner_iia_code=_text(theirs, "iia-code"),
        conditions=conditions,
        source=f"EWP IIA {iia_id or _text(theirs, 'iia-id') or ''}".strip(),
    )
    return ImportedIia(agreement, home_schac, _text(theirs, "hei-id") or "")
