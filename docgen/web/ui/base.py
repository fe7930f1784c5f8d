"""The ``ui`` blueprint and what its pages share: the layout's context.

Errors become pages in :mod:`docgen.web.errors` (the one handler of the API and the
pages), their words in :mod:`docgen.web.ui.messages`.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, request, send_file
from flask_babel import lazy_gettext as _l

from docgen.web.ui import access
from docgen.web.ui.i18n import LANGUAGE_NAMES, current_lang
from docgen.web.ui.messages import grant_reason, problem_text, problems_text, selection_reason
from docgen.web.ui.schemaform import labels

__all__ = ["bp", "problem_text", "problems_text", "status_label", "wants_json"]

bp = Blueprint("ui", __name__)
bp.before_request(access.before_request)

STATUS_LABELS = {
    "received": _l("received"),
    "valid": _l("valid"),
    "needs_review": _l("needs review"),
    "unrecognized": _l("unrecognised"),
    "error": _l("error"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "unidentified": _l("unidentified"),
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    "failed": _l("failed"),
}
ROLE_LABELS = {"admin": _l("administrator"), "officer": _l("officer"), "viewer": _l("viewer")}
NAV = [
    ("ui.dashboard", _l("Dashboard")),
    ("ui.new_document", _l("New document")),
    ("ui.batch", _l("Batch")),
    ("ui.forms", _l("Forms")),
    ("ui.uploads_page", _l("Upload forms")),
    ("ui.records", _l("Records")),
    ("ui.partners", _l("Partners")),
    ("ui.selection", _l("Selection")),
]


def status_label(status: str | None) -> str:
    label = STATUS_LABELS.get(status or "")
    return str(label) if label is not None else (status or "")


@bp.app_context_processor
def _layout() -> dict[str, Any]:
    return {
        "current_user": access.current_user(),
        "can_change": access.can_change(),
        "csrf_token": access.csrf_token,
        "lang": current_lang(),
        "languages": LANGUAGE_NAMES,
        "nav": NAV,
        "status_label": status_label,
        "role_label": lambda role: str(ROLE_LABELS.get(role, role)),
        "field_labels": labels,
        "selection_reason": selection_reason,
        "grant_reason": grant_reason,
    }


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, name: str, media_type: str) -> Any:
    """A file to save, never cached: a generated document, a batch template, a form."""
    return send_file(
        io.BytesIO(content), mimetype=media_type, as_attachment=True, download_name=name, max_age=0
    )
