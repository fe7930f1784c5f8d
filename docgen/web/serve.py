"""Run the service: one PDF service process for the machine, then gunicorn and its workers.

The LibreOffice pool is started once, in its own process (:mod:`docgen.convert.service`),
before gunicorn forks anything; the workers reach it through ``PDF_URL``, a Unix socket
in a folder of mode 0700 (no TCP port). This process keeps the write end of a pipe on
the service's standard input and closes it on exit, however it exits, so the service and
its LibreOffice instances end with it. The workers are forks of this process: they drop
the pipe's end right after the fork and never stop the service themselves.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from gunicorn import glogging
from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication

from docgen import metrics
from docgen.config import Settings
from docgen.convert.service import ServiceProcess
from docgen.jobs.queue import EmbeddedConsumer

log = logging.getLogger("docgen.web.serve")
LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's answer to a request it refuses before the app sees it (414 for a long
    request line, 431 for too many or too large headers, 400 for a broken one), as
    ``application/problem+json`` like every other error, in place of its HTML page."""
    slug = reason.lower().replace(" ", "-") or "error"
    body = json.dumps(
        {
            "type": f"/api/v1/docs#problem-{slug}",
            "title": reason,
            "status": status_int,
            "detail": mesg,
            "code": slug,
            "params": {},
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)


class Server(BaseApplication):
    """gunicorn, configured in code; each worker builds its own app after the fork."""

    def __init__(
        self, options: dict[str, Any], pdf: ServiceProcess, settings: Settings | None = None
    ):
        self.options = options
        self.pdf = pdf
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        pdf = self.pdf
        self.cfg.set("post_fork", lambda _server, _worker: pdf.close_in_child())
        # A worker that ended leaves its counters' files; its live gauges go with it.
        self.cfg.set("child_exit", lambda _server, worker: metrics.process_dead(worker.pid))
        # gunicorn's workers call util.write_error for what they refuse themselves; the
        # workers are forked from this process, so they inherit the replacement.
        gunicorn_util.write_error = write_problem

    def load(self) -> Any:
        from docgen.web import create_app, heartbeat, uploads

        app = create_app(settings=self.settings)
        # In each worker: recover the jobs of any process that stopped beating (one killed).
        heartbeat.monitor(app).start_sweeping()
        if app.config.get("READ_IN_WEB", True):
            uploads.readers(app).start()  # read uploads queued by any node
        return app


class JsonLogger(glogging.Logger):
    """gunicorn's own lines (start, workers, errors) as JSON, like docgen's."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from docgen.web.requestlog import JsonFormatter

        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())


def setup_logging(log_format: str) -> None:
    """Log to standard error: one JSON object a line (``json``) or plain text."""
    from docgen.web.requestlog import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def serve(
    host: str,
    port: int,
    workers: int,
    timeout: int,
    threads: int = 4,
    *,
    read_timeout: float = 15,
    min_rate: float = 64_000,
    max_body: int = 20_000_000,
    local_pdf: bool = True,
    metrics_dir: str | None = None,
    log_format: str = "json",
    consume: bool = False,
    settings: Settings | None = None,
) -> None:
    """Start the PDF service, then gunicorn in the foreground until it is stopped.

    ``local_pdf`` False (``CONVERTERS`` lists convert-servers): no pool on this machine.
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
    setup_logging(log_format)
    if metrics_dir:
        # Before any metric exists and any worker is forked: the workers count in files.
        metrics.enable_multiprocess(Path(metrics_dir))
    pdf = ServiceProcess()
    if local_pdf:
        url = pdf.start()
        os.environ["DOCGEN_PDF_URL"] = url  # for the processes the workers start
        if settings is not None:
            settings = settings.model_copy(update={"PDF_URL": url})
        log.info("PDF service ready at %s", url)
    # ``consume``: the embedded queue (no QUEUE_URL) has its consumer here, a child
    # process started again if it dies; it resumes the jobs a previous run left.
    consumer = EmbeddedConsumer() if consume else None
    try:
        if consumer is not None:
            consumer.start()
        Server(
            {
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
                **({"logger_class": JsonLogger} if log_format == "json" else {}),
            },
            pdf,
            settings,
        ).run()
    finally:
        if consumer is not None:
            consumer.stop()
        pdf.stop()
