"""Records of uploaded forms: receive, fill from the parser, read again, correct (audited),
approve.

An upload is received before it is read: its file is in the store and its record exists in
status ``received``; the parser's answer then completes the record. A crash in between
leaves a complete file and a ``received`` record, which the same upload completes later.
Operations flush; the caller commits.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docgen.errors import InvalidInput, Problem, pointer
from docgen.store.models import Blob, Record, RecordChange, utcnow
from docgen.store.records import REVIEWABLE, Actor, fold
from docgen.store.users import actor_ids, actor_name

# Issues of a scanned page that a correction of other fields does not settle.
SCAN_ISSUES = {"low_confidence", "letter_unsure", "signature_missing", "page_missing"}
SpecLookup = Callable[[str], Any]  # form id -> FormSpec or None


def _search_text(record: Record) -> str:
    parts = [record.filename or "", record.reference or "", record.form or ""]
    parts += [str(v) for v in (record.values or {}).values() if v not in (None, "")]
    return fold(" ".join(parts))[:20000]


def _ensure_blob(
    session: Session, sha256: str, size: int, media_type: str = "application/pdf"
) -> None:
    if session.get(Blob, sha256) is not None:
        return
    try:
        with session.begin_nested():
            session.add(Blob(sha256=sha256, size=size, media_type=media_type))
    except IntegrityError:
        pass  # another request stored the same file at the same moment


def receive_upload(
    session: Session, sha256: str, size: int, filename: str | None, key: Actor
) -> tuple[Record, bool]:
    """Return the record of a stored file, creating it (``received``) if it is new."""
    _ensure_blob(session, sha256, size)
    existing = session.scalar(select(Record).where(Record.sha256 == sha256, Record.part == 0))
    if existing is not None:
        return existing, False
    key_id, user_id = actor_ids(key)
    record = Record(
        sha256=sha256,
        filename=(filename or "")[:255] or None,
        status="received",
        values={},
        issues={"items": []},
        signatures={"items": []},
        uploaded_by=key_id,
        uploaded_by_user=user_id,
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        # The same file, uploaded at the same moment, won the race: use its record.
        if record in session:
            session.expunge(record)
        existing = session.scalar(select(Record).where(Record.sha256 == sha256, Record.part == 0))
        assert existing is not None
        return existing, False
    record.search_text = _search_text(record)
    session.flush()
    return record, True


def complete_record(
    session: Session,
    record: Record,
    answer: dict[str, Any],
    grant: Callable[[Record], dict[str, Any] | None],
    put_blob: Callable[[bytes], str] | None = None,
) -> Record:
    """Fill a received record from the parser's answer (a record, or an error object).

    A scan's fields are kept in ``record.scan`` with their crops, each stored through
    ``put_blob`` (the blob store's ``put``) as a PNG: what the review shows and the audit
    trail points to.
    """
    if "error" in answer:
        record.status = "error"
        record.error = {"code": answer["error"]["code"], "message": answer["error"]["message"]}
    else:
        more: list[dict[str, Any]] = []
        if answer.get("method") == "scan" and record.part == 0:
            # One record a document of a stack, and one a page without a readable code.
            from docgen.operations.unidentified import split

            answer, more = split(answer)
        record.status = answer.get("status") or "needs_review"
        record.form = answer.get("form")
        record.version = answer.get("version")
        record.method = answer.get("method")
        record.reference = (answer.get("reference") or None) and str(answer["reference"])[:120]
        record.values = answer.get("values") or {}
        record.issues = {"items": answer.get("issues") or []}
        record.signatures = {"items": answer.get("signatures") or []}
        record.error = None
        record.scan = _scan_fields(session, answer, put_blob) or _page_scan(
            session, answer, put_blob
        )
        record.grant = grant(record)
        for part, document in enumerate(more, start=1):
            _complete_part(session, record, part, document, grant, put_blob)
    record.search_text = _search_text(record)
    session.flush()
    return record


def _complete_part(
    session: Session,
    first: Record,
    part: int,
    document: dict[str, Any],
    grant: Callable[[Record], dict[str, Any] | None],
    put_blob: Callable[[bytes], str] | None,
) -> None:
    """One more document of a scanned stack: its own record (the same file, part ``part``)."""
    record = session.scalar(
        select(Record).where(Record.sha256 == first.sha256, Record.part == part)
    )
    if record is None:
        record = Record(
            sha256=first.sha256,
            part=part,
            filename=first.filename,
            status="received",
            values={},
            issues={"items": []},
            signatures={"items": []},
            uploaded_by=first.uploaded_by,
            uploaded_by_user=first.uploaded_by_user,
        )
        session.add(record)
    elif record.status not in {"received", "valid", "needs_review", "unrecognized", "error"}:
        return  # reviewed already (approved or rejected): a new reading does not undo it
    complete_record(
        session, record, {k: v for k, v in document.items() if k != "documents"}, grant, put_blob
    )


def _page_scan(
    session: Session, answer: dict[str, Any], put_blob: Callable[[bytes], str] | None
) -> dict[str, Any] | None:
    from docgen.operations.unidentified import page_scan

    return page_scan(session, answer, put_blob)


def _scan_fields(
    session: Session, answer: dict[str, Any], put_blob: Callable[[bytes], str] | None
) -> dict[str, Any] | None:
    if answer.get("method") != "scan" or not answer.get("fields"):
        return None
    crops = answer.get("crops") or {}
    fields = {}
    for name, field in answer["fields"].items():
        entry = {k: field.get(k) for k in ("read", "confidence", "page", "flagged")}
        encoded = crops.get(name)
        if put_blob is not None and isinstance(encoded, str) and encoded:
            try:
                png = base64.b64decode(encoded, validate=True)
            except ValueError:
                png = b""
            if png.startswith(b"\x89PNG\r\n\x1a\n"):  # ours, from the worker: a PNG only
                sha = put_blob(png)
                _ensure_blob(session, sha, len(png), "image/png")
                entry["crop"] = sha
        fields[name] = entry
    return {"fields": fields}


def reopen_for_parsing(session: Session, record: Record, key: Actor) -> Record:
    """Put a record in error back to ``received``, to be read again (audited)."""
    audit(session, record, key, "/status", record.status, "received")
    record.status = "received"
    record.error = None
    record.read_lease = None
    record.updated_at = utcnow()
    session.flush()
    return record


AFTER_APPROVAL = "corrected after approval"


def audit(
    session: Session,
    record: Record,
    key: Actor,
    field: str,
    old: Any,
    new: Any,
    reason: str | None = None,
    scan: dict[str, Any] | None = None,
) -> None:
    """One audit entry; ``scan`` (what a scan read, with its crop) is kept with the new value."""
    key_id, user_id = actor_ids(key)
    after: dict[str, Any] = {"value": new}
    if scan:
        after["scan"] = scan
    session.add(
        RecordChange(
            record_id=record.id,
            api_key_id=key_id,
            user_id=user_id,
            who=actor_name(key),
            field=field,
            reason=reason,
            old={"value": old},
            new=after,
        )
    )


def _reviewed(record: Record, names: list[str] | None = None) -> dict[str, Any]:
    """What the scan read in the fields ``names`` (default: the flagged ones), with their
    crops and the values they have now: kept in the audit trail by a correction and by the
    approval of a scanned record."""
    fields = (record.scan or {}).get("fields") or {}
    wanted = names if names is not None else [n for n, f in fields.items() if f.get("flagged")]
    return {
        name: {
            "read": fields[name].get("read"),
            "confidence": fields[name].get("confidence"),
            "crop": fields[name].get("crop"),
            "value": (record.values or {}).get(name),
        }
        for name in wanted
        if name in fields
    }


def _check_corrections(spec: Any, corrections: dict[str, Any]) -> None:
    """Hold each correction to its field's type and bounds: 422 naming every field at fault."""
    from docgen.forms.validate import check_value

    problems = []
    for name, value in corrections.items():
        try:
            field = spec.field(name)
        except KeyError:
            problems.append(Problem(pointer("values", name), f"not a field of {spec.id}"))
            continue
        if field.type == "signature":
            problems.append(Problem(pointer("values", name), "a signature cannot be typed"))
            continue
        try:
            check_value(field, value)
        except ValueError as exc:
            problems.append(Problem(pointer("values", name), str(exc)))
    if problems:
        raise InvalidInput(problems)


def update_record(
    session: Session,
    record: Record,
    changes: dict[str, Any],
    key: Actor,
    spec_of: SpecLookup,
    grant: Callable[[Record], dict[str, Any] | None],
) -> bool:
    """Apply corrections (``values``) and a review decision (``status``), each audited.

    Return whether anything changed: a request that changes nothing leaves the record as
    it was (``updated_at`` too) and writes no audit entry. A correction to an approved
    record takes it back to review (audited with the reason); ``reason``, when given, is
    kept with every entry of the change.
    """
    from docgen.forms.validate import validate

    corrections: dict[str, Any] = changes.get("values") or {}
    status: str | None = changes.get("status")
    reason: str | None = changes.get("reason") or None
    if record.status not in REVIEWABLE:
        raise InvalidInput.at(
            "/status",
            f"a record in status {record.status!r} cannot be reviewed (only a recognised form can)",
        )
    spec = spec_of(record.form) if record.form else None
    changed = False
    if corrections:
        if spec is None:
            raise InvalidInput.at("/values", f"no spec for form {record.form!r}")
        _check_corrections(spec, corrections)
        old_values = dict(record.values or {})
        values, issues = validate(spec, {**old_values, **corrections})
        edited = [name for name in corrections if old_values.get(name) != values.get(name)]
        seen = _reviewed(record, edited)  # what the scan read there, with its crop
        for name in edited:
            read = {k: v for k, v in seen.get(name, {}).items() if k != "value"}
            audit(
                session,
                record,
                key,
                pointer("values", name),
                old_values.get(name),
                values.get(name),
                reason,
                read or None,
            )
        if edited:
            changed = True
            # What a scan left for the reviewer stays, but for the fields corrected now.
            kept = [
                i
                for i in (record.issues or {}).get("items") or []
                if i.get("code") in SCAN_ISSUES and i.get("field") not in corrections
            ]
            issues = [*issues, *kept]
            record.values = values
            record.issues = {"items": issues}
            record.grant = grant(record)
            if record.status == "approved":
                why = f"{AFTER_APPROVAL}: {reason}" if reason else AFTER_APPROVAL
                audit(session, record, key, "/status", "approved", "needs_review", why[:500])
                record.status = "needs_review"
                record.approved_by = record.approved_by_user = None
                record.approved_at = None
            elif record.status in {"valid", "needs_review"}:
                record.status = "needs_review" if issues else "valid"
    if status and status != record.status:
        changed = True
        approved = _reviewed(record) if status == "approved" and record.method == "scan" else None
        audit(session, record, key, "/status", record.status, status, reason, approved)
        record.status = status
        if status == "approved":
            record.approved_by, record.approved_by_user = actor_ids(key)
            record.approved_at = utcnow()
            if record.method == "scan":  # the reviewer confirms what was read unsure
                record.grant = grant(record)
    if changed:
        record.search_text = _search_text(record)
        record.updated_at = utcnow()
        session.flush()
    return changed
