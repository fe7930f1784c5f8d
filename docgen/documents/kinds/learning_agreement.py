"""The learning agreement for studies: tables A, B and C, their changes and the three
signatures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from docgen.documents.context import institution, person
from docgen.documents.kinds.base import Kind
from docgen.documents.labels import label
from docgen.domain.learning_agreement import (
    ChangedComponent,
    Component,
    LearningAgreement,
    Signatory,
)


def _rows(components: Sequence[Component | ChangedComponent]) -> list[dict[str, Any]]:
    return [
        {**c.model_dump(), "code": c.code or "", "semester": c.semester or ""} for c in components
    ]


def _signature(signatory: Signatory | None) -> dict[str, Any]:
    """A signature block: blank (not "None") where nobody signed or a detail is unknown."""
    if signatory is None:
        return {"name": "", "position": "", "email": "", "date": None, "timestamp": None}
    data = signatory.model_dump()
    data.update(position=signatory.position or "", email=signatory.email or "")
    return data


def _ects(components: Sequence[Component]) -> Decimal:
    return sum((c.ects for c in components), Decimal(0))


def learning_agreement_context(payload: LearningAgreement, lang: str) -> dict[str, Any]:
    student = person(payload.student, lang)
    student["eqf_name"] = label("eqf", str(payload.student.eqf), lang)
    changes = [
        {
            "table": change.table,
            "action": change.action,
            "action_name": label(
                "change_action",
                f"proposed_{change.action}" if change.proposed else change.action,
                lang,
            ),
            **_rows([change.component])[0],
            "reason": change.reason.value,
            "reason_name": label("change_reason", change.reason.value, lang),
            "note": change.note or "",
        }
        for change in payload.changes
    ]
    return {
        "reference": payload.reference,
        "academic_year": payload.academic_year,
        "student": student,
        "sending": institution(payload.sending, lang),
        "receiving": institution(payload.receiving, lang),
        "start": payload.start,
        "end": payload.end,
        "table_a": _rows(payload.table_a),
        "total_a": _ects(payload.table_a),
        "table_b": _rows(payload.table_b),
        "total_b": _ects(payload.table_b),
        "automatic_recognition": payload.automatic_recognition,
        "table_c": _rows(payload.table_c),
        "total_c": _ects(payload.table_c),
        "has_table_c": bool(payload.table_c),
        "language": payload.language,
        "cefr": payload.cefr,
        "student_signature": _signature(payload.student_signature),
        "sending_responsible": _signature(payload.sending_responsible),
        "receiving_responsible": _signature(payload.receiving_responsible),
        "changes": changes,
        "has_changes": bool(changes),
    }


KIND = Kind(
    "learning_agreement",
    {"ro": "Acord de studii", "en": "Learning Agreement for Studies"},
    LearningAgreement,
    lambda p, lang, _rates: learning_agreement_context(p, lang),
    lambda p: p.reference,
    order=10,
)
