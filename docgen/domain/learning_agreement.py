"""Payload of a Learning Agreement for Studies (2021-2027 template)."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints, model_validator

from docgen.domain.common import (
    CefrLevel,
    EqfLevel,
    Institution,
    IscedCode,
    Model,
    NonEmpty,
    Person,
)
from docgen.domain.mobility import AcademicYear
from docgen.domain.reasons import invalid

YearMonth = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
    Field(description="A month, YYYY-MM", examples=["2027-02"]),
]


class _Unit(Model):
    code: NonEmpty | None = None
    title: NonEmpty
    semester: NonEmpty | None = Field(None, description="e.g. Winter, Summer, Semester 1")


class Component(_Unit):
    """A course unit or other educational component."""

    ects: Decimal = Field(gt=0, le=60, decimal_places=1)


class VirtualComponent(Component):
    """A virtual component (Table C), at the host or elsewhere."""


class ChangeReason(StrEnum):
    """Reasons for changing the learning agreement (2021-2027 template)."""

    NOT_AVAILABLE = "not_available"
    LANGUAGE = "language_mismatch"
    TIMETABLE = "timetable_conflict"
    SUBSTITUTE = "substitutes_deleted"
    EXTENDING = "extending_mobility"
    VIRTUAL = "adding_virtual"
    OTHER = "other"


class ChangedComponent(_Unit):
    """A component named in a change: its credits may be left out (EWP does)."""

    ects: Decimal | None = Field(None, gt=0, le=60, decimal_places=1)


class Change(Model):
    """A component deleted from or added to Table A or B during the mobility."""

    table: Literal["A", "B"]
    action: Literal["deleted", "added"]
    component: ChangedComponent
    reason: ChangeReason
    note: NonEmpty | None = None
    proposed: bool = Field(False, description="Proposed, not yet agreed by all three parties")


class Signatory(Model):
    """One party's commitment: who signs, in which capacity, and when."""

    name: NonEmpty
    position: NonEmpty | None = None
    email: EmailStr | None = None
    date: dt.date | None = None
    timestamp: dt.datetime | None = Field(None, description="When it was signed (EWP)")

    @model_validator(mode="after")
    def _date_of_timestamp(self) -> Signatory:
        if self.timestamp is not None:
            if self.timestamp.tzinfo is None:
                raise invalid("utc_offset", "timestamp")
            if self.date is None:
                self.date = self.timestamp.date()
            elif self.date != self.timestamp.date():
                raise invalid("timestamp_day", "date")
        return self


class Student(Person):
    eqf: EqfLevel
    isced: IscedCode
    field_of_education: NonEmpty | None = None


class LearningAgreement(Model):
    """Learning Agreement for Studies: RULES.md "Learning Agreement content"; the changes
    section follows erasmus-regulation-ro Art. 18 (changes within a month of arrival, agreed
    by all three parties)."""

    reference: NonEmpty
    academic_year: AcademicYear
    student: Student
    sending: Institution
    receiving: Institution
    start: date | YearMonth = Field(description="Planned first day (or month, as EWP allows)")
    end: date | YearMonth = Field(description="Planned last day (or month)")
    table_a: list[Component] = Field(min_length=1, max_length=40)
    table_b: list[Component] = Field(min_length=1, max_length=40)
    automatic_recognition: bool = True
    table_c: list[VirtualComponent] = Field(default_factory=list, max_length=20)
    language: NonEmpty = Field(description="Main language of instruction at the host")
    cefr: CefrLevel
    student_signature: Signatory
    sending_responsible: Signatory
    receiving_responsible: Signatory | None = Field(
        None, description="None while the receiving institution has not signed"
    )
    changes: list[Change] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _consistent(self) -> LearningAgreement:
        if str(self.end)[:7] < str(self.start)[:7] or (
            isinstance(self.start, date) and isinstance(self.end, date) and self.end < self.start
        ):
            raise invalid("end_before_start", "end")
        for side in ("sending", "receiving"):
            if getattr(self, side).contact is None:
                raise invalid("la_contact", f"{side}.contact")
        return self
