"""A pool of warm LibreOffice instances (``instance.py``) behind a bounded queue.

``PR_SET_PDEATHSIG`` is not used to tie the instances to this process: it fires when the
*thread* that started the child exits, and instances are restarted from whatever thread
runs a job. The lifeline pipe (see ``instance.py``) covers every way this process can end.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
import weakref
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from docgen.config import DEFAULTS, INSTALLATION
from docgen.convert.checks import check_docx
from docgen.convert.gate import Gate
from docgen.convert.instance import (
    START_TIMEOUT,
    Instance,
    InstanceLost,
    PoolUnavailable,
)
from docgen.errors import ConversionFailed

log = logging.getLogger(__name__)


def find_soffice(configured: str | None = None) -> str:
    """Return the ``soffice`` to run: the configured one, else the one on PATH."""
    found = configured or shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise PoolUnavailable(
            "LibreOffice is not installed: no soffice on PATH "
            "(apt-get install libreoffice-writer-nogui)"
        )
    return found


def find_uno_python(configured: str | None = None) -> str:
    """Return a Python that can import ``uno`` and unoserver, for the server processes.

    The configured one (``PDF_PYTHON``) if set, else ``.venv-uno`` beside docgen's own
    virtualenv (what ``make setup`` creates), else ``.venv-uno`` in the installation.
    """
    if configured:
        if os.access(configured, os.X_OK):
            return configured
        raise PoolUnavailable(f"PDF_PYTHON is {configured!r}, which is not an executable")
    candidates = [
        Path(sys.prefix).parent / ".venv-uno" / "bin" / "python",
        INSTALLATION / ".venv-uno" / "bin" / "python",
    ]
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise PoolUnavailable(
        "no Python with uno and unoserver for the LibreOffice pool: run `make setup`, or "
        "set DOCGEN_PDF_PYTHON (looked for " + ", ".join(map(str, candidates)) + ")"
    )


_live_pools: weakref.WeakSet[PdfPool] = weakref.WeakSet()


def _release(instances: list[Instance], dirs: list[Path]) -> None:
    """Close every instance and remove the pool's directory (stop, garbage, exit)."""
    # Close every lifeline first so that the instances shut down side by side. No threads:
    # this also runs at interpreter exit, when no new thread may be started.
    for instance in instances:
        instance.abandon()
    for instance in instances:
        instance.kill(graceful=True)
    while dirs:
        shutil.rmtree(dirs.pop(), ignore_errors=True)


class PdfPool:
    """Convert DOCX to PDF through warm LibreOffice instances.

    Use as a context manager, or call ``start()`` and ``stop()``. ``convert()`` is safe to
    call from many threads. Arguments left at ``None`` come from the settings
    (``PDF_INSTANCES``, ``PDF_TIMEOUT``, ``PDF_MAX_JOBS``, ``PDF_QUEUE``, ``PDF_PYTHON``,
    ``PDF_SOFFICE``, ``JOB_PDF_SHARE``: the percentage of instances batch jobs may hold).
    """

    def __init__(
        self,
        instances: int | None = None,
        *,
        timeout: float | None = None,
        max_jobs: int | None = None,
        queue: int | None = None,
        python: str | None = None,
        soffice: str | None = None,
        config: Mapping[str, Any] | None = None,
    ):
        values = config if config is not None else DEFAULTS
        count = instances if instances is not None else int(values.get("PDF_INSTANCES", 0))
        self.size = count if count > 0 else len(os.sched_getaffinity(0))
        self.timeout = float(timeout if timeout is not None else values.get("PDF_TIMEOUT", 60))
        self.max_jobs = int(max_jobs if max_jobs is not None else values.get("PDF_MAX_JOBS", 200))
        self.queue = int(queue if queue is not None else values.get("PDF_QUEUE", 4))
        self.batch_share = batch_instances(self.size, values.get("JOB_PDF_SHARE", 50))
        self._python = python or values.get("PDF_PYTHON")
        self._soffice = soffice or values.get("PDF_SOFFICE")
        self.instances: list[Instance] = []
        self._dirs: list[Path] = []
        self._gate: Gate[Instance] | None = None
        self._lock = threading.Lock()
        self._stopped = False
        # Runs on stop(), when the pool is garbage-collected, and at interpreter exit.
        self._finalizer = weakref.finalize(self, _release, self.instances, self._dirs)

    @property
    def waiting(self) -> int:
        """How many jobs wait for an instance right now."""
        return self._gate.waiting if self._gate else 0

    @property
    def idle(self) -> int:
        """How many instances have no job right now."""
        return self._gate.idle if self._gate else 0

    def __enter__(self) -> PdfPool:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start every instance (in parallel); raise ``PoolUnavailable`` if none starts."""
        with self._lock:
            if self._gate is not None:
                return
            python = find_uno_python(self._python)
            soffice = find_soffice(self._soffice)
            pool_dir = Path(tempfile.mkdtemp(prefix="docgen-pdf-"))
            self._dirs.append(pool_dir)
            self.instances[:] = [Instance(i, pool_dir, python, soffice) for i in range(self.size)]
            _live_pools.add(self)
            with ThreadPoolExecutor(self.size, thread_name_prefix="pdf-start") as starter:
                outcomes = list(starter.map(_try_start, self.instances))
            failures = [o for o in outcomes if o is not None]
            if len(failures) == len(self.instances):
                _release(self.instances, self._dirs)
                raise PoolUnavailable(f"no LibreOffice instance would start: {failures[0]}")
            for failure in failures:
                log.warning("%s; it will be retried on its next job", failure)
            self._gate = Gate(self.instances, self.queue, self.batch_share)
            self._stopped = False

    def stop(self) -> None:
        """Stop every instance, failing the jobs still waiting; safe to call twice."""
        with self._lock:
            self._stopped = True
            if self._gate is not None:
                self._gate.close()
            _release(self.instances, self._dirs)
            self._gate = None

    def abandon(self) -> None:
        """Forget the instances without killing them: they belong to the parent of a fork."""
        self._finalizer.detach()
        for instance in self.instances:
            instance.abandon()
        self.instances.clear()
        self._dirs.clear()
        self._gate = None
        self._stopped = True
        self._lock = threading.Lock()

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        """Convert one DOCX to PDF (PDF/A-2b when ``pdfa``) on the next free instance.

        ``batch`` conversions (background jobs) hold at most ``batch_share`` instances
        and yield to interactive ones (see ``Gate``).

        Raises ``MalformedInput`` for bytes that are not a DOCX, ``Busy`` when the queue is
        full, ``ConversionFailed`` when LibreOffice refuses the document, runs past the
        timeout (its instance is killed and restarted) or dies twice in a row.
        """
        check_docx(docx)
        gate = self._gate
        if gate is None:
            raise ConversionFailed("the PDF pool is not started")
        # A queued job waits for the jobs ahead of it, and maybe for a restart.
        instance = gate.acquire(wait=self.timeout + START_TIMEOUT, batch=batch)
        try:
            for attempt in (1, 2):
                self._ready(instance)
                try:
                    return instance.convert(bytes(docx), pdfa=pdfa, timeout=self.timeout)
                except InstanceLost as exc:
                    said = instance.log_tail(500)
                    instance.kill()
                    if self._stopped:
                        raise ConversionFailed(
                            "the PDF converter was stopped during the job"
                        ) from exc
                    if attempt == 2:
                        raise ConversionFailed(
                            f"LibreOffice died during the conversion, twice: {exc}"
                            + (f" ({said})" if said else "")
                        ) from exc
                    log.warning(
                        "LibreOffice instance %d died during a job (%s); restarting it "
                        "and trying the job once more",
                        instance.index,
                        exc,
                    )
            raise AssertionError("unreachable")
        finally:
            gate.release(instance)

    def _ready(self, instance: Instance) -> None:
        """Make sure the instance runs, restarting it when it died or served its quota."""
        if self._stopped:
            raise ConversionFailed("the PDF converter has been stopped")
        if instance.alive() and instance.jobs < self.max_jobs:
            return
        if instance.alive():
            log.info(
                "recycling LibreOffice instance %d after %d jobs", instance.index, instance.jobs
            )
            instance.kill(graceful=True)
        instance.start()


def batch_instances(size: int, share_percent: Any) -> int:
    """How many of ``size`` converters batch jobs may hold at once: the share, at least 1."""
    return max(1, min(size, int(size * float(share_percent) / 100)))


def _try_start(instance: Instance) -> str | None:
    try:
        instance.start()
    except ConversionFailed as exc:
        return str(exc)
    return None


def _abandon_after_fork() -> None:
    for pool in list(_live_pools):
        pool.abandon()


os.register_at_fork(after_in_child=_abandon_after_fork)
