"""The ``ui`` blueprint and what its pages share: the layout's context, errors as pages."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from docgen.errors import DocgenError, InvalidInput
from docgen.web.ui import access
from docgen.web.ui.i18n import LANGUAGE_NAMES, current_lang
from docgen.web.ui.labels import translate_message
from docgen.web.ui.schemaform import labels

bp = Blueprint("ui", __name__)
bp.before_request(access.before_request)

STATUS_LABELS = {
    "received": _l("received"), "valid": _l("valid"), "needs_review": _l("needs review"),
    "unrecognized": _l("unrecognised"), "error": _l("error"), "approved": _l("approved"),
    "rejected": _l("rejected"), "queued": _l("queued"), "running": _l("running"),
    "done": _l("done"), "failed": _l("failed"),
}
ROLE_LABELS = {"admin": _l("administrator"), "officer": _l("officer"),
               "viewer": _l("viewer")}
NAV = [
    ("ui.dashboard", _l("Dashboard")), ("ui.new_document", _l("New document")),
    ("ui.batch", _l("Batch")), ("ui.forms", _l("Forms")), ("ui.uploads_page", _l("Upload forms")),
    ("ui.records", _l("Records")), ("ui.partners", _l("Partners")),
    ("ui.selection", _l("Selection")),
]
ERROR_TITLES = {
    400: _l("The request could not be read"), 403: _l("Not allowed"), 404: _l("Not found"),
    413: _l("The file is too large"), 422: _l("Some values are not right"),
    502: _l("The conversion failed"), 503: _l("Busy, try again in a moment"),
}


def status_label(status: str | None) -> str:
    label = STATUS_LABELS.get(status or "")
    return str(label) if label is not None else (status or "")


@bp.app_context_processor
def _layout() -> dict[str, Any]:
    return {"current_user": access.current_user(), "can_change": access.can_change(),
            "csrf_token": access.csrf_token, "lang": current_lang(),
            "languages": LANGUAGE_NAMES, "nav": NAV, "status_label": status_label,
            "role_label": lambda role: str(ROLE_LABELS.get(role, role)),
            "field_labels": labels}


def problems_text(exc: DocgenError) -> list[str]:
    """An error's problems in the page's language, each with where it was found."""
    if isinstance(exc, InvalidInput):
        return [f"{p.pointer}: {translate_message(p.message)}" if p.pointer
                else translate_message(p.message) for p in exc.problems]
    return [exc.detail]


def error_page(status: int, detail: str | list[str]) -> tuple[str, int]:
    lines = detail if isinstance(detail, list) else [detail]
    title = ERROR_TITLES.get(status, _l("Something went wrong"))
    return render_template("error.html", title=title, lines=lines, status=status), status


@bp.errorhandler(DocgenError)
def _docgen_error(exc: DocgenError) -> tuple[str, int]:
    return error_page(exc.status, problems_text(exc))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[str, int]:
    status = exc.code or 500
    if status == 413:
        limit = current_app.config["MAX_UPLOAD_MB"]
        return error_page(413, _("Files sent at once may not exceed %(mb)s MB.", mb=limit))
    return error_page(status, exc.description or "")


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, name: str, media_type: str) -> Any:
    """A file to save, never cached: a generated document, a batch template, a form."""
    return send_file(io.BytesIO(content), mimetype=media_type, as_attachment=True,
                     download_name=name, max_age=0)
