"""Every request logged once, with an id, and without personal data; JSON log lines.

The line holds the request id (the caller's ``X-Request-Id`` when it is a plain token,
else a new one), method, path, route (the URL rule's template), status, duration and the
API key's id; never the query string, the body, a file's name or a key's name, which may
carry a name or an IBAN. Each request is counted for Prometheus (:mod:`docgen.metrics`).

:class:`JsonFormatter` writes a record as one JSON object a line (``docgen serve`` with
``LOG_FORMAT=json``): time, level, logger, message, and the request's fields; a line
logged while a request is served carries its request id. An exception is written as its
type and the stack's places (file, line, function), without its message, which may quote
the data (a name in a validation error).
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from docgen import metrics

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


def route() -> str:
    """The template of the URL rule that matched (no value from the path), if any."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def _finish(response: Response) -> Response:
    request_id = g.get("request_id", "-")
    response.headers["X-Request-Id"] = request_id
    key = g.get("api_key")
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    elapsed = seconds * 1000
    method = printable(request.method, 16)
    template = printable(route())
    metrics.request(method, template, response.status_code, seconds)
    log.info(
        "%s %s %s %d %.1fms key=%s",
        request_id,
        method,
        printable(request.path),
        response.status_code,
        elapsed,
        key.id if key else "-",
        extra={
            "request_id": request_id,
            "method": method,
            "route": template,
            "status": response.status_code,
            "duration_ms": round(elapsed, 1),
            "key_id": key.id if key else None,
        },
    )
    return response


# The fields a record may carry besides the message (passed as ``extra``).
FIELDS = ("request_id", "method", "route", "status", "duration_ms", "key_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the
    request's fields when there are any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for field in FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                entry[field] = value
        if "request_id" not in entry and has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["route"] = route()
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(entry, ensure_ascii=False, default=str)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
