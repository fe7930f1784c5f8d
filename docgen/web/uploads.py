"""Receive one returned form: keep the file, record it, then read it (API and pages alike).

The file goes to the content-addressed store and its record is committed (``received``)
before the parser sees it, so nothing uploaded is lost whatever happens next; the same
bytes uploaded again answer the existing record.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from docgen.store import records as ops
from docgen.store.blobs import BlobStore
from docgen.store.database import db
from docgen.store.grants import final_grant
from docgen.store.models import Record
from docgen.web.parsing import parser

PDF_MAGIC = b"%PDF-"


def _blobs() -> BlobStore:
    return current_app.extensions["docgen.blobs"]


def upload_name(storage: Any) -> str:
    return (storage.filename or "upload.pdf").replace("\\", "/").rsplit("/", 1)[-1][:255]


def looks_like_pdf(storage: Any) -> bool:
    """A PDF, or a scan the parser reads (JPEG, PNG, TIFF, HEIC), judged by content."""
    from docgen.forms.pages import sniff

    head = storage.stream.read(1024)
    storage.stream.seek(0)
    return sniff(head) is not None


def served_type(fp: Any) -> str:
    """The media type to serve a stored upload with (a PDF, or a scan's image type)."""
    from docgen.forms.pages import media_type

    head = fp.read(32)
    fp.seek(0)
    return media_type(head)


def grant_of(record: Record) -> dict[str, Any] | None:
    return final_grant(db.session, record, current_app.config["RATES_DIR"])


def receive(storage: Any, actor: Any) -> tuple[Record, bool]:
    """Store, record (committed), read and complete one uploaded PDF; return its record.

    Raises :class:`docgen.store.blobs.TooLarge` past PARSE_MAX_MB, before anything is kept.
    """
    limit = int(current_app.config["PARSE_MAX_MB"]) * 1_000_000
    name = upload_name(storage)
    sha, size = _blobs().put_stream(storage.stream, max_bytes=limit)
    record, created = ops.receive_upload(db.session, sha, size, name, actor)
    db.session.commit()  # the file and its record are kept before anything reads them
    if created or record.status == "received":
        answer = parser().parse(_blobs().read(sha), name)
        ops.complete_record(db.session, record, answer, grant_of)
        db.session.commit()
    return record, created
