"""What a web worker converts with: the process's own pool, or a converter service.

``docgen serve`` starts one pool for the machine in a process of its own
(:mod:`docgen.convert.service`) and hands its address to every gunicorn worker as
``PDF_URL`` (``unix:/PATH``); the workers send it DOCX bytes over the transport on that
Unix socket, in a folder only the service's user can enter. Without ``PDF_URL`` (tests,
``flask run``) the process-wide pool of :mod:`docgen.convert` is used directly. Every
client raises the same errors: ``Busy`` (503 with Retry-After), ``ConversionFailed``,
``MalformedInput``.
"""

from __future__ import annotations

import http.client
import os
from typing import Any

from docgen.convert import transport
from docgen.errors import Busy, ConversionFailed, DocgenError, MalformedInput


class Unreachable(ConversionFailed):
    """The converter does not answer (down, killed, or hung past the timeout)."""


def error_to_reply(exc: DocgenError) -> transport.Reply:
    """How a service sends a docgen error back to its client."""
    retry_after = getattr(exc, "retry_after", None)
    return transport.error_reply(exc.status, exc.slug, exc.detail, retry_after)


def reply_to_error(reply: transport.Reply) -> DocgenError:
    """The docgen error a service's failed reply stands for."""
    answer = reply.json()
    detail = str(answer.get("detail") or f"the converter answered {reply.status}")
    if reply.status == 503:
        try:
            retry_after = int(answer.get("retry_after") or reply.headers.get("retry-after") or 5)
        except ValueError:
            retry_after = 5
        return Busy(detail, retry_after=retry_after)
    if reply.status in (400, 422):
        return MalformedInput.at("", detail)
    if reply.status == 401:
        return ConversionFailed("the converter refused this node's token (CONVERTER_TOKEN)")
    return ConversionFailed(detail)


class RemoteConverter:
    """A client of one converter service: ``unix:/PATH`` or ``http://HOST:PORT``."""

    def __init__(self, url: str, timeout: float, token: str = ""):
        if not (url.startswith(transport.UNIX_PREFIX + "/") or url.startswith("http://")):
            raise ValueError(f"not a converter address (unix:/PATH or http://HOST:PORT): {url!r}")
        self.url = url
        self.timeout = timeout
        self.token = token

    def __repr__(self) -> str:
        return f"RemoteConverter({self.url!r})"

    def _request(
        self, method: str, path: str, body: bytes | None, timeout: float
    ) -> transport.Reply:
        try:
            return transport.request(
                self.url, method, path, body, timeout=timeout, token=self.token
            )
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable(
                f"the PDF converter at {self.url} does not answer ({type(exc).__name__})"
            ) from exc

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        path = f"/convert?pdfa={int(pdfa)}&batch={int(batch)}"
        reply = self._request("POST", path, bytes(docx), self.timeout)
        if reply.status == 200:
            return reply.body
        raise reply_to_error(reply)

    def status(self, timeout: float = 5) -> dict[str, Any] | None:
        """The service's ``/ready`` answer (``ready``, ``instances``, ``idle``, ``waiting``),
        or None when it does not answer or refuses us."""
        try:
            reply = self._request("GET", "/ready", None, timeout)
        except Unreachable:
            return None
        answer = reply.json()
        return answer if reply.status in (200, 503) and "ready" in answer else None

    def ready(self) -> bool:
        answer = self.status()
        return bool(answer and answer.get("ready"))


class LocalConverter:
    """The process-wide pool (started on first use), for tests and single-process runs."""

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        from docgen.convert import convert_docx_to_pdf

        return convert_docx_to_pdf(docx, pdfa=pdfa, batch=batch)

    def ready(self) -> bool:
        from docgen.convert import default_converter

        try:
            return default_converter() is not None
        except DocgenError:
            return False


def local_instances(configured: Any) -> int:
    """The instances of a pool on this machine (``PDF_INSTANCES``, 0: one per core)."""
    count = int(configured or 0)
    return count if count > 0 else len(os.sched_getaffinity(0))
