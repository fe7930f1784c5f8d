"""The queues of background work: huey on a SQLite file (one machine) or on Redis (several).

Two queues, so that a long batch never holds up the reading of an upload: ``docgen-jobs``
(batch jobs, taken by the consumers of ``docgen worker`` and ``docgen serve``) and
``docgen-reads`` (uploaded forms and scans to read, taken by the readers of every web
process and every worker, :mod:`docgen.web.uploads`).

Why huey: a small, well-kept task queue (since 2011, one dependency-free package) with the
two storages docgen needs and nothing else to run on one machine: ``SqliteHuey`` keeps the
queue in a file of the instance folder (the embedded default: `make run` needs no server),
``RedisHuey`` shares it between nodes (``QUEUE_URL=redis://...``). RQ and Celery need a
broker even on one machine; procrastinate needs PostgreSQL, which the embedded default
does not have.

The queue only carries job ids. What a job is, how far it got and who holds it live in the
shared database (``jobs``, ``job_items``): huey forgets a task once a consumer takes it, so
a consumer that dies leaves its job "running" with a heartbeat that stops; every consumer
and web worker sweeps for those (:mod:`docgen.web.heartbeat`) and queues them again, with
back-off, up to ``JOB_ATTEMPTS`` runs. A task for a job that is not "queued" any more is
dropped, so a job queued twice still runs once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

log = logging.getLogger("docgen.jobs.queue")
TASK = "docgen.run_job"
QUEUE_NAME = "docgen-jobs"
READ_TASK = "docgen.read_record"
READS_NAME = "docgen-reads"
# The app of this consumer process (``docgen worker``): huey's tasks take only the job id.
_worker_app: Flask | None = None


class QueueConfigError(ValueError):
    pass


def _huey(app: Flask, name: str) -> Huey:
    url = str(app.config.get("QUEUE_URL") or "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if not url:
        path = Path(app.instance_path) / "queue.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False)
    raise QueueConfigError(
        f"QUEUE_URL: {url[:60]!r} is not a queue docgen knows; leave it empty (a SQLite "
        "file in the instance folder) or give redis://HOST:PORT/DB"
    )


def make_queue(app: Flask) -> Huey:
    """The huey queue of batch jobs the settings name (``QUEUE_URL``), its task registered."""
    queue = _huey(app, QUEUE_NAME)
    queue._docgen_task = queue.task(name=TASK)(_run_in_worker)  # type: ignore[attr-defined]
    return queue


def make_reads(app: Flask) -> Huey:
    """The huey queue of uploads to read, beside the jobs' (same storage, its own name).

    Its tasks carry a record id; the readers take them themselves (:class:`Readers`
    in :mod:`docgen.web.uploads`), never a huey consumer.
    """
    reads = _huey(app, READS_NAME)
    reads._docgen_task = reads.task(name=READ_TASK)(_refuse_read)  # type: ignore[attr-defined]
    return reads


def _refuse_read(record_id: int) -> None:
    raise RuntimeError("uploads are read by docgen's readers, not by a huey consumer")


def enqueue_read(app: Flask, record_id: int) -> None:
    """Queue the reading of an upload's record (any reader of any node may take it)."""
    app.extensions["docgen.reads"]._docgen_task(record_id)


def embedded(app: Flask) -> bool:
    """The queue is the instance folder's SQLite file (this machine's consumer only)."""
    return not app.config.get("QUEUE_URL")


def _run_in_worker(job_id: str) -> None:
    from docgen.web import jobs

    if _worker_app is None:  # only consumers execute tasks
        raise RuntimeError("a job task ran outside `docgen worker`")
    jobs.run(_worker_app, job_id)


def enqueue(app: Flask, job_id: str, delay: float = 0) -> None:
    """Queue the job (after ``delay`` seconds); in-process mode starts the local thread."""
    task = app.extensions["docgen.queue"]._docgen_task
    if delay > 0:
        task.schedule(args=(job_id,), delay=delay)
    else:
        task(job_id)
    local = app.extensions.get("docgen.jobs")
    if isinstance(local, LocalConsumer):
        local.start()


class LocalConsumer:
    """Queued jobs run on a thread of this process (``QUEUE_IN_PROCESS``: tests, `flask run`).

    The same queue and the same job code as a consumer; started on the first job.
    """

    def __init__(self, app: Flask):
        self.app = app
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._loop, name="docgen-job", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        from docgen.web import jobs

        queue: Huey = self.app.extensions["docgen.queue"]
        while not self._stop.is_set():
            try:
                for task in queue.read_schedule():
                    queue.enqueue(task)
                task = queue.dequeue()
            except Exception as exc:  # the queue's file may be busy for a moment
                log.warning("reading the job queue failed (%s)", type(exc).__name__)
                task = None
            if task is None:
                self._stop.wait(0.1)
                continue
            if not queue.ready_to_run(task):  # a retry after its back-off: wait for it
                queue.add_schedule(task)
                continue
            jobs.run(self.app, *task.args)

    def shutdown(self, wait: bool = True) -> None:
        self._stop.set()
        thread = self._thread
        if wait and thread is not None:
            thread.join(600)


def run_consumer(app: Flask, workers: int, resume: bool = False, parent: int | None = None) -> None:
    """``docgen worker``: take jobs from the queue until stopped (SIGTERM or SIGINT).

    Beats for the jobs it runs and sweeps for the jobs of dead workers. ``resume``: this is
    the only consumer of the queue (``docgen serve``'s own): whatever a previous run left
    queued or running is queued again at once. ``parent``: end when that process is gone.
    """
    global _worker_app
    from docgen.store.database import db
    from docgen.web import heartbeat, jobs

    _worker_app = app
    queue: Huey = app.extensions["docgen.queue"]
    if resume:
        with app.app_context():
            count = jobs.requeue_interrupted(app, db.new_session())
        if count:
            log.warning("%d batch job(s) interrupted by the last stop are queued again", count)
    if parent is not None:
        threading.Thread(
            target=_watch_parent, args=(parent,), daemon=True, name="docgen-parent"
        ).start()
    heartbeat.monitor(app).start_sweeping()
    from docgen.web import uploads

    uploads.readers(app).start()  # uploads and scans too, beside the web nodes' readers
    consumer = queue.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=False,
        initial_delay=0.1,
        backoff=1.15,
        max_delay=1.0,
        check_worker_health=True,
    )
    log.info(
        "worker ready: %d job thread(s) on %s",
        workers,
        app.config.get("QUEUE_URL") or "the instance folder's queue",
    )
    consumer.run()  # until SIGTERM or SIGINT
    jobs.release_running(app)  # a stop is not a failed run: its jobs go back to the queue


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    log.warning("the service that started this worker is gone: stopping")
    os._exit(1)


class EmbeddedConsumer:
    """``docgen serve``'s own consumer of the embedded queue: a ``docgen worker`` child,
    started again if it dies (its jobs resume), stopped with the service."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.owner = os.getpid()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "docgen", "worker", "--resume", "--parent", str(os.getpid())],
            start_new_session=True,
        )

    def start(self) -> None:
        self.owner = os.getpid()
        self.proc = self._spawn()
        self._thread = threading.Thread(target=self._supervise, name="docgen-consumer", daemon=True)
        self._thread.start()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            proc = self.proc
            if proc is not None and proc.poll() is not None:
                if self._stopping.is_set():
                    return
                log.warning(
                    "the job consumer (pid %d) stopped (status %s): starting another",
                    proc.pid,
                    proc.returncode,
                )
                self._stopping.wait(1)
                if not self._stopping.is_set():
                    self.proc = self._spawn()
            self._stopping.wait(0.5)

    def stop(self) -> None:
        if os.getpid() != self.owner:
            return
        self._stopping.set()
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
