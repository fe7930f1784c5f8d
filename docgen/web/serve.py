"""Run the service: one PDF service process for the machine, then gunicorn and its workers.

The LibreOffice pool is started once, in its own process (:mod:`docgen.web.pdfservice`),
before gunicorn forks anything; the workers reach it on 127.0.0.1 through ``PDF_URL``.
This process keeps the write end of a pipe on the service's standard input and closes it
on exit, however it exits, so the service and its LibreOffice instances end with it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("docgen.web.serve")
LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"


class PdfService:
    """The child process serving conversions; ``url`` once started."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.lifeline: int | None = None
        self.url = ""

    def start(self, timeout: float = 120) -> str:
        workdir = Path(tempfile.mkdtemp(prefix="docgen-pdfservice-"))
        ready = workdir / "ready.json"
        read_end, self.lifeline = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "docgen.web.pdfservice", "--ready-file", str(ready)],
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
        port = json.loads(ready.read_text())["port"]
        ready.unlink()
        workdir.rmdir()
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    def close_in_child(self) -> None:
        """A forked worker must not hold the lifeline, or the service outlives us."""
        if self.lifeline is not None:
            with contextlib.suppress(OSError):
                os.close(self.lifeline)

    def stop(self) -> None:
        lifeline, self.lifeline = self.lifeline, None
        if lifeline is not None:
            os.close(lifeline)
        if self.proc is not None:
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


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

    def __init__(self, options: dict[str, Any], pdf: PdfService):
        self.options = options
        self.pdf = pdf
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
        from docgen.web import create_app

        return create_app()


def _close_interrupted_jobs() -> None:
    """Fail the batch jobs a previous run left unfinished (before any worker exists)."""
    from docgen.store.database import db
    from docgen.web import create_app, jobs

    app = create_app()
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


def serve(host: str, port: int, workers: int, timeout: int, threads: int = 4) -> None:
    """Start the PDF service, then gunicorn in the foreground until it is stopped."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=LOG_FORMAT)
    _close_interrupted_jobs()
    pdf = PdfService()
    url = pdf.start()
    os.environ["DOCGEN_PDF_URL"] = url
    log.info("PDF service ready at %s", url)
    try:
        Server({
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
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
        }, pdf).run()
    finally:
        pdf.stop()
