"""API v1, unidentified records: a scanned page without a readable page code, its image,
and its assignment to a form by hand (docgen.operations.unidentified)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for

from docgen.errors import NotFound
from docgen.operations import records as record_ops
from docgen.operations import unidentified
from docgen.store import records as ops
from docgen.store.database import db
from docgen.store.models import Record
from docgen.web import uploads
from docgen.web.api_records import _may_read, _record_with_changes, _spec_of, bp
from docgen.web.auth import current_key, require
from docgen.web.headers import send_crop
from docgen.web.helpers import json_body
from docgen.web.parsing import parser
from docgen.web.schemas import AssignRequest
from docgen.web.settings import current_settings


def page_image_url(record: Record, endpoint: str = "api_records.get_page_image") -> str | None:
    """The link to a record's page image (an unidentified page, or one assigned since)."""
    return url_for(endpoint, record_id=record.id) if unidentified.page_image(record) else None


def page_image_response(record: Record) -> Response:
    """The page image, inline as a PNG under the crops' sandbox (docgen.web.headers)."""
    sha = unidentified.page_image(record)
    if not sha:
        raise NotFound(f"record {record.id} has no page image")
    try:
        data = current_app.extensions["docgen.blobs"].get(sha)
    except (FileNotFoundError, NotFound) as exc:
        raise NotFound(f"the page image of record {record.id} is not in the store") from exc
    return send_crop(data, sha)


def form_ids() -> list[str]:
    from docgen.forms.spec import load_specs

    return sorted(load_specs(current_settings().FORMS_DIR))


def assign_record(record: Record, form: str, reference: str, page: int, actor: Any) -> Record:
    """Read an unidentified record's page as ``form`` (shared by the API and the page)."""
    forms = form_ids()
    unidentified.check_assignment(record, form, page, _spec_of, forms)
    data = current_app.extensions["docgen.blobs"].get(record.sha256)
    timeout = float(current_app.config["PARSE_TIMEOUT"])

    def read(data: bytes, form: str, reference: str, index: int, page: int) -> dict[str, Any]:
        return parser().assign(data, form, reference, index, page, timeout)

    db.session.commit()  # no transaction (nor SQLite's write lock) held while the page is read
    record = ops.get_record(db.session, record.id)
    unidentified.assign(
        db.session,
        record,
        form=form,
        reference=reference,
        page=page,
        actor=actor,
        data=data,
        read=read,
        spec_of=_spec_of,
        forms=forms,
        grant=uploads.grant_of,
        put_blob=current_app.extensions["docgen.blobs"].put,
        complete=record_ops.complete_record,
    )
    db.session.commit()
    return record


@bp.get("/records/<int:record_id>/page.png")
@require("records:read")
def get_page_image(record_id: int) -> Response:
    """The image of a scanned page without a readable code (a PNG, sandboxed)."""
    return page_image_response(ops.get_record(db.session, record_id))


@bp.post("/records/<int:record_id>/assign")
@require("records:write")
def assign(record_id: int) -> Any:
    """Say which form an unidentified page is: it is read as that form and becomes a scanned
    record (fields, confidences, review flags); audited. 422 naming ``/status`` for a record
    that is not unidentified, ``/form`` for an unknown form or a page that cannot be read
    as it, ``/page`` for a page the form does not have."""
    body = json_body(AssignRequest)
    record = ops.get_record(db.session, record_id)
    record = assign_record(
        record, body.form, (body.reference or "").strip(), body.page, current_key()
    )
    if not _may_read():
        return {"id": record.id, "status": record.status, "changed": True}
    return _record_with_changes(record)
