"""Records of uploaded forms as stored: their statuses, found by id, listed and searched,
and their audit trail. What happens to a record is in :mod:`docgen.operations.records`."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docgen.errors import NotFound
from docgen.store.models import ApiKey, Record, RecordChange, User

STATUSES = (
    "received",
    "valid",
    "needs_review",
    "unrecognized",
    "error",
    "approved",
    "rejected",
    "unidentified",
)
REVIEWABLE = {"valid", "needs_review", "approved", "rejected"}
Actor = ApiKey | User | None  # who acts: an API client or a signed-in user


def fold(text: str) -> str:
    """Lower case without diacritics: how text is searched (ș, ş and s all match s)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def parts_of(session: Session, record: Record) -> list[Record]:
    """Every record of the same file (a scanned stack), in the file's order."""
    return list(
        session.scalars(select(Record).where(Record.sha256 == record.sha256).order_by(Record.part))
    )


def scan_field(record: Record, name: str) -> dict[str, Any] | None:
    """What the scan read in one field (with its crop's SHA-256), or None."""
    fields = (record.scan or {}).get("fields") or {}
    found = fields.get(name)
    return found if isinstance(found, dict) else None


def get_record(session: Session, record_id: int) -> Record:
    # Ids are 32-bit on both databases; a larger one cannot exist (nor be bound on SQLite).
    record = session.get(Record, record_id) if 0 < record_id < 2**31 else None
    if record is None:
        raise NotFound(f"no record {record_id}")
    return record


def list_records(
    session: Session,
    *,
    form: str | None = None,
    status: str | None = None,
    text: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Record], int]:
    """Records matching every filter given, newest first; and how many match in all."""
    query = select(Record)
    if form:
        query = query.where(Record.form == form)
    if status:
        query = query.where(Record.status == status)
    if text:
        needle = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Record.search_text.like(f"%{needle}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Record.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


def all_records(
    session: Session,
    *,
    form: str | None = None,
    status: str | None = None,
    text: str | None = None,
    limit: int = 50_000,
) -> list[Record]:
    """Every record matching the filters (for an export), newest first, up to ``limit``."""
    items, _total = list_records(
        session, form=form, status=status, text=text, page=1, per_page=limit
    )
    return items


def changes_of(session: Session, record: Record) -> list[RecordChange]:
    return list(
        session.scalars(
            select(RecordChange)
            .where(RecordChange.record_id == record.id)
            .order_by(RecordChange.id)
        )
    )
