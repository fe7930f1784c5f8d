"""The registry's seeds: the partners and agreements the office's own texts list.

Two sources, shipped in ``data/`` (see its NOTICE): the international cooperation report,
whose partner tables (country, city, university, agreement type) are read from the text as
it is, and the incoming call of 2015-2016, whose tables were transcribed by hand into
``incoming-call-2015.yaml``. What neither says stays empty and shows as missing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

from docgen.registry.models import (
    Agreement,
    AgreementStatus,
    AgreementType,
    Condition,
    Contact,
    Institution,
)

DATA = Path(__file__).with_name("data")
REPORT = "partners-and-cooperation-report.txt"
CALL = "incoming-call-2015.yaml"

# The report's own words for countries that Babel's Romanian names spell otherwise.
COUNTRY_ALIASES = {"SUA": "US", "Olanda": "NL", "Azerbaijan": "AZ", "Maurițius": "MU"}
# Cities of more than one word in the report (any other city is one word).
MULTIWORD_CITIES = (
    "La Rochelle",
    "Vila Nova de Gaia",
    "Slavonski Brod",
    "Banja Luka",
    "Santo Domingo",
    "St. Petersburg",
    "Rose Hill",
)
NAMED_TYPES = {
    "Memorandum de înțelegere": AgreementType.MOU,
    "Acord cadru de cooperare": AgreementType.FRAMEWORK,
    "Program SEE": AgreementType.EEA,
    "Program SEMP": AgreementType.SEMP,
}
TYPE_AT_END = re.compile(
    r"\s(?P<label>"
    + "|".join(re.escape(name) for name in NAMED_TYPES)
    + r"|KA(?P<action>131|171|103|107)P?(?:\s+(?P<status>modif|nou))?\.?)"
    r"(?:\s*\((?P<count>\d+) acorduri\))?$"
)
COUNT_LINE = re.compile(r"^\((?P<count>\d+) acorduri\)$")
TABLE_HEADER = "Țară Oraș Universitate Tip"
TABLE_END = "COOPERARE INTERNAȚIONALĂ"


@dataclass
class ReportRow:
    """One partner row of the cooperation report."""

    line: int
    country: str
    city: str
    university: str
    label: str
    type: AgreementType
    status: AgreementStatus | None
    count: int = 1


@dataclass
class SeedPartner:
    """An institution with the agreements the seeds list for it."""

    institution: Institution
    agreements: list[Agreement] = field(default_factory=list)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ş", "ș").replace("ţ", "ț"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _countries() -> dict[str, str]:
    names = {name: code for code, name in Locale("ro").territories.items() if len(code) == 2}
    names.update(COUNTRY_ALIASES)
    return names


def _split_place(text: str, line: int) -> tuple[str, str, str]:
    countries = _countries()
    for name in sorted(countries, key=len, reverse=True):
        if text.startswith(name + " "):
            country, rest = countries[name], text[len(name) + 1 :]
            break
    else:
        raise ValueError(f"{REPORT}, line {line}: no known country at the start of {text!r}")
    for city in MULTIWORD_CITIES:
        if rest.startswith(city + " "):
            return country, city, rest[len(city) + 1 :].strip()
    city, _, university = rest.partition(" ")
    return country, city, university.strip()


def _row(text: str, line: int) -> ReportRow:
    match = TYPE_AT_END.search(text)
    assert match is not None
    country, city, university = _split_place(text[: match.start()].strip(), line)
    label = match.group("label")
    if match.group("action"):
        kind = AgreementType(f"ka{match.group('action')}")
        status = {"modif": AgreementStatus.AMENDED, "nou": AgreementStatus.NEW}.get(
            match.group("status") or ""
        )
    else:
        kind, status = NAMED_TYPES[label], None
    count = int(match.group("count") or 1)
    return ReportRow(line, country, city, university, label, kind, status, count)


def read_report(text: str) -> list[ReportRow]:
    """Every partner row of the report's tables, rows broken over lines joined again."""
    rows: list[ReportRow] = []
    inside = False
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith(TABLE_HEADER):
            inside, buffer = True, []
            continue
        if not inside or not line:
            continue
        if line == TABLE_END:
            if buffer:
                raise ValueError(f"{REPORT}, line {start}: a row without an agreement type")
            inside = False
            continue
        if (count := COUNT_LINE.match(line)) and not buffer and rows:
            rows[-1].count = int(count.group("count"))
            continue
        if not buffer:
            start = number
        buffer.append(line)
        joined = " ".join(buffer)
        if TYPE_AT_END.search(joined):
            rows.append(_row(joined, start))
            buffer = []
    return rows


def _report_partners(rows: list[ReportRow]) -> dict[tuple[str, str], SeedPartner]:
    partners: dict[tuple[str, str], SeedPartner] = {}
    for row in rows:
        key = (row.country, _fold(row.university))
        if key not in partners:
            institution = Institution(name_en=row.university, country=row.country, city=row.city)
            partners[key] = SeedPartner(institution)
        for index in range(row.count):
            suffix = f" ({index + 1} of {row.count})" if row.count > 1 else ""
            partners[key].agreements.append(
                Agreement(
                    type=row.type,
                    status=row.status,
                    source=f"{REPORT}, line {row.line}: {row.label}{suffix}",
                )
            )
    return partners


def _condition(item: dict[str, Any], call: dict[str, Any]) -> Condition:
    fields, people, year = call["fields"], call["coordinators"], str(call["academic_year"])
    coordinators = [
        Contact(name=people[key], role="departmental_coordinator", faculty=None)
        for key in item.get("coordinators", [])
    ]
    return Condition(
        direction="incoming",
        mobility_type=item["type"],
        subject_areas=[{"isced": code, "name": fields[code]} for code in item["fields"]],
        eqf=item.get("eqf", []),
        mobilities=item.get("mobilities"),
        total_months=Decimal(item["total_months"]) if "total_months" in item else None,
        total_days=item.get("total_days"),
        days_per_mobility=item.get("days_per_mobility"),
        teaching_days=item.get("teaching_days"),
        transport_days=item.get("transport_days"),
        languages=[{"language": code} for code in call["student_languages"]]
        if item["type"] in ("SMS", "SMT")
        else [],
        coordinators=coordinators,
        academic_years=[year] if item["kind"] == "places" else [],
        notes=item.get("notes"),
    )


def read_call(data: dict[str, Any]) -> tuple[Institution, list[tuple[str | None, SeedPartner]]]:
    """The call's home institution and its partners, each with the report name it has."""
    home = Institution.model_validate(data["home"])
    year = str(data["academic_year"])
    partners = []
    for entry in data["partners"]:
        entry = dict(entry)
        report_name = entry.pop("report_name", None)
        conditions = [_condition(item, data) for item in entry.pop("conditions")]
        institution = Institution.model_validate(entry)
        agreement = Agreement(
            type=data["agreement_type"],
            academic_years=[year],
            conditions=conditions,
            source=f"incoming-mobility-call.txt: {institution.display_name}",
        )
        partners.append((report_name, SeedPartner(institution, [agreement])))
    return home, partners


def _merge(report: Institution, call: Institution) -> Institution:
    """The report's record completed by the call's (the call names and reaches the partner;
    the report's other spelling of the name is kept in the notes)."""
    merged = report.model_copy(
        update={
            "name_native": call.name_native or report.name_native,
            "name_ro": call.name_ro or report.name_ro,
            "name_en": call.name_en or report.name_en,
            "faculties": call.faculties,
            "contacts": call.contacts,
        }
    )
    if call.name_en and report.name_en and call.name_en != report.name_en:
        merged.notes = f"Cooperation report: {report.name_en}"
    if call.city != report.city:
        merged.notes = "; ".join(
            filter(None, [merged.notes, f"Incoming call 2015-2016: {call.city}"])
        )
    return Institution.model_validate(merged.model_dump())


def seed_partners(data_dir: Path = DATA) -> tuple[Institution, list[SeedPartner]]:
    """The home institution and every partner of the seeds, each once, with its agreements."""
    rows = read_report((data_dir / REPORT).read_text(encoding="utf-8"))
    partners = _report_partners(rows)
    call = yaml.safe_load((data_dir / CALL).read_text(encoding="utf-8"))
    home, call_partners = read_call(call)
    for report_name, partner in call_partners:
        key = (partner.institution.country, _fold(report_name or ""))
        if report_name and key in partners:
            found = partners[key]
            found.institution = _merge(found.institution, partner.institution)
            found.agreements.extend(partner.agreements)
        else:
            key = (partner.institution.country, _fold(partner.institution.display_name))
            partners[key] = partner
    return home, list(partners.values())
