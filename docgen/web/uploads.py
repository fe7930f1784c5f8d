"""Receive one returned form: keep the file, record it, then read it (API and pages alike).

The file goes to the content-addressed store and its record is committed (``received``)
before the parser sees it, so nothing uploaded is lost whatever happens next; the same
bytes uploaded again answer the existing record (and read it again if it was in error).

Reading runs off the request thread, on a few threads of this process (one per warm
parser, ``PARSE_WORKERS``): the request waits ``PARSE_WAIT`` seconds at most, then
answers with the record still ``received`` (202) and the reading goes on. A parse that
ran out of time because the machine was loaded (the parser had little CPU meanwhile) is
tried again, up to ``PARSE_RETRIES`` times with a longer limit each time. While a record
waits, the process holding it renews its ``updated_at`` (the job heartbeat thread); a
``received`` record nobody renews (its worker was killed mid-upload) is taken up and read
by the workers of ``docgen serve``. A record in error can be read again on request.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docgen import metrics
from docgen.errors import InvalidInput
from docgen.operations import records as ops
from docgen.operations.grants import final_grant
from docgen.store.blobs import BlobStore
from docgen.store.database import db
from docgen.store.models import Record, utcnow
from docgen.web import heartbeat
from docgen.web.parsing import parser

log = logging.getLogger("docgen.web.uploads")
PDF_MAGIC = b"%PDF-"
REPARSABLE = ("error", "received")


def _blobs() -> BlobStore:
    return current_app.extensions["docgen.blobs"]


def file_name(name: str | None, default: str = "upload.pdf") -> str:
    """A file name fit to store and to send in a header: its last path part, no control
    characters (a ``filename*`` may carry CR LF), at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") else c for c in base
    )
    base = " ".join(base.split())[:255].strip()
    return base if base.strip(". ") else default


def upload_name(storage: Any) -> str:
    return file_name(storage.filename)


def looks_like_pdf(storage: Any) -> bool:
    """A PDF with its header in the first KiB and its trailer (``startxref`` or ``%%EOF``) in
    its last 2 KiB, what every reader looks for first; or a scan the parser reads (JPEG, PNG,
    TIFF, HEIC), judged by content. Whether the rest can be read is for the parser's worker
    to find out."""
    from docgen.forms.pages import sniff

    stream = storage.stream
    stream.seek(0)
    head = stream.read(1024)
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - 2048))
    tail = stream.read(2048)
    stream.seek(0)
    if PDF_MAGIC in head:
        return b"startxref" in tail or b"%%EOF" in tail
    return sniff(head) is not None


def served_type(fp: Any) -> str:
    """The media type to serve a stored upload with (a PDF, or a scan's image type)."""
    from docgen.forms.pages import media_type

    head = fp.read(32)
    fp.seek(0)
    return media_type(head)


def grant_of(record: Record) -> dict[str, Any] | None:
    return final_grant(db.session, record, current_app.config["RATES_DIR"])


class ParseQueue:
    """The background readers of one process: a record is read at most once at a time."""

    def __init__(self, app: Flask):
        self.app = app
        self.executor = ThreadPoolExecutor(
            max(1, int(app.config["PARSE_WORKERS"])), thread_name_prefix="docgen-parse"
        )
        self._pending: dict[int, Future[None]] = {}
        self._lock = threading.Lock()

    def submit(self, record_id: int) -> Future[None]:
        with self._lock:
            future = self._pending.get(record_id)
            if future is None or future.done():
                heartbeat.monitor(self.app).hold_record(record_id)
                future = self.executor.submit(self._run, record_id)
                self._pending[record_id] = future
            return future

    def _run(self, record_id: int) -> None:
        try:
            parse_record(self.app, record_id)
        except Exception:
            log.exception("reading record %s failed; it stays received for a retry", record_id)
        finally:
            heartbeat.monitor(self.app).drop_record(record_id)
            with self._lock:
                self._pending.pop(record_id, None)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True)


def _is_load_timeout(answer: dict[str, Any]) -> bool:
    problem = answer.get("error") or {}
    return problem.get("code") == "timeout" and problem.get("cause") == "load"


def parse_record(app: Flask, record_id: int) -> None:
    """Read a ``received`` record's file and complete the record (in its own sessions).

    No transaction is open while the parser works (on SQLite every transaction holds the
    write lock).
    """
    config = app.config
    with app.app_context():
        session = db.new_session()
        try:
            record = session.get(Record, record_id)
            if record is None or record.status != "received":
                return
            sha, filename = record.sha256, record.filename
            session.commit()
            data = app.extensions["docgen.blobs"].get(sha)
            limit = float(config["PARSE_TIMEOUT"])
            retries = int(config["PARSE_RETRIES"])
            for attempt in range(retries + 1):
                answer = parser().parse(data, filename, limit * (attempt + 1))
                if not _is_load_timeout(answer) or attempt == retries:
                    break
                log.info(
                    "record %s: parsing ran out of time under load; trying again (%d of %d)",
                    record_id,
                    attempt + 1,
                    retries,
                )
                time.sleep(1 + attempt)
            record = session.get(Record, record_id)
            if record is None or record.status != "received":
                return  # read meanwhile by another worker
            ops.complete_record(
                session,
                record,
                answer,
                lambda r: final_grant(session, r, config["RATES_DIR"]),
                app.extensions["docgen.blobs"].put,
            )
            session.commit()
            metrics.parsed(record.status)
        finally:
            session.close()


def queue() -> ParseQueue:
    return current_app.extensions["docgen.parse_queue"]


def settle(records: list[Record]) -> None:
    """Wait (up to ``PARSE_WAIT`` s in all) for these records' reading; refresh them."""
    futures = [queue().submit(r.id) for r in records if r.status == "received"]
    if not futures:
        return
    db.session.commit()  # hold no transaction (nor SQLite's write lock) while waiting
    wait(futures, timeout=float(current_app.config["PARSE_WAIT"]))
    for record in records:
        db.session.refresh(record)


def receive(storage: Any, actor: Any) -> tuple[Record, bool]:
    """Store and record (committed) one uploaded PDF, and have it read; return its record.

    The record is ``received`` until its reading ends: call :func:`settle` to wait a little.
    Raises :class:`docgen.store.blobs.TooLarge` past PARSE_MAX_MB, before anything is kept.
    """
    limit = int(current_app.config["PARSE_MAX_MB"]) * 1_000_000
    name = upload_name(storage)
    sha, size = _blobs().put_stream(storage.stream, max_bytes=limit)
    record, created = ops.receive_upload(db.session, sha, size, name, actor)
    if not created and record.status == "error":
        # The same bytes again, after an error (a timeout under load, say): read them again.
        ops.reopen_for_parsing(db.session, record, actor)
    db.session.commit()  # the file and its record are kept before anything reads them
    if record.status == "received":
        queue().submit(record.id)
    return record, created


def reparse(record: Record, actor: Any) -> None:
    """Read a record in error (or left ``received``) again; the caller settles."""
    if record.status not in REPARSABLE:
        raise InvalidInput.at(
            "/status",
            f"a record in status {record.status!r} cannot be "
            "read again (only one in error or still received)",
        )
    if record.status == "error":
        ops.reopen_for_parsing(db.session, record, actor)
    db.session.commit()
    queue().submit(record.id)


def touch(session: Session, record_ids: set[int]) -> None:
    """Renew ``updated_at`` of the records this process is reading (they are not lost)."""
    if record_ids:
        session.execute(
            update(Record)
            .where(Record.id.in_(record_ids), Record.status == "received")
            .values(updated_at=utcnow())
        )


def resume_stale(app: Flask, session: Session, timeout: float) -> list[int]:
    """Take up the ``received`` records nobody renewed for ``timeout`` s; queue them here.

    Each is claimed by renewing it only if nobody did meanwhile, so that one worker
    takes it. Returns the ids taken.
    """
    cutoff = utcnow() - timedelta(seconds=timeout)
    stale = session.execute(
        select(Record.id, Record.updated_at)
        .where(Record.status == "received", Record.updated_at < cutoff)
        .limit(50)
    ).all()
    taken = []
    for record_id, updated_at in stale:
        claimed = session.execute(
            update(Record)
            .where(Record.id == record_id, Record.updated_at == updated_at)
            .values(updated_at=utcnow())
        )
        if claimed.rowcount == 1:
            taken.append(record_id)
    session.commit()
    for record_id in taken:
        log.warning("record %s was left unread (its worker stopped): reading it", record_id)
        app.extensions["docgen.parse_queue"].submit(record_id)
    return taken


def init_app(app: Flask) -> None:
    app.extensions["docgen.parse_queue"] = ParseQueue(app)
