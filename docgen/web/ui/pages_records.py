"""Forms to hand out, returned forms uploaded, records: search, review, approve, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from docgen.errors import InvalidInput, NotFound, TooLarge
from docgen.operations import records as record_ops
from docgen.operations.forms import blank_form, form_specs, prefilled_form
from docgen.store import records as ops
from docgen.store.database import db
from docgen.store.models import Record
from docgen.web import uploads
from docgen.web.headers import send_untrusted
from docgen.web.settings import current_settings
from docgen.web.ui import export
from docgen.web.ui.access import current_user, writer_required
from docgen.web.ui.base import bp, download, problems_text, status_label
from docgen.web.ui.i18n import current_lang
from docgen.web.ui.labels import issue_text
from docgen.web.ui.messages import problem_text

PER_PAGE = 25
MAX_PAGE = 1_000_000  # past it an offset overflows the database's integers
REVIEW_ACTIONS = {
    "save": None,
    "approve": "approved",
    "reject": "rejected",
    "reopen": "needs_review",
}


def _forms_dir() -> Path:
    return current_settings().FORMS_DIR


def _specs() -> dict[str, Any]:
    return form_specs(_forms_dir())


def _spec_of(form_id: str) -> Any:
    return _specs().get(form_id)


@bp.get("/forms")
def forms() -> Any:
    return render_template(
        "forms.html",
        specs=list(_specs().values()),
        lang=current_lang(),
        errors={},
        values={},
        chosen=None,
    )


@bp.get("/forms/<form_id>.pdf")
def form_pdf(form_id: str) -> Any:
    spec = _spec_of(form_id) or abort(404)
    form = blank_form(_forms_dir(), spec.id, current_app.config["SECRET_KEY"])
    return download(form.content, form.filename, "application/pdf")


@bp.post("/forms/<form_id>/prefill")
def form_prefill(form_id: str) -> Any:
    spec = _spec_of(form_id) or abort(404)
    reference = request.form.get("reference", "").strip()
    values = {
        f.name: request.form.get(f.name, "").strip()
        for f in spec.fields
        if f.prefill and request.form.get(f.name, "").strip()
    }
    try:
        form = prefilled_form(
            _forms_dir(),
            spec.id,
            {"reference": reference or None, "values": values},
            current_app.config["SECRET_KEY"],
            db.session,
        )
    except InvalidInput as exc:
        errors = {p.pointer.rsplit("/", 1)[-1]: problem_text(p) for p in exc.problems}
        return render_template(
            "forms.html",
            specs=list(_specs().values()),
            lang=current_lang(),
            errors=errors,
            chosen=spec.id,
            values={**values, "reference": reference},
        ), 422
    return download(form.content, form.filename, "application/pdf")


# --- uploads -------------------------------------------------------------------------------


def _outcome(record: Record, created: bool) -> dict[str, Any]:
    """One line per file, in plain words."""
    if record.status == "received":
        text, tone = _("kept; still being read: open the record in a moment"), "warn"
    elif record.status == "error":
        message = (record.error or {}).get("message", "")
        text = _("could not be read: %(reason)s", reason=message)
        tone = "bad"
    elif record.status == "unrecognized":
        text, tone = _("not one of our forms (unrecognised)"), "bad"
    elif record.status == "needs_review":
        count = len((record.issues or {}).get("items", []))
        text = ngettext(
            "read; needs review (%(num)s issue)", "read; needs review (%(num)s issues)", count
        )
        tone = "warn"
    else:
        text, tone = _("read; the record is %(status)s", status=status_label(record.status)), "good"
    if not created:
        text = _("already uploaded before: ") + text
    from docgen.web.ui.pages_unidentified import unidentified_note

    note = unidentified_note(record)
    if note:
        text, tone = text + note, "warn"
    return {
        "filename": record.filename,
        "text": text,
        "tone": tone,
        "url": url_for("ui.record", record_id=record.id),
    }


@bp.get("/uploads")
def uploads_page() -> Any:
    return render_template("uploads.html", results=None)


@bp.post("/uploads")
@writer_required
def upload_forms() -> Any:
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        return render_template("uploads.html", results=[], none=True), 422
    results = []
    limit = int(current_app.config["PARSE_MAX_MB"])
    for storage in files:
        name = uploads.upload_name(storage)
        if not uploads.looks_like_pdf(storage):
            results.append(
                {
                    "filename": name,
                    "tone": "bad",
                    "url": None,
                    "text": _("not a PDF file: nothing was kept"),
                }
            )
            continue
        try:
            record, created = uploads.receive(storage, current_user())
        except TooLarge:
            results.append(
                {
                    "filename": name,
                    "tone": "bad",
                    "url": None,
                    "text": _("larger than %(mb)s MB: nothing was kept", mb=limit),
                }
            )
            continue
        results.append((record, created))
    uploads.settle([item[0] for item in results if isinstance(item, tuple)])
    results = [_outcome(*item) if isinstance(item, tuple) else item for item in results]
    return render_template("uploads.html", results=results)


# --- records -------------------------------------------------------------------------------


def _filters() -> dict[str, Any]:
    status = request.args.get("status") or None
    return {
        "form": request.args.get("form") or None,
        "status": status if status in ops.STATUSES else None,
        "text": (request.args.get("q") or "").strip() or None,
    }


@bp.get("/records")
def records() -> Any:
    filters = _filters()
    try:
        page = min(max(1, int(request.args.get("page", 1))), MAX_PAGE)
    except ValueError:
        page = 1
    items, total = ops.list_records(db.session, **filters, page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "records.html",
        items=items,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        statuses=ops.STATUSES,
        args=args,
        q=request.args.get("q", ""),
        specs=_specs(),
        lang=current_lang(),
    )


@bp.get("/records/export.<fmt>")
def records_export(fmt: str) -> Any:
    if fmt not in ("xlsx", "csv"):
        abort(404)
    found = ops.all_records(db.session, **_filters())
    header, rows = export.table(found, _specs(), current_lang(), status_label)
    content = export.xlsx(header, rows) if fmt == "xlsx" else export.csv_bytes(header, rows)
    return download(content, f"records.{fmt}", export.MEDIA_TYPES[fmt])


def _record_page(
    record: Record,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    spec = _spec_of(record.form) if record.form else None
    issues: dict[str, list[str]] = {}
    general: list[str] = []
    for issue in (record.issues or {}).get("items", []):
        target = issues.setdefault(issue["field"], []) if issue.get("field") else general
        target.append(issue_text(issue, current_lang()))
    return render_template(
        "record.html",
        record=record,
        spec=spec,
        lang=current_lang(),
        issues=issues,
        general=general,
        errors=errors or {},
        typed=typed or {},
        changes=ops.changes_of(db.session, record),
        text=export.text,
        reviewable=record.status in ops.REVIEWABLE,
        reason_text=reason_text,
        scan_fields=(record.scan or {}).get("fields") or {},
        parts=ops.parts_of(db.session, record) if record.method == "scan" else [],
        forms=_specs() if record.status == "unidentified" else {},
    ), status


def reason_text(reason: str | None) -> str:
    """The reason of an audited change, the automatic ones in the page's language."""
    if not reason:
        return ""
    if reason.startswith(record_ops.AFTER_APPROVAL):
        return _("corrected after approval") + reason[len(record_ops.AFTER_APPROVAL) :]
    return reason


@bp.get("/records/<int:record_id>")
def record(record_id: int) -> Any:
    return _record_page(ops.get_record(db.session, record_id))


@bp.get("/records/<int:record_id>/crops/<field>.png")
def record_crop(record_id: int, field: str) -> Any:
    """A scanned field's crop of the original, shown beside the value read."""
    from docgen.web.api_records import crop_response

    return crop_response(ops.get_record(db.session, record_id), field)


@bp.get("/records/<int:record_id>/original.pdf")
def record_pdf(record_id: int) -> Any:
    item = ops.get_record(db.session, record_id)
    blobs = current_app.extensions["docgen.blobs"]
    try:
        fp = blobs.open(item.sha256)
    except (FileNotFoundError, NotFound):
        abort(404)
    # Never shown inline on our origin: a PDF may carry JavaScript (see headers.py).
    name = uploads.file_name(item.filename, "form.pdf")
    return send_untrusted(fp, uploads.served_type(fp), name, item.sha256)


@bp.post("/records/<int:record_id>/parse")
@writer_required
def reparse_record(record_id: int) -> Any:
    """Read the file of a record in error (or left unread) again."""
    item = ops.get_record(db.session, record_id)
    try:
        uploads.reparse(item, current_user())
    except InvalidInput as exc:
        return _record_page(item, {"": " ".join(problems_text(exc))}, status=422)
    uploads.settle([item])
    return redirect(url_for("ui.record", record_id=item.id))


@bp.post("/records/<int:record_id>")
@writer_required
def review_record(record_id: int) -> Any:
    item = ops.get_record(db.session, record_id)
    action = request.form.get("_action", "save")
    if action not in REVIEW_ACTIONS:
        abort(400)
    # The last value of a name: a checkbox follows its hidden "false".
    typed = {
        k[len("values.") :]: v[-1].strip()
        for k, v in request.form.lists()
        if k.startswith("values.")
    }
    current = item.values or {}
    corrections = {k: v for k, v in typed.items() if export.text(current.get(k)) != v}
    changes: dict[str, Any] = {}
    if corrections:
        changes["values"] = corrections
    if REVIEW_ACTIONS[action]:
        changes["status"] = REVIEW_ACTIONS[action]
    reason = request.form.get("_reason", "").strip()
    if reason:
        changes["reason"] = reason[:500]
    try:
        record_ops.update_record(
            db.session, item, changes, current_user(), _spec_of, uploads.grant_of
        )
    except InvalidInput as exc:
        db.session.rollback()
        item = ops.get_record(db.session, record_id)
        errors = {
            p.pointer.rsplit("/", 1)[-1]: problem_text(p)
            for p in exc.problems
            if p.pointer.startswith("/values/")
        }
        general = [
            m
            for p, m in zip(exc.problems, problems_text(exc), strict=True)
            if not p.pointer.startswith("/values/")
        ]
        errors.update({"": " ".join(general)} if general else {})
        return _record_page(item, errors, typed, status=422)
    return redirect(url_for("ui.record", record_id=item.id, saved=action))
