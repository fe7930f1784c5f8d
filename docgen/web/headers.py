"""What every answer tells the browser: a strict CSP, no sniffing, no framing, no caching.

* ``Content-Security-Policy``: scripts, styles, images and fonts only from this origin;
  no inline script or style (the pages keep theirs in ``static/``), no plugins
  (``object-src 'none'``), forms post only here, and no page may be framed
  (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for older browsers): a
  framed "Save and approve" cannot be clicked by trickery.
* ``X-Content-Type-Options: nosniff``: a file is what its Content-Type says.
* ``Referrer-Policy: same-origin``: a record's URL is not sent to other sites.
* ``Cache-Control: no-store`` on every page, file and API answer (they hold names, CNP,
  IBAN); only static files (style, script) may be cached.

Stored files that came from outside (uploads) are served by :func:`send_untrusted`: always
as attachments, under ``Content-Security-Policy: sandbox`` (no script, no plugin, a unique
origin), so a PDF with JavaScript is never run on the service's origin. A scan's field crops
(PNG images the parser's worker made) are shown inline by :func:`send_crop`, under the same
sandbox.
"""

from __future__ import annotations

from typing import IO

from flask import Flask, Response, request, send_file

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-src 'none'; frame-ancestors 'none'"
)
SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def send_untrusted(fp: IO[bytes], media_type: str, name: str, etag: str) -> Response:
    """An uploaded file: as an attachment, sandboxed, never rendered as active content."""
    response = send_file(
        fp, mimetype=media_type, as_attachment=True, download_name=name, max_age=0, etag=etag
    )
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Cache-Control"] = "no-store"
    return response


def send_crop(data: bytes, etag: str) -> Response:
    """A scan's field crop: a PNG the parser's worker encoded, shown inline in the record
    page, yet under the same sandbox as an upload and never sniffed as anything else."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("a crop is a PNG")
    response = Response(data, mimetype="image/png")
    response.set_etag(etag)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure)
