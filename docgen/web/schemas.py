"""The API's request and response models: they validate requests and document the API.

The payload of each document kind is the kind's own domain model; the envelopes around
it are here. ``validate`` turns pydantic's errors into pointers into the request body.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from docgen.documents.kinds import KINDS, LANGS
from docgen.domain.common import allowed_text

KindId = Literal[tuple(KINDS)]  # type: ignore[valid-type]
Lang = Literal[tuple(LANGS)]  # type: ignore[valid-type]
Format = Literal["docx", "pdf"]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _allowed_text(cls, data: Any) -> Any:
        return allowed_text(cls, data)


class DocumentRequest(Envelope):
    """``POST /api/v1/documents``: one document of a kind, in a language and a format."""

    kind: KindId
    lang: Lang
    format: Format = "docx"
    data: dict[str, Any] = Field(description="The payload of the kind (see its schema)")


class BatchRequest(Envelope):
    """``POST /api/v1/documents/batch``: many documents of one kind, as one ZIP."""

    kind: KindId
    lang: Lang
    format: Format = "docx"
    items: list[dict[str, Any]] = Field(min_length=1)


class RecordPatch(Envelope):
    """``PATCH /api/v1/records/{id}``: corrections to values, and/or a review decision."""

    values: dict[str, Any] | None = Field(
        None,
        max_length=200,
        description="Field name -> corrected value, as it would be typed on the form "
        "(held to the field's type and bounds; a correction to an approved "
        "record takes it back to needs_review)",
    )
    status: Literal["approved", "rejected", "needs_review"] | None = None
    reason: str | None = Field(
        None, max_length=500, description="Why: kept in the audit trail with the change"
    )


class AssignRequest(Envelope):
    """``POST /api/v1/records/{id}/assign``: which form an unidentified scanned page is."""

    form: str = Field(min_length=1, max_length=64, description="A form id (GET /forms)")
    reference: str | None = Field(None, max_length=60, description="The document's reference")
    page: int = Field(1, ge=1, le=50, description="Which page of the form it is")


class PrefillRequest(Envelope):
    """``POST /api/v1/forms/{id}/prefill``: what the office already knows."""

    reference: str | None = Field(None, max_length=60)
    values: dict[str, Any]


class ProblemBody(BaseModel):
    """An error, as ``application/problem+json`` (the OpenAPI document calls it Problem)."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="What went wrong, as a stable code (e.g. not-found)")
    params: dict[str, Any] = Field(
        default_factory=dict, description="The values the code's message quotes"
    )
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        None, description="For invalid input: [{pointer, message, code, params}]"
    )


def documented_document_requests() -> list[type[BaseModel]]:
    """Per kind, the envelope with its real payload model: what the OpenAPI doc shows."""
    return [
        create_model(
            f"{''.join(p.title() for p in kind.id.split('_'))}DocumentRequest",
            __base__=Envelope,
            kind=(Literal[kind.id], ...),
            lang=(Lang, ...),
            format=(Format, "docx"),
            data=(kind.model, ...),
        )
        for kind in KINDS.values()
    ]


def documented_batch_requests() -> list[type[BaseModel]]:
    return [
        create_model(
            f"{''.join(p.title() for p in kind.id.split('_'))}BatchRequest",
            __base__=Envelope,
            kind=(Literal[kind.id], ...),
            lang=(Lang, ...),
            format=(Format, "docx"),
            items=(Annotated[list[kind.model], Field(min_length=1)], ...),  # type: ignore[name-defined]
        )
        for kind in KINDS.values()
    ]
