"""Convert with a one-shot ``soffice --convert-to pdf``: the fallback, and the cold benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docgen.config import DEFAULTS
from docgen.convert.checks import check_docx
from docgen.convert.flags import PDFA_FILTER, soffice_command
from docgen.convert.gate import Gate
from docgen.convert.pool import batch_instances, find_soffice
from docgen.errors import ConversionFailed


def convert_once(
    docx: bytes, *, pdfa: bool = False, soffice: str | None = None, timeout: float = 60
) -> bytes:
    """Convert one DOCX with a fresh ``soffice`` and a private profile; return the PDF.

    Costs about a second of LibreOffice start-up per call. The caller checks the input.
    """
    program = find_soffice(soffice)
    with tempfile.TemporaryDirectory(prefix="docgen-soffice-") as tmp:
        workdir = Path(tmp)
        source = workdir / "document.docx"
        source.write_bytes(docx)
        (workdir / "tmp").mkdir()
        target = "pdf:writer_pdf_Export" + (f":{PDFA_FILTER}" if pdfa else "")
        args = soffice_command(
            program,
            workdir / "profile",
            "--convert-to",
            target,
            "--outdir",
            str(workdir / "out"),
            str(source),
        )
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
        env["TMPDIR"] = str(workdir / "tmp")
        with subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=workdir,
        ) as proc:
            try:
                said, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                _kill_group(proc.pid)
                proc.communicate()
                raise ConversionFailed(
                    f"soffice did not finish the conversion within {timeout:g} s"
                ) from exc
            finally:
                # soffice.bin may linger a moment after oosplash: never leave it behind.
                _kill_group(proc.pid)
        output = workdir / "out" / "document.pdf"
        text = said.decode("utf-8", "replace").strip()
        if proc.returncode != 0 or not output.exists():
            raise ConversionFailed(
                f"soffice could not convert the document (exit status {proc.returncode}): "
                f"{text or 'it printed nothing'}"
            )
        return output.read_bytes()


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


class OneShotConverter:
    """The pool's stand-in when it cannot start: same interface, same bounded queue."""

    def __init__(
        self,
        slots: int | None = None,
        *,
        timeout: float | None = None,
        queue: int | None = None,
        soffice: str | None = None,
        config: Mapping[str, Any] | None = None,
    ):
        values = config if config is not None else DEFAULTS
        count = slots if slots is not None else int(values.get("PDF_INSTANCES", 0))
        self.size = count if count > 0 else len(os.sched_getaffinity(0))
        self.timeout = float(timeout if timeout is not None else values.get("PDF_TIMEOUT", 60))
        queue = int(queue if queue is not None else values.get("PDF_QUEUE", 4))
        self._soffice = soffice or values.get("PDF_SOFFICE")
        share = batch_instances(self.size, values.get("JOB_PDF_SHARE", 50))
        self._gate: Gate[int] = Gate(range(self.size), queue, share)

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        """Convert one DOCX to PDF (PDF/A-2b when ``pdfa``); see ``PdfPool.convert``."""
        check_docx(docx)
        slot = self._gate.acquire(wait=self.timeout, batch=batch)
        try:
            return convert_once(bytes(docx), pdfa=pdfa, soffice=self._soffice, timeout=self.timeout)
        finally:
            self._gate.release(slot)

    def stop(self) -> None:
        self._gate.close()
