"""Every error as ``application/problem+json`` (RFC 9457), mapped in this one place.

``DocgenError`` carries its status, title and slug; HTTP errors raised by Flask/Werkzeug
(404 route, 405, 413, 415...) get the same shape. Validation problems go in ``errors`` as
``{"pointer", "message"}``. An unexpected exception is logged (type and traceback, not its
message, which may hold personal data) and answered as a bare 500; under ``TESTING`` it is
re-raised so that a test sees it.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, current_app, g, json
from werkzeug.exceptions import HTTPException

from docgen.errors import Busy, DocgenError, InvalidInput, RateLimited

log = logging.getLogger("docgen.web")
PROBLEM = "application/problem+json"


def problem_type(slug: str) -> str:
    return f"/api/v1/docs#problem-{slug}"


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": problem_type(slug), "title": title, "status": status,
                            "detail": detail}
    request_id = g.get("request_id")
    if request_id:
        body["instance"] = f"urn:docgen:request:{request_id}"
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM
    )
    return response


def _docgen_error(exc: DocgenError) -> Response:
    extra: dict[str, Any] = {}
    problems = exc.problems if isinstance(exc, InvalidInput) else getattr(exc, "problems", None)
    if problems:
        extra["errors"] = [{"pointer": p.pointer, "message": p.message} for p in problems]
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        extra["code"] = code
    response = problem(exc.status, exc.title, exc.detail, exc.slug, **extra)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, (Busy, RateLimited)) and retry_after is not None:
        response.headers["Retry-After"] = str(max(1, int(retry_after)))
    if exc.status >= 500:
        log.warning("%s (%s): %s", exc.slug, exc.status, type(exc).__name__)
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    slug = (exc.name or "error").lower().replace(" ", "-")
    response = problem(status, exc.name or "Error", exc.description or "", slug)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":  # e.g. Allow on a 405
            response.headers[name] = value
    return response


def _unexpected(exc: Exception) -> Response:
    if current_app.testing and current_app.config.get("PROPAGATE_UNEXPECTED", True):
        raise exc
    # The message may quote input (a name, an IBAN): log where it happened, not what it said.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unexpected %s\n%s", type(exc).__name__, frames)
    return problem(500, "Internal error", "an unexpected error occurred; it has been logged",
                   "internal-error")


def init_app(app: Flask) -> None:
    app.register_error_handler(DocgenError, _docgen_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
