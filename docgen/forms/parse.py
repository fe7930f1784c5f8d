"""Read a returned PDF into a form record: recognise, read fields, normalise, validate.

``parse_form(fp)`` is the pure core: it runs in the calling process and trusts its
caller to bound time and memory (:mod:`docgen.forms.isolation` does, in a child process).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, LimitReachedError
from pypdf.generic import DictionaryObject

from docgen.domain.common import clean_text
from docgen.errors import DocgenError
from docgen.forms import acroform
from docgen.forms.active import find_active_content
from docgen.forms.build import FOOTER_PREFIX
from docgen.forms.flattened import read_boxes
from docgen.forms.pages import sniff
from docgen.forms.signatures import check_signatures
from docgen.forms.spec import FORM_ID_FIELD, REF_FIELD, FormSpec
from docgen.forms.validate import issue, validate

log = logging.getLogger(__name__)

# The closed set of error codes (documented in docgen/forms/__init__.py).
ERROR_CODES = frozenset(
    {
        "unreadable",
        "not_pdf",
        "too_large",
        "encrypted",
        "malformed",
        "xfa_only",
        "timeout",
        "too_complex",
        "internal",
    }
)
MAX_PAGES = 2000
TEXT_PAGES = 3  # pages searched for the footer code
MAX_CONTENT = 2_000_000  # bytes of page content beyond which we do not look for it
MAX_RAW_VALUE = 2000
SCAN_PROBE = 3  # pages of a PDF without fields or text looked at for a docgen code
_CODE = re.compile(
    re.escape(FOOTER_PREFIX) + r"\s+([A-Za-z][A-Za-z0-9_]{0,63})@([0-9A-Za-z.\-]{1,16})"
)


@dataclass(frozen=True)
class ScanOptions:
    """How scans are read: the page-code key and the limits on their images."""

    key: bytes
    dpi: int = 200
    max_pixels: int = 60_000_000
    max_pages: int = 60


class ParseFailed(DocgenError):
    """The file cannot be read as a form; ``code`` is one of :data:`ERROR_CODES`."""

    status = 422
    title = "Unreadable form"
    slug = "unreadable-form"

    def __init__(self, code: str, detail: str):
        assert code in ERROR_CODES, code
        super().__init__(detail)
        self.code = code

    def as_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.detail}}


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Owner-password-only files open with the empty user password.
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseFailed("encrypted", "the PDF is protected by a password")
        return reader
    except NotImplementedError as exc:
        raise ParseFailed("encrypted", f"the PDF uses unsupported encryption ({exc})") from exc
    except FileNotDecryptedError as exc:
        raise ParseFailed("encrypted", "the PDF is protected by a password") from exc


def _has_xfa(reader: PdfReader) -> bool:
    root = reader.trailer["/Root"].get_object()
    acro = root.get("/AcroForm")
    acro = acro.get_object() if acro is not None else None
    return isinstance(acro, DictionaryObject) and "/XFA" in acro


def _footer_code(reader: PdfReader, pages: int) -> tuple[str, str] | None:
    info = reader.metadata
    match = _CODE.search(str(info.get("/Subject", ""))) if info else None
    if match:
        return match.group(1), match.group(2)
    for index in range(min(pages, TEXT_PAGES)):
        page = reader.pages[index]
        contents = page.get_contents()
        if contents is None or len(contents.get_data()) > MAX_CONTENT:
            continue  # not one of our pages; extracting its text may take seconds
        text = page.extract_text() or ""
        match = _CODE.search(text)
        if match:
            return match.group(1), match.group(2)
    return None


def _recognise(
    fields: Mapping[str, acroform.RawField], reader: PdfReader, pages: int
) -> tuple[str, str] | None:
    raw = fields.get(FORM_ID_FIELD)
    if raw is not None and isinstance(raw.value, str) and "@" in raw.value:
        form_id, _, version = raw.value.strip().partition("@")
        return form_id, version
    return _footer_code(reader, pages)


def _raw_value(field: acroform.RawField) -> Any:
    """A field's value kept as it came, but only with characters XML can hold (it is shown,
    exported and corrected later) and Word's soft line break as a line break."""
    value = field.value
    if isinstance(value, str):
        return clean_text(value[:MAX_RAW_VALUE])
    if isinstance(value, list):
        return [clean_text(str(v)[:MAX_RAW_VALUE]) for v in value[:50]]
    return value


def _read_record(
    data: bytes, spec: FormSpec, version: str, fields: Mapping[str, acroform.RawField]
) -> dict[str, Any]:
    data_fields = [f for f in spec.fields if f.type != "signature"]
    present = {f.name for f in data_fields if f.name in fields}
    raw: dict[str, Any] = {name: fields[name].value for name in present}
    # Prefilled values are page text, and a flattened copy has nothing else: read the
    # boxes of whatever the AcroForm does not hold.
    missing = [f for f in data_fields if f.name not in present]
    if missing:
        raw.update(read_boxes(data, missing))
    values, issues = validate(spec, raw)
    if version != spec.version:
        issues.insert(
            0,
            issue(
                "",
                "version_mismatch",
                f"the file is version {version} of the form, we read it "
                f"with version {spec.version}",
            ),
        )
    method = "acroform" if present else "flattened"
    sig_fields = [f.name for f in spec.fields if f.type == "signature"]
    return {
        "form": spec.id,
        "version": version,
        "status": None,
        "method": method,
        "values": values,
        "issues": issues,
        "signature_fields": sig_fields,
    }


def parse_bytes(
    data: bytes,
    specs: Mapping[str, FormSpec],
    *,
    filename: str | None = None,
    trust_roots: Sequence[Any] = (),
    scan: ScanOptions | None = None,
) -> dict[str, Any]:
    """Return the record of a returned form, or raise :class:`ParseFailed`.

    With ``scan``, images (and PDFs without fields or text that names a form) are read as
    scanned pages (:mod:`docgen.forms.scan`).
    """
    source = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "pages": None,
        "filename": filename,
        "bytes": len(data),
    }
    if b"%PDF-" not in data[:1024]:
        if scan is None or sniff(data) != "image":
            raise ParseFailed("not_pdf", "the file is not a PDF (no %PDF- header)")
        record = _scan(data, specs, scan)
        assert record is not None  # no probe: always an answer
        source["pages"] = record.pop("scan_pages")
        source["warnings"] = 0
        record["source"] = source
        return record
    with warnings.catch_warnings(record=True) as caught:
        # pypdf and pdfminer warn freely on real-world files: keep them as a count.
        warnings.simplefilter("always")
        record = _parse(data, specs, source, trust_roots)
        scannable = record.pop("_scannable")
        if scan is not None and scannable:
            # No fields and no text naming a form: pages of images, perhaps our own. Only
            # a file whose first pages carry a docgen code, or of at most SCAN_PROBE
            # scanned pages (each then an unidentified page), is read as a scan (its
            # limits then apply); any other stays the unrecognised record it was.
            from docgen.forms.scan import NotRead

            try:
                scanned = _scan(data, specs, scan, probe=SCAN_PROBE)
            except NotRead as exc:
                record["issues"].append(issue("", "scan_not_read", str(exc)))
                scanned = None
            if scanned is not None:
                scanned.pop("scan_pages")
                record = scanned
    source["warnings"] = len(caught)
    record["source"] = source
    return record


def _parse(
    data: bytes, specs: Mapping[str, FormSpec], source: dict[str, Any], trust_roots: Sequence[Any]
) -> dict[str, Any]:
    try:
        reader = _open(data)
        pages = len(reader.pages)
        source["pages"] = pages
        if pages == 0:
            raise ParseFailed("malformed", "the PDF has no pages")
        if pages > MAX_PAGES:
            raise ParseFailed("too_complex", f"{pages} pages, more than {MAX_PAGES}")
        fields = acroform.read_fields(reader)
        if not fields and _has_xfa(reader):
            raise ParseFailed("xfa_only", "an XFA form without AcroForm fields: not supported")
        recognised = _recognise(fields, reader, pages)
        spec = specs.get(recognised[0]) if recognised else None
        if spec is not None:
            record = _read_record(data, spec, recognised[1], fields)
            sig_fields = record.pop("signature_fields")
        else:
            record = _unrecognised(fields, recognised)
            sig_fields = [n for n, f in fields.items() if f.kind == "signature"]
        reference = fields.get(REF_FIELD)
        record["reference"] = (reference.value or None) if reference else None
        active = find_active_content(reader)
        if active:
            record["issues"].insert(
                0,
                issue(
                    "",
                    "active_content",
                    f"the PDF holds {', '.join(active)}: do not open it in a browser; check "
                    "where it came from",
                ),
            )
    except ParseFailed:
        raise
    except acroform.TooComplex as exc:
        raise ParseFailed("too_complex", str(exc)) from exc
    except (LimitReachedError, RecursionError) as exc:
        raise ParseFailed("too_complex", f"beyond the reader's limits ({exc})") from exc
    except MemoryError as exc:
        raise ParseFailed("too_complex", "the file needs more memory than allowed") from exc
    except Exception as exc:
        # Anything else the readers raise on a hostile or broken file (PdfReadError,
        # ValueError, zlib.error, pypdf's DeprecationError for a removed filter, ...).
        raise ParseFailed(
            "malformed", f"the PDF cannot be read ({type(exc).__name__}: {str(exc)[:200]})"
        ) from exc
    # pyHanko costs a full second read of the file: only when something is signed.
    signed = any(f.signed for f in fields.values() if f.kind == "signature")
    record["signatures"] = check_signatures(data, sig_fields, trust_roots, verify=signed)
    broken = [
        s["field"]
        for s in record["signatures"]
        if s.get("digital") and not (s.get("intact") and s.get("valid"))
    ]
    for name in broken:
        record["issues"].append(
            issue(name, "signature_invalid", f"the digital signature in {name} does not verify")
        )
    if record["status"] is None:
        record["status"] = "needs_review" if record["issues"] else "valid"
    record["_scannable"] = not fields and recognised is None
    return {
        key: record[key]
        for key in (
            "_scannable",
            "form",
            "version",
            "status",
            "method",
            "reference",
            "values",
            "issues",
            "signatures",
        )
    }


def _scan(
    data: bytes, specs: Mapping[str, FormSpec], scan: ScanOptions, probe: int | None = None
) -> dict[str, Any] | None:
    from docgen.forms.pages import PageLimit
    from docgen.forms.scan import read_scan

    try:
        return read_scan(
            data,
            specs,
            scan.key,
            dpi=scan.dpi,
            max_pixels=scan.max_pixels,
            max_pages=scan.max_pages,
            probe=probe,
        )
    except PageLimit as exc:
        raise ParseFailed(exc.code, exc.detail) from exc
    except MemoryError as exc:
        raise ParseFailed("too_complex", "the scan needs more memory than allowed") from exc


def _unrecognised(
    fields: Mapping[str, acroform.RawField], recognised: tuple[str, str] | None
) -> dict[str, Any]:
    issues = []
    if recognised:
        issues.append(issue("", "unknown_form", f"no spec for form {recognised[0]!r}"))
    return {
        "form": recognised[0] if recognised else None,
        "version": recognised[1] if recognised else None,
        "status": "unrecognized",
        "method": "acroform" if fields else "flattened",
        "values": {
            clean_text(name, multiline=False): _raw_value(f)
            for name, f in fields.items()
            if f.kind != "signature"
        },
        "issues": issues,
    }


def parse_form(
    fp: IO[bytes],
    specs: Mapping[str, FormSpec] | None = None,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    trust_roots: Sequence[Any] = (),
) -> dict[str, Any]:
    """Read a returned form from a binary file object into a record (in this process)."""
    from docgen.forms.spec import load_specs

    data = fp.read(max_bytes + 1) if max_bytes else fp.read()
    if max_bytes and len(data) > max_bytes:
        raise ParseFailed("too_large", f"the file is larger than {max_bytes} bytes")
    return parse_bytes(
        data,
        specs if specs is not None else load_specs(),
        filename=filename,
        trust_roots=trust_roots,
    )
