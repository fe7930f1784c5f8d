"""API v1, registry: institutions and agreements, their history, IIAs in EWP XML.

Reading needs the scope ``records:read``, changing ``records:write`` (the registry is the
office's reference data, kept like its records).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request

from docgen.errors import InvalidInput, TooLarge, UnsupportedMedia
from docgen.operations.registry import (
    export_agreement_iia,
    fill_from_registry,
    import_agreement_iia,
    learning_agreement_payload,
    registry_table,
)
from docgen.registry.ewp.la_export import export_la
from docgen.registry.ewp.xml import MAX_BYTES
from docgen.registry.models import Agreement as AgreementModel
from docgen.registry.models import Institution as InstitutionModel
from docgen.store import registry as store
from docgen.store.database import db
from docgen.store.models import Agreement, Institution
from docgen.web.auth import current_key, require
from docgen.web.helpers import int_arg, json_body

bp = Blueprint("api_registry", __name__)
XML_TYPES = {"application/xml", "text/xml"}


def institution_json(row: Institution) -> dict[str, Any]:
    return {
        "id": row.id,
        "home": row.is_home,
        **row.data,
        "missing": store.institution_model(row).missing,
        "updated_at": row.updated_at,
    }


def agreement_json(row: Agreement) -> dict[str, Any]:
    return {
        "id": row.id,
        **row.data,
        "partner_id": row.institution_id,
        "missing": store.agreement_model(row).missing,
        "updated_at": row.updated_at,
    }


def _history(entity: str, entity_id: int) -> list[dict[str, Any]]:
    return [
        {
            "who": c.who,
            "at": c.at,
            "field": c.field,
            "old": (c.old or {}).get("value"),
            "new": (c.new or {}).get("value"),
        }
        for c in store.history(db.session, entity, entity_id)
    ]


@bp.get("/institutions")
@require("records:read")
def list_institutions() -> Any:
    """Institutions by country and name; filter by text, country and agreement type."""
    page = int_arg("page", 1, 1, 1_000_000)
    per_page = int_arg("per_page", 50, 1, 200)
    items, total = store.list_institutions(
        db.session,
        text=request.args.get("q") or None,
        country=request.args.get("country") or None,
        agreement_type=request.args.get("type") or None,
        page=page,
        per_page=per_page,
    )
    return {
        "items": [institution_json(r) for r in items],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def _stored(
    create: Callable[..., Any], model_type: type[Any], to_json: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """The request's body, validated as ``model_type``, stored by ``create`` and committed."""
    row = create(db.session, json_body(model_type), current_key())
    db.session.commit()
    return to_json(row)


def _replaced(
    row: Any,
    update: Callable[..., Any],
    model_type: type[Any],
    to_json: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """``row`` replaced by the request's body (validated as ``model_type``) and committed."""
    update(db.session, row, json_body(model_type), current_key())
    db.session.commit()
    return to_json(row)


@bp.post("/institutions")
@require("records:write")
def create_institution() -> Any:
    """Add an institution to the registry."""
    return _stored(store.create_institution, InstitutionModel, institution_json), 201


@bp.get("/institutions/<int:institution_id>")
@require("records:read")
def get_institution(institution_id: int) -> Any:
    """One institution with its agreements and its history."""
    row = store.get_institution(db.session, institution_id)
    body = institution_json(row)
    body["agreements"] = [
        agreement_json(a) for a in store.list_agreements(db.session, institution_id=row.id)
    ]
    body["history"] = _history("institution", row.id)
    return body


@bp.put("/institutions/<int:institution_id>")
@require("records:write")
def replace_institution(institution_id: int) -> Any:
    """Replace an institution's data; every changed field goes to its history."""
    return _replaced(
        store.get_institution(db.session, institution_id),
        store.update_institution,
        InstitutionModel,
        institution_json,
    )


@bp.post("/agreements")
@require("records:write")
def create_agreement() -> Any:
    """Add an agreement with a partner of the registry."""
    return _stored(store.create_agreement, AgreementModel, agreement_json), 201


@bp.get("/agreements/<int:agreement_id>")
@require("records:read")
def get_agreement(agreement_id: int) -> Any:
    """One agreement with its history."""
    row = store.get_agreement(db.session, agreement_id)
    return {**agreement_json(row), "history": _history("agreement", row.id)}


@bp.put("/agreements/<int:agreement_id>")
@require("records:write")
def replace_agreement(agreement_id: int) -> Any:
    """Replace an agreement's data; every changed field goes to its history."""
    return _replaced(
        store.get_agreement(db.session, agreement_id),
        store.update_agreement,
        AgreementModel,
        agreement_json,
    )


@bp.get("/agreements/<int:agreement_id>/iia.xml")
@require("records:read")
def agreement_iia(agreement_id: int) -> Response:
    """The agreement as an EWP iias-get-response (v7), valid against the schema."""
    data = export_agreement_iia(db.session, agreement_id)
    return Response(data, mimetype="application/xml")


def _xml_body() -> bytes:
    if request.mimetype not in XML_TYPES:
        raise UnsupportedMedia("send the document as application/xml")
    if (request.content_length or 0) > MAX_BYTES:
        raise TooLarge(f"the document is over {MAX_BYTES // (1024 * 1024)} MB")
    return request.get_data(cache=False)


@bp.post("/agreements/iia")
@require("records:write")
def import_iia() -> Any:
    """Store the IIA of an EWP iias-get-response document (application/xml)."""
    data = _xml_body()
    row = import_agreement_iia(db.session, data, current_key())
    db.session.commit()
    return agreement_json(row), 201


@bp.post("/learning-agreements/from-ewp")
@require("documents")
def learning_agreement_from_ewp() -> Any:
    """An EWP learning agreement (application/xml) as a learning_agreement payload."""
    data = _xml_body()
    warnings: list[str] = []
    payload = learning_agreement_payload(db.session, data, warnings)
    return {"payload": payload, "warnings": warnings}


@bp.post("/learning-agreements/to-ewp")
@require("documents")
def learning_agreement_to_ewp() -> Response:
    """A learning_agreement payload as an EWP omobility-las-get-response document."""
    payload = fill_from_registry(db.session, json_body(None))
    return Response(export_la(payload), mimetype="application/xml")


@bp.get("/institutions/export")
@require("records:read")
def export_institutions() -> Response:
    """Every institution matching the filters (as the list), as CSV or XLSX (``format``)."""
    from docgen.web.ui import export

    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput.at("/format", "must be csv or xlsx")
    filters = {
        "text": request.args.get("q") or None,
        "country": request.args.get("country") or None,
        "agreement_type": request.args.get("type") or None,
    }
    return export.table_response(fmt, "institutions", *registry_table(db.session, filters))
