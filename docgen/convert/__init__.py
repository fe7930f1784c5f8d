"""DOCX to PDF through LibreOffice: the pool, its service, its clients, in one package.

Layout, from the document to LibreOffice:

- ``checks.py``: refuse what is not a DOCX before LibreOffice sees it.
- ``gate.py``: the bounded waiting room in front of the converters (``Busy`` beyond it,
  batch jobs within their share).
- ``flags.py``: the one set of ``soffice`` flags (and PDF/A-2b's option).
- ``transport.py``: the one transport, HTTP/1.0 with raw bodies on a Unix socket or TCP.
- ``instance_server.py``: runs in the uno Python, one per warm LibreOffice: starts
  ``soffice`` in its own process group, serves ``POST /convert`` on ``DIR/rpc.sock``,
  ends the whole group when the pipe on its standard input closes (the lifeline).
- ``instance.py``: the pool's side of one instance (start, kill, one job).
- ``pool.py``: ``PdfPool``, warm instances behind the gate, recycled after
  ``PDF_MAX_JOBS`` jobs, killed and restarted past ``PDF_TIMEOUT``.
- ``oneshot.py``: one ``soffice --convert-to pdf`` per document, the fallback when the
  pool cannot start (logged once) and the cold benchmark.
- ``service.py``: one pool served over the transport: on a Unix socket beside
  ``docgen serve``'s workers, or on TCP with a shared token (``docgen convert-server``).
- ``client.py``: what the service's workers call: the process's own pool, the machine's
  service, or a list of convert-servers with health checks and failover.
- ``app.py``: the Flask side (which client an app uses, how many conversions a batch keeps
  in flight); ``cli.py``: ``docgen convert`` and ``docgen convert-server``.

Why not unoserver's own server and client: ``unoserver`` serves XML-RPC on a TCP port and
reaches LibreOffice through a UNO socket on TCP too, both open to every local user (the
UNO bridge gives ``SystemShellExecute``); it has no Unix socket, no peer check, no token,
no lifeline tying LibreOffice to its owner, no process group, and its ``convert`` detects
the type and loads the document visibly on every call (about a fifth slower than loading
hidden with the Word filter named). Its server would have to be wrapped on every one of
these points, so each instance runs ``instance_server.py`` (standard library and ``uno``
only) instead; what remains is two hops on one transport, the service and the instance,
and the instance hop is what lets a hung or crashed LibreOffice be killed as one process
group without touching the service.

``convert_docx_to_pdf(docx)`` is what the rest of docgen calls in-process: the first call
starts a process-wide ``PdfPool`` sized by the settings; when the pool cannot start (no
uno Python, no instance comes up) every call goes through a one-shot ``soffice
--convert-to pdf`` instead, and that is logged once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any

from docgen.convert.checks import check_docx
from docgen.convert.instance import PoolUnavailable
from docgen.convert.oneshot import OneShotConverter, convert_once
from docgen.convert.pool import PdfPool

__all__ = [
    "OneShotConverter",
    "PdfPool",
    "PoolUnavailable",
    "check_docx",
    "convert_docx_to_pdf",
    "convert_once",
    "default_converter",
]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_converter: PdfPool | OneShotConverter | None = None


def default_converter(config: Mapping[str, Any] | None = None) -> PdfPool | OneShotConverter:
    """Return the process-wide converter, starting the pool on first use.

    ``config`` (the PDF_* settings, as ``Settings.as_config()`` gives them) is used by the
    first call, which starts the pool; without it the defaults apply.
    """
    global _converter
    with _lock:
        if _converter is None:
            pool = PdfPool(config=config)
            try:
                pool.start()
            except PoolUnavailable as exc:
                log.warning(
                    "the LibreOffice pool cannot start (%s); converting each document "
                    "with a one-shot soffice instead (about 1 s a document)",
                    exc,
                )
                _converter = OneShotConverter(config=config)
            else:
                _converter = pool
        return _converter


def convert_docx_to_pdf(
    docx: bytes,
    *,
    pdfa: bool = False,
    batch: bool = False,
    config: Mapping[str, Any] | None = None,
) -> bytes:
    """Convert a DOCX document to PDF, or to PDF/A-2b when ``pdfa``.

    Raises ``MalformedInput`` when the bytes are not a DOCX, ``Busy`` when every
    converter is working and the queue is full, ``ConversionFailed`` when LibreOffice
    refuses the document, dies twice or runs past ``PDF_TIMEOUT``.
    """
    return default_converter(config).convert(docx, pdfa=pdfa, batch=batch)


def _forget_after_fork() -> None:
    # The child of a fork must not use (nor kill) its parent's instances.
    global _converter, _lock
    _converter = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
