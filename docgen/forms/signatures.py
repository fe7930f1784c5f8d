"""Check the digital signatures of a returned form with pyHanko, offline.

No network: revocation is not fetched. Trust roots come from the ``TRUST_ROOTS`` setting;
without them ``trusted`` is None (unknown), never False.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_SIGNATURES = 20


def load_trust_roots(setting: str) -> list[Any]:
    """Load the PEM or DER certificates named in ``TRUST_ROOTS`` (os.pathsep-separated)."""
    import os

    from asn1crypto import pem, x509

    roots = []
    for name in filter(None, (setting or "").split(os.pathsep)):
        data = Path(name).read_bytes()
        if pem.detect(data):
            roots.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, True))
        else:
            roots.append(x509.Certificate.load(data))
    return roots


def _name(cert: Any) -> str | None:
    try:
        return cert.subject.human_friendly
    except Exception:  # a malformed name must not sink the whole report
        return None


def _enum(value: Any) -> str | None:
    return value.name.lower() if value is not None and hasattr(value, "name") else None


def _describe(embedded: Any, trust_roots: Sequence[Any]) -> dict[str, Any]:
    from pyhanko.sign.diff_analysis.policy_api import SuspiciousModification
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    entry: dict[str, Any] = {"field": embedded.field_name, "signed": True, "digital": True}
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
    status = validate_pdf_signature(embedded, context)
    diff = status.diff_result
    changed: list[str] = []
    if diff is not None and not isinstance(diff, SuspiciousModification):
        changed = sorted(diff.changed_form_fields)
    level = status.modification_level
    entry.update(
        signer=_name(status.signing_cert),
        signing_time=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted) if trust_roots else None,
        coverage=_enum(status.coverage),
        covers_whole_file=_enum(status.coverage) == "entire_file",
        modified_after=_enum(level) not in (None, "none"),
        modification=_enum(level) or ("suspicious" if diff is not None else None),
        changed_fields=changed,
        suspicious=isinstance(diff, SuspiciousModification),
        docmdp_ok=status.docmdp_ok,
    )
    return entry


def check_signatures(
    data: bytes, field_names: Sequence[str], trust_roots: Sequence[Any] = (), verify: bool = True
) -> list[dict[str, Any]]:
    """List every signature field: unsigned ones, and each digital signature checked.

    ``field_names`` are the signature fields the form has (from the AcroForm or the spec);
    one entry each, in that order, then any signed field not among them.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    entries: dict[str, dict[str, Any]] = {
        name: {"field": name, "signed": False, "digital": False} for name in field_names
    }
    if not verify:
        return list(entries.values())
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            reader.decrypt(b"")
        embedded = list(reader.embedded_regular_signatures)[:MAX_SIGNATURES]
    except Exception as exc:  # pyHanko on a damaged file: report, keep the record
        log.info("signatures unreadable: %s", exc)
        for entry in entries.values():
            entry["error"] = f"could not read signatures: {type(exc).__name__}"
        return list(entries.values())
    for sig in embedded:
        try:
            entry = _describe(sig, trust_roots)
        except Exception as exc:  # a broken signature is a finding, not a crash
            entry = {
                "field": _safe_field(sig),
                "signed": True,
                "digital": True,
                "intact": False,
                "valid": False,
                "trusted": None,
                "error": f"{type(exc).__name__}: {exc}"[:300],
            }
        entries[entry["field"]] = {**entries.get(entry["field"], {}), **entry}
    return list(entries.values())


def _safe_field(sig: Any) -> str:
    try:
        return str(sig.field_name)
    except Exception:
        return "?"
