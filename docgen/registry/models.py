"""Registry records as pure models: institutions with their contacts, agreements with their
cooperation conditions.

What a source does not state stays empty (``None``) and is listed by ``missing``, so that
staff see what to complete; nothing is filled in by guessing.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import EmailStr, Field, field_validator, model_validator

from docgen.domain.common import (
    Activity,
    CefrLevel,
    CountryCode,
    Direction,
    EqfLevel,
    ErasmusCode,
    IscedCode,
    Model,
    NonEmpty,
    SchacCode,
)
from docgen.domain.mobility import AcademicYear

Count = Annotated[int, Field(ge=0, le=10_000)]
# EWP's AsciiPrintableIdentifier: printable ASCII, no spaces.
EwpId = Annotated[str, Field(pattern=r"^[\x21-\x7E]{1,64}$")]


class ContactRole(StrEnum):
    """What a contact does for the cooperation."""

    LEGAL_REPRESENTATIVE = "legal_representative"
    INSTITUTIONAL_COORDINATOR = "institutional_coordinator"
    DEPARTMENTAL_COORDINATOR = "departmental_coordinator"
    INTERNATIONAL_OFFICE = "international_office"
    CONTACT = "contact"


class Contact(Model):
    """A person to write to: coordinator, office, legal representative."""

    name: NonEmpty
    role: ContactRole = ContactRole.CONTACT
    position: NonEmpty | None = Field(None, description="Title as the person signs, e.g. Rector")
    email: EmailStr | None = None
    phone: Annotated[str, Field(max_length=40, pattern=r"^\+?[0-9 ()./-]{5,40}$")] | None = None
    faculty: NonEmpty | None = None
    address: NonEmpty | None = Field(None, description="The contact's own postal address")


class Institution(Model):
    """A higher education institution: the home university or a partner."""

    erasmus_code: ErasmusCode | None = None
    schac: SchacCode | None = None
    name_native: NonEmpty | None = Field(None, description="Name in the institution's language")
    name_ro: NonEmpty | None = None
    name_en: NonEmpty | None = None
    country: CountryCode
    city: NonEmpty
    address: NonEmpty | None = None
    faculties: list[NonEmpty] = Field(default_factory=list, max_length=200)
    contacts: list[Contact] = Field(default_factory=list, max_length=200)
    notes: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _named(self) -> Institution:
        if not (self.name_native or self.name_ro or self.name_en):
            raise ValueError("name_en: an institution needs at least one name")
        return self

    @property
    def display_name(self) -> str:
        return self.name_en or self.name_native or self.name_ro or ""

    @property
    def missing(self) -> list[str]:
        """Fields a document may need that nobody has filled in yet."""
        wanted = ("erasmus_code", "schac", "name_native", "name_ro", "name_en", "address")
        gaps = [name for name in wanted if getattr(self, name) is None]
        if not self.contacts:
            gaps.append("contacts")
        return gaps


class AgreementType(StrEnum):
    """Kinds of agreement the office signs (KA103 and KA107 are the 2014-2020 actions that
    KA131 and KA171 replaced; older agreements still carry them)."""

    KA131 = "ka131"  # Erasmus+ inter-institutional agreement, programme countries
    KA171 = "ka171"  # Erasmus+ international credit mobility, partner countries
    KA103 = "ka103"
    KA107 = "ka107"
    MOU = "mou"  # memorandum of understanding
    FRAMEWORK = "framework"  # framework cooperation agreement
    EEA = "eea"  # EEA and Norway grants (SEE) mobility programme
    SEMP = "semp"  # Swiss-European Mobility Programme


class AgreementStatus(StrEnum):
    NEW = "new"
    AMENDED = "amended"
    ACTIVE = "active"
    EXPIRED = "expired"


class Language(Model):
    """A language of instruction and the level a participant must show in it."""

    language: Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1, e.g. en")]
    level: CefrLevel | None = None


class SubjectArea(Model):
    """An ISCED-F 2013 field, with its name as the source gives it."""

    isced: IscedCode
    name: NonEmpty | None = None


class Condition(Model):
    """One cooperation condition: who goes where, in which field and level, how many and how
    long, in which language."""

    direction: Direction
    mobility_type: Activity
    subject_areas: list[SubjectArea] = Field(
        default_factory=list,
        max_length=20,
        description="ISCED-F fields; several when they share the places (merged cells)",
    )
    eqf: list[EqfLevel] = Field(default_factory=list, max_length=4)
    mobilities: Count | None = Field(None, description="Number of mobilities (places)")
    total_months: Decimal | None = Field(None, ge=0, le=1200, decimal_places=1)
    total_days: Count | None = Field(None, description="Total days of all the mobilities")
    days_per_mobility: Count | None = Field(
        None, description="Funded days for each place (the call's 'N days each')"
    )
    teaching_days: Count | None = Field(None, description="Total teaching or training days")
    transport_days: Count | None = Field(None, description="Total funded travel days")
    languages: list[Language] = Field(default_factory=list, max_length=10)
    blended: bool = Field(False, description="A blended mobility (a physical part and a virtual)")
    coordinators: list[Contact] = Field(default_factory=list, max_length=20)
    academic_years: list[AcademicYear] = Field(
        default_factory=list, description="Only these years of the agreement, when not all"
    )
    notes: Annotated[str, Field(max_length=2000)] | None = None

    @field_validator("eqf")
    @classmethod
    def _sorted_levels(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _staff_in_days(self) -> Condition:
        if self.mobility_type in {Activity.STA, Activity.STT} and self.total_months is not None:
            raise ValueError("total_months: staff mobilities are counted in days")
        return self


class Agreement(Model):
    """An agreement with one partner: its kind, years of validity and conditions."""

    partner_id: int | None = Field(None, description="Registry id of the partner institution")
    type: AgreementType
    status: AgreementStatus | None = None
    academic_years: list[AcademicYear] = Field(default_factory=list, max_length=20)
    reference: NonEmpty | None = Field(None, description="The agreement's own number or code")
    in_effect: bool = Field(True, description="Signed and followed (false: a draft or proposal)")
    iia_id: EwpId | None = Field(None, description="Our EWP identifier of the agreement")
    partner_iia_id: EwpId | None = Field(None, description="The partner's EWP identifier")
    partner_iia_code: NonEmpty | None = Field(None, description="The partner's own code")
    conditions: list[Condition] = Field(default_factory=list, max_length=200)
    source: NonEmpty | None = Field(None, description="Where the record came from")
    notes: Annotated[str, Field(max_length=2000)] | None = None

    @field_validator("academic_years")
    @classmethod
    def _ordered_years(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a year twice")
        return sorted(value)

    @property
    def missing(self) -> list[str]:
        gaps = []
        if not self.academic_years:
            gaps.append("academic_years")
        if not self.conditions and self.type in {AgreementType.KA131, AgreementType.KA171}:
            gaps.append("conditions")
        return gaps
