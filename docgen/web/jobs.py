"""Batch jobs: large batches rendered by a consumer of the job queue, resumable.

The items are stored (as a file) and the job recorded before the answer goes out; the
job's id then goes into the queue (:mod:`docgen.jobs.queue`: huey on a SQLite file of the
instance folder, or on Redis for several nodes). A consumer (``docgen worker``, or the one
``docgen serve`` runs beside itself on the embedded queue) claims the job, renders its
items and records each finished one at once, in one transaction: its document in the
content-addressed file store, a ``job_items`` row, the document's trace and the progress.
A financial contract is checked again against its agreement's caps in that transaction
(the item refused, as an error of the job, when the places went to others since).
The ZIP is assembled at the end from those rows, in order.

A consumer renews the heartbeat of the job it runs (:mod:`docgen.web.heartbeat`). When it
dies, the heartbeat stops; the sweepers (every consumer and web worker) queue the job again
after ``JOB_RETRY_DELAY`` s (doubled at each run) and the next run skips the items already
recorded; after ``JOB_ATTEMPTS`` runs the job fails with the reason. Each run holds a lease
(``jobs.lease``): a run that lost it (thought dead, then woke up) records nothing more.

Jobs are bounded: an API key (or a user of the pages) may have ``JOB_MAX_QUEUED`` jobs
queued or running, holding at most ``JOB_MAX_ITEMS`` items not yet done (429 beyond);
their PDF conversions use at most ``JOB_PDF_SHARE`` percent of the LibreOffice pool and
yield to interactive requests.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from docgen.convert.app import converter, job_capacity
from docgen.convert.client import Unreachable
from docgen.documents.batch import render_many, unique_name
from docgen.documents.kinds import get_kind
from docgen.documents.render import template_path
from docgen.errors import Busy, DocgenError, InvalidInput, NotFound, RateLimited
from docgen.forms.pagecode import page_key
from docgen.jobs import queue
from docgen.operations import documents as ops
from docgen.operations.documents import canonical_json, template_version
from docgen.store.blobs import BlobStore
from docgen.store.database import db
from docgen.store.models import Blob, Job, JobItem, utcnow
from docgen.web import heartbeat
from docgen.web.settings import current_settings

log = logging.getLogger("docgen.web.jobs")
BUSY_RETRIES = 20
UNREACHABLE_WAIT = 1.0
UNFINISHED = ("queued", "running")
STOPPED = (
    "the worker process running this job stopped {runs} time(s) (no sign of life "
    "for {seconds:g} s each time); submit the batch again"
)
RETRYING = (
    "its worker stopped (no sign of life for {seconds:g} s): run {run} of {runs} "
    "in {delay:g} s, from the documents already done"
)
NO_CONVERTER = (
    "{reason}; the job stopped {runs} time(s) for it: submit the batch again once the "
    "converter is back"
)
CONVERTER_AWAY = "{reason}: run {run} of {runs} in {delay:g} s, from the documents already done"
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


# The jobs this process runs, and the lease of each run (released when the process stops).
_running: dict[str, str] = {}
STOPPED_BY_SIGNAL = (
    "its worker was stopped (a restart): queued again, from the documents already done"
)


class LeaseLost(Exception):
    """Another run holds the job now (this one was thought dead): record nothing more."""


class ConverterAway(Exception):
    """The PDF converter stopped answering mid-job: the document is not at fault. The run
    stops and the job is queued again (with back-off), instead of recording the item as
    failed."""


def _blobs() -> BlobStore:
    return current_app.extensions["docgen.blobs"]


def _keep(session: Session, data: bytes, media_type: str) -> str:
    sha = _blobs().put(data)
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=len(data), media_type=media_type))
        session.flush()
    return sha


def submit(
    session: Session,
    kind: str,
    lang: str,
    fmt: str,
    items: list[dict[str, Any]],
    api_key_id: int | None,
    user_id: int | None = None,
) -> Job:
    """Record the job with its items; it is queued once the request has committed.

    Raises ``RateLimited`` (429) when the key or user already has ``JOB_MAX_QUEUED`` jobs
    queued or running, or when those and this one would hold more than ``JOB_MAX_ITEMS``
    items not yet done.
    """
    check_bounds(session, len(items), api_key_id, user_id)
    items_sha = _keep(session, canonical_json(items), "application/json")
    job = Job(
        id=uuid.uuid4().hex,
        kind=kind,
        lang=lang,
        format=fmt,
        status="queued",
        total=len(items),
        done=0,
        items_sha256=items_sha,
        errors={"items": []},
        api_key_id=api_key_id,
        user_id=user_id,
        heartbeat_at=utcnow(),
        attempts=0,
    )
    session.add(job)
    session.flush()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Queue after the commit: the consumer must find the job in the database.
    from flask import after_this_request

    @after_this_request
    def _start(response: Any) -> Any:
        session.commit()
        queue.enqueue(app, job.id)
        return response

    return job


def check_bounds(session: Session, items: int, api_key_id: int | None, user_id: int | None) -> None:
    """Refuse a job past the per-key (or per-user) bounds, with a message saying which."""
    config = current_app.config
    if api_key_id is not None:
        whose, owner = Job.api_key_id == api_key_id, "this API key"
    elif user_id is not None:
        whose, owner = Job.user_id == user_id, "your account"
    else:
        return
    count, pending = session.execute(
        select(func.count(), func.coalesce(func.sum(Job.total - Job.done), 0)).where(
            whose, Job.status.in_(UNFINISHED)
        )
    ).one()
    most_jobs, most_items = int(config["JOB_MAX_QUEUED"]), int(config["JOB_MAX_ITEMS"])
    if count >= most_jobs:
        raise RateLimited(
            f"{owner} already has {count} batch jobs queued or running, the "
            f"most allowed is {most_jobs}: wait until one has finished",
            retry_after=30,
        )
    if pending + items > most_items:
        raise RateLimited(
            f"{owner} has {pending} items waiting in batch jobs; with these "
            f"{items} that would pass the bound of {most_items}: wait until "
            "they are done, or send fewer items",
            retry_after=30,
        )


def get(session: Session, job_id: str) -> Job:
    """The job; one whose worker stopped beating is queued again (or failed) now."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no batch job {job_id[:40]!r}")
    if job.status == "running":
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if recover_stale(app, session, float(app.config["JOB_HEARTBEAT_TIMEOUT"]), job_id):
            session.refresh(job)
    return job


def beat(session: Session, job_ids: set[str]) -> None:
    """Renew the heartbeat of the unfinished jobs among ``job_ids``."""
    if job_ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.status.in_(UNFINISHED))
            .values(heartbeat_at=utcnow())
        )


def recover_stale(app: Flask, session: Session, timeout: float, job_id: str | None = None) -> int:
    """Queue again (with back-off) the running jobs whose heartbeat is older than ``timeout``
    s, or fail those that ran ``JOB_ATTEMPTS`` times; commit; return how many changed.

    Each change is a conditional update, so that of several sweepers only one acts.
    Queued jobs nobody took for four timeouts are queued again as well (a consumer may
    have died between taking the task and claiming the job): a job queued twice runs once,
    its claim lets one task through.
    """
    now = utcnow()
    cutoff = now - timedelta(seconds=timeout)
    runs = int(app.config["JOB_ATTEMPTS"])
    first_delay = float(app.config["JOB_RETRY_DELAY"])
    seen = func.coalesce(Job.heartbeat_at, Job.created_at)
    query = select(Job.id, Job.attempts).where(Job.status == "running", seen < cutoff)
    if job_id is not None:
        query = query.where(Job.id == job_id)
    changed, later = 0, []
    for stale_id, attempts in session.execute(query).all():
        guard = (
            Job.id == stale_id,
            Job.status == "running",
            Job.attempts == attempts,
            seen < cutoff,
        )
        delay, values = _next_run(
            attempts,
            runs,
            first_delay,
            STOPPED.format(runs=attempts, seconds=timeout),
            lambda delay, run=attempts + 1: RETRYING.format(
                seconds=timeout, run=run, runs=runs, delay=delay
            ),
        )
        if session.execute(update(Job).where(*guard).values(**values)).rowcount == 1:
            changed += 1
            if values["status"] == "queued":
                later.append((stale_id, delay))
            log.warning(
                "job %s lost its worker (no heartbeat for %g s): %s",
                stale_id,
                timeout,
                values["detail"],
            )
    if job_id is None and timeout > 0:
        forgotten = now - timedelta(seconds=4 * timeout)
        for waiting in session.scalars(
            select(Job.id).where(Job.status == "queued", seen < forgotten)
        ).all():
            moved = session.execute(
                update(Job)
                .where(Job.id == waiting, Job.status == "queued", seen < forgotten)
                .values(heartbeat_at=now)
            )
            if moved.rowcount == 1:
                later.append((waiting, 0.0))
    session.commit()
    for queued_id, delay in later:
        queue.enqueue(app, queued_id, delay)
    return changed


def _next_run(
    attempts: int,
    runs: int,
    first_delay: float,
    failed: str,
    retrying: Callable[[float], str],
) -> tuple[float, dict[str, Any]]:
    """How a job whose run ended early goes on: queued again after a delay that doubles
    at each run, or failed once it ran ``runs`` times. Returns the delay and the values."""
    now = utcnow()
    if attempts >= runs:
        return 0.0, {"status": "failed", "lease": None, "finished_at": now, "detail": failed}
    delay = first_delay * 2 ** max(0, attempts - 1)
    return delay, {
        "status": "queued",
        "lease": None,
        "heartbeat_at": now + timedelta(seconds=delay),
        "detail": retrying(delay),
    }


def requeue_interrupted(app: Flask, session: Session) -> int:
    """The only consumer of the embedded queue starts: the jobs a previous run left
    running lost their worker (queued again at once, or failed past ``JOB_ATTEMPTS``),
    and the queued ones are queued again in case their task was taken but never claimed.
    Return how many running jobs were recovered."""
    try:
        waiting = session.scalars(select(Job.id).where(Job.status == "queued")).all()
        count = recover_stale(app, session, 0)
        for job_id in waiting:
            queue.enqueue(app, job_id)
        return count
    finally:
        session.close()


def _patient(convert: Callable[..., bytes]) -> Callable[[bytes], bytes]:
    """Convert as a batch (after interactive requests, within the jobs' share of the pool);
    when the pool is busy, wait as told and try again (a job can wait); when the converter
    does not answer (restarting, say), wait a moment and try again too. Past
    ``BUSY_RETRIES`` the last error goes up: the caller stops the run (``ConverterAway``).

    The converter is looked up by the caller: conversions run on the batch's own threads,
    outside the application context.
    """

    def run(docx: bytes) -> bytes:
        for _ in range(BUSY_RETRIES):
            try:
                return convert(docx, batch=True)
            except Busy as exc:
                time.sleep(exc.retry_after)
            except Unreachable:
                time.sleep(UNREACHABLE_WAIT)
        return convert(docx, batch=True)

    return run


def run(app: Flask, job_id: str) -> None:
    """Claim the job (if still queued) and run it to its end; record how it ended."""
    with app.app_context():
        session = db.new_session()
        lease = uuid.uuid4().hex
        try:
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(
                    status="running", attempts=Job.attempts + 1, lease=lease, heartbeat_at=utcnow()
                )
            ).rowcount
            session.commit()
            if claimed != 1:
                return  # done, failed, or another run has it: this task was a duplicate
            log.info("job %s taken by this worker", job_id)
            _running[job_id] = lease
            heartbeat.monitor(app).hold(job_id)
            _run(session, job_id, lease)
        except LeaseLost:
            session.rollback()
            log.warning("job %s: another run holds it now; this one stops", job_id)
        except ConverterAway as exc:
            session.rollback()
            _converter_away(app, session, job_id, lease, str(exc))
        except Exception as exc:  # the job must end in a state, whatever happened
            session.rollback()
            detail = exc.detail if isinstance(exc, DocgenError) else "internal error"
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.lease == lease)
                .values(status="failed", detail=detail, finished_at=utcnow(), lease=None)
            )
            session.commit()
            log.error("job %s failed: %s", job_id, type(exc).__name__)
        finally:
            _running.pop(job_id, None)
            heartbeat.monitor(app).drop(job_id)
            session.close()


def release_running(app: Flask) -> int:
    """This consumer is stopped (SIGTERM, SIGINT: a restart, a deploy): the jobs it runs
    are queued again at once, and the run it could not finish does not count against
    ``JOB_ATTEMPTS``. Their run threads lose the lease and record nothing more. Returns
    how many were released."""
    held = dict(_running)
    if not held:
        return 0
    released = []
    with app.app_context():
        session = db.new_session()
        try:
            for job_id, lease in held.items():
                moved = session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.lease == lease, Job.status == "running")
                    .values(
                        status="queued",
                        lease=None,
                        attempts=Job.attempts - 1,  # a running job was claimed: >= 1
                        heartbeat_at=utcnow(),
                        detail=STOPPED_BY_SIGNAL,
                    )
                ).rowcount
                if moved == 1:
                    released.append(job_id)
            session.commit()
        finally:
            session.close()
        for job_id in released:
            log.warning("job %s: %s", job_id, STOPPED_BY_SIGNAL)
            queue.enqueue(app, job_id)
    return len(released)


def _converter_away(app: Flask, session: Session, job_id: str, lease: str, reason: str) -> None:
    """The converter went away mid-run: queue the job again with back-off (its finished
    items stay), or fail it after ``JOB_ATTEMPTS`` runs."""
    attempts = session.scalar(select(Job.attempts).where(Job.id == job_id)) or 0
    runs = int(app.config["JOB_ATTEMPTS"])
    delay, values = _next_run(
        attempts,
        runs,
        float(app.config["JOB_RETRY_DELAY"]),
        NO_CONVERTER.format(reason=reason, runs=attempts),
        lambda delay: CONVERTER_AWAY.format(
            reason=reason, run=attempts + 1, runs=runs, delay=delay
        ),
    )
    moved = session.execute(
        update(Job).where(Job.id == job_id, Job.lease == lease).values(**values)
    ).rowcount
    session.commit()
    log.warning("job %s: %s", job_id, values["detail"])
    if moved == 1 and values["status"] == "queued":
        queue.enqueue(app, job_id, delay)


def _advance(session: Session, job_id: str, holder: str, **values: Any) -> None:
    """Update the job if this run still holds it (else ``LeaseLost``), and commit."""
    held = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease == holder)
        .values(heartbeat_at=utcnow(), **values)
    ).rowcount
    if held != 1:
        raise LeaseLost(job_id)
    session.commit()


def _run(session: Session, job_id: str, lease: str) -> None:
    job = session.get(Job, job_id)
    assert job is not None
    kind = get_kind(job.kind)
    lang, fmt = job.lang, job.format
    api_key_id, user_id = job.api_key_id, job.user_id
    items = json.loads(_blobs().get(job.items_sha256))
    settings = current_settings()
    payloads = ops.validate_items(kind, items, settings.rates_dir)
    finished = set(session.scalars(select(JobItem.idx).where(JobItem.job_id == job_id)))
    todo = [index for index in range(len(payloads)) if index not in finished]
    if finished:
        log.info(
            "job %s resumes: %d of %d items already done", job_id, len(finished), len(payloads)
        )
    left = job.pending_sha256
    if left is not None and session.get(Blob, left) is None:
        # The last run died between writing this document's file and recording it: the
        # document is made again below, so that file would be stored for nothing.
        _blobs().delete(left)
        log.info("job %s: removed the unrecorded file of its last run", job_id)
    templates = settings.TEMPLATES_DIR
    version = template_version(template_path(kind.id, lang, templates))
    key = page_key(str(current_app.config["SECRET_KEY"]))
    rendered = render_many(
        kind.id,
        lang,
        [payloads[index] for index in todo],
        fmt="pdf" if fmt == "pdf" else "docx",
        convert=_patient(converter().convert),
        parallel=job_capacity(),
        root=templates,
        rates_dir=settings.rates_dir,
    )
    for item in rendered:
        index = todo[item.index]
        if isinstance(item.error, (Unreachable, Busy)):
            # Not the document's fault: stop here; the next run makes it again.
            raise ConverterAway(item.error.detail)
        if item.error is not None:
            session.add(
                JobItem(
                    job_id=job_id,
                    idx=index,
                    error={"index": index, "title": item.error.title, "detail": item.error.detail},
                )
            )
        else:
            content = item.pdf if fmt == "pdf" else item.docx
            assert content is not None
            # Every page of a PDF carries its page code, as the API's documents do.
            content = ops.stamp_document(content, fmt, kind, item.payload, version, key)
            _advance(session, job_id, lease, pending_sha256=hashlib.sha256(content).hexdigest())
            refused = _over_caps(session, kind.id, item.payload, index, settings.rates_dir)
            if refused is not None:
                session.add(JobItem(job_id=job_id, idx=index, error=refused))
            else:
                sha = _keep(session, content, MEDIA.get(fmt, "application/octet-stream"))
                session.add(
                    JobItem(
                        job_id=job_id,
                        idx=index,
                        sha256=sha,
                        name=item.name.rsplit(".", 1)[0] + "." + fmt,
                    )
                )
                ops.record_document(
                    session,
                    kind,
                    lang,
                    fmt,
                    item.payload,
                    content,
                    version,
                    api_key_id,
                    job_id,
                    user_id,
                )
        _advance(session, job_id, lease, done=Job.done + 1, pending_sha256=None)
    _finish(session, job_id, lease)


def _over_caps(
    session: Session, kind_id: str, payload: Any, index: int, rates_dir: str
) -> dict[str, Any] | None:
    """A financial contract checked again against its agreement's caps as it is recorded:
    the batch was checked when submitted, but contracts generated since (another batch
    submitted at the same time, say) may have taken the places. The agreement stays locked
    until the item is committed (:func:`docgen.operations.registry.lock_agreements`).
    Returns the item's error when refused."""
    if kind_id != "financial_contract":
        return None
    from docgen.operations.registry import check_contracts

    try:
        check_contracts(session, [payload], rates_dir, at=f"/items/{index}")
    except InvalidInput as exc:
        return {"index": index, "title": exc.title, "detail": exc.detail}
    return None


def _finish(session: Session, job_id: str, lease: str) -> None:
    """Assemble the ZIP from the recorded items, in order, each once: the job is done."""
    rows = session.scalars(
        select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.idx)
    ).all()
    errors: list[dict[str, Any]] = []
    names: set[str] = set()
    with tempfile.TemporaryFile() as out:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for row in rows:
                if row.sha256 is None:
                    errors.append(dict(row.error or {}))
                    continue
                archive.writestr(
                    unique_name(row.name or "document", names), _blobs().get(row.sha256)
                )
        out.seek(0)
        sha, size = _blobs().put_stream(out)
    if session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=size, media_type="application/zip"))
    _advance(
        session,
        job_id,
        lease,
        errors={"items": errors},
        result_sha256=sha,
        status="done",
        detail=None,
        finished_at=utcnow(),
        lease=None,
        done=len(rows),
    )


def init_app(app: Flask) -> None:
    from docgen.web import ConfigError

    try:
        app.extensions["docgen.queue"] = queue.make_queue(app)
        app.extensions["docgen.reads"] = queue.make_reads(app)
    except queue.QueueConfigError as exc:
        raise ConfigError(f"DOCGEN_{exc}") from None
    if app.config.get("QUEUE_IN_PROCESS"):
        app.extensions["docgen.jobs"] = queue.LocalConsumer(app)
    heartbeat.init_app(app)


def recent(session: Session, limit: int = 10) -> list[Job]:
    """The batches still running, then the latest finished ones."""
    from sqlalchemy import case, select

    unfinished = case((Job.status.in_(("queued", "running")), 0), else_=1)
    return list(
        session.scalars(select(Job).order_by(unfinished, Job.created_at.desc()).limit(limit))
    )
