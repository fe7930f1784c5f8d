"""Heartbeats of batch jobs: each process vouches for the jobs it runs; stale ones resume.

A consumer of the job queue renews ``heartbeat_at`` of the jobs it runs every quarter of
``JOB_HEARTBEAT_TIMEOUT`` (at most every 10 s), from a thread of its own, so a long
conversion does not stop the beat. When the consumer dies (killed, out of memory, its
machine gone) the beat stops. The consumers and the workers of ``docgen serve`` sweep: a
running job whose heartbeat is older than the timeout is queued again with back-off (it
resumes from its finished items, :mod:`docgen.web.jobs`) or, after ``JOB_ATTEMPTS`` runs,
failed with the reason; reading a job checks the same, so clients see it at once.

Uploaded records waiting to be read are held the same way (``updated_at`` renewed); the
sweeping workers take up a ``received`` record nobody renews (its worker was killed).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from docgen.store.database import db

log = logging.getLogger("docgen.web.heartbeat")


class Monitor:
    """The beating (and, in served workers, sweeping) thread of one process."""

    def __init__(self, app: Flask):
        self.app = app
        self.timeout = float(app.config["JOB_HEARTBEAT_TIMEOUT"])
        self.interval = min(10.0, self.timeout / 4)
        self.held: set[str] = set()
        self.held_records: set[int] = set()
        self.sweeping = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def hold(self, job_id: str) -> None:
        """This process holds the job now: beat for it until ``drop``."""
        with self._lock:
            self.held.add(job_id)
        self._ensure_thread()

    def drop(self, job_id: str) -> None:
        with self._lock:
            self.held.discard(job_id)

    def hold_record(self, record_id: int) -> None:
        """This process reads the record: renew it until ``drop_record``."""
        with self._lock:
            self.held_records.add(record_id)
        self._ensure_thread()

    def drop_record(self, record_id: int) -> None:
        with self._lock:
            self.held_records.discard(record_id)

    def start_sweeping(self) -> None:
        """Also recover the stale jobs of every process (consumers and served workers do)."""
        self.sweeping = True
        self._ensure_thread()

    def stop(self, timeout: float = 15) -> None:
        """End the thread (after the beat in progress, if any)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._loop, name="docgen-heartbeat", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        from docgen.web import jobs, uploads

        while not self._stop.wait(self.interval):
            with self._lock:
                held, records = set(self.held), set(self.held_records)
                if not held and not records and not self.sweeping:
                    self._thread = None
                    return
            try:
                with self.app.app_context():
                    session = db.new_session()
                    try:
                        jobs.beat(session, held)
                        uploads.touch(session, records)
                        session.commit()
                        if self.sweeping:
                            jobs.recover_stale(self.app, session, self.timeout)
                        if self.sweeping:
                            uploads.resume_stale(self.app, session, self.timeout)
                    finally:
                        session.close()
            except Exception as exc:  # the database may be away for a moment: beat again
                log.warning("job heartbeat failed (%s); trying again", type(exc).__name__)


def init_app(app: Flask) -> None:
    app.extensions["docgen.heartbeat"] = Monitor(app)


def monitor(app: Any) -> Monitor:
    return app.extensions["docgen.heartbeat"]
