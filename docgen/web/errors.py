"""Every error, mapped in this one place, answered as the request asks.

The API (``/api/...``, the health checks, or a page's script that asks for JSON) gets
``application/problem+json`` (RFC 9457): ``type``, ``title``, ``status``, ``detail`` in
English, the error's ``code`` and ``params``, and for invalid input ``errors`` as
``{"pointer", "message", "code", "params"}``. Every other address is a page: it gets the
error page in the reader's language, its words built from the same codes
(:mod:`docgen.web.ui.messages`), so a mistyped page address gets the HTML 404, not JSON.

``DocgenError`` carries its status, title, slug and code; HTTP errors raised by
Flask/Werkzeug (no route, 405, 413...) become ``HttpError``. An unexpected exception is
logged (type and traceback, not its message, which may hold personal data) and answered
as a bare 500; under ``TESTING`` it is re-raised so that a test sees it.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, current_app, g, json, render_template, request
from werkzeug.exceptions import HTTPException

from docgen.errors import DocgenError, HttpError, Internal

log = logging.getLogger("docgen.web")
PROBLEM = "application/problem+json"
MACHINE_PATHS = frozenset({"/healthz", "/readyz"})


def problem_type(slug: str) -> str:
    return f"/api/v1/docs#problem-{slug}"


def wants_problem() -> bool:
    """True when the request is the API's (or a script's asking JSON), False for a page."""
    path = request.path
    if path == "/api" or path.startswith("/api/") or path in MACHINE_PATHS:
        return True
    return request.accept_mimetypes.best in ("application/json", PROBLEM)


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": problem_type(slug),
        "title": title,
        "status": status,
        "detail": detail,
        "code": slug,
        "params": {},
    }
    request_id = g.get("request_id")
    if request_id:
        body["instance"] = f"urn:docgen:request:{request_id}"
    body.update(extra)
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM
    )


def problem_response(exc: DocgenError) -> Response:
    """The error as ``application/problem+json``."""
    extra: dict[str, Any] = {"code": exc.code, "params": exc.params}
    if exc.problems:
        extra["errors"] = [p.as_json() for p in exc.problems]
    return problem(exc.status, exc.title, exc.detail, exc.slug, **extra)


def page_response(exc: DocgenError) -> Response:
    """The error as a page in the reader's language."""
    from docgen.web.ui.messages import error_title, problems_text

    html = render_template(
        "error.html", title=error_title(exc.status), lines=problems_text(exc), status=exc.status
    )
    return current_app.response_class(html, status=exc.status, mimetype="text/html")


def respond(exc: DocgenError) -> Response:
    """The one answer to an error: problem+json or a page, as the request asks."""
    response = problem_response(exc) if wants_problem() else page_response(exc)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, int(retry_after)))
    if exc.status >= 500:
        log.warning("%s (%s): %s", exc.slug, exc.status, type(exc).__name__)
    return response


def _http_error(exc: HTTPException) -> Response:
    response = respond(HttpError(exc.code or 500, exc.description or "", exc.name or "Error"))
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
    return respond(Internal("an unexpected error occurred; it has been logged"))


def init_app(app: Flask) -> None:
    app.register_error_handler(DocgenError, respond)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
