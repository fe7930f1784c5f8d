"""Run parses in child processes with a wall-clock limit, a memory cap and a size cap.

Returned forms (PDF) and batch files (XLSX, CSV, JSON) alike: one hostile file costs at
most a worker's time and memory, never a web worker's.

A :class:`WorkerPool` starts ``python -m docgen.forms.worker`` processes once and sends
them one file at a time; a worker that times out is killed, one that crashes or reports
running out of memory is replaced, and every worker is recycled after ``max_jobs``
parses. Whatever happens, the caller gets a record or ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import queue
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from docgen.config import DEFAULTS
from docgen.forms.pagecode import page_key
from docgen.forms.worker import HEADER

START_TIMEOUT = 60.0  # a cold interpreter importing pypdf, pdfplumber and pyHanko
# A parse that runs out of time having had less than this share of a core was starved by
# the machine's load, not slow by itself: its error says so (``"cause": "load"``), and the
# caller may try again. A parse of a file in memory has nothing else to wait for.
LOAD_SHARE = 0.75
_TICKS = os.sysconf("SC_CLK_TCK")


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class WorkerDied(Exception):
    """The worker closed its output or did not answer in time."""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import this very docgen, installed or not.
    spec = importlib.util.find_spec("docgen")
    if spec and spec.submodule_search_locations:
        root = str(Path(next(iter(spec.submodule_search_locations))).parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Worker:
    """One child process; not thread-safe (the pool hands it to one caller at a time)."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        self.jobs = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "docgen.forms.worker", "--memory-mb", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
            start_new_session=True,  # a Ctrl-C at the terminal is the parent's to handle
        )
        self._ready = False

    def _read_exact(self, size: int, deadline: float) -> bytes:
        stream: IO[bytes] = self.proc.stdout  # type: ignore[assignment]
        fd = stream.fileno()
        chunks, got = [], 0
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while got < size:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise TimeoutError
                chunk = os.read(fd, min(size - got, 1 << 20))
                if not chunk:
                    raise WorkerDied(f"worker exited ({self.proc.poll()})")
                chunks.append(chunk)
                got += len(chunk)
        return b"".join(chunks)

    def _read_answer(
        self, deadline: float, parse_float: Callable[[str], Any] | None = None
    ) -> dict[str, Any]:
        (size,) = HEADER.unpack(self._read_exact(HEADER.size, deadline))
        return json.loads(self._read_exact(size, deadline), parse_float=parse_float)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        if not self._ready:
            self._read_answer(time.monotonic() + timeout)
            self._ready = True

    def parse(
        self,
        data: bytes,
        header: dict[str, Any],
        timeout: float,
        parse_float: Callable[[str], Any] | None = None,
    ) -> dict[str, Any]:
        """Send one file and wait for its answer; TimeoutError or WorkerDied otherwise."""
        self.wait_ready()
        head = json.dumps(header).encode()
        try:
            self.proc.stdin.write(HEADER.pack(len(head)) + head + HEADER.pack(len(data)))
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(f"worker gone ({exc})") from exc
        self.jobs += 1
        return self._read_answer(time.monotonic() + timeout, parse_float)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def cpu_seconds(self) -> float:
        """CPU time the child has used so far (user and system); 0 if it cannot be read."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def stop(self) -> None:
        """End the child: close its input, then kill it if it lingers."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        self._close_pipes()

    def kill(self) -> None:
        """Kill the child's process group (it may have started helpers) and reap it."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        self.proc.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class WorkerPool:
    """A few warm workers shared by threads; each parse gets one worker to itself."""

    def __init__(
        self,
        size: int = 1,
        *,
        timeout: float | None = None,
        memory_mb: int | None = None,
        max_bytes: int | None = None,
        max_jobs: int = 500,
        forms_dir: Path | None = None,
        trust_roots: str | None = None,
        secret: str | None = None,
        max_pixels: int | None = None,
        scan_dpi: int | None = None,
        scan_max_pages: int | None = None,
    ):
        config = DEFAULTS  # the doors pass the settings' values
        from docgen.forms.spec import default_forms_dir

        self.timeout = float(timeout if timeout is not None else config["PARSE_TIMEOUT"])
        self.memory_mb = int(memory_mb if memory_mb is not None else config["PARSE_MEMORY_MB"])
        self.max_bytes = int(
            max_bytes if max_bytes is not None else config["PARSE_MAX_MB"] * 1_000_000
        )
        self.max_jobs = max_jobs
        self.forms_dir = str((forms_dir or default_forms_dir()).resolve())
        self.trust_roots = trust_roots if trust_roots is not None else config["TRUST_ROOTS"]
        # Scans: the page-code key (from the instance's secret, which the doors pass: without
        # it no page code verifies, so every scanned page is refused as foreign) and the
        # image limits.
        self.page_key = page_key(secret) if secret else b""
        self.max_pixels = int(max_pixels if max_pixels is not None else config["PARSE_MAX_PIXELS"])
        self.scan_dpi = int(scan_dpi if scan_dpi is not None else config["SCAN_DPI"])
        self.scan_max_pages = int(
            scan_max_pages if scan_max_pages is not None else config["SCAN_MAX_PAGES"]
        )
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = Worker(self.memory_mb)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _retire(self, worker: Worker, kill: bool) -> None:
        worker.kill() if kill else worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        if not self._closed:
            self._add()

    def warm_up(self) -> None:
        """Wait until every worker has loaded its libraries."""
        for worker in list(self._all):
            worker.wait_ready()

    def parse(
        self, data: bytes, filename: str | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Return the record of ``data`` or an error object; never raises for bad input.

        ``timeout`` (default: the pool's) counts from the moment a worker takes the file,
        not while waiting for one. A timeout error carries ``"cause": "load"`` when the
        worker had less than ``LOAD_SHARE`` of a core meanwhile (see above).
        """
        header = {
            "filename": filename,
            "forms_dir": self.forms_dir,
            "trust_roots": self.trust_roots,
            "page_key": self.page_key.hex(),
            "max_pixels": self.max_pixels,
            "scan_dpi": self.scan_dpi,
            "scan_max_pages": self.scan_max_pages,
        }
        return self._ask(data, header, timeout)

    def assign(
        self,
        data: bytes,
        form: str,
        reference: str,
        index: int,
        page: int,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Read page ``index`` of a scan as page ``page`` of ``form`` (a page without a code
        that a person assigned): the record, or an error object (docgen.forms.assign)."""
        header = {
            "task": "assign",
            "form": form,
            "reference": reference,
            "index": index,
            "page": page,
            "forms_dir": self.forms_dir,
            "max_pixels": self.max_pixels,
            "scan_dpi": self.scan_dpi,
            "scan_max_pages": self.scan_max_pages,
        }
        return self._ask(data, header, timeout)

    def read_batch(self, data: bytes, filename: str) -> dict[str, Any]:
        """Read a batch file (``docgen.documents.tabular.read_batch``) under the same limits:
        ``{"rows": [{"number", "where", "data"}]}`` (numbers with a fraction as Decimal) or
        an error object, whose ``problems`` list ``[pointer, message]`` for bad input."""
        return self._ask(data, {"task": "batch", "filename": filename}, parse_float=Decimal)

    def _ask(
        self,
        data: bytes,
        header: dict[str, Any],
        timeout: float | None = None,
        parse_float: Callable[[str], Any] | None = None,
    ) -> dict[str, Any]:
        if len(data) > self.max_bytes:
            return error(
                "too_large", f"the file has {len(data)} bytes, the limit is {self.max_bytes}"
            )
        limit = self.timeout if timeout is None else float(timeout)
        worker = self._idle.get()
        cpu_before = None  # a worker that does not even start in time: the load, too
        try:
            worker.wait_ready()
            cpu_before = worker.cpu_seconds()
            answer = worker.parse(data, header, limit, parse_float)
        except TimeoutError:
            cpu = 0.0 if cpu_before is None else worker.cpu_seconds() - cpu_before
            self._retire(worker, kill=True)
            answer = error("timeout", f"parsing took longer than {limit:g} s")
            if cpu < LOAD_SHARE * limit:
                answer["error"]["cause"] = "load"
            return answer
        except (WorkerDied, ValueError) as exc:
            self._retire(worker, kill=True)
            return error("internal", f"the parser stopped unexpectedly ({exc})")
        failed = answer.get("error", {}).get("code") in {"too_complex", "internal"}
        if failed or worker.jobs >= self.max_jobs or not worker.alive():
            self._retire(worker, kill=not worker.alive())
        else:
            self._idle.put(worker)
        return answer

    def parse_file(self, fp: IO[bytes], filename: str | None = None) -> dict[str, Any]:
        """Read at most the size cap plus one byte from ``fp`` and parse it."""
        data = fp.read(self.max_bytes + 1)
        return self.parse(data, filename)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), []
        for worker in workers:
            worker.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_isolated(fp: IO[bytes], filename: str | None = None, **options: Any) -> dict[str, Any]:
    """Parse one file in a fresh child process (a one-shot pool)."""
    with WorkerPool(1, **options) as pool:
        return pool.parse_file(fp, filename)
