"""The OpenAPI 3.1 document, built from the routes and the pydantic models that validate them.

Paths, methods, summaries and scopes come from the registered views (their docstrings and
``@require``); bodies come from the same models the views validate with. The page at
``/api/v1/docs`` renders the document on the server: it needs no script and no network.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from docgen import __version__
from docgen.domain.grant import QuoteRequest
from docgen.domain.learning_agreement import LearningAgreement
from docgen.domain.selection import SelectionInput
from docgen.errors import DocgenError
from docgen.registry.models import Agreement as RegistryAgreement
from docgen.registry.models import Institution as RegistryInstitution
from docgen.store.records import STATUSES
from docgen.web import schemas

bp = Blueprint("openapi", __name__, template_folder="templates")
PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# endpoint -> (media type, body models; several = oneOf discriminated by "kind")
BODIES: dict[str, tuple[str, list[type[BaseModel]]]] = {
    "api_documents.create_document": ("application/json", []),  # filled per kind below
    "api_documents.create_batch": ("application/json", []),
    "api_documents.grants_quote": ("application/json", [QuoteRequest]),
    "api_documents.selection_rank": ("application/json", [SelectionInput]),
    "api_records.form_prefill": ("application/json", [schemas.PrefillRequest]),
    "api_records.patch_record": ("application/json", [schemas.RecordPatch]),
    "api_records.assign": ("application/json", [schemas.AssignRequest]),
    "api_registry.create_institution": ("application/json", [RegistryInstitution]),
    "api_registry.replace_institution": ("application/json", [RegistryInstitution]),
    "api_registry.create_agreement": ("application/json", [RegistryAgreement]),
    "api_registry.replace_agreement": ("application/json", [RegistryAgreement]),
    "api_registry.import_iia": ("application/xml", []),
    "api_registry.learning_agreement_from_ewp": ("application/xml", []),
    "api_registry.learning_agreement_to_ewp": ("application/json", [LearningAgreement]),
}
RESPONSES: dict[str, dict[str, Any]] = {
    "api_documents.create_document": {
        "201": {
            "description": "The document (DOCX or PDF); its id in X-Document-Id",
            "headers": {"X-Document-Id": {"schema": {"type": "string"}}},
            "content": {"application/pdf": {}, DOCX: {}},
        }
    },
    "api_documents.create_batch": {
        "200": {"description": "A ZIP of the documents", "content": {"application/zip": {}}},
        "202": {"description": "A job: follow its url"},
    },
    "api_records.upload": {
        "200": {"description": "Every file was known: existing records"},
        "201": {
            "description": "One entry per file (a scanned stack's "
            "entry lists its records, one a document)"
        },
        "202": {
            "description": "Some files are still being read: their "
            "records are 'received'; follow their url"
        },
    },
    "api_records.reparse_record": {
        "200": {"description": "Read again: the record"},
        "202": {"description": "Being read: the record, 'received'"},
    },
    "api_records.patch_record": {
        "200": {
            "description": "The record with its audit trail when the key has records:read; "
            "else only {id, status, changed}"
        }
    },
    "api_records.get_upload": {
        "200": {
            "description": "The original file of a record, as an attachment (sandboxed)",
            "content": {"application/pdf": {}},
        }
    },
    "api_records.get_page_image": {
        "200": {
            "description": "An unidentified scanned page's image (PNG, sandboxed)",
            "content": {"image/png": {}},
        }
    },
    "api_records.assign": {
        "200": {
            "description": "The page read as the form: the record with its audit trail when the "
            "key has records:read; else only {id, status, changed}"
        }
    },
    "api_records.get_crop": {
        "200": {
            "description": "A scanned field's box as the original showed it (PNG, sandboxed)",
            "content": {"image/png": {}},
        }
    },
    "api_registry.agreement_iia": {
        "200": {"description": "The IIA", "content": {"application/xml": {}}},
    },
    "api_registry.create_institution": {"201": {"description": "The stored institution"}},
    "api_registry.export_institutions": {
        "200": {"description": "A table", "content": {"text/csv": {}, XLSX: {}}},
    },
    "api_registry.create_agreement": {"201": {"description": "The stored agreement"}},
    "api_registry.import_iia": {"201": {"description": "The stored agreement"}},
    "api_registry.learning_agreement_to_ewp": {
        "200": {"description": "The learning agreement", "content": {"application/xml": {}}},
    },
}
QUERIES = {
    "api_records.list_records": [
        {"name": "form", "in": "query", "schema": {"type": "string", "maxLength": 64}},
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
        {
            "name": "q",
            "in": "query",
            "description": "Text, accents ignored",
            "schema": {"type": "string", "maxLength": 200},
        },
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000000},
        },
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 200},
        },
    ],
    "api_registry.export_institutions": [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
        {"name": "country", "in": "query", "schema": {"type": "string", "maxLength": 2}},
        {"name": "type", "in": "query", "schema": {"type": "string", "maxLength": 16}},
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}},
    ],
    "api_registry.list_institutions": [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
        {"name": "country", "in": "query", "schema": {"type": "string", "maxLength": 2}},
        {"name": "type", "in": "query", "schema": {"type": "string", "maxLength": 16}},
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000000},
        },
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 200},
        },
    ],
}
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _problem_slugs() -> list[tuple[str, str, int]]:
    seen, out, stack = set(), [], [DocgenError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.slug not in seen:
            seen.add(cls.slug)
            out.append((cls.slug, cls.title, cls.status))
    return sorted(out)


def _bodies() -> dict[str, tuple[str, list[type[BaseModel]]]]:
    bodies = dict(BODIES)
    bodies["api_documents.create_document"] = (
        "application/json",
        schemas.documented_document_requests(),
    )
    bodies["api_documents.create_batch"] = ("application/json", schemas.documented_batch_requests())
    return bodies


def _body_schema(models: list[type[BaseModel]]) -> dict[str, Any]:
    refs = [{"$ref": REF.format(model=m.__name__)} for m in models]
    if len(refs) == 1:
        return refs[0]
    mapping = {
        m.model_fields["kind"].annotation.__args__[0]: REF.format(model=m.__name__) for m in models
    }
    return {"oneOf": refs, "discriminator": {"propertyName": "kind", "mapping": mapping}}


def build(app: Flask) -> dict[str, Any]:
    bodies = _bodies()
    models = {m for _, ms in bodies.values() for m in ms} | {schemas.ProblemBody}
    _, defs = models_json_schema(
        [(m, "validation") for m in sorted(models, key=str)], ref_template=REF
    )
    components = defs.get("$defs", {})
    components["Problem"] = components.pop("ProblemBody")
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX) or rule.endpoint.startswith(("openapi.", "static")):
            continue
        view = app.view_functions[rule.endpoint]
        scope = getattr(view, "docgen_scope", None)
        path = _CONVERTER.sub(r"{\2}", rule.rule[len(PREFIX) :])
        params = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1}
                if conv == "int"
                else {"type": "string", "maxLength": 100},
            }
            for conv, name in _CONVERTER.findall(rule.rule)
        ]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            doc = (view.__doc__ or "").strip().splitlines()
            operation: dict[str, Any] = {
                "operationId": rule.endpoint.split(".")[-1],
                "summary": doc[0] if doc else rule.endpoint,
                "parameters": params + QUERIES.get(rule.endpoint, []),
                "responses": dict(RESPONSES.get(rule.endpoint, {"200": {"description": "OK"}})),
            }
            if scope is not None:
                operation["security"] = [{"apiKey": [scope] if scope else []}]
                operation["description"] = (
                    f"Needs an API key with the scope `{scope}`."
                    if scope
                    else "Needs any valid API key."
                )
                for status in ("401", "403", "429"):
                    operation["responses"][status] = {"description": "Problem", "content": problem}
            for status in ("400", "404", "413", "415", "422", "503"):
                operation["responses"].setdefault(
                    status, {"description": "Problem", "content": problem}
                )
            if rule.endpoint in bodies:
                media, ms = bodies[rule.endpoint]
                operation["requestBody"] = {
                    "required": True,
                    "content": {media: {"schema": _body_schema(ms) if ms else {"type": "string"}}},
                }
            if rule.endpoint == "api_records.upload":
                operation["requestBody"] = {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {
                                        "type": "array",
                                        "minItems": 1,
                                        "items": {"type": "string", "format": "binary"},
                                    }
                                },
                            }
                        }
                    },
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "docgen API",
            "version": __version__,
            "description": "Documents and forms of the Erasmus+ office. Errors are "
            "application/problem+json.",
        },
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key made by `docgen apikeys create`",
                }
            },
        },
    }


def document() -> dict[str, Any]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.setdefault("docgen.openapi", {})
    if "doc" not in cache:
        cache["doc"] = build(app)
    return cache["doc"]


@bp.get(f"{PREFIX}/openapi.json")
def openapi_json() -> Any:
    """The OpenAPI 3.1 document of this API."""
    return document()


@bp.get(f"{PREFIX}/docs")
def docs() -> str:
    """The API's documentation page (no script, no network)."""
    return render_template("docs.html", doc=document(), problems=_problem_slugs())
