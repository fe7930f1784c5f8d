"""The registry's pages: partners listed, searched and filtered, one partner with its
agreements and history, its main fields edited (officers and admins), the list exported."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from docgen.domain.validation import validate
from docgen.errors import InvalidInput
from docgen.operations.registry import INSTITUTION_FIELDS, registry_table
from docgen.registry.models import AgreementType
from docgen.registry.models import Institution as InstitutionModel
from docgen.store import registry as store
from docgen.store.database import db
from docgen.web.ui import export
from docgen.web.ui.access import current_user, writer_required
from docgen.web.ui.base import bp
from docgen.web.ui.i18n import current_lang
from docgen.web.ui.labels import field_label, translate_message

PER_PAGE = 25
EDITABLE = INSTITUTION_FIELDS


def _filters() -> dict[str, str | None]:
    kind = request.args.get("type") or None
    return {
        "text": request.args.get("q") or None,
        "country": (request.args.get("country") or "").strip().upper()[:2] or None,
        "agreement_type": kind if kind in {t.value for t in AgreementType} else None,
    }


@bp.app_template_filter("label_of")
def label_of(key: str) -> str:
    """A registry field's name in the page's language."""
    return field_label(key, key)


@bp.get("/partners")
def partners() -> Any:
    return _list_page([])


def _list_page(import_errors: list[str]) -> Any:
    filters = _filters()
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    items, total = store.list_institutions(db.session, **filters, page=page, per_page=PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "partners.html",
        items=[(row, store.institution_model(row)) for row in items],
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        filters=filters,
        types=[t.value for t in AgreementType],
        args=args,
        q=request.args.get("q", ""),
        lang=current_lang(),
        import_errors=import_errors,
    ), (422 if import_errors else 200)


@bp.get("/partners/export.<fmt>")
def partners_export(fmt: str) -> Any:
    if fmt not in ("xlsx", "csv"):
        abort(404)
    columns, rows = registry_table(db.session, _filters())
    return export.table_response(fmt, "partners", columns, rows, title="institutions")


def _page(institution_id: int, values: dict[str, str] | None = None, errors=None, status=200):
    row = store.get_institution(db.session, institution_id)
    model = store.institution_model(row)
    agreements = [
        (a, store.agreement_model(a))
        for a in store.list_agreements(db.session, institution_id=row.id)
    ]
    shown = values or {k: getattr(model, k) or "" for k in EDITABLE}
    return (
        render_template(
            "partner.html",
            row=row,
            model=model,
            agreements=agreements,
            history=store.history(db.session, "institution", row.id),
            values=shown,
            errors=errors or {},
            editable=EDITABLE,
            lang=current_lang(),
        ),
        status,
    )


@bp.get("/partners/<int:institution_id>")
def partner(institution_id: int) -> Any:
    return _page(institution_id)


@bp.post("/partners/<int:institution_id>")
@writer_required
def edit_partner(institution_id: int) -> Any:
    row = store.get_institution(db.session, institution_id)
    values = {k: request.form.get(k, "").strip() for k in EDITABLE}
    data = {**row.data, **{k: v or None for k, v in values.items()}}
    try:
        model = validate(InstitutionModel, {k: v for k, v in data.items() if v is not None})
        store.update_institution(db.session, row, model, current_user())
    except InvalidInput as exc:
        db.session.rollback()
        errors = {
            p.pointer.lstrip("/").split("/")[0]: translate_message(p.message) for p in exc.problems
        }
        return _page(institution_id, values, errors, 422)
    db.session.commit()
    return redirect(url_for("ui.partner", institution_id=institution_id, saved=1))


@bp.post("/partners/import")
@writer_required
def import_ewp() -> Any:
    """An EWP file: an IIA is stored (and its partner's page shown); a learning agreement is
    handed back as its payload (JSON), to render or keep."""
    import json

    from flask import Response

    from docgen.operations.registry import import_agreement_iia, learning_agreement_payload
    from docgen.registry.ewp.xml import IIA_NS, MAX_BYTES, namespace, parse_xml

    upload = request.files.get("file")
    data = upload.read(MAX_BYTES + 1) if upload else b""
    try:
        if not data:
            raise InvalidInput.at("/file", _("choose an EWP XML file"))
        if len(data) > MAX_BYTES:
            raise InvalidInput.at("/file", _("the file is too large"))
        if namespace(parse_xml(data)) == IIA_NS:
            row = import_agreement_iia(db.session, data, current_user())
            db.session.commit()
            return redirect(url_for("ui.partner", institution_id=row.institution_id, saved=1))
        payload = learning_agreement_payload(db.session, data)
    except InvalidInput as exc:
        db.session.rollback()
        return _list_page([f"{p.pointer}: {translate_message(p.message)}" for p in exc.problems])
    body = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    response = Response(body, mimetype="application/json")
    name = f"learning_agreement-{payload.get('reference', 'ewp')}.json"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response
