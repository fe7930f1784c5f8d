"""Batch jobs: large batches rendered in the background of the worker that took them.

The items are stored (as a file) and the job recorded before the answer goes out; a
thread of this process then renders them into a ZIP kept in the file store, updating the
job's progress as it goes. One machine, one office: a thread per worker process is
enough. (A larger deployment would hand the same function to a queue such as RQ.)

Jobs are bounded: an API key (or a user of the pages) may have ``JOB_MAX_QUEUED`` jobs
queued or running, holding at most ``JOB_MAX_ITEMS`` items not yet done (429 beyond);
their PDF conversions use at most ``JOB_PDF_SHARE`` percent of the LibreOffice pool and
yield to interactive requests. A job's process renews its heartbeat
(:mod:`docgen.web.heartbeat`); one that stops beating is failed with the reason.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from docgen.convert.app import converter, job_capacity
from docgen.documents.kinds import get_kind
from docgen.errors import Busy, DocgenError, NotFound, RateLimited
from docgen.operations import documents as ops
from docgen.operations.documents import canonical_json
from docgen.store.blobs import BlobStore
from docgen.store.database import db
from docgen.store.models import Blob, Job, utcnow
from docgen.web import heartbeat
from docgen.web.settings import current_settings

log = logging.getLogger("docgen.web.jobs")
BUSY_RETRIES = 20
UNFINISHED = ("queued", "running")
STOPPED = ("the worker process running this job stopped (no sign of life for {seconds:g} s); "
           "submit the batch again")


def _blobs() -> BlobStore:
    return current_app.extensions["docgen.blobs"]


def _keep(session: Session, data: bytes, media_type: str) -> str:
    sha = _blobs().put(data)
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=len(data), media_type=media_type))
        session.flush()
    return sha


def submit(session: Session, kind: str, lang: str, fmt: str, items: list[dict[str, Any]],
           api_key_id: int | None, user_id: int | None = None) -> Job:
    """Record the job with its items; it starts once the request has committed.

    Raises ``RateLimited`` (429) when the key or user already has ``JOB_MAX_QUEUED`` jobs
    queued or running, or when those and this one would hold more than ``JOB_MAX_ITEMS``
    items not yet done.
    """
    check_bounds(session, len(items), api_key_id, user_id)
    items_sha = _keep(session, canonical_json(items), "application/json")
    job = Job(id=uuid.uuid4().hex, kind=kind, lang=lang, format=fmt, status="queued",
              total=len(items), done=0, items_sha256=items_sha, errors={"items": []},
              api_key_id=api_key_id, user_id=user_id, heartbeat_at=utcnow())
    session.add(job)
    session.flush()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Start after the commit: the thread must find the job in the database.
    from flask import after_this_request

    @after_this_request
    def _start(response: Any) -> Any:
        session.commit()
        heartbeat.monitor(app).hold(job.id)
        app.extensions["docgen.jobs"].submit(run, app, job.id)
        return response

    return job


def check_bounds(session: Session, items: int, api_key_id: int | None,
                 user_id: int | None) -> None:
    """Refuse a job past the per-key (or per-user) bounds, with a message saying which."""
    config = current_app.config
    if api_key_id is not None:
        whose, owner = Job.api_key_id == api_key_id, "this API key"
    elif user_id is not None:
        whose, owner = Job.user_id == user_id, "your account"
    else:
        return
    count, pending = session.execute(
        select(func.count(), func.coalesce(func.sum(Job.total - Job.done), 0))
        .where(whose, Job.status.in_(UNFINISHED))
    ).one()
    most_jobs, most_items = int(config["JOB_MAX_QUEUED"]), int(config["JOB_MAX_ITEMS"])
    if count >= most_jobs:
        raise RateLimited(f"{owner} already has {count} batch jobs queued or running, the "
                          f"most allowed is {most_jobs}: wait until one has finished",
                          retry_after=30)
    if pending + items > most_items:
        raise RateLimited(f"{owner} has {pending} items waiting in batch jobs; with these "
                          f"{items} that would pass the bound of {most_items}: wait until "
                          "they are done, or send fewer items", retry_after=30)


def get(session: Session, job_id: str) -> Job:
    """The job; one whose process stopped beating is failed now, with the reason."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no batch job {job_id[:40]!r}")
    if job.status in UNFINISHED:
        fail_stale(session, float(current_app.config["JOB_HEARTBEAT_TIMEOUT"]), job_id)
    return job


def beat(session: Session, job_ids: set[str]) -> None:
    """Renew the heartbeat of the unfinished jobs among ``job_ids``."""
    if job_ids:
        session.execute(update(Job).where(Job.id.in_(job_ids), Job.status.in_(UNFINISHED))
                        .values(heartbeat_at=utcnow()))


def fail_stale(session: Session, timeout: float, job_id: str | None = None) -> int:
    """Fail the unfinished jobs whose heartbeat is older than ``timeout`` s; how many."""
    cutoff = utcnow() - timedelta(seconds=timeout)
    query = select(Job).where(Job.status.in_(UNFINISHED),
                              func.coalesce(Job.heartbeat_at, Job.created_at) < cutoff)
    if job_id is not None:
        query = query.where(Job.id == job_id)
    stale = session.scalars(query).all()
    for job in stale:
        job.status = "failed"
        job.detail = STOPPED.format(seconds=timeout)
        job.finished_at = utcnow()
        log.warning("job %s lost its worker (no heartbeat for %g s): failed", job.id, timeout)
    session.flush()
    return len(stale)


def _patient(convert: Callable[..., bytes]) -> Callable[[bytes], bytes]:
    """Convert as a batch (after interactive requests, within the jobs' share of the pool);
    when the pool is busy, wait as told and try again (a job can wait).

    The converter is looked up by the caller: conversions run on the batch's own threads,
    outside the application context.
    """

    def run(docx: bytes) -> bytes:
        for _ in range(BUSY_RETRIES):
            try:
                return convert(docx, batch=True)
            except Busy as exc:
                time.sleep(exc.retry_after)
        return convert(docx, batch=True)

    return run


def run(app: Flask, job_id: str) -> None:
    with app.app_context():
        session = db.new_session()
        try:
            heartbeat.monitor(app).hold(job_id)
            _run(session, job_id)
        except Exception as exc:  # the job must end in a state, whatever happened
            session.rollback()
            job = session.get(Job, job_id)
            if job is not None:
                job.status = "failed"
                job.detail = exc.detail if isinstance(exc, DocgenError) else "internal error"
                job.finished_at = utcnow()
                session.commit()
            log.error("job %s failed: %s", job_id, type(exc).__name__)
        finally:
            heartbeat.monitor(app).drop(job_id)
            session.close()


def _run(session: Session, job_id: str) -> None:
    job = session.get(Job, job_id)
    if job is None or job.status != "queued":
        return
    job.status = "running"
    job.heartbeat_at = utcnow()
    session.commit()
    kind = get_kind(job.kind)
    items = json.loads(_blobs().get(job.items_sha256))
    settings = current_settings()
    payloads = ops.validate_items(kind, items, settings.rates_dir)

    def progress(_index: int, _error: str | None) -> None:
        job.done += 1
        session.commit()

    with tempfile.TemporaryFile() as out:
        errors = ops.write_zip(
            session, kind, job.lang, job.format, payloads, out,
            templates=settings.TEMPLATES_DIR, rates_dir=settings.rates_dir,
            convert=_patient(converter().convert), api_key_id=job.api_key_id, job_id=job.id,
            on_item=progress, user_id=job.user_id, parallel=job_capacity(),
        )
        out.seek(0)
        sha, size = _blobs().put_stream(out)
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=size, media_type="application/zip"))
    job.errors = {"items": errors}
    job.result_sha256 = sha
    job.status = "done"
    job.finished_at = utcnow()
    session.commit()


INTERRUPTED = "interrupted when the service stopped; submit the batch again"


def fail_interrupted(session: Session) -> int:
    """Mark the jobs a stopped service left queued or running as failed; return how many.

    Jobs run on threads of the worker that accepted them, so none survives a restart; called
    once by ``docgen serve`` before its workers start, so that no job stays "running" forever.
    """
    stale = session.scalars(select(Job).where(Job.status.in_(UNFINISHED))).all()
    for job in stale:
        job.status = "failed"
        job.detail = INTERRUPTED
        job.finished_at = utcnow()
    session.flush()
    return len(stale)


def init_app(app: Flask) -> None:
    app.extensions["docgen.jobs"] = ThreadPoolExecutor(1, thread_name_prefix="docgen-job")
    heartbeat.init_app(app)


def recent(session: Session, limit: int = 10) -> list[Job]:
    """The batches still running, then the latest finished ones."""
    from sqlalchemy import case, select

    unfinished = case((Job.status.in_(("queued", "running")), 0), else_=1)
    return list(session.scalars(select(Job).order_by(unfinished, Job.created_at.desc())
                                .limit(limit)))
