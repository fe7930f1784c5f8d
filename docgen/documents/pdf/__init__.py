"""DOCX to PDF through LibreOffice: a pool of warm instances, or one-shot ``soffice``.

``convert_docx_to_pdf(docx)`` is what the rest of docgen calls: the first call starts a
process-wide ``PdfPool`` sized by the settings; when the pool cannot start (no uno Python,
no instance comes up) every call goes through a one-shot ``soffice --convert-to pdf``
instead, and that is logged once. ``PdfPool`` is there for explicit use (tests, the
benchmark, a batch that wants its own pool).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any

from docgen.documents.pdf.checks import check_docx
from docgen.documents.pdf.instance import PoolUnavailable
from docgen.documents.pdf.oneshot import OneShotConverter, convert_once
from docgen.documents.pdf.pool import PdfPool

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
    docx: bytes, *, pdfa: bool = False, batch: bool = False,
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
