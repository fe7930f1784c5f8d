"""The letter of nomination: the home university nominates a student it selected for an
Erasmus+ mobility to the partner that will host them (the partner then sends its
acceptance and the application forms).

The whole kind is here: its payload, its context and its registration. Its templates are
``templates/<lang>/letter_of_nomination.docx``, its sample ``samples/letter_of_nomination.json``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from docgen.documents.context import institution, person, representative
from docgen.documents.kinds.base import Kind
from docgen.documents.labels import label
from docgen.domain.common import (
    STUDENT_ACTIVITIES,
    Activity,
    EqfLevel,
    Institution,
    Model,
    NonEmpty,
    Person,
    Representative,
)
from docgen.domain.mobility import AcademicYear
from docgen.domain.reasons import invalid
from docgen.rules.calendar import calendar_days


class LetterOfNomination(Model):
    """Who is nominated, from which programme, to which partner, for which period; signed
    by the institutional (or departmental) coordinator of the home university."""

    reference: NonEmpty = Field(description="Registration number, e.g. UPT-DRI-2026-0518")
    academic_year: AcademicYear
    sending: Institution = Field(description="The home university, which nominates")
    receiving: Institution = Field(description="The partner that hosts the student")
    student: Person
    study_programme: NonEmpty = Field(description="The student's programme at home")
    eqf: EqfLevel
    activity: Activity = Field(description="SMS (studies) or SMT (traineeship)")
    start: date = Field(description="Planned first day at the host")
    end: date = Field(description="Planned last day at the host")
    signer: Representative = Field(description="The coordinator who signs the nomination")
    place: NonEmpty = Field(description="Where the letter is issued")
    issued_on: date

    @model_validator(mode="after")
    def _consistent(self) -> LetterOfNomination:
        if self.activity not in STUDENT_ACTIVITIES:
            raise invalid("nomination_activity", "activity")
        if self.end < self.start:
            raise invalid("end_before_start", "end")
        if self.issued_on > self.start:
            raise invalid("nomination_issued_on", "issued_on")
        return self


def letter_of_nomination_context(payload: LetterOfNomination, lang: str) -> dict[str, Any]:
    return {
        "reference": payload.reference,
        "academic_year": payload.academic_year,
        "sending": institution(payload.sending, lang),
        "receiving": institution(payload.receiving, lang),
        "student": person(payload.student, lang),
        "study_programme": payload.study_programme,
        "eqf": payload.eqf,
        "eqf_name": label("eqf", str(payload.eqf), lang),
        "activity": payload.activity.value,
        "activity_name": label("activity", payload.activity.value, lang),
        "start": payload.start,
        "end": payload.end,
        "days": calendar_days(payload.start, payload.end),
        "signer": representative(payload.signer),
        "place": payload.place,
        "issued_on": payload.issued_on,
    }


KIND = Kind(
    "letter_of_nomination",
    {"ro": "Scrisoare de nominalizare", "en": "Letter of nomination"},
    LetterOfNomination,
    lambda p, lang, _rates: letter_of_nomination_context(p, lang),
    lambda p: p.reference,
    order=50,
)
