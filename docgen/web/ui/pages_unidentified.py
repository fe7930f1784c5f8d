"""An unidentified record's page (a scanned page without a readable code): its image, and
the officers' form to say which form and reference it is (docgen.operations.unidentified)."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from docgen.errors import InvalidInput, Problem
from docgen.store import records as ops
from docgen.store.database import db
from docgen.store.models import Record
from docgen.web.ui.access import current_user, writer_required
from docgen.web.ui.base import bp
from docgen.web.ui.messages import problem_text


def unidentified_note(record: Record) -> str:
    """What an upload's outcome adds for the file's pages without a readable code."""
    if record.method != "scan":
        return ""
    count = sum(1 for r in ops.parts_of(db.session, record) if r.status == "unidentified")
    if not count:
        return ""
    return "; " + ngettext(
        "%(num)s page without a readable code: open the record to assign it",
        "%(num)s pages without a readable code: open the record to assign them",
        count,
    )


def assign_text(problem: Problem) -> str:
    """Why an assignment was refused, in the page's language."""
    if problem.code == "not_unidentified":
        return _("only a page without a readable code can be assigned")
    if problem.code == "unknown_form":
        return _("choose one of the forms in the list")
    if problem.code == "page_out_of_range":
        return _("this form has %(num)s page(s)", num=problem.params.get("pages", "?"))
    if problem.code == "page_unreadable":
        return _("the page cannot be read as this form: its corner marks were not found")
    return problem_text(problem)


@bp.get("/records/<int:record_id>/page.png")
def record_page_image(record_id: int) -> Any:
    """The page's image, shown in the record page (readers of the record only)."""
    from docgen.web.api_unidentified import page_image_response

    return page_image_response(ops.get_record(db.session, record_id))


@bp.post("/records/<int:record_id>/assign")
@writer_required
def assign_record(record_id: int) -> Any:
    from docgen.web.api_unidentified import assign_record as assign
    from docgen.web.ui.pages_records import _record_page

    item = ops.get_record(db.session, record_id)
    form = request.form.get("form", "").strip()[:64]
    reference = request.form.get("reference", "").strip()[:60]
    try:
        page = int(request.form.get("page", "1") or 1)
    except ValueError:
        page = 0
    try:
        item = assign(item, form, reference, page, current_user())
    except InvalidInput as exc:
        db.session.rollback()
        item = ops.get_record(db.session, record_id)
        errors = {"assign." + p.pointer.strip("/"): assign_text(p) for p in exc.problems}
        typed = {"assign.form": form, "assign.reference": reference, "assign.page": str(page)}
        return _record_page(item, errors, typed, status=422)
    return redirect(url_for("ui.record", record_id=item.id, saved="assign"))
