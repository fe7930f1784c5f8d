"""What a web worker converts with: the process's own pool, or converter services.

``docgen serve`` starts one pool for the machine in a process of its own
(:mod:`docgen.convert.service`) and hands its address to every gunicorn worker as
``PDF_URL`` (``unix:/PATH``); the workers send it DOCX bytes over the transport on that
Unix socket, in a folder only the service's user can enter. With ``CONVERTERS`` (a list
of ``docgen convert-server`` addresses) no local pool is started: ``ConverterList`` sends
each conversion to the next converter that answers, skips one that failed until it
passes its health check again, and answers ``Busy`` when every converter is busy or
none answers. Without either (tests, ``flask run``) the process-wide pool of
:mod:`docgen.convert` is used directly. Every client raises the same errors: ``Busy``
(503 with Retry-After), ``ConversionFailed``, ``MalformedInput``.
"""

from __future__ import annotations

import http.client
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from docgen.convert import transport
from docgen.errors import Busy, ConversionFailed, DocgenError, MalformedInput

log = logging.getLogger(__name__)


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
        if reply.status == 401:  # a converter with another token is of no use to this node
            raise Unreachable(f"the PDF converter at {self.url} refuses this node's token")
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


class ConverterList:
    """Several converter services (``CONVERTERS``), used in turn, with failover.

    Each conversion starts at the next converter in turn. A converter that does not answer
    (refused, reset, or silent past ``timeout``) is marked down and the conversion moves to
    the next one; a down converter is skipped for ``retry`` seconds, then checked
    (``GET /ready``, a few seconds at most) before it gets a conversion again. One that
    answers busy (its queue is full) passes the conversion on too. When every converter
    is busy, or none answers, ``Busy`` is raised: 503 with Retry-After to the API, a wait
    and a new try for a batch job. Safe to use from many threads.
    """

    CHECK_TIMEOUT = 3.0

    def __init__(self, urls: Sequence[str], timeout: float, token: str = "", retry: float = 5.0):
        if not urls:
            raise ValueError("a converter list needs at least one address")
        self.members = [RemoteConverter(url, timeout, token) for url in urls]
        self.retry = float(retry)
        self._down_until: dict[str, float] = {}  # url -> monotonic time of the next check
        self._sizes: dict[str, int] = {}  # url -> instances it reported
        self._turn = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ConverterList({[m.url for m in self.members]!r})"

    def _in_turn(self) -> list[RemoteConverter]:
        with self._lock:
            start = self._turn % len(self.members)
            self._turn += 1
        return self.members[start:] + self.members[:start]

    def _mark_down(self, member: RemoteConverter, why: str) -> None:
        with self._lock:
            was_up = member.url not in self._down_until
            self._down_until[member.url] = time.monotonic() + self.retry
        if was_up:
            log.warning(
                "PDF converter %s is down (%s): skipped, checked again in %g s",
                member.url,
                why,
                self.retry,
            )

    def _usable(self, member: RemoteConverter) -> bool:
        """Up, or down and past its wait and now passing its check."""
        with self._lock:
            until = self._down_until.get(member.url)
        if until is None:
            return True
        if time.monotonic() < until:
            return False
        answer = member.status(self.CHECK_TIMEOUT)
        if not (answer and answer.get("ready")):
            self._mark_down(member, "its check failed")
            return False
        with self._lock:
            self._down_until.pop(member.url, None)
            self._sizes[member.url] = int(answer.get("instances") or 1)
        log.info("PDF converter %s answers again", member.url)
        return True

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        busy: list[Busy] = []
        for member in self._in_turn():
            if not self._usable(member):
                continue
            try:
                return member.convert(docx, pdfa=pdfa, batch=batch)
            except Unreachable as exc:
                self._mark_down(member, str(exc.__cause__ or exc))
            except Busy as exc:
                busy.append(exc)
        count = len(self.members)
        if busy:
            raise Busy(
                f"busy, retry later: all {len(busy)} PDF converters that answer are working "
                f"and their queues are full ({count} configured)",
                retry_after=min(exc.retry_after for exc in busy),
            )
        raise Busy(
            f"busy, retry later: none of the {count} PDF converters answers",
            retry_after=max(1, round(self.retry)),
        )

    def statuses(self) -> dict[str, dict[str, Any] | None]:
        """Each converter's ``/ready`` answer (None: it does not answer); marks them."""
        answers = {}
        for member in self.members:
            answer = answers[member.url] = member.status(self.CHECK_TIMEOUT)
            if answer and answer.get("ready"):
                with self._lock:
                    self._down_until.pop(member.url, None)
                    self._sizes[member.url] = int(answer.get("instances") or 1)
            else:
                self._mark_down(member, "its check failed")
        return answers

    def ready(self) -> bool:
        """At least one converter answers its check."""
        return any(answer and answer.get("ready") for answer in self.statuses().values())

    def instances(self) -> int:
        """The instances of the converters that are up (as they last reported them)."""
        if not self._sizes:
            self.statuses()
        with self._lock:
            up = [m.url for m in self.members if m.url not in self._down_until]
            return max(1, sum(self._sizes.get(url, 1) for url in up))


class LocalConverter:
    """The process-wide pool (started on first use), for tests and single-process runs."""

    def __init__(self, config: Mapping[str, Any] | None = None):
        self._config = config  # the app's PDF_* settings

    def convert(self, docx: bytes, *, pdfa: bool = False, batch: bool = False) -> bytes:
        from docgen.convert import convert_docx_to_pdf

        return convert_docx_to_pdf(docx, pdfa=pdfa, batch=batch, config=self._config)

    def ready(self) -> bool:
        from docgen.convert import default_converter

        try:
            return default_converter(self._config) is not None
        except DocgenError:
            return False


def local_instances(configured: Any) -> int:
    """The instances of a pool on this machine (``PDF_INSTANCES``, 0: one per core)."""
    count = int(configured or 0)
    return count if count > 0 else len(os.sched_getaffinity(0))
