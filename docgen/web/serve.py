"""Run the service: one PDF service process for the machine, then gunicorn and its workers.

The LibreOffice pool is started once, in its own process (:mod:`docgen.web.pdfservice`),
before gunicorn forks anything; the workers reach it through ``PDF_URL``, a Unix socket
in a folder of mode 0700 (no TCP port). This process keeps the write end of a pipe on
the service's standard input and closes it on exit, however it exits, so the service and
its LibreOffice instances end with it. The workers are forks of this process: they drop
the pipe's end right after the fork and never stop the service themselves.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from sqlalchemy.exc import SQLAlchemyError

from docgen.config import Settings

log = logging.getLogger("docgen.web.serve")
LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"


class PdfService:
    """The child process serving conversions; ``url`` once started."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.lifeline: int | None = None
        self.workdir: Path | None = None
        self.owner = os.getpid()
        self.url = ""

    def start(self, timeout: float = 120) -> str:
        # mkdtemp: mode 0700, so only the service's user can reach the socket inside.
        workdir = self.workdir = Path(tempfile.mkdtemp(prefix="docgen-pdfservice-"))
        ready = workdir / "ready.json"
        sock = workdir / "pdf.sock"
        read_end, self.lifeline = os.pipe()
        self.owner = os.getpid()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "docgen.web.pdfservice", "--ready-file", str(ready),
                 "--socket", str(sock)],
                stdin=read_end, start_new_session=True,
            )
        finally:
            os.close(read_end)
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the PDF service did not start (see the log above)")
            time.sleep(0.05)
        path = json.loads(ready.read_text())["socket"]
        ready.unlink()
        self.url = f"unix:{path}"
        return self.url

    def close_in_child(self) -> None:
        """A forked worker must not hold the lifeline, or the service outlives us."""
        lifeline, self.lifeline = self.lifeline, None
        self.proc = None  # not the worker's child: only the master waits for it
        if lifeline is not None:
            with contextlib.suppress(OSError):
                os.close(lifeline)

    def stop(self) -> None:
        """End the service (in the process that started it; a no-op in a forked worker).

        gunicorn's workers leave ``run()`` by ``SystemExit`` through ``serve()``'s
        ``finally``: they must not close a descriptor again nor wait for a process that is
        not their child (that made every worker exit 1 with EBADF on each stop).
        """
        if os.getpid() != self.owner:
            return
        lifeline, self.lifeline = self.lifeline, None
        if lifeline is not None:
            os.close(lifeline)
        if self.proc is not None:
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        workdir, self.workdir = self.workdir, None
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's answer to a request it refuses before the app sees it (414 for a long
    request line, 431 for too many or too large headers, 400 for a broken one), as
    ``application/problem+json`` like every other error, in place of its HTML page."""
    slug = reason.lower().replace(" ", "-") or "error"
    body = json.dumps({"type": f"/api/v1/docs#problem-{slug}", "title": reason,
                       "status": status_int, "detail": mesg}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n")
    gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)


class Server(BaseApplication):
    """gunicorn, configured in code; each worker builds its own app after the fork."""

    def __init__(self, options: dict[str, Any], pdf: PdfService,
                 settings: Settings | None = None):
        self.options = options
        self.pdf = pdf
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        pdf = self.pdf
        self.cfg.set("post_fork", lambda _server, _worker: pdf.close_in_child())
        # gunicorn's workers call util.write_error for what they refuse themselves; the
        # workers are forked from this process, so they inherit the replacement.
        gunicorn_util.write_error = write_problem

    def load(self) -> Any:
        from docgen.web import create_app, heartbeat

        app = create_app(settings=self.settings)
        # In each worker: fail the jobs of any process that stopped beating (one killed).
        heartbeat.monitor(app).start_sweeping()
        return app


def _close_interrupted_jobs(settings: Settings | None) -> None:
    """Fail the batch jobs a previous run left unfinished (before any worker exists)."""
    from docgen.store.database import db
    from docgen.web import create_app, jobs

    app = create_app(settings=settings)
    try:
        with app.app_context():
            count = jobs.fail_interrupted(db.session)
            db.session.commit()
    except SQLAlchemyError as exc:
        log.warning("cannot check for interrupted jobs (%s); run `docgen db upgrade`",
                    type(exc).__name__)
        return
    finally:
        app.extensions["docgen.db"]["engine"].dispose()  # the workers open their own
    if count:
        log.warning("%d batch job(s) interrupted by the last stop are marked failed", count)


def serve(host: str, port: int, workers: int, timeout: int, threads: int = 4, *,
          read_timeout: float = 15, min_rate: float = 64_000,
          max_body: int = 20_000_000, settings: Settings | None = None) -> None:
    """Start the PDF service, then gunicorn in the foreground until it is stopped.

    ``settings`` (the CLI's) are handed to every worker's app, with the PDF service's
    address as ``PDF_URL``.

    Requests are read whole by each worker's main loop before a thread sees them
    (:class:`docgen.web.worker.BufferingWorker`): within ``read_timeout`` seconds plus one
    second per ``min_rate`` bytes of announced body, else 408.
    """
    from docgen.web.worker import BufferingWorker

    BufferingWorker.read_timeout = float(read_timeout)
    BufferingWorker.min_rate = float(min_rate)
    BufferingWorker.max_body = int(max_body)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=LOG_FORMAT)
    _close_interrupted_jobs(settings)
    pdf = PdfService()
    url = pdf.start()
    os.environ["DOCGEN_PDF_URL"] = url  # for the processes the workers start
    if settings is not None:
        settings = settings.model_copy(update={"PDF_URL": url})
    log.info("PDF service ready at %s", url)
    try:
        Server({
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": BufferingWorker,
            "threads": threads,
            "timeout": timeout,
            "graceful_timeout": 10,
            "accesslog": None,  # docgen logs each request itself, with its id
            "errorlog": "-",
            "proc_name": "docgen",
            # gunicorn's defaults, stated: past them 414 / 431 (see write_problem).
            "limit_request_line": 4094,
            "limit_request_fields": 100,
            "limit_request_field_size": 8190,
            # gunicornc's control socket: unused, and one path per user for every instance.
            "control_socket_disable": True,
        }, pdf, settings).run()
    finally:
        pdf.stop()
