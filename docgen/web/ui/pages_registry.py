"""The registry's pages: partners listed, searched and filtered, one partner with its
agreements and history, its main fields, its contacts and its agreements edited (officers
and admins; validated, every change in the history), the list exported."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import Field

from docgen.domain.common import Model
from docgen.domain.validation import validate
from docgen.errors import InvalidInput
from docgen.operations.registry import INSTITUTION_FIELDS, registry_table
from docgen.registry.models import Agreement as AgreementModel
from docgen.registry.models import AgreementType, Contact
from docgen.registry.models import Institution as InstitutionModel
from docgen.store import registry as store
from docgen.store.database import db
from docgen.web.ui import export, schemaform
from docgen.web.ui.access import current_user, writer_required
from docgen.web.ui.base import bp
from docgen.web.ui.i18n import current_lang
from docgen.web.ui.labels import field_label
from docgen.web.ui.messages import problem_text

PER_PAGE = 25
EDITABLE = INSTITUTION_FIELDS


class Contacts(Model):
    """The contacts' part of an institution, as its page edits them."""

    contacts: list[Contact] = Field(default_factory=list, max_length=200)


AGREEMENT_SKIP = frozenset({"partner_id"})


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


def _page(
    institution_id: int,
    values: dict[str, str] | None = None,
    errors=None,
    status=200,
    contacts: dict[str, str] | None = None,
    contact_errors: dict[str, list[str]] | None = None,
):
    row = store.get_institution(db.session, institution_id)
    model = store.institution_model(row)
    agreements = [
        (a, store.agreement_model(a))
        for a in store.list_agreements(db.session, institution_id=row.id)
    ]
    shown = values or {k: getattr(model, k) or "" for k in EDITABLE}
    contact_values = (
        contacts
        or schemaform.values_of(
            {"contacts": [c.model_dump(mode="json", exclude_none=True) for c in model.contacts]}
        )
        or {"contacts.0.name": ""}
    )  # no contact yet: one empty row to start from
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
            contacts_tree=schemaform.build_form(Contacts, contact_values),
            contact_values=contact_values,
            contact_errors=contact_errors or {},
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
        errors = {p.pointer.lstrip("/").split("/")[0]: problem_text(p) for p in exc.problems}
        return _page(institution_id, values, errors, 422)
    db.session.commit()
    return redirect(url_for("ui.partner", institution_id=institution_id, saved=1))


def _form_errors(exc: InvalidInput) -> dict[str, list[str]]:
    return schemaform.errors_by_field(exc.problems)


@bp.post("/partners/<int:institution_id>/contacts")
@writer_required
def edit_contacts(institution_id: int) -> Any:
    """The institution's contacts, all at once (rows added, changed, removed)."""
    row = store.get_institution(db.session, institution_id)
    tree = schemaform.build_form(Contacts, request.form)
    raw: dict[str, str] = {}
    try:
        data, raw = schemaform.read_form(request.form, tree)
        contacts = data.get("contacts") or []
        validate(Contacts, {"contacts": contacts})
        model = validate(InstitutionModel, {**row.data, "contacts": contacts})
        store.update_institution(db.session, row, model, current_user())
    except InvalidInput as exc:
        db.session.rollback()
        return _page(
            institution_id,
            status=422,
            contacts=raw or dict(request.form),
            contact_errors=_form_errors(exc),
        )
    db.session.commit()
    return redirect(url_for("ui.partner", institution_id=institution_id, saved=1) + "#h-contacts")


def _agreement_page(
    institution_id: int,
    agreement_id: int | None,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Any:
    institution = store.get_institution(db.session, institution_id)
    row = None
    if agreement_id is not None:
        row = store.get_agreement(db.session, agreement_id)
        if row.institution_id != institution.id:
            abort(404)
    if values is None:
        values = (
            schemaform.values_of({k: v for k, v in row.data.items() if k not in AGREEMENT_SKIP})
            if row is not None
            else schemaform.defaults(AgreementModel)
        )
    return (
        render_template(
            "agreement.html",
            institution=institution,
            model=store.institution_model(institution),
            row=row,
            tree=schemaform.build_form(AgreementModel, values, AGREEMENT_SKIP),
            values=values,
            errors=errors or {},
            history=store.history(db.session, "agreement", row.id) if row is not None else [],
            lang=current_lang(),
        ),
        status,
    )


@bp.get("/partners/<int:institution_id>/agreements/new")
def new_agreement(institution_id: int) -> Any:
    return _agreement_page(institution_id, None)


@bp.get("/partners/<int:institution_id>/agreements/<int:agreement_id>")
def agreement(institution_id: int, agreement_id: int) -> Any:
    return _agreement_page(institution_id, agreement_id)


@bp.post("/partners/<int:institution_id>/agreements/new")
@bp.post("/partners/<int:institution_id>/agreements/<int:agreement_id>")
@writer_required
def save_agreement(institution_id: int, agreement_id: int | None = None) -> Any:
    """A new agreement with this partner, or one of its agreements changed: validated, and
    each changed field in the agreement's history."""
    institution = store.get_institution(db.session, institution_id)
    row = store.get_agreement(db.session, agreement_id) if agreement_id is not None else None
    if row is not None and row.institution_id != institution.id:
        abort(404)
    tree = schemaform.build_form(AgreementModel, request.form, AGREEMENT_SKIP)
    raw: dict[str, str] = {}
    try:
        data, raw = schemaform.read_form(request.form, tree)
        model = validate(AgreementModel, {**data, "partner_id": institution.id})
        if row is None:
            row = store.create_agreement(db.session, model, current_user())
        else:
            store.update_agreement(db.session, row, model, current_user())
    except InvalidInput as exc:
        db.session.rollback()
        return _agreement_page(
            institution_id, agreement_id, raw or dict(request.form), _form_errors(exc), 422
        )
    db.session.commit()
    return redirect(
        url_for("ui.agreement", institution_id=institution_id, agreement_id=row.id, saved=1)
    )


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
        return _list_page([f"{p.pointer}: {problem_text(p)}" for p in exc.problems])
    body = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    response = Response(body, mimetype="application/json")
    name = f"learning_agreement-{payload.get('reference', 'ewp')}.json"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response
