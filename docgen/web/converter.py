"""DOCX to PDF for the web workers: in this process, or through the pool's own service.

``docgen serve`` starts one LibreOffice pool for the machine in a process of its own
(:mod:`docgen.web.pdfservice`) and hands its address to every gunicorn worker as
``PDF_URL`` (``unix:/PATH``); the workers send it DOCX bytes over XML-RPC on that Unix
socket, in a folder only the service's user can enter. Without
``PDF_URL`` (tests, ``flask run``) the process-wide pool of :mod:`docgen.documents.pdf`
is used directly. Both raise the same errors: ``Busy`` (503 with Retry-After),
``ConversionFailed``, ``MalformedInput``.
"""

from __future__ import annotations

import http.client
import json
import os
import xmlrpc.client
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from docgen.documents.pdf import unixrpc
from docgen.errors import Busy, ConversionFailed, DocgenError, MalformedInput

# XML-RPC fault codes of the service: the HTTP status of the docgen error they carry.
FAULT_BUSY = 503
UNIX_PREFIX = "unix:"


def error_to_fault(exc: DocgenError) -> xmlrpc.client.Fault:
    """How the service sends a docgen error back to a worker."""
    body = {"detail": exc.detail, "retry_after": getattr(exc, "retry_after", None)}
    return xmlrpc.client.Fault(exc.status, json.dumps(body))


def fault_to_error(fault: xmlrpc.client.Fault) -> DocgenError:
    try:
        body = json.loads(fault.faultString)
        detail = str(body["detail"])
    except (ValueError, KeyError, TypeError):
        body, detail = {}, str(fault.faultString)
    if fault.faultCode == FAULT_BUSY:
        return Busy(detail, retry_after=int(body.get("retry_after") or 5))
    if fault.faultCode in (400, 422):
        return MalformedInput.at("", detail)
    return ConversionFailed(detail)


class RemoteConverter:
    """A client of the machine's PDF service."""

    def __init__(self, url: str, timeout: float):
        if not url.startswith(UNIX_PREFIX + "/"):
            raise ValueError(f"not a unix:/PATH address: {url!r}")
        self.url = url
        self.path = url[len(UNIX_PREFIX):]
        self.timeout = timeout

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return unixrpc.proxy(self.path, timeout)

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        try:
            with self._proxy(self.timeout) as proxy:
                return proxy.convert(xmlrpc.client.Binary(docx), pdfa, batch).data
        except xmlrpc.client.Fault as fault:
            raise fault_to_error(fault) from None
        except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as exc:
            raise ConversionFailed(f"the PDF service does not answer ({type(exc).__name__})") \
                from exc

    def ready(self) -> bool:
        try:
            with self._proxy(5) as proxy:
                return bool(proxy.ready())
        except (OSError, http.client.HTTPException, xmlrpc.client.Error):
            return False


class LocalConverter:
    """The process-wide pool (started on first use), for tests and single-process runs."""

    def __init__(self, config: Mapping[str, Any] | None = None):
        self._config = config  # the app's PDF_* settings

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        from docgen.documents.pdf import convert_docx_to_pdf

        return convert_docx_to_pdf(docx, pdfa=pdfa, batch=batch, config=self._config)

    def ready(self) -> bool:
        from docgen.documents.pdf import default_converter

        try:
            return default_converter(self._config) is not None
        except DocgenError:
            return False


def init_app(app: Flask) -> None:
    url = app.config.get("PDF_URL") or ""
    timeout = float(app.config["PDF_TIMEOUT"]) * 2 + 10  # a wait in the queue, then the job
    converter = RemoteConverter(url, timeout) if url else LocalConverter(app.config)
    app.extensions["docgen.pdf"] = converter


def converter() -> RemoteConverter | LocalConverter:
    return current_app.extensions["docgen.pdf"]


def convert(docx: bytes) -> bytes:
    return converter().convert(docx)


def instances() -> int:
    """The instances of the machine's pool (``PDF_INSTANCES``, 0: one per core)."""
    configured = int(current_app.config.get("PDF_INSTANCES") or 0)
    return configured if configured > 0 else len(os.sched_getaffinity(0))


def capacity() -> int:
    """How many conversions a batch keeps in flight: one per instance of the machine's pool,
    plus one waiting in the pool's queue so that no instance idles between two jobs
    (measured: 500 contracts in 80 s instead of 106-122 s on 2 cores)."""
    return instances() + 1


def job_capacity() -> int:
    """The same for a background job: its share of the pool (``JOB_PDF_SHARE``), plus one."""
    from docgen.documents.pdf.pool import batch_instances

    return batch_instances(instances(), current_app.config["JOB_PDF_SHARE"]) + 1
