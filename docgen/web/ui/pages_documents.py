"""New document (a form generated from the kind's model) and batches from a spreadsheet."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _

from docgen.convert.app import convert
from docgen.documents.batch import validate_rows
from docgen.documents.kinds import KINDS, LANGS, get_kind
from docgen.documents.tabular import batch_template
from docgen.errors import DocgenError, InvalidInput, MalformedInput, NotFound, RateLimited
from docgen.forms.pagecode import page_key
from docgen.operations import documents as ops
from docgen.operations.batch import job_status, job_zip
from docgen.operations.registry import ContractCaps, check_contracts, complete_payload
from docgen.rules.grants import quote_grant, quote_to_json
from docgen.store.database import db
from docgen.web import jobs, parsing
from docgen.web.settings import current_settings
from docgen.web.ui import schemaform
from docgen.web.ui.access import current_user, writer_required
from docgen.web.ui.base import XLSX, bp, download, problems_text, wants_json
from docgen.web.ui.i18n import current_lang
from docgen.web.ui.messages import problem_text

FORMATS = ("docx", "pdf")


def kind_choices() -> list[tuple[str, str]]:
    lang = current_lang()
    return [(k.id, k.title[lang]) for k in KINDS.values()]


def sample(kind_id: str) -> dict[str, Any] | None:
    path = current_settings().SAMPLES_DIR / f"{kind_id}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _pick(name: str, allowed: tuple[str, ...] | list[str], default: str) -> str:
    # Forms send their controls as "_kind", "_lang"... (apart from the payload's fields).
    value = request.values.get(f"_{name}") or request.values.get(name) or default
    if value not in allowed:
        abort(404)
    return value


def grant_of(payload: Any) -> dict[str, Any]:
    return quote_to_json(quote_grant(payload.quote_request(), current_app.config["RATES_DIR"]))


def _form_page(
    kind_id: str,
    lang: str,
    values: dict[str, str],
    errors: dict[str, list[str]],
    grant: dict[str, Any] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    kind = get_kind(kind_id)
    tree = schemaform.build_form(kind.model, values)
    return render_template(
        "document_new.html",
        kinds=kind_choices(),
        kind=kind_id,
        doc_lang=lang,
        langs=LANGS,
        tree=tree,
        values=values,
        errors=errors,
        grant=grant,
        has_example=sample(kind_id) is not None,
    ), status


@bp.get("/documents/new")
def new_document() -> Any:
    kind = _pick("kind", list(KINDS), "certificate_of_attendance")
    lang = _pick("lang", LANGS, current_lang())
    return _form_page(kind, lang, schemaform.defaults(get_kind(kind).model), {})


@bp.post("/documents/new")
@writer_required
def create_document() -> Any:
    kind_id = _pick("kind", list(KINDS), "certificate_of_attendance")
    lang = _pick("lang", LANGS, current_lang())
    kind = get_kind(kind_id)
    action = request.form.get("_action", "docx")
    if action == "example":
        example = sample(kind_id) or {}
        return _form_page(kind_id, lang, schemaform.values_of(example), {})
    tree = schemaform.build_form(kind.model, request.form)
    try:
        data, raw = schemaform.read_form(request.form, tree)
    except InvalidInput as exc:
        return _form_page(kind_id, lang, dict(request.form), _errors(exc), status=422)
    try:
        if action == "grant" and kind_id == "financial_contract":
            payload = ops.validate_payload(
                kind,
                complete_payload(db.session, kind_id, data, ("data",)),
                rates_dir=current_settings().rates_dir,
            )
            check_contracts(db.session, [payload])  # what is left on its agreement
            return _form_page(kind_id, lang, raw, {}, grant=grant_of(payload))
        fmt = action if action in FORMATS else "docx"
        return generate_for_user(kind_id, lang, fmt, data)
    except InvalidInput as exc:
        return _form_page(kind_id, lang, raw, _errors(exc), status=422)


def generate_for_user(kind_id: str, lang: str, fmt: str, data: Any) -> Any:
    """Generate one document as the signed-in user and hand it over."""
    generated = ops.generate_document(
        db.session,
        kind_id,
        lang,
        fmt,
        data,
        templates=current_settings().TEMPLATES_DIR,
        rates_dir=current_settings().rates_dir,
        convert=convert,
        user_id=current_user().id,
        page_key=page_key(current_app.config["SECRET_KEY"]),
    )
    return download(generated.content, generated.filename, generated.media_type)


def _errors(exc: InvalidInput) -> dict[str, list[str]]:
    return schemaform.errors_by_field(exc.problems, prefix="/data")


# --- batches -------------------------------------------------------------------------------


@bp.get("/batch")
def batch() -> Any:
    kind = _pick("kind", list(KINDS), "certificate_of_attendance")
    lang = _pick("lang", LANGS, current_lang())
    return render_template(
        "batch.html",
        kinds=kind_choices(),
        kind=kind,
        doc_lang=lang,
        langs=LANGS,
        problems=None,
        job=None,
        rows=0,
        valid=0,
    )


@bp.get("/batch/template/<kind>.xlsx")
def batch_template_file(kind: str) -> Any:
    spec = get_kind(kind)
    example = sample(kind)
    if example is None:
        abort(404)
    return download(batch_template(example, kind), f"{spec.id}.xlsx", XLSX)


@bp.post("/batch")
@writer_required
def batch_upload() -> Any:
    kind = _pick("kind", list(KINDS), "certificate_of_attendance")
    lang = _pick("lang", LANGS, current_lang())
    fmt = _pick("format", FORMATS, "docx")
    upload = request.files.get("file")
    context = {
        "kinds": kind_choices(),
        "kind": kind,
        "doc_lang": lang,
        "langs": LANGS,
        "job": None,
        "rows": 0,
        "valid": 0,
        "problems": [],
    }
    if upload is None or not upload.filename:
        context["problems"] = [_("Choose an XLSX or CSV file to upload.")]
        return render_template("batch.html", **context), 422
    try:
        rows = parsing.read_batch(upload.read(), upload.filename)
        if not rows:
            raise MalformedInput.at("", _("the file holds no rows"))
    except DocgenError as exc:
        context["problems"] = problems_text(exc)
        return render_template("batch.html", **context), 422
    caps = ContractCaps(db.session) if kind == "financial_contract" else None
    payloads, report = validate_rows(
        kind,
        rows,
        current_settings().rates_dir,
        fill=lambda data: complete_payload(db.session, kind, data),
        check=caps.check if caps else None,
    )
    context.update(
        rows=len(rows),
        valid=len(payloads),
        problems=None,
        row_problems=[(_where(p.pointer), problem_text(p)) for p in report.problems],
    )
    if payloads:
        items = [p.model_dump(mode="json") for p in payloads]
        try:
            context["job"] = jobs.submit(
                db.session, kind, lang, fmt, items, None, current_user().id
            )
        except RateLimited:
            context["problems"] = [
                _(
                    "You already have as many batches waiting as allowed, "
                    "or too many rows waiting: wait until they are done."
                )
            ]
            return render_template("batch.html", **context), 429
    return render_template("batch.html", **context), 200 if payloads else 422


def _where(where: str) -> str:
    """``row 7, column participant.cnp`` in the page's language."""
    match = re.fullmatch(r"row (\d+)(?:, column (.+))?", where)
    if match is None:
        return where
    row, column = match.groups()
    return (
        _("row %(row)s, column %(column)s", row=row, column=column)
        if column
        else _("row %(row)s", row=row)
    )


def _job_state(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        **job_status(job),
        "zip": url_for("ui.batch_zip", job_id=job.id) if job.result_sha256 else None,
    }


@bp.get("/batch/jobs/<job_id>")
def batch_job(job_id: str) -> Any:
    job = jobs.get(db.session, job_id)
    if wants_json():
        return _job_state(job)
    return render_template(
        "batch.html",
        kinds=kind_choices(),
        kind=job.kind,
        doc_lang=job.lang,
        langs=LANGS,
        problems=None,
        job=job,
        rows=job.total,
        valid=job.total,
    )


@bp.get("/batch/jobs/<job_id>/result.zip")
def batch_zip(job_id: str) -> Any:
    job = jobs.get(db.session, job_id)
    try:
        result = job_zip(current_app.extensions["docgen.blobs"], job)
    except NotFound:
        abort(404)
    return send_file(
        result.stream,
        mimetype=result.media_type,
        as_attachment=True,
        download_name=result.filename,
        max_age=0,
    )
