"""API v1, forms and records: fillable forms, uploads of returned ones, records and review.

An upload is stored before it is read: the file goes to the content-addressed store and
its record is committed (``received``) first; the parser then completes the record, off
the request thread. An upload answers 201 (new) or 200 (the same bytes again; read again
if the record was in error) once read, or 202 with the record still ``received`` when the
reading takes longer than ``PARSE_WAIT`` seconds: the record's URL then shows the outcome.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, current_app, request, send_file, url_for
from sqlalchemy import select

from docgen.errors import InvalidInput, NotFound, Problem, TooLarge, UnsupportedMedia, pointer
from docgen.forms.spec import get_spec
from docgen.operations import records as record_ops
from docgen.operations.forms import blank_form, form_specs, prefilled_form
from docgen.store import records as ops
from docgen.store.blobs import BlobStore
from docgen.store.database import db
from docgen.store.models import Blob, Record
from docgen.web import uploads
from docgen.web.auth import current_key, require
from docgen.web.headers import send_crop, send_untrusted
from docgen.web.helpers import int_arg, json_body
from docgen.web.schemas import PrefillRequest, RecordPatch
from docgen.web.settings import current_settings

bp = Blueprint("api_records", __name__)


def _spec_of(form_id: str) -> Any:
    return form_specs(current_settings().FORMS_DIR).get(form_id)


def _grant(record: Record) -> dict[str, Any] | None:
    return uploads.grant_of(record)


def _blobs() -> BlobStore:
    return current_app.extensions["docgen.blobs"]


@bp.get("/forms")
@require("documents")
def list_forms() -> Any:
    """The fillable forms the office hands out."""
    return {
        "forms": [
            {
                "id": s.id,
                "version": s.version,
                "title": s.title.model_dump(),
                "pdf": url_for(".form_pdf", form_id=s.id),
                "fields": [
                    {
                        "name": f.name,
                        "type": f.type,
                        "required": f.required,
                        "prefill": f.prefill,
                        "label": f.label.model_dump(),
                    }
                    for f in s.fields
                    if f.type != "signature"
                ],
            }
            for s in form_specs(current_settings().FORMS_DIR).values()
        ]
    }


@bp.get("/forms/<form_id>.pdf")
@require("documents")
def form_pdf(form_id: str) -> Response:
    """The blank fillable PDF of a form."""
    form = blank_form(current_settings().FORMS_DIR, form_id, current_app.config["SECRET_KEY"])
    return send_file(
        io.BytesIO(form.content), mimetype="application/pdf", download_name=form.filename, max_age=0
    )


@bp.post("/forms/<form_id>/prefill")
@require("documents")
def form_prefill(form_id: str) -> Response:
    """The form's PDF with what the office knows drawn in, and its reference."""
    get_spec(form_id, current_settings().FORMS_DIR)  # an unknown form is 404 before its body
    body = json_body(PrefillRequest)
    form = prefilled_form(
        current_settings().FORMS_DIR,
        form_id,
        body.model_dump(exclude_none=True),
        current_app.config["SECRET_KEY"],
        db.session,
    )
    return send_file(
        io.BytesIO(form.content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=form.filename,
        max_age=0,
    )


def _files() -> list[Any]:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMedia("send the files as multipart/form-data, in fields named 'file'")
    others = sorted(name for name in request.files if name != "file")
    if others:
        raise InvalidInput(
            [
                Problem(pointer(name), "unknown field: send the files in fields named 'file'")
                for name in others[:20]
            ]
        )
    files = request.files.getlist("file")
    if not files:
        raise InvalidInput.at("/file", "no file: send one or more PDFs in fields named 'file'")
    problems = []
    for index, storage in enumerate(files):
        if not uploads.looks_like_pdf(storage):
            problems.append(
                Problem(f"/file/{index}", f"{_name(storage)}: not a PDF nor a scanned image")
            )
    if problems:
        error = UnsupportedMedia(
            "only PDF files and scans (JPEG, PNG, TIFF, HEIC) are accepted (judged by content)"
        )
        error.problems = problems  # type: ignore[attr-defined]
        raise error
    return files


def _name(storage: Any) -> str:
    return uploads.upload_name(storage)


def record_json(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "url": url_for("api_records.get_record", record_id=record.id),
        "status": record.status,
        "form": record.form,
        "version": record.version,
        "method": record.method,
        "reference": record.reference,
        "filename": record.filename,
        "sha256": record.sha256,
        "file": url_for("api_records.get_upload", sha256=record.sha256),
        "values": record.values,
        "issues": (record.issues or {}).get("items", []),
        "signatures": (record.signatures or {}).get("items", []),
        "error": record.error,
        "grant": record.grant,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "approved_at": record.approved_at,
        "fields": scan_fields(record),
        "part": record.part,
        "page_image": page_image_url(record),
    }


def page_image_url(record: Record) -> str | None:
    from docgen.web.api_unidentified import page_image_url

    return page_image_url(record)


def scan_fields(record: Record) -> dict[str, Any] | None:
    """A scanned record's fields: what was read, the confidence, whether it waits for review,
    and the link to the crop of the original; None for a record that is not a scan."""
    fields = (record.scan or {}).get("fields")
    if not fields:
        return None
    return {
        name: {
            "read": field.get("read"),
            "confidence": field.get("confidence"),
            "flagged": bool(field.get("flagged")),
            "page": field.get("page"),
            "crop": url_for("api_records.get_crop", record_id=record.id, field=name)
            if field.get("crop")
            else None,
        }
        for name, field in fields.items()
    }


@bp.post("/uploads")
@require("uploads")
def upload() -> Any:
    """One or more returned PDFs: each stored, then read; one entry per file."""
    limit = int(current_app.config["PARSE_MAX_MB"]) * 1_000_000
    received = []
    for storage in _files():
        try:
            record, created = uploads.receive(storage, current_key())
        except TooLarge as exc:
            raise TooLarge(f"{_name(storage)} is larger than {limit} bytes", limit=limit) from exc
        received.append((_name(storage), record, created))
    uploads.settle([record for _name_, record, _created in received])
    entries = []
    for name, record, created in received:
        status = 202 if record.status == "received" else 201 if created else 200
        entry = {
            "filename": name,
            "sha256": record.sha256,
            "created": created,
            "status": status,
            "record": record_json(record),
            "error": record.error,
        }
        parts = ops.parts_of(db.session, record) if record.method == "scan" else []
        if len(parts) > 1:  # a scanned stack: one record a document, the first above
            entry["records"] = [record_json(r) for r in parts]
        entries.append(entry)
    codes = {entry["status"] for entry in entries}
    return {"uploads": entries}, 202 if 202 in codes else 201 if 201 in codes else 200


@bp.get("/uploads/<sha256>")
@require("records:read")
def get_upload(sha256: str) -> Response:
    """The original file of a record, as uploaded (an attachment, sandboxed).

    Only uploads are served here: other stored files (batch items, ZIPs of a job) are 404
    whatever their hash. The type is the one recorded when the file was stored.
    """
    record = db.session.scalar(select(Record).where(Record.sha256 == sha256[:64], Record.part == 0))
    blob = db.session.get(Blob, sha256[:64])
    if record is None or blob is None:
        raise NotFound(f"no uploaded file {sha256[:64]}")
    fp = _blobs().open(sha256)
    name = uploads.file_name(record.filename if record else None, f"{sha256}.pdf")
    return send_untrusted(fp, uploads.served_type(fp), name, sha256)


@bp.get("/records")
@require("records:read")
def list_records() -> Any:
    """Records, newest first; filter by form, status and text (accents ignored)."""
    page = int_arg("page", 1, 1, 1_000_000)
    per_page = int_arg("per_page", 50, 1, 200)
    status = request.args.get("status") or None
    if status and status not in ops.STATUSES:
        raise InvalidInput.at("/status", f"must be one of {', '.join(ops.STATUSES)}")
    items, total = ops.list_records(
        db.session,
        form=request.args.get("form") or None,
        status=status,
        text=request.args.get("q") or None,
        page=page,
        per_page=per_page,
    )
    return {
        "items": [record_json(r) for r in items],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/records/<int:record_id>")
@require("records:read")
def get_record(record_id: int) -> Any:
    """One record, with the link to its original file and its audit trail; a scan adds each
    field's confidence and the link to its crop (``fields``)."""
    return _record_with_changes(ops.get_record(db.session, record_id))


@bp.get("/records/<int:record_id>/crops/<field>.png")
@require("records:read")
def get_crop(record_id: int, field: str) -> Response:
    """The crop of a scanned field's box, as the original showed it (a PNG)."""
    return crop_response(ops.get_record(db.session, record_id), field)


def crop_response(record: Record, field: str) -> Response:
    found = ops.scan_field(record, field)
    sha = (found or {}).get("crop")
    if not sha:
        raise NotFound(f"record {record.id} has no crop of field {field[:64]!r}")
    try:
        data = _blobs().get(sha)
    except (FileNotFoundError, NotFound) as exc:
        raise NotFound(f"the crop of field {field[:64]!r} is not in the store") from exc
    return send_crop(data, sha)


def _record_with_changes(record: Record) -> dict[str, Any]:
    body = record_json(record)
    body["changes"] = [
        {
            "who": c.who,
            "at": c.at,
            "field": c.field,
            "old": (c.old or {}).get("value"),
            "new": (c.new or {}).get("value"),
            "reason": c.reason,
            **({"scan": (c.new or {})["scan"]} if (c.new or {}).get("scan") else {}),
        }
        for c in ops.changes_of(db.session, record)
    ]
    return body


@bp.post("/records/<int:record_id>/parse")
@require("records:write")
def reparse_record(record_id: int) -> Any:
    """Read a record in error (or left ``received``) again: 200 once read, else 202."""
    record = ops.get_record(db.session, record_id)
    uploads.reparse(record, current_key())
    uploads.settle([record])
    return _record_with_changes(record), 202 if record.status == "received" else 200


@bp.patch("/records/<int:record_id>")
@require("records:write")
def patch_record(record_id: int) -> Any:
    """Correct values and/or approve, reject or reopen; every change is audited.

    The answer is the record with its audit trail when the key may also read records
    (``records:read``); a key with ``records:write`` alone gets ``{id, status, changed}``.
    A request that changes nothing changes nothing (``changed`` is false).
    """
    body = json_body(RecordPatch)
    record = ops.get_record(db.session, record_id)
    changed = record_ops.update_record(
        db.session, record, body.model_dump(exclude_none=True), current_key(), _spec_of, _grant
    )
    if not _may_read():
        # records:write alone may change a record, not read it: say only what became of it.
        return {"id": record.id, "status": record.status, "changed": changed}
    return _record_with_changes(record)


def _may_read() -> bool:
    key = current_key()
    return key is not None and bool({"records:read", "admin"} & key.scope_set)


# The routes of unidentified records (a page without a readable code) join this blueprint.
from docgen.web import api_unidentified  # noqa: E402, F401
