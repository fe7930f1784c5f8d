"""Every request logged once, with an id, and without personal data.

The line holds the request id (the caller's ``X-Request-Id`` when it is a plain token,
else a new one), method, path, status, duration and the API key's id; never the query
string, the body or a key's name, which may carry a name or an IBAN.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

log = logging.getLogger("docgen.web.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def printable(text: str, limit: int = 200) -> str:
    """Text fit for one log line: control characters (a ``%0a`` in a path decodes to a line
    break that would forge a line) and backslashes written as escapes, then cut."""
    return _UNPRINTABLE.sub(_escape, text[:limit])


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "\\\\" if code == 0x5C else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "-")
    key = g.get("api_key")
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info("%s %s %s %d %.1fms key=%s", g.get("request_id", "-"), printable(request.method),
             printable(request.path), response.status_code, elapsed, key.id if key else "-")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
