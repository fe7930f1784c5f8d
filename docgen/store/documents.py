"""The generated documents kept: found by id, by contract number, the latest ones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.errors import NotFound
from docgen.store.models import Document


def find_document(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id[:40]!r}")
    return document


def contract_for(session: Session, reference: str) -> Document | None:
    """The latest financial contract generated under ``reference`` (its number)."""
    return session.scalar(
        select(Document)
        .where(Document.kind == "financial_contract", Document.reference == reference)
        .order_by(Document.created_at.desc())
        .limit(1)
    )


def recent_documents(session: Session, limit: int = 10) -> list[Document]:
    """The documents generated last, newest first."""
    return list(session.scalars(select(Document).order_by(Document.created_at.desc()).limit(limit)))
