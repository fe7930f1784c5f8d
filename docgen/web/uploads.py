"""Receive one returned form: keep the file, record it, then read it (API and pages alike).

The file goes to the content-addressed store and its record is committed (``received``)
before the parser sees it, so nothing uploaded is lost whatever happens next; the same
bytes uploaded again answer the existing record (and read it again if it was in error).

Reading is a task on the queue of uploads (``docgen-reads``, :mod:`docgen.jobs.queue`:
the instance folder's SQLite file, or Redis shared by the nodes). Every web process
(unless ``READ_IN_WEB`` is off) and every ``docgen worker`` runs readers that take those
tasks, ``PARSE_WORKERS`` at once, on its warm parsers: an upload is read on the node that
took it or, when that node is busy, on any other. The request waits ``PARSE_WAIT`` seconds
at most for its record, then answers with the record still ``received`` (202) and the
reading goes on wherever it was taken. A parse that ran out of time because the machine
was loaded (the parser had little CPU meanwhile) is tried again, up to ``PARSE_RETRIES``
times with a longer limit each time. A reader claims the record first (``read_lease``) and
renews its ``updated_at`` while reading (the heartbeat thread): the same reading queued
twice is read by one reader at a time, and one that finds its record read does nothing.
The sweepers queue again a ``received`` record whose reader gave no sign of life for
``JOB_HEARTBEAT_TIMEOUT`` (killed mid-reading), dropping its lease, and one nobody took for
four times as long (its task lost with a node). A record in error can be read again on
request.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import unicodedata
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docgen import metrics
from docgen.errors import InvalidInput
from docgen.jobs.queue import enqueue_read
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


class Readers:
    """The readers of one process: they take uploads to read from the reads queue (any
    node's uploads, on a shared queue) and read them on this process's parsers.

    ``PARSE_WORKERS`` at once, each record at most once at a time in this process. One
    thread takes tasks as readers free up; it is woken at once by this process's own
    uploads and polls the queue for the others' (a SQLite queue; Redis blocks for them).
    Whoever waits for a record (:func:`settle`) is told as soon as a reading here ends.
    """

    POLL_MIN, POLL_MAX = 0.05, 1.0

    def __init__(self, app: Flask):
        self.app = app
        self.width = max(1, int(app.config["PARSE_WORKERS"]))
        self.finished = threading.Condition()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._reading: set[int] = set()
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._slots = threading.Semaphore(self.width)

    def submit(self, record_id: int) -> None:
        """Queue the record's reading (a durable task); read it here if this process reads."""
        enqueue_read(self.app, record_id)
        if self.app.config.get("READ_IN_WEB", True) or self._thread is not None:
            self.start()
            self._wake.set()

    def start(self) -> None:
        """Start taking tasks (in this process: a forked process starts its own)."""
        with self._lock:
            if self._stop.is_set():
                return
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._pid = os.getpid()
                self._reading = set()
                self._slots = threading.Semaphore(self.width)
                self._executor = ThreadPoolExecutor(self.width, thread_name_prefix="docgen-parse")
                self._thread = threading.Thread(target=self._take, name="docgen-reads", daemon=True)
                self._thread.start()

    def _take(self) -> None:
        reads = self.app.extensions["docgen.reads"]
        idle = self.POLL_MIN
        while not self._stop.is_set():
            if not self._slots.acquire(timeout=0.5):
                continue
            try:
                task = reads.dequeue()
            except Exception as exc:  # the queue's file may be busy for a moment
                log.warning("reading the queue of uploads failed (%s)", type(exc).__name__)
                task = None
            if task is None:
                self._slots.release()
                self._wake.wait(idle)
                idle = self.POLL_MIN if self._wake.is_set() else min(idle * 2, self.POLL_MAX)
                self._wake.clear()
                continue
            idle = self.POLL_MIN
            record_id = int(task.args[0])
            with self._lock:
                duplicate = record_id in self._reading
                self._reading.add(record_id)
            if duplicate:  # queued again while this process reads it: one reading is enough
                self._slots.release()
                continue
            log.info("record %s taken by this reader", record_id)
            heartbeat.monitor(self.app).hold_record(record_id)
            assert self._executor is not None
            self._executor.submit(self._run, record_id)

    def _run(self, record_id: int) -> None:
        try:
            parse_record(self.app, record_id)
        except Exception:
            log.exception("reading record %s failed; it stays received for a retry", record_id)
        finally:
            heartbeat.monitor(self.app).drop_record(record_id)
            with self._lock:
                self._reading.discard(record_id)
            self._slots.release()
            with self.finished:
                self.finished.notify_all()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake.set()
        thread, executor = self._thread, self._executor
        if thread is not None and self._pid == os.getpid():
            thread.join(5)
            if executor is not None:
                executor.shutdown(wait=True)


def _claim(session: Session, record_id: int, timeout: float) -> bool:
    """Take the reading of a ``received`` record nobody reads (no lease, or a lease whose
    reader gave no sign of life for ``timeout`` s). One conditional update: of two readers
    given the same record, one gets it."""
    now = utcnow()
    taken = session.execute(
        update(Record)
        .where(
            Record.id == record_id,
            Record.status == "received",
            (Record.read_lease.is_(None)) | (Record.updated_at < now - timedelta(seconds=timeout)),
        )
        .values(read_lease=uuid.uuid4().hex, updated_at=now)
    )
    return taken.rowcount == 1


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
            if not _claim(session, record_id, float(config["JOB_HEARTBEAT_TIMEOUT"])):
                session.commit()
                return  # read already, or being read by a live reader
            record = session.get(Record, record_id)
            assert record is not None
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


def readers(app: Flask | None = None) -> Readers:
    return (app or current_app).extensions["docgen.parse_queue"]


def settle(records: list[Record]) -> None:
    """Wait (up to ``PARSE_WAIT`` s in all) for these records' reading, by whichever reader
    of whichever node took it; refresh them."""
    waiting = {r.id for r in records if r.status == "received"}
    if not waiting:
        return
    finished = readers().finished
    deadline = time.monotonic() + float(current_app.config["PARSE_WAIT"])
    step = 0.02
    while True:
        db.session.commit()
        left = db.session.scalars(
            select(Record.id).where(Record.id.in_(waiting), Record.status == "received")
        ).all()
        db.session.commit()  # hold no transaction (nor SQLite's write lock) while waiting
        now = time.monotonic()
        if not left or now >= deadline:
            break
        with finished:  # woken by a reading of this process; polled for the others'
            finished.wait(min(step, deadline - now))
        step = min(step * 2, 0.25)
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
        readers().submit(record.id)
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
    readers().submit(record.id)


def touch(session: Session, record_ids: set[int]) -> None:
    """Renew ``updated_at`` of the records this process is reading (they are not lost)."""
    if record_ids:
        session.execute(
            update(Record)
            .where(Record.id.in_(record_ids), Record.status == "received")
            .values(updated_at=utcnow())
        )


def resume_stale(app: Flask, session: Session, timeout: float) -> list[int]:
    """Queue again the ``received`` records whose reader gave no sign of life for
    ``timeout`` s (killed mid-reading), and those nobody took for four times as long (their
    task lost with a node, or a long queue): their lease is dropped, the next reader takes
    them.

    Each is taken by renewing it only if nobody did meanwhile, so that one sweeper queues
    it. Returns the ids queued.
    """
    now = utcnow()
    dead, forgotten = now - timedelta(seconds=timeout), now - timedelta(seconds=4 * timeout)
    stale = session.execute(
        select(Record.id, Record.updated_at)
        .where(
            Record.status == "received",
            (Record.read_lease.is_not(None) & (Record.updated_at < dead))
            | (Record.updated_at < forgotten),
        )
        .limit(50)
    ).all()
    taken = []
    for record_id, updated_at in stale:
        claimed = session.execute(
            update(Record)
            .where(Record.id == record_id, Record.updated_at == updated_at)
            .values(updated_at=utcnow(), read_lease=None)
        )
        if claimed.rowcount == 1:
            taken.append(record_id)
    session.commit()
    for record_id in taken:
        log.warning("record %s was left unread (its worker stopped): reading it", record_id)
        readers(app).submit(record_id)
    return taken


def init_app(app: Flask) -> None:
    app.extensions["docgen.parse_queue"] = Readers(app)
