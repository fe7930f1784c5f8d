"""Reading returned forms and batch files for the web workers: a few warm parser children
per process.

The children (``docgen.forms.isolation``) bound each parse in time and memory; they are
started on first use in each worker process (never in gunicorn's master, never before a
fork) and stopped when the process exits.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from docgen.documents.tabular import Row
from docgen.documents.xlsxguard import table_error
from docgen.errors import InvalidInput, MalformedInput, Problem, TooLarge


class Parser:
    def __init__(self, config: dict[str, Any]):
        self._config = config
        self._pool: Any = None
        self._pid = 0
        self._lock = threading.Lock()

    def _get(self) -> Any:
        from docgen.forms.isolation import WorkerPool

        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                c = self._config
                self._pool = WorkerPool(
                    max(1, int(c["PARSE_WORKERS"])),
                    timeout=float(c["PARSE_TIMEOUT"]),
                    memory_mb=int(c["PARSE_MEMORY_MB"]),
                    max_bytes=int(c["PARSE_MAX_MB"]) * 1_000_000,
                    forms_dir=Path(c["FORMS_DIR"]),
                    trust_roots=c["TRUST_ROOTS"],
                    secret=c.get("SECRET_KEY") or None,
                    max_pixels=c.get("PARSE_MAX_PIXELS"),
                )
                self._pid = os.getpid()
                atexit.register(self._pool.close)
            return self._pool

    def parse(
        self, data: bytes, filename: str | None, timeout: float | None = None
    ) -> dict[str, Any]:
        """The record of a returned form, or ``{"error": {"code", "message"}}``."""
        return self._get().parse(data, filename, timeout)

    def assign(
        self,
        data: bytes,
        form: str,
        reference: str,
        index: int,
        page: int,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Read one page of a scan as the form a person chose (``WorkerPool.assign``)."""
        return self._get().assign(data, form, reference, index, page, timeout)

    def read_batch(self, data: bytes, filename: str) -> dict[str, Any]:
        """The rows of a batch file, or ``{"error": ...}`` (see ``WorkerPool.read_batch``)."""
        return self._get().read_batch(data, filename)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = None


def init_app(app: Flask) -> None:
    app.extensions["docgen.parser"] = Parser(app.config)


def parser() -> Parser:
    return current_app.extensions["docgen.parser"]


def read_batch(content: bytes, filename: str) -> list[Row]:
    """Read an uploaded batch file in a parser child (time and memory bounded).

    Raises :class:`docgen.errors.MalformedInput` naming the row and column at fault, as
    ``docgen.documents.tabular.read_batch`` does in process (``TooLarge`` past the size).
    """
    answer = parser().read_batch(content, filename)
    if "rows" in answer:
        return [Row(r["number"], r["where"], r["data"]) for r in answer["rows"]]
    failure = answer.get("error") or {}
    problems = [Problem(*p) for p in failure.get("problems") or []]
    if failure.get("code") == "invalid" and problems:
        error_class = MalformedInput if failure.get("status") == 400 else InvalidInput
        raise error_class(problems)
    code = failure.get("code")
    if code == "timeout":
        raise table_error("timeout", seconds=current_app.config["PARSE_TIMEOUT"])
    if code == "too_complex":
        raise table_error("memory")
    if code == "too_large":
        raise TooLarge(str(failure.get("message") or "the file is too large"))
    raise table_error("failed")
