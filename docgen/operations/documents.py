"""Generate and batch: documents rendered and the trace of each kept (kind, language,
payload, output, template).

These operations render and record; they flush and leave the commit to their caller.
``convert`` is whatever turns DOCX bytes into PDF bytes (the pool, or its service).
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from docgen.documents import batch
from docgen.documents.batch import Rendered, validate_rows
from docgen.documents.kinds import Kind, check_lang, file_name, get_kind
from docgen.documents.render import render_template, template_path
from docgen.documents.tabular import Row
from docgen.errors import InvalidInput
from docgen.store.models import Document

Converter = Callable[[bytes], bytes]
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass
class Generated:
    document: Document
    content: bytes
    filename: str
    media_type: str


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """The bytes a payload hashes to: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=64)
def _file_sha(path: str, _mtime_ns: int, _size: int) -> str:
    return sha256(Path(path).read_bytes())


def template_version(path: Path) -> str:
    """The SHA-256 of the template file used (cached until the file changes)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    return _file_sha(str(path), stat.st_mtime_ns, stat.st_size)


def check_format(fmt: str) -> str:
    if fmt not in MEDIA_TYPES:
        raise InvalidInput.at("/format", f"must be one of {', '.join(MEDIA_TYPES)}")
    return fmt


def validate_payload(kind: Kind, data: Any, where: str = "/data", rates_dir: str = "") -> BaseModel:
    """Validate ``data`` for ``kind``; the problems point into the request (``where``).

    ``rates_dir`` holds the extra rate tables (the RATES_DIR setting).
    """
    try:
        return kind.validate(data, rates_dir)
    except InvalidInput as exc:
        raise InvalidInput(p.at(where + p.pointer) for p in exc.problems) from exc


def render(
    kind: Kind,
    lang: str,
    fmt: str,
    payload: BaseModel,
    templates: Path,
    convert: Converter,
    rates_dir: str = "",
) -> tuple[bytes, str]:
    """Render one validated payload; return (content, template version)."""
    path = template_path(kind.id, lang, templates)
    docx = render_template(path, kind.context(payload, lang, rates_dir), lang)
    return (convert(docx) if fmt == "pdf" else docx), template_version(path)


def record_document(
    session: Session,
    kind: Kind,
    lang: str,
    fmt: str,
    payload: BaseModel,
    content: bytes | None,
    version: str,
    api_key_id: int | None,
    job_id: str | None = None,
    user_id: int | None = None,
    *,
    output_sha256: str | None = None,
) -> Document:
    """Record a generated document (its payload, and its file by SHA-256: ``content``, or
    ``output_sha256`` when the bytes are gone already)."""
    data = payload.model_dump(mode="json")
    document = Document(
        id=uuid.uuid4().hex,
        kind=kind.id,
        lang=lang,
        format=fmt,
        reference=str(kind.reference(payload))[:120],
        payload=data,
        payload_sha256=sha256(canonical_json(data)),
        output_sha256=output_sha256 or sha256(content or b""),
        template_version=version,
        api_key_id=api_key_id,
        user_id=user_id,
        job_id=job_id,
    )
    session.add(document)
    session.flush()
    return document


def stamp_document(
    content: bytes, fmt: str, kind: Kind, payload: BaseModel, version: str, key: bytes | None
) -> bytes:
    """Return a PDF with its page codes (kind, template version, reference), when keyed."""
    if fmt != "pdf" or key is None:
        return content
    from docgen.forms.pagecode import stamp_pdf

    reference = str(kind.reference(payload))[:60]
    return stamp_pdf(content, kind.id, version[:12], reference, key)


@dataclass
class Made:
    """A document rendered and not recorded: its kind, payload, bytes and template version."""

    kind: Kind
    payload: BaseModel
    content: bytes
    version: str
    filename: str
    media_type: str


def make_document(
    kind_id: str,
    lang: str,
    fmt: str,
    data: Any,
    *,
    templates: Path,
    convert: Converter,
    rates_dir: str = "",
    where: str = "/data",
    session: Session | None = None,
    page_key: bytes | None = None,
) -> Made:
    """Validate, render (and convert); the problems point into the request (``where``).

    With a ``session`` the registry takes part first: the payload is completed from it (the
    institutions named by code, the home institution left out) and a financial contract is
    refused when it takes more of its agreement than is left. ``rates_dir`` holds the extra
    rate tables (the RATES_DIR setting). With ``page_key`` every page of a PDF carries its
    page code (:mod:`docgen.forms.pagecode`).
    """
    from docgen.operations.registry import check_contracts, complete_payload

    kind = get_kind(kind_id)
    check_lang(lang)
    check_format(fmt)
    if session is not None:
        data = complete_payload(session, kind.id, data, tuple(where.split("/")[1:]))
    payload = validate_payload(kind, data, where, rates_dir)
    if session is not None and kind.id == "financial_contract":
        check_contracts(session, [payload], rates_dir or None, at=where)
    if session is not None:
        release(session)
    content, version = render(kind, lang, fmt, payload, templates, convert, rates_dir)
    content = stamp_document(content, fmt, kind, payload, version, page_key)
    return Made(
        kind, payload, content, version, file_name(kind, payload, lang, fmt), MEDIA_TYPES[fmt]
    )


def release(session: Session) -> None:
    """End the session's transaction before rendering and converting (seconds): on SQLite
    every transaction holds the database's write lock (``BEGIN IMMEDIATE``), on PostgreSQL
    a checked contract holds its agreement's row, and nobody else should wait for a
    conversion. What the checks found is checked again as the documents are recorded
    (:func:`recheck_caps`)."""
    session.commit()


def recheck_caps(
    session: Session,
    kind: Kind,
    payloads: Sequence[BaseModel],
    rates_dir: str,
    pointers: Sequence[str],
) -> None:
    """Check financial contracts against their agreements again, in the transaction that
    records them (the agreements locked until it commits): places taken by contracts
    recorded while these rendered are counted. ``pointers``: where each one was given."""
    if kind.id == "financial_contract" and payloads:
        from docgen.operations.registry import check_contracts

        check_contracts(session, payloads, rates_dir or None, pointers=pointers)


def generate_document(
    session: Session,
    kind_id: str,
    lang: str,
    fmt: str,
    data: Any,
    *,
    templates: Path,
    convert: Converter,
    rates_dir: str = "",
    api_key_id: int | None = None,
    user_id: int | None = None,
    page_key: bytes | None = None,
) -> Generated:
    """Complete from the registry, validate, check the caps, render (and convert), record;
    return the document and its bytes."""
    made = make_document(
        kind_id,
        lang,
        fmt,
        data,
        templates=templates,
        convert=convert,
        rates_dir=rates_dir,
        session=session,
        page_key=page_key,
    )
    recheck_caps(session, made.kind, [made.payload], rates_dir, ["/data"])
    document = record_document(
        session,
        made.kind,
        lang,
        fmt,
        made.payload,
        made.content,
        made.version,
        api_key_id,
        user_id=user_id,
    )
    return Generated(document, made.content, made.filename, made.media_type)


def validate_items(kind: Kind, items: Sequence[Any], rates_dir: str = "") -> list[BaseModel]:
    """Validate every item of a batch; one error listing the problems of all of them."""
    rows = [Row(index, f"/items/{index}", item) for index, item in enumerate(items)]
    payloads, report = validate_rows(kind.id, rows, rates_dir)
    if report.problems:
        raise InvalidInput(report.problems)
    return payloads


def write_zip(
    session: Session,
    kind: Kind,
    lang: str,
    fmt: str,
    payloads: Sequence[BaseModel],
    out: IO[bytes],
    *,
    templates: Path,
    convert: Converter,
    rates_dir: str = "",
    api_key_id: int | None = None,
    job_id: str | None = None,
    on_item: Callable[[int, str | None], None] | None = None,
    user_id: int | None = None,
    parallel: int = 1,
    page_key: bytes | None = None,
) -> list[dict[str, Any]]:
    """Render each payload into a ZIP written to ``out`` and record each document; return
    the per-item errors (the batch engine's ``report.errors``).

    Without ``on_item`` an error stops the batch (raised); with it, the error is reported
    for that item and the batch goes on. No transaction is held while the documents render
    (:func:`release`); they are recorded together at the end, financial contracts checked
    again against their agreements in that transaction.
    """
    version = template_version(template_path(kind.id, lang, templates))
    made: list[tuple[int, BaseModel, str, str]] = []

    def record(item: Rendered, ext: str, content: bytes) -> None:
        made.append((item.index, item.payload, ext, sha256(content)))

    release(session)

    report = batch.write_zip(
        kind.id,
        lang,
        payloads,
        out,
        fmt="pdf" if fmt == "pdf" else "docx",
        convert=convert,
        parallel=parallel,
        root=templates,
        rates_dir=rates_dir,
        keep_going=on_item is not None,
        on_item=on_item,
        on_file=record,
        finish=lambda item, ext, content: stamp_document(
            content, ext, kind, item.payload, version, page_key
        ),
    )
    once = {index: payload for index, payload, _ext, _sha in made}  # DOCX and PDF: one
    recheck_caps(session, kind, list(once.values()), rates_dir, [f"/items/{i}" for i in once])
    for _index, payload, ext, digest in made:
        record_document(
            session,
            kind,
            lang,
            ext,
            payload,
            None,
            version,
            api_key_id,
            job_id,
            user_id,
            output_sha256=digest,
        )
    return report.errors


def zip_bytes(*args: Any, **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    write_zip(args[0], args[1], args[2], args[3], args[4], buffer, **kwargs)
    return buffer.getvalue()
