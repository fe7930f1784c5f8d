"""The certificate of attendance: the host certifies who came, from where, for which
activity, and the real first and last day."""

from __future__ import annotations

from typing import Any

from docgen.documents.context import institution, person, representative
from docgen.documents.kinds.base import Kind
from docgen.documents.labels import label
from docgen.domain.certificate_of_attendance import CertificateOfAttendance
from docgen.rules.calendar import calendar_days


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
    certificate_context,
    lambda p: p.reference,
    order=30,
)
