"""One LibreOffice pool served over the transport: beside ``docgen serve``, or on its own.

Two ways to run it:

- ``docgen serve`` starts ``python -m docgen.convert.service --ready-file F --socket S``
  once, beside its gunicorn workers (``ServiceProcess``), with a pipe on standard input:
  end of file there (the server stopped, or died however it died) stops the pool and ends
  this process. It listens on the Unix socket S (in a folder only the service's user can
  enter; see ``transport.py``), never on a TCP port, and writes ``{"socket", "pid"}`` as
  JSON to F once the pool takes jobs.
- ``docgen convert-server --host H --port P`` serves the pool on TCP for the nodes of a
  larger installation (``CONVERTERS``); every request must carry ``CONVERTER_TOKEN``.
  SIGTERM or SIGINT stops it; killed however it is, its instances follow it (lifeline).

Routes: ``POST /convert?pdfa=0|1&batch=0|1`` (DOCX in, PDF out) and ``GET /ready``
(``{"ready", "instances", "idle", "waiting"}``, 503 when no instance runs). Requests are
served by threads; the pool's own gate bounds the queue and answers 503 ``busy`` with
Retry-After beyond it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docgen.config import ConfigError, Settings
from docgen.convert import transport
from docgen.convert.client import error_to_reply
from docgen.convert.instance import PoolUnavailable
from docgen.convert.oneshot import OneShotConverter
from docgen.convert.pool import PdfPool
from docgen.errors import DocgenError

log = logging.getLogger("docgen.convert.service")


def start_pool(config: Mapping[str, Any] | None = None) -> PdfPool | OneShotConverter:
    """The pool from the settings, or the one-shot fallback when it cannot start."""
    pool = PdfPool(config=config)
    try:
        pool.start()
    except PoolUnavailable as exc:
        log.warning("LibreOffice pool unavailable (%s): one-shot soffice per document", exc)
        return OneShotConverter(config=config)
    return pool


def make_app(pool: PdfPool | OneShotConverter) -> transport.App:
    """The routes of a converter service around ``pool``."""

    def ready() -> transport.Reply:
        if isinstance(pool, PdfPool):
            up = any(instance.alive() for instance in pool.instances)
            return transport.json_reply(
                200 if up else 503,
                ready=up,
                instances=pool.size,
                idle=pool.idle,
                waiting=pool.waiting,
            )
        return transport.json_reply(200, ready=True, instances=pool.size, idle=0, waiting=0)

    def app(request: transport.Request) -> transport.Reply:
        if request.method == "POST" and request.path == "/convert":
            try:
                pdf = pool.convert(
                    request.body,
                    pdfa=request.query.get("pdfa") == "1",
                    batch=request.query.get("batch") == "1",
                )
            except DocgenError as exc:
                return error_to_reply(exc)
            return transport.Reply(200, pdf, {"Content-Type": "application/pdf"})
        if request.method == "GET" and request.path == "/ready":
            return ready()
        return transport.error_reply(404, "not-found", f"no {request.method} {request.path}")

    return app


def serve_unix(ready_file: Path, socket_path: Path, config: Mapping[str, Any]) -> None:
    """The machine's service for ``docgen serve``: until standard input closes."""
    pool = start_pool(config)
    server = transport.ThreadingUnixServer(socket_path, make_app(pool))
    partial = ready_file.with_suffix(".partial")
    partial.write_text(json.dumps({"socket": str(socket_path), "pid": os.getpid()}))
    partial.replace(ready_file)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    # Block until the parent closes our stdin: that is the only way to stop.
    while os.read(0, 4096):
        pass
    server.shutdown()
    server.server_close()
    socket_path.unlink(missing_ok=True)
    pool.stop()


def serve_tcp(
    host: str,
    port: int,
    token: str,
    *,
    on_ready: str = "",
    config: Mapping[str, Any] | None = None,
) -> None:
    """``docgen convert-server``: the pool on ``host:port`` until SIGTERM or SIGINT.

    ``on_ready``: a file written (``{"host", "port", "pid", "instances"}``) once the pool
    takes jobs, for whoever started the server.
    """
    if not token:
        raise ValueError(
            "a convert-server needs CONVERTER_TOKEN (the token its nodes send): set "
            "DOCGEN_CONVERTER_TOKEN to a long random string, the same on every node"
        )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    pool = start_pool(config)
    try:
        server = transport.TokenTCPServer(host, port, make_app(pool), token=token)
    except OSError:
        pool.stop()
        raise
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    bound = server.server_address
    log.info("converter serving %d instance(s) on %s:%s", pool.size, bound[0], bound[1])
    if on_ready:
        partial = Path(on_ready + ".partial")
        partial.write_text(
            json.dumps(
                {"host": bound[0], "port": bound[1], "pid": os.getpid(), "instances": pool.size}
            )
        )
        partial.replace(on_ready)
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        pool.stop()


class ServiceProcess:
    """The machine's service as a child of ``docgen serve``; ``url`` once started.

    This process keeps the write end of a pipe on the service's standard input and closes
    it on exit, however it exits, so the service and its LibreOffice instances end with it.
    The gunicorn workers are forks of this process: they drop the pipe's end right after
    the fork (``close_in_child``) and never stop the service themselves.
    """

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
                [
                    sys.executable,
                    "-m",
                    "docgen.convert.service",
                    "--ready-file",
                    str(ready),
                    "--socket",
                    str(sock),
                ],
                stdin=read_end,
                start_new_session=True,
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
        self.url = f"{transport.UNIX_PREFIX}{path}"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", required=True, type=Path)
    parser.add_argument("--socket", required=True, type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s [pdf] %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.load()  # this process's settings, built once (the PDF_* ones)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    serve_unix(args.ready_file, args.socket, settings.as_config())
    return 0


if __name__ == "__main__":
    sys.exit(main())
