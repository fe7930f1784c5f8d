"""Receive one returned form: keep the file, record it, then read it (API and pages alike).

The file goes to the content-addressed store and its record is committed (``received``)
before the parser sees it, so nothing uploaded is lost whatever happens next; the same
bytes uploaded again answer the existing record.
"""

from __future__ import annotations

import unicodedata
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


def file_name(name: str | None, default: str = "upload.pdf") -> str:
    """A file name fit to store and to send in a header: its last path part, no control
    characters (a ``filename*`` may carry CR LF), at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") else c
                   for c in base)
    base = " ".join(base.split())[:255].strip()
    return base if base.strip(". ") else default


def upload_name(storage: Any) -> str:
    return file_name(storage.filename)


def looks_like_pdf(storage: Any) -> bool:
    """A PDF's header in its first KiB and its trailer (``startxref`` or ``%%EOF``) in its
    last 2 KiB: what every reader looks for first. Whether pypdf can read the rest is for
    the parser's worker to find out."""
    stream = storage.stream
    stream.seek(0)
    head = stream.read(1024)
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - 2048))
    tail = stream.read(2048)
    stream.seek(0)
    return PDF_MAGIC in head and (b"startxref" in tail or b"%%EOF" in tail)


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
