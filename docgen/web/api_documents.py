"""API v1, documents and rules: kinds, documents, batches and their jobs, grants, selection.

Views are thin: they read the request, call the operations the CLI calls, and shape the
answer. The request commits (see ``docgen.web``).
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, current_app, send_file, url_for

from docgen.convert.app import capacity, convert, converter
from docgen.documents.kinds import KINDS, LANGS, get_kind
from docgen.domain.grant import QuoteRequest
from docgen.domain.validation import validate
from docgen.errors import InvalidInput
from docgen.forms.pagecode import page_key
from docgen.operations import documents as ops
from docgen.operations.batch import job_status, job_zip
from docgen.operations.registry import check_caps, check_contracts, complete_items
from docgen.operations.selection import rank
from docgen.rules.explain import explain_call
from docgen.rules.grants import find_table, quote_grant, quote_to_json
from docgen.store.database import db
from docgen.store.documents import find_document
from docgen.web import jobs
from docgen.web.auth import current_key, require
from docgen.web.helpers import json_body
from docgen.web.schemas import BatchRequest, DocumentRequest
from docgen.web.settings import current_settings

bp = Blueprint("api_documents", __name__)


def _key_id() -> int | None:
    key = current_key()
    return key.id if key else None


def attachment(content: bytes, filename: str, media_type: str, status: int = 200) -> Response:
    response = send_file(
        io.BytesIO(content),
        mimetype=media_type,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.status_code = status
    return response


@bp.get("/kinds")
@require(None)
def list_kinds() -> Any:
    """The document kinds, their titles and languages."""
    return {
        "kinds": [
            {
                "id": k.id,
                "title": k.title,
                "langs": list(LANGS),
                "schema": url_for(".kind_schema", kind=k.id),
            }
            for k in KINDS.values()
        ]
    }


@bp.get("/kinds/<kind>/schema")
@require(None)
def kind_schema(kind: str) -> Any:
    """The JSON Schema of a kind's payload."""
    return get_kind(kind).model.model_json_schema()


@bp.post("/documents")
@require("documents")
def create_document() -> Response:
    """One document: DOCX or PDF, named, with its id in ``X-Document-Id``."""
    body = json_body(DocumentRequest)
    generated = ops.generate_document(
        db.session,
        body.kind,
        body.lang,
        body.format,
        body.data,
        templates=current_settings().TEMPLATES_DIR,
        rates_dir=current_settings().rates_dir,
        convert=convert,
        api_key_id=_key_id(),
        page_key=page_key(current_app.config["SECRET_KEY"]),
    )
    response = attachment(generated.content, generated.filename, generated.media_type, 201)
    response.headers["X-Document-Id"] = generated.document.id
    return response


@bp.post("/documents/batch")
@require("documents")
def create_batch() -> Any:
    """Up to BATCH_SYNC_LIMIT items: the ZIP at once; more: 202 and a job to follow."""
    body = json_body(BatchRequest)
    config = current_app.config
    if len(body.items) > int(config["BATCH_MAX_ITEMS"]):
        raise InvalidInput.at("/items", f"at most {config['BATCH_MAX_ITEMS']} items per batch")
    kind = get_kind(body.kind)
    items = complete_items(db.session, kind.id, body.items)
    payloads = ops.validate_items(kind, items, current_settings().rates_dir)
    if kind.id == "financial_contract":
        check_contracts(db.session, payloads, at="/items", indexed=True)
    if len(payloads) <= int(config["BATCH_SYNC_LIMIT"]):
        content = ops.zip_bytes(
            db.session,
            kind,
            body.lang,
            body.format,
            payloads,
            templates=current_settings().TEMPLATES_DIR,
            rates_dir=current_settings().rates_dir,
            convert=converter().convert,
            api_key_id=_key_id(),
            parallel=capacity(),
            page_key=page_key(current_app.config["SECRET_KEY"]),
        )
        return attachment(content, f"{kind.id}-{body.lang}.zip", "application/zip")
    job = jobs.submit(db.session, kind.id, body.lang, body.format, items, _key_id())
    location = url_for(".get_job", job_id=job.id)
    return (
        {"job": job.id, "status": job.status, "total": job.total, "url": location},
        202,
        {"Location": location},
    )


@bp.get("/documents/batch/<job_id>")
@require("documents")
def get_job(job_id: str) -> Any:
    """A batch job's progress; when done, the link to its ZIP and the per-item errors."""
    job = jobs.get(db.session, job_id)
    return {
        "job": job.id,
        "kind": job.kind,
        "lang": job.lang,
        "format": job.format,
        **job_status(job),
        "result": url_for(".get_job_result", job_id=job.id) if job.result_sha256 else None,
    }


@bp.get("/documents/batch/<job_id>/result")
@require("documents")
def get_job_result(job_id: str) -> Response:
    result = job_zip(current_app.extensions["docgen.blobs"], jobs.get(db.session, job_id))
    return send_file(
        result.stream, mimetype=result.media_type, as_attachment=True, download_name=result.filename
    )


@bp.get("/documents/<document_id>")
@require("documents")
def get_document(document_id: str) -> Any:
    """What a generated document was made from: kind, language, hashes, template, key."""
    d = find_document(db.session, document_id)
    return {
        "id": d.id,
        "kind": d.kind,
        "lang": d.lang,
        "format": d.format,
        "reference": d.reference,
        "payload_sha256": d.payload_sha256,
        "output_sha256": d.output_sha256,
        "template_version": d.template_version,
        "api_key_id": d.api_key_id,
        "job": d.job_id,
        "created_at": d.created_at,
        "payload": d.payload,
    }


@bp.post("/grants/quote")
@require("documents")
def grants_quote() -> Any:
    """The grant of one mobility, as ``docgen grants quote`` prints it."""
    data = json_body(None)
    quote_request = validate(QuoteRequest, data)
    quote = quote_grant(quote_request, current_app.config["RATES_DIR"])
    check_caps(db.session, quote)
    return quote_to_json(quote)


@bp.get("/rules/calls/<call_id>")
@require("documents")
def rules_explain(call_id: str) -> Any:
    """A call's rate table in words, as ``docgen rules explain --call ID --json`` prints it."""
    return explain_call(find_table(call_id, current_app.config["RATES_DIR"]))


@bp.post("/selection/rank")
@require("documents")
def selection_rank() -> Any:
    """Ranking, lists and deadlines, as ``docgen selection rank`` prints them."""
    return rank(db.session, json_body(None))
