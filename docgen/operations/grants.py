"""Final grant: the grant of a mobility, from the real dates on its certificate of attendance.

A certificate whose reference is the number of a financial contract generated here gets
the contract's grant recomputed with the dates it states: the balance still to pay, or
what is to be recovered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from docgen.domain.financial_contract import FinancialContract
from docgen.domain.grant import ActualPeriod
from docgen.errors import InvalidInput
from docgen.rules.grants import quote_grant, quote_to_json
from docgen.store.documents import contract_for
from docgen.store.models import Record

CERTIFICATE_FORM = "certificate_of_attendance"
# The values the final grant is computed from: on a scan read without confidence, they wait
# for a reviewer (a correction of the field, or the record's approval).
GRANT_FIELDS = ("actual_start", "actual_end", "teaching_hours")


def unconfirmed(record: Record) -> list[str]:
    """Return the grant's fields that a scan read below the confidence threshold."""
    if record.method != "scan" or record.status == "approved":
        return []
    items = (record.issues or {}).get("items") or []
    unsure = [i["field"] for i in items if i.get("code") == "low_confidence"]
    return [name for name in unsure if name in GRANT_FIELDS]


def final_grant(session: Session, record: Record, rates_dir: str = "") -> dict[str, Any] | None:
    """Return ``{"contract", "number", "actual", "final", ...}`` or None when not applicable."""
    if record.form != CERTIFICATE_FORM or not record.reference:
        return None
    contract = contract_for(session, record.reference)
    if contract is None:
        return None
    waiting = unconfirmed(record)
    if waiting:
        return {
            "contract": contract.id,
            "number": contract.reference,
            "pending": f"the scanned {', '.join(waiting)} await review",
        }
    values = record.values or {}
    try:
        hours = values.get("teaching_hours")
        actual = ActualPeriod(
            start=date.fromisoformat(str(values.get("actual_start"))),
            end=date.fromisoformat(str(values.get("actual_end"))),
            teaching_hours=int(hours) if hours not in (None, "") else None,
        )
    except (ValueError, TypeError):
        return {
            "contract": contract.id,
            "number": contract.reference,
            "error": "the certificate does not state valid real dates",
        }
    try:
        payload = FinancialContract.model_validate(contract.payload)
        request = payload.quote_request().model_copy(update={"actual": actual})
        quote = quote_to_json(quote_grant(request, rates_dir))
    except (InvalidInput, ValueError) as exc:
        return {"contract": contract.id, "number": contract.reference, "error": str(exc)[:500]}
    return {
        "contract": contract.id,
        "number": contract.reference,
        "actual": {"start": actual.start.isoformat(), "end": actual.end.isoformat()},
        "currency": quote.get("currency"),
        "total": quote.get("total"),
        "prefinancing": quote.get("prefinancing"),
        "final": quote.get("final"),
    }
