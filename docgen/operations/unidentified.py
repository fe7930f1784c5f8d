"""Unidentified records: scanned pages without a readable page code, assigned by hand.

A page of an upload whose QR is missing (torn off, smudged, cut by the copier) cannot be
tied to a form nor a reference. Each such page becomes a record of its own, status
``unidentified``, of the same file as the stack's other records (``records.part``, after
the identified documents), keeping a PNG of the page that the parser's worker encoded
(``record.scan["page_image"]``: its SHA-256 in the blob store, as the field crops) and the
page's place in the file (``record.scan["page_index"]``). A page with a forged or foreign
code is refused, as before: it is listed in the parser's answer, never made a record.

An officer (or an API key with ``records:write``) assigns such a record: a form id and a
reference (and which page of the form it is, 1 by default). The page is read again from
the original file by the parser's worker as that form (:mod:`docgen.forms.assign`) and the
record becomes a normal scanned record (fields, confidences, review flags), each change
audited: the form, the reference and the status, with who and when.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docgen.errors import Busy, InvalidInput
from docgen.operations.records import audit
from docgen.store.models import Blob, Record, utcnow

STATUS = "unidentified"
PNG = b"\x89PNG\r\n\x1a\n"
ASSIGNED = "assigned by hand: the page carries no readable page code"
# (data, form, reference, page index in the file, page of the form) -> the worker's answer
Reader = Callable[[bytes, str, str, int, int], dict[str, Any]]
Grant = Callable[[Record], "dict[str, Any] | None"]
PutBlob = Callable[[bytes], str]


def _page_answer(page: Mapping[str, Any]) -> dict[str, Any]:
    index = int(page["index"])
    return {
        "form": None,
        "version": None,
        "status": STATUS,
        "method": "scan",
        "reference": None,
        "values": {},
        "issues": [
            {
                "field": "",
                "code": "page_unidentified",
                "message": f"page {index} of the file carries no readable page code: "
                "assign it to a form by hand",
            }
        ],
        "signatures": [],
        "fields": {},
        "pages": [{"index": index}],
        "page_image": page.get("image") or "",
    }


def split(answer: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A scan's answer as the answers of its records: the file's first record (part 0) and
    the others (parts 1, 2...), the identified documents first, then one per page without
    a code. A file with no identified document at all starts with its first such page."""
    documents = list(answer.get("documents") or [])
    pages = [
        _page_answer(u)
        for u in answer.get("unidentified") or []
        if isinstance(u, dict) and u.get("reason") == "no_code" and isinstance(u.get("index"), int)
    ]
    if documents:
        return answer, documents[1:] + pages
    if pages:
        return pages[0], pages[1:]
    return answer, []


def _keep_png(session: Session, put_blob: PutBlob, png: bytes) -> str:
    sha = put_blob(png)
    if session.get(Blob, sha) is None:
        try:
            with session.begin_nested():
                session.add(Blob(sha256=sha, size=len(png), media_type="image/png"))
        except IntegrityError:
            pass  # stored by another request at the same moment
    return sha


def page_scan(
    session: Session, answer: Mapping[str, Any], put_blob: PutBlob | None
) -> dict[str, Any] | None:
    """What an unidentified record keeps of its page (``record.scan``), or None when the
    answer is not one. Only a PNG (the worker's) is kept, never other bytes."""
    if answer.get("status") != STATUS:
        return None
    pages = answer.get("pages") or [{}]
    kept: dict[str, Any] = {"page_index": pages[0].get("index")}
    encoded = answer.get("page_image")
    if put_blob is not None and isinstance(encoded, str) and encoded:
        try:
            png = base64.b64decode(encoded, validate=True)
        except ValueError:
            png = b""
        if png.startswith(PNG):
            kept["page_image"] = _keep_png(session, put_blob, png)
    return kept


def page_image(record: Record) -> str | None:
    """The SHA-256 of an unidentified (or assigned) record's page image, or None."""
    sha = (record.scan or {}).get("page_image")
    return sha if isinstance(sha, str) and sha else None


def check_assignment(
    record: Record, form: str, page: int, spec_of: Callable[[str], Any], forms: list[str]
) -> Any:
    """The spec to read the record with; 422 naming the field at fault."""
    if record.status != STATUS:
        raise InvalidInput.at(
            "/status",
            f"record {record.id} is {record.status!r}: only an unidentified record "
            "(a scanned page without a readable code) can be assigned",
            "not_unidentified",
            status=record.status,
        )
    spec = spec_of(form) if form else None
    if spec is None:
        raise InvalidInput.at(
            "/form",
            f"no form {form[:64]!r}: one of {', '.join(forms) or 'none'}",
            "unknown_form",
            forms=", ".join(forms),
        )
    if not 1 <= page <= spec.pages:
        raise InvalidInput.at(
            "/page",
            f"{form} has {spec.pages} page(s): 1 to {spec.pages}",
            "page_out_of_range",
            pages=spec.pages,
        )
    return spec


def assign(
    session: Session,
    record: Record,
    *,
    form: str,
    reference: str,
    page: int,
    actor: Any,
    data: bytes,
    read: Reader,
    spec_of: Callable[[str], Any],
    forms: list[str],
    grant: Grant,
    put_blob: PutBlob,
    complete: Callable[..., Record],
) -> Record:
    """Read an unidentified record's page as ``form`` and make it a scanned record (audited).

    ``complete`` fills a record from a parser's answer (the store's ``complete_record``).
    Raises InvalidInput naming ``/status``, ``/form`` or ``/page``; a page that cannot be
    read as that form (its corner marks not found) is a problem at ``/form`` too, and the
    record stays unidentified; a parser that times out or fails raises Busy (503).
    """
    check_assignment(record, form, page, spec_of, forms)
    kept = dict(record.scan or {})
    index = int(kept.get("page_index") or 1)
    answer = read(data, form, reference, index, page)
    if "error" in answer:
        failure = answer.get("error") or {}
        message = str(failure.get("message") or "cannot be read")
        if failure.get("code") in {"timeout", "internal"}:
            # Not the person's choice at fault: the parser, or the machine's load.
            raise Busy(f"the page could not be read now ({message}): try again")
        raise InvalidInput.at(
            "/form",
            f"the page cannot be read as {form}: {message}",
            "page_unreadable",
            form=form,
        )
    old_status = record.status
    complete(session, record, answer, grant, put_blob)
    record.scan = {**(record.scan or {}), **{k: v for k, v in kept.items() if k != "fields"}}
    audit(session, record, actor, "/form", None, record.form, ASSIGNED)
    audit(session, record, actor, "/reference", None, record.reference, ASSIGNED)
    audit(session, record, actor, "/status", old_status, record.status, ASSIGNED)
    record.updated_at = utcnow()
    session.flush()
    return record
