"""The certificate of attendance, issued by the host institution: who came, from where, for
which activity, the real first and last day (its payload, context and registration)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from docgen.documents.context import institution, person, representative
from docgen.documents.kinds.base import Kind
from docgen.documents.labels import label
from docgen.domain.common import Activity, Institution, Model, NonEmpty, Person, Representative
from docgen.domain.mobility import Period, ProjectCode
from docgen.domain.reasons import invalid
from docgen.rules.calendar import calendar_days


class CertificateOfAttendance(Model):
    """What the host certifies: who, from where, which activity, the real first and last day.

    RULES.md "What each document holds"; visiting-grant-regulation Art. 19 and Annex 5 for
    Visiting@UPT grantees; erasmus-regulation-ro Art. 20, 41, 60, 79 (documents after return).
    """

    reference: NonEmpty = Field(description="Registration number, e.g. UPT-DRI-2026-0412")
    issuer: Institution = Field(description="The host institution issuing the certificate")
    signer: Representative
    participant: Person
    sending: Institution
    activity: Activity
    project_code: ProjectCode | None = None
    start: date = Field(description="Real first day of the activity")
    end: date = Field(description="Real last day of the activity")
    teaching_hours: int | None = Field(None, ge=0, le=1000, description="Required for STA")
    virtual: Period | None = Field(None, description="BIP: the virtual part")
    place: NonEmpty = Field(description="Where the certificate is issued")
    issued_on: date

    @model_validator(mode="after")
    def _consistent(self) -> CertificateOfAttendance:
        if self.end < self.start:
            raise invalid("end_before_start", "end")
        if self.activity is Activity.STA and self.teaching_hours is None:
            raise invalid("sta_teaching_hours", "teaching_hours")
        if self.issued_on < self.end:
            raise invalid("issued_before_end", "issued_on")
        return self


def certificate_context(payload: CertificateOfAttendance, lang: str) -> dict[str, Any]:
    data = payload.model_dump(
        exclude={"issuer", "signer", "participant", "sending", "virtual", "activity"}
    )
    data.update(
        issuer=institution(payload.issuer, lang),
        signer=representative(payload.signer),
        participant=person(payload.participant, lang),
        sending=institution(payload.sending, lang),
        activity=payload.activity.value,
        activity_name=label("activity", payload.activity.value, lang),
        days=calendar_days(payload.start, payload.end),
        is_teaching=payload.activity.value == "STA",
        virtual=payload.virtual.model_dump() if payload.virtual else None,
    )
    return data


KIND = Kind(
    "certificate_of_attendance",
    {"ro": "Certificat de participare", "en": "Certificate of attendance"},
    CertificateOfAttendance,
    lambda p, lang, _rates: certificate_context(p, lang),
    lambda p: p.reference,
    order=30,
)
